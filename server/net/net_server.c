/* net_server.c - the libwebsockets context on our libuv loop: vhost, mounts, connection cap, lifecycle. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net_private.h"

/* MIME types the lws 4.1.6 table lacks or gets wrong for a Vite build. */
static const struct lws_protocol_vhost_options net_mime_wasm = {NULL, NULL, ".wasm", "application/wasm"};
static const struct lws_protocol_vhost_options net_mime_json = {&net_mime_wasm, NULL, ".json", "application/json"};
static const struct lws_protocol_vhost_options net_mime_manifest = {&net_mime_json, NULL, ".webmanifest",
                                                                    "application/manifest+json"};
static const struct lws_protocol_vhost_options net_mime_svg = {&net_mime_manifest, NULL, ".svg", "image/svg+xml"};
static const struct lws_protocol_vhost_options net_mime_mjs = {&net_mime_svg, NULL, ".mjs", "text/javascript"};

/* A policy that sets no validity timers (a hang-up time of 0 turns them
 * off in lws 4.1.6). */
static const lws_retry_bo_t net_no_idle_policy = {.secs_since_valid_hangup = 0};

static void net_healthz(void *ud, const net_http_request *req, net_http_response *res)
{
    net_http_reply_text(res, 200, "ok");
    res->cache_control = "no-store";
}

net_server *net_server_new(uv_loop_t *loop, const net_config *cfg)
{
    net_server *srv = calloc(1, sizeof(*srv));
    unsigned cap;

    if (!srv)
        return NULL;
    srv->loop = loop;
    srv->port = cfg->port;
    srv->host = strdup(cfg->host ? cfg->host : "0.0.0.0");
    srv->web_dir = strdup(cfg->web_dir ? cfg->web_dir : ".");
    if (!srv->host || !srv->web_dir)
        goto fail;
    /* Sockets of any kind are capped below the fd limit; WebSockets at
     * the configured number, which cannot exceed the sockets. */
    cap = cfg->fd_limit > 2 * NET_FD_RESERVE ? cfg->fd_limit - NET_FD_RESERVE : NET_FD_RESERVE;
    srv->max_sockets = cap;
    srv->max_conns = cfg->max_connections && cfg->max_connections < cap ? cfg->max_connections : cap;
    srv->ping_ms = cfg->ping_ms ? cfg->ping_ms : NET_IDLE_PING_MS;
    srv->join_timeout_ms = cfg->join_timeout_ms ? cfg->join_timeout_ms : NET_JOIN_TIMEOUT_MS;
    srv->max_per_addr = cfg->max_conns_per_addr ? cfg->max_conns_per_addr : NET_CONNS_PER_ADDR;
    srv->hangup_ms = NET_IDLE_HANGUP_MS(srv->ping_ms);
    srv->handler = net_ws_default_handler;
    if (cfg->trusted_proxies)
        srv->proxies = *cfg->trusted_proxies;
    for (unsigned i = 0; i < cfg->n_origins; i++) {
        size_t n = strlen(cfg->origins[i]);

        if (i >= NET_ORIGINS_MAX || n >= NET_ORIGIN_MAX)
            goto fail;
        memcpy(srv->origins[i], cfg->origins[i], n + 1);
        srv->n_origins++;
    }
    srv->fails =
        limits_new(LIMITS_ADDRS_MAX, cfg->max_failures ? cfg->max_failures : LIMITS_FAILS_MAX, LIMITS_WINDOW_MS);
    srv->creates =
        limits_new(LIMITS_ADDRS_MAX, cfg->max_creates_per_hour ? cfg->max_creates_per_hour : LIMITS_CREATES_PER_HOUR,
                   LIMITS_HOUR_MS);
    srv->joins = limits_new(LIMITS_JOIN_KEYS, LIMITS_JOINS_PER_ROOM, LIMITS_JOINS_WINDOW_MS);
    /* Every open WebSocket's address fits: at most max_conns of them. */
    srv->per_addr = limits_counts_new(srv->max_conns);
    srv->reads =
        limits_new(LIMITS_ADDRS_MAX, cfg->max_reads_per_minute ? cfg->max_reads_per_minute : NET_HTTP_READS_MAX,
                   NET_HTTP_READS_WINDOW_MS);
    if (!srv->fails || !srv->creates || !srv->joins || !srv->per_addr || !srv->reads)
        goto fail;
    if (net_server_route(srv, "/healthz", false, net_healthz, NULL))
        goto fail;
    return srv;
fail:
    limits_free(srv->fails);
    limits_free(srv->creates);
    limits_free(srv->joins);
    limits_counts_free(srv->per_addr);
    limits_free(srv->reads);
    free(srv->host);
    free(srv->web_dir);
    free(srv);
    return NULL;
}

