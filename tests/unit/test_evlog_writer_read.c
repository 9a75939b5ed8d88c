/* test_evlog_writer_read: torn tails cut, batch flushes, room logs loaded and listed, the data directory opened once. */
#include "test_evlog_writer_util.h"

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
