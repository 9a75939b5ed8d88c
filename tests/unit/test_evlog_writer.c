/* test_evlog_writer: the session-log writer on a real libuv loop and a real temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "log/evlog.h"

#define ROOMS_MAX    32
#define PAYLOAD_MAX  400
#define WARNINGS_MAX 16

struct harness {
    uv_loop_t loop;
    char dir[256];
    struct evlog *log;
    int warnings;
    char warning[WARNINGS_MAX][512];
    bool closed;
    bool in_append; /* set around evlog_append: callbacks must not run inside it */
    int done_ok, done_err, last_err;
    unsigned open_files_max_seen;
    int fds_max_seen;
};

/* One pending record: its callback checks it ran outside evlog_append. */
struct record {
    struct harness *h;
    int status;
    int calls;
};

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void on_warn(void *ud, const char *line)
{
    struct harness *h = ud;
    if (h->warnings < WARNINGS_MAX)
        snprintf(h->warning[h->warnings], sizeof(h->warning[0]), "%s", line);
    h->warnings++;
}

static void on_done(void *ud, int status)
{
    struct record *r = ud;
    struct evlog_stats st;
    assert_false(r->h->in_append);
    r->calls++;
    r->status = status;
    if (status == 0)
        r->h->done_ok++;
    else {
        r->h->done_err++;
        r->h->last_err = status;
    }
    if (r->h->log) {
        evlog_get_stats(r->h->log, &st);
        if (st.open_files > r->h->open_files_max_seen)
            r->h->open_files_max_seen = st.open_files;
    }
    int fds = count_fds();
    if (fds > r->h->fds_max_seen)
        r->h->fds_max_seen = fds;
}

static void on_closed(void *ud)
{
    struct harness *h = ud;
    h->closed = true;
    h->log = NULL;
}

static struct harness *harness_new(void)
{
    struct harness *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    assert_int_equal(uv_loop_init(&h->loop), 0);
    snprintf(h->dir, sizeof(h->dir), "/tmp/test_evlog_writer.XXXXXX");
    assert_non_null(mkdtemp(h->dir));
    return h;
}

static void harness_open(struct harness *h, enum evlog_sync sync, enum evlog_flush flush, unsigned open_files)
{
    struct evlog_options o = {
        .dir = h->dir,
        .sync = sync,
        .flush = flush,
        .open_files = open_files,
        .warn = on_warn,
        .warn_ud = h,
    };
    h->closed = false;
    assert_int_equal(evlog_open(&h->loop, &o, &h->log), 0);
}

static void harness_close_log(struct harness *h)
{
    evlog_close(h->log, on_closed, h);
    assert_int_equal(uv_run(&h->loop, UV_RUN_DEFAULT), 0);
    assert_true(h->closed);
}

static void harness_free(struct harness *h)
{
    char cmd[512];
    if (h->log)
        harness_close_log(h);
    /* Every handle and request of the log is gone: the loop closes. */
    assert_int_equal(uv_loop_close(&h->loop), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
    assert_int_equal(system(cmd), 0);
    free(h);
}

static void write_raw(const char *path, const void *bytes, size_t len);

static int append(struct harness *h, const char *room, const void *p, size_t len, struct record *r)
{
    r->h = h;
    r->calls = 0;
    r->status = 1;
    h->in_append = true;
    int err = evlog_append(h->log, room, p, len, on_done, r);
    h->in_append = false;
    return err;
}

/* The payload of record seq of room i: its length varies, its bytes say
 * which record it is. */
static size_t make_payload(uint8_t *out, unsigned room, unsigned seq)
{
    size_t len = 1 + (room * 131 + seq * 17) % PAYLOAD_MAX;
    for (size_t k = 0; k < len; k++)
        out[k] = (uint8_t)(room * 7 + seq * 13 + k);
    return len;
}

static void room_code(char out[8], unsigned i)
{
    snprintf(out, 8, "R%05u", i);
}

static void room_path(const struct harness *h, const char *room, char *out, size_t cap)
{
    assert_int_equal(evlog_room_path(h->dir, room, out, cap), 0);
}

/* Reads a room's file and checks that it holds exactly records from..to-1
 * of make_payload, in order, with nothing after them. */
static void expect_room(const struct harness *h, unsigned room, unsigned from, unsigned to)
{
    char code[8], path[512];
    struct evlog_contents c;
    uint8_t want[PAYLOAD_MAX];
    room_code(code, room);
    room_path(h, code, path, sizeof(path));
    assert_int_equal(evlog_read_file(path, false, &c), 0);
    assert_int_equal(c.tail, EVLOG_TAIL_CLEAN);
    assert_int_equal(c.count, to - from);
    for (unsigned i = 0; i < c.count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(&c, i, &len);
        size_t wlen = make_payload(want, room, from + i);
        assert_int_equal(len, wlen);
        assert_memory_equal(p, want, wlen);
    }
    evlog_contents_free(&c);
}

/* Appends `per_round` records to each of `rooms` rooms for `rounds` rounds,
 * letting the loop turn once between rounds so that batches interleave (or,
 * with settle, run until all is written). */
static void write_rounds_ex(struct harness *h, unsigned rooms, unsigned rounds, unsigned per_round, struct record *recs,
                            bool settle)
{
    uint8_t buf[PAYLOAD_MAX];
    char code[8];
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < rooms; i++) {
            room_code(code, i);
            for (unsigned k = 0; k < per_round; k++) {
                unsigned seq = r * per_round + k;
                size_t len = make_payload(buf, i, seq);
                assert_int_equal(append(h, code, buf, len, &recs[(i * rounds + r) * per_round + k]), 0);
            }
        }
        uv_run(&h->loop, settle ? UV_RUN_DEFAULT : UV_RUN_NOWAIT);
    }
    uv_run(&h->loop, UV_RUN_DEFAULT);
}

