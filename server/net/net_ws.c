/* net_ws.c - the verrijk.v1 WebSocket protocol: upgrade checks, the callbacks, admission (rate and per-address budgets), message reassembly, closing, the idle sweep; the send queue is net_ws_send.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "net/net_private.h"

/* Query arguments of an upgrade looked at, at most. */
#define NET_WS_ARGS_MAX 16

/* True when the query holds exactly one `room` argument. A proxy in front
 * (deploy/) routes by the first one it sees; a second one could send the
 * request to a server that does not hold the room. */
static bool net_ws_one_room_arg(struct lws *wsi)
{
    char frag[32];
    int n, rooms = 0;

    for (int i = 0; i < NET_WS_ARGS_MAX; i++) {
        n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0) {
            /* Absent (the end), or longer than any argument this
             * endpoint takes: refused. */
            if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i) <= 0)
                break;
            return false;
        }
        if (strncmp(frag, "room=", 5) == 0 || strcmp(frag, "room") == 0)
            rooms++;
    }
    return rooms == 1;
}

/* True when the upgrade's Origin is allowed: no --origin list, no Origin
 * header (not a browser), or a header equal to one of the list (case
 * insensitive; scheme, host and port). */
static bool net_ws_origin_ok(const net_server *srv, struct lws *wsi)
{
    char origin[NET_ORIGIN_MAX];
    int n;

    if (!srv->n_origins || lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) <= 0)
        return true;
    n = lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
    if (n <= 0)
        return false;
    for (unsigned i = 0; i < srv->n_origins; i++)
        if (strcasecmp(origin, srv->origins[i]) == 0)
            return true;
    return false;
}

/* Decides whether an upgrade that asked for verrijk.v1 may proceed: the
 * path must be /ws, the query must carry one valid room code (kept in the
 * connection), and the Origin must be allowed. The code is read as lws
 * decoded it: lws 4.1.6 decodes percent escapes while it parses and keeps
 * no raw copy, so `room=%41BCDEF` arrives as ABCDEF; the proxy in front
 * (deploy/) refuses such escapes before hashing. An escaped `%` itself
 * (%25) or any other character outside the alphabet is refused here.
 * Nonzero refuses (lws answers 403 and drops the socket). */
static int net_ws_filter(struct lws *wsi, net_conn *c)
{
    char uri[sizeof(NET_WS_PATH) + 1];
    char arg[32];
    const char *room;
    net_server *srv = lws_context_user(lws_get_context(wsi));

    if (srv->stopping)
        return 1;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) != (int)strlen(NET_WS_PATH) ||
        lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 || strcmp(uri, NET_WS_PATH) != 0)
        return 1;
    room = lws_get_urlarg_by_name(wsi, "room=", arg, sizeof(arg));
    if (!room || !vp_room_code_valid(room, strlen(room)) || !net_ws_one_room_arg(wsi))
        return 1;
    if (!net_ws_origin_ok(srv, wsi)) {
        lwsl_notice("net: upgrade refused: its Origin is not in --origin\n");
        return 1;
    }
    memcpy(c->room, room, VP_ROOM_LEN + 1);
    /* Headers are gone after the upgrade: the address is taken now. */
    net_client_addr(srv, wsi, &c->addr);
    return 0;
}

static void net_conn_link(net_server *srv, net_conn *c)
{
    c->prev = NULL;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->n_conns++;
}

static void net_conn_unlink(net_server *srv, net_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    srv->n_conns--;
}

static void net_conn_drop_rx(net_conn *c)
{
    free(c->rx);
    c->rx = NULL;
    c->rx_len = 0;
}

/* Reads and drops what the client sent that nobody read yet, right before
 * its close frame goes out: lws closes the socket soon after that frame,
 * and a socket closed with unread bytes is reset, which makes the client
 * drop the close frame unread (it sees 1006, not why it was closed). A
 * flood closed with 1008 left such bytes behind, more of them the smaller
 * lws' reads (NET_WS_RX_CHUNK). Bounded: a client that keeps sending
 * faster than this reads gets the reset. */
#define NET_DISCARD_MAX (64 * 1024)

