/* test_evlog_crash: a writer process killed with SIGKILL at random moments loses no record it had acknowledged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "log/evlog.h"

#define CRASH_ROOMS   3
#define CRASH_DEPTH   8 /* appends outstanding per room in the child */
#define CRASH_RUNS    12
#define CRASH_SEQ_MAX 1000000 /* the child stops on its own after this many per room */

/* What the child tells the parent for each stored record: room and seq. */
struct ack {
    uint32_t room;
    uint32_t seq;
};

struct child {
    uv_loop_t loop;
    struct evlog *log;
    int ack_fd;
    uint32_t next_seq[CRASH_ROOMS];
};

struct slot {
    struct child *c;
    uint32_t room, seq;
};

static size_t crash_payload(uint8_t *out, uint32_t room, uint32_t seq)
{
    /* Sizes 20..419: records often straddle pages, so a kill can tear one. */
    size_t len = 20 + (room * 7919u + seq * 104729u) % 400;
    for (size_t k = 0; k < len; k++)
        out[k] = (uint8_t)(room + seq * 31 + k * 7);
    return len;
}

static void child_append(struct slot *s);

static void child_done(void *ud, int status)
{
    struct slot *s = ud;
    if (status != 0)
        _exit(3);
    struct ack a = {s->room, s->seq};
    /* Tell the parent before anything else happens: only then is the
     * record acknowledged, as a server would answer a client. */
    if (write(s->c->ack_fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
        _exit(4);
    if (s->c->next_seq[s->room] < CRASH_SEQ_MAX)
        child_append(s);
}

static void child_append(struct slot *s)
{
    uint8_t buf[512];
    char code[8];
    s->seq = s->c->next_seq[s->room]++;
    snprintf(code, sizeof(code), "KILL%02u", (unsigned)s->room);
    size_t len = crash_payload(buf, s->room, s->seq);
    if (evlog_append(s->c->log, code, buf, len, child_done, s) != 0)
        _exit(5);
}

static void child_main(const char *dir, int ack_fd, enum evlog_sync sync)
{
    static struct child c;
    static struct slot slots[CRASH_ROOMS * CRASH_DEPTH];
    struct evlog_options o = {.dir = dir, .sync = sync};
    c.ack_fd = ack_fd;
    if (uv_loop_init(&c.loop) != 0 || evlog_open(&c.loop, &o, &c.log) != 0)
        _exit(2);
    /* Continue each room where the file ends (the parent repaired it). */
    for (uint32_t r = 0; r < CRASH_ROOMS; r++) {
        char path[512];
        char code[8];
        struct evlog_contents contents;
        snprintf(code, sizeof(code), "KILL%02u", (unsigned)r);
        evlog_room_path(dir, code, path, sizeof(path));
        if (evlog_read_file(path, false, &contents) == 0) {
            c.next_seq[r] = (uint32_t)contents.count;
            evlog_contents_free(&contents);
        }
    }
    for (uint32_t r = 0; r < CRASH_ROOMS; r++)
        for (uint32_t d = 0; d < CRASH_DEPTH; d++) {
            struct slot *s = &slots[r * CRASH_DEPTH + d];
            s->c = &c;
            s->room = r;
            child_append(s);
        }
    uv_run(&c.loop, UV_RUN_DEFAULT);
    _exit(0);
}

/* Checks that each room's file holds records 0..n-1, right and in order,
 * with n covering every acknowledged record; repairs a torn tail, and
 * makes the file's end the new baseline. */
static void check_rooms(const char *dir, int64_t *acked_max, uint64_t *records_seen)
{
    for (uint32_t r = 0; r < CRASH_ROOMS; r++) {
        char path[512], code[8];
        struct evlog_contents c;
        uint8_t want[512];
        snprintf(code, sizeof(code), "KILL%02u", (unsigned)r);
        assert_int_equal(evlog_room_path(dir, code, path, sizeof(path)), 0);
        int err = evlog_read_file(path, true, &c);
        if (err == UV_ENOENT) {
            assert_true(acked_max[r] < 0);
            continue;
        }
        assert_int_equal(err, 0);
        /* A kill can tear only the last write, never what lies before. */
        assert_true(c.tail == EVLOG_TAIL_CLEAN || c.tail == EVLOG_TAIL_TORN_HEADER ||
                    c.tail == EVLOG_TAIL_TORN_PAYLOAD || c.tail == EVLOG_TAIL_TORN_MAGIC);
        assert_true((int64_t)c.count > acked_max[r]);
        for (size_t i = 0; i < c.count; i++) {
            uint32_t len;
            const uint8_t *p = evlog_contents_payload(&c, i, &len);
            size_t wlen = crash_payload(want, r, (uint32_t)i);
            assert_int_equal(len, wlen);
            assert_memory_equal(p, want, wlen);
        }
        *records_seen += c.count;
        /* The next child goes on after the last record on disk, which may
         * be later than the last acknowledged one (stored, then killed
         * before it could say so). */
        acked_max[r] = (int64_t)c.count - 1;
        evlog_contents_free(&c);
    }
}

static void kill_at_random_moments(enum evlog_sync sync)
{
    char dir[] = "/tmp/test_evlog_crash.XXXXXX";
    assert_non_null(mkdtemp(dir));
    int64_t acked_max[CRASH_ROOMS];
    uint64_t acks = 0, seen = 0;
    for (int r = 0; r < CRASH_ROOMS; r++)
        acked_max[r] = -1;
    srand(4242);
    for (int run = 0; run < CRASH_RUNS; run++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_main(dir, fds[1], sync);
        }
        close(fds[1]);
        /* Read acknowledgements for a while, then kill mid-flight. */
        uint64_t until = uv_hrtime() + (uint64_t)(5 + rand() % 60) * 1000000u;
        struct ack a;
        while (uv_hrtime() < until) {
            ssize_t n = read(fds[0], &a, sizeof(a));
            if (n != (ssize_t)sizeof(a))
                break;
            assert_true(a.room < CRASH_ROOMS);
            assert_int_equal((int64_t)a.seq, acked_max[a.room] + 1); /* in order, no gap */
            acked_max[a.room] = a.seq;
            acks++;
        }
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* Acknowledgements still in the pipe were given before the kill. */
        while (read(fds[0], &a, sizeof(a)) == (ssize_t)sizeof(a)) {
            assert_int_equal((int64_t)a.seq, acked_max[a.room] + 1);
            acked_max[a.room] = a.seq;
            acks++;
        }
        close(fds[0]);
        check_rooms(dir, acked_max, &seen);
    }
    assert_true(acks > 0);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_evlog_sigkill_loses_no_acknowledged_record_sync_batch(void **state)
{
    (void)state;
    kill_at_random_moments(EVLOG_SYNC_BATCH);
}

static void test_evlog_sigkill_loses_no_acknowledged_record_sync_none(void **state)
{
    (void)state;
    kill_at_random_moments(EVLOG_SYNC_NONE);
}

int main(void)
{
    alarm(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evlog_sigkill_loses_no_acknowledged_record_sync_batch),
        cmocka_unit_test(test_evlog_sigkill_loses_no_acknowledged_record_sync_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
