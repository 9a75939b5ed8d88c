/* The session log: one append-only file per room (DATA/rooms/CODE.log), group-committed through libuv, and its recovery. */
#ifndef VERRIJK_LOG_EVLOG_H
#define VERRIJK_LOG_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "log/evlog_format.h"

/* A room code names a file, so only [A-Z0-9] of 1..EVLOG_ROOM_CODE_MAX
 * characters is accepted (no path can be smuggled in). */
#define EVLOG_ROOM_CODE_MAX 16

/* Log files kept open between writes (STACK-NOTES.md: the fd budget).
 * Files beyond the limit are closed least recently used first and
 * reopened on demand; while the cache is full, a write opens and closes
 * its file within its pool job (one more descriptor per pool thread at
 * most). */
#define EVLOG_OPEN_FILES_DEFAULT 256
#define EVLOG_OPEN_FILES_MAX     4096

/* Closed files whose length the writer remembers, so that reopening them
 * needs no rescan. Beyond it a reopened file is scanned again. */
#define EVLOG_REMEMBERED_MAX 4096

/* `batch`: a written file is fdatasync'ed at most this long after the write. */
#define EVLOG_BATCH_SYNC_MS 100

/* Bytes and records queued but not yet written: for one room, and in all.
 * evlog_append answers UV_ENOBUFS beyond them (the room says server_busy). */
#define EVLOG_FILE_PENDING_MAX         (4u << 20)
#define EVLOG_FILE_PENDING_RECORDS_MAX 16384
#define EVLOG_PENDING_MAX              (64u << 20)

/* The largest log file that is read back (recovery reads a file whole). */
#define EVLOG_FILE_READ_MAX (256u << 20)

/* The longest data directory path accepted. */
#define EVLOG_DIR_MAX 1024

/* When a record counts as stored, before its callback fires. */
enum evlog_sync {
    EVLOG_SYNC_ALWAYS, /* written and flushed to the disk (survives a power cut) */
    EVLOG_SYNC_BATCH,  /* written to the kernel (survives kill -9); flushed within EVLOG_BATCH_SYNC_MS */
    EVLOG_SYNC_NONE,   /* written to the kernel; flushed whenever the kernel likes */
};

/* How files are flushed. `always`: per batch of writes, before the
 * callbacks; `batch`: per EVLOG_BATCH_SYNC_MS tick.
 *
 * syncfs is the default: measured here (tests/bench/bench_evlog.c), one
 * syncfs for all written files beat one fdatasync per file by 2-3x in
 * events/s under `always`, and under `batch` it never holds up a file's
 * writes (per-file flushes queue behind them on the thread pool and push
 * p99 from ~1 ms to ~25 ms). Its costs: it also flushes whatever else is
 * dirty on the same filesystem (give the data directory its own volume),
 * and it reports write-back errors only on Linux 5.8 or later. */
enum evlog_flush {
    EVLOG_FLUSH_SYNCFS,    /* one syncfs(2) on the data directory's filesystem for all */
    EVLOG_FLUSH_FDATASYNC, /* one fdatasync per file, in parallel on the thread pool */
};

/* Parses "always", "batch" or "none". Returns 0, or UV_EINVAL. */
int evlog_sync_parse(const char *text, enum evlog_sync *out);
const char *evlog_sync_name(enum evlog_sync sync);

struct evlog_options {
    const char *dir; /* the rooms directory; created with its parents if missing */
    enum evlog_sync sync;
    enum evlog_flush flush; /* not used by EVLOG_SYNC_NONE */
    unsigned open_files;    /* 0: EVLOG_OPEN_FILES_DEFAULT; at most EVLOG_OPEN_FILES_MAX */
    /* Where the log reports errors and repairs, one line each, without a
     * trailing newline. NULL: standard error. */
    void (*warn)(void *ud, const char *line);
    void *warn_ud;
    /* Called on the loop thread after each flush (fdatasync or syncfs)
     * with how long it took, for the metrics. NULL: not called. */
    void (*synced)(void *ud, uint64_t ns);
    void *synced_ud;
};

struct evlog;
struct evlog_contents;

/* status: 0 when the record is stored as the sync mode promises, or a
 * negative libuv error (UV_ENOSPC, UV_EIO, UV_EFBIG, ...): then the record
 * is not in the log, and never will be. */
typedef void (*evlog_done_cb)(void *ud, int status);

/* Opens the writer on the caller's loop (which must outlive it). Creates the
 * directory (and its parents) if missing, and locks it (flock) against a
 * second writer, in this process or another, until evlog_close. Returns 0
 * and *out, or a negative libuv error (UV_EBUSY: another writer has the
 * directory). */
int evlog_open(uv_loop_t *loop, const struct evlog_options *options, struct evlog **out);

/* Queues one record (payload copied; the caller keeps its buffer) for the
 * room's file. Records queued during one loop iteration are written with one
 * write per file; a room's records queued in one go (the loop not running
 * in between) share that write and one fate: all stored, or all failed and
 * cut off. done fires exactly once, on the loop thread, never inside this call,
 * in append order per room. Returns 0, or without queueing (done
 * will not fire): UV_EINVAL (bad room code, len 0 or over
 * EVLOG_RECORD_MAX), UV_ENOBUFS (too much queued: try later), UV_ENOMEM,
 * UV_ECANCELED (the log is closing). */
int evlog_append(struct evlog *log, const char *room, const void *payload, size_t len, evlog_done_cb done, void *ud);

/* One payload of evlog_appendv. */
struct evlog_payload {
    const void *bytes;
    size_t len;
};

