/* The session-log writer: one append-only file per room, group commit on libuv's thread pool, a bounded set of open files. */
#include "log/evlog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Buckets of the room table; chains stay short because the table only
 * holds open files, files with work, and EVLOG_REMEMBERED_MAX closed ones. */
#define EVLOG_HASH_BUCKETS 1024

/* A batch buffer larger than this is freed once written rather than kept
 * for the next batch: a room that once wrote a big `created` event must not
 * hold megabytes while it idles with its file open. */
#define EVLOG_BATCH_KEEP (64u * 1024)

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
    uv_work_t work;             /* the one job this file may have in flight */
    struct evlog_file *gather_next; /* in log->gather_head, until submitted */
    struct evlog *log;
    char room[EVLOG_ROOM_CODE_MAX + 1];
    struct evlog_file *hash_next;
    struct evlog_file *prev, *next;     /* on `list` */
    enum evlog_list list;
    struct evlog_file *ready_next;      /* on the log's ready queue */
    bool on_ready;
    struct evlog_file *sync_next;       /* in a syncfs group */

    int fd;                     /* -1 when closed */
    bool known;                 /* size is known from an earlier open */
    uint64_t size;              /* end of the last whole record on disk */
    bool busy;                  /* a job or a syncfs is in flight */
    bool dirty;                 /* written since the last flush */
    bool sync_wanted;           /* `batch`: the timer asks for a flush */
    bool truncate_wanted;       /* records on disk past size must go */
    bool delete_wanted;
    evlog_done_cb delete_done;
    void *delete_ud;
    bool load_wanted;
    evlog_load_cb load_done;
    void *load_ud;
    struct evlog_contents *loaded;      /* filled by a load job, allocated for it */

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
        const char *stage;      /* what failed, for the warning */
        bool created;
        int fd;                 /* the fd after the job, -1 when closed */
        uint64_t size_after;    /* file length after the write */
        bool attempted;         /* the write was tried (the file was open) */
        bool stored;            /* the write (and its ordered flush) succeeded */
        bool undone;            /* a failed write was cut back off */
        bool truncated;         /* the ordered truncate succeeded */
        bool flushed;           /* the ordered fdatasync ran (whatever it returned) */
        uint64_t sync_ns;       /* how long that fdatasync took */
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
    unsigned open_count;        /* open or being opened */
    unsigned evicting;          /* close jobs in flight for the LRU */
    unsigned slot_waiting;      /* files that found no free slot in the last pass */
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
    uint64_t syncfs_ns;         /* how long the last syncfs took */
    uv_work_t syncfs_work;
    int syncfs_err;
    /* `batch` with syncfs: something was written since the last syncfs, and
     * the timer says one is due. */
    bool fs_dirty;
    bool fs_flush_due;

    uv_idle_t idle;             /* keeps the loop from sleeping while work is queued */
    uv_check_t check;           /* runs the scheduler once per iteration */
    uv_timer_t batch_timer;
    bool kicked;
    bool failing;               /* writes fail; warned once */
    uint64_t failed_since_warn;

    bool closing;
    unsigned handles_open;
    void (*closed)(void *ud);
    void *closed_ud;

    struct evlog_stats stats;
};

static void on_check(uv_check_t *check);
static void file_job_work(uv_work_t *req);
static void file_job_done(uv_work_t *req, int status);
static void on_batch_timer(uv_timer_t *timer);
static void maybe_finish(struct evlog *log);

/* Messages. */

static void warnf(struct evlog *log, const char *fmt, ...)
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

/* Names and codes. */

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

static void batch_free(struct evlog_batch *b)
{
    free(b->bytes);
    free(b->waiters);
    memset(b, 0, sizeof(*b));
}

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

/* Lists. */

static void list_remove(struct evlog *log, struct evlog_file *f)
{
    struct evlog_file **head, **tail;
    if (f->list == LIST_NONE)
        return;
    if (f->list == LIST_OPEN) {
        head = &log->open_head;
        tail = &log->open_tail;
    } else {
        head = &log->remembered_head;
        tail = &log->remembered_tail;
        log->remembered--;
    }
    if (f->prev)
        f->prev->next = f->next;
    else
        *head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        *tail = f->prev;
    f->prev = f->next = NULL;
    f->list = LIST_NONE;
}

