/* pipeline.c - one input's way through a live room: enqueue -> decide (a batch) -> log -> settle, then commit (fanout.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/metrics.h"
#include "ops/ops_log.h"

#include "rooms/rooms_internal.h"

int live_enqueue(live_room *lr, game_input_kind kind, net_conn *c, uint32_t player, const vp_intent *in,
                 const uint8_t *frame, size_t len)
{
    pending *p;

    if (lr->n_pending >= ROOMS_PENDING_MAX)
        return -1;
    p = malloc(sizeof(*p) + len);
    if (!p)
        return -1;
    p->next = NULL;
    p->kind = kind;
    p->conn = c;
    p->player = player;
    p->t = in ? in->t : VP_T_PING;
    p->has_id = in && in->has_id;
    p->id = in ? in->id : 0;
    p->len = len;
    if (len)
        memcpy(p->frame, frame, len);
    if (lr->tail)
        lr->tail->next = p;
    else
        lr->head = p;
    lr->tail = p;
    lr->n_pending++;
    return 0;
}

void device_on_grace(uv_timer_t *t)
{
    device *l = t->data;

    if (l->conn || live_enqueue(l->lr, GAME_INPUT_OFFLINE, NULL, l->member, NULL, NULL, 0))
        return;
    live_pump(l->lr);
}

void device_on_hold(uv_timer_t *t)
{
    device *l = t->data;
    uint64_t ends, now = rooms_now_ms();

    if (l->conn)
        return;
    /* Early (a timer counts from the loop's cached time, which lags the
     * clock after a long stretch of work such as reading a room's log):
     * deciding now would find the hold still on and nothing would look
     * again, so wait for the rest of it. */
    ends = game_hold_ends(l->lr->r, l->lr->rs->env.away_hold_ms);
    if (ends > now) {
        uv_timer_start(t, device_on_hold, ends - now + ROOMS_HOLD_SLACK_MS, 0);
        return;
    }
    if (live_enqueue(l->lr, GAME_INPUT_RECHECK, NULL, l->member, NULL, NULL, 0))
        return;
    live_pump(l->lr);
}

void live_on_deleted(void *ud, int status)
{
    live_room *lr = ud;

    if (status)
        ops_log(OPS_WARN, lr->code, "deleting its log failed: %s", uv_strerror(status));
    /* Inputs that queued up while the room went away find no room. */
    for (pending *p = lr->head; p; p = p->next)
        if (p->conn)
            net_conn_send_error(p->conn, false, 0, VP_NO_ROOM, "This room has been deleted.");
    live_free(lr);
}

/* Decodes p's message again (it was valid when it arrived). */
static bool pending_intent(const pending *p, vp_intent *in)
{
    const char *why;

    return vp_decode(p->frame, p->len, in, &why) == VP_OK;
}

/* A decision after which nothing more joins its batch: the welcome's View
 * must be the state right after it, and a kick or purge closes
 * connections. */
static bool ends_batch(const game_result *res)
{
    return res->you || res->purge || res->kicked;
}

void live_done(live_room *lr)
{
    for (uint32_t k = 0; k < lr->n_batch; k++) {
        game_result_free(&lr->batch[k].res);
        free(lr->batch[k].p);
    }
    free(lr->batch);
    lr->batch = NULL;
    lr->n_batch = 0;
    lr->busy = false;
}

/* The log has answered for the batch (stored all of it, or none of it:
 * evlog_appendv). */
static void live_settle(live_room *lr)
{
    rooms *rs = lr->rs;

    if (lr->write_error) {
        /* The log itself says once that writes fail and once that they
         * succeed again (rooms_log_warn): not again here, per room. */
        for (uint32_t k = 0; k < lr->n_batch; k++)
            rooms_reply_pending_error(lr->batch[k].p, VP_SERVER_BUSY,
                                      "The server cannot save this right now; try again in a moment.");
        lr->write_error = 0;
        live_done(lr);
        live_reload(lr);
        return;
    }
    lr->log_bytes += lr->batch_bytes;
    live_commit(lr);
    live_done(lr);
    if (lr->purging) {
        lr->busy = true; /* nothing more is decided in this room */
        if (evlog_delete(rs->log, lr->code, live_on_deleted, lr))
            live_on_deleted(lr, 0);
        return;
    }
    live_pump(lr);
}

