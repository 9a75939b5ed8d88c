/* test_metrics.c - the metrics registry: Prometheus text format 0.0.4 (HELP/TYPE, escaping, histograms), bounds, Verrijk's names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "log/evlog.h"
#include "net/net_counters.h"
#include "ops/metrics.h"

static char *render(void)
{
    char *out = NULL;
    size_t len = 0;

    assert_int_equal(metrics_render(&out, &len), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

static int reset(void **state)
{
    (void)state;
    metrics_reset();
    return 0;
}

/* Asserts that text holds line as a whole line. */
static void assert_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return;
    fail_msg("line not found: %s\n---\n%s", line, text);
}

/* How many lines of text start with prefix. */
static int count_lines(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    int count = 0;

    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');

        if (strncmp(p, prefix, n) == 0)
            count++;
        if (!end)
            break;
        p = end + 1;
    }
    return count;
}

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

/* Checks the whole text against the exposition format: every line is a
 * HELP, a TYPE, or a sample of the family whose TYPE came last (with
 * _bucket/_sum/_count for histograms), and ends with a newline. */
static void assert_exposition_format(const char *text)
{
    char family[METRICS_NAME_MAX] = "", type[16] = "";
    const char *p = text;

    assert_true(*text == '\0' || text[strlen(text) - 1] == '\n');
    while (*p) {
        const char *end = strchr(p, '\n');
        char line[1024];
        size_t n = (size_t)(end - p);

        assert_non_null(end);
        assert_true(n < sizeof(line));
        memcpy(line, p, n);
        line[n] = '\0';
        p = end + 1;
        if (strncmp(line, "# HELP ", 7) == 0)
            continue;
        if (strncmp(line, "# TYPE ", 7) == 0) {
            assert_int_equal(sscanf(line + 7, "%63s %15s", family, type), 2);
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 || strcmp(type, "histogram") == 0);
            continue;
        }
        assert_true(family[0]);
        {
            size_t fl = strlen(family);
            const char *rest = line + fl;
            const char *space;

            assert_memory_equal(line, family, fl);
            if (strcmp(type, "histogram") == 0) {
                assert_true(strncmp(rest, "_bucket{le=\"", 12) == 0 || strncmp(rest, "_sum ", 5) == 0 ||
                            strncmp(rest, "_count ", 7) == 0);
            } else {
                assert_true(*rest == ' ' || *rest == '{');
            }
            space = strrchr(line, ' ');
            assert_non_null(space);
            assert_true(space[1] != '\0');
        }
    }
}

/* The network's counts, as net_ws.c keeps them: two frames (100 and 28
 * bytes) sent, one slow reader cut; the registry reads them when it
 * renders. */
static net_counters sent;

static void count_net_sends(void)
{
    memset(&sent, 0, sizeof(sent));
    sent.frames_sent++;
    sent.bytes_sent += 100;
    sent.frames_sent++;
    sent.bytes_sent += 28;
    sent.send_queue_drops++;
    metrics_watch_net(&sent);
}

static void test_verrijk_metrics_use_conventional_names(void **state)
{
    char *s;

    (void)state;
    assert_int_equal(metrics_verrijk_init("1.2.3"), 0);
    metrics_intent("vote", "ok");
    metrics_intent("vote", "not_allowed");
    metrics_events(3);
    metrics_room_created();
    count_net_sends();
    metrics_log_sync(0.0002);
    metrics_log_synced_ns(NULL, 30000000); /* 30 ms */
    metrics_recovery(0.25);
    s = render();
    assert_exposition_format(s);
    assert_line(s, "verrijk_build_info{version=\"1.2.3\"} 1");
    assert_line(s, "# TYPE verrijk_intents_total counter");
    assert_line(s, "verrijk_intents_total{type=\"vote\",outcome=\"ok\"} 1");
    assert_line(s, "verrijk_intents_total{type=\"vote\",outcome=\"not_allowed\"} 1");
    assert_line(s, "verrijk_events_total 3");
    assert_line(s, "verrijk_rooms_created_total 1");
    assert_line(s, "verrijk_frames_sent_total 2");
    assert_line(s, "verrijk_bytes_sent_total 128");
    assert_line(s, "verrijk_send_queue_drops_total 1");
    assert_line(s, "# TYPE verrijk_log_sync_seconds histogram");
    assert_line(s, "verrijk_log_sync_seconds_bucket{le=\"0.00025\"} 1");
    assert_line(s, "verrijk_log_sync_seconds_bucket{le=\"0.0001\"} 0");
    assert_line(s, "verrijk_log_sync_seconds_bucket{le=\"0.025\"} 1");
    assert_line(s, "verrijk_log_sync_seconds_bucket{le=\"0.05\"} 2");
    assert_line(s, "verrijk_log_sync_seconds_count 2");
    assert_line(s, "verrijk_recovery_seconds 0.25");
    assert_line(s, "# TYPE verrijk_start_time_seconds gauge");
    /* Sources not yet set are left out rather than shown as 0. */
    assert_null(strstr(s, "verrijk_connections"));
    assert_null(strstr(s, "verrijk_log_records_total"));
    free(s);
}