static void list_push_front(struct evlog *log, struct evlog_file *f, enum evlog_list which)
{
    struct evlog_file **head, **tail;
    list_remove(log, f);
    if (which == LIST_OPEN) {
        head = &log->open_head;
        tail = &log->open_tail;
    } else {
        head = &log->remembered_head;
        tail = &log->remembered_tail;
        log->remembered++;
    }
    f->prev = NULL;
    f->next = *head;
    if (*head)
        (*head)->prev = f;
    else
        *tail = f;
    *head = f;
    f->list = which;
}

static void ready_push(struct evlog *log, struct evlog_file *f)
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

/* The room table. */

static unsigned room_hash(const char *room)
{
    unsigned h = 2166136261u;
    for (; *room; room++)
        h = (h ^ (unsigned char)*room) * 16777619u;
    return h % EVLOG_HASH_BUCKETS;
}

static struct evlog_file *file_find(struct evlog *log, const char *room)
{
    for (struct evlog_file *f = log->table[room_hash(room)]; f; f = f->hash_next)
        if (strcmp(f->room, room) == 0)
            return f;
    return NULL;
}

static struct evlog_file *file_get(struct evlog *log, const char *room)
{
    struct evlog_file *f = file_find(log, room);
    if (f)
        return f;
    f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->log = log;
    f->fd = -1;
    f->work.data = f;
    memcpy(f->room, room, strlen(room) + 1);
    unsigned h = room_hash(room);
    f->hash_next = log->table[h];
    log->table[h] = f;
    return f;
}

static void file_free(struct evlog *log, struct evlog_file *f)
{
    struct evlog_file **p = &log->table[room_hash(f->room)];
    while (*p != f)
        p = &(*p)->hash_next;
    *p = f->hash_next;
    list_remove(log, f);
    batch_free(&f->pending);
    batch_free(&f->writing);
    free(f->loaded);
    free(f->job.note);
    free(f);
}

/* A file with nothing to do and no fd is either remembered (its length
 * saves a rescan on reopen) or freed; the remembered set is bounded. */
static void file_settle(struct evlog *log, struct evlog_file *f)
{
    if (f->busy || f->fd >= 0 || f->on_ready || f->pending.count || f->delete_wanted || f->load_wanted ||
        f->truncate_wanted)
        return;
    if (!f->known) {
        file_free(log, f);
        return;
    }
    batch_free(&f->writing);
    batch_free(&f->pending);
    list_push_front(log, f, LIST_REMEMBERED);
    /* This is the only place a file joins the remembered set, one at a
     * time, so at most one leaves: the least recently used, at the tail,
     * which is never f (f is at the head and the limit is above 1). */
    if (log->remembered > EVLOG_REMEMBERED_MAX)
        file_free(log, log->remembered_tail);
}

static void idle_noop(uv_idle_t *idle)
{
    (void)idle;
}

/* Asks for the scheduler to run at the end of this loop iteration (or the
 * next, when called from the check phase). */
static void kick(struct evlog *log)
{
    if (log->kicked)
        return;
    log->kicked = true;
    uv_idle_start(&log->idle, idle_noop);
    uv_check_start(&log->check, on_check);
}

/* Failures are logged once, when they start, and once when they stop. */

static void note_failure(struct evlog *log, struct evlog_file *f, int err, const char *stage, size_t records)
{
    log->stats.failed += records;
    if (!log->failing) {
        warnf(log, "evlog: %s/%s.log: %s failed: %s; the session log cannot be written, appends fail until writes succeed again",
              log->dir, f->room, stage, uv_strerror(err));
        log->failing = true;
        log->failed_since_warn = 0;
    }
    log->failed_since_warn += records;
}

static void note_success(struct evlog *log)
{
    if (!log->failing)
        return;
    warnf(log, "evlog: writes succeed again, the session log is written again (%llu records failed meanwhile)",
          (unsigned long long)log->failed_since_warn);
    log->failing = false;
}

/* Calls the waiters of the batch just written, with status. Callbacks may
 * append again (to this file too: that goes to `pending`). */
static void batch_finish(struct evlog *log, struct evlog_batch *b, int status)
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

/* The pool side of a file's job: open, truncate, write, flush, close,
 * unlink, in that order, as ordered. Touches only the job's fields, the
 * batch being written, and fd/size, which the loop leaves alone meanwhile. */

static int write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        if (w == 0)
            return UV_EIO;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* A purge removes what recovery saved aside for the room too: the room's
 * data must not outlive it. Best effort; returns the first error. */
