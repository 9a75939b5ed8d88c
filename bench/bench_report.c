/* bench_report.c - verrijk-bench's report: latency percentiles, slow readers, the JSON on stdout. */
#include "bench_internal.h"

/* ---- report ---- */

static int cmp_lat(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a & BENCH_SAMPLE_US_MAX, y = *(const uint32_t *)b & BENCH_SAMPLE_US_MAX;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double pct_ms(const uint32_t *v, size_t n, double p)
{
    if (!n)
        return NAN;
    size_t i = (size_t)ceil(p * (double)n) - 1;
    if (i >= n)
        i = n - 1;
    return v[i] / 1000.0;
}

static void put_num(json_t *o, const char *key, double v)
{
    json_object_set_new(o, key, isnan(v) ? json_null() : json_real(v));
}

static void put_int(json_t *o, const char *key, uint64_t v)
{
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* When each slow reader's end was first seen, from the start of the
 * interval: min, median, max over those seen inside it. */
static void slow_report(json_t *o, bool measured)
{
    uint32_t ms[BENCH_ROOMS_MAX];
    unsigned n = 0, open_at_end = 0, seen_gone = 0;
    for (unsigned i = 0; i < g.slow_readers; i++) {
        const conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->slow_seen_gone)
            seen_gone++;
        if (!measured || !c->welcomed)
            continue;
        if (!c->slow_end || c->slow_end > g.t1) {
            open_at_end++;
            continue;
        }
        uint64_t d = c->slow_end > g.t0 ? (c->slow_end - g.t0) / 1000000 : 0;
        ms[n++] = (uint32_t)(d > UINT32_MAX ? UINT32_MAX : d);
    }
    qsort(ms, n, sizeof *ms, cmp_u32);
    put_int(o, "slow_rcvbuf", g.slow_rcvbuf);
    put_int(o, "slow_mss", g.slow_mss);
    put_num(o, "slow_resume_per_s", g.slow_resume);
    put_int(o, "slow_closed_1008", g.slow_closed_1008);
    put_int(o, "slow_closed_other", g.slow_closed_other);
    put_int(o, "slow_closed_in_interval", n);
    put_int(o, "slow_open_at_end", open_at_end);
    put_int(o, "slow_end_seen_unread", seen_gone);
    put_num(o, "slow_close_s_min", n ? ms[0] / 1000.0 : NAN);
    put_num(o, "slow_close_s_p50", n ? pct_ms(ms, n, 0.5) : NAN);
    put_num(o, "slow_close_s_max", n ? ms[n - 1] / 1000.0 : NAN);
    json_t *why = json_object();
    for (unsigned i = 0; i < g.n_slow_reasons; i++)
        put_int(why, g.slow_reason[i], g.slow_reason_n[i]);
    json_object_set_new(o, "slow_end_reasons", why);
}

void report(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "scenario", json_string(scenario_names[g.sc]));
    json_object_set_new(o, "ok", json_boolean(g.exit_code == 0));
    if (g.exit_code)
        json_object_set_new(o, "error", json_string(g.why));
    char url[128];
    snprintf(url, sizeof url, "ws://%s:%d", g.host, g.port);
    json_object_set_new(o, "url", json_string(url));
    put_int(o, "rooms", g.rooms);
    put_int(o, "members", g.members);
    put_int(o, "connections", g.total);
    put_int(o, "sources", g.addr.ss_family == AF_INET ? g.sources : 1);
    if (g.sc == SC_ROUNDS) {
        put_int(o, "seconds", g.seconds);
        put_num(o, "rate_target", g.rate);
    }
    if (g.sc == SC_CONNECT)
        put_int(o, "hold_s", g.hold);
    if (g.sc == SC_BURST)
        put_int(o, "repeat", g.repeat);
    put_int(o, "established", g.welcomed);
    put_int(o, "failed", g.failed);
    put_int(o, "retried", g.retried);
    put_int(o, "refused", g.refused);
    double setup_s = g.setup_done ? (double)(g.t_setup1 - g.t_setup0) / 1e9 : NAN;
    put_num(o, "setup_s", setup_s);
    put_num(o, "connect_rate", g.setup_done && setup_s > 0 ? g.welcomed / setup_s : NAN);
    if (g.setup_done) {
        /* What connecting cost each side: says which one limited the connect rate. */
        if (g.pid > 0)
            put_num(o, "server_cpu_setup_s",
                    g.setup_srv_cpu0 >= 0 && g.setup_srv_cpu1 >= 0 ? g.setup_srv_cpu1 - g.setup_srv_cpu0 : NAN);
        put_num(o, "bench_cpu_setup_s", g.setup_self_cpu1 - g.setup_self_cpu0);
    }
    if (g.pid > 0) {
        put_int(o, "server_pid", (uint64_t)g.pid);
        if (g.sc == SC_CONNECT) {
            put_num(o, "server_rss_before_kib", g.rss0 >= 0 ? (double)g.rss0 : NAN);
            put_num(o, "server_rss_after_kib", g.rss1 >= 0 ? (double)g.rss1 : NAN);
            put_num(o, "server_rss_per_conn_kib",
                    g.rss0 >= 0 && g.rss1 >= 0 && g.welcomed ? (double)(g.rss1 - g.rss0) / g.welcomed : NAN);
        }
    }
    bool measured = g.t1 > g.t0 && g.t0;
    double secs = measured ? (double)(g.t1 - g.t0) / 1e9 : NAN;
    struct counters d = {0};
    if (measured) {
        d.intents = g.c1.intents - g.c0.intents;
        d.oks = g.c1.oks - g.c0.oks;
        d.events = g.c1.events - g.c0.events;
        d.maps = g.c1.maps - g.c0.maps;
        d.frames = g.c1.frames - g.c0.frames;
        d.bytes_in = g.c1.bytes_in - g.c0.bytes_in;
        d.frames_out = g.c1.frames_out - g.c0.frames_out;
        d.bytes_out = g.c1.bytes_out - g.c0.bytes_out;
        for (unsigned i = 0; i < IN__COUNT; i++)
            d.intents_by[i] = g.c1.intents_by[i] - g.c0.intents_by[i];
    }
    /* Errors count over the whole run: setup errors matter too. */
    json_t *errs = json_object();
    uint64_t err_total = 0;
    for (unsigned i = 0; i < ERROR_CODES; i++)
        if (g.c.errors[i]) {
            put_int(errs, error_codes[i], g.c.errors[i]);
            err_total += g.c.errors[i];
        }
    if (g.sc != SC_CONNECT) {
        put_num(o, "measured_s", secs);
        if (measured)
            put_int(o, "measure_start_unix_ms", (uint64_t)(g.t0_unix * 1000.0));
        put_int(o, "intents", d.intents);
        put_num(o, "intents_per_s", measured ? d.intents / secs : NAN);
        json_t *by = json_object();
        for (unsigned i = 0; i < IN__COUNT; i++)
            if (d.intents_by[i])
                put_int(by, intent_names[i], d.intents_by[i]);
        json_object_set_new(o, "intents_by", by);
        put_int(o, "oks", d.oks);
        put_int(o, "events", d.events);
        put_num(o, "events_per_s", measured ? d.events / secs : NAN);
        put_int(o, "frames", d.frames);
        put_num(o, "events_per_frame", d.frames ? (double)d.events / d.frames : NAN);
        put_int(o, "bytes_in", d.bytes_in);
        put_int(o, "frames_out", d.frames_out);
        put_int(o, "bytes_out", d.bytes_out);
        /* The frames read in the interval by size: [[frames, bytes], ...]
         * per bucket of ws_size_bucket that has any (verrijk-floor --sizes). */
        json_t *sizes = json_array();
        for (unsigned i = 0; measured && i < WS_SIZE_BUCKETS; i++) {
            uint64_t n = g.size_frames1[i] - g.size_frames0[i];
            if (!n)
                continue;
            json_t *pair = json_array();
            json_array_append_new(pair, json_integer((json_int_t)n));
            json_array_append_new(pair, json_integer((json_int_t)(g.size_bytes1[i] - g.size_bytes0[i])));
            json_array_append_new(sizes, pair);
        }
        json_object_set_new(o, "frame_sizes", sizes);
    }
    json_object_set_new(o, "errors", errs);
    put_int(o, "errors_total", err_total);
    put_int(o, "protocol_violations", g.violations);
    put_int(o, "seq_gaps", g.seq_gaps);
    put_int(o, "server_closes", ws_stats.close_frames);
    put_int(o, "dropped", g.dropped);
    put_int(o, "queue_full", g.queue_full);
    if (g.sc != SC_CONNECT) {
        put_int(o, "slow_readers", g.slow_readers);
        if (g.slow_readers)
            slow_report(o, measured);
    }
    if (g.sc == SC_ROUNDS && g.slow_readers) {
        /* Rooms with a slow reader first, flags stripped, each part sorted. */
        size_t ns = 0;
        for (size_t i = 0; i < g.n_samples; i++) {
            uint32_t v = g.samples[i];
            if (v & BENCH_SLOW_FLAG) {
                g.samples[i] = g.samples[ns];
                g.samples[ns++] = v & BENCH_SAMPLE_US_MAX;
            }
        }
        for (size_t i = ns; i < g.n_samples; i++)
            g.samples[i] &= BENCH_SAMPLE_US_MAX;
        qsort(g.samples, ns, sizeof *g.samples, cmp_u32);
        qsort(g.samples + ns, g.n_samples - ns, sizeof *g.samples, cmp_u32);
        put_int(o, "latency_slow_rooms_samples", g.n_lat_slow);
        put_num(o, "latency_slow_rooms_p50_ms", pct_ms(g.samples, ns, 0.50));
        put_num(o, "latency_slow_rooms_p99_ms", pct_ms(g.samples, ns, 0.99));
        put_num(o, "latency_slow_rooms_max_ms", g.n_lat_slow ? g.lat_max_slow / 1000.0 : NAN);
        put_int(o, "latency_other_rooms_samples", g.n_lat_other);
        put_num(o, "latency_other_rooms_p50_ms", pct_ms(g.samples + ns, g.n_samples - ns, 0.50));
        put_num(o, "latency_other_rooms_p99_ms", pct_ms(g.samples + ns, g.n_samples - ns, 0.99));
        put_num(o, "latency_other_rooms_max_ms", g.n_lat_other ? g.lat_max_other / 1000.0 : NAN);
    }
    if (g.sc == SC_ROUNDS) {
        qsort(g.samples, g.n_samples, sizeof *g.samples, cmp_lat);
        for (size_t i = 0; i < g.n_samples; i++)
            g.samples[i] &= BENCH_SAMPLE_US_MAX;
        put_int(o, "latency_samples", g.seen_samples);
        put_num(o, "latency_p50_ms", pct_ms(g.samples, g.n_samples, 0.50));
        put_num(o, "latency_p95_ms", pct_ms(g.samples, g.n_samples, 0.95));
        put_num(o, "latency_p99_ms", pct_ms(g.samples, g.n_samples, 0.99));
        put_num(o, "latency_max_ms", g.seen_samples ? g.lat_max / 1000.0 : NAN);
        /* Mean and max per event kind: shows which intent is slow. */
        json_t *by = json_object();
        for (unsigned k = 1; k < EV__COUNT; k++)
            if (g.kind_n[k]) {
                json_t *e = json_object();
                put_int(e, "n", g.kind_n[k]);
                put_num(e, "mean_ms", (double)g.kind_sum[k] / g.kind_n[k] / 1000.0);
                put_num(e, "max_ms", g.kind_max[k] / 1000.0);
                json_object_set_new(by, ev_names[k], e);
            }
        json_object_set_new(o, "latency_by_event", by);
    }
    if (g.sc == SC_BURST) {
        json_t *tot = json_array();
        for (unsigned i = 0; i < g.burst_round; i++)
            json_array_append_new(tot, json_real(g.burst_total[i] / 1000.0));
        json_object_set_new(o, "burst_total_ms", tot);
        put_int(o, "bursts_done", g.burst_round);
        put_int(o, "votes_per_burst", (uint64_t)g.rooms * (g.members - 1) - g.slow_readers);
        qsort(g.burst_total, g.burst_round, sizeof *g.burst_total, cmp_u32);
        put_num(o, "burst_total_p50_ms", pct_ms(g.burst_total, g.burst_round, 0.5));
        put_num(o, "burst_total_max_ms", pct_ms(g.burst_total, g.burst_round, 1.0));
        qsort(g.burst_rooms, g.n_burst_rooms, sizeof *g.burst_rooms, cmp_u32);
        put_num(o, "room_p50_ms", pct_ms(g.burst_rooms, g.n_burst_rooms, 0.5));
        put_num(o, "room_p99_ms", pct_ms(g.burst_rooms, g.n_burst_rooms, 0.99));
    }
    double srv = measured && g.srv_cpu0 >= 0 && g.srv_cpu1 >= 0 ? g.srv_cpu1 - g.srv_cpu0 : NAN;
    double self = measured ? g.self_cpu1 - g.self_cpu0 : NAN;
    if (g.pid > 0) {
        put_num(o, "server_rss_measure_start_kib", measured && g.rss_measure0 >= 0 ? (double)g.rss_measure0 : NAN);
        put_num(o, "server_rss_peak_kib", measured && g.rss_peak >= 0 ? (double)g.rss_peak : NAN);
        put_num(o, "server_cpu_s", srv);
        put_num(o, "server_cpu_share", srv / secs);
        if (g.sc != SC_CONNECT) {
            put_num(o, "server_us_per_event", d.events ? srv * 1e6 / d.events : NAN);
            put_num(o, "server_cpu_s_per_1000_events", d.events ? srv * 1000 / d.events : NAN);
        }
    }
    if (g.n_cpu_pids) {
        /* [{pid, cpu_s}]: utime + stime over the interval, as server_cpu_s. */
        json_t *list = json_array();
        for (unsigned i = 0; i < g.n_cpu_pids; i++) {
            json_t *e = json_object();
            put_int(e, "pid", (uint64_t)g.cpu_pids[i]);
            put_num(e, "cpu_s",
                    measured && g.cpu_pid0[i] >= 0 && g.cpu_pid1[i] >= 0 ? g.cpu_pid1[i] - g.cpu_pid0[i] : NAN);
            json_array_append_new(list, e);
        }
        json_object_set_new(o, "cpu_pids", list);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    put_int(o, "bench_rss_max_kib", (uint64_t)ru.ru_maxrss);
    put_num(o, "bench_cpu_s", self);
    put_num(o, "bench_cpu_share", self / secs);
    if (g.json) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
        if (s)
            puts(s);
        free(s);
    } else {
        const char *key;
        json_t *v;
        json_object_foreach (o, key, v) {
            printf("%-30s ", key);
            if (json_is_object(v) || json_is_array(v)) {
                char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(6));
                printf("%s\n", s ? s : "");
                free(s);
            } else if (json_is_real(v)) {
                printf("%.3f\n", json_real_value(v));
            } else if (json_is_integer(v)) {
                printf("%" JSON_INTEGER_FORMAT "\n", json_integer_value(v));
            } else if (json_is_string(v)) {
                printf("%s\n", json_string_value(v));
            } else if (json_is_boolean(v)) {
                printf("%s\n", json_is_true(v) ? "yes" : "no");
            } else {
                printf("-\n");
            }
        }
    }
    json_decref(o);
}
