/* api_internal.h - what the files of the HTTP API share; no one else includes this. */
#ifndef VERRIJK_API_INTERNAL_H
#define VERRIJK_API_INTERNAL_H

#include <uv.h>

#include "net/net_server.h"

struct rooms;

/* Adds GET and POST /api/decks (api_decks.c). Returns 0 or -1. */
int api_decks_routes(uv_loop_t *loop, net_server *net, struct rooms *rs);

#endif
