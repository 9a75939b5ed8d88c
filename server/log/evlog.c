/* evlog.c - the session-log writer's public face: opening and closing the log, queueing appends, deletes and loads, the stats. */
#include "log/evlog_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Messages. */

void evlog__warn(struct evlog *log, const char *fmt, ...)
{
    char line[EVLOG_DIR_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (log->warn)
        log->warn(log->warn_ud, line);
    else
        fprintf(stderr, "%s\n", line);
}

bool evlog_room_valid(const char *room)
{
    size_t n = 0;
    if (!room)
        return false;
    for (; room[n]; n++) {
        char c = room[n];
        if (n >= EVLOG_ROOM_CODE_MAX || !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return n > 0;
}

int evlog_room_path(const char *dir, const char *room, char *out, size_t cap)
{
    if (!evlog_room_valid(room))
        return UV_EINVAL;
    int n = snprintf(out, cap, "%s/%s.log", dir, room);
    if (n < 0 || (size_t)n >= cap)
        return UV_ENAMETOOLONG;
    return 0;
}

/* Batches. */

/* Appends records and one waiter for them all, or nothing (UV_ENOMEM).
 * The caller has checked the limits. */
static int batch_add(struct evlog_batch *b, const struct evlog_payload *payloads, size_t n, size_t bytes,
                     evlog_done_cb done, void *ud)
{
    size_t need = b->len + bytes;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < need)
            cap *= 2;
        uint8_t *p = realloc(b->bytes, cap);
        if (!p)
            return UV_ENOMEM;
        b->bytes = p;
        b->cap = cap;
    }
    if (b->count == b->waiters_cap) {
        size_t cap = b->waiters_cap ? b->waiters_cap * 2 : 16;
        struct evlog_waiter *w = realloc(b->waiters, cap * sizeof(*w));
        if (!w)
            return UV_ENOMEM;
        b->waiters = w;
        b->waiters_cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        b->len += evlog_record_encode(b->bytes + b->len, b->cap - b->len, payloads[i].bytes, payloads[i].len);
    b->records += n;
    b->waiters[b->count].done = done;
    b->waiters[b->count].ud = ud;
    b->count++;
    return 0;
}

/* Opening and closing the log. */

static void on_handle_closed(uv_handle_t *handle)
{
    struct evlog *log = handle->data;
    if (--log->handles_open > 0)
        return;
    for (unsigned i = 0; i < EVLOG_HASH_BUCKETS; i++)
        while (log->table[i])
            evlog__file_free(log, log->table[i]);
    if (log->dir_fd >= 0)
        close(log->dir_fd);
    void (*closed)(void *) = log->closed;
    void *ud = log->closed_ud;
    free(log);
    if (closed)
        closed(ud);
}

void evlog__maybe_finish(struct evlog *log)
{
    if (!log->closing || log->handles_open > 0 || log->busy_count > 0 || log->syncfs_busy || log->open_count > 0 ||
        log->ready_head || log->pending_bytes > 0)
        return;
    if (log->fs_dirty) {
        /* The last flush before the files are left to the kernel. */
        log->fs_flush_due = true;
        evlog__syncfs_start(log);
        return;
    }
    uv_idle_stop(&log->idle);
    uv_check_stop(&log->check);
    uv_timer_stop(&log->batch_timer);
    log->handles_open = 3;
    uv_close((uv_handle_t *)&log->idle, on_handle_closed);
    uv_close((uv_handle_t *)&log->check, on_handle_closed);
    uv_close((uv_handle_t *)&log->batch_timer, on_handle_closed);
}

int evlog_open(uv_loop_t *loop, const struct evlog_options *options, struct evlog **out)
{
    struct evlog *log = NULL;
    int err;
    size_t dlen = strlen(options->dir);

    *out = NULL;
    if (dlen == 0 || dlen >= EVLOG_DIR_MAX)
        return UV_ENAMETOOLONG;
    if (options->open_files > EVLOG_OPEN_FILES_MAX)
        return UV_EINVAL;
    log = calloc(1, sizeof(*log));
    if (!log)
        return UV_ENOMEM;
    log->loop = loop;
    memcpy(log->dir, options->dir, dlen + 1);
    log->dir_fd = -1;
    log->sync = options->sync;
    log->flush = options->flush;
    log->open_max = options->open_files ? options->open_files : EVLOG_OPEN_FILES_DEFAULT;
    log->warn = options->warn;
    log->warn_ud = options->warn_ud;
    log->synced = options->synced;
    log->synced_ud = options->synced_ud;

    /* Create the directory and any missing parent (DATA/rooms). */
    for (char *p = log->dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        int r = mkdir(log->dir, 0700);
        *p = c;
        if (r != 0 && errno != EEXIST) {
            err = -errno;
            goto fail;
        }
        if (c == '\0')
            break;
    }
    log->dir_fd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (log->dir_fd < 0) {
        err = -errno;
        goto fail;
    }
    /* Two writers appending to the same files would interleave records:
     * one writer per directory, held until evlog_close. */
    if (flock(log->dir_fd, LOCK_EX | LOCK_NB) != 0) {
        err = errno == EWOULDBLOCK ? UV_EBUSY : -errno;
        goto fail;
    }
    uv_idle_init(loop, &log->idle);
    uv_check_init(loop, &log->check);
    uv_timer_init(loop, &log->batch_timer);
    log->idle.data = log;
    log->check.data = log;
    log->batch_timer.data = log;
    log->syncfs_work.data = log;
    *out = log;
    return 0;

fail:
    if (log->dir_fd >= 0)
        close(log->dir_fd);
    free(log);
    return err;
}

void evlog_close(struct evlog *log, void (*closed)(void *ud), void *ud)
{
    if (log->closing)
        return;
    log->closing = true;
    log->closed = closed;
    log->closed_ud = ud;
    for (struct evlog_file *f = log->open_head; f; f = f->next)
        if (!f->busy)
            evlog__ready_push(log, f);
    evlog__kick(log);
}

int evlog_appendv(struct evlog *log, const char *room, const struct evlog_payload *payloads, size_t n,
                  evlog_done_cb done, void *ud)
{
    size_t bytes = 0;
    if (log->closing)
        return UV_ECANCELED;
    if (!evlog_room_valid(room) || !payloads || n == 0 || n > EVLOG_FILE_PENDING_RECORDS_MAX)
        return UV_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!payloads[i].bytes || payloads[i].len == 0 || payloads[i].len > EVLOG_RECORD_MAX)
            return UV_EINVAL;
        bytes += evlog_record_size(payloads[i].len);
        if (bytes > EVLOG_FILE_PENDING_MAX)
            return UV_ENOBUFS;
    }
    if (log->pending_bytes + bytes > EVLOG_PENDING_MAX)
        return UV_ENOBUFS;
    struct evlog_file *f = evlog__file_get(log, room);
    if (!f)
        return UV_ENOMEM;
    if (f->pending.len + bytes > EVLOG_FILE_PENDING_MAX || f->pending.records + n > EVLOG_FILE_PENDING_RECORDS_MAX) {
        evlog__file_settle(log, f);
        return UV_ENOBUFS;
    }
    int err = batch_add(&f->pending, payloads, n, bytes, done, ud);
    if (err != 0) {
        evlog__file_settle(log, f);
        return err;
    }
    log->pending_bytes += bytes;
    if (f->list == LIST_REMEMBERED)
        evlog__list_remove(log, f);
    else if (f->list == LIST_OPEN)
        evlog__list_push_front(log, f, LIST_OPEN);
    if (!f->busy)
        evlog__ready_push(log, f);
    evlog__kick(log);
    return 0;
}