static void on_logged(void *ud, int status)
{
    live_room *lr = ud;

    lr->write_error = status;
    live_settle(lr);
}

enum decided { DECIDED, DROPPED, NOT_NOW };

#define ROOMS_LOG_FULL_MSG                                                                 \
    "This session has reached its size limit: the facilitator can still close the round, " \
    "and its summary and replay stay available."

/* Whether the room's log may still grow by what `in` decides. Below the
 * bound (--max-log-mb) anything goes. Past it, only what lets a session
 * be finished: close, purge, leave, and resume (people must get back in
 * to close), so that nothing acknowledged is ever stranded. Those still
 * write (close its summary, resume and a device gone their presence), so
 * past ROOMS_LOG_HARD (a quarter more) only close, purge and the
 * facilitator's own resume remain: the log stays bounded. A create
 * writes nothing on an existing room (room_taken). */
static bool log_takes(const live_room *lr, const vp_intent *in)
{
    uint64_t max = lr->rs->log_max;

    if (lr->log_bytes < max || in->t == VP_T_CLOSE || in->t == VP_T_PURGE || in->t == VP_T_CREATE)
        return true;
    if (lr->log_bytes < ROOMS_LOG_HARD(max))
        return in->t == VP_T_LEAVE || in->t == VP_T_RESUME;
    return in->t == VP_T_RESUME && room_check_facilitator_token(lr->r, in->token.ptr, in->token.len);
}

/* The result of a decision that may follow another in its batch: every
 * event filtered right against the state after the whole batch. */
static bool joins_batch(const game_result *res)
{
    for (uint32_t i = 0; i < res->n_events; i++)
        if (!game_event_filter_neutral(&res->events[i]))
            return false;
    return true;
}

/* Decides p into d and applies its events to the room. The first input of
 * a batch may be anything, and an error is answered at once (DROPPED, p is
 * freed). A later one must be an intent that succeeds with events that
 * join the batch; else it waits for the next batch, undecided (NOT_NOW,
 * p is the caller's; deciding changed nothing), so that answers keep
 * their order and no error rests on a state the log may still refuse. */
static enum decided live_decide(live_room *lr, pending *p, decision *d, bool first)
{
    rooms *rs = lr->rs;
    game_input gi;
    vp_intent in;
    device *l;
    vp_code rc;

    memset(&gi, 0, sizeof(gi));
    gi.kind = p->kind;
    gi.player = p->player;
    gi.now_ms = rooms_now_ms();
    if (p->kind == GAME_INPUT_INTENT) {
        if (!p->conn || !pending_intent(p, &in))
            goto drop;
        if (!log_takes(lr, &in)) {
            if (!first)
                return NOT_NOW;
            rooms_reply_error(p->conn, &in, VP_ROOM_FULL, ROOMS_LOG_FULL_MSG);
            goto drop;
        }
        gi.intent = &in;
        l = net_conn_get_user(p->conn);
        gi.sender = l && l->lr == lr ? l->member : 0;
    } else if (!first) {
        return NOT_NOW;
    } else if (live_device(lr, p->player) && live_device(lr, p->player)->conn) {
        goto drop; /* the device came back while this waited */
    }
    if (rooms_entropy_fill(&rs->entropy, gi.entropy, sizeof(gi.entropy))) {
        if (!first)
            return NOT_NOW;
        rooms_reply_error(p->conn, gi.intent, VP_SERVER_BUSY, "The server has no randomness right now.");
        goto drop;
    }

