/* api.h - the HTTP API of SPEC.md section 8: decks, summaries, the replay. */
#ifndef VERRIJK_API_H
#define VERRIJK_API_H

#include <uv.h>

#include "net/net_server.h"

struct rooms;

/* Adds the /api routes to net (before it starts); session logs are read
 * on loop's thread pool. Returns 0 or -1. */
int api_routes(uv_loop_t *loop, net_server *net, struct rooms *rs);

#endif
