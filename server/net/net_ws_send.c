/* net_ws_send.c - a WebSocket connection's send queue: queueing (a shared message by reference, or bytes of its own), the bound that cuts a slow reader, and writing it out as one frame per loop turn. */
#include <stdlib.h>
#include <string.h>

#include "net/net_private.h"

void net_dirty_remove(net_conn *c)
{
    net_server *srv = c->srv;

    if (!c->dirty)
        return;
    if (c->dirty_prev)
        c->dirty_prev->dirty_next = c->dirty_next;
    else
        srv->dirty = c->dirty_next;
    if (c->dirty_next)
        c->dirty_next->dirty_prev = c->dirty_prev;
    c->dirty_prev = c->dirty_next = NULL;
    c->dirty = false;
}

/* c has something queued: it is written before the loop next waits, or,
 * while the flush handle is off (startup, shutdown), when lws finds the
 * socket writeable. */
void net_conn_mark(net_conn *c)
{
    net_server *srv = c->srv;

    if (!srv->flush_on) {
        lws_callback_on_writable(c->wsi);
        return;
    }
    if (c->dirty)
        return;
    c->dirty = true;
    c->dirty_prev = NULL;
    c->dirty_next = srv->dirty;
    if (srv->dirty)
        srv->dirty->dirty_prev = c;
    srv->dirty = c;
}

void net_conn_drop_tx(net_conn *c)
{
    net_buf_unref(c->tx_buf);
    c->tx_buf = NULL;
    net_block_put(c->tx, c->tx_cap);
    c->tx = NULL;
    c->tx_len = c->tx_cap = 0;
    c->tx_big = 0;
}

/* Makes room for `more` bytes after what is queued (a shared message
 * queued alone is copied in first). Returns 0, or -1 out of memory. */
static int net_conn_reserve(net_conn *c, size_t more)
{
    size_t held = c->tx_buf ? net_buf_len(c->tx_buf) : c->tx_len;
    size_t need = LWS_PRE + held + more;

    /* The lengths are kept in 32 bits (struct net_conn). */
    if (need > UINT32_MAX / 2)
        return -1;
    if (need > c->tx_cap) {
        size_t cap = c->tx_cap ? c->tx_cap : NET_BLOCK_SIZE;
        uint8_t *grown;

        while (cap < need)
            cap *= 2;
        if (!c->tx && cap == NET_BLOCK_SIZE) {
            grown = net_block_get();
        } else if (c->tx && c->tx_cap == NET_BLOCK_SIZE) {
            /* A pool block is not grown in place: it goes back. */
            grown = malloc(cap);
            if (grown) {
                memcpy(grown, c->tx, LWS_PRE + c->tx_len);
                net_block_put(c->tx, c->tx_cap);
            }
        } else {
            grown = realloc(c->tx, cap);
        }
        if (!grown)
            return -1;
        c->tx = grown;
        c->tx_cap = (uint32_t)cap;
    }
    if (c->tx_buf) {
        memcpy(c->tx + LWS_PRE, net_buf_payload(c->tx_buf), held);
        c->tx_len = (uint32_t)held;
        net_buf_unref(c->tx_buf);
        c->tx_buf = NULL;
    }
    return 0;
}

/* True (and c is being closed) when a message of `len` more bytes would
 * make c's backlog pass the bound (net_backlog_over). */
static bool net_conn_overflows(net_conn *c, size_t len)
{
    size_t held = c->tx_buf ? net_buf_len(c->tx_buf) : c->tx_len;

    if (!net_backlog_over(held, c->tx_big, len))
        return false;
    /* A reader this far behind would only grow our memory. */
    net_conn_drop_tx(c);
    c->srv->counters.send_queue_drops++;
    lwsl_warn("net: connection %llu closed as a slow reader\n", (unsigned long long)c->id);
    net_conn_close(c, NET_CLOSE_POLICY, "slow reader");
    return true;
}

/* Starts the close handshake; called only from SERVER_WRITEABLE, after
 * the last queued bytes went out. lws 4.1.6 sends no close frame when a
 * SERVER_WRITEABLE callback sets a close reason and returns -1 (the
 * client sees 1006), so the close is started from LWS_CALLBACK_TIMER
 * instead, which takes the path that writes the frame. The timer is set
 * inside a callback on purpose: lws arms its libuv timer for new timers
 * only after servicing an event, so one set from outside (a signal
 * handler, another room's timer) could wait indefinitely. */
static void net_conn_arm_close(net_conn *c)
{
    lws_set_timer_usecs(c->wsi, 1);
}

int net_conn_send(net_conn *c, const uint8_t *bytes, size_t len)
{
    if (c->close_code || net_conn_overflows(c, len))
        return -1;
    if (net_conn_reserve(c, len))
        return -1;
    memcpy(c->tx + LWS_PRE + c->tx_len, bytes, len);
    c->tx_len += (uint32_t)len;
    if (len > c->tx_big)
        c->tx_big = (uint32_t)len;
    net_conn_mark(c);
    return 0;
}

