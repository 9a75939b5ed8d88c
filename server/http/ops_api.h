/* ops_api.h - HTTP routes for operators and the join screens: GET /api/server (version, join URLs) and GET /metrics. */
#ifndef VERRIJK_OPS_API_H
#define VERRIJK_OPS_API_H

#include "net/net_server.h"

/* Bytes of the version string kept (longer: cut). */
#define OPS_VERSION_MAX 64

typedef struct ops_config {
    const char *version; /* "0.1.0"; copied */
    const char *host;    /* the --host the server listens on; copied */
    int port;
    /* --public-url, already checked with lan_public_url_check, or NULL;
     * copied. When set it is the only join URL offered. */
    const char *public_url;
} ops_config;

/* Adds, before net_server_start:
 *   GET /api/server -> 200 application/json
 *       {"version": V, "join_urls": ["http://192.168.1.20:8080/", ...],
 *        "public_url": U (only with --public-url)}
 *     join_urls are this machine's addresses as lan_urls_collect finds
 *     them at the time of the request (a laptop may join the Wi-Fi after
 *     the server started), best first; [public_url] alone when it is set.
 *   GET /metrics -> 200 text/plain; version=0.0.4 (metrics_render).
 * and makes verrijk_connections read net_server_conn_count(net). Keeps
 * one copy of cfg for the process (one server per process). Returns 0, or
 * -1 when a route could not be added. */
int ops_api_routes(net_server *net, const ops_config *cfg);

#endif
