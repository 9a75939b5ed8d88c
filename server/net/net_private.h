/* net_private.h - what the files of server/net/ share and nobody else sees. */
#ifndef VERRIJK_NET_PRIVATE_H
#define VERRIJK_NET_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>
#include <libwebsockets.h>

#include "net/net_conn.h"
#include "net/net_http.h"
#include "net/net_server.h"

#define NET_WS_PROTOCOL "verrijk.v1"
#define NET_WS_PATH     "/ws"

/* lws reads a WebSocket message in pieces of at most this many bytes into
 * a buffer it allocates per connection (this, LWS_PRE and 4 bytes), so it
 * is kept small: the intents sent most (vote, play, reveal, next, start,
 * and a join or resume) fit in one piece, and longer ones (a note, a
 * summary) are reassembled by net_ws.c into a buffer that exists only
 * while such a message arrives. Measured at 18,000 connections: 1024 gave
 * 4.5 KiB of RSS per connection, 256 gave 3.7; 128 makes lws' allocation
 * 160 bytes instead of 288 (bench/BENCH.md, idle). Not lower: lws 4.1.6
 * also reads the socket at most this + LWS_PRE bytes per event, so 64
 * took a read per message of a burst. (Smaller reads also left more of a
 * flood unread when it was closed: net_conn_discard_input.) */
#define NET_WS_RX_CHUNK 128

/* Seconds a closing connection gets to take its queued bytes and the
 * close frame before it is dropped. */
#define NET_CLOSE_GRACE_S 5

/* A WebSocket silent this long (nothing received, not even a pong) is
 * pinged, so that a proxy in front (which drops connections silent for
 * 60 s) keeps it and a dead peer shows; silent this long despite the
 * ping, it is hung up. One timer sweeps all connections every
 * NET_IDLE_SWEEP_MS: lws' own idle policy gives each connection a timer
 * in one sorted list, and 4.1.6 inserts into it by walking the list, so
 * that every connection established (and every pong) cost a walk over
 * all connections: at 18,000 connections, most of the server's CPU. */
#define NET_IDLE_PING_MS            30000
#define NET_IDLE_HANGUP_MS(ping_ms) (2 * (ping_ms) + 10000)
#define NET_IDLE_SWEEP_MS           5000

/* How long a shutdown waits for clients to answer the 1001 close before
 * the context is destroyed anyway, and how often it looks. */
#define NET_SHUTDOWN_GRACE_MS 2000
#define NET_SHUTDOWN_POLL_MS  10

/* Distinct first path segments of routes, each one callback mount. */
#define NET_HTTP_MOUNTS_MAX NET_HTTP_ROUTES_MAX

typedef struct net_route {
    const char *path;
    size_t path_len;
    bool prefix;
    size_t body_max; /* a POST route: the largest body it takes; 0: GET */
    net_http_fn fn;
    void *ud;
} net_route;

/* Send queues and shared messages are cut from blocks of this many
 * bytes, kept in a pool of at most NET_POOL_MAX, so that delivering a
 * frame allocates nothing once the pool is warm; a longer queue or
 * message is allocated to measure and freed after. */
#define NET_BLOCK_SIZE 4096
#define NET_POOL_MAX   256

/* A block from the pool (or malloc), NET_BLOCK_SIZE bytes; NULL when out
 * of memory. */
void *net_block_get(void);
/* Gives back an allocation of `cap` bytes: a pool block is kept, any
 * other size (or a full pool) freed. NULL is fine. */
void net_block_put(void *block, size_t cap);
/* Frees the pooled blocks (at exit). */
void net_pool_drain(void);
/* Where a shared message's bytes start; LWS_PRE bytes before them are
 * the message's own. */
uint8_t *net_buf_payload(net_buf *b);
size_t net_buf_len(const net_buf *b);

/* Why the rest of a message is being skipped. */
enum net_rx_skip { NET_RX_TAKE = 0, NET_RX_SKIP_TEXT, NET_RX_SKIP_TOO_LARGE };

