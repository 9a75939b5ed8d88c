/* evlog_internal.h - what the files of the session-log writer share: a file's state and its job, the writer's state, and the functions one file offers the others.
 *
 * Only the writer's files include this; everyone else sees evlog.h. Private
 * functions are named evlog__* (libuv's uv__ convention), so they never
 * pass for the public API. The writer's files, one job each:
 *   evlog.c           the public face: open, append, delete, load, close, stats
 *   evlog_files.c     the files the writer knows: the room table, the open
 *                     files in LRU order and their eviction, remembered lengths
 *   evlog_schedule.c  the loop side: what is queued for the pool each loop
 *                     turn, and settling a job's results (callbacks, failures)
 *   evlog_job.c       the pool side: open, check, truncate, write, flush,
 *                     close, unlink and load, off the loop
 *   evlog_sync.c      the flushes the sync modes promise: `batch`'s timer and
 *                     the syncfs group commit
 *
 * Threads: everything runs on the loop thread except evlog_job.c's
 * functions and syncfs_work, which run on libuv's thread pool while their
 * file is `busy` (or the syncfs is in flight); they touch only the job's
 * fields, the batch being written and fd/size, which the loop leaves alone
 * until the job's after-work callback. */
#ifndef VERRIJK_LOG_EVLOG_INTERNAL_H
#define VERRIJK_LOG_EVLOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "log/evlog.h"

/* Buckets of the room table; chains stay short because the table only
 * holds open files, files with work, and EVLOG_REMEMBERED_MAX closed ones. */
#define EVLOG_HASH_BUCKETS 1024

/* A batch buffer larger than this is freed once written rather than kept
 * for the next batch: a room that once wrote a big `created` event must not
 * hold megabytes while it idles with its file open. */
#define EVLOG_BATCH_KEEP 4096u

/* The room code plus ".log" and a terminator. */
#define EVLOG_NAME_MAX (EVLOG_ROOM_CODE_MAX + 8)

struct evlog_waiter {
    evlog_done_cb done;
    void *ud;
};

/* Records queued for one file, contiguous so that a batch is one write,
 * and their waiters (one per evlog_appendv call). */
struct evlog_batch {
    uint8_t *bytes;
    size_t len, cap;
    size_t records;
    struct evlog_waiter *waiters;
    size_t count, waiters_cap;
};

/* Which list a file is on: open files in LRU order, or closed files whose
 * length is remembered. A file with neither is about to be freed or has
 * never been opened. */
enum evlog_list { LIST_NONE, LIST_OPEN, LIST_REMEMBERED };

struct evlog_file {
    uv_work_t work;                 /* the one job this file may have in flight */
    struct evlog_file *gather_next; /* in log->gather_head, until submitted */
    struct evlog *log;
    char room[EVLOG_ROOM_CODE_MAX + 1];
    struct evlog_file *hash_next;
    struct evlog_file *prev, *next; /* on `list` */
    enum evlog_list list;
    struct evlog_file *ready_next; /* on the log's ready queue */
    bool on_ready;
    struct evlog_file *sync_next; /* in a syncfs group */

    int fd;               /* -1 when closed */
    bool known;           /* size is known from an earlier open */
    uint64_t size;        /* end of the last whole record on disk */
    bool busy;            /* a job or a syncfs is in flight */
    bool dirty;           /* written since the last flush */
    bool sync_wanted;     /* `batch`: the timer asks for a flush */
    bool truncate_wanted; /* records on disk past size must go */
    bool delete_wanted;
    evlog_done_cb delete_done;
    void *delete_ud;
    bool load_wanted;
    evlog_load_cb load_done;
    void *load_ud;
    struct evlog_contents *loaded; /* filled by a load job, allocated for it */

    struct evlog_batch pending; /* queued, not yet handed to a job */
    struct evlog_batch writing; /* being written by the job */

    /* The job's orders (set on the loop thread before queueing) and results
     * (set on the pool thread, read back in the after-work callback). */
    struct {
        bool open, load, truncate, write, sync, close, unlink, evict;
        /* Opened, written and closed in this one job, outside the cache
         * of open files (which is full): it holds a descriptor only while
         * a pool thread runs it, so at most one per pool thread. */
        bool transient;
        int err;
        const char *stage; /* what failed, for the warning */
        bool created;
        int fd;              /* the fd after the job, -1 when closed */
        uint64_t size_after; /* file length after the write */
        bool attempted;      /* the write was tried (the file was open) */
        bool stored;         /* the write (and its ordered flush) succeeded */
        bool undone;         /* a failed write was cut back off */
        bool truncated;      /* the ordered truncate succeeded */
        bool flushed;        /* the ordered fdatasync ran (whatever it returned) */
        uint64_t sync_ns;    /* how long that fdatasync took */
        /* A warning for the loop to print (a cut tail, a file that is no
         * log), allocated by the job when it has one: rare, and a buffer
         * for it in every room's file was 1.3 KiB of each room. */
        char *note;
    } job;
};