static int unlink_cut_files(struct evlog *log, const char *room)
{
    char prefix[EVLOG_NAME_MAX + 8];
    int n = snprintf(prefix, sizeof(prefix), "%s.log.cut-", room);
    int err = 0;
    /* An fd of its own: a dup would share the directory offset with the
     * other jobs listing the directory at the same time. */
    int fd = openat(log->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        err = -errno;
        close(fd);
        return err;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, (size_t)n) != 0)
            continue;
        if (unlinkat(log->dir_fd, e->d_name, 0) != 0 && errno != ENOENT && err == 0)
            err = -errno;
    }
    closedir(d);
    return err;
}

#define EVLOG_NOTE_MAX (EVLOG_DIR_MAX + 256)

/* The job's warning buffer (on the pool thread); NULL when out of memory:
 * the warning is then lost, the job goes on. */
static char *job_note(struct evlog_file *f)
{
    if (!f->job.note)
        f->job.note = calloc(1, EVLOG_NOTE_MAX);
    return f->job.note;
}

static void file_job_work(uv_work_t *req)
{
    struct evlog_file *f = req->data;
    struct evlog *log = f->log;
    char path[EVLOG_DIR_MAX + EVLOG_NAME_MAX + 2];
    int fd = f->fd;
    uint64_t size = f->size;
    int r;

    f->job.err = 0;
    f->job.stage = NULL;
    f->job.created = false;
    f->job.attempted = false;
    f->job.stored = false;
    f->job.undone = false;
    f->job.truncated = false;
    f->job.flushed = false;
    snprintf(path, sizeof(path), "%s/%s.log", log->dir, f->room);

    if (f->job.load) {
        /* Through an fd of its own: the file need not be open for writing,
         * and a room that is not there must not be created. */
        r = evlog_read_file(path, true, f->loaded);
        if (r != 0) {
            f->job.err = r;
            f->job.stage = "load";
            if (f->loaded->tail == EVLOG_TAIL_BAD_MAGIC && job_note(f))
                snprintf(f->job.note, EVLOG_NOTE_MAX, "evlog: %s: not a session log, left untouched", path);
            goto out;
        }
        if (f->loaded->cut > 0 && job_note(f))
            evlog_contents_describe(f->loaded, path, f->job.note, EVLOG_NOTE_MAX);
        size = f->loaded->valid_end;
        if (fd >= 0 && size == 0) {
            /* Torn inside its magic while the writer holds it open. */
            r = write_all(fd, (const uint8_t *)EVLOG_MAGIC, EVLOG_MAGIC_LEN, 0);
            if (r == 0)
                size = EVLOG_MAGIC_LEN;
        }
        goto out;
    }

    if (f->job.open) {
        struct stat st;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            f->job.err = -errno;
            f->job.stage = "open";
            goto out;
        }
        if (fstat(fd, &st) != 0) {
            f->job.err = -errno;
            f->job.stage = "stat";
            goto fail_open;
        }
        /* A file this writer closed earlier and nobody touched since needs
         * no scan, nor one reopened to cut unacknowledged records off (its
         * good length is known exactly); any other file is checked whole,
         * so that records are never appended behind a torn or corrupt tail. */
        if (!(f->known && ((uint64_t)st.st_size == size || f->job.truncate))) {
            struct evlog_contents c;
            r = evlog_read_fd(fd, path, true, &c);
            if (r != 0) {
                if (c.tail == EVLOG_TAIL_BAD_MAGIC && job_note(f))
                    snprintf(f->job.note, EVLOG_NOTE_MAX, "evlog: %s: not a session log, left untouched", path);
                f->job.err = r;
                f->job.stage = "check";
                goto fail_open;
            }
            if (c.cut > 0 && job_note(f))
                evlog_contents_describe(&c, path, f->job.note, EVLOG_NOTE_MAX);
            size = c.valid_end;
            evlog_contents_free(&c);
        }
        if (size == 0) {
            r = write_all(fd, (const uint8_t *)EVLOG_MAGIC, EVLOG_MAGIC_LEN, 0);
            if (r != 0) {
                f->job.err = r;
                f->job.stage = "write header";
                if (ftruncate(fd, 0) != 0)
                    f->job.err = r; /* The scan cuts a torn header later. */
                goto fail_open;
            }
            size = EVLOG_MAGIC_LEN;
            f->job.created = true;
            /* The new name must survive a power cut as well as the records:
             * syncfs covers the directory too, one fdatasync of the file
             * does not. */
            if (log->sync != EVLOG_SYNC_NONE && log->flush == EVLOG_FLUSH_FDATASYNC && fsync(log->dir_fd) != 0) {
                f->job.err = -errno;
                f->job.stage = "fsync directory";
                goto fail_open;
            }
        }
    }
    if (f->job.truncate) {
        if (ftruncate(fd, (off_t)size) != 0) {
            f->job.err = -errno;
            f->job.stage = "truncate";
            goto finish;
        }
        f->job.truncated = true;
    }
    if (f->job.write) {
        f->job.attempted = true;
        r = write_all(fd, f->writing.bytes, f->writing.len, size);
        if (r != 0) {
            f->job.err = r;
            f->job.stage = "write";
            f->job.undone = ftruncate(fd, (off_t)size) == 0;
            goto finish;
        }
    }
    if (f->job.sync) {
        uint64_t t0 = uv_hrtime();
        int synced = fdatasync(fd);
        f->job.sync_ns = uv_hrtime() - t0;
        f->job.flushed = true;
        if (synced != 0) {
            f->job.err = -errno;
            f->job.stage = "fdatasync";
            /* Records whose flush failed are reported as failed, so they
             * must not stay in the log to be replayed later. */
            if (f->job.write)
                f->job.undone = ftruncate(fd, (off_t)size) == 0;
            else
                f->job.undone = true;
            goto finish;
        }
    }
    if (f->job.write) {
        size += f->writing.len;
        f->job.stored = true;
    }
