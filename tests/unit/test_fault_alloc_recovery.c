/* test_fault_alloc_recovery: reading a log back with each allocation failing in turn. */
#include "test_fault_alloc_session.h"

/* Reading a log back (start-up recovery, a room loaded on demand) with each allocation failing in
 * turn: the error says out of memory, the file is not touched (no repair of a log that is whole),
 * nothing leaks, and reading again gives the room. */
static void test_recovery_every_allocation_may_fail(void **state)
{
    (void)state;
    msgpack_sbuffer want, log;
    fa_session_log(0, &want, &log);

    char dir[] = "/tmp/verrijk-fault-XXXXXX", path[512];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(evlog_room_path(dir, FA_ROOM, path, sizeof path), 0);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(log.data, 1, log.size, f), log.size);
    assert_int_equal(fclose(f), 0);

    long count = 0, surfaced = 0;
    for (long n = 0; n == 0 || n <= count; n++) {
        atomic_store(&fa_count, 0);
        atomic_store(&fa_failed, 0);
        atomic_store(&fa_fail_at, n);
        atomic_store(&fa_on, true);
        room *r = fa_recover(path);
        if (!r) {
            surfaced++;
            r = fa_recover(path);
            if (!r)
                fail_msg("recovery failed again after allocation %ld", n);
        }
        atomic_store(&fa_on, false);
        if (n == 0)
            count = atomic_load(&fa_count);
        msgpack_sbuffer got, bytes;
        tg_dump(r, &got);
        if (got.size != want.size || memcmp(got.data, want.data, want.size) != 0)
            fail_msg("recovered another room after allocation %ld failed", n);
        fa_file_bytes(path, &bytes);
        if (bytes.size != log.size || memcmp(bytes.data, log.data, log.size) != 0)
            fail_msg("the log file changed after allocation %ld failed", n);
        msgpack_sbuffer_destroy(&got);
        msgpack_sbuffer_destroy(&bytes);
        room_free(r);
#ifdef FA_LSAN
        if (__lsan_do_recoverable_leak_check())
            fail_msg("leak after allocation %ld failed in recovery", n);
#endif
    }
    print_message("recovery: %ld allocations, each failed once; %ld surfaced as an error\n", count, surfaced);
    assert_true(count > 20);
    assert_int_equal(surfaced, count);
    unlink(path);
    rmdir(dir);
    msgpack_sbuffer_destroy(&want);
    msgpack_sbuffer_destroy(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovery_every_allocation_may_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
