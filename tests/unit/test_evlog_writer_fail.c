/* test_evlog_writer_fail: write failures, all-or-none appends, delete, close, and the refusals of bad or too many appends. */
#include "test_evlog_writer_util.h"

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

int main(int argc, char **argv)
{
    /* A hung loop must fail the test, not the whole CI run. */
    alarm(120);
    /* One test (or a pattern) by name, for running a flaky one again and again. */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evlog_write_failure_reports_error_keeps_file_valid_and_recovers),
        cmocka_unit_test(test_evlog_new_file_failure_under_always_reports_error),
        cmocka_unit_test(test_evlog_appendv_stores_all_or_none),
        cmocka_unit_test(test_evlog_delete_removes_file_and_saved_tails_and_next_append_starts_fresh),
        cmocka_unit_test(test_evlog_delete_refused_while_appends_pending),
        cmocka_unit_test(test_evlog_close_flushes_queued_records),
        cmocka_unit_test(test_evlog_append_refuses_bad_room_codes_and_lengths),
        cmocka_unit_test(test_evlog_append_refuses_when_room_queue_is_full),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