static void write_rounds(struct harness *h, unsigned rooms, unsigned rounds, unsigned per_round, struct record *recs)
{
    write_rounds_ex(h, rooms, rounds, per_round, recs, false);
}

static void run_mode(enum evlog_sync sync, enum evlog_flush flush)
{
    enum { ROOMS = 5, ROUNDS = 20, PER = 3, N = ROOMS * ROUNDS * PER };
    struct harness *h = harness_new();
    struct record *recs = calloc(N, sizeof(*recs));
    assert_non_null(recs);
    harness_open(h, sync, flush, 0);
    write_rounds(h, ROOMS, ROUNDS, PER, recs);
    for (unsigned i = 0; i < N; i++) {
        assert_int_equal(recs[i].calls, 1);
        assert_int_equal(recs[i].status, 0);
    }
    struct evlog_stats st;
    evlog_get_stats(h->log, &st);
    assert_int_equal(st.appended, N);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.pending_bytes, 0);
    if (sync == EVLOG_SYNC_NONE)
        assert_int_equal(st.syncs, 0);
    else
        assert_true(st.syncs > 0);
    harness_close_log(h);
    for (unsigned i = 0; i < ROOMS; i++)
        expect_room(h, i, 0, ROUNDS * PER);
    assert_int_equal(h->warnings, 0);
    free(recs);
    harness_free(h);
}

static void test_evlog_records_read_back_in_order_sync_always_fdatasync(void **state)
{
    (void)state;
    run_mode(EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_FDATASYNC);
}

static void test_evlog_records_read_back_in_order_sync_always_syncfs(void **state)
{
    (void)state;
    run_mode(EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_SYNCFS);
}

static void test_evlog_records_read_back_in_order_sync_batch(void **state)
{
    (void)state;
    run_mode(EVLOG_SYNC_BATCH, EVLOG_FLUSH_FDATASYNC);
}

static void test_evlog_records_read_back_in_order_sync_batch_syncfs(void **state)
{
    (void)state;
    run_mode(EVLOG_SYNC_BATCH, EVLOG_FLUSH_SYNCFS);
}

static void test_evlog_records_read_back_in_order_sync_none(void **state)
{
    (void)state;
    run_mode(EVLOG_SYNC_NONE, EVLOG_FLUSH_FDATASYNC);
}

/* Records queued during one loop iteration go out as one write per file. */
static void test_evlog_group_commit_one_write_per_file_per_iteration(void **state)
{
    enum { ROOMS = 3, PER = 100 };
    struct harness *h = harness_new();
    struct record recs[ROOMS * PER];
    struct evlog_stats st;
    (void)state;
    harness_open(h, EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_FDATASYNC, 0);
    write_rounds(h, ROOMS, 1, PER, recs);
    evlog_get_stats(h->log, &st);
    assert_int_equal(st.appended, ROOMS * PER);
    assert_int_equal(st.writes, ROOMS);
    assert_int_equal(st.syncs, ROOMS);
    harness_free(h);
}

/* With more rooms than the open-file limit, files are closed least recently
 * used first and reopened, or written through a descriptor of the job's
 * own; the limit holds at every moment and every record still lands in
 * its own file, in order. */
static void test_evlog_files_beyond_open_limit_are_reopened_or_written_through_own_fd(void **state)
{
    enum { ROOMS = 20, ROUNDS = 10, PER = 2, LIMIT = 4, N = ROOMS * ROUNDS * PER };
    struct harness *h = harness_new();
    struct record *recs = calloc(N, sizeof(*recs));
    struct evlog_stats st;
    (void)state;
    assert_non_null(recs);
    int base_fds = count_fds();
    harness_open(h, EVLOG_SYNC_BATCH, EVLOG_FLUSH_FDATASYNC, LIMIT);
    write_rounds_ex(h, ROOMS, ROUNDS, PER, recs, true);
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(recs[i].status, 0);
    evlog_get_stats(h->log, &st);
    assert_true(h->open_files_max_seen <= LIMIT);
    /* The data directory's fd, the loop's own, at most LIMIT logs in the
     * cache and one more per pool thread (a write through a descriptor
     * of its own while the cache is full; libuv runs 4 pool threads by
     * default). count_fds itself holds one more. */
    assert_true(h->fds_max_seen <= base_fds + 1 + LIMIT + 4 + 1);
    /* The cache is full of busy files here: the others write through
     * descriptors of their own rather than wait for an eviction. */
    assert_true(st.transient > 0);
    /* Every round wrote every room once; at most LIMIT files can have
     * stayed open from one round to the next, so the others were opened
     * again: into the cache, or for one write. */
    assert_int_equal(st.writes, ROOMS * ROUNDS);
    assert_true(st.opens + st.transient >= ROOMS + (ROUNDS - 1) * (ROOMS - LIMIT));
    harness_close_log(h);
    for (unsigned i = 0; i < ROOMS; i++)
        expect_room(h, i, 0, ROUNDS * PER);
    free(recs);
    harness_free(h);
}