finish:
    /* A close that was ordered happens whatever failed before it. */
    if (f->job.close || f->job.unlink) {
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    if (f->job.unlink && f->job.err == 0) {
        if (unlink(path) != 0 && errno != ENOENT) {
            f->job.err = -errno;
            f->job.stage = "unlink";
        } else if ((r = unlink_cut_files(log, f->room)) != 0) {
            f->job.err = r;
            f->job.stage = "unlink saved tails";
        } else if (log->sync != EVLOG_SYNC_NONE && fsync(log->dir_fd) != 0) {
            f->job.err = -errno;
            f->job.stage = "fsync directory";
        }
        size = 0;
    }
    goto out;

fail_open:
    close(fd);
    fd = -1;
out:
    f->job.size_after = size;
    f->job.fd = fd;
}

/* The loop side. */

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
    struct evlog_group_file { struct evlog_file *f; } files[];
};

static void group_work(uv_work_t *req)
{
    struct evlog_group *g = req->data;
    for (size_t i = 0; i < g->n; i++)
        file_job_work(&g->files[i].f->work);
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

static void submit(struct evlog *log, struct evlog_file *f)
{
    f->busy = true;
    log->busy_count++;
    if (job_is_light(f)) {
        f->gather_next = log->gather_head;
        log->gather_head = f;
        log->gather_n++;
        return;
    }
    uv_queue_work(log->loop, &f->work, file_job_work, file_job_done);
}

/* Sends the gathered light jobs to the pool: one job for all of them (or
 * one each, should memory for the group be short). */
static void submit_gathered(struct evlog *log)
{
    struct evlog_file *f = log->gather_head;
    struct evlog_group *g = log->gather_n > 1
        ? malloc(sizeof(*g) + log->gather_n * sizeof(g->files[0])) : NULL;

    log->gather_head = NULL;
    if (!g) {
        for (struct evlog_file *next; f; f = next) {
            next = f->gather_next;
            uv_queue_work(log->loop, &f->work, file_job_work, file_job_done);
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
    uv_queue_work(log->loop, &g->work, group_work, group_done);
}

static void clear_orders(struct evlog_file *f)
{
    f->job.open = f->job.load = f->job.truncate = f->job.write = f->job.sync = false;
    f->job.close = f->job.unlink = f->job.evict = f->job.transient = false;
}

/* Closes the least recently used idle file to make room for another. */
static bool evict_one(struct evlog *log)
{
    for (struct evlog_file *f = log->open_tail; f; f = f->prev) {
        if (f->busy || f->on_ready || f->pending.count || f->delete_wanted || f->load_wanted || f->truncate_wanted)
            continue;
        clear_orders(f);
        f->job.close = true;
        f->job.evict = true;
        f->job.sync = f->dirty && log->sync == EVLOG_SYNC_BATCH && log->flush == EVLOG_FLUSH_FDATASYNC;
        log->evicting++;
        submit(log, f);
        return true;
    }
    return false;
}

/* Gives an idle file its next job. Returns false when it must wait for a
 * free slot under the open-file limit (it stays on the ready queue). */
static bool file_start(struct evlog *log, struct evlog_file *f, unsigned *waiting)
{
    clear_orders(f);
    if (f->delete_wanted) {
        f->job.close = f->fd >= 0;
        f->job.unlink = true;
        submit(log, f);
        return true;
    }
    if (f->load_wanted) {
        f->job.load = true;
        submit(log, f);
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
                evict_one(log);
            f->job.open = f->job.close = f->job.transient = true;
            log->stats.transient++;
        } else if (f->fd < 0) {
            if (log->open_count >= log->open_max) {
                /* Evict one file per waiting file, counting the evictions
                 * already under way, so a burst does not empty the cache. */
                (*waiting)++;
                if (*waiting > log->evicting)
                    evict_one(log);
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
        submit(log, f);
        return true;
    }
    if (log->closing && f->fd >= 0) {
        f->job.close = true;
        f->job.sync = f->dirty;
        submit(log, f);
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
            if (!file_start(log, f, &waiting))
                ready_push(log, f);
            else
                file_settle(log, f);
        }
        f = next;
    }
    submit_gathered(log);
    log->slot_waiting = waiting;
    maybe_finish(log);
}

static void on_check(uv_check_t *check)
{
    struct evlog *log = check->data;
    log->kicked = false;
    uv_idle_stop(&log->idle);
    uv_check_stop(&log->check);
    schedule(log);
}

static void set_dirty(struct evlog *log, struct evlog_file *f, bool dirty)
{
    if (f->dirty == dirty)
        return;
    f->dirty = dirty;
    if (dirty && log->dirty_count++ == 0)
        uv_timer_start(&log->batch_timer, on_batch_timer, EVLOG_BATCH_SYNC_MS, EVLOG_BATCH_SYNC_MS);
    else if (!dirty)
        log->dirty_count--;
}

static void syncfs_start(struct evlog *log);

/* `batch` with syncfs: the written files need no flush of their own; one
 * syncfs per tick covers them all, and never holds up a file's writes. */
static void set_fs_dirty(struct evlog *log)
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
        syncfs_start(log);
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
                ready_push(log, f);
        }
    }
    kick(log);
}

