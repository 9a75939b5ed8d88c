/* evlog_schedule.c - the loop side of the writer: once per loop turn, what each file's next job is and what goes to the pool; then settling a job's results (the waiters' callbacks, failures, what comes next). */
#include "log/evlog_internal.h"

#include <stdlib.h>

static void on_check(uv_check_t *check);
static void file_job_done(uv_work_t *req, int status);

void evlog__ready_push(struct evlog *log, struct evlog_file *f)
{
    if (f->on_ready)
        return;
    f->on_ready = true;
    f->ready_next = NULL;
    if (log->ready_tail)
        log->ready_tail->ready_next = f;
    else
        log->ready_head = f;
    log->ready_tail = f;
}

static void idle_noop(uv_idle_t *idle)
{
    (void)idle;
}

/* Asks for the scheduler to run at the end of this loop iteration (or the
 * next, when called from the check phase). */
void evlog__kick(struct evlog *log)
{
    if (log->kicked)
        return;
    log->kicked = true;
    uv_idle_start(&log->idle, idle_noop);
    uv_check_start(&log->check, on_check);
}

/* Failures are logged once, when they start, and once when they stop. */

void evlog__note_failure(struct evlog *log, struct evlog_file *f, int err, const char *stage, size_t records)
{
    log->stats.failed += records;
    if (!log->failing) {
        evlog__warn(log,
                    "evlog: %s/%s.log: %s failed: %s; the session log cannot be written, appends fail until writes "
                    "succeed again",
                    log->dir, f->room, stage, uv_strerror(err));
        log->failing = true;
        log->failed_since_warn = 0;
    }
    log->failed_since_warn += records;
}

void evlog__note_success(struct evlog *log)
{
    if (!log->failing)
        return;
    evlog__warn(log, "evlog: writes succeed again, the session log is written again (%llu records failed meanwhile)",
                (unsigned long long)log->failed_since_warn);
    log->failing = false;
}

/* Calls the waiters of the batch just written, with status. Callbacks may
 * append again (to this file too: that goes to `pending`). */
void evlog__batch_finish(struct evlog *log, struct evlog_batch *b, int status)
{
    struct evlog_waiter *w = b->waiters;
    size_t n = b->count;
    log->pending_bytes -= b->len;
    if (status == 0) {
        log->stats.appended += b->records;
        log->stats.bytes += b->len;
    }
    b->len = 0;
    b->records = 0;
    b->count = 0;
    b->waiters = NULL;
    b->waiters_cap = 0;
    if (b->cap > EVLOG_BATCH_KEEP) {
        free(b->bytes);
        b->bytes = NULL;
        b->cap = 0;
    }
    for (size_t i = 0; i < n; i++)
        if (w[i].done)
            w[i].done(w[i].ud, status);
    /* Keep the array for the next batch unless a callback made a new one. */
    if (b->waiters == NULL && n > 0) {
        b->waiters = w;
        b->waiters_cap = n;
        /* n may be below the real capacity; that only wastes a realloc. */
    } else {
        free(w);
    }
}

static void group_done(uv_work_t *req, int status)
{
    struct evlog_group *g = req->data;
    for (size_t i = 0; i < g->n; i++)
        file_job_done(&g->files[i].f->work, status);
    free(g);
}

static bool job_is_light(const struct evlog_file *f)
{
    return !f->job.sync && !f->job.load && !f->job.unlink;
}

void evlog__submit(struct evlog *log, struct evlog_file *f)
{
    f->busy = true;
    log->busy_count++;
    if (job_is_light(f)) {
        f->gather_next = log->gather_head;
        log->gather_head = f;
        log->gather_n++;
        return;
    }
    uv_queue_work(log->loop, &f->work, evlog__job_work, file_job_done);
}

/* Sends the gathered light jobs to the pool: one job for all of them (or
 * one each, should memory for the group be short). */
static void submit_gathered(struct evlog *log)
{
    struct evlog_file *f = log->gather_head;
    struct evlog_group *g = log->gather_n > 1 ? malloc(sizeof(*g) + log->gather_n * sizeof(g->files[0])) : NULL;

    log->gather_head = NULL;
    if (!g) {
        for (struct evlog_file *next; f; f = next) {
            next = f->gather_next;
            uv_queue_work(log->loop, &f->work, evlog__job_work, file_job_done);
        }
        log->gather_n = 0;
        return;
    }
    /* In the order they were gathered (the list is last-in first). */
    g->n = log->gather_n;
    for (size_t i = g->n; i > 0; i--, f = f->gather_next)
        g->files[i - 1].f = f;
    log->gather_n = 0;
    g->work.data = g;
    uv_queue_work(log->loop, &g->work, evlog__group_work, group_done);
}

