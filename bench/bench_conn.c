/* bench_conn.c - verrijk-bench's members: latency samples, per-room pacing within the rate limits, connections set up, retried and lost, launching. */
#include "bench_internal.h"

/* ---- latency ---- */

/* One sample; its top bit says whether its room has a slow reader, so one
 * reservoir serves the overall figures and the split alike. */
static void lat_sample(uint64_t ns, bool slow_room)
{
    uint64_t us = ns / 1000;
    if (us > BENCH_SAMPLE_US_MAX)
        us = BENCH_SAMPLE_US_MAX;
    if (us > g.lat_max)
        g.lat_max = us;
    if (slow_room) {
        g.n_lat_slow++;
        if (us > g.lat_max_slow)
            g.lat_max_slow = us;
    } else {
        g.n_lat_other++;
        if (us > g.lat_max_other)
            g.lat_max_other = us;
    }
    uint32_t v = (uint32_t)us | (slow_room ? BENCH_SLOW_FLAG : 0);
    g.seen_samples++;
    if (g.n_samples < BENCH_SAMPLES_MAX) {
        g.samples[g.n_samples++] = v;
    } else {
        /* Reservoir sampling keeps the kept samples a fair draw of all. */
        uint64_t j = rng_next() % g.seen_samples;
        if (j < BENCH_SAMPLES_MAX)
            g.samples[j] = v;
    }
}

void lat_begin(room *r, enum intent k, uint32_t actor)
{
    uint8_t ev = (uint8_t)intent_event[k];
    for (unsigned i = 0; i < r->n_out; i++)
        if (r->out[i].ev == ev && r->out[i].actor == actor) {
            r->out[i] = (outstanding){uv_hrtime(), actor, 0, ev};
            return;
        }
    if (r->n_out == r->cap)
        return;
    r->out[r->n_out++] = (outstanding){uv_hrtime(), actor, 0, ev};
}

/* Called for every event at every member: the intent's latency ends when
 * the room's last member has the event. */
void lat_event(room *r, enum ev_kind k, uint32_t player)
{
    for (unsigned i = 0; i < r->n_out; i++) {
        outstanding *o = &r->out[i];
        if (o->ev != k || (o->actor && o->actor != player))
            continue;
        if (++o->got < r->readers)
            return;
        if (g.measuring && g.sc == SC_ROUNDS) {
            uint64_t us = (g.now - o->t0) / 1000;
            lat_sample(g.now - o->t0, r->slow);
            g.kind_n[k]++;
            g.kind_sum[k] += us;
            if (us > g.kind_max[k])
                g.kind_max[k] = us;
        }
        *o = r->out[--r->n_out];
        return;
    }
}

/* ---- per-room pacing ---- */

static void room_pump(room *r);

static void on_room_timer(uv_timer_t *t)
{
    room *r = t->data;
    r->timer_armed = false;
    room_pump(r);
}

void refill(double *tokens, uint64_t *at, uint64_t now, double rate, double burst)
{
    *tokens += (double)(now - *at) / 1e9 * rate;
    if (*tokens > burst)
        *tokens = burst;
    *at = now;
}

static double room_rate(void)
{
    return g.rate / g.rooms;
}

static double room_burst(void)
{
    /* At most 50 ms worth of intents at once, and at low rates one: a room
     * sends evenly spaced intents rather than pairs. */
    double b = room_rate() * 0.05;
    return b < 1 ? 1 : b;
}

/* Sends what the rate limits allow: the room's share of --rate and each
 * connection's own bucket (kept inside the server's 20/s, burst 40). */
static void room_pump(room *r)
{
    if (g.finished)
        return;
    uint64_t now = uv_hrtime();
    double wait = -1;
    if (g.rate > 0)
        refill(&r->rtokens, &r->rtok_at, now, room_rate(), room_burst());
    unsigned i = 0;
    while (i < r->n_pend) {
        if (g.rate > 0 && r->rtokens < 1) {
            wait = (1 - r->rtokens) / room_rate();
            break;
        }
        pending p = r->pend[i];
        conn *c = &r->m[p.member];
        if (c->state != CS_OPEN) {
            memmove(&r->pend[i], &r->pend[i + 1], (r->n_pend - i - 1) * sizeof *r->pend);
            r->n_pend--;
            continue;
        }
        refill(&c->tokens, &c->tok_at, now, BENCH_CONN_RATE, BENCH_CONN_BURST);
        if (c->tokens < 1) {
            double w = (1 - c->tokens) / BENCH_CONN_RATE;
            if (wait < 0 || w < wait)
                wait = w;
            i++;
            continue;
        }
        c->tokens -= 1;
        r->rtokens -= 1;
        memmove(&r->pend[i], &r->pend[i + 1], (r->n_pend - i - 1) * sizeof *r->pend);
        r->n_pend--;
        send_intent(c, (enum intent)p.kind, p.arg);
        if (g.finished)
            return;
    }
    if (wait >= 0 && !r->timer_armed) {
        r->timer_armed = true;
        uv_timer_start(&r->timer, on_room_timer, (uint64_t)(wait * 1000) + 1, 0);
    }
}