/* Rooms that write without pause, more of them than open slots. The rule
 * that keeps any of them from starving: a room with records to write never
 * waits for a slot (while the cache is full its job opens, writes and
 * closes the file itself), so its records go to the pool in the loop turn
 * they were appended, whatever the other rooms do. The test counts that
 * rule (the writer's slot waits) rather than the order in which the pool's
 * flushes finish, which no test controls: on a busy disk one fdatasync can
 * take as long as ten of another room's. */
struct busy_room {
    struct harness *h;
    char code[8];
    unsigned room, done;
};

#define FAIR_ROOMS   16
#define FAIR_RECORDS 20
#define FAIR_SLOTS   4
static struct busy_room fair[FAIR_ROOMS];
static unsigned fair_open_max_seen;

static void fair_append(struct busy_room *b);

static void on_fair_done(void *ud, int status)
{
    struct busy_room *b = ud;
    struct evlog_stats st;
    assert_int_equal(status, 0);
    evlog_get_stats(b->h->log, &st);
    if (st.open_files > fair_open_max_seen)
        fair_open_max_seen = st.open_files;
    b->done++;
    if (b->done < FAIR_RECORDS)
        fair_append(b);
}

static void fair_append(struct busy_room *b)
{
    uint8_t buf[PAYLOAD_MAX];
    size_t len = make_payload(buf, b->room, b->done);
    assert_int_equal(evlog_append(b->h->log, b->code, buf, len, on_fair_done, b), 0);
}

static void lru_shares_slots_fairly(enum evlog_sync sync, enum evlog_flush flush)
{
    struct harness *h = harness_new();
    struct evlog_stats before, after;
    harness_open(h, sync, flush, FAIR_SLOTS);
    /* Every file exists first: what is counted is how the busy rooms share
     * the slots, not how their files were created. */
    for (unsigned i = 0; i < FAIR_ROOMS; i++) {
        fair[i].h = h;
        fair[i].room = i;
        fair[i].done = FAIR_RECORDS - 1;
        room_code(fair[i].code, i);
        uint8_t buf[PAYLOAD_MAX];
        size_t len = make_payload(buf, i, 0);
        assert_int_equal(evlog_append(h->log, fair[i].code, buf, len, on_fair_done, &fair[i]), 0);
    }
    uv_run(&h->loop, UV_RUN_DEFAULT);
    evlog_get_stats(h->log, &before);
    fair_open_max_seen = 0;
    for (unsigned i = 0; i < FAIR_ROOMS; i++) {
        fair[i].done = 1;
        fair_append(&fair[i]);
    }
    uv_run(&h->loop, UV_RUN_DEFAULT);
    evlog_get_stats(h->log, &after);
    for (unsigned i = 0; i < FAIR_ROOMS; i++)
        assert_int_equal(fair[i].done, FAIR_RECORDS);
    /* No busy room ever waited for a slot while the others wrote... */
    assert_int_equal(after.slot_waits - before.slot_waits, 0);
    /* ...although the slots were all taken (rooms wrote through descriptors
     * of their own) and the limit held throughout. */
    assert_true(after.transient - before.transient > 0);
    assert_true(fair_open_max_seen <= FAIR_SLOTS);
    /* One write per record: none was held back to go out with the next. */
    assert_int_equal(after.writes - before.writes, FAIR_ROOMS * (FAIR_RECORDS - 1));
    harness_close_log(h);
    for (unsigned i = 0; i < FAIR_ROOMS; i++)
        expect_room(h, i, 0, FAIR_RECORDS);
    harness_free(h);
}

static void test_evlog_lru_shares_slots_fairly_between_busy_rooms_sync_none(void **state)
{
    (void)state;
    lru_shares_slots_fairly(EVLOG_SYNC_NONE, EVLOG_FLUSH_SYNCFS);
}

/* Under `always` every write waits for a flush (the group's syncfs, or its
 * own fdatasync) whose duration the disk decides: the count above does not
 * depend on it. */
static void test_evlog_lru_shares_slots_fairly_between_busy_rooms_sync_always(void **state)
{
    (void)state;
    lru_shares_slots_fairly(EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_SYNCFS);
    lru_shares_slots_fairly(EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_FDATASYNC);
}

static void test_evlog_lru_shares_slots_fairly_between_busy_rooms_sync_batch(void **state)
{
    (void)state;
    lru_shares_slots_fairly(EVLOG_SYNC_BATCH, EVLOG_FLUSH_SYNCFS);
    lru_shares_slots_fairly(EVLOG_SYNC_BATCH, EVLOG_FLUSH_FDATASYNC);
}

/* A write that fails (here: the file-size limit, as a full disk would)
 * answers every waiting record with the error, leaves only whole records in
 * the file, is logged once, and writing works again once the limit goes. */
