/* evlog_sync.c - the flushes each --sync mode promises: `batch`'s timer (per file or per filesystem) and the syncfs group commit of `always`. */
#include "log/evlog_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void on_batch_timer(uv_timer_t *timer);

int evlog_sync_parse(const char *text, enum evlog_sync *out)
{
    if (strcmp(text, "always") == 0)
        *out = EVLOG_SYNC_ALWAYS;
    else if (strcmp(text, "batch") == 0)
        *out = EVLOG_SYNC_BATCH;
    else if (strcmp(text, "none") == 0)
        *out = EVLOG_SYNC_NONE;
    else
        return UV_EINVAL;
    return 0;
}

const char *evlog_sync_name(enum evlog_sync sync)
{
    switch (sync) {
    case EVLOG_SYNC_ALWAYS: return "always";
    case EVLOG_SYNC_BATCH: return "batch";
    case EVLOG_SYNC_NONE: return "none";
    }
    return "unknown";
}

void evlog__set_dirty(struct evlog *log, struct evlog_file *f, bool dirty)
{
    if (f->dirty == dirty)
        return;
    f->dirty = dirty;
    if (dirty && log->dirty_count++ == 0)
        uv_timer_start(&log->batch_timer, on_batch_timer, EVLOG_BATCH_SYNC_MS, EVLOG_BATCH_SYNC_MS);
    else if (!dirty)
        log->dirty_count--;
}

/* `batch` with syncfs: the written files need no flush of their own; one
 * syncfs per tick covers them all, and never holds up a file's writes. */
void evlog__set_fs_dirty(struct evlog *log)
{
    log->fs_dirty = true;
    if (!uv_is_active((uv_handle_t *)&log->batch_timer))
        uv_timer_start(&log->batch_timer, on_batch_timer, EVLOG_BATCH_SYNC_MS, EVLOG_BATCH_SYNC_MS);
}

static void on_batch_timer(uv_timer_t *timer)
{
    struct evlog *log = timer->data;
    if (log->flush == EVLOG_FLUSH_SYNCFS) {
        if (!log->fs_dirty) {
            uv_timer_stop(timer);
            return;
        }
        log->fs_flush_due = true;
        evlog__syncfs_start(log);
        return;
    }
    if (log->dirty_count == 0) {
        uv_timer_stop(timer);
        return;
    }
    for (struct evlog_file *f = log->open_head; f; f = f->next) {
        if (f->dirty && !f->sync_wanted) {
            f->sync_wanted = true;
            if (!f->busy)
                evlog__ready_push(log, f);
        }
    }
    evlog__kick(log);
}

static void syncfs_work(uv_work_t *req)
{
    struct evlog *log = req->data;
    uint64_t t0 = uv_hrtime();
    log->syncfs_err = syncfs(log->dir_fd) == 0 ? 0 : -errno;
    log->syncfs_ns = uv_hrtime() - t0;
}

static void syncfs_done(uv_work_t *req, int status);

void evlog__syncfs_start(struct evlog *log)
{
    if (log->syncfs_busy)
        return;
    if (log->sync_next_group) {
        log->sync_group = log->sync_next_group;
        log->sync_next_group = NULL;
    } else if (log->fs_dirty && log->fs_flush_due) {
        log->fs_dirty = false;
        log->fs_flush_due = false;
    } else {
        return;
    }
    log->syncfs_busy = true;
    uv_queue_work(log->loop, &log->syncfs_work, syncfs_work, syncfs_done);
}

static void syncfs_done(uv_work_t *req, int status)
{
    struct evlog *log = req->data;
    struct evlog_file *f = log->sync_group;
    int err = log->syncfs_err;
    (void)status;

    log->syncfs_busy = false;
    log->sync_group = NULL;
    log->stats.syncs++;
    if (log->synced)
        log->synced(log->synced_ud, log->syncfs_ns);
    if (err != 0 && !f)
        evlog__warn(log, "evlog: %s: syncfs failed: %s", log->dir, uv_strerror(err));
    while (f) {
        struct evlog_file *next = f->sync_next;
        f->sync_next = NULL;
        f->busy = false;
        log->busy_count--;
        if (err == 0) {
            f->size = f->job.size_after;
            evlog__note_success(log);
        } else {
            /* Which file's data was lost is unknown: fail them all and cut
             * their unflushed records off. */
            f->truncate_wanted = true;
            evlog__note_failure(log, f, err, "syncfs", f->writing.records);
        }
        evlog__batch_finish(log, &f->writing, err);
        if (f->pending.count || f->truncate_wanted || f->delete_wanted || f->load_wanted ||
            (log->closing && f->fd >= 0))
            evlog__ready_push(log, f);
        /* A file that yielded its slot while its records waited for this
         * syncfs is closed: it is remembered (or freed) now. */
        evlog__file_settle(log, f);
        f = next;
    }
    evlog__syncfs_start(log);
    if (log->ready_head)
        evlog__kick(log);
    evlog__maybe_finish(log);
}
