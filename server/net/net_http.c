/* net_http.c - HTTP side: routed GET handlers (healthz, later /api) and the gate for WebSocket upgrades. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/net_private.h"

/* Bytes of body written per HTTP_WRITEABLE callback. */
#define NET_HTTP_CHUNK 4096
/* Room for the status line and headers of a routed response. */
#define NET_HTTP_HEADERS_MAX 4096
/* Seconds a deferred request may wait for its answer before lws hangs up. */
#define NET_HTTP_LATER_TIMEOUT_S 120

int net_http_query(const net_http_request *req, const char *name, char *buf, size_t len)
{
    char key[64];
    /* As large as a request's headers may be: lws finds no argument (nor
     * any after it) that does not fit, and a long one must not read as
     * absent. */
    char frag[NET_HTTP_REQUEST_HEADERS_MAX + 1];
    const char *v;
    size_t n;

    if (snprintf(key, sizeof(key), "%s=", name) >= (int)sizeof(key))
        return -1;
    v = lws_get_urlarg_by_name(req->wsi, key, frag, (int)sizeof(frag));
    if (!v)
        return -1;
    n = strlen(v);
    if (n + 1 > len)
        return -2;
    memcpy(buf, v, n + 1);
    return (int)n;
}

/* Bytes of a forwarding header we read; a longer X-Forwarded-For is not
 * used (the peer's address counts instead). */
#define NET_FORWARDED_MAX 512

void net_client_addr(const net_server *srv, struct lws *wsi, limits_addr *out)
{
    char peer[LIMITS_ADDR_TEXT_MAX + 16], real[NET_FORWARDED_MAX], fwd[NET_FORWARDED_MAX];
    const char *p = lws_get_peer_simple(wsi, peer, sizeof(peer));
    bool has_real = false, has_fwd = false;

    /* The headers are read only when the peer could be trusted: no
     * copy at all for the common case without a proxy. */
    if (srv->proxies.n) {
        has_real = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_X_REAL_IP) > 0 &&
                   lws_hdr_copy(wsi, real, sizeof(real), WSI_TOKEN_HTTP_X_REAL_IP) > 0;
        has_fwd = lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR) > 0 &&
                  lws_hdr_copy(wsi, fwd, sizeof(fwd), WSI_TOKEN_X_FORWARDED_FOR) > 0;
    }
    limits_client_addr(&srv->proxies, p, has_real ? real : NULL, has_fwd ? fwd : NULL, out);
}

static net_server *net_http_server(const net_http_request *req)
{
    return lws_context_user(lws_get_context(req->wsi));
}

uint64_t net_http_refused_ms(const net_http_request *req)
{
    net_server *srv = net_http_server(req);
    limits_addr a;

    net_client_addr(srv, req->wsi, &a);
    return limits_blocked(srv->fails, &a, net_now_ms(srv));
}

void net_http_failed(const net_http_request *req)
{
    net_server *srv = net_http_server(req);
    limits_addr a;

    net_client_addr(srv, req->wsi, &a);
    limits_fail(srv->fails, &a, net_now_ms(srv));
}

/* Spends one unit of an address's budget in table t (which counts
 * "failures": here each is a download or a write); 0 when granted, else
 * how many ms until it would be. */
static uint64_t spend(const net_http_request *req, limits *t)
{
    net_server *srv = net_http_server(req);
    uint64_t now = net_now_ms(srv), wait;
    limits_addr a;

    net_client_addr(srv, req->wsi, &a);
    wait = limits_blocked(t, &a, now);
    if (!wait)
        limits_fail(t, &a, now);
    return wait;
}

uint64_t net_http_spend(const net_http_request *req)
{
    return spend(req, net_http_server(req)->reads);
}

uint64_t net_http_spend_write(const net_http_request *req)
{
    return spend(req, net_http_server(req)->creates);
}

struct net_http_later {
    net_server *srv;
    struct lws *wsi; /* NULL once the client hung up */
    struct net_http_session *s;
    limits_addr addr;
};

