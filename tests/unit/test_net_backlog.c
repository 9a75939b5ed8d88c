/* test_net_backlog.c - the send queue's bound is about backlog, not message size: one message bigger than the bound never makes a slow reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net/net_conn.h"

#define BOUND ((size_t)NET_SEND_QUEUE_MAX)

static void test_one_message_bigger_than_the_bound_is_not_a_backlog(void **state)
{
    (void)state;
    /* An empty queue takes a message of any size: a View of several
     * MiB to a reader that keeps up. */
    assert_false(net_backlog_over(0, 0, BOUND + 1));
    assert_false(net_backlog_over(0, 0, 16 * BOUND));
}

static void test_small_messages_behind_a_big_one_count_up_to_the_bound(void **state)
{
    size_t big = 4 * BOUND;

    (void)state;
    /* Events queued behind the big message are the backlog. */
    assert_false(net_backlog_over(big, big, 100));
    assert_false(net_backlog_over(big + BOUND - 100, big, 100));
    assert_true(net_backlog_over(big + BOUND - 100, big, 101));
}

static void test_a_big_message_behind_small_ones_does_not_count_itself(void **state)
{
    (void)state;
    /* A few events, then the welcome: the welcome is the exempt one and
     * the events are the backlog. */
    assert_false(net_backlog_over(300, 100, 3 * BOUND));
    assert_false(net_backlog_over(BOUND, 100, 3 * BOUND));
    assert_true(net_backlog_over(BOUND + 1, 100, 3 * BOUND));
}

static void test_a_reader_behind_by_more_than_the_bound_is_slow(void **state)
{
    (void)state;
    /* Many small messages (a reader that stopped reading). */
    assert_false(net_backlog_over(BOUND - 100, 100, 100));
    assert_false(net_backlog_over(BOUND, 100, 100));
    assert_true(net_backlog_over(BOUND + 1, 100, 100));
    /* Two big messages: one is exempt, the other is backlog. */
    assert_true(net_backlog_over(BOUND + 1, BOUND + 1, BOUND + 1));
    assert_false(net_backlog_over(BOUND, BOUND, BOUND));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_message_bigger_than_the_bound_is_not_a_backlog),
        cmocka_unit_test(test_small_messages_behind_a_big_one_count_up_to_the_bound),
        cmocka_unit_test(test_a_big_message_behind_small_ones_does_not_count_itself),
        cmocka_unit_test(test_a_reader_behind_by_more_than_the_bound_is_slow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