/* The per-session data of the verrijk.v1 protocol: lws allocates it
 * zeroed with the connection and frees it after LWS_CALLBACK_CLOSED.
 * Every idle member holds one, so it is kept small: fields ordered by
 * size with no padding between them, lengths in 32 bits (a queue never
 * nears 4 GiB: NET_SEND_QUEUE_MAX plus one message), and the close
 * reason on the heap, only while closing (it was 64 bytes inline in
 * every connection). 184 bytes, a 192-byte allocation; it was 272,
 * a 288-byte one
 * (bench/BENCH.md, idle). */
struct net_conn {
    net_server *srv;
    struct lws *wsi;
    net_conn *prev, *next; /* srv->conns, while open */
    void *user;
    uint64_t id;

    uint8_t *rx; /* VP_MAX_MESSAGE bytes, only mid-message */

    /* What is queued: a shared message alone (no copy), or bytes of
     * our own; never both. */
    net_buf *tx_buf;
    uint8_t *tx;                       /* LWS_PRE headroom, then tx_len queued bytes */
    net_conn *dirty_prev, *dirty_next; /* srv->dirty, while queued */
    char *close_reason;                /* close_reason_len bytes (not NUL-ended), or NULL */

    uint64_t rx_at;         /* loop time (ms) something last came in */
    uint64_t rate_at;       /* loop time (ms) of the last refill */
    uint64_t unbound_since; /* loop time since when c has no member (user NULL) */

    uint32_t rx_len;
    uint32_t tx_len, tx_cap;
    uint32_t tx_big;       /* the largest message queued (net_backlog_over) */
    uint32_t rate_milli;   /* tokens x 1000, at most NET_RATE_BURST x 1000 */
    uint32_t rate_strikes; /* messages refused in a row */
    limits_addr addr;      /* the client's, for per-address limits */

    uint16_t close_code; /* nonzero once closing */
    uint8_t close_reason_len;
    uint8_t skip; /* enum net_rx_skip for the current message */
    bool dirty;
    bool ping_due; /* the idle sweep asks for a ping */
    bool pinged;   /* a ping was asked for since rx_at */
    bool hang_up;  /* drop it without a close frame, next writeable */
    bool open;     /* ESTABLISHED seen, CLOSED not yet */
    bool refused;  /* over max_conns: being closed, never listed */
    bool in_msg;   /* a message's first piece came, not its last */
    bool counted;  /* holds one of srv->per_addr's counts */
    char room[VP_ROOM_LEN + 1];
};
/* 184 bytes and glibc's 8-byte header fill a 192-byte chunk exactly: a
 * field more moves every idle member to the next size. */
_Static_assert(sizeof(struct net_conn) <= 184, "struct net_conn grew past 184 bytes: see the comment above it");

struct net_server {
    uv_loop_t *loop;
    struct lws_context *ctx; /* NULLed by lws when fully destroyed */
    char *host, *web_dir;
    int port;
    unsigned max_sockets; /* TCP connections of any kind (fd budget) */
    unsigned max_conns;   /* open WebSocket connections */

    net_handler handler;
    net_route routes[NET_HTTP_ROUTES_MAX];
    unsigned n_routes;
    struct lws_http_mount mounts[NET_HTTP_MOUNTS_MAX + 1];
    char *mount_points[NET_HTTP_MOUNTS_MAX];
    unsigned n_mounts;
    struct lws_protocols protocols[3];

    limits *fails;            /* failed attempts per address */
    limits *creates;          /* `create` intents per address (an hour's budget) */
    limits *joins;            /* `join` intents per address and room */
    limits_counts *per_addr;  /* open WebSockets per address */
    unsigned max_per_addr;    /* net_config.max_conns_per_addr */
    uint64_t join_timeout_ms; /* net_config.join_timeout_ms */
    limits *reads;            /* room downloads per address (NET_HTTP_READS_MAX) */
    limits_proxies proxies;   /* --trust-proxy */
    char origins[NET_ORIGINS_MAX][NET_ORIGIN_MAX];
    unsigned n_origins;

