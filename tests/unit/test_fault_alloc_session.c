/* test_fault_alloc_session: every allocation of a scripted session may fail, and the pack for the log is whole or refused. */
#include "test_fault_alloc_session.h"

static void test_every_allocation_may_fail(void **state)
{
    (void)state;
    msgpack_sbuffer want;
    long count = fa_session(0, &want);
    print_message("%ld allocations in a session\n", count);
    assert_true(count > 40);
    long from = 1, to = count;
    const char *only = getenv("VERRIJK_FAULT_AT");
    if (only)
        from = to = atol(only);
    for (long n = from; n <= to; n++) {
        msgpack_sbuffer got;
        fa_session(n, &got);
        /* Retried, the session ends as if nothing had failed. */
        if (got.size != want.size || memcmp(got.data, want.data, want.size) != 0)
            fail_msg("after allocation %ld failed the session ended in another room", n);
        msgpack_sbuffer_destroy(&got);
#ifdef FA_LSAN
        if (__lsan_do_recoverable_leak_check())
            fail_msg("leak after allocation %ld failed", n);
#endif
    }
    print_message("%ld allocations, each failed once; failures surfaced in", count);
    for (int k = 0; k < FA_AT_N; k++)
        print_message(" %s %ld", fa_at_name[k], fa_at[k]);
    print_message("\n");
    if (!only)
        for (int k = 0; k < FA_AT_N; k++)
            if (!fa_at[k])
                fail_msg("no failure surfaced in %s: the sweep does not reach it", fa_at_name[k]);
    msgpack_sbuffer_destroy(&want);
}

/* Found by the sweep (allocation 10): an event packed for the log while the buffer could not grow
 * came out as other bytes, which the log stored with a valid CRC. Packing is whole or refused. */
static void test_pack_for_the_log_is_whole_or_refused(void **state)
{
    (void)state;
    tg t;
    tg_init(&t);
    tg_create(&t);
    const game_event *e = &t.res.events[0];
    for (long n = 1; n <= 2; n++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        atomic_store(&fa_count, 0);
        atomic_store(&fa_fail_at, n);
        atomic_store(&fa_on, true);
        int rc = game_pack_event_sbuffer(e, &sb);
        atomic_store(&fa_on, false);
        if (n == 1) {
            assert_int_equal(rc, -1);
            assert_int_equal(sb.size, 0);
        } else {
            /* One growth is enough for this event: the second allocation is never asked for. */
            assert_int_equal(rc, 0);
            msgpack_unpacked up;
            msgpack_unpacked_init(&up);
            size_t off = 0;
            assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
            assert_int_equal(off, sb.size);
            msgpack_unpacked_destroy(&up);
        }
        msgpack_sbuffer_destroy(&sb);
    }
    tg_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_for_the_log_is_whole_or_refused),
        cmocka_unit_test(test_every_allocation_may_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