void room_enqueue(room *r, conn *c, enum intent k, unsigned arg)
{
    if (g.stopping || g.finished)
        return;
    if (r->n_pend == r->cap) {
        g.queue_full++;
        return;
    }
    r->pend[r->n_pend++] = (pending){c->idx, (uint16_t)arg, (uint8_t)k};
    room_pump(r);
}

/* ---- connections: setup ---- */

static void conn_launch(conn *c)
{
    char path[32];
    snprintf(path, sizeof path, "/ws?room=%s", c->room->code);
    c->state = CS_CONNECTING;
    c->seq = 0;
    c->n_hand = 0;
    c->tokens = BENCH_CONN_BURST;
    c->tok_at = uv_hrtime();
    /* A slow reader's small receive buffer keeps the kernel from holding
     * megabytes for it: what it does not read backs up in the server. */
    c->ws.rcvbuf = c->slow ? g.slow_rcvbuf : 0;
    c->ws.mss = (uint16_t)(c->slow ? g.slow_mss : 0);
    int rc = ws_connect(&c->ws, path, (unsigned)(c - g.conns));
    if (rc < 0) {
        /* EMFILE and friends: nothing to retry into. */
        c->state = CS_GONE;
        FATAL("connect: %s (connections so far: %u)", uv_strerror(rc), g.welcomed);
        return;
    }
    g.inflight++;
}

static void setup_check(void)
{
    if (!g.setup_done && g.welcomed + g.failed == g.total) {
        g.setup_done = true;
        g.t_setup1 = uv_hrtime();
        g.setup_srv_cpu1 = proc_cpu_s();
        g.setup_self_cpu1 = cpu_self();
        on_setup_done();
    }
}

/* A connection that will not become a member: the room's members that never
 * launched fail with it when it is the facilitator. */
static void conn_fail_for_good(conn *c)
{
    room *r = c->room;
    g.failed++;
    if (c->idx == 0)
        while (r->launched < g.members) {
            r->launched++;
            g.failed++;
        }
}

void conn_lost(conn *c, const char *why)
{
    ws_end(&c->ws, WS_END_ERROR, why);
}

/* A slow reader's connection ended: counted apart from `dropped`, since
 * the server closing it is the point. The run ends early when the last
 * one is read out after the interval. */
static void slow_ended(conn *c, bool policy, const char *why)
{
    if (!c->slow_end)
        c->slow_end = uv_hrtime();
    /* Why, counted per distinct text: a close frame can only be read once
     * everything queued before it was, so a server that hangs up on a
     * reader that never reads shows as a reset or an end of stream. */
    unsigned i;
    for (i = 0; i < g.n_slow_reasons; i++)
        if (strncmp(g.slow_reason[i], why, BENCH_REASON_MAX) == 0)
            break;
    if (i == g.n_slow_reasons && i < BENCH_SLOW_REASONS)
        snprintf(g.slow_reason[g.n_slow_reasons++], BENCH_REASON_MAX + 1, "%s", why);
    if (i < g.n_slow_reasons)
        g.slow_reason_n[i]++;
    if (policy)
        g.slow_closed_1008++;
    else
        g.slow_closed_other++;
    if (g.slow_open)
        g.slow_open--;
    if (g.draining && g.slow_open == 0)
        finish();
}

/* A connection ended: before its welcome it is retried (a bounded number of
 * times), after it it counts as dropped. */
