/* load.c - a room read from its log on the thread pool: on demand, again after a refused write, and the recent ones at start (recovery). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/record.h"
#include "ops/metrics.h"
#include "ops/ops_log.h"

#include "rooms/rooms_internal.h"

int rooms_log_path(const rooms *rs, const char *code, char *buf, size_t len)
{
    return evlog_room_path(rs->rooms_dir, code, buf, len) ? -1 : 0;
}

/* Folds one record into the room (record_each's callback). */
static int apply_record(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
    (void)i;
    if (game_apply(ud, e)) {
        snprintf(why, whylen, "%s does not fit the room", game_event_name(e->kind));
        return RECORD_BAD;
    }
    return 0;
}

/* Applies every record of c to lr's (new) room: the same decoding and
 * apply as live play. Returns 0, or -1 after saying which record failed
 * (the log is then left on disk as it is). */
static int live_apply_log(live_room *lr, const struct evlog_contents *c, const char *path)
{
    char line[1024];
    record_error bad;

    if (c->repaired || c->tail != EVLOG_TAIL_CLEAN) {
        evlog_contents_describe(c, path, line, sizeof(line));
        ops_log(OPS_WARN, lr->code, "%s", line);
    }
    if (record_each(c, apply_record, lr->r, &bad)) {
        ops_log(OPS_WARN, lr->code, "record %zu at offset %zu: %s; the room stays on disk as it is", bad.index + 1,
                bad.offset, bad.why);
        return -1;
    }
    return 0;
}

/* A member who went offline before the room left memory (a restart, or a
 * reload after the sweep) may still hold the table card's auto-reveal
 * (SPEC.md §3), but the timer that would end the hold went with the old
 * process: set it again, or the card waits for the room's next change.
 * Those going offline now get theirs from their presence event. */
static void live_rearm_holds(live_room *lr)
{
    uint64_t hold = lr->rs->env.away_hold_ms, now = rooms_now_ms();

    if (game_hold_ends(lr->r, hold) == 0)
        return;
    for (uint32_t id = 1; id <= room_members(lr->r); id++) {
        uint64_t since = room_member_away_since(lr->r, id);
        device *l;

        if (!room_member_present(lr->r, id) || since == 0 || since + hold <= now)
            continue;
        l = device_get(lr, id);
        if (l)
            device_start_hold(l, since);
    }
}

/* Nobody is attached to a room just loaded: whoever the log still has
 * online goes offline, logged, before anyone else is heard (ahead of
 * inputs that queued up while it loaded). */
static void live_mark_offline(live_room *lr)
{
    pending *head = lr->head, *tail = lr->tail;
    unsigned n = lr->n_pending;

    lr->head = lr->tail = NULL;
    lr->n_pending = 0;
    for (uint32_t id = 1; id <= room_members(lr->r); id++)
        if (room_member_present(lr->r, id) && room_member_online(lr->r, id))
            live_enqueue(lr, GAME_INPUT_OFFLINE, NULL, id, NULL, NULL, 0);
    live_rearm_holds(lr);
    if (head) {
        if (lr->tail)
            lr->tail->next = head;
        else
            lr->head = head;
        lr->tail = tail;
        lr->n_pending += n;
    }
}

/* One room's recovery load has finished (back: it stays in memory). */
static void recover_loaded(rooms *rs, bool back)
{
    rs->recover_back += back;
    if (--rs->recover_loads)
        return;
    {
        double s = (double)(uv_hrtime() - rs->recover_t0) / 1e9;

        metrics_recovery(s);
        ops_log(OPS_INFO, NULL, "%u room%s back from the log (recovery took %.0f ms)", rs->recover_back,
                rs->recover_back == 1 ? "" : "s", s * 1000.0);
    }
}

static void on_loaded(void *ud, int status, const struct evlog_contents *c)
{
    live_room *lr = ud;
    rooms *rs = lr->rs;
    char path[EVLOG_DIR_MAX + 64];
    bool recovering = lr->recovering;

    lr->loading = false;
    lr->busy = false;
    lr->recovering = false;
    if (rooms_log_path(rs, lr->code, path, sizeof(path)))
        path[0] = '\0';
    if (status && status != UV_ENOENT)
        ops_log(OPS_WARN, lr->code, "its log cannot be read (%s)", uv_strerror(status));
    if ((status && status != UV_ENOENT) || (status == 0 && live_apply_log(lr, c, path))) {
        /* Not a room anyone can use, nor a code to create anew. */
        live_refuse_pending(lr, VP_SERVER_BUSY, "This room's log cannot be read; the operator has been told.");
        live_free(lr);
        if (recovering)
            recover_loaded(rs, false);
        return;
    }
    lr->log_bytes = status == 0 ? c->valid_end : 0;
    if (room_exists(lr->r))
        live_mark_offline(lr);
    live_pump(lr);
    if (recovering) {
        /* Brought back at start: kept when still open and active
         * lately, or when someone is using it already. */
        bool back = room_exists(lr->r) && room_phase(lr->r) != GAME_CLOSED &&
                    room_last_at(lr->r) + rs->recover_window_ms >= rooms_now_ms();

        recover_loaded(rs, back);
        if (!back && !lr->busy && !lr->head && !live_attached(lr)) {
            live_free(lr); /* loads again on demand */
            return;
        }
        if (!back) {
            /* Still writing its members' presence: the next sweep
             * takes it once that is done, rather than after the
             * idle time, so that it does not hold a place meant
             * for the rooms in use. */
            uint64_t now = uv_now(rs->loop);

            lr->idle_since = now > rs->idle_ms ? now - rs->idle_ms : 1;
        }
    }
    /* A code with no log, whose queued inputs created nothing, is not kept. */
    if (!lr->busy && !lr->head && !room_exists(lr->r))
        live_free(lr);
}