int evlog_append(struct evlog *log, const char *room, const void *payload, size_t len, evlog_done_cb done, void *ud)
{
    struct evlog_payload one = {.bytes = payload, .len = len};
    return evlog_appendv(log, room, &one, 1, done, ud);
}

/* The room's file for a whole-file job (delete, load): one with nothing
 * pending or in flight. Returns 0 and *out, or the error to answer. */
static int file_for_job(struct evlog *log, const char *room, struct evlog_file **out)
{
    if (log->closing)
        return UV_ECANCELED;
    if (!evlog_room_valid(room))
        return UV_EINVAL;
    struct evlog_file *f = evlog__file_get(log, room);
    if (!f)
        return UV_ENOMEM;
    if (f->pending.count || f->writing.count || f->delete_wanted || f->load_wanted)
        return UV_EBUSY;
    *out = f;
    return 0;
}

int evlog_delete(struct evlog *log, const char *room, evlog_done_cb done, void *ud)
{
    struct evlog_file *f;
    int err = file_for_job(log, room, &f);
    if (err)
        return err;
    if (f->list == LIST_REMEMBERED)
        evlog__list_remove(log, f);
    f->delete_wanted = true;
    f->delete_done = done;
    f->delete_ud = ud;
    if (!f->busy)
        evlog__ready_push(log, f);
    evlog__kick(log);
    return 0;
}

int evlog_load(struct evlog *log, const char *room, evlog_load_cb done, void *ud)
{
    struct evlog_file *f;
    int err = file_for_job(log, room, &f);
    if (err)
        return err;
    f->loaded = calloc(1, sizeof(*f->loaded));
    if (!f->loaded) {
        evlog__file_settle(log, f);
        return UV_ENOMEM;
    }
    if (f->list == LIST_REMEMBERED)
        evlog__list_remove(log, f);
    f->load_wanted = true;
    f->load_done = done;
    f->load_ud = ud;
    if (!f->busy)
        evlog__ready_push(log, f);
    evlog__kick(log);
    return 0;
}

void evlog_get_stats(const struct evlog *log, struct evlog_stats *out)
{
    *out = log->stats;
    out->open_files = log->open_count;
    out->pending_bytes = log->pending_bytes;
}