/* Gives an idle file its next job. Returns false when it must wait for a
 * free slot under the open-file limit (it stays on the ready queue). */
static bool file_start(struct evlog *log, struct evlog_file *f, unsigned *waiting)
{
    evlog__clear_orders(f);
    if (f->delete_wanted) {
        f->job.close = f->fd >= 0;
        f->job.unlink = true;
        evlog__submit(log, f);
        return true;
    }
    if (f->load_wanted) {
        f->job.load = true;
        evlog__submit(log, f);
        return true;
    }
    if (f->fd < 0 && f->pending.count == 0 && !f->truncate_wanted) {
        /* A flush asked for a file that was closed meanwhile: closing flushed it. */
        f->sync_wanted = false;
        return true;
    }
    if (f->pending.count || f->truncate_wanted || f->sync_wanted) {
        if (f->fd < 0 && log->open_count >= log->open_max && f->pending.count) {
            /* The cache is full: write through a descriptor of the job's
             * own rather than wait a round trip for an eviction (with
             * more busy rooms than open files, that wait was most of
             * the latency). One eviction at a time lets the cache follow
             * the rooms that write most. */
            if (!log->evicting)
                evlog__evict_one(log);
            f->job.open = f->job.close = f->job.transient = true;
            log->stats.transient++;
        } else if (f->fd < 0) {
            if (log->open_count >= log->open_max) {
                /* Evict one file per waiting file, counting the evictions
                 * already under way, so a burst does not empty the cache. */
                (*waiting)++;
                if (*waiting > log->evicting)
                    evlog__evict_one(log);
                return false;
            }
            log->open_count++;
            f->job.open = true;
        }
        f->job.truncate = f->truncate_wanted;
        if (f->pending.count) {
            struct evlog_batch t = f->writing;
            f->writing = f->pending;
            f->pending = t;
            f->job.write = true;
        }
        f->job.sync = f->sync_wanted ||
                      (f->job.write && log->sync == EVLOG_SYNC_ALWAYS && log->flush == EVLOG_FLUSH_FDATASYNC) ||
                      (f->job.transient && log->sync == EVLOG_SYNC_BATCH && log->flush == EVLOG_FLUSH_FDATASYNC);
        if (!f->job.open && !f->job.transient && log->slot_waiting > log->evicting) {
            /* Other rooms wait for a slot: this one writes, then yields its
             * slot and queues behind them, so that busy rooms cannot keep
             * the open files to themselves. */
            f->job.close = true;
            f->job.evict = true;
            log->evicting++;
            if (log->sync == EVLOG_SYNC_BATCH && log->flush == EVLOG_FLUSH_FDATASYNC)
                f->job.sync = true;
        }
        evlog__submit(log, f);
        return true;
    }
    if (log->closing && f->fd >= 0) {
        f->job.close = true;
        f->job.sync = f->dirty;
        evlog__submit(log, f);
    }
    return true;
}

static void schedule(struct evlog *log)
{
    struct evlog_file *f = log->ready_head;
    unsigned waiting = 0;
    log->ready_head = log->ready_tail = NULL;
    while (f) {
        struct evlog_file *next = f->ready_next;
        f->on_ready = false;
        f->ready_next = NULL;
        if (!f->busy) {
            if (!file_start(log, f, &waiting)) {
                /* Counted: a room kept waiting is what starving looks like. */
                log->stats.slot_waits++;
                evlog__ready_push(log, f);
            } else {
                evlog__file_settle(log, f);
            }
        }
        f = next;
    }
    submit_gathered(log);
    log->slot_waiting = waiting;
    evlog__maybe_finish(log);
}

static void on_check(uv_check_t *check)
{
    struct evlog *log = check->data;
    log->kicked = false;
    uv_idle_stop(&log->idle);
    uv_check_stop(&log->check);
    schedule(log);
}

/* After a file's job: take the results, answer the waiters, and line up
 * what comes next. */
