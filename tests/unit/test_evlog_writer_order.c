/* test_evlog_writer_order: records read back in order in every sync mode, group commit, and open-file slots shared fairly. */
#include "test_evlog_writer_util.h"

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
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
