/* test_metrics_format: the metrics registry's Prometheus text format 0.0.4 (HELP/TYPE, escaping, histograms, numbers) and its bounds. */
#include "test_metrics_util.h"

static void test_counter_renders_help_type_and_starts_at_zero(void **state)
{
    metric *m = metrics_counter("verrijk_things_total", "Things counted.", 0, NULL);
    char *s;

    (void)state;
    assert_non_null(m);
    s = render();
    assert_string_equal(s, "# HELP verrijk_things_total Things counted.\n"
                           "# TYPE verrijk_things_total counter\n"
                           "verrijk_things_total 0\n");
    free(s);
    metrics_inc(m, 3);
    metrics_inc(m, 4);
    s = render();
    assert_line(s, "verrijk_things_total 7");
    free(s);
}

static void test_help_escapes_backslash_and_newline(void **state)
{
    char *s;

    (void)state;
    assert_non_null(metrics_gauge("g", "a \\ b\nc \"q\"", 0, NULL));
    s = render();
    /* In HELP only backslash and newline are escaped; quotes stay. */
    assert_line(s, "# HELP g a \\\\ b\\nc \"q\"");
    assert_line(s, "# TYPE g gauge");
    free(s);
}

static void test_label_values_escape_quote_backslash_and_newline(void **state)
{
    static const char *const names[] = {"type", "outcome"};
    metric *m = metrics_counter("c_total", "C.", 2, names);
    const char *v[2] = {"a\"b", "c\\d\ne"};
    char *s;

    (void)state;
    metrics_inc_l(m, v, 2);
    s = render();
    assert_line(s, "c_total{type=\"a\\\"b\",outcome=\"c\\\\d\\ne\"} 2");
    free(s);
}

static void test_same_labels_count_in_one_series(void **state)
{
    static const char *const names[] = {"type", "outcome"};
    metric *m = metrics_counter("verrijk_intents_total", "I.", 2, names);
    const char *ok[2] = {"vote", "ok"};
    const char *bad[2] = {"vote", "not_allowed"};
    char *s;

    (void)state;
    metrics_inc_l(m, ok, 1);
    metrics_inc_l(m, bad, 1);
    metrics_inc_l(m, ok, 1);
    s = render();
    assert_line(s, "verrijk_intents_total{type=\"vote\",outcome=\"ok\"} 2");
    assert_line(s, "verrijk_intents_total{type=\"vote\",outcome=\"not_allowed\"} 1");
    free(s);
}

static void test_labelled_metric_without_series_renders_only_help_and_type(void **state)
{
    static const char *const names[] = {"type"};
    char *s;

    (void)state;
    assert_non_null(metrics_counter("x_total", "X.", 1, names));
    s = render();
    assert_string_equal(s, "# HELP x_total X.\n# TYPE x_total counter\n");
    free(s);
}

static void test_histogram_buckets_are_cumulative_with_inf_sum_and_count(void **state)
{
    /* Binary fractions, so that the sum is exact. */
    static const double bounds[] = {0.25, 0.5, 1};
    metric *h = metrics_histogram("wait_seconds", "Wait time.", bounds, 3);
    char *s;

    (void)state;
    assert_non_null(h);
    metrics_observe(h, 0.125);
    metrics_observe(h, 0.25); /* on a bound: counts in that bucket (le) */
    metrics_observe(h, 0.375);
    metrics_observe(h, 2); /* above every bound: only +Inf */
    s = render();
    assert_string_equal(s, "# HELP wait_seconds Wait time.\n"
                           "# TYPE wait_seconds histogram\n"
                           "wait_seconds_bucket{le=\"0.25\"} 2\n"
                           "wait_seconds_bucket{le=\"0.5\"} 3\n"
                           "wait_seconds_bucket{le=\"1\"} 3\n"
                           "wait_seconds_bucket{le=\"+Inf\"} 4\n"
                           "wait_seconds_sum 2.75\n"
                           "wait_seconds_count 4\n");
    free(s);
}