static void syncfs_work(uv_work_t *req)
{
    struct evlog *log = req->data;
    uint64_t t0 = uv_hrtime();
    log->syncfs_err = syncfs(log->dir_fd) == 0 ? 0 : -errno;
    log->syncfs_ns = uv_hrtime() - t0;
}

static void syncfs_done(uv_work_t *req, int status);

static void syncfs_start(struct evlog *log)
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
        warnf(log, "%s", f->job.note);
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
            list_push_front(log, f, LIST_OPEN);
            log->stats.opens++;
        } else {
            log->open_count--;
        }
    }
    if ((f->job.close && !f->job.transient) || f->job.unlink) {
        if (f->fd >= 0)
            log->open_count--;
        f->fd = -1;
        list_remove(log, f);
        if (f->job.evict) {
            log->evicting--;
            log->stats.evictions++;
        }
    }
    if (f->job.flushed) {
        log->stats.syncs++;
        f->sync_wanted = false;
        set_dirty(log, f, false);
    }
    if (f->fd < 0) {
        /* A closed file was flushed on close (or is left to syncfs). */
        f->sync_wanted = false;
        set_dirty(log, f, false);
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
            note_failure(log, f, err, f->job.stage, f->writing.records);
            batch_finish(log, &f->writing, err);
        } else if (log->sync == EVLOG_SYNC_ALWAYS && log->flush == EVLOG_FLUSH_SYNCFS) {
            /* Durable only once the next syncfs returns: stay busy until then. */
            f->busy = true;
            log->busy_count++;
            f->sync_next = log->sync_next_group;
            log->sync_next_group = f;
            syncfs_start(log);
            return;
        } else {
            f->size = f->job.size_after;
            if (log->sync == EVLOG_SYNC_BATCH && log->flush == EVLOG_FLUSH_SYNCFS)
                set_fs_dirty(log);
            else if (log->sync == EVLOG_SYNC_BATCH && !f->job.flushed && f->fd >= 0)
                set_dirty(log, f, true);
            note_success(log);
            batch_finish(log, &f->writing, 0);
        }
    } else if (err != 0 && f->job.stage && !f->job.load) {
        /* A flush, close or delete failed: nothing is waiting for it, so
         * the warning is all there is (a failed flush cannot be retried:
         * the kernel reports such an error once). A failed load is not
         * one: its caller hears the error and decides (a new room has no
         * file yet, and that is no failure). */
        warnf(log, "evlog: %s/%s.log: %s failed: %s", log->dir, f->room, f->job.stage, uv_strerror(err));
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
        warnf(log, "evlog: %s/%s.log: giving up cutting unacknowledged bytes at shutdown", log->dir, f->room);
        f->truncate_wanted = false;
    }
    /* A truncate that just failed is retried with the next append, not at
     * once (that would spin while the disk is failing). */
    if (f->pending.count || f->delete_wanted || f->load_wanted || (f->sync_wanted && f->fd >= 0) ||
        (f->truncate_wanted && !truncate_failed) || (log->closing && f->fd >= 0))
        ready_push(log, f);
    if (log->ready_head)
        kick(log);
    file_settle(log, f);
    maybe_finish(log);
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
        warnf(log, "evlog: %s: syncfs failed: %s", log->dir, uv_strerror(err));
    while (f) {
        struct evlog_file *next = f->sync_next;
        f->sync_next = NULL;
        f->busy = false;
        log->busy_count--;
        if (err == 0) {
            f->size = f->job.size_after;
            note_success(log);
        } else {
            /* Which file's data was lost is unknown: fail them all and cut
             * their unflushed records off. */
            f->truncate_wanted = true;
            note_failure(log, f, err, "syncfs", f->writing.records);
        }
        batch_finish(log, &f->writing, err);
        if (f->pending.count || f->truncate_wanted || f->delete_wanted || f->load_wanted ||
            (log->closing && f->fd >= 0))
            ready_push(log, f);
        /* A file that yielded its slot while its records waited for this
         * syncfs is closed: it is remembered (or freed) now. */
        file_settle(log, f);
        f = next;
    }
    syncfs_start(log);
    if (log->ready_head)
        kick(log);
    maybe_finish(log);
}