    /* Connections with something queued, written by `flush` right
     * before the loop waits: one write per connection per loop turn,
     * without lws' writeable round trip (its epoll changes cost more
     * than the write). */
    net_conn *dirty;
    uv_prepare_t flush;
    bool flush_on;
    uv_timer_t idle; /* the idle sweep (NET_IDLE_*) */
    bool idle_on;
    uv_timer_t trim; /* net_trim.c */
    bool trim_on;
    uint64_t ping_ms, hangup_ms; /* net_config.ping_ms, and what follows */
    /* Where errors and pongs are encoded before they are queued (the
     * loop has one thread; kept, so answering allocates nothing). */
    msgpack_sbuffer scratch;

    net_conn *conns; /* open WebSocket connections */
    unsigned n_conns, n_sockets;
    uint64_t next_conn_id;
    net_counters counters; /* frames, bytes and slow readers (net_server_counters) */

    bool started, stopping, destroyed_once, ctx_abandoned;
    uv_timer_t shutdown_timer;
    uint64_t shutdown_started;
    void (*shutdown_done)(void *ud);
    void *shutdown_ud;
};

int net_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int net_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

/* Per-session data of the http protocol (a routed response in flight). */
struct net_http_session {
    uint8_t *body;
    size_t len, sent;
    bool writing; /* a deferred answer's body is being written */
    /* A route answers later (net_http_defer): the request waits for
     * net_http_later_reply, which leaves the answer in `ready` for the
     * next HTTP_WRITEABLE to write. */
    net_http_later *later;
    net_http_response *ready;
    /* A POST body being received for `post`, until it is `in_want`
     * bytes (the request's Content-Length). */
    const net_route *post;
    char post_path[NET_HTTP_PATH_MAX];
    uint8_t *in;
    size_t in_len, in_want;
};

/* The address a request on wsi comes from (see limits_client_addr). */
void net_client_addr(const net_server *srv, struct lws *wsi, limits_addr *out);

/* Milliseconds on the server's clock, for the limits table. */
uint64_t net_now_ms(const net_server *srv);

/* The route for `path` and method (a POST route or a GET one), or NULL. */
const net_route *net_http_find_route(const net_server *srv, const char *path, bool post);

/* net_ws_send.c: a connection's send queue. */

/* Writes what every queued connection holds (the `flush` handle). */
void net_ws_flush(uv_prepare_t *h);
/* c has something queued (or a ping due): it is written before the loop
 * next waits. */
void net_conn_mark(net_conn *c);
/* Takes c off the list of queued connections. */
void net_dirty_remove(net_conn *c);
/* Frees what c has queued. */
void net_conn_drop_tx(net_conn *c);
/* Queues a pong (the answer to a ping intent). Returns 0, or -1. */
int net_conn_send_pong(net_conn *c, bool has_id, uint64_t id);
/* SERVER_WRITEABLE: writes what is queued, a ping that is due, and starts
 * a close once the queue is out. Returns -1 when the socket is broken. */
int net_conn_on_writeable(net_conn *c);

/* net_trim.c: free heap pages back to the kernel after connections came
 * or went, at most once per NET_TRIM_AFTER_MS. */
#define NET_TRIM_AFTER_MS 1000
void net_trim_init(net_server *srv);
void net_trim_poke(net_server *srv);
void net_trim_stop(net_server *srv);

/* net_ws.c: the protocol. */

/* Drops c without a close frame, from its next writeable callback. */
void net_conn_hang_up(net_conn *c, uint16_t code);
/* Pings connections silent for NET_IDLE_PING_MS, hangs up those silent
 * for NET_IDLE_HANGUP_MS (the `idle` timer). */
void net_ws_idle_sweep(uv_timer_t *t);

/* The default handler: every intent but ping is answered server_busy. */
extern const net_handler net_ws_default_handler;

#endif