/* Gives up on a room whose state cannot be trusted: its members are told
 * to try again (they resume, and the room is read from its log anew),
 * whatever waits is answered server_busy, and the room leaves memory. */
static void live_drop(live_room *lr, const char *why)
{
    ops_log(OPS_WARN, lr->code, "%s; the room is read from its log again when next used", why);
    for (uint32_t i = 1; i < lr->n_devices; i++) {
        device *l = lr->devices[i];

        if (l && l->conn) {
            net_conn_close(l->conn, NET_CLOSE_TRY_LATER, "try again");
            device_detach(l);
        }
    }
    live_refuse_pending(lr, VP_SERVER_BUSY, "The server cannot use this room right now; try again in a moment.");
    live_free(lr);
}

static void on_reloaded(void *ud, int status, const struct evlog_contents *c)
{
    live_room *lr = ud;
    char path[EVLOG_DIR_MAX + 64];

    lr->loading = false;
    lr->busy = false;
    if (rooms_log_path(lr->rs, lr->code, path, sizeof(path)))
        path[0] = '\0';
    if (status || live_apply_log(lr, c, path) || !room_exists(lr->r)) {
        live_drop(lr, "its log cannot be read back after a failed write");
        return;
    }
    lr->log_bytes = c->valid_end;
    live_pump(lr);
}

/* The log refused a batch whose events the room has applied already: the
 * room is read back from its log, which holds exactly what was answered
 * ok. Nobody saw the refused events, so the devices stay attached; inputs
 * wait until the room stands as its log left it. */
void live_reload(live_room *lr)
{
    room *fresh = room_new();

    if (!fresh) {
        live_drop(lr, "out of memory after a failed write");
        return;
    }
    room_free(lr->r);
    lr->r = fresh;
    lr->loading = true;
    lr->busy = true;
    if (evlog_load(lr->rs->log, lr->code, on_reloaded, lr)) {
        lr->loading = false;
        lr->busy = false;
        live_drop(lr, "its log cannot be read back after a failed write");
    }
}

/* The live room of code for a WebSocket input: in memory, or a new entry
 * whose log is read on the thread pool (the input waits in its queue and
 * is decided once the room stands as its log left it; with no log, a
 * `create` finds an empty room). A room that exists is loaded however
 * many are in memory: --max-rooms bounds new rooms (live_decide), and
 * whoever has a token for a room that left memory must get back in.
 * NULL when out of memory or the read cannot start. */
live_room *live_get_async(rooms *rs, const char *code)
{
    live_room *lr = live_lookup(rs, code);

    if (lr)
        return lr;
    lr = live_new(rs, code);
    if (!lr)
        return NULL;
    lr->loading = true;
    lr->busy = true; /* nothing is decided before the log is in */
    if (evlog_load(rs->log, code, on_loaded, lr)) {
        live_free(lr);
        return NULL;
    }
    return lr;
}

static int recover_found(void *ud, const char *code, uint64_t size, int64_t mtime_ms)
{
    rooms *rs = ud;
    live_room *lr;

    (void)size;
    /* A file last written before the window holds no recent event. */
    if (!rooms_code_valid(code) || mtime_ms < 0 || (uint64_t)mtime_ms + rs->recover_window_ms < rooms_now_ms() ||
        live_lookup(rs, code))
        return 0;
    if (rs->n_live >= rs->max_live)
        return 1; /* the rest load when asked for */
    lr = live_new(rs, code);
    if (!lr)
        return 1;
    lr->loading = true;
    lr->busy = true;
    lr->recovering = true;
    if (evlog_load(rs->log, code, on_loaded, lr)) {
        live_free(lr);
        return 0;
    }
    rs->recover_loads++;
    return 0;
}

/* Brings back the rooms that are still open and were active lately: their
 * logs are read on the thread pool like any other load, so the server
 * serves meanwhile (inputs for a room wait until it stands). Each member
 * is first marked offline (on_loaded). */
void rooms_recover(rooms *rs, uint64_t window_ms)
{
    int err;

    rs->recover_window_ms = window_ms;
    rs->recover_t0 = uv_hrtime();
    rs->recover_loads = 1; /* until the listing is done */
    err = evlog_list_dir(rs->rooms_dir, recover_found, rs);
    if (err && err != UV_ENOENT)
        ops_log(OPS_WARN, NULL, "%s: cannot list the logs to recover: %s", rs->rooms_dir, uv_strerror(err));
    if (rs->n_live >= rs->max_live)
        ops_log(OPS_WARN, NULL, "--max-rooms reached while recovering; the other rooms load when asked for");
    if (rs->recover_loads == 1) {
        /* Nothing to read: say so only through the metrics. */
        rs->recover_loads = 0;
        metrics_recovery((double)(uv_hrtime() - rs->recover_t0) / 1e9);
        return;
    }
    recover_loaded(rs, false);
}
