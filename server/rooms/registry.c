/* registry.c - the rooms in memory: lookup by code, open, stop and close; each member's device binding; what the HTTP API may ask. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/metrics.h"
#include "ops/ops_log.h"

#include "rooms/rooms_internal.h"

static unsigned bucket_of(const char *code)
{
    uint32_t h = 2166136261u;

    for (; *code; code++)
        h = (h ^ (uint8_t)*code) * 16777619u;
    return h % ROOMS_BUCKETS;
}

live_room *live_lookup(const rooms *rs, const char *code)
{
    live_room *lr = rs->buckets[bucket_of(code)];

    while (lr && strcmp(lr->code, code) != 0)
        lr = lr->next;
    return lr;
}

static shelf **shelf_find(rooms *rs, const char *code)
{
    shelf **pp = &rs->shelves[bucket_of(code)];

    while (*pp && memcmp((*pp)->code, code, VP_ROOM_LEN) != 0)
        pp = &(*pp)->next;
    return pp;
}

/* A room in memory (or gone) checks keys itself: its shelf goes. */
static void shelf_drop(rooms *rs, const char *code)
{
    shelf **pp = shelf_find(rs, code), *s = *pp;

    if (s) {
        *pp = s->next;
        free(s);
    }
}

/* lr leaves memory and its log stays: remember how to check its keys. Out
 * of memory, the room simply loads from its log when asked, as before. */
static void shelf_put(rooms *rs, const live_room *lr)
{
    shelf *s = *shelf_find(rs, lr->code);

    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s)
            return;
        memcpy(s->code, lr->code, VP_ROOM_LEN + 1);
        s->next = rs->shelves[bucket_of(lr->code)];
        rs->shelves[bucket_of(lr->code)] = s;
    }
    room_access_of(lr->r, &s->access);
}

bool rooms_shelf_refuses(rooms *rs, const char *code, const char *key, size_t key_len, const char *token,
                         size_t token_len)
{
    shelf *s;

    if (!rooms_code_valid(code))
        return false;
    s = *shelf_find(rs, code);
    return s && !room_access_check(&s->access, key, key_len, token, token_len);
}

live_room *live_new(rooms *rs, const char *code)
{
    live_room *lr = calloc(1, sizeof(*lr));
    unsigned b = bucket_of(code);

    if (!lr)
        return NULL;
    lr->r = room_new();
    if (!lr->r) {
        free(lr);
        return NULL;
    }
    lr->rs = rs;
    memcpy(lr->code, code, VP_ROOM_LEN + 1);
    shelf_drop(rs, code);
    lr->next = rs->buckets[b];
    rs->buckets[b] = lr;
    rs->n_live++;
    lr->idle_since = uv_now(rs->loop);
    return lr;
}

static void rooms_finish(rooms *rs)
{
    void (*done)(void *) = rs->closed;
    void *ud = rs->closed_ud;

    msgpack_sbuffer_destroy(&rs->pub);
    msgpack_sbuffer_destroy(&rs->body);
    msgpack_sbuffer_destroy(&rs->logged);
    for (uint32_t i = 0; i <= GAME_MAX_MEMBERS; i++)
        msgpack_sbuffer_destroy(&rs->own[i]);
    for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
        while (rs->shelves[b]) {
            shelf *s = rs->shelves[b];

            rs->shelves[b] = s->next;
            free(s);
        }
    free(rs);
    if (done)
        done(ud);
}

static void grace_closed(uv_handle_t *h)
{
    rooms *rs = h->data;

    free(h);
    if (--rs->closing_handles == 0 && rs->finishing)
        rooms_finish(rs);
}

/* Unhooks lr from the registry and frees it. Its members' connections must
 * be unbound already, and no decision may be in flight. */