    if (p->kind == GAME_INPUT_INTENT && p->t == VP_T_CREATE && !room_exists(lr->r) && rs->n_live > rs->max_live) {
        /* A new room would pass --max-rooms (this one counts already). */
        if (!first)
            return NOT_NOW;
        rooms_reply_error(p->conn, gi.intent, VP_SERVER_BUSY, "This server holds as many rooms as it can.");
        goto drop;
    }
    memset(d, 0, sizeof(*d));
    rc = game_decide(lr->r, &rs->env, &gi, &d->res);
    if (rc != VP_OK) {
        if (first && p->kind == GAME_INPUT_INTENT)
            rooms_reply_error(p->conn, &in, rc, d->res.msg ? d->res.msg : vp_code_name(rc));
        game_result_free(&d->res);
        if (!first)
            return NOT_NOW;
        goto drop;
    }
    if (!first && !joins_batch(&d->res)) {
        game_result_free(&d->res);
        return NOT_NOW;
    }
    d->p = p;
    while (d->n_ok < d->res.n_events && game_apply(lr->r, &d->res.events[d->n_ok]) == 0)
        d->n_ok++;
    if (d->n_ok < d->res.n_events)
        ops_log(OPS_WARN, lr->code, "an event does not fit the state (%s); it and the rest of its decision are dropped",
                game_event_name(d->res.events[d->n_ok].kind));
    return DECIDED;
drop:
    free(p);
    return DROPPED;
}

/* Into the log first, the whole batch as one unit; nobody sees its events
 * before the log has them. */
static void live_log(live_room *lr)
{
    rooms *rs = lr->rs;
    msgpack_sbuffer *buf = &rs->logged;
    struct evlog_payload *parts = NULL;
    size_t *ends = NULL;
    size_t n = 0, j = 0;
    bool partial = false;
    int err;

    for (uint32_t k = 0; k < lr->n_batch; k++) {
        n += lr->batch[k].n_ok;
        partial = partial || lr->batch[k].n_ok < lr->batch[k].res.n_events;
    }
    lr->batch_bytes = 0;
    if (partial) {
        /* The room took a decision only in part (out of memory): the
         * log never holds part of one, so the batch fails whole and
         * the room is loaded again from its log (live_settle). */
        lr->write_error = UV_ENOMEM;
        live_settle(lr);
        return;
    }
    if (n == 0) { /* nothing to log (a purge deletes it) */
        live_settle(lr);
        return;
    }
    ends = malloc(n * sizeof(*ends));
    parts = malloc(n * sizeof(*parts));
    msgpack_sbuffer_clear(buf);
    if (!ends || !parts) {
        err = UV_ENOMEM;
    } else {
        err = 0;
        for (uint32_t k = 0; k < lr->n_batch && !err; k++)
            for (uint32_t i = 0; i < lr->batch[k].n_ok && !err; i++) {
                if (game_pack_event_sbuffer(&lr->batch[k].res.events[i], buf))
                    err = UV_ENOMEM;
                ends[j++] = buf->size;
            }
        for (size_t i = 0; i < n && !err; i++) {
            size_t start = i ? ends[i - 1] : 0;

            parts[i].bytes = buf->data + start;
            parts[i].len = ends[i] - start;
            lr->batch_bytes += evlog_record_size(parts[i].len);
        }
        if (lr->log_bytes == 0)
            lr->batch_bytes += EVLOG_MAGIC_LEN; /* a new file */
        /* evlog copies the records before it returns. */
        if (!err)
            err = evlog_appendv(rs->log, lr->code, parts, n, on_logged, lr);
    }
    free(ends);
    free(parts);
    if (err) { /* refused at once: the batch is not in the log */
        lr->write_error = err;
        live_settle(lr);
    }
}

static pending *pop_pending(live_room *lr)
{
    pending *p = lr->head;

    lr->head = p->next;
    if (!lr->head)
        lr->tail = NULL;
    lr->n_pending--;
    return p;
}