static void file_job_done(uv_work_t *req, int status)
{
    struct evlog_file *f = req->data;
    struct evlog *log = f->log;
    int err = f->job.err;
    (void)status; /* Jobs are never cancelled. */

    f->busy = false;
    log->busy_count--;
    if (f->job.flushed && log->synced)
        log->synced(log->synced_ud, f->job.sync_ns);
    if (f->job.note) {
        evlog__warn(log, "%s", f->job.note);
        free(f->job.note);
        f->job.note = NULL;
    }
    if (f->job.load) {
        evlog_load_cb done = f->load_done;
        if (err == 0) {
            f->known = true;
            f->size = f->job.size_after;
        } else if (err == UV_ENOENT) {
            f->known = false;
            f->size = 0;
        }
        f->load_wanted = false;
        f->load_done = NULL;
        struct evlog_contents *c = f->loaded;
        f->loaded = NULL;
        if (err != 0)
            c->count = 0;
        if (done)
            done(f->load_ud, err, c);
        evlog_contents_free(c);
        free(c);
    }
    if (f->job.transient) {
        /* Opened and closed again; never in the cache. */
        if (f->job.stored || f->job.truncated)
            f->known = true;
    } else if (f->job.open) {
        if (f->job.fd >= 0) {
            f->fd = f->job.fd;
            f->known = true;
            evlog__list_push_front(log, f, LIST_OPEN);
            log->stats.opens++;
        } else {
            log->open_count--;
        }
    }
    if ((f->job.close && !f->job.transient) || f->job.unlink) {
        if (f->fd >= 0)
            log->open_count--;
        f->fd = -1;
        evlog__list_remove(log, f);
        if (f->job.evict) {
            log->evicting--;
            log->stats.evictions++;
        }
    }
    if (f->job.flushed) {
        log->stats.syncs++;
        f->sync_wanted = false;
        evlog__set_dirty(log, f, false);
    }
    if (f->fd < 0) {
        /* A closed file was flushed on close (or is left to syncfs). */
        f->sync_wanted = false;
        evlog__set_dirty(log, f, false);
    }
    if (f->job.truncated)
        f->truncate_wanted = false;
    if (f->job.write) {
        log->stats.writes++;
        if (!f->job.stored) {
            /* The size stays at the last whole record; if a partial or
             * unflushed write could not be cut off, the next job cuts it
             * first (reopening the file if need be). */
            if (f->job.attempted && !f->job.undone)
                f->truncate_wanted = true;
            evlog__note_failure(log, f, err, f->job.stage, f->writing.records);
            evlog__batch_finish(log, &f->writing, err);
        } else if (log->sync == EVLOG_SYNC_ALWAYS && log->flush == EVLOG_FLUSH_SYNCFS) {
            /* Durable only once the next syncfs returns: stay busy until then. */
            f->busy = true;
            log->busy_count++;
            f->sync_next = log->sync_next_group;
            log->sync_next_group = f;
            evlog__syncfs_start(log);
            return;
        } else {
            f->size = f->job.size_after;
            if (log->sync == EVLOG_SYNC_BATCH && log->flush == EVLOG_FLUSH_SYNCFS)
                evlog__set_fs_dirty(log);
            else if (log->sync == EVLOG_SYNC_BATCH && !f->job.flushed && f->fd >= 0)
                evlog__set_dirty(log, f, true);
            evlog__note_success(log);
            evlog__batch_finish(log, &f->writing, 0);
        }
    } else if (err != 0 && f->job.stage && !f->job.load) {
        /* A flush, close or delete failed: nothing is waiting for it, so
         * the warning is all there is (a failed flush cannot be retried:
         * the kernel reports such an error once). A failed load is not
         * one: its caller hears the error and decides (a new room has no
         * file yet, and that is no failure). */
        evlog__warn(log, "evlog: %s/%s.log: %s failed: %s", log->dir, f->room, f->job.stage, uv_strerror(err));
    }
    if (f->job.unlink) {
        evlog_done_cb done = f->delete_done;
        f->known = false;
        f->size = 0;
        f->truncate_wanted = false;
        f->delete_wanted = false;
        f->delete_done = NULL;
        if (done)
            done(f->delete_ud, err);
    }
    bool truncate_failed = f->job.truncate && !f->job.truncated;
    if (f->truncate_wanted && log->closing && truncate_failed) {
        evlog__warn(log, "evlog: %s/%s.log: giving up cutting unacknowledged bytes at shutdown", log->dir, f->room);
        f->truncate_wanted = false;
    }
    /* A truncate that just failed is retried with the next append, not at
     * once (that would spin while the disk is failing). */
    if (f->pending.count || f->delete_wanted || f->load_wanted || (f->sync_wanted && f->fd >= 0) ||
        (f->truncate_wanted && !truncate_failed) || (log->closing && f->fd >= 0))
        evlog__ready_push(log, f);
    if (log->ready_head)
        evlog__kick(log);
    evlog__file_settle(log, f);
    evlog__maybe_finish(log);
}
