/* net_http.h - HTTP routes: a table of GET handlers next to the static files. */
#ifndef VERRIJK_NET_HTTP_H
#define VERRIJK_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of the HTTP side, named once. */
#define NET_HTTP_ROUTES_MAX 32
#define NET_HTTP_PATH_MAX   512         /* bytes of a routed request path */
#define NET_HTTP_BODY_MAX   (16u << 20) /* bytes of one routed response */
#define NET_HTTP_HEADER_MAX 512 /* bytes of one extra header value (a Content-Disposition with a UTF-8 file name) */
#define NET_HTTP_EXTRA_MAX  4   /* extra headers of one response */
#define NET_HTTP_NAME_MAX   40  /* bytes of an extra header's name */

/* Downloads of a room (summary, replay) one address may ask for: a burst
 * of NET_HTTP_READS_MAX (--max-downloads-per-minute), then one every
 * NET_HTTP_READS_WINDOW_MS / NET_HTTP_READS_MAX ms (net_http_spend). Each
 * may read a whole session log; a classroom behind one address still
 * fetches its summaries. */
#define NET_HTTP_READS_MAX       60u
#define NET_HTTP_READS_WINDOW_MS 60000u

/* A request whose answer a route gives later (net_http_defer). */
typedef struct net_http_later net_http_later;

/* One GET request as a route handler sees it; valid during the call. */
typedef struct net_http_request {
    const char *path;    /* decoded URL path, without the query */
    struct lws *wsi;     /* private to net/: use the functions below */
    bool post;           /* a POST (net_server_route_post) */
    const uint8_t *body; /* POST: the whole body, not NUL-terminated */
    size_t body_len;
} net_http_request;

/* What a route handler fills. Start: status 404, no body. */
typedef struct net_http_response {
    int status;
    const char *content_type; /* static string, e.g. "application/json" */
    uint8_t *body;            /* malloc'd; the net layer frees it */
    size_t len;
    char etag[NET_HTTP_HEADER_MAX]; /* sent when non-empty, quoted by you */
    const char *cache_control;      /* static string or NULL */
    /* Further headers, added with net_http_header. */
    unsigned n_extra;
    struct {
        char name[NET_HTTP_NAME_MAX];
        char value[NET_HTTP_HEADER_MAX];
    } extra[NET_HTTP_EXTRA_MAX];
} net_http_response;

typedef void (*net_http_fn)(void *ud, const net_http_request *req, net_http_response *res);

/* Copies the value of query argument `name` (URL-decoded) into buf as a
 * NUL-terminated string. Returns its length, -1 when absent, or -2 when
 * longer than len - 1. */
int net_http_query(const net_http_request *req, const char *name, char *buf, size_t len);

/* Copies the Authorization header into buf. Returns its length, or -1 when
 * absent or longer than len - 1. */
int net_http_authorization(const net_http_request *req, char *buf, size_t len);

/* Per-address limits (SPEC.md section 8): milliseconds until the
 * request's address may try again after too many failed attempts, or 0.
 * The address is the peer's, or the one a trusted proxy names. */
uint64_t net_http_refused_ms(const net_http_request *req);

/* Counts a failed attempt (unknown room, wrong key) against the
 * request's address. */
void net_http_failed(const net_http_request *req);

/* Spends one of the request's address's downloads (NET_HTTP_READS_MAX).
 * Returns 0, or when the address has none left the milliseconds until
 * it has one again (nothing is spent then). */
uint64_t net_http_spend(const net_http_request *req);

/* Spends one of the address's writes: the budget `create` spends
 * (--max-creates-per-hour), so that storing something costs what a new
 * room costs. Returns 0, or the milliseconds until the address may
 * write again (nothing is spent then). */
uint64_t net_http_spend_write(const net_http_request *req);

/* Called by a route that answers later, e.g. after work on the thread
 * pool: nothing is written when the route returns, and the connection
 * waits for net_http_later_reply. Returns the handle, or NULL when out of
 * memory (the route then answers `res` now as usual). */
net_http_later *net_http_defer(const net_http_request *req);

/* Answers a deferred request with res (its body is taken over, res is
 * left empty) and frees h. On the loop thread, exactly once per handle.
 * When the client hung up meanwhile, only frees. */
void net_http_later_reply(net_http_later *h, net_http_response *res);

/* Counts a failed attempt against the address of a deferred request, as
 * net_http_failed. */
void net_http_later_failed(net_http_later *h);

/* Sets status, type and a copy of body. Returns 0, or -1 when out of
 * memory or over NET_HTTP_BODY_MAX (then the response is a 500). */
int net_http_reply(net_http_response *res, int status, const char *content_type, const void *body, size_t len);

/* Adds a header such as ("content-disposition", "attachment; ...") or
 * ("retry-after", "60"); name without the colon; both are copied.
 * Returns 0, or -1 when NET_HTTP_EXTRA_MAX are set or a string is too
 * long for NET_HTTP_NAME_MAX / NET_HTTP_HEADER_MAX, or holds CR/LF. */
int net_http_header(net_http_response *res, const char *name, const char *value);

/* net_http_reply with a text/plain body given as a C string. */
int net_http_reply_text(net_http_response *res, int status, const char *text);

#endif