void net_server_set_handler(net_server *srv, const net_handler *h)
{
    srv->handler = *h;
}

int net_server_route(net_server *srv, const char *path, bool prefix, net_http_fn fn, void *ud)
{
    net_route *r;

    if (srv->started || srv->n_routes >= NET_HTTP_ROUTES_MAX || path[0] != '/')
        return -1;
    r = &srv->routes[srv->n_routes++];
    r->path = path;
    r->path_len = strlen(path);
    r->prefix = prefix;
    r->fn = fn;
    r->ud = ud;
    return 0;
}

int net_server_route_post(net_server *srv, const char *path, size_t body_max, net_http_fn fn, void *ud)
{
    if (body_max == 0 || net_server_route(srv, path, false, fn, ud))
        return -1;
    srv->routes[srv->n_routes - 1].body_max = body_max;
    return 0;
}

/* One callback mount per distinct first path segment of the routes, so
 * lws hands those requests to net_http.c; then the static files on "/". */
static int net_server_build_mounts(net_server *srv)
{
    struct lws_http_mount *prev = NULL, *m;
    unsigned i, j;

    for (i = 0; i < srv->n_routes; i++) {
        const char *path = srv->routes[i].path;
        size_t n = strcspn(path + 1, "/") + 1;
        bool seen = false;

        for (j = 0; j < srv->n_mounts; j++)
            if (strlen(srv->mount_points[j]) == n && !memcmp(srv->mount_points[j], path, n))
                seen = true;
        if (seen)
            continue;
        srv->mount_points[srv->n_mounts] = strndup(path, n);
        if (!srv->mount_points[srv->n_mounts])
            return -1;
        m = &srv->mounts[srv->n_mounts];
        m->mountpoint = srv->mount_points[srv->n_mounts];
        m->mountpoint_len = (unsigned char)n;
        m->origin = "http";
        m->origin_protocol = LWSMPRO_CALLBACK;
        if (prev)
            prev->mount_next = m;
        prev = m;
        srv->n_mounts++;
    }
    m = &srv->mounts[srv->n_mounts];
    m->mountpoint = "/";
    m->mountpoint_len = 1;
    m->origin = srv->web_dir;
    m->origin_protocol = LWSMPRO_FILE;
    m->def = "index.html";
    m->extra_mimetypes = &net_mime_mjs;
    /* So that lws asks net_http.c for extra headers on each file. */
    m->protocol = "http";
    if (prev)
        prev->mount_next = m;
    return 0;
}

/* Binds host:port once and lets go, so that a port in use or a bad
 * address is reported before lws exists: lws 4.1.6 returns a context
 * without a vhost then, and destroying that context on a foreign loop
 * crashes. Returns 0, or -1 after saying why on stderr. */
static int net_probe_listen(const char *host, int port)
{
    struct addrinfo hints, *ai = NULL, *p;
    char service[16];
    int err = 0, rc, one = 1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(host, service, &hints, &ai);
    if (rc) {
        fprintf(stderr, "verrijk: cannot listen on %s:%d: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    for (p = ai; p; p = p->ai_next) {
        int fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);

        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        rc = bind(fd, p->ai_addr, p->ai_addrlen);
        err = rc ? errno : 0;
        close(fd);
        if (!rc)
            break;
    }
    freeaddrinfo(ai);
    if (err) {
        fprintf(stderr, "verrijk: cannot listen on %s:%d: %s\n", host, port,
                err == EADDRINUSE ? "the port is in use" : strerror(err));
        return -1;
    }
    return 0;
}