void live_free(live_room *lr)
{
    rooms *rs = lr->rs;
    live_room **pp = &rs->buckets[bucket_of(lr->code)];

    while (*pp && *pp != lr)
        pp = &(*pp)->next;
    if (*pp)
        *pp = lr->next;
    rs->n_live--;
    if (room_exists(lr->r) && !lr->purging)
        shelf_put(rs, lr);
    while (lr->head) {
        pending *p = lr->head;

        lr->head = p->next;
        free(p);
    }
    for (uint32_t i = 0; i < lr->n_devices; i++) {
        device *l = lr->devices[i];

        if (!l)
            continue;
        if (l->conn)
            net_conn_set_user(l->conn, NULL);
        if (l->grace) {
            l->grace->data = rs;
            rs->closing_handles++;
            uv_close((uv_handle_t *)l->grace, grace_closed);
        }
        free(l);
    }
    free(lr->devices);
    room_free(lr->r);
    free(lr);
}

/* True when some member of lr has a device attached. */
bool live_attached(const live_room *lr)
{
    for (uint32_t i = 1; i < lr->n_devices; i++)
        if (lr->devices[i] && lr->devices[i]->conn)
            return true;
    return false;
}

/* True when lr may leave memory: nothing attached, nothing being decided
 * or logged, nothing waiting. Its state is then exactly its log's. */
bool live_quiet(const live_room *lr)
{
    return !lr->busy && !lr->purging && !lr->n_batch && !lr->head && !live_attached(lr);
}

device *device_get(live_room *lr, uint32_t member)
{
    device *l;

    if (member == 0 || member > GAME_MAX_MEMBERS)
        return NULL;
    if (live_device(lr, member))
        return lr->devices[member];
    if (member >= lr->n_devices) {
        /* 9 (a room of 8 members and the unused id 0), then doubling, at
         * most one per possible member. */
        uint32_t cap = lr->n_devices ? lr->n_devices : 9;
        device **grown;

        while (cap <= member)
            cap *= 2;
        if (cap > GAME_MAX_MEMBERS + 1)
            cap = GAME_MAX_MEMBERS + 1;
        grown = realloc(lr->devices, cap * sizeof(device *));
        if (!grown)
            return NULL;
        memset(grown + lr->n_devices, 0, (cap - lr->n_devices) * sizeof(device *));
        lr->devices = grown;
        lr->n_devices = cap;
    }
    l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->rs = lr->rs;
    l->lr = lr;
    l->member = member;
    lr->devices[member] = l;
    return l;
}

void device_detach(device *l)
{
    if (l->conn)
        net_conn_set_user(l->conn, NULL);
    l->conn = NULL;
}

/* l's timer (for its grace, then its hold), made when first needed; NULL
 * when out of memory. */
static uv_timer_t *device_timer(device *l)
{
    if (!l->grace) {
        l->grace = malloc(sizeof(*l->grace));
        if (!l->grace)
            return NULL;
        uv_timer_init(l->lr->rs->loop, l->grace);
        l->grace->data = l;
    }
    return l->grace;
}

/* The device of l is gone: after the grace period the member goes offline. */
void device_start_grace(device *l)
{
    if (l->lr->rs->stopping)
        return;
    if (!device_timer(l)) {
        /* The member then stays online until it resumes or the room
         * leaves memory: wrong, but only out of memory. */
        ops_log(OPS_WARN, l->lr->code, "out of memory: member %u stays online", (unsigned)l->member);
        return;
    }
    uv_timer_start(l->grace, device_on_grace, l->lr->rs->grace_ms, 0);
}

void device_stop_grace(device *l)
{
    if (l->grace)
        uv_timer_stop(l->grace);
}

/* The member of l went offline at ms (its presence event's time): when its
 * hold on the auto-reveal ends, the room decides again (SPEC.md §3). The
 * grace timer is free by then (it fired), and attaching stops it. */
void device_start_hold(device *l, uint64_t offline_at_ms)
{
    uint64_t ends = offline_at_ms + l->lr->rs->env.away_hold_ms, now = rooms_now_ms();

    /* A few ms late rather than early: the decision must see the hold over.
     * The timer counts from the loop's time: bring it up to now first. */
    uv_update_time(l->lr->rs->loop);
    /* Out of memory the hold ends at the room's next change instead. */
    if (!l->lr->rs->stopping && !l->conn && device_timer(l))
        uv_timer_start(l->grace, device_on_hold, (ends > now ? ends - now : 0) + ROOMS_HOLD_SLACK_MS, 0);
}