net_http_later *net_http_defer(const net_http_request *req)
{
    struct net_http_session *s = lws_wsi_user(req->wsi);
    net_http_later *h;

    if (!s || s->later)
        return NULL;
    h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->srv = net_http_server(req);
    h->wsi = req->wsi;
    h->s = s;
    net_client_addr(h->srv, req->wsi, &h->addr);
    s->later = h;
    return h;
}

void net_http_later_failed(net_http_later *h)
{
    limits_fail(h->srv->fails, &h->addr, net_now_ms(h->srv));
}

void net_http_later_reply(net_http_later *h, net_http_response *res)
{
    net_http_response *copy;

    if (h->wsi) {
        copy = malloc(sizeof(*copy));
        h->s->later = NULL;
        if (copy) {
            *copy = *res;
            memset(res, 0, sizeof(*res));
        } else {
            /* Nothing to say it with: hang up rather than leave the
             * client waiting. */
            lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
        h->s->ready = copy;
        if (copy)
            lws_callback_on_writable(h->wsi);
    }
    free(res->body);
    res->body = NULL;
    free(h);
}

int net_http_authorization(const net_http_request *req, char *buf, size_t len)
{
    int n = lws_hdr_total_length(req->wsi, WSI_TOKEN_HTTP_AUTHORIZATION);

    if (n <= 0 || (size_t)n + 1 > len)
        return -1;
    return lws_hdr_copy(req->wsi, buf, (int)len, WSI_TOKEN_HTTP_AUTHORIZATION);
}

int net_http_reply(net_http_response *res, int status, const char *content_type, const void *body, size_t len)
{
    uint8_t *copy = NULL;

    if (len > NET_HTTP_BODY_MAX)
        goto fail;
    if (len) {
        copy = malloc(len);
        if (!copy)
            goto fail;
        memcpy(copy, body, len);
    }
    free(res->body);
    res->body = copy;
    res->len = len;
    res->status = status;
    res->content_type = content_type;
    return 0;
fail:
    free(res->body);
    res->body = NULL;
    res->len = 0;
    res->status = 500;
    res->content_type = "text/plain";
    return -1;
}

int net_http_reply_text(net_http_response *res, int status, const char *text)
{
    return net_http_reply(res, status, "text/plain; charset=utf-8", text, strlen(text));
}

int net_http_header(net_http_response *res, const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);

    if (res->n_extra >= NET_HTTP_EXTRA_MAX || n == 0 || n + 2 > NET_HTTP_NAME_MAX || v + 1 > NET_HTTP_HEADER_MAX ||
        strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n"))
        return -1;
    /* lws wants the name with its colon. */
    memcpy(res->extra[res->n_extra].name, name, n);
    memcpy(res->extra[res->n_extra].name + n, ":", 2);
    memcpy(res->extra[res->n_extra].value, value, v + 1);
    res->n_extra++;
    return 0;
}

const net_route *net_http_find_route(const net_server *srv, const char *path, bool post)
{
    size_t n = strlen(path);
    unsigned i;

    for (i = 0; i < srv->n_routes; i++) {
        const net_route *r = &srv->routes[i];

        if ((r->body_max != 0) != post)
            continue;

        if (n == r->path_len && memcmp(path, r->path, n) == 0)
            return r;
        if (r->prefix && n > r->path_len && memcmp(path, r->path, r->path_len) == 0 && path[r->path_len] == '/')
            return r;
    }
    return NULL;
}

static void net_http_session_clear(struct net_http_session *s)
{
    free(s->body);
    s->body = NULL;
    s->len = s->sent = 0;
    s->writing = false;
    free(s->in);
    s->in = NULL;
    s->in_len = s->in_want = 0;
    s->post = NULL;
}

/* One request per connection. lws 4.1.6 answers pipelined HTTP/1.1
 * requests wrongly (a second request parsed while the first body is still
 * to be written, or cut by two bytes after a file it served at once), so
 * every response we write says `Connection: close` and the connection ends
 * after it; a request pipelined behind it is not answered (see
 * net_http_serve), and the client sends it again on a new connection
 * (RFC 9112 9.3.2). */
static int net_http_close_header(struct lws *wsi, unsigned char **p, unsigned char *end)
{
    return lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, p, end);
}

/* Writes the next piece of s's body (at most NET_HTTP_CHUNK bytes) with
 * one lws_write. Returns 1 once the whole body is out, 0 when more is
 * left, -1 when the write failed. */