/* Sweeps at most a sixth of the ping time apart, so pings go out
 * between ping_ms and 7/6 of it. */
static uint64_t net_idle_sweep_ms(const net_server *srv)
{
    uint64_t ms = srv->ping_ms / 6 < NET_IDLE_SWEEP_MS ? srv->ping_ms / 6 : NET_IDLE_SWEEP_MS;

    /* And a quarter of the join timeout, so a socket without a member
     * goes between that timeout and 5/4 of it. */
    return srv->join_timeout_ms / 4 < ms ? srv->join_timeout_ms / 4 : ms;
}

int net_server_start(net_server *srv)
{
    struct lws_context_creation_info info;
    void *loops[1];

    if (net_server_build_mounts(srv)) {
        fprintf(stderr, "verrijk: out of memory\n");
        return -1;
    }
    srv->protocols[0] = (struct lws_protocols){
        .name = "http",
        .callback = net_http_callback,
        .per_session_data_size = sizeof(struct net_http_session),
    };
    srv->protocols[1] = (struct lws_protocols){
        .name = NET_WS_PROTOCOL,
        .callback = net_ws_callback,
        .per_session_data_size = sizeof(struct net_conn),
        .rx_buffer_size = NET_WS_RX_CHUNK,
        /* lws would otherwise cut every write at rx_buffer_size and keep
         * the rest in a buffer of its own; this is a bound, not an
         * allocation. */
        .tx_packet_size = NET_SEND_QUEUE_MAX + 16,
    };
    /* protocols[2] stays zeroed: the list's terminator. */

    memset(&info, 0, sizeof(info));
    loops[0] = srv->loop;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE;
    info.foreign_loops = loops;
    info.pcontext = &srv->ctx;
    info.user = srv;
    info.port = srv->port;
    /* lws binds every address (IPv4 and IPv6) when iface is NULL. */
    info.iface = strcmp(srv->host, "0.0.0.0") ? srv->host : NULL;
    info.vhost_name = "default";
    info.protocols = srv->protocols;
    info.mounts = &srv->mounts[0];
    /* Idle WebSockets are pinged by our own sweep (NET_IDLE_PING_MS says
     * why). Without a policy of its own the vhost would take lws' default
     * one (ping after 300 s) and with it a timer per connection. */
    info.retry_and_idle_policy = &net_no_idle_policy;
    /* Stated rather than left to lws' defaults (4096 each in 4.1.6), so
     * that the bounds are ours and named; the test sends 20 KiB. */
    info.max_http_header_data = NET_HTTP_REQUEST_HEADERS_MAX;
    info.pt_serv_buf_size = NET_HTTP_SERV_BUF;
    /* fd_limit_per_thread stays 0: lws then sizes its table from the
     * process limit and finds connections directly, not by a scan. */

    srv->started = true;
    if (net_probe_listen(srv->host, srv->port))
        return -1;
    srv->ctx = lws_create_context(&info);
    if (!srv->ctx) {
        fprintf(stderr, "verrijk: could not start the network layer (libwebsockets)\n");
        return -1;
    }
    /* A port taken since the probe still yields a context, but no
     * vhost; destroying that context crashes lws 4.1.6 (see above), so
     * it is left to the exit. */
    if (!lws_get_vhost_by_name(srv->ctx, "default")) {
        fprintf(stderr, "verrijk: cannot listen on %s:%d (the port was taken while starting)\n", srv->host, srv->port);
        srv->ctx_abandoned = true;
        return -1;
    }
    uv_prepare_init(srv->loop, &srv->flush);
    srv->flush.data = srv;
    uv_prepare_start(&srv->flush, net_ws_flush);
    srv->flush_on = true;
    uv_timer_init(srv->loop, &srv->idle);
    srv->idle.data = srv;
    uv_timer_start(&srv->idle, net_ws_idle_sweep, net_idle_sweep_ms(srv), net_idle_sweep_ms(srv));
    srv->idle_on = true;
    net_trim_init(srv);
    return 0;
}