static void test_evlog_write_failure_reports_error_keeps_file_valid_and_recovers(void **state)
{
    struct harness *h = harness_new();
    struct rlimit old, small;
    struct record recs[12];
    uint8_t buf[PAYLOAD_MAX];
    char path[512];
    struct evlog_contents c;
    (void)state;

    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    harness_open(h, EVLOG_SYNC_BATCH, EVLOG_FLUSH_FDATASYNC, 0);
    room_path(h, "FULL22", path, sizeof(path));

    /* Records 0..3 of 300 bytes fit under 1300 bytes; record 4 would not. */
    small = old;
    small.rlim_cur = EVLOG_MAGIC_LEN + 4 * evlog_record_size(300) + 100;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    memset(buf, 'a', sizeof(buf));
    for (int i = 0; i < 4; i++) {
        buf[0] = (uint8_t)i;
        assert_int_equal(append(h, "FULL22", buf, 300, &recs[i]), 0);
        uv_run(&h->loop, UV_RUN_DEFAULT);
        assert_int_equal(recs[i].status, 0);
    }
    /* One failing record alone, then a batch of three: all answered with
     * the error, one warning in all. */
    buf[0] = 4;
    assert_int_equal(append(h, "FULL22", buf, 300, &recs[4]), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(recs[4].status, UV_EFBIG);
    for (int i = 5; i < 8; i++) {
        buf[0] = (uint8_t)i;
        assert_int_equal(append(h, "FULL22", buf, 300, &recs[i]), 0);
    }
    uv_run(&h->loop, UV_RUN_DEFAULT);
    for (int i = 5; i < 8; i++)
        assert_int_equal(recs[i].status, UV_EFBIG);
    assert_int_equal(h->warnings, 1);
    assert_non_null(strstr(h->warning[0], "write failed"));

    /* Only whole records are on disk: the partial write was cut off. */
    assert_int_equal(evlog_read_file(path, false, &c), 0);
    assert_int_equal(c.tail, EVLOG_TAIL_CLEAN);
    assert_int_equal(c.count, 4);
    evlog_contents_free(&c);

    /* The disk has room again. */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    for (int i = 8; i < 10; i++) {
        buf[0] = (uint8_t)i;
        assert_int_equal(append(h, "FULL22", buf, 300, &recs[i]), 0);
    }
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(recs[8].status, 0);
    assert_int_equal(recs[9].status, 0);
    assert_int_equal(h->warnings, 2);
    assert_non_null(strstr(h->warning[1], "succeed again"));

    struct evlog_stats st;
    evlog_get_stats(h->log, &st);
    assert_int_equal(st.failed, 4);
    assert_int_equal(st.appended, 6);
    harness_close_log(h);
    assert_int_equal(evlog_read_file(path, false, &c), 0);
    assert_int_equal(c.tail, EVLOG_TAIL_CLEAN);
    assert_int_equal(c.count, 6);
    static const uint8_t order[6] = {0, 1, 2, 3, 8, 9};
    for (size_t i = 0; i < c.count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(&c, i, &len);
        assert_int_equal(len, 300);
        assert_int_equal(p[0], order[i]);
    }
    evlog_contents_free(&c);
    harness_free(h);
}

/* The events of one decision go in as one unit: one callback, all stored
 * or none, and refused whole when they do not fit. */
static void test_evlog_appendv_stores_all_or_none(void **state)
{
    struct harness *h = harness_new();
    struct rlimit old, small;
    struct record r1 = {.h = h}, r2 = {.h = h}, r3 = {.h = h};
    uint8_t a[300], b[300], c[300];
    char path[512];
    struct evlog_contents contents;
    (void)state;
    memset(a, 'a', sizeof(a));
    memset(b, 'b', sizeof(b));
    memset(c, 'c', sizeof(c));
    struct evlog_payload three[3] = {{a, sizeof(a)}, {b, sizeof(b)}, {c, sizeof(c)}};
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    harness_open(h, EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_SYNCFS, 0);
    room_path(h, "UNIT22", path, sizeof(path));

    h->in_append = true;
    assert_int_equal(evlog_appendv(h->log, "UNIT22", three, 3, on_done, &r1), 0);
    h->in_append = false;
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r1.calls, 1);
    assert_int_equal(r1.status, 0);

    /* Room for one more record but not three: none of them lands. */
    small = old;
    small.rlim_cur = EVLOG_MAGIC_LEN + 4 * evlog_record_size(300) + 10;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(evlog_appendv(h->log, "UNIT22", three, 3, on_done, &r2), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(r2.calls, 1);
    assert_int_equal(r2.status, UV_EFBIG);
    assert_int_equal(evlog_read_file(path, false, &contents), 0);
    assert_int_equal(contents.tail, EVLOG_TAIL_CLEAN);
    assert_int_equal(contents.count, 3);
    evlog_contents_free(&contents);

    /* A unit larger than a room may queue is refused whole, at once. */
    uint8_t *big = malloc(EVLOG_RECORD_MAX);
    assert_non_null(big);
    memset(big, 'x', EVLOG_RECORD_MAX);
    struct evlog_payload huge[5];
    for (int i = 0; i < 5; i++) {
        huge[i].bytes = big;
        huge[i].len = EVLOG_RECORD_MAX;
    }
    assert_int_equal(evlog_appendv(h->log, "UNIT22", huge, 5, on_done, &r3), UV_ENOBUFS);
    assert_int_equal(evlog_appendv(h->log, "UNIT22", huge, 0, on_done, &r3), UV_EINVAL);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r3.calls, 0);
    free(big);

    struct evlog_stats st;
    evlog_get_stats(h->log, &st);
    assert_int_equal(st.appended, 3);
    assert_int_equal(st.failed, 3);
    harness_close_log(h);
    assert_int_equal(evlog_read_file(path, false, &contents), 0);
    assert_int_equal(contents.count, 3);
    uint32_t len;
    assert_int_equal(evlog_contents_payload(&contents, 0, &len)[0], 'a');
    assert_int_equal(evlog_contents_payload(&contents, 1, &len)[0], 'b');
    assert_int_equal(evlog_contents_payload(&contents, 2, &len)[0], 'c');
    evlog_contents_free(&contents);
    harness_free(h);
}

