/* fanout.c - a logged batch goes out: each event packed once publicly and once per member who sees more, one shared frame, then each sender's ok or welcome. */
#include <stdlib.h>
#include <string.h>

#include "ops/metrics.h"
#include "ops/ops_log.h"

#include "rooms/rooms_internal.h"

/* Sends c a lone error (the intent changed nothing), and counts it
 * in verrijk_intents_total. */
void rooms_reply_error(net_conn *c, const vp_intent *in, vp_code code, const char *msg)
{
    if (in)
        metrics_intent(vp_type_name(in->t), vp_code_name(code));
    if (c)
        net_conn_send_error(c, in && in->has_id, in ? in->id : 0, code, msg);
}

/* reply_error for a queued input: an intent is answered, and counted; a
 * device input has nobody to answer. */
void rooms_reply_pending_error(const pending *p, vp_code code, const char *msg)
{
    if (p->kind != GAME_INPUT_INTENT)
        return;
    metrics_intent(vp_type_name(p->t), vp_code_name(code));
    if (p->conn)
        net_conn_send_error(p->conn, p->has_id, p->id, code, msg);
}

/* True when member l gets the events of the current decision: attached,
 * and not the sender who gets a welcome instead (skip). */
static bool gets_events(const device *l, const net_conn *skip)
{
    return l && l->conn && l->conn != skip;
}

/* Sends l what the current decision has for it so far: its own stream,
 * or the public one. */
static void send_stream(live_room *lr, device *l)
{
    rooms *rs = lr->rs;

    if (l->own) {
        net_conn_send(l->conn, (const uint8_t *)rs->own[l->member].data, rs->own[l->member].size);
        msgpack_sbuffer_clear(&rs->own[l->member]);
        l->own = false;
    } else if (rs->pub.size) {
        net_conn_send(l->conn, (const uint8_t *)rs->pub.data, rs->pub.size);
    }
}

/* Sends every member its stream of the decision: the public one as one
 * shared message (copied once, queued by reference), a stream of a
 * member's own as its bytes. */
static void flush_devices(live_room *lr, const net_conn *skip)
{
    rooms *rs = lr->rs;
    uint32_t n = room_members(lr->r);
    net_buf *b = NULL;

    for (uint32_t id = 1; id <= n && id <= GAME_MAX_MEMBERS; id++) {
        device *l = live_device(lr, id);

        if (!gets_events(l, skip))
            continue;
        if (l->own || !rs->pub.size) {
            send_stream(lr, l);
            continue;
        }
        if (!b)
            b = net_buf_new((const uint8_t *)rs->pub.data, rs->pub.size);
        if (b)
            net_conn_send_buf(l->conn, b);
        else
            send_stream(lr, l);
    }
    net_buf_unref(b);
    msgpack_sbuffer_clear(&rs->pub);
}

/* Appends {t:"ev", seq, at, e} as `recipient` sees e (0: the public
 * version) to out. */
static void pack_ev(live_room *lr, const game_event *e, uint32_t recipient, msgpack_sbuffer *out)
{
    msgpack_sbuffer *body = &lr->rs->body;
    msgpack_packer pk;

    msgpack_sbuffer_clear(body);
    msgpack_packer_init(&pk, body, msgpack_sbuffer_write);
    game_pack_event_for(lr->r, e, recipient, &pk);
    vp_pack_ev(out, e->seq, e->at, (const uint8_t *)body->data, body->size);
}

/* Adds event e to the decision's streams: its public version once, and a
 * version of their own for the members game_event_audience names (whose
 * stream then splits off from the public one). */
static void fan_out(live_room *lr, const game_event *e, const net_conn *skip)
{
    rooms *rs = lr->rs;
    size_t start = rs->pub.size;
    uint32_t n = room_members(lr->r);

    pack_ev(lr, e, 0, &rs->pub);
    for (uint32_t id = 1; id <= n && id <= GAME_MAX_MEMBERS; id++) {
        device *l = live_device(lr, id);
        msgpack_sbuffer *own = &rs->own[id];

        if (!gets_events(l, skip))
            continue;
        if (game_event_audience(lr->r, e, id) == 0) {
            if (l->own)
                msgpack_sbuffer_write(own, rs->pub.data + start, rs->pub.size - start);
            continue;
        }
        if (!l->own) {
            msgpack_sbuffer_clear(own);
            if (start) /* an empty sbuffer has no data pointer yet */
                msgpack_sbuffer_write(own, rs->pub.data, start);
            l->own = true;
        }
        pack_ev(lr, e, id, own);
    }
}