static void test_histogram_refuses_unsorted_or_too_many_bounds(void **state)
{
    static const double unsorted[] = {0.1, 0.01};
    static const double same[] = {0.1, 0.1};
    double many[METRICS_BUCKETS_MAX + 1];

    (void)state;
    for (size_t i = 0; i < METRICS_BUCKETS_MAX + 1; i++)
        many[i] = (double)(i + 1);
    assert_null(metrics_histogram("h1", "", unsorted, 2));
    assert_null(metrics_histogram("h2", "", same, 2));
    assert_null(metrics_histogram("h3", "", many, METRICS_BUCKETS_MAX + 1));
    assert_null(metrics_histogram("h4", "", many, 0));
    assert_non_null(metrics_histogram("h5", "", many, METRICS_BUCKETS_MAX));
}

static void test_invalid_or_taken_names_are_refused(void **state)
{
    static const char *const le[] = {"le"};
    static const char *const reserved[] = {"__name"};
    static const char *const dash[] = {"a-b"};
    static const char *const twice[] = {"a", "a"};
    static const char *const fine[] = {"type"};

    (void)state;
    assert_null(metrics_counter("1abc", "", 0, NULL));
    assert_null(metrics_counter("a-b", "", 0, NULL));
    assert_null(metrics_counter("", "", 0, NULL));
    assert_null(metrics_counter("c", "", 1, le));
    assert_null(metrics_counter("c", "", 1, reserved));
    assert_null(metrics_counter("c", "", 1, dash));
    assert_null(metrics_counter("c", "", 2, twice));
    assert_null(metrics_counter("c", "", METRICS_LABELS_MAX + 1, twice));
    assert_non_null(metrics_counter("ns:c_total", "", 1, fine));
    assert_null(metrics_gauge("ns:c_total", "", 0, NULL));
}

static void test_registry_stops_at_METRICS_FAMILIES_MAX(void **state)
{
    char name[32];

    (void)state;
    for (int i = 0; i < METRICS_FAMILIES_MAX; i++) {
        snprintf(name, sizeof(name), "m%d", i);
        assert_non_null(metrics_gauge(name, "", 0, NULL));
    }
    assert_null(metrics_gauge("one_more", "", 0, NULL));
}

static void test_series_beyond_METRICS_SERIES_MAX_are_dropped_and_counted(void **state)
{
    static const char *const names[] = {"n"};
    /* The drops are read through verrijk_metrics_series_dropped_total,
     * which metrics_verrijk_init registers (and it resets the registry
     * first). */
    int ready = metrics_verrijk_init("dev");
    metric *m = metrics_counter("many_total", "", 1, names);
    char value[16], *s;
    const char *v[1] = {value};

    (void)state;
    assert_int_equal(ready, 0);
    for (int i = 0; i < METRICS_SERIES_MAX + 3; i++) {
        snprintf(value, sizeof(value), "%d", i);
        metrics_inc_l(m, v, 1);
    }
    /* An existing series still counts. */
    snprintf(value, sizeof(value), "%d", 0);
    metrics_inc_l(m, v, 1);
    s = render();
    assert_int_equal(count_lines(s, "many_total{"), METRICS_SERIES_MAX);
    assert_line(s, "verrijk_metrics_series_dropped_total 3");
    assert_line(s, "many_total{n=\"0\"} 2");
    assert_null(strstr(s, "many_total{n=\"512\"}"));
    free(s);
}

static void test_long_label_value_is_cut_at_a_character_boundary(void **state)
{
    static const char *const names[] = {"v"};
    metric *m = metrics_counter("long_total", "", 1, names);
    char value[METRICS_LABEL_VALUE_MAX + 8];
    const char *v[1] = {value};
    char want[METRICS_LABEL_VALUE_MAX + 32], *s;

    (void)state;
    /* "é" is two bytes: fill so that the limit falls inside one. */
    memset(value, 'a', METRICS_LABEL_VALUE_MAX - 2);
    memcpy(value + METRICS_LABEL_VALUE_MAX - 2, "\xc3\xa9\xc3\xa9", 5);
    metrics_inc_l(m, v, 1);
    /* Cut before the second "é", which would pass the limit by one byte. */
    snprintf(want, sizeof(want), "long_total{v=\"%.*s\"} 1", METRICS_LABEL_VALUE_MAX - 2, value);
    s = render();
    assert_line(s, want);
    assert_int_equal(count_lines(s, "long_total{"), 1);
    free(s);
}