/* From now on queued connections are written from lws' writeable
 * callback (the close frames of a shutdown need it anyway). */
static void net_server_flush_off(net_server *srv)
{
    if (!srv->flush_on)
        return;
    net_ws_flush(&srv->flush);
    srv->flush_on = false;
    uv_close((uv_handle_t *)&srv->flush, NULL);
    if (srv->idle_on) {
        srv->idle_on = false;
        uv_close((uv_handle_t *)&srv->idle, NULL);
    }
    net_trim_stop(srv);
}

static void net_server_shutdown_tick(uv_timer_t *t)
{
    net_server *srv = t->data;

    if (srv->n_conns && uv_now(srv->loop) - srv->shutdown_started < NET_SHUTDOWN_GRACE_MS)
        return;
    uv_timer_stop(t);
    uv_close((uv_handle_t *)t, NULL);
    net_server_flush_off(srv);
    /* The first destroy runs while the loop runs, so lws can close its
     * own handles; net_server_free finishes it. */
    if (srv->ctx) {
        lws_context_destroy(srv->ctx);
        srv->destroyed_once = true;
    }
    if (srv->shutdown_done)
        srv->shutdown_done(srv->shutdown_ud);
}

static void net_close_going_away(void *ud, net_conn *c)
{
    net_conn_close(c, NET_CLOSE_GOING_AWAY, "server shutting down");
}

void net_server_shutdown(net_server *srv, void (*done)(void *ud), void *ud)
{
    if (srv->stopping)
        return;
    srv->stopping = true;
    srv->shutdown_done = done;
    srv->shutdown_ud = ud;
    net_server_each_conn(srv, net_close_going_away, NULL);
    srv->shutdown_started = uv_now(srv->loop);
    uv_timer_init(srv->loop, &srv->shutdown_timer);
    srv->shutdown_timer.data = srv;
    uv_timer_start(&srv->shutdown_timer, net_server_shutdown_tick, NET_SHUTDOWN_POLL_MS, NET_SHUTDOWN_POLL_MS);
}

void net_server_free(net_server *srv)
{
    unsigned i;

    if (!srv || srv->ctx_abandoned)
        return;
    if (srv->ctx && !srv->destroyed_once) {
        /* Never shut down (a failed start): the first destroy must
         * still happen while the loop runs. */
        srv->stopping = true;
        srv->shutdown_started = uv_now(srv->loop) - NET_SHUTDOWN_GRACE_MS;
        uv_timer_init(srv->loop, &srv->shutdown_timer);
        srv->shutdown_timer.data = srv;
        uv_timer_start(&srv->shutdown_timer, net_server_shutdown_tick, 0, 0);
        uv_run(srv->loop, UV_RUN_DEFAULT);
    }
    if (srv->ctx) {
        lws_context_destroy(srv->ctx);
        uv_run(srv->loop, UV_RUN_DEFAULT);
    }
    for (i = 0; i < srv->n_mounts; i++)
        free(srv->mount_points[i]);
    limits_free(srv->fails);
    limits_free(srv->creates);
    limits_free(srv->joins);
    limits_counts_free(srv->per_addr);
    limits_free(srv->reads);
    net_pool_drain();
    msgpack_sbuffer_destroy(&srv->scratch);
    free(srv->host);
    free(srv->web_dir);
    free(srv);
}

void net_server_each_conn(net_server *srv, void (*fn)(void *ud, net_conn *c), void *ud)
{
    net_conn *c, *next;

    for (c = srv->conns; c; c = next) {
        next = c->next;
        fn(ud, c);
    }
}

uint64_t net_now_ms(const net_server *srv)
{
    return uv_now(srv->loop);
}

unsigned net_server_conn_count(const net_server *srv)
{
    return srv->n_conns;
}

const net_counters *net_server_counters(const net_server *srv)
{
    return &srv->counters;
}