int net_conn_send_buf(net_conn *c, net_buf *b)
{
    if (c->close_code || net_conn_overflows(c, net_buf_len(b)))
        return -1;
    if (!c->tx_buf && c->tx_len == 0) {
        /* The common case: nothing else queued, no copy. */
        c->tx_buf = net_buf_ref(b);
        c->tx_big = (uint32_t)net_buf_len(b);
        net_conn_mark(c);
        return 0;
    }
    return net_conn_send(c, net_buf_payload(b), net_buf_len(b));
}

int net_conn_send_error(net_conn *c, bool has_id, uint64_t id, vp_code code, const char *msg)
{
    msgpack_sbuffer *sb = &c->srv->scratch;
    int rc = -1;

    /* A connection that is no member yet and is told the room does not
     * exist, its code is taken or its token fits nobody has guessed
     * wrong: that counts against its address (SPEC.md section 8).
     * Members (user set) are told no_room when their room is deleted,
     * which is no guess. */
    if (!c->user && (code == VP_NO_ROOM || code == VP_BAD_TOKEN || code == VP_ROOM_TAKEN))
        limits_fail(c->srv->fails, &c->addr, uv_now(c->srv->loop));

    msgpack_sbuffer_clear(sb);
    if (vp_pack_error(sb, has_id, id, code, msg) == 0)
        rc = net_conn_send(c, (const uint8_t *)sb->data, sb->size);
    return rc;
}

int net_conn_send_pong(net_conn *c, bool has_id, uint64_t id)
{
    msgpack_sbuffer *sb = &c->srv->scratch;
    int rc = -1;

    msgpack_sbuffer_clear(sb);
    if (vp_pack_pong(sb, has_id, id) == 0)
        rc = net_conn_send(c, (const uint8_t *)sb->data, sb->size);
    return rc;
}

/* Sends the ping the idle sweep asked for: one byte of payload, because
 * lws 4.1.6 passes the answer of an empty ping (an empty pong) to nobody.
 * The header goes into the headroom: the same bytes for everyone. */
static void net_conn_write_ping(net_conn *c)
{
    static uint8_t ping[LWS_PRE + 1] = {[LWS_PRE] = 'v'};

    c->ping_due = false;
    lws_write(c->wsi, ping + LWS_PRE, 1, LWS_WRITE_PING);
}

/* Writes everything queued as one binary frame: one lws_write, payload
 * after LWS_PRE bytes of headroom (a shared message's own). lws keeps
 * whatever the socket did not take and sends it before anything else.
 * Returns lws_write's result, or 0 with nothing queued. */
static int net_conn_write_queued(net_conn *c)
{
    uint8_t *p;
    size_t len;
    int n;

    if (c->tx_buf) {
        p = net_buf_payload(c->tx_buf);
        len = net_buf_len(c->tx_buf);
    } else if (c->tx_len) {
        p = c->tx + LWS_PRE;
        len = c->tx_len;
    } else {
        return 0;
    }
    n = lws_write(c->wsi, p, len, LWS_WRITE_BINARY);
    if (n >= 0) {
        c->srv->counters.frames_sent++;
        c->srv->counters.bytes_sent += len;
    }
    net_conn_drop_tx(c);
    return n;
}

int net_conn_on_writeable(net_conn *c)
{
    net_dirty_remove(c);
    if (net_conn_write_queued(c) < 0)
        return -1;
    if (c->ping_due && !c->close_code) {
        if (lws_partial_buffered(c->wsi))
            lws_callback_on_writable(c->wsi);
        else
            net_conn_write_ping(c);
    }
    if (c->close_code) {
        /* lws 4.1.6 drops a connection without a close frame when the
         * close starts while part of a frame still waits in its
         * buffer; lws calls us back only once that buffer is empty. */
        if (lws_partial_buffered(c->wsi))
            lws_callback_on_writable(c->wsi);
        else
            net_conn_arm_close(c);
    }
    return 0;
}

/* Runs right before the loop waits, after every callback of this turn:
 * each connection's queue goes out as one frame, written directly. A
 * connection still holding part of an earlier frame, or closing, takes
 * the writeable path instead (the close needs its callback, and a reader
 * that is behind must not pile up in lws' buffer past our bound). */
void net_ws_flush(uv_prepare_t *h)
{
    net_server *srv = h->data;
    net_conn *c;

    while ((c = srv->dirty)) {
        net_dirty_remove(c);
        if (!c->open)
            continue;
        if (c->close_code || lws_partial_buffered(c->wsi)) {
            lws_callback_on_writable(c->wsi);
            continue;
        }
        if (net_conn_write_queued(c) < 0) {
            /* The socket is broken; lws closes it from a callback,
             * which this is not. */
            net_conn_hang_up(c, NET_CLOSE_POLICY);
            continue;
        }
        if (c->ping_due) {
            if (lws_partial_buffered(c->wsi))
                lws_callback_on_writable(c->wsi);
            else
                net_conn_write_ping(c);
        }
    }
}