static void send_welcome(live_room *lr, net_conn *c, const pending *p, uint32_t you, const char *token)
{
    msgpack_sbuffer view, out;
    msgpack_packer pk;
    vp_role role = VP_ROLE_PLAYER;
    bool seated = false;
    const char *name = room_member_name(lr->r, you);
    vp_str sname = {name, (uint32_t)strlen(name)};
    vp_str stoken = {token, (uint32_t)strlen(token)};

    room_member_role(lr->r, you, &role, &seated);
    msgpack_sbuffer_init(&view);
    msgpack_sbuffer_init(&out);
    msgpack_packer_init(&pk, &view, msgpack_sbuffer_write);
    game_pack_view(lr->r, you, &pk);
    if (vp_pack_welcome(&out, p->has_id, p->id, you, sname, role, stoken, (uint32_t)(lr->rs->env.away_hold_ms / 1000u),
                        (const uint8_t *)view.data, view.size) == 0)
        net_conn_send(c, (const uint8_t *)out.data, out.size);
    msgpack_sbuffer_destroy(&view);
    msgpack_sbuffer_destroy(&out);
}

/* The batch is in the log: let every member see its events, answer each
 * sender, then act on what the last one asked. */
void live_commit(live_room *lr)
{
    decision *last = &lr->batch[lr->n_batch - 1];
    net_conn *skip = last->res.you ? last->p->conn : NULL;

    for (uint32_t k = 0; k < lr->n_batch; k++) {
        decision *d = &lr->batch[k];

        for (uint32_t i = 0; i < d->n_ok; i++) {
            const game_event *e = &d->res.events[i];

            fan_out(lr, e, skip);
            if (e->kind == GAME_EV_CREATED) {
                metrics_room_created();
                ops_log(OPS_INFO, lr->code, "created (deck %s)", e->u.created.deck->id);
            } else if (e->kind == GAME_EV_CLOSED) {
                ops_log(OPS_INFO, lr->code, "round %u closed", (unsigned)e->u.closed.round);
            }
            if (e->kind == GAME_EV_PRESENCE && !e->u.presence.online) {
                /* A phone asleep may hold the table card's auto-reveal: look again when that ends. */
                device *l = device_get(lr, e->u.presence.player);

                if (l)
                    device_start_hold(l, e->at);
            }
            if (e->kind == GAME_EV_LEFT) {
                device *l = live_device(lr, e->u.left.player);

                if (l && l->conn) {
                    /* Send what the member has, then let it go. */
                    if (gets_events(l, skip))
                        send_stream(lr, l);
                    if (e->u.left.kicked)
                        net_conn_close(l->conn, NET_CLOSE_KICKED, "removed by the facilitator");
                    device_detach(l);
                }
                if (l)
                    device_stop_grace(l);
            }
        }
        metrics_events(d->n_ok);
    }
    flush_devices(lr, skip);

    for (uint32_t k = 0; k < lr->n_batch; k++) {
        decision *d = &lr->batch[k];
        const pending *p = d->p;
        net_conn *sender = p->conn;
        bool intent = p->kind == GAME_INPUT_INTENT;

        if (d->res.you && sender) {
            device *l = device_get(lr, d->res.you);

            if (l) {
                device_attach(l, sender);
                send_welcome(lr, sender, p, d->res.you, d->res.token);
            } else {
                rooms_reply_pending_error(p, VP_SERVER_BUSY, "The server is out of memory.");
                continue;
            }
        } else if (sender && intent && p->has_id) {
            msgpack_sbuffer *ok = &lr->rs->body;

            msgpack_sbuffer_clear(ok);
            if (vp_pack_ok(ok, p->id) == 0)
                net_conn_send(sender, (const uint8_t *)ok->data, ok->size);
        }
        if (intent)
            metrics_intent(vp_type_name(p->t), "ok");
    }

    if (last->res.purge) {
        ops_log(OPS_INFO, lr->code, "purged: the room and its log are deleted");
        lr->purging = true;
        for (uint32_t i = 1; i < lr->n_devices; i++) {
            device *l = lr->devices[i];

            if (l && l->conn) {
                net_conn_close(l->conn, NET_CLOSE_KICKED, "the session was deleted");
                device_detach(l);
            }
        }
    }
}
