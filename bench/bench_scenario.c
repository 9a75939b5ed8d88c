/* bench_scenario.c - verrijk-bench's scenarios (connect, rounds, burst): the measured interval, sampling, the events that drive each room, the end of a run. */
#include "bench_internal.h"

/* ---- scenarios ---- */

/* The transport's counters join the bench's before each snapshot. */
static void sync_counters(void)
{
    g.c.frames = ws_stats.frames;
    g.c.bytes_in = ws_stats.bytes_in;
    g.c.frames_out = ws_stats.frames_out;
    g.c.bytes_out = ws_stats.bytes_out;
}

static void begin_measure(void)
{
    sync_counters();
    g.measuring = true;
    g.t0 = uv_hrtime();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    g.t0_unix = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    g.c0 = g.c;
    memcpy(g.size_frames0, ws_stats.size_frames, sizeof g.size_frames0);
    memcpy(g.size_bytes0, ws_stats.size_bytes, sizeof g.size_bytes0);
    g.srv_cpu0 = proc_cpu_s();
    cpu_pids_read(g.cpu_pid0);
    g.self_cpu0 = cpu_self();
    g.rss_measure0 = g.rss_peak = proc_rss_kb();
    /* The slow readers stop reading now: from here on the server must
     * bound what it holds for them. */
    for (unsigned i = 0; i < g.slow_readers; i++) {
        conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->state == CS_OPEN)
            ws_pause(&c->ws);
    }
}

/* Every BENCH_SAMPLE_MS: the server's RSS (its peak over the interval)
 * and whether a paused slow reader's socket shows the server's end. That
 * is only visible when the end gets past the unread backlog (a reset, or
 * a FIN once everything before it fitted into our receive buffer); the
 * close frame itself is read after the interval (see end_run). */
void on_sample(uv_timer_t *t)
{
    if (!g.measuring)
        return;
    long kb = proc_rss_kb();
    if (kb > g.rss_peak)
        g.rss_peak = kb;
    uint64_t now = uv_hrtime();
    /* --slow-resume: each slow reader asks for its whole View again (a
     * device in a reconnect loop), which the server answers with a large
     * welcome it will never read. */
    g.slow_resume_due += g.slow_resume * BENCH_SAMPLE_MS / 1000.0;
    unsigned resumes = (unsigned)g.slow_resume_due;
    g.slow_resume_due -= resumes;
    for (unsigned i = 0; i < g.slow_readers && !g.finished; i++) {
        conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->state != CS_OPEN || c->slow_end)
            continue;
        for (unsigned k = 0; k < resumes && c->state == CS_OPEN && g.rooms_v[i].slow_token[0]; k++)
            send_intent(c, IN_RESUME, 0);
        if (c->state != CS_OPEN)
            continue;
        if (ws_peer_gone(&c->ws)) {
            if (!c->slow_end)
                c->slow_end = now;
            c->slow_seen_gone = true;
            ws_resume(&c->ws);
        }
    }
}

static void end_measure(void)
{
    if (!g.measuring)
        return;
    g.measuring = false;
    long kb = proc_rss_kb();
    if (kb > g.rss_peak)
        g.rss_peak = kb;
    sync_counters();
    g.t1 = uv_hrtime();
    g.c1 = g.c;
    memcpy(g.size_frames1, ws_stats.size_frames, sizeof g.size_frames1);
    memcpy(g.size_bytes1, ws_stats.size_bytes, sizeof g.size_bytes1);
    g.srv_cpu1 = proc_cpu_s();
    cpu_pids_read(g.cpu_pid1);
    g.self_cpu1 = cpu_self();
}

static void on_drain_over(uv_timer_t *t)
{
    finish();
}

/* The interval is over: no new intents; slow readers still open read
 * their backlog for at most BENCH_DRAIN_MS, so that a close frame behind
 * it (1008 or another) is seen and counted. */
static void end_run(void)
{
    end_measure();
    g.stopping = true;
    if (g.slow_open == 0 || g.finished) {
        finish();
        return;
    }
    g.draining = true;
    for (unsigned i = 0; i < g.slow_readers; i++) {
        conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->state == CS_OPEN)
            ws_resume(&c->ws);
    }
    if (!g.finished)
        uv_timer_start(&g.phase_timer, on_drain_over, BENCH_DRAIN_MS, 0);
}

