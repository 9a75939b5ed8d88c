/* test_evlog_remembered: the writer's bounded set of remembered closed files, past its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "log/evlog.h"

/* More rooms than the writer remembers, so that the oldest are evicted, and
 * few open files, so that every file is closed (and remembered) soon. */
#define ROOMS       (EVLOG_REMEMBERED_MAX + 16)
#define OPEN_FILES  8
#define PAYLOAD_MAX 32

struct harness {
    uv_loop_t loop;
    char dir[64];
    struct evlog *log;
    unsigned done_ok, done_err;
    bool closed;
};

static void on_done(void *ud, int status)
{
    struct harness *h = ud;
    if (status == 0)
        h->done_ok++;
    else
        h->done_err++;
}

static void on_closed(void *ud)
{
    struct harness *h = ud;
    h->closed = true;
}

static void room_code(char out[8], unsigned i)
{
    snprintf(out, 8, "M%05u", i);
}

static size_t make_payload(uint8_t *out, unsigned room, unsigned seq)
{
    return (size_t)snprintf((char *)out, PAYLOAD_MAX, "room %u record %u", room, seq);
}

/* Appends record seq to every room and runs the loop until all are stored. */
static void append_to_every_room(struct harness *h, unsigned seq)
{
    uint8_t buf[PAYLOAD_MAX];
    char code[8];
    h->done_ok = h->done_err = 0;
    for (unsigned i = 0; i < ROOMS; i++) {
        room_code(code, i);
        assert_int_equal(evlog_append(h->log, code, buf, make_payload(buf, i, seq), on_done, h), 0);
    }
    while (h->done_ok + h->done_err < ROOMS)
        uv_run(&h->loop, UV_RUN_ONCE);
    assert_int_equal(h->done_err, 0);
    assert_int_equal(h->done_ok, ROOMS);
}

/* Every room's file holds exactly records 0..n-1, whether its length was
 * remembered or, evicted, found again by a rescan. */
static void expect_every_room(const struct harness *h, unsigned n)
{
    uint8_t want[PAYLOAD_MAX];
    char code[8], path[128];
    for (unsigned i = 0; i < ROOMS; i++) {
        struct evlog_contents c;
        room_code(code, i);
        assert_int_equal(evlog_room_path(h->dir, code, path, sizeof(path)), 0);
        assert_int_equal(evlog_read_file(path, false, &c), 0);
        assert_int_equal(c.tail, EVLOG_TAIL_CLEAN);
        assert_int_equal(c.count, n);
        for (unsigned k = 0; k < n; k++) {
            uint32_t len;
            const uint8_t *p = evlog_contents_payload(&c, k, &len);
            size_t wlen = make_payload(want, i, k);
            assert_int_equal(len, wlen);
            assert_memory_equal(p, want, wlen);
        }
        evlog_contents_free(&c);
    }
}

static void test_rooms_past_the_remembered_limit_are_evicted_and_append_intact(void **state)
{
    (void)state;
    struct harness h = {0};
    char cmd[128];
    assert_int_equal(uv_loop_init(&h.loop), 0);
    snprintf(h.dir, sizeof(h.dir), "/tmp/test_evlog_remembered.XXXXXX");
    assert_non_null(mkdtemp(h.dir));
    struct evlog_options o = {.dir = h.dir, .sync = EVLOG_SYNC_NONE, .open_files = OPEN_FILES};
    assert_int_equal(evlog_open(&h.loop, &o, &h.log), 0);

    /* The first pass fills the remembered set and evicts the oldest rooms;
     * the second reopens every room, evicted or remembered, and appends. */
    append_to_every_room(&h, 0);
    append_to_every_room(&h, 1);
    struct evlog_stats st;
    evlog_get_stats(h.log, &st);
    assert_int_equal(st.appended, 2 * ROOMS);
    assert_true(st.open_files <= OPEN_FILES);

    evlog_close(h.log, on_closed, &h);
    assert_int_equal(uv_run(&h.loop, UV_RUN_DEFAULT), 0);
    assert_true(h.closed);
    assert_int_equal(uv_loop_close(&h.loop), 0);
    expect_every_room(&h, 2);

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h.dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rooms_past_the_remembered_limit_are_evicted_and_append_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