static int net_http_write_piece(struct lws *wsi, struct net_http_session *s)
{
    uint8_t buf[LWS_PRE + NET_HTTP_CHUNK];
    size_t n = s->len - s->sent;
    bool last;

    if (n > NET_HTTP_CHUNK)
        n = NET_HTTP_CHUNK;
    last = s->sent + n == s->len;
    if (n) {
        memcpy(buf + LWS_PRE, s->body + s->sent, n);
        if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
            return -1;
        s->sent += n;
    }
    return last;
}

/* Hands the whole routed body to lws at once, so that nothing of this
 * request is left when lws could parse one pipelined behind it; what the
 * socket does not take now lws keeps and writes out before it closes.
 * Nonzero either way: the response said `Connection: close`. */
static int net_http_write_body_now(struct lws *wsi, struct net_http_session *s)
{
    while (net_http_write_piece(wsi, s) == 0)
        ;
    net_http_session_clear(s);
    return 1;
}

/* Sends the next piece of a deferred answer's body, one per
 * HTTP_WRITEABLE: lws 4.1.6 drops what it holds back when a WRITEABLE
 * callback closes, so this one closes only after the last piece went out.
 * Any request pipelined behind it was parsed (and left unanswered) while
 * the answer was being prepared. */
static int net_http_write_body_piece(struct lws *wsi, struct net_http_session *s)
{
    if (net_http_write_piece(wsi, s) == 0) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    net_http_session_clear(s);
    return -1;
}

/* Writes the status line and headers of res; s takes the body. An answer
 * made at once goes out whole now and the connection closes; a deferred
 * one goes out in the next HTTP_WRITEABLE callbacks. Nonzero closes the
 * connection. */
static int net_http_write_response(struct lws *wsi, struct net_http_session *s, net_http_response *res, bool deferred)
{
    uint8_t head[LWS_PRE + NET_HTTP_HEADERS_MAX];
    uint8_t *start = head + LWS_PRE, *p = start, *end = head + sizeof(head) - 1;

    s->body = res->body;
    s->len = res->len;
    s->sent = 0;
    res->body = NULL;
    if (lws_add_http_common_headers(wsi, (unsigned)res->status, res->content_type, (lws_filepos_t)res->len, &p, end) ||
        net_http_close_header(wsi, &p, end))
        return 1;
    if (res->etag[0] && lws_add_http_header_by_name(wsi, (const unsigned char *)"etag:",
                                                    (const unsigned char *)res->etag, (int)strlen(res->etag), &p, end))
        return 1;
    if (res->cache_control && lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                                          (const unsigned char *)res->cache_control,
                                                          (int)strlen(res->cache_control), &p, end))
        return 1;
    for (unsigned i = 0; i < res->n_extra; i++)
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)res->extra[i].name,
                                        (const unsigned char *)res->extra[i].value, (int)strlen(res->extra[i].value),
                                        &p, end))
            return 1;
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    if (!deferred)
        return net_http_write_body_now(wsi, s);
    s->writing = true;
    lws_callback_on_writable(wsi);
    return 0;
}

/* The methods `path` takes, for a 405's Allow header. */
static const char *net_http_allow(const net_server *srv, const char *path)
{
    return net_http_find_route(srv, path, true) ? "GET, POST" : "GET";
}

/* Answers status (with a short text, or none) and hangs up without
 * reading the request's body, so that a body we never read cannot pass
 * for the next request. A 405 says which methods there are (allow).
 * Nonzero: the connection ends after it. */