static void on_rounds_over(uv_timer_t *t)
{
    end_run();
}

static void on_hold_over(uv_timer_t *t)
{
    end_measure();
    g.rss1 = proc_rss_kb();
    finish();
}

static void burst_fire(void);

static void on_burst_timer(uv_timer_t *t)
{
    burst_fire();
}

/* Every player of every room votes in this one loop iteration. */
static void burst_fire(void)
{
    uint64_t now = uv_hrtime();
    double wait = 0;
    for (unsigned i = 0; i < g.total; i++) {
        conn *c = &g.conns[i];
        if (c->idx == 0 || c->slow)
            continue;
        refill(&c->tokens, &c->tok_at, now, BENCH_CONN_RATE, BENCH_CONN_BURST);
        if (c->tokens < 1 && (1 - c->tokens) / BENCH_CONN_RATE > wait)
            wait = (1 - c->tokens) / BENCH_CONN_RATE;
    }
    if (wait > 0) {
        /* Some member spent its tokens: wait so that every vote goes out at once. */
        uv_timer_start(&g.phase_timer, on_burst_timer, (uint64_t)(wait * 1000) + 1, 0);
        return;
    }
    g.rooms_done = 0;
    g.t_burst = uv_hrtime();
    for (unsigned i = 0; i < g.total; i++) {
        conn *c = &g.conns[i];
        if (c->idx == 0 || c->slow || c->state != CS_OPEN)
            continue;
        c->tokens -= 1;
        send_intent(c, IN_VOTE, g.scale_min + (unsigned)(rng_next() % (g.scale_max - g.scale_min + 1)));
        if (g.finished)
            return;
    }
}

static void burst_room_ready(room *r)
{
    r->seen = 0;
    if (++g.rooms_ready < g.rooms)
        return;
    g.rooms_ready = 0;
    if (g.burst_round == 0)
        begin_measure();
    burst_fire();
}