static void net_conn_discard_input(struct lws *wsi)
{
    uint8_t buf[4096];
    int fd = (int)lws_get_socket_fd(wsi);
    size_t total = 0;
    ssize_t n;

    if (fd < 0)
        return;
    while (total < NET_DISCARD_MAX && (n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        total += (size_t)n;
}

void net_conn_close(net_conn *c, uint16_t code, const char *reason)
{
    size_t n = 0;

    if (c->close_code)
        return;
    c->close_code = code;
    if (reason) {
        n = strlen(reason);
        if (n > NET_CLOSE_REASON_MAX)
            n = NET_CLOSE_REASON_MAX;
        /* Out of memory, the close goes out without its reason. */
        c->close_reason = n ? malloc(n) : NULL;
        if (c->close_reason)
            memcpy(c->close_reason, reason, n);
        else
            n = 0;
    }
    c->close_reason_len = (uint8_t)n;
    /* c->rx stays: the handler that called us may be reading it. */
    /* SERVER_WRITEABLE sends what is queued and then arms the close;
     * asking for it works from inside and outside callbacks alike. A
     * peer that never reads would never make us writeable: the timeout
     * ends such a connection without ceremony. (Set from outside a
     * callback, lws notices it at its next event on any connection; a
     * peer silent for good is hung up by the idle sweep.
     * lws_cancel_service would wake it at once, but in
     * 4.1.6 it calls every connection back: quadratic at shutdown.) */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, NET_CLOSE_GRACE_S);
    lws_callback_on_writable(c->wsi);
}

const char *net_conn_room(const net_conn *c)
{
    return c->room;
}
void net_conn_set_user(net_conn *c, void *user)
{
    /* The join timeout starts again when a connection stops being a
     * member (it left, was kicked, or its room went). */
    if (c->user && !user)
        c->unbound_since = uv_now(c->srv->loop);
    c->user = user;
}
void *net_conn_get_user(const net_conn *c)
{
    return c->user;
}

/* Takes one token from c's bucket for a complete message. Returns true
 * when the message may be handled; false when it is over the rate (it is
 * then answered rate_limited, or, after NET_RATE_STRIKES_MAX of those
 * since the bucket was last full, the connection is closed with
 * NET_CLOSE_POLICY). Strikes are forgiven only once the client has been
 * quiet long enough to refill the whole burst: a sustained flood that
 * earns a token now and then must not reset them. */
static bool net_conn_admit(net_conn *c, bool has_id, uint64_t id)
{
    uint64_t now = uv_now(c->srv->loop);
    uint64_t refill = (now - c->rate_at) * NET_RATE_PER_S; /* milli-tokens */

    c->rate_at = now;
    if (refill >= NET_RATE_BURST * 1000u - c->rate_milli) {
        c->rate_milli = NET_RATE_BURST * 1000u;
        c->rate_strikes = 0;
    } else {
        c->rate_milli += (uint32_t)refill;
    }
    if (c->rate_milli >= 1000u) {
        c->rate_milli -= 1000u;
        return true;
    }
    if (++c->rate_strikes >= NET_RATE_STRIKES_MAX) {
        net_conn_close(c, NET_CLOSE_POLICY, "too many messages");
        return false;
    }
    net_conn_send_error(c, has_id, id, VP_RATE_LIMITED, "too many messages: slow down and send this again");
    return false;
}

/* Answers rate_limited when c's address has failed too often of late to
 * try a room code or token again (SPEC.md section 8), and returns
 * true; the attempt is not decided, so it cannot tell anything. */
static bool net_conn_refused_addr(net_conn *c, const vp_intent *in)
{
    uint64_t ms = limits_blocked(c->srv->fails, &c->addr, uv_now(c->srv->loop));
    char msg[96];

    if (!ms)
        return false;
    snprintf(msg, sizeof(msg), "too many failed attempts from your address: try again in %llu s",
             (unsigned long long)((ms + 999) / 1000));
    net_conn_send_error(c, in->has_id, in->id, VP_RATE_LIMITED, msg);
    return true;
}

/* Spends one of key's budget in table (new rooms per address, joins
 * per address and room), or answers rate_limited ("too many `what`")
 * and returns true when it is spent. Every intent asked for counts: one
 * that fails made nothing, but a budget that counted only successes
 * could be raced past by intents sent before the first is decided. */
static bool net_conn_overspent(net_conn *c, limits *table, const limits_addr *key, const vp_intent *in,
                               const char *what)
{
    uint64_t now = uv_now(c->srv->loop);
    uint64_t ms = limits_blocked(table, key, now);
    char msg[112];

    if (!ms) {
        limits_fail(table, key, now);
        return false;
    }
    snprintf(msg, sizeof(msg), "too many %s from your address: try again in %llu s", what,
             (unsigned long long)((ms + 999) / 1000));
    net_conn_send_error(c, in->has_id, in->id, VP_RATE_LIMITED, msg);
    return true;
}

/* One complete client message: decode, apply the rate limit, answer
 * ping and errors here, hand everything else to the layer above. */
static void net_conn_on_message(net_conn *c, const uint8_t *buf, size_t len)
{
    vp_intent in;
    const char *why = NULL;
    vp_code rc;

    memset(&in, 0, sizeof(in));
    rc = vp_decode(buf, len, &in, &why);
    if (!net_conn_admit(c, in.has_id, in.id))
        return;
    if (rc != VP_OK) {
        net_conn_send_error(c, in.has_id, in.id, rc, why ? why : vp_code_name(rc));
        return;
    }
    if (in.t == VP_T_PING) {
        net_conn_send_pong(c, in.has_id, in.id);
        return;
    }
    if (!c->user && net_conn_refused_addr(c, &in))
        return;
    if (in.t == VP_T_CREATE && net_conn_overspent(c, c->srv->creates, &c->addr, &in, "new rooms"))
        return;
    if (in.t == VP_T_JOIN) {
        limits_addr key;

        limits_addr_in_room(&c->addr, c->room, &key);
        if (net_conn_overspent(c, c->srv->joins, &key, &in, "joins to this room"))
            return;
    }
    if (!c->user && in.t != VP_T_CREATE && in.t != VP_T_JOIN && in.t != VP_T_RESUME) {
        /* Only members may send anything else. Answered here, alike
         * whether the room exists or not, and counted as a guess: the
         * rooms layer would tell a room in memory (not_allowed) from
         * one that is not (no_room), and read its log to find out. */
        limits_fail(c->srv->fails, &c->addr, uv_now(c->srv->loop));
        net_conn_send_error(c, in.has_id, in.id, VP_NOT_ALLOWED, "join or resume this room first");
        return;
    }
    if (c->srv->handler.on_intent)
        c->srv->handler.on_intent(c->srv->handler.ud, c, &in, buf, len);
}

/* One piece of a message as lws delivers it: a whole frame, part of a
 * frame (at most NET_WS_RX_CHUNK bytes) or a fragment. Messages are
 * reassembled here up to VP_MAX_MESSAGE; a larger one is answered
 * too_large once its last piece arrives and its bytes are discarded, a
 * text message bad_request; the connection stays usable either way. */
static void net_conn_on_piece(net_conn *c, const uint8_t *in, size_t len)
{
    bool first = !c->in_msg;
    bool last = lws_is_final_fragment(c->wsi) != 0;

    if (first) {
        c->skip = lws_frame_is_binary(c->wsi) ? NET_RX_TAKE : NET_RX_SKIP_TEXT;
        c->rx_len = 0;
    }
    if (c->skip == NET_RX_TAKE && len > VP_MAX_MESSAGE - c->rx_len) {
        c->skip = NET_RX_SKIP_TOO_LARGE;
        net_conn_drop_rx(c);
    }
    if (c->skip == NET_RX_TAKE) {
        if (first && last) {
            /* The common case: decode in place, no copy. */
            net_conn_on_message(c, in, len);
            c->in_msg = false;
            return;
        }
        if (!c->rx) {
            c->rx = malloc(VP_MAX_MESSAGE);
            if (!c->rx) {
                net_conn_close(c, NET_CLOSE_POLICY, "out of memory");
                return;
            }
        }
        memcpy(c->rx + c->rx_len, in, len);
        c->rx_len += (uint32_t)len;
    }
    c->in_msg = !last;
    if (!last)
        return;
    if (c->skip != NET_RX_TAKE && !net_conn_admit(c, false, 0)) {
        net_conn_drop_rx(c);
        return;
    }
    switch (c->skip) {
    case NET_RX_SKIP_TEXT:
        net_conn_send_error(c, false, 0, VP_BAD_REQUEST,
                            "text frames are not accepted: send one binary MessagePack map");
        break;
    case NET_RX_SKIP_TOO_LARGE:
        net_conn_send_error(c, false, 0, VP_TOO_LARGE, "a message may hold at most 16384 bytes");
        break;
    default: net_conn_on_message(c, c->rx, c->rx_len); break;
    }
    net_conn_drop_rx(c);
}

/* Drops c without a close frame: from its next writeable callback, the
 * one place lws closes a connection at once whoever asks (a timeout set
 * from outside a callback may wait for lws' next event). */
void net_conn_hang_up(net_conn *c, uint16_t code)
{
    c->close_code = code;
    c->hang_up = true;
    lws_callback_on_writable(c->wsi);
}

void net_ws_idle_sweep(uv_timer_t *t)
{
    net_server *srv = t->data;
    uint64_t now = uv_now(srv->loop);

    for (net_conn *c = srv->conns; c; c = c->next) {
        uint64_t silent = now - c->rx_at;

        if (c->hang_up)
            continue;
        /* A closing connection too: lws' own close timeout, set from
         * outside its callbacks, may wait for an event that never
         * comes. */
        if (!c->user && now - c->unbound_since >= srv->join_timeout_ms) {
            /* A socket that is no member only holds a place (SPEC.md
             * section 2.3 has the web client reconnect by itself). One
             * that does not take its close frame is hung up once the
             * close had its time. */
            if (!c->close_code) {
                net_conn_close(c, NET_CLOSE_POLICY, "join or resume a room sooner");
                continue;
            }
            if (now - c->unbound_since >= srv->join_timeout_ms + NET_CLOSE_GRACE_S * 1000u) {
                net_conn_hang_up(c, c->close_code);
                continue;
            }
        }
        if (silent >= srv->hangup_ms) {
            /* No close frame: a peer this silent does not read. */
            lwsl_notice("net: connection %llu silent for %llu s despite a ping; hung up\n", (unsigned long long)c->id,
                        (unsigned long long)(silent / 1000));
            net_conn_hang_up(c, NET_CLOSE_GOING_AWAY);
        } else if (!c->close_code && silent >= srv->ping_ms && !c->pinged) {
            /* Once per silence. */
            c->pinged = true;
            c->ping_due = true;
            net_conn_mark(c);
        }
    }
}

/* Fixes the socket's kernel send buffer at NET_SOCKET_SNDBUF. */
static void net_conn_fix_sndbuf(struct lws *wsi)
{
    int sndbuf = NET_SOCKET_SNDBUF;
    lws_sockfd_type fd = lws_get_socket_fd(wsi);

    if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)))
        lwsl_warn("net: SO_SNDBUF: the kernel keeps its own size\n");
}

