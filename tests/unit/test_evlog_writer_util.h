/* test_evlog_writer_util: the session-log writer's test harness — a real libuv loop, a real temporary directory, records with payloads that say where they belong. */
#ifndef VERRIJK_TEST_EVLOG_WRITER_UTIL_H
#define VERRIJK_TEST_EVLOG_WRITER_UTIL_H

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

static inline int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static inline void on_warn(void *ud, const char *line)
{
    struct harness *h = ud;
    if (h->warnings < WARNINGS_MAX)
        snprintf(h->warning[h->warnings], sizeof(h->warning[0]), "%s", line);
    h->warnings++;
}

static inline void on_done(void *ud, int status)
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

static inline void on_closed(void *ud)
{
    struct harness *h = ud;
    h->closed = true;
    h->log = NULL;
}

static inline struct harness *harness_new(void)
{
    struct harness *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    assert_int_equal(uv_loop_init(&h->loop), 0);
    snprintf(h->dir, sizeof(h->dir), "/tmp/test_evlog_writer.XXXXXX");
    assert_non_null(mkdtemp(h->dir));
    return h;
}

static inline void harness_open(struct harness *h, enum evlog_sync sync, enum evlog_flush flush, unsigned open_files)
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

static inline void harness_close_log(struct harness *h)
{
    evlog_close(h->log, on_closed, h);
    assert_int_equal(uv_run(&h->loop, UV_RUN_DEFAULT), 0);
    assert_true(h->closed);
}

static inline void harness_free(struct harness *h)
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

static inline int append(struct harness *h, const char *room, const void *p, size_t len, struct record *r)
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
static inline size_t make_payload(uint8_t *out, unsigned room, unsigned seq)
{
    size_t len = 1 + (room * 131 + seq * 17) % PAYLOAD_MAX;
    for (size_t k = 0; k < len; k++)
        out[k] = (uint8_t)(room * 7 + seq * 13 + k);
    return len;
}

static inline void room_code(char out[8], unsigned i)
{
    snprintf(out, 8, "R%05u", i);
}

static inline void room_path(const struct harness *h, const char *room, char *out, size_t cap)
{
    assert_int_equal(evlog_room_path(h->dir, room, out, cap), 0);
}

/* Reads a room's file and checks that it holds exactly records from..to-1
 * of make_payload, in order, with nothing after them. */
static inline void expect_room(const struct harness *h, unsigned room, unsigned from, unsigned to)
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
static inline void write_rounds_ex(struct harness *h, unsigned rooms, unsigned rounds, unsigned per_round,
                                   struct record *recs, bool settle)
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

static inline void write_rounds(struct harness *h, unsigned rooms, unsigned rounds, unsigned per_round,
                                struct record *recs)
{
    write_rounds_ex(h, rooms, rounds, per_round, recs, false);
}

static inline void run_mode(enum evlog_sync sync, enum evlog_flush flush)
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

static inline void write_raw(const char *path, const void *bytes, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

#endif