void device_attach(device *l, net_conn *c)
{
    device *prev = net_conn_get_user(c);

    if (prev == l)
        return;
    if (prev) { /* this connection resumes as another member */
        device_detach(prev);
        device_start_grace(prev);
    }
    if (l->conn && l->conn != c) {
        net_conn_set_user(l->conn, NULL);
        net_conn_close(l->conn, NET_CLOSE_REPLACED, "resumed on another device");
    }
    l->conn = c;
    net_conn_set_user(c, l);
    device_stop_grace(l);
}

/* ---- gauges for /metrics, read at each scrape ---- */

static double gauge_rooms_loaded(void *ud)
{
    const rooms *rs = ud;

    return rs->n_live;
}

static double gauge_rooms_live(void *ud)
{
    const rooms *rs = ud;
    unsigned n = 0;

    for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
        for (const live_room *lr = rs->buckets[b]; lr; lr = lr->next)
            n += live_attached(lr);
    return n;
}

static double gauge_members_online(void *ud)
{
    const rooms *rs = ud;
    unsigned n = 0;

    for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
        for (const live_room *lr = rs->buckets[b]; lr; lr = lr->next)
            for (uint32_t id = 1; room_exists(lr->r) && id <= room_members(lr->r); id++)
                n += room_member_present(lr->r, id) && room_member_online(lr->r, id);
    return n;
}

/* ---- open, stop, close ---- */

/* The session log's own warnings (a write failing and succeeding again, a
 * repaired tail, a failed flush) go out through the ops log like every
 * other line, never raw to standard error. */
static void rooms_log_warn(void *ud, const char *line)
{
    (void)ud;
    ops_log(OPS_WARN, NULL, "%s", line);
}

int rooms_open(uv_loop_t *loop, net_server *net, const rooms_config *cfg, rooms **out)
{
    rooms *rs = calloc(1, sizeof(*rs));
    struct evlog_options lo;
    net_handler h;
    int err;

    if (!rs) {
        ops_log(OPS_ERROR, NULL, "out of memory");
        return -1;
    }
    rs->loop = loop;
    rs->net = net;
    rs->grace_ms = cfg->grace_ms ? cfg->grace_ms : ROOMS_GRACE_MS;
    rs->env.away_hold_ms = cfg->away_hold_ms ? cfg->away_hold_ms : ROOMS_AWAY_HOLD_MS;
    rs->env.decks = rs->decks;
    if (snprintf(rs->rooms_dir, sizeof(rs->rooms_dir), "%s/rooms", cfg->data_dir) >= (int)sizeof(rs->rooms_dir)) {
        ops_log(OPS_ERROR, NULL, "the data directory's path is too long");
        goto fail;
    }
    if (rooms_decks_load(rs, cfg->decks_dir) || rooms_stored_load(rs, cfg->data_dir, cfg->max_stored_decks))
        goto fail;

    memset(&lo, 0, sizeof(lo));
    lo.dir = rs->rooms_dir;
    lo.sync = cfg->sync;
    /* One syncfs(2) per batch flushes every room's file at once: measured
     * 2-3x the events/s of one fdatasync per file (server/log/README.md). */
    lo.flush = EVLOG_FLUSH_SYNCFS;
    lo.synced = metrics_log_synced_ns;
    lo.warn = rooms_log_warn;
    err = evlog_open(loop, &lo, &rs->log);
    if (err) {
        ops_log(OPS_ERROR, NULL, "cannot open the session log in %s: %s", rs->rooms_dir, uv_strerror(err));
        goto fail;
    }
    /* Old logs go first (their stand-ins keep recover from loading them). */
    rs->idle_ms = cfg->idle_ms ? cfg->idle_ms : ROOMS_IDLE_MS_DEFAULT;
    rs->max_live = cfg->max_rooms && cfg->max_rooms < ROOMS_LIVE_MAX ? cfg->max_rooms : ROOMS_LIVE_MAX;
    rs->log_max = cfg->max_log_bytes ? cfg->max_log_bytes : ROOMS_LOG_MAX_DEFAULT;
    rs->retain_ms = cfg->retain_ms;
    rooms_retain_check(rs);
    metrics_watch_evlog(rs->log);
    rooms_recover(rs, cfg->recover_window_ms);
    metrics_verrijk_source(METRICS_SRC_ROOMS_LOADED, gauge_rooms_loaded, rs);
    metrics_verrijk_source(METRICS_SRC_ROOMS_LIVE, gauge_rooms_live, rs);
    metrics_verrijk_source(METRICS_SRC_MEMBERS_ONLINE, gauge_members_online, rs);
    rooms_sweep_start(rs);

    memset(&h, 0, sizeof(h));
    h.ud = rs;
    h.on_open = rooms_on_open;
    h.on_intent = rooms_on_intent;
    h.on_close = rooms_on_close;
    net_server_set_handler(net, &h);
    *out = rs;
    return 0;
fail:
    /* Nothing is attached yet: closing now needs no running loop but the
     * log's own handles, which rooms_close's caller's loop run closes. */
    if (rs->log) {
        rooms_close(rs, NULL, NULL);
        uv_run(loop, UV_RUN_DEFAULT);
    } else {
        rooms_decks_free(rs);
        free(rs);
    }
    return -1;
}