int net_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    net_conn *c = user;
    net_server *srv = lws_context_user(lws_get_context(wsi));

    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: return net_ws_filter(wsi, c);

    case LWS_CALLBACK_ESTABLISHED:
        c->srv = srv;
        c->wsi = wsi;
        c->id = ++srv->next_conn_id;
        c->open = true;
        c->rate_at = uv_now(srv->loop);
        c->rx_at = c->rate_at;
        c->rate_milli = NET_RATE_BURST * 1000u;
        if (srv->n_conns >= srv->max_conns) {
            /* Full: say so in the protocol's words, then close. The
             * layer above never sees this connection. */
            c->refused = true;
            net_conn_send_error(c, false, 0, VP_SERVER_BUSY, "the server is full; try again later");
            net_conn_close(c, NET_CLOSE_TRY_LATER, "server full");
            return 0;
        }
        if (limits_counts_add(srv->per_addr, &c->addr, srv->max_per_addr)) {
            /* One address holds its share: the others still get in. */
            c->refused = true;
            net_conn_send_error(c, false, 0, VP_RATE_LIMITED,
                                "too many open connections from your address; close some and try again");
            net_conn_close(c, NET_CLOSE_TRY_LATER, "too many connections from your address");
            return 0;
        }
        c->counted = true;
        c->unbound_since = c->rate_at;
        net_conn_link(srv, c);
        net_trim_poke(srv);
        net_conn_fix_sndbuf(wsi);
        if (srv->handler.on_open)
            srv->handler.on_open(srv->handler.ud, c);
        return 0;

    case LWS_CALLBACK_RECEIVE:
        if (c->open) {
            c->rx_at = uv_now(srv->loop);
            c->pinged = false;
        }
        if (c->open && !c->close_code)
            net_conn_on_piece(c, in, len);
        return 0;

    case LWS_CALLBACK_RECEIVE_PONG:
        if (c->open) {
            c->rx_at = uv_now(srv->loop);
            c->pinged = false;
        }
        return 0;

    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!c->open)
            return 0;
        if (c->hang_up)
            return -1;
        return net_conn_on_writeable(c);

    case LWS_CALLBACK_TIMER:
        if (!c->open || !c->close_code)
            return 0;
        net_conn_discard_input(wsi);
        /* Returning nonzero here makes lws send this close frame. */
        lws_close_reason(wsi, (enum lws_close_status)c->close_code, (unsigned char *)c->close_reason,
                         c->close_reason_len);
        return -1;

    case LWS_CALLBACK_CLOSED:
        if (!c->open)
            return 0;
        c->open = false;
        net_dirty_remove(c);
        net_conn_drop_rx(c);
        net_conn_drop_tx(c);
        free(c->close_reason);
        c->close_reason = NULL;
        if (c->refused)
            return 0;
        if (c->counted)
            limits_counts_sub(srv->per_addr, &c->addr);
        c->counted = false;
        net_conn_unlink(srv, c);
        net_trim_poke(srv);
        if (srv->handler.on_close)
            srv->handler.on_close(srv->handler.ud, c);
        return 0;

    default: return 0;
    }
}

static void net_default_on_intent(void *ud, net_conn *c, const vp_intent *in, const uint8_t *frame, size_t len)
{
    net_conn_send_error(c, in->has_id, in->id, VP_SERVER_BUSY, "rooms are not available yet");
}

const net_handler net_ws_default_handler = {
    .ud = NULL,
    .on_open = NULL,
    .on_intent = net_default_on_intent,
    .on_close = NULL,
};
