/* sweep.c - memory and retention: rooms idle for --idle-minutes leave memory, logs quiet for --retain-days are deleted. */
#include <stdlib.h>
#include <string.h>

#include "ops/ops_log.h"

#include "rooms/rooms_internal.h"

/* Rooms named in one line of the sweep's report. */
#define ROOMS_REPORT_NAMES 8

/* Sends the rooms that have been idle for rs->idle_ms out of memory. Their
 * log holds all they are, so live_get_async loads them again when asked. */
static void sweep_idle(rooms *rs, uint64_t now)
{
    char names[ROOMS_REPORT_NAMES * (VP_ROOM_LEN + 1) + 1];
    size_t used = 0;
    unsigned gone = 0;

    names[0] = '\0';
    for (unsigned b = 0; b < ROOMS_BUCKETS; b++) {
        live_room *next;

        for (live_room *lr = rs->buckets[b]; lr; lr = next) {
            next = lr->next;
            if (live_attached(lr)) {
                lr->idle_since = 0;
                continue;
            }
            if (lr->idle_since == 0) {
                lr->idle_since = now;
                continue;
            }
            if (!live_quiet(lr) || now - lr->idle_since < rs->idle_ms)
                continue;
            if (gone < ROOMS_REPORT_NAMES) {
                if (gone)
                    names[used++] = ' ';
                memcpy(names + used, lr->code, VP_ROOM_LEN + 1);
                used += VP_ROOM_LEN;
            }
            gone++;
            live_free(lr);
        }
    }
    if (gone)
        ops_log(OPS_INFO, NULL, "%u idle room%s left memory (%s%s); %s load from the log when asked for", gone,
                gone == 1 ? "" : "s", names, gone > ROOMS_REPORT_NAMES ? " ..." : "",
                gone == 1 ? "it will" : "they will");
}

typedef struct retain_scan {
    rooms *rs;
    int64_t cutoff; /* a file last written before this is deleted */
    unsigned deleted;
    bool more; /* the batch was full: more wait */
} retain_scan;

static int retain_found(void *ud, const char *code, uint64_t size, int64_t mtime_ms)
{
    retain_scan *sc = ud;
    rooms *rs = sc->rs;
    live_room *lr;
    bool placeholder = false;

    (void)size;
    if (mtime_ms >= sc->cutoff || !rooms_code_valid(code))
        return 0;
    if (sc->deleted >= ROOMS_RETAIN_BATCH) {
        sc->more = true;
        return 1;
    }
    lr = live_lookup(rs, code);
    if (lr && !live_quiet(lr))
        return 0; /* in use now: its next write makes it recent */
    if (!lr) {
        /* A stand-in, so that a join or resume arriving while the file
         * goes finds the room deleted rather than loading it. */
        lr = live_new(rs, code);
        if (!lr)
            return 1;
        placeholder = true;
    }
    lr->purging = true;
    lr->busy = true;
    if (evlog_delete(rs->log, code, live_on_deleted, lr)) {
        if (placeholder) {
            live_free(lr);
        } else {
            lr->purging = false;
            lr->busy = false;
        }
        return 0;
    }
    sc->deleted++;
    return 0;
}

/* Deletes the logs that saw no activity for rs->retain_ms. */
void rooms_retain_check(rooms *rs)
{
    retain_scan sc = {rs, (int64_t)(rooms_now_ms() - rs->retain_ms), 0, false};
    int err;

    rs->next_retain = uv_now(rs->loop) + ROOMS_RETAIN_CHECK_MS;
    if (rs->retain_ms == 0 || rs->stopping)
        return;
    err = evlog_list_dir(rs->rooms_dir, retain_found, &sc);
    if (err)
        ops_log(OPS_WARN, NULL, "%s: cannot list the logs for --retain-days: %s", rs->rooms_dir, uv_strerror(err));
    if (sc.deleted)
        ops_log(OPS_INFO, NULL, "deleting %u room log%s without activity for %llu day%s", sc.deleted,
                sc.deleted == 1 ? "" : "s", (unsigned long long)(rs->retain_ms / (24ull * 3600 * 1000)),
                rs->retain_ms / (24ull * 3600 * 1000) == 1 ? "" : "s");
    if (sc.more)
        rs->next_retain = uv_now(rs->loop); /* the rest at the next sweep */
}

static void on_sweep(uv_timer_t *t)
{
    rooms *rs = t->data;
    uint64_t now = uv_now(rs->loop);

    if (rs->stopping)
        return;
    sweep_idle(rs, now);
    if (now >= rs->next_retain)
        rooms_retain_check(rs);
}

static uint64_t sweep_period(uint64_t idle_ms)
{
    uint64_t p = idle_ms / 4;

    return p < ROOMS_SWEEP_MIN_MS ? ROOMS_SWEEP_MIN_MS : p > ROOMS_SWEEP_MAX_MS ? ROOMS_SWEEP_MAX_MS : p;
}

void rooms_sweep_start(rooms *rs)
{
    uv_timer_init(rs->loop, &rs->sweep);
    rs->sweep.data = rs;
    rs->sweep_started = true;
    uv_timer_start(&rs->sweep, on_sweep, sweep_period(rs->idle_ms), sweep_period(rs->idle_ms));
}