/* The same under `always`, where the failure can also come while opening a
 * new room's file (its header no longer fits). */
static void test_evlog_new_file_failure_under_always_reports_error(void **state)
{
    struct harness *h = harness_new();
    struct rlimit old, none;
    struct record r1, r2;
    char path[512];
    struct stat st;
    (void)state;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    harness_open(h, EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_FDATASYNC, 0);
    none = old;
    none.rlim_cur = 4;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
    assert_int_equal(append(h, "NEW222", "x", 1, &r1), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(r1.status, UV_EFBIG);
    /* No half header is left to confuse a reader. */
    room_path(h, "NEW222", path, sizeof(path));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(append(h, "NEW222", "y", 1, &r2), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r2.status, 0);
    harness_close_log(h);
    struct evlog_contents c;
    assert_int_equal(evlog_read_file(path, false, &c), 0);
    assert_int_equal(c.count, 1);
    uint32_t len;
    assert_memory_equal(evlog_contents_payload(&c, 0, &len), "y", 1);
    evlog_contents_free(&c);
    harness_free(h);
}

static void on_deleted(void *ud, int status)
{
    int *out = ud;
    *out = status;
}

static void test_evlog_delete_removes_file_and_saved_tails_and_next_append_starts_fresh(void **state)
{
    struct harness *h = harness_new();
    struct record recs[8];
    char path[512];
    int deleted = 1;
    (void)state;
    harness_open(h, EVLOG_SYNC_BATCH, EVLOG_FLUSH_FDATASYNC, 0);
    write_rounds(h, 1, 1, 3, recs);
    room_path(h, "R00000", path, sizeof(path));
    assert_int_equal(access(path, F_OK), 0);
    /* A tail recovery saved aside earlier, and another room's. */
    char cut[600], other[600];
    snprintf(cut, sizeof(cut), "%s.cut-123", path);
    snprintf(other, sizeof(other), "%s/R00001.log.cut-8", h->dir);
    write_raw(cut, "junk", 4);
    write_raw(other, "junk", 4);
    assert_int_equal(evlog_delete(h->log, "R00000", on_deleted, &deleted), 0);
    /* A second delete while the first is under way is refused. */
    assert_int_equal(evlog_delete(h->log, "R00000", on_deleted, &deleted), UV_EBUSY);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(deleted, 0);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_not_equal(access(cut, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
    /* Deleting a room without a file is fine. */
    deleted = 1;
    assert_int_equal(evlog_delete(h->log, "GONE22", on_deleted, &deleted), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(deleted, 0);
    /* Appending again starts a new file, with the header. */
    uint8_t buf[PAYLOAD_MAX];
    size_t len = make_payload(buf, 0, 0);
    assert_int_equal(append(h, "R00000", buf, len, &recs[3]), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(recs[3].status, 0);
    harness_close_log(h);
    expect_room(h, 0, 0, 1);
    harness_free(h);
}

static void test_evlog_delete_refused_while_appends_pending(void **state)
{
    struct harness *h = harness_new();
    struct record r;
    int deleted = 1;
    (void)state;
    harness_open(h, EVLOG_SYNC_NONE, EVLOG_FLUSH_FDATASYNC, 0);
    assert_int_equal(append(h, "BUSY22", "z", 1, &r), 0);
    assert_int_equal(evlog_delete(h->log, "BUSY22", on_deleted, &deleted), UV_EBUSY);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r.status, 0);
    assert_int_equal(deleted, 1);
    harness_free(h);
}

/* Closing writes out what is queued, flushes, and leaves the loop clean. */
static void test_evlog_close_flushes_queued_records(void **state)
{
    enum { ROOMS = 3, PER = 50 };
    struct harness *h = harness_new();
    struct record recs[ROOMS * PER];
    uint8_t buf[PAYLOAD_MAX];
    char code[8];
    (void)state;
    harness_open(h, EVLOG_SYNC_BATCH, EVLOG_FLUSH_FDATASYNC, 0);
    for (unsigned i = 0; i < ROOMS; i++) {
        room_code(code, i);
        for (unsigned k = 0; k < PER; k++) {
            size_t len = make_payload(buf, i, k);
            assert_int_equal(append(h, code, buf, len, &recs[i * PER + k]), 0);
        }
    }
    struct evlog *log = h->log;
    evlog_close(log, on_closed, h);
    struct record late;
    assert_int_equal(evlog_append(log, "LATE22", "x", 1, on_done, &late), UV_ECANCELED);
    assert_int_equal(uv_run(&h->loop, UV_RUN_DEFAULT), 0);
    assert_true(h->closed);
    for (unsigned i = 0; i < ROOMS * PER; i++)
        assert_int_equal(recs[i].status, 0);
    for (unsigned i = 0; i < ROOMS; i++)
        expect_room(h, i, 0, PER);
    harness_free(h);
}

static void test_evlog_append_refuses_bad_room_codes_and_lengths(void **state)
{
    struct harness *h = harness_new();
    struct record r;
    static const char *bad[] = {"", "abc234", "../ETC", "A/B", "A.B", "ABCDEFGHJKMNPQRST", "AB CD"};
    (void)state;
    harness_open(h, EVLOG_SYNC_NONE, EVLOG_FLUSH_FDATASYNC, 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(append(h, bad[i], "x", 1, &r), UV_EINVAL);
    assert_int_equal(append(h, "ABC234", "x", 0, &r), UV_EINVAL);
    uint8_t *big = calloc(1, EVLOG_RECORD_MAX + 1);
    assert_non_null(big);
    assert_int_equal(append(h, "ABC234", big, EVLOG_RECORD_MAX + 1, &r), UV_EINVAL);
    free(big);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 0);
    /* Nothing was created for refused appends. */
    char path[512];
    room_path(h, "ABC234", path, sizeof(path));
    assert_int_not_equal(access(path, F_OK), 0);
    harness_free(h);
}

/* A room cannot queue without bound: beyond EVLOG_FILE_PENDING_MAX the
 * append is refused (the room answers server_busy) and nothing is lost. */
static void test_evlog_append_refuses_when_room_queue_is_full(void **state)
{
    struct harness *h = harness_new();
    struct record r[8];
    int accepted = 0;
    (void)state;
    uint8_t *big = malloc(EVLOG_RECORD_MAX);
    assert_non_null(big);
    memset(big, 0x5A, EVLOG_RECORD_MAX);
    harness_open(h, EVLOG_SYNC_NONE, EVLOG_FLUSH_FDATASYNC, 0);
    for (int i = 0; i < 8; i++) {
        int err = append(h, "HUGE22", big, EVLOG_RECORD_MAX, &r[i]);
        if (err == 0)
            accepted++;
        else
            assert_int_equal(err, UV_ENOBUFS);
    }
    assert_int_equal(accepted, EVLOG_FILE_PENDING_MAX / evlog_record_size(EVLOG_RECORD_MAX));
    uv_run(&h->loop, UV_RUN_DEFAULT);
    for (int i = 0; i < accepted; i++)
        assert_int_equal(r[i].status, 0);
    free(big);
    harness_free(h);
}

static void write_raw(const char *path, const void *bytes, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* A file left torn by a crash is checked when the writer first opens it:
 * the tail is cut before anything is appended, so new records never hide
 * behind garbage. */
static void test_evlog_writer_cuts_torn_tail_before_appending(void **state)
{
    struct harness *h = harness_new();
    uint8_t file[4096], buf[PAYLOAD_MAX];
    size_t n = 0;
    char path[512];
    struct record r;
    (void)state;
    memcpy(file, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    n = EVLOG_MAGIC_LEN;
    for (unsigned k = 0; k < 3; k++) {
        size_t len = make_payload(buf, 0, k);
        n += evlog_record_encode(file + n, sizeof(file) - n, buf, len);
    }
    size_t len3 = make_payload(buf, 0, 3);
    size_t whole = n;
    n += evlog_record_encode(file + n, sizeof(file) - n, buf, len3);
    room_path(h, "R00000", path, sizeof(path));
    write_raw(path, file, whole + 5); /* the 4th record torn in its header */

    harness_open(h, EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_FDATASYNC, 0);
    assert_int_equal(append(h, "R00000", buf, len3, &r), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r.status, 0);
    assert_int_equal(h->warnings, 1);
    assert_non_null(strstr(h->warning[0], "cut 5 bytes"));
    harness_close_log(h);
    expect_room(h, 0, 0, 4);
    harness_free(h);
}

static void test_evlog_writer_never_appends_to_a_foreign_file(void **state)
{
    struct harness *h = harness_new();
    char path[512];
    struct record r;
    struct stat st;
    const char *text = "#!/bin/sh\necho not a log\n";
    (void)state;
    room_path(h, "FOREIG", path, sizeof(path));
    write_raw(path, text, strlen(text));
    harness_open(h, EVLOG_SYNC_NONE, EVLOG_FLUSH_FDATASYNC, 0);
    assert_int_equal(append(h, "FOREIG", "x", 1, &r), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r.status, UV_EINVAL);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, (off_t)strlen(text));
    harness_free(h);
}

/* `batch` answers before any flush, then flushes the written files on its
 * own (a timer of EVLOG_BATCH_SYNC_MS, not the close) and lets the loop
 * end. The time bound is loose: a loaded CI machine may take long over the
 * flush itself. */
static void batch_answers_then_flushes_on_timer(enum evlog_flush flush)
{
    struct harness *h = harness_new();
    struct record r[3];
    struct evlog_stats st;
    harness_open(h, EVLOG_SYNC_BATCH, flush, 0);
    assert_int_equal(append(h, "BATCH2", "x", 1, &r[0]), 0);
    assert_int_equal(append(h, "BATCH3", "y", 1, &r[1]), 0);
    assert_int_equal(append(h, "BATCH4", "z", 1, &r[2]), 0);
    while (r[0].calls == 0 || r[1].calls == 0 || r[2].calls == 0)
        uv_run(&h->loop, UV_RUN_ONCE);
    evlog_get_stats(h->log, &st);
    assert_int_equal(st.syncs, 0); /* the callbacks came before any flush */
    uint64_t t0 = uv_hrtime();
    uv_run(&h->loop, UV_RUN_DEFAULT);
    uint64_t ms = (uv_hrtime() - t0) / 1000000;
    evlog_get_stats(h->log, &st);
    /* One flush per file, or one for the whole filesystem. */
    assert_int_equal(st.syncs, flush == EVLOG_FLUSH_SYNCFS ? 1 : 3);
    assert_true(ms >= EVLOG_BATCH_SYNC_MS / 2);
    assert_true(ms <= EVLOG_BATCH_SYNC_MS * 20);
    harness_free(h);
}

static void test_evlog_batch_mode_answers_then_flushes_on_its_timer_fdatasync(void **state)
{
    (void)state;
    batch_answers_then_flushes_on_timer(EVLOG_FLUSH_FDATASYNC);
}

static void test_evlog_batch_mode_answers_then_flushes_on_its_timer_syncfs(void **state)
{
    (void)state;
    batch_answers_then_flushes_on_timer(EVLOG_FLUSH_SYNCFS);
}

struct load_result {
    int calls;
    int status;
    size_t count;
    bool payloads_match;
    unsigned room;
};

static void on_loaded(void *ud, int status, const struct evlog_contents *c)
{
    struct load_result *lr = ud;
    uint8_t want[PAYLOAD_MAX];
    lr->calls++;
    lr->status = status;
    lr->count = c->count;
    lr->payloads_match = true;
    for (size_t i = 0; i < c->count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(c, i, &len);
        size_t wlen = make_payload(want, lr->room, (unsigned)i);
        if (len != wlen || memcmp(p, want, wlen) != 0)
            lr->payloads_match = false;
    }
}

/* A room's log is read back on the thread pool, in order with its writes:
 * appends made after the load are not in what it returns, and land after. */
static void test_evlog_load_reads_room_in_order_with_appends(void **state)
{
    struct harness *h = harness_new();
    struct record recs[8];
    struct load_result lr = {.room = 0};
    uint8_t buf[PAYLOAD_MAX];
    (void)state;
    harness_open(h, EVLOG_SYNC_BATCH, EVLOG_FLUSH_SYNCFS, 0);
    write_rounds(h, 1, 1, 5, recs);
    assert_int_equal(evlog_load(h->log, "R00000", on_loaded, &lr), 0);
    /* A second load, or a delete, while this one is queued is refused. */
    assert_int_equal(evlog_load(h->log, "R00000", on_loaded, &lr), UV_EBUSY);
    size_t len = make_payload(buf, 0, 5);
    assert_int_equal(append(h, "R00000", buf, len, &recs[5]), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(lr.calls, 1);
    assert_int_equal(lr.status, 0);
    assert_int_equal(lr.count, 5);
    assert_true(lr.payloads_match);
    assert_int_equal(recs[5].status, 0);
    /* Loading again sees all six. */
    assert_int_equal(evlog_load(h->log, "R00000", on_loaded, &lr), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(lr.count, 6);
    assert_true(lr.payloads_match);
    harness_close_log(h);
    expect_room(h, 0, 0, 6);
    harness_free(h);
}

static void test_evlog_load_of_unknown_room_is_enoent_and_creates_nothing(void **state)
{
    struct harness *h = harness_new();
    struct load_result lr = {.room = 0};
    char path[512];
    (void)state;
    harness_open(h, EVLOG_SYNC_NONE, EVLOG_FLUSH_SYNCFS, 0);
    assert_int_equal(evlog_load(h->log, "NONE22", on_loaded, &lr), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(lr.calls, 1);
    assert_int_equal(lr.status, UV_ENOENT);
    assert_int_equal(lr.count, 0);
    room_path(h, "NONE22", path, sizeof(path));
    assert_int_not_equal(access(path, F_OK), 0);
    harness_free(h);
}

static void test_evlog_load_cuts_torn_tail_and_says_so(void **state)
{
    struct harness *h = harness_new();
    struct load_result lr = {.room = 0};
    uint8_t file[4096], buf[PAYLOAD_MAX];
    size_t n = EVLOG_MAGIC_LEN;
    char path[512];
    struct record r;
    (void)state;
    memcpy(file, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    for (unsigned k = 0; k < 4; k++) {
        size_t len = make_payload(buf, 0, k);
        n += evlog_record_encode(file + n, sizeof(file) - n, buf, len);
    }
    room_path(h, "R00000", path, sizeof(path));
    write_raw(path, file, n - 2); /* the 4th record torn in its payload */
    harness_open(h, EVLOG_SYNC_ALWAYS, EVLOG_FLUSH_SYNCFS, 0);
    assert_int_equal(evlog_load(h->log, "R00000", on_loaded, &lr), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(lr.status, 0);
    assert_int_equal(lr.count, 3);
    assert_true(lr.payloads_match);
    assert_int_equal(h->warnings, 1);
    assert_non_null(strstr(h->warning[0], "torn payload"));
    /* The room goes on where the valid records end. */
    size_t len = make_payload(buf, 0, 3);
    assert_int_equal(append(h, "R00000", buf, len, &r), 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(r.status, 0);
    harness_close_log(h);
    expect_room(h, 0, 0, 4);
    harness_free(h);
}

struct listing {
    char rooms[8][EVLOG_ROOM_CODE_MAX + 1];
    int n;
};

static int on_listed(void *ud, const char *room, uint64_t size, int64_t mtime_ms)
{
    struct listing *l = ud;
    assert_true(size > 0);
    assert_true(mtime_ms > 0);
    assert_true(l->n < 8);
    snprintf(l->rooms[l->n++], sizeof(l->rooms[0]), "%s", room);
    return 0;
}

static int cmp_room(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_evlog_list_dir_finds_room_logs_only(void **state)
{
    struct harness *h = harness_new();
    struct listing l = {.n = 0};
    char path[600];
    static const char *files[] = {"ABC234.log",       "XYZ789.log", "abc234.log",
                                  "ABC234.log.cut-8", "notes.txt",  "AB.CD.log"};
    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", h->dir, files[i]);
        write_raw(path, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    }
    assert_int_equal(evlog_list_dir(h->dir, on_listed, &l), 0);
    assert_int_equal(l.n, 2);
    qsort(l.rooms, (size_t)l.n, sizeof(l.rooms[0]), cmp_room);
    assert_string_equal(l.rooms[0], "ABC234");
    assert_string_equal(l.rooms[1], "XYZ789");
    harness_free(h);
}

/* The data directory is made with its parents, and a second writer on the
 * same directory is refused while the first is open. */
static void test_evlog_open_creates_directory_and_refuses_second_writer(void **state)
{
    struct harness *h = harness_new();
    char nested[400];
    struct evlog *second = NULL;
    struct record r;
    (void)state;
    snprintf(nested, sizeof(nested), "%s/data/rooms", h->dir);
    struct evlog_options o = {.dir = nested, .sync = EVLOG_SYNC_NONE};
    assert_int_equal(evlog_open(&h->loop, &o, &h->log), 0);
    assert_int_equal(access(nested, W_OK), 0);
    assert_int_equal(evlog_open(&h->loop, &o, &second), UV_EBUSY);
    assert_null(second);
    assert_int_equal(append(h, "ABC234", "x", 1, &r), 0);
    harness_close_log(h);
    assert_int_equal(r.status, 0);
    /* Closed: the directory is free again. */
    assert_int_equal(evlog_open(&h->loop, &o, &second), 0);
    h->log = second;
    harness_free(h);
}

int main(int argc, char **argv)
{
    /* A hung loop must fail the test, not the whole CI run. */
    alarm(120);
    /* One test (or a pattern) by name, for running a flaky one again and again. */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evlog_records_read_back_in_order_sync_always_fdatasync),
        cmocka_unit_test(test_evlog_records_read_back_in_order_sync_always_syncfs),
        cmocka_unit_test(test_evlog_records_read_back_in_order_sync_batch),
        cmocka_unit_test(test_evlog_records_read_back_in_order_sync_batch_syncfs),
        cmocka_unit_test(test_evlog_records_read_back_in_order_sync_none),
        cmocka_unit_test(test_evlog_group_commit_one_write_per_file_per_iteration),
        cmocka_unit_test(test_evlog_files_beyond_open_limit_are_reopened_or_written_through_own_fd),
        cmocka_unit_test(test_evlog_lru_shares_slots_fairly_between_busy_rooms_sync_none),
        cmocka_unit_test(test_evlog_lru_shares_slots_fairly_between_busy_rooms_sync_always),
        cmocka_unit_test(test_evlog_lru_shares_slots_fairly_between_busy_rooms_sync_batch),
        cmocka_unit_test(test_evlog_write_failure_reports_error_keeps_file_valid_and_recovers),
        cmocka_unit_test(test_evlog_new_file_failure_under_always_reports_error),
        cmocka_unit_test(test_evlog_appendv_stores_all_or_none),
        cmocka_unit_test(test_evlog_delete_removes_file_and_saved_tails_and_next_append_starts_fresh),
        cmocka_unit_test(test_evlog_delete_refused_while_appends_pending),
        cmocka_unit_test(test_evlog_close_flushes_queued_records),
        cmocka_unit_test(test_evlog_append_refuses_bad_room_codes_and_lengths),
        cmocka_unit_test(test_evlog_append_refuses_when_room_queue_is_full),
        cmocka_unit_test(test_evlog_writer_cuts_torn_tail_before_appending),
        cmocka_unit_test(test_evlog_writer_never_appends_to_a_foreign_file),
        cmocka_unit_test(test_evlog_batch_mode_answers_then_flushes_on_its_timer_fdatasync),
        cmocka_unit_test(test_evlog_batch_mode_answers_then_flushes_on_its_timer_syncfs),
        cmocka_unit_test(test_evlog_load_reads_room_in_order_with_appends),
        cmocka_unit_test(test_evlog_load_of_unknown_room_is_enoent_and_creates_nothing),
        cmocka_unit_test(test_evlog_load_cuts_torn_tail_and_says_so),
        cmocka_unit_test(test_evlog_list_dir_finds_room_logs_only),
        cmocka_unit_test(test_evlog_open_creates_directory_and_refuses_second_writer),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