/* Queues n records (copied) for the room as one unit: admitted all or none,
 * written in the same write, stored all or none; done fires once for them
 * all. For the several events of one decision, so that the log never holds
 * part of one. Returns as evlog_append (UV_EINVAL also for n == 0 or over
 * EVLOG_FILE_PENDING_RECORDS_MAX). */
int evlog_appendv(struct evlog *log, const char *room, const struct evlog_payload *payloads, size_t n,
                  evlog_done_cb done, void *ud);

/* Deletes the room's file (purge), and the tails recovery saved aside for
 * it (CODE.log.cut-*). done fires once with 0 (also when there was no
 * file) or an error. Records appended after this call go to a new
 * file. Returns 0, UV_EINVAL, UV_EBUSY (appends to the room are still
 * pending, or a load or delete is), UV_ENOMEM or UV_ECANCELED. */
int evlog_delete(struct evlog *log, const char *room, evlog_done_cb done, void *ud);

/* Reads the room's file on the thread pool, as evlog_read_file with repair
 * does, in order with the room's other work (appends made after this call
 * are written after the read). done fires once, on the loop thread, with 0
 * and the contents, UV_ENOENT when the room has no file, or another error
 * (contents then hold no records). The contents are valid only during the
 * callback (copy what must outlive it). Returns 0, UV_EINVAL, UV_EBUSY
 * (appends to the room are still pending, or a load or delete is),
 * UV_ENOMEM or UV_ECANCELED. */
typedef void (*evlog_load_cb)(void *ud, int status, const struct evlog_contents *contents);
int evlog_load(struct evlog *log, const char *room, evlog_load_cb done, void *ud);

/* Clean shutdown: writes what is queued, flushes (unless `none`), closes
 * every file and libuv handle, frees the log, then calls closed (may be
 * NULL). Appends after this call fail with UV_ECANCELED. */
void evlog_close(struct evlog *log, void (*closed)(void *ud), void *ud);

struct evlog_stats {
    uint64_t appended;  /* records stored (callback with 0) */
    uint64_t failed;    /* records whose callback got an error */
    uint64_t bytes;     /* bytes written, headers included */
    uint64_t writes;    /* write jobs (one per file per batch) */
    uint64_t syncs;     /* fdatasync or syncfs calls */
    uint64_t opens;     /* files opened */
    uint64_t evictions; /* files closed to stay under the open-file limit */
    uint64_t transient; /* writes through a descriptor of their own (the cache was full) */
    /* Loop turns a file with work spent waiting for an open slot, one per
     * file per turn: only flushes and truncates ever wait (writes go
     * through a descriptor of their own), so with busy rooms it stays 0. */
    uint64_t slot_waits;
    unsigned open_files;  /* files open now */
    size_t pending_bytes; /* bytes queued now */
};
void evlog_get_stats(const struct evlog *log, struct evlog_stats *out);

/* True when room is a code the log accepts. */
bool evlog_room_valid(const char *room);

/* Writes DIR/ROOM.log into out. Returns 0, or UV_EINVAL / UV_ENAMETOOLONG. */
int evlog_room_path(const char *dir, const char *room, char *out, size_t cap);

/* Reading and recovery. */

struct evlog_record {
    size_t offset; /* of the payload, in evlog_contents.bytes */
    uint32_t len;
};

/* A log file read whole: the valid records, and what lay after them. */
struct evlog_contents {
    uint8_t *bytes; /* the file's bytes as read */
    size_t size;
    struct evlog_record *records;
    size_t count;
    enum evlog_tail tail; /* why the valid prefix ended */
    uint64_t valid_end;   /* the offset where the valid prefix ends */
    uint64_t cut;         /* bytes after it (cut from the file when repairing) */
    bool repaired;        /* the file was truncated to valid_end */
    /* When repairing, the cut bytes are first saved next to the file as
     * CODE.log.cut-OFFSET, for an operator; empty when not saved. */
    char cut_path[EVLOG_DIR_MAX + 64];
};

/* The payload of record i. */
static inline const uint8_t *evlog_contents_payload(const struct evlog_contents *c, size_t i, uint32_t *len)
{
    *len = c->records[i].len;
    return c->bytes + c->records[i].offset;
}

/* Reads the log file at path (blocking: for start-up recovery and the CLI,
 * not for the loop thread), checks every record's CRC, and fills out. With
 * repair, a torn or corrupt tail is saved aside and cut off the file (a file
 * torn inside its 8-byte header becomes empty). A file that is not a session
 * log (bad magic) is never changed: UV_EINVAL with out->tail ==
 * EVLOG_TAIL_BAD_MAGIC. Returns 0 (out then owns memory: call
 * evlog_contents_free), or a negative libuv error (UV_ENOENT, UV_EFBIG over
 * EVLOG_FILE_READ_MAX, ...), after which out holds nothing to free. */
int evlog_read_file(const char *path, bool repair, struct evlog_contents *out);

/* The same over an fd open for reading (and writing, to repair); path names
 * the file in messages and for the saved tail. */
int evlog_read_fd(int fd, const char *path, bool repair, struct evlog_contents *out);

/* One line that says what a read found and cut ("ROOM.log: 12 records, cut
 * 7 bytes at offset 345 (torn payload), saved as ..."). */
void evlog_contents_describe(const struct evlog_contents *c, const char *path, char *out, size_t cap);

void evlog_contents_free(struct evlog_contents *c);

/* Lists the session logs in dir (blocking: for start-up and retention):
 * calls found once per DIR/CODE.log whose CODE is a valid room code, with
 * its size and last modification time (ms since the epoch); other files
 * are skipped. Stops early when found returns non-zero. Returns 0, or a
 * negative libuv error from opening the directory. */
int evlog_list_dir(const char *dir, int (*found)(void *ud, const char *room, uint64_t size, int64_t mtime_ms),
                   void *ud);

#endif