static double seven(void *ud)
{
    (void)ud;
    return 7;
}

/* The whole exposition text of Verrijk's metrics, with the start time
 * (the clock's) written as T: what a scraper reads must not change when
 * the code behind a metric moves (the network's counts are the
 * network's own since they moved out of the registry). */
static char *render_without_start_time(void)
{
    char *s = render();
    const char *key = "\nverrijk_start_time_seconds ";
    char *at = strstr(s, key);
    char *num, *end;

    assert_non_null(at);
    num = at + strlen(key);
    end = strchr(num, '\n');
    assert_non_null(end);
    *num = 'T';
    memmove(num + 1, end, strlen(end) + 1);
    return s;
}

/* What metrics_verrijk_init renders before anything is counted. */
static const char verrijk_text_at_start[] =
    "# HELP verrijk_build_info The running version of the server; the value is always 1.\n"
    "# TYPE verrijk_build_info gauge\n"
    "verrijk_build_info{version=\"1.2.3\"} 1\n"
    "# HELP verrijk_start_time_seconds When the server started, in seconds since the Unix epoch.\n"
    "# TYPE verrijk_start_time_seconds gauge\n"
    "verrijk_start_time_seconds T\n"
    "# HELP verrijk_rooms_created_total Rooms created.\n"
    "# TYPE verrijk_rooms_created_total counter\n"
    "verrijk_rooms_created_total 0\n"
    "# HELP verrijk_intents_total Intents received, by type and outcome (ok, or the error code answered).\n"
    "# TYPE verrijk_intents_total counter\n"
    "# HELP verrijk_events_total Events decided and logged.\n"
    "# TYPE verrijk_events_total counter\n"
    "verrijk_events_total 0\n"
    "# HELP verrijk_batches_total Batches of decisions a room logged as one unit (its group commit).\n"
    "# TYPE verrijk_batches_total counter\n"
    "verrijk_batches_total 0\n"
    "# HELP verrijk_batched_decisions_total Decisions in those batches; divided by verrijk_batches_total, the mean "
    "batch.\n"
    "# TYPE verrijk_batched_decisions_total counter\n"
    "verrijk_batched_decisions_total 0\n"
    "# HELP verrijk_frames_sent_total WebSocket frames sent.\n"
    "# TYPE verrijk_frames_sent_total counter\n"
    "verrijk_frames_sent_total 0\n"
    "# HELP verrijk_bytes_sent_total WebSocket payload bytes sent.\n"
    "# TYPE verrijk_bytes_sent_total counter\n"
    "verrijk_bytes_sent_total 0\n"
    "# HELP verrijk_send_queue_drops_total Connections closed because their send queue was full (slow readers).\n"
    "# TYPE verrijk_send_queue_drops_total counter\n"
    "verrijk_send_queue_drops_total 0\n"
    "# HELP verrijk_log_sync_seconds Time one flush of the session log to disk took (fdatasync or syncfs).\n"
    "# TYPE verrijk_log_sync_seconds histogram\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.0001\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.00025\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.0005\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.001\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.0025\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.005\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.01\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.025\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.05\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.1\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.25\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.5\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"1\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"+Inf\"} 0\n"
    "verrijk_log_sync_seconds_sum 0\n"
    "verrijk_log_sync_seconds_count 0\n"
    "# HELP verrijk_recovery_seconds Time the server took at start to check the logs and bring rooms back.\n"
    "# TYPE verrijk_recovery_seconds gauge\n"
    "verrijk_recovery_seconds 0\n"
    "# HELP verrijk_metrics_series_dropped_total Counts not kept because a metric had too many label combinations.\n"
    "# TYPE verrijk_metrics_series_dropped_total counter\n"
    "verrijk_metrics_series_dropped_total 0\n";

