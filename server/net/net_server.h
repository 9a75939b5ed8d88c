/* net_server.h - the HTTP + WebSocket server on a libuv loop the caller owns. */
#ifndef VERRIJK_NET_SERVER_H
#define VERRIJK_NET_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "net/addr_limits.h"
#include "net/net_counters.h"
#include "net/net_conn.h"
#include "net/net_http.h"

typedef struct net_server net_server;

/* Origins accepted with --origin, and the longest one. */
#define NET_ORIGINS_MAX 16
#define NET_ORIGIN_MAX  256

/* Bytes of request line and headers lws keeps for one HTTP request
 * (lws' max_http_header_data). A request whose headers do not fit is
 * refused by lws (431 or a hang-up) before any route sees it. */
#define NET_HTTP_REQUEST_HEADERS_MAX 8192

/* Bytes of the buffer each lws service thread reads and writes through
 * (lws' pt_serv_buf_size): one read of the socket, one piece of a static
 * file, one set of response headers. */
#define NET_HTTP_SERV_BUF 8192

/* File descriptors kept back from the connection cap for log files,
 * static-file reads, the listener and libuv's own. */
#define NET_FD_RESERVE 512

/* A WebSocket that is no member of a room this long is closed: a phone
 * joins within seconds of opening the page (the web client reconnects
 * by itself and joins when the person is ready), while an idle socket
 * would hold a place under --max-connections for ever. */
#define NET_JOIN_TIMEOUT_MS 30000u

/* Open WebSockets per address: a classroom behind one NAT (100 members
 * of a room, a few tabs each) fits; one host cannot hold the server. */
#define NET_CONNS_PER_ADDR 200u

typedef struct net_config {
    const char *host; /* address to bind; "0.0.0.0" = every IPv4 address */
    int port;
    const char *web_dir; /* static files; copied */
    unsigned fd_limit;   /* the process's RLIMIT_NOFILE (soft, after raising) */
    /* WebSocket connections served at once; one more is answered
     * server_busy and closed with NET_CLOSE_TRY_LATER. 0 = as many as
     * the sockets allow. */
    unsigned max_connections;
    /* Peers whose X-Real-IP / X-Forwarded-For name the client (copied;
     * NULL or empty: headers never count). */
    const limits_proxies *trusted_proxies;
    /* Failed attempts an address may make per LIMITS_WINDOW_MS
     * (0: LIMITS_FAILS_MAX). */
    unsigned max_failures;
    /* Origins a WebSocket upgrade may carry, as "scheme://host[:port]"
     * (compared without regard to case; copied). n_origins 0: any. An
     * upgrade without an Origin header is accepted either way: browsers
     * always send one, and other clients cannot be tricked into using a
     * visitor's network position. */
    const char *const *origins;
    unsigned n_origins;
    /* Milliseconds of silence after which a WebSocket is pinged (0:
     * NET_IDLE_PING_MS); one silent for twice that plus 10 s is hung up. */
    unsigned ping_ms;
    /* Milliseconds a WebSocket may stay without a member (never joined,
     * resumed or created one, or no longer one) before it is closed
     * with NET_CLOSE_POLICY (0: NET_JOIN_TIMEOUT_MS). */
    unsigned join_timeout_ms;
    /* Open WebSockets one address may hold; one more is answered
     * rate_limited and closed with NET_CLOSE_TRY_LATER (0:
     * NET_CONNS_PER_ADDR). */
    unsigned max_conns_per_addr;
    /* New rooms (`create` intents) one address may ask for per hour
     * (0: LIMITS_CREATES_PER_HOUR). */
    unsigned max_creates_per_hour;
    /* Room downloads (summaries, replays) one address may ask for per
     * minute (0: NET_HTTP_READS_MAX). */
    unsigned max_reads_per_minute;
} net_config;

/* Allocates a server for `loop`; nothing listens yet. Returns NULL when
 * out of memory. Add routes and a handler, then call net_server_start. */
net_server *net_server_new(uv_loop_t *loop, const net_config *cfg);

/* Replaces the handler of WebSocket connections (copied). Until this is
 * called, every intent but ping is answered `server_busy`. Call it before
 * net_server_start or from inside a handler callback. */
void net_server_set_handler(net_server *srv, const net_handler *h);

/* Adds an HTTP GET route before net_server_start: `path` is matched
 * exactly, or as a prefix (followed by '/' or the end) when `prefix`.
 * `path` must start with '/' and stay valid while the server lives.
 * Returns 0, or -1 when NET_HTTP_ROUTES_MAX routes exist or the server
 * has started. */
int net_server_route(net_server *srv, const char *path, bool prefix, net_http_fn fn, void *ud);

/* Adds a POST route for exactly `path`, whose request body (at most
 * body_max bytes, Content-Length given, Content-Type application/json)
 * the handler finds in req->body once it has arrived whole. A body
 * without a length is answered 411, a longer one 413, another type 415,
 * each without reading it; GET on the same path still finds a GET route. */
int net_server_route_post(net_server *srv, const char *path, size_t body_max, net_http_fn fn, void *ud);

/* Creates the libwebsockets context on the loop and starts listening.
 * Returns 0; or -1 after printing a sentence on stderr (port in use, bad
 * address); then call net_server_free as usual. */
int net_server_start(net_server *srv);

/* Begins a clean shutdown: no new connections; every WebSocket gets close
 * 1001; once all are gone (or after NET_SHUTDOWN_GRACE_MS) the context is
 * destroyed while the loop runs and `done` is called, after which the
 * caller closes its own handles so that uv_run returns. Calling it again
 * does nothing. */
void net_server_shutdown(net_server *srv, void (*done)(void *ud), void *ud);

/* After uv_run returned: finishes destroying the context, runs the loop
 * once more so libwebsockets' handles close, and frees srv. The caller
 * then calls uv_loop_close. Accepts NULL. */
void net_server_free(net_server *srv);

/* Calls fn for every open WebSocket connection. fn may send to or close
 * any connection (closing is deferred, so iteration stays valid). */
void net_server_each_conn(net_server *srv, void (*fn)(void *ud, net_conn *c), void *ud);

/* Open WebSocket connections. */
unsigned net_server_conn_count(const net_server *srv);

/* What the server counted as it sent; valid until net_server_free. */
const net_counters *net_server_counters(const net_server *srv);

#endif