struct evlog {
    uv_loop_t *loop;
    char dir[EVLOG_DIR_MAX];
    int dir_fd;
    enum evlog_sync sync;
    enum evlog_flush flush;
    unsigned open_max;
    void (*warn)(void *ud, const char *line);
    void *warn_ud;
    void (*synced)(void *ud, uint64_t ns);
    void *synced_ud;

    struct evlog_file *table[EVLOG_HASH_BUCKETS];
    /* Open files, most recently used first; remembered closed files. */
    struct evlog_file *open_head, *open_tail;
    struct evlog_file *remembered_head, *remembered_tail;
    unsigned remembered;
    unsigned open_count;   /* open or being opened */
    unsigned evicting;     /* close jobs in flight for the LRU */
    unsigned slot_waiting; /* files that found no free slot in the last pass */
    unsigned busy_count;
    unsigned dirty_count;
    size_t pending_bytes;

    struct evlog_file *ready_head, *ready_tail;
    /* Light jobs gathered by one schedule(), run as one pool job. */
    struct evlog_file *gather_head;
    size_t gather_n;

    /* `always` with syncfs: the files whose writes wait for the next syncfs,
     * and those of the syncfs in flight. */
    struct evlog_file *sync_next_group;
    struct evlog_file *sync_group;
    bool syncfs_busy;
    uint64_t syncfs_ns; /* how long the last syncfs took */
    uv_work_t syncfs_work;
    int syncfs_err;
    /* `batch` with syncfs: something was written since the last syncfs, and
     * the timer says one is due. */
    bool fs_dirty;
    bool fs_flush_due;

    uv_idle_t idle;   /* keeps the loop from sleeping while work is queued */
    uv_check_t check; /* runs the scheduler once per iteration */
    uv_timer_t batch_timer;
    bool kicked;
    bool failing; /* writes fail; warned once */
    uint64_t failed_since_warn;

    bool closing;
    unsigned handles_open;
    void (*closed)(void *ud);
    void *closed_ud;

    struct evlog_stats stats;
};

/* Jobs that only open, write, truncate or close files, gathered during
 * one schedule() and run as ONE job on the pool, one file after the
 * other: a round trip through the pool (a futex wake, a context switch,
 * an async wake-up of the loop) costs more than a small pwrite, and busy
 * servers have hundreds of these per loop turn. A job that flushes or
 * reads keeps a pool job of its own, so that flushes still run in
 * parallel. */
struct evlog_group {
    uv_work_t work;
    size_t n;
    struct evlog_group_file {
        struct evlog_file *f;
    } files[];
};

/* evlog.c */

/* Reports one line through the warn callback (or standard error). */
void evlog__warn(struct evlog *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Once closing and nothing is left to do: closes the handles, then frees. */
void evlog__maybe_finish(struct evlog *log);

/* evlog_files.c */

/* The room's file, found or made (NULL: out of memory). */
struct evlog_file *evlog__file_get(struct evlog *log, const char *room);
void evlog__file_free(struct evlog *log, struct evlog_file *f);
/* A file with nothing left to do and no fd: remembered or freed. */
void evlog__file_settle(struct evlog *log, struct evlog_file *f);
void evlog__list_remove(struct evlog *log, struct evlog_file *f);
void evlog__list_push_front(struct evlog *log, struct evlog_file *f, enum evlog_list which);
bool evlog__evict_one(struct evlog *log);

/* evlog_schedule.c */

/* Runs the scheduler at the end of this loop iteration. */
void evlog__kick(struct evlog *log);
/* Queues an idle file for the scheduler (once). */
void evlog__ready_push(struct evlog *log, struct evlog_file *f);
/* Marks the file busy and sends its job to the pool (gathered if light). */
void evlog__submit(struct evlog *log, struct evlog_file *f);
void evlog__batch_finish(struct evlog *log, struct evlog_batch *b, int status);
void evlog__note_failure(struct evlog *log, struct evlog_file *f, int err, const char *stage, size_t records);
void evlog__note_success(struct evlog *log);

/* evlog_job.c: run on the pool. */

void evlog__job_work(uv_work_t *req);
void evlog__group_work(uv_work_t *req);

/* evlog_sync.c */

/* `batch` with fdatasync: the file was written since its last flush (or not). */
void evlog__set_dirty(struct evlog *log, struct evlog_file *f, bool dirty);
/* `batch` with syncfs: something was written since the last syncfs. */
void evlog__set_fs_dirty(struct evlog *log);
/* Starts a syncfs if one is due and none is in flight. */
void evlog__syncfs_start(struct evlog *log);

/* The orders of the file's next job, all off. */
static inline void evlog__clear_orders(struct evlog_file *f)
{
    f->job.open = f->job.load = f->job.truncate = f->job.write = f->job.sync = false;
    f->job.close = f->job.unlink = f->job.evict = f->job.transient = false;
}

#endif