void on_ws_lost(ws_conn *ws, enum ws_end end, const char *why)
{
    conn *c = (conn *)ws;
    if (c->state == CS_CLOSING || c->state == CS_GONE || c->state == CS_IDLE)
        return;
    if (c->slow && c->state == CS_OPEN) {
        c->state = CS_CLOSING;
        if (!g.finished)
            slow_ended(c, end == WS_END_CLOSED && ws->close_code == 1008, why);
        return;
    }
    if (end == WS_END_REFUSED) {
        /* A refused upgrade (say at the connection cap) is not retried:
         * the server said no. */
        g.refused++;
        c->tries = BENCH_RETRIES;
    }
    if (end == WS_END_CLOSED && !g.finished && ws_stats.close_frames <= BENCH_VIOLATIONS_SHOWN)
        fprintf(stderr, "verrijk-bench: server closed room %s member %u with %u\n", c->room->code, (unsigned)c->idx + 1,
                ws->close_code);
    bool before_welcome = c->state != CS_OPEN;
    c->state = CS_CLOSING;
    if (before_welcome && !g.finished) {
        g.inflight--;
        if (c->tries < BENCH_RETRIES) {
            c->tries++;
            g.retried++;
            c->relaunch = true;
        } else {
            if (g.failed < BENCH_VIOLATIONS_SHOWN)
                fprintf(stderr, "verrijk-bench: room %s member %u failed: %s\n", c->room->code, (unsigned)c->idx + 1,
                        why);
            conn_fail_for_good(c);
        }
    } else if (!before_welcome && !g.finished) {
        g.dropped++;
        if (g.dropped <= BENCH_VIOLATIONS_SHOWN)
            fprintf(stderr, "verrijk-bench: room %s member %u dropped: %s\n", c->room->code, (unsigned)c->idx + 1, why);
    }
    if (before_welcome && !g.finished) {
        setup_check();
        launch_pump();
    }
}

void on_ws_closed(ws_conn *ws)
{
    conn *c = (conn *)ws;
    c->state = CS_GONE;
    if (c->relaunch && !g.finished) {
        c->relaunch = false;
        conn_launch(c);
    }
}

/* ---- launching ---- */

void launch_pump(void)
{
    while (!g.finished && g.inflight < g.inflight_max) {
        conn *c = NULL;
        while (g.ready_head != g.ready_tail) {
            room *r = &g.rooms_v[g.ready[g.ready_head]];
            if (r->launched < g.members) {
                c = &r->m[r->launched++];
                break;
            }
            g.ready_head = (g.ready_head + 1) % (g.rooms + 1);
        }
        if (!c && g.next_room < g.rooms) {
            room *r = &g.rooms_v[g.next_room++];
            r->launched = 1;
            c = &r->m[0];
        }
        if (!c)
            return;
        conn_launch(c);
    }
}

void on_welcome(conn *c, const msgpack_object *m)
{
    if (c->state != CS_JOINING) {
        on_ws_violation(&c->ws, "a second welcome");
        return;
    }
    room *r = c->room;
    const msgpack_object *you = mp_get(m, "you"), *state = mp_get(m, "state");
    c->player = (uint32_t)mp_uint(you, "player");
    c->seq = (uint32_t)mp_uint(state, "seq");
    if (!c->player || !state) {
        on_ws_violation(&c->ws, "welcome without you.player or state");
        conn_lost(c, "protocol violation");
        return;
    }
    const msgpack_object *hand = mp_get(state, "hand");
    c->n_hand = 0;
    if (hand && hand->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t i = 0; i < hand->via.array.size && c->n_hand < BENCH_HAND_MAX; i++) {
            const msgpack_object *card = &hand->via.array.ptr[i];
            int k = card->type == MSGPACK_OBJECT_STR ? card_intern(card->via.str.ptr, card->via.str.size) : -1;
            if (k >= 0)
                c->hand[c->n_hand++] = (uint16_t)k;
        }
    c->state = CS_OPEN;
    c->welcomed = true;
    if (c->slow) {
        const msgpack_object *tok = mp_get(m, "token");
        if (tok && tok->type == MSGPACK_OBJECT_STR && tok->via.str.size <= BENCH_TOKEN_MAX) {
            memcpy(r->slow_token, tok->via.str.ptr, tok->via.str.size);
            r->slow_token[tok->via.str.size] = '\0';
        }
        g.slow_open++;
    }
    g.inflight--;
    g.welcomed++;
    r->n_welcomed++;
    if (c->idx == 0 && g.members > 1) {
        g.ready[g.ready_tail] = (unsigned)(r - g.rooms_v);
        g.ready_tail = (g.ready_tail + 1) % (g.rooms + 1);
    }
    if (r->n_welcomed == g.members)
        r->complete = true;
    launch_pump();
    setup_check();
}