/* And after the counts of test_verrijk_exposition_text_is_exact. */
static const char verrijk_text_counted[] =
    "# HELP verrijk_build_info The running version of the server; the value is always 1.\n"
    "# TYPE verrijk_build_info gauge\n"
    "verrijk_build_info{version=\"1.2.3\"} 1\n"
    "# HELP verrijk_start_time_seconds When the server started, in seconds since the Unix epoch.\n"
    "# TYPE verrijk_start_time_seconds gauge\n"
    "verrijk_start_time_seconds T\n"
    "# HELP verrijk_connections Open WebSocket connections.\n"
    "# TYPE verrijk_connections gauge\n"
    "verrijk_connections 7\n"
    "# HELP verrijk_rooms_created_total Rooms created.\n"
    "# TYPE verrijk_rooms_created_total counter\n"
    "verrijk_rooms_created_total 1\n"
    "# HELP verrijk_intents_total Intents received, by type and outcome (ok, or the error code answered).\n"
    "# TYPE verrijk_intents_total counter\n"
    "verrijk_intents_total{type=\"vote\",outcome=\"ok\"} 1\n"
    "verrijk_intents_total{type=\"vote\",outcome=\"not_allowed\"} 1\n"
    "# HELP verrijk_events_total Events decided and logged.\n"
    "# TYPE verrijk_events_total counter\n"
    "verrijk_events_total 3\n"
    "# HELP verrijk_batches_total Batches of decisions a room logged as one unit (its group commit).\n"
    "# TYPE verrijk_batches_total counter\n"
    "verrijk_batches_total 1\n"
    "# HELP verrijk_batched_decisions_total Decisions in those batches; divided by verrijk_batches_total, the mean "
    "batch.\n"
    "# TYPE verrijk_batched_decisions_total counter\n"
    "verrijk_batched_decisions_total 2\n"
    "# HELP verrijk_frames_sent_total WebSocket frames sent.\n"
    "# TYPE verrijk_frames_sent_total counter\n"
    "verrijk_frames_sent_total 2\n"
    "# HELP verrijk_bytes_sent_total WebSocket payload bytes sent.\n"
    "# TYPE verrijk_bytes_sent_total counter\n"
    "verrijk_bytes_sent_total 128\n"
    "# HELP verrijk_send_queue_drops_total Connections closed because their send queue was full (slow readers).\n"
    "# TYPE verrijk_send_queue_drops_total counter\n"
    "verrijk_send_queue_drops_total 1\n"
    "# HELP verrijk_log_sync_seconds Time one flush of the session log to disk took (fdatasync or syncfs).\n"
    "# TYPE verrijk_log_sync_seconds histogram\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.0001\"} 0\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.00025\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.0005\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.001\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.0025\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.005\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.01\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.025\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.05\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.1\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.25\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"0.5\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"1\"} 1\n"
    "verrijk_log_sync_seconds_bucket{le=\"+Inf\"} 1\n"
    "verrijk_log_sync_seconds_sum 0.0002\n"
    "verrijk_log_sync_seconds_count 1\n"
    "# HELP verrijk_recovery_seconds Time the server took at start to check the logs and bring rooms back.\n"
    "# TYPE verrijk_recovery_seconds gauge\n"
    "verrijk_recovery_seconds 0.25\n"
    "# HELP verrijk_metrics_series_dropped_total Counts not kept because a metric had too many label combinations.\n"
    "# TYPE verrijk_metrics_series_dropped_total counter\n"
    "verrijk_metrics_series_dropped_total 0\n";