static double twelve(void *ud)
{
    int *calls = ud;

    (*calls)++;
    return 12.5;
}

static void test_source_is_read_at_each_render_and_left_out_without_one(void **state)
{
    int calls = 0;
    metric *g = metrics_gauge_fn("src_gauge", "From elsewhere.", twelve, &calls);
    char *s;

    (void)state;
    assert_non_null(g);
    s = render();
    assert_line(s, "src_gauge 12.5");
    free(s);
    s = render();
    free(s);
    assert_int_equal(calls, 2);
    metrics_set_gauge_source(g, NULL, NULL);
    s = render();
    assert_null(strstr(s, "src_gauge"));
    free(s);
    /* A source-backed metric ignores direct sets. */
    metrics_set(g, 3);
    metrics_set_gauge_source(g, twelve, &calls);
    s = render();
    assert_line(s, "src_gauge 12.5");
    free(s);
}

static void test_numbers_in_the_format_of_the_spec(void **state)
{
    metric *a = metrics_gauge("a", "", 0, NULL);
    metric *b = metrics_gauge("b", "", 0, NULL);
    metric *c = metrics_gauge("c", "", 0, NULL);
    metric *d = metrics_gauge("d", "", 0, NULL);
    char *s;

    (void)state;
    metrics_set(a, 0.1);
    metrics_set(b, 1.0 / 0.0);
    metrics_set(c, -1.0 / 0.0);
    metrics_set(d, 0.0 / 0.0);
    s = render();
    assert_line(s, "a 0.1");
    assert_line(s, "b +Inf");
    assert_line(s, "c -Inf");
    assert_line(s, "d NaN");
    free(s);
}

static void test_wrong_kind_and_null_metric_change_nothing(void **state)
{
    static const double bounds[] = {1};
    metric *c = metrics_counter("k_total", "", 0, NULL);
    metric *h = metrics_histogram("k_seconds", "", bounds, 1);
    char *s;

    (void)state;
    metrics_observe(c, 1);
    metrics_set(c, 5);
    metrics_inc(h, 1);
    metrics_inc(NULL, 1);
    metrics_observe(NULL, 1);
    metrics_set(NULL, 1);
    s = render();
    assert_line(s, "k_total 0");
    assert_line(s, "k_seconds_count 0");
    free(s);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_counter_renders_help_type_and_starts_at_zero, reset),
        cmocka_unit_test_teardown(test_help_escapes_backslash_and_newline, reset),
        cmocka_unit_test_teardown(test_label_values_escape_quote_backslash_and_newline, reset),
        cmocka_unit_test_teardown(test_same_labels_count_in_one_series, reset),
        cmocka_unit_test_teardown(test_labelled_metric_without_series_renders_only_help_and_type, reset),
        cmocka_unit_test_teardown(test_histogram_buckets_are_cumulative_with_inf_sum_and_count, reset),
        cmocka_unit_test_teardown(test_histogram_refuses_unsorted_or_too_many_bounds, reset),
        cmocka_unit_test_teardown(test_invalid_or_taken_names_are_refused, reset),
        cmocka_unit_test_teardown(test_registry_stops_at_METRICS_FAMILIES_MAX, reset),
        cmocka_unit_test_teardown(test_series_beyond_METRICS_SERIES_MAX_are_dropped_and_counted, reset),
        cmocka_unit_test_teardown(test_long_label_value_is_cut_at_a_character_boundary, reset),
        cmocka_unit_test_teardown(test_source_is_read_at_each_render_and_left_out_without_one, reset),
        cmocka_unit_test_teardown(test_numbers_in_the_format_of_the_spec, reset),
        cmocka_unit_test_teardown(test_wrong_kind_and_null_metric_change_nothing, reset),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
