/* api.h - the HTTP API of SPEC.md section 8: decks, summaries, the replay. */
#ifndef VERRIJK_API_H
#define VERRIJK_API_H

#include <uv.h>

#include "net/net_server.h"

struct rooms;

/* Adds the /api routes to net (before it starts); session logs are read
 * on loop's thread pool. Returns 0 or -1. */
int api_routes(uv_loop_t *loop, net_server *net, struct rooms *rs);

/* Which stored decks (POST /api/decks) GET /api/decks lists on the home
 * page (--list-uploaded-decks): "all", or hashes separated by commas.
 * Without it none is listed; each is still usable by its hash. Returns 0,
 * or -1 when spec is neither. Call before the server starts. */
int api_list_uploaded(const char *spec);

#endif