void rooms_stop(rooms *rs)
{
    rs->stopping = true;
    if (rs->sweep_started)
        uv_timer_stop(&rs->sweep);
    for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
        for (live_room *lr = rs->buckets[b]; lr; lr = lr->next)
            for (uint32_t i = 0; i < lr->n_devices; i++)
                if (lr->devices[i])
                    device_stop_grace(lr->devices[i]);
}

static void sweep_closed(uv_handle_t *h)
{
    rooms *rs = h->data;

    if (--rs->closing_handles == 0 && rs->finishing)
        rooms_finish(rs);
}

static void on_log_closed(void *ud)
{
    rooms *rs = ud;

    rs->log = NULL;
    if (rs->sweep_started) {
        rs->sweep_started = false;
        rs->closing_handles++;
        uv_close((uv_handle_t *)&rs->sweep, sweep_closed);
    }
    /* Every append has been answered; the rooms can go. */
    for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
        while (rs->buckets[b]) {
            live_room *lr = rs->buckets[b];

            /* live_free unhooks lr from this very bucket; the analyzer
             * cannot see that lr's code hashes to b. */
            if (lr->busy && !lr->purging) /* NOLINT(clang-analyzer-unix.Malloc) */
                live_done(lr);
            live_free(lr);
        }
    rooms_decks_free(rs);
    rs->finishing = true;
    if (rs->closing_handles == 0)
        rooms_finish(rs); /* else the last device_closed does */
}

void rooms_close(rooms *rs, void (*done)(void *ud), void *ud)
{
    rs->stopping = true;
    rs->closed = done;
    rs->closed_ud = ud;
    metrics_watch_evlog(NULL);
    metrics_verrijk_source(METRICS_SRC_ROOMS_LOADED, NULL, NULL);
    metrics_verrijk_source(METRICS_SRC_ROOMS_LIVE, NULL, NULL);
    metrics_verrijk_source(METRICS_SRC_MEMBERS_ONLINE, NULL, NULL);
    evlog_close(rs->log, on_log_closed, rs);
}

/* ---- for the HTTP API ---- */

const room *rooms_live(rooms *rs, const char *code, bool *gone)
{
    const live_room *lr = rooms_code_valid(code) ? live_lookup(rs, code) : NULL;

    *gone = lr && lr->purging;
    return lr && !lr->purging && !lr->loading && room_exists(lr->r) ? lr->r : NULL;
}