static void test_verrijk_exposition_text_is_exact(void **state)
{
    char *s;

    (void)state;
    assert_int_equal(metrics_verrijk_init("1.2.3"), 0);
    s = render_without_start_time();
    assert_string_equal(s, verrijk_text_at_start);
    free(s);
    metrics_intent("vote", "ok");
    metrics_intent("vote", "not_allowed");
    metrics_events(3);
    metrics_batch(2);
    metrics_room_created();
    count_net_sends();
    metrics_log_sync(0.0002);
    metrics_recovery(0.25);
    metrics_verrijk_source(METRICS_SRC_CONNECTIONS, seven, NULL);
    s = render_without_start_time();
    assert_string_equal(s, verrijk_text_counted);
    free(s);
}

static void test_verrijk_sources_render_as_gauges(void **state)
{
    char *s;

    (void)state;
    assert_int_equal(metrics_verrijk_init("dev"), 0);
    metrics_verrijk_source(METRICS_SRC_CONNECTIONS, seven, NULL);
    metrics_verrijk_source(METRICS_SRC_ROOMS_LIVE, seven, NULL);
    metrics_verrijk_source(METRICS_SRC_ROOMS_LOADED, seven, NULL);
    metrics_verrijk_source(METRICS_SRC_MEMBERS_ONLINE, seven, NULL);
    metrics_verrijk_source(METRICS_SRC_COUNT, seven, NULL); /* out of range: ignored */
    s = render();
    assert_exposition_format(s);
    assert_line(s, "# TYPE verrijk_connections gauge");
    assert_line(s, "verrijk_connections 7");
    assert_line(s, "verrijk_rooms_live 7");
    assert_line(s, "verrijk_rooms_loaded 7");
    assert_line(s, "verrijk_members_online 7");
    free(s);
}

static int appended_status = 1;

static void on_appended(void *ud, int status)
{
    (void)ud;
    appended_status = status;
}

static void on_log_closed(void *ud)
{
    *(int *)ud = 1;
}

static void test_watched_log_statistics_are_read_at_render(void **state)
{
    char dir[] = "/tmp/verrijk-test-metrics-XXXXXX";
    struct evlog_options o = {0};
    struct evlog *log = NULL;
    uv_loop_t loop;
    int closed = 0;
    char *s;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(uv_loop_init(&loop), 0);
    o.dir = dir;
    o.sync = EVLOG_SYNC_ALWAYS;
    assert_int_equal(evlog_open(&loop, &o, &log), 0);
    assert_int_equal(metrics_verrijk_init("dev"), 0);
    metrics_watch_evlog(log);
    assert_int_equal(evlog_append(log, "ABCDEF", "\x81\xa1x\x01", 4, on_appended, NULL), 0);
    while (appended_status == 1)
        uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(appended_status, 0);
    s = render();
    assert_exposition_format(s);
    assert_line(s, "verrijk_log_records_total 1");
    assert_line(s, "verrijk_log_writes_total 1");
    assert_line(s, "verrijk_log_write_errors_total 0");
    assert_line(s, "# TYPE verrijk_log_open_files gauge");
    free(s);
    metrics_watch_evlog(NULL);
    evlog_close(log, on_log_closed, &closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
    s = render();
    assert_null(strstr(s, "verrijk_log_records_total"));
    free(s);
    {
        char path[sizeof(dir) + 32];

        snprintf(path, sizeof(path), "%s/ABCDEF.log", dir);
        unlink(path);
        rmdir(dir);
    }
}

static void test_render_of_an_empty_registry_is_empty_text(void **state)
{
    char *s;

    (void)state;
    s = render();
    assert_string_equal(s, "");
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
        cmocka_unit_test_teardown(test_verrijk_metrics_use_conventional_names, reset),
        cmocka_unit_test_teardown(test_verrijk_sources_render_as_gauges, reset),
        cmocka_unit_test_teardown(test_verrijk_exposition_text_is_exact, reset),
        cmocka_unit_test_teardown(test_watched_log_statistics_are_read_at_render, reset),
        cmocka_unit_test_teardown(test_render_of_an_empty_registry_is_empty_text, reset),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