/* Opening and closing the log. */

static void on_handle_closed(uv_handle_t *handle)
{
    struct evlog *log = handle->data;
    if (--log->handles_open > 0)
        return;
    for (unsigned i = 0; i < EVLOG_HASH_BUCKETS; i++)
        while (log->table[i])
            file_free(log, log->table[i]);
    if (log->dir_fd >= 0)
        close(log->dir_fd);
    void (*closed)(void *) = log->closed;
    void *ud = log->closed_ud;
    free(log);
    if (closed)
        closed(ud);
}

static void maybe_finish(struct evlog *log)
{
    if (!log->closing || log->handles_open > 0 || log->busy_count > 0 || log->syncfs_busy ||
        log->open_count > 0 || log->ready_head || log->pending_bytes > 0)
        return;
    if (log->fs_dirty) {
        /* The last flush before the files are left to the kernel. */
        log->fs_flush_due = true;
        syncfs_start(log);
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
            ready_push(log, f);
    kick(log);
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
    struct evlog_file *f = file_get(log, room);
    if (!f)
        return UV_ENOMEM;
    if (f->pending.len + bytes > EVLOG_FILE_PENDING_MAX ||
        f->pending.records + n > EVLOG_FILE_PENDING_RECORDS_MAX) {
        file_settle(log, f);
        return UV_ENOBUFS;
    }
    int err = batch_add(&f->pending, payloads, n, bytes, done, ud);
    if (err != 0) {
        file_settle(log, f);
        return err;
    }
    log->pending_bytes += bytes;
    if (f->list == LIST_REMEMBERED)
        list_remove(log, f);
    else if (f->list == LIST_OPEN)
        list_push_front(log, f, LIST_OPEN);
    if (!f->busy)
        ready_push(log, f);
    kick(log);
    return 0;
}

int evlog_append(struct evlog *log, const char *room, const void *payload, size_t len,
                 evlog_done_cb done, void *ud)
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
    struct evlog_file *f = file_get(log, room);
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
        list_remove(log, f);
    f->delete_wanted = true;
    f->delete_done = done;
    f->delete_ud = ud;
    if (!f->busy)
        ready_push(log, f);
    kick(log);
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
        file_settle(log, f);
        return UV_ENOMEM;
    }
    if (f->list == LIST_REMEMBERED)
        list_remove(log, f);
    f->load_wanted = true;
    f->load_done = done;
    f->load_ud = ud;
    if (!f->busy)
        ready_push(log, f);
    kick(log);
    return 0;
}

void evlog_get_stats(const struct evlog *log, struct evlog_stats *out)
{
    *out = log->stats;
    out->open_files = log->open_count;
    out->pending_bytes = log->pending_bytes;
}
