/* test_metrics_verrijk: Verrijk's own metrics — conventional names, the exact exposition text, sources and the log's statistics read at render. */
#include "test_metrics_util.h"

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
        cmocka_unit_test_teardown(test_verrijk_metrics_use_conventional_names, reset),
        cmocka_unit_test_teardown(test_verrijk_sources_render_as_gauges, reset),
        cmocka_unit_test_teardown(test_verrijk_exposition_text_is_exact, reset),
        cmocka_unit_test_teardown(test_watched_log_statistics_are_read_at_render, reset),
        cmocka_unit_test_teardown(test_render_of_an_empty_registry_is_empty_text, reset),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