static int net_http_refuse_unread(struct lws *wsi, int status, const char *text, const char *allow)
{
    uint8_t head[LWS_PRE + NET_HTTP_HEADERS_MAX];
    uint8_t *start = head + LWS_PRE, *p = start, *end = head + sizeof(head) - 1;
    size_t n = text ? strlen(text) : 0;

    if (lws_add_http_common_headers(wsi, (unsigned)status, "text/plain; charset=utf-8", (lws_filepos_t)n, &p, end) ||
        net_http_close_header(wsi, &p, end) ||
        (allow && lws_add_http_header_by_name(wsi, (const unsigned char *)"allow:", (const unsigned char *)allow,
                                              (int)strlen(allow), &p, end)) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    if (n) {
        uint8_t buf[LWS_PRE + 256];

        if (n > sizeof(buf) - LWS_PRE)
            n = sizeof(buf) - LWS_PRE;
        memcpy(buf + LWS_PRE, text, n);
        lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
    }
    return 1;
}

/* Runs a POST route on the whole body received and leaves its answer for
 * the next HTTP_WRITEABLE (as a deferred one), or waits for the route's
 * deferred answer. Nonzero closes the connection. */
static int net_http_post_run(struct lws *wsi, struct net_http_session *s)
{
    net_http_response res, *copy;
    net_http_request req;

    memset(&res, 0, sizeof(res));
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    req.path = s->post_path;
    req.wsi = wsi;
    req.post = true;
    req.body = s->in ? s->in : (const uint8_t *)"";
    req.body_len = s->in_len;
    s->post->fn(s->post->ud, &req, &res);
    free(s->in);
    s->in = NULL;
    s->in_len = s->in_want = 0;
    s->post = NULL;
    if (s->later) {
        free(res.body);
        lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, NET_HTTP_LATER_TIMEOUT_S);
        return 0;
    }
    copy = malloc(sizeof(*copy));
    if (!copy) {
        free(res.body);
        return 1;
    }
    *copy = res;
    s->ready = copy;
    lws_callback_on_writable(wsi);
    return 0;
}

/* A POST: only to a POST route, with a Content-Length within its bound
 * and a JSON body (a cross-site form cannot send that type without the
 * browser asking first, and nobody answers that question). The body is
 * then gathered in HTTP_BODY callbacks. Nonzero closes the connection. */
static int net_http_post_begin(net_server *srv, struct lws *wsi, struct net_http_session *s)
{
    char cl[32], type[128];
    const net_route *r;
    unsigned long long want;
    char *endp = NULL;

    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) >= (int)sizeof(s->post_path) ||
        lws_hdr_copy(wsi, s->post_path, sizeof(s->post_path), WSI_TOKEN_POST_URI) < 0)
        return net_http_refuse_unread(wsi, 414, "path too long\n", NULL);
    r = net_http_find_route(srv, s->post_path, true);
    if (!r)
        return net_http_refuse_unread(wsi, 405, "This address takes no POST.\n", "GET");
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 ||
        lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) >= (int)sizeof(cl) ||
        lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0)
        return net_http_refuse_unread(wsi, 411, "A Content-Length is required.\n", NULL);
    want = strtoull(cl, &endp, 10);
    if (endp == cl || *endp)
        return net_http_refuse_unread(wsi, 400, "Content-Length must be a number.\n", NULL);
    if (want > r->body_max)
        return net_http_refuse_unread(wsi, 413, "The body is too large.\n", NULL);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE) <= 0 ||
        lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE) >= (int)sizeof(type) ||
        lws_hdr_copy(wsi, type, sizeof(type), WSI_TOKEN_HTTP_CONTENT_TYPE) < 0 ||
        strncasecmp(type, "application/json", 16) != 0 || (type[16] && type[16] != ';'))
        return net_http_refuse_unread(wsi, 415, "The body must be application/json.\n", NULL);
    s->post = r;
    s->in_want = (size_t)want;
    s->in_len = 0;
    s->in = want ? malloc((size_t)want) : NULL;
    if (want && !s->in)
        return net_http_refuse_unread(wsi, 503, "Out of memory.\n", NULL);
    if (!want)
        return net_http_post_run(wsi, s);
    return 0;
}

/* Runs the route for this request and writes its response, or leaves the
 * connection waiting for a deferred answer (net_http_defer). Nonzero
 * closes the connection. */