static void burst_room_done(room *r)
{
    r->seen = 0;
    uint64_t us = (g.now - g.t_burst) / 1000;
    if (g.n_burst_rooms < (size_t)g.rooms * g.repeat)
        g.burst_rooms[g.n_burst_rooms++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
    if (++g.rooms_done < g.rooms)
        return;
    g.burst_total[g.burst_round++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
    if (g.burst_round == g.repeat) {
        end_run();
        return;
    }
    for (unsigned i = 0; i < g.rooms; i++)
        room_enqueue(&g.rooms_v[i], &g.rooms_v[i].m[0], IN_REVOTE, 0);
}

static unsigned random_vote(void)
{
    return g.scale_min + (unsigned)(rng_next() % (g.scale_max - g.scale_min + 1));
}

void on_event(conn *c, enum ev_kind k, uint32_t player, const msgpack_object *m)
{
    room *r = c->room;
    bool fac = c->idx == 0;
    /* A slow reader counts for nothing: what it reads (before the interval,
     * or its backlog at the end) is stale by design. */
    if (c->slow)
        return;
    if (k != EV_TURN && k != EV_DEALT)
        lat_event(r, k, player);
    switch (k) {
    case EV_DEALT: {
        const msgpack_object *cards = mp_get(m, "cards");
        if (!cards || cards->type != MSGPACK_OBJECT_ARRAY)
            break;
        c->n_hand = 0;
        for (uint32_t i = 0; i < cards->via.array.size && c->n_hand < BENCH_HAND_MAX; i++) {
            const msgpack_object *card = &cards->via.array.ptr[i];
            int id = card->type == MSGPACK_OBJECT_STR ? card_intern(card->via.str.ptr, card->via.str.size) : -1;
            if (id >= 0)
                c->hand[c->n_hand++] = (uint16_t)id;
        }
        break;
    }
    case EV_ROUND:
        if (fac && !r->started) {
            r->started = true;
            if (++g.rooms_started == g.rooms && g.sc == SC_ROUNDS) {
                begin_measure();
                uv_timer_start(&g.phase_timer, on_rounds_over, (uint64_t)g.seconds * 1000, 0);
            }
        }
        break;
    case EV_TURN:
        if (player && player == c->player && c->n_hand > 0) {
            unsigned card = c->hand[--c->n_hand];
            room_enqueue(r, c, IN_PLAY, card);
        } else if (!player && fac && g.sc == SC_ROUNDS) {
            room_enqueue(r, c, IN_CLOSE, 0);
        }
        break;
    case EV_PLAYED:
        if (fac) {
            r->votes_seen = 0;
            r->card_by = player;
        }
        if (g.sc == SC_ROUNDS && !fac)
            room_enqueue(r, c, IN_VOTE, random_vote());
        if (g.sc == SC_BURST && ++r->seen == r->readers)
            burst_room_ready(r);
        break;
    case EV_VOTED:
        if (fac && ++r->votes_seen == r->voters)
            room_enqueue(r, c, IN_REVEAL, 0);
        break;
    case EV_REVEALED:
        if (g.sc == SC_ROUNDS && c->player == r->card_by)
            room_enqueue(r, c, IN_NOTE, 0);
        if (g.sc == SC_BURST && ++r->seen == r->readers)
            burst_room_done(r);
        break;
    case EV_NOTED:
        if (g.sc == SC_ROUNDS && fac)
            room_enqueue(r, c, IN_NEXT, 0);
        break;
    case EV_CLOSED:
        if (g.sc == SC_ROUNDS && fac)
            room_enqueue(r, c, IN_START, 0);
        break;
    case EV_REOPENED:
        if (fac)
            r->votes_seen = 0;
        if (g.sc == SC_BURST && ++r->seen == r->readers)
            burst_room_ready(r);
        break;
    default: break;
    }
}

void on_setup_done(void)
{
    if (g.finished)
        return;
    if (g.sc == SC_CONNECT) {
        /* Some failures are a figure of the connect scenario; none made at all is a setup failure. */
        if (g.welcomed == 0) {
            FATAL("no connection could be made (%u failed)", g.failed);
            return;
        }
        begin_measure();
        uv_timer_start(&g.phase_timer, on_hold_over, (uint64_t)g.hold * 1000, 0);
        return;
    }
    if (g.failed) {
        FATAL("%u of %u connections failed during setup", g.failed, g.total);
        return;
    }
    /* Rooms start with a random part of a token, so that paced rooms are
     * spread over the interval instead of all sending in the same
     * millisecond (which measured the server's queue, not its latency). */
    uint64_t now = uv_hrtime();
    for (unsigned i = 0; i < g.rooms; i++) {
        room *r = &g.rooms_v[i];
        r->rtok_at = now;
        r->rtokens = 1.0 - (double)(rng_next() >> 11) / 9007199254740992.0;
    }
    for (unsigned i = 0; i < g.rooms; i++)
        room_enqueue(&g.rooms_v[i], &g.rooms_v[i].m[0], IN_START, 0);
}

void on_hard_timeout(uv_timer_t *t)
{
    g.timed_out = true;
    end_measure();
    if (g.exit_code == 0) {
        snprintf(g.why, sizeof g.why, "hard timeout after %u s (%s; %u of %u connections welcomed)", g.timeout,
                 !g.setup_done ? "during setup" : "during the run", g.welcomed, g.total);
        g.exit_code = 4;
    }
    finish();
}

/* Closes what is left: the timers (connections were closed by ws_abort). */
static void close_walk(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h) && h->type != UV_TCP)
        uv_close(h, NULL);
}

/* Ends the run: every connection says goodbye and every handle closes; the
 * loop then runs dry and main prints the report. */
void finish(void)
{
    if (g.finished)
        return;
    g.finished = true;
    g.stopping = true;
    for (unsigned i = 0; i < g.total; i++) {
        conn *c = &g.conns[i];
        ws_abort(&c->ws);
        if (c->state != CS_IDLE && c->state != CS_GONE)
            c->state = CS_CLOSING;
    }
    uv_walk(&g.loop, close_walk, NULL);
}