static void push_pending_front(live_room *lr, pending *p)
{
    p->next = lr->head;
    lr->head = p;
    if (!lr->tail)
        lr->tail = p;
    lr->n_pending++;
}

/* Decides what waits, as one batch at a time. */
void live_pump(live_room *lr)
{
    while (!lr->busy && lr->head && !lr->rs->stopping) {
        uint32_t cap = lr->n_pending < ROOMS_BATCH_MAX ? lr->n_pending : ROOMS_BATCH_MAX;
        decision *batch = malloc(cap * sizeof(*batch));
        uint32_t n = 0;

        if (!batch) {
            live_refuse_pending(lr, VP_SERVER_BUSY, "The server is out of memory.");
            return;
        }
        while (lr->head && n < cap) {
            pending *p = pop_pending(lr);
            enum decided r = live_decide(lr, p, &batch[n], n == 0);

            if (r == NOT_NOW) {
                push_pending_front(lr, p);
                break;
            }
            if (r == DECIDED && ends_batch(&batch[n++].res))
                break;
        }
        if (n == 0) {
            free(batch);
            continue;
        }
        lr->batch = batch;
        lr->n_batch = n;
        lr->busy = true;
        metrics_batch(n);
        live_log(lr);
    }
}

/* Answers every input queued on lr with code (it never got decided). */
void live_refuse_pending(live_room *lr, vp_code code, const char *msg)
{
    while (lr->head) {
        pending *p = lr->head;

        lr->head = p->next;
        lr->n_pending--;
        rooms_reply_pending_error(p, code, msg);
        free(p);
    }
    lr->tail = NULL;
}

/* ---- the network layer's handler ---- */

void rooms_on_open(void *ud, net_conn *c)
{
    (void)ud;
    (void)c;
}

void rooms_on_intent(void *ud, net_conn *c, const vp_intent *in, const uint8_t *frame, size_t len)
{
    rooms *rs = ud;
    const char *code = net_conn_room(c);
    device *l = net_conn_get_user(c);
    live_room *lr;

    if (in->t == VP_T_CREATE || in->t == VP_T_JOIN || in->t == VP_T_RESUME) {
        if (in->room.len != VP_ROOM_LEN || memcmp(in->room.ptr, code, VP_ROOM_LEN) != 0) {
            rooms_reply_error(c, in, VP_BAD_REQUEST, "The room differs from the one in the address.");
            return;
        }
    }
    lr = l ? l->lr : live_get_async(rs, code);
    if (!lr) {
        rooms_reply_error(c, in, VP_SERVER_BUSY, "The server cannot read this room right now; try again in a moment.");
        return;
    }
    if (lr->purging) {
        rooms_reply_error(c, in, VP_NO_ROOM, "This room has been deleted.");
        return;
    }
    if (live_enqueue(lr, GAME_INPUT_INTENT, c, 0, in, frame, len)) {
        rooms_reply_error(c, in, VP_SERVER_BUSY, "This room is busy; try again in a moment.");
        return;
    }
    live_pump(lr);
    /* A room that a failed create or join left empty is not kept. */
    if (!lr->busy && !lr->head && !room_exists(lr->r))
        live_free(lr);
}

void rooms_on_close(void *ud, net_conn *c)
{
    rooms *rs = ud;
    device *l = net_conn_get_user(c);
    live_room *lr = l ? l->lr : live_lookup(rs, net_conn_room(c));

    if (l) {
        l->conn = NULL;
        net_conn_set_user(c, NULL);
        device_start_grace(l);
    }
    if (!lr)
        return;
    if (!live_attached(lr))
        lr->idle_since = uv_now(rs->loop);
    /* Its queued messages go unanswered: nobody is left to hear. */
    for (pending *p = lr->head; p; p = p->next)
        if (p->conn == c)
            p->conn = NULL;
    for (uint32_t k = 0; k < lr->n_batch; k++)
        if (lr->batch[k].p->conn == c)
            lr->batch[k].p->conn = NULL;
}