static int net_http_serve(net_server *srv, struct lws *wsi, struct net_http_session *s)
{
    char path[NET_HTTP_PATH_MAX];
    net_http_response res;
    net_http_request req;
    const net_route *r;

    if (s->later || s->ready || s->writing)
        return 0; /* pipelined behind a response that ends the connection: never answered here */
    net_http_session_clear(s);
    memset(&res, 0, sizeof(res));
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";

    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
        return net_http_post_begin(srv, wsi, s);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0) {
        /* Another method: say so without a body and hang up, so that
         * a request body we never read cannot pass for the next
         * request. */
        {
            char other[NET_HTTP_PATH_MAX];
            const char *uri = other;

            /* The path of a PUT, DELETE, ...: lws keeps it under its own
         * token; without one, GET is all there is to say. */
            if (lws_hdr_copy(wsi, other, sizeof(other), WSI_TOKEN_PUT_URI) <= 0 &&
                lws_hdr_copy(wsi, other, sizeof(other), WSI_TOKEN_DELETE_URI) <= 0 &&
                lws_hdr_copy(wsi, other, sizeof(other), WSI_TOKEN_PATCH_URI) <= 0)
                uri = "";
            return net_http_refuse_unread(wsi, 405, NULL, net_http_allow(srv, uri));
        }
    } else if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) >= (int)sizeof(path) ||
               lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) < 0) {
        net_http_reply_text(&res, 414, "path too long\n");
    } else if (!(r = net_http_find_route(srv, path, false))) {
        net_http_reply_text(&res, 404, "not found\n");
    } else {
        memset(&req, 0, sizeof(req));
        req.path = path;
        req.wsi = wsi;
        r->fn(r->ud, &req, &res);
    }

    if (s->later) {
        /* Answered later: the connection waits, with the usual bound
         * on how long a client waits for a server. */
        free(res.body);
        lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, NET_HTTP_LATER_TIMEOUT_S);
        return 0;
    }
    return net_http_write_response(wsi, s, &res, false);
}

int net_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct net_http_session *s = user;
    /* Every wsi lws hands us belongs to our context. */
    net_server *srv = lws_context_user(lws_get_context(wsi));

    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* Refuse before lws takes the socket: reaching the fd limit
         * would make it spin on accept. */
        return srv->stopping || srv->n_sockets >= srv->max_sockets;

    case LWS_CALLBACK_WSI_CREATE: srv->n_sockets++; break;

    case LWS_CALLBACK_WSI_DESTROY:
        if (srv->n_sockets)
            srv->n_sockets--;
        break;

    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* An upgrade without the verrijk.v1 subprotocol lands on this
         * protocol: refuse it. */
        return 1;

    case LWS_CALLBACK_HTTP:
        if (!s)
            return 1;
        return net_http_serve(srv, wsi, s);

    case LWS_CALLBACK_ADD_HEADERS: {
        /* A static file from the "/" mount (net_server.c names this
         * protocol on it so that lws asks). */
        struct lws_process_html_args *args = in;
        unsigned char *p = (unsigned char *)args->p;

        if (net_http_close_header(wsi, &p, (unsigned char *)args->p + args->max_len))
            return 1;
        args->max_len -= (int)(p - (unsigned char *)args->p);
        args->p = (char *)p;
        break;
    }

    case LWS_CALLBACK_HTTP_BODY:
        if (!s || !s->post)
            return 1;
        if (len > s->in_want - s->in_len)
            return 1; /* more than its Content-Length */
        memcpy(s->in + s->in_len, in, len);
        s->in_len += len;
        return 0;

    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!s || !s->post || s->in_len != s->in_want)
            return 1;
        return net_http_post_run(wsi, s);

    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        /* The file's response said `Connection: close`. */
        return -1;

    case LWS_CALLBACK_HTTP_WRITEABLE:
        /* Static files are written by lws itself; only ours here. */
        if (s && s->ready) {
            /* A deferred answer has come. */
            net_http_response *res = s->ready;
            int rc;

            s->ready = NULL;
            lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
            rc = net_http_write_response(wsi, s, res, true);
            free(res);
            return rc;
        }
        if (s && s->writing)
            return net_http_write_body_piece(wsi, s);
        break;

    case LWS_CALLBACK_CLOSED_HTTP:
        if (s) {
            /* A deferred answer still to come finds nobody. */
            if (s->later)
                s->later->wsi = NULL;
            s->later = NULL;
            if (s->ready)
                free(s->ready->body);
            free(s->ready);
            s->ready = NULL;
            net_http_session_clear(s);
        }
        break;

    default: break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}
