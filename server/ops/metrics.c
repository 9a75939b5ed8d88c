/* metrics.c - counters, gauges and histograms of this server, rendered in the Prometheus text format (0.0.4).
 *
 * The registry is a process-wide table: the loop thread is the only one
 * that counts or renders, and a global saves threading a pointer through
 * every layer that counts something (the rooms count intents). Values
 * another module already keeps (connections, the network's frames and
 * bytes, the log's statistics) are not copied: a callback reads them when
 * Prometheus scrapes. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/evlog.h"
#include "net/net_counters.h"
#include "ops/metrics.h"

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

/* One combination of label values and its value. */
typedef struct metric_series {
    char values[METRICS_LABELS_MAX][METRICS_LABEL_VALUE_MAX];
    uint64_t count; /* counters */
    double value;   /* gauges */
} metric_series;

struct metric {
    enum metric_kind kind;
    char name[METRICS_NAME_MAX];
    char help[METRICS_HELP_MAX];
    char labels[METRICS_LABELS_MAX][METRICS_NAME_MAX];
    size_t n_labels;
    metric_series *series; /* grows up to METRICS_SERIES_MAX */
    size_t n_series, cap_series;
    /* Read at rendering when the metric was made with a callback. */
    bool from_source;
    uint64_t (*counter_fn)(void *ud);
    double (*gauge_fn)(void *ud);
    void *ud;
    /* Histograms: per-bucket counts (not cumulative; the last one is
     * above every bound), their sum and count. */
    double bounds[METRICS_BUCKETS_MAX];
    size_t n_bounds;
    uint64_t buckets[METRICS_BUCKETS_MAX + 1];
    double sum;
    uint64_t observed;
};

static struct {
    metric *all[METRICS_FAMILIES_MAX];
    size_t n;
    uint64_t series_dropped; /* increments lost to METRICS_SERIES_MAX */
} metrics_reg;

/* The handles of Verrijk's own metrics (metrics_verrijk_init), and the
 * log and the network counts read at rendering. */
static struct {
    metric *intents, *events, *batches, *batched, *rooms_created, *frames, *bytes, *drops, *log_sync, *recovery;
    metric *sources[METRICS_SRC_COUNT];
    metric *log_records, *log_writes, *log_errors, *log_bytes, *log_syncs, *log_open, *log_pending;
} vm;
static const struct evlog *metrics_log;
static const net_counters *metrics_net;

/* ---- registering ---- */

static bool metrics_name_valid(const char *name, bool label)
{
    size_t n = strlen(name);

    if (n == 0 || n >= METRICS_NAME_MAX)
        return false;
    if (label && (strncmp(name, "__", 2) == 0 || strcmp(name, "le") == 0))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':') ||
                  (i > 0 && c >= '0' && c <= '9');

        if (!ok)
            return false;
    }
    return true;
}

static metric *metrics_find(const char *name)
{
    for (size_t i = 0; i < metrics_reg.n; i++)
        if (strcmp(metrics_reg.all[i]->name, name) == 0)
            return metrics_reg.all[i];
    return NULL;
}

/* Makes and registers a metric; unlabelled counters and gauges get their
 * one series now, so that they render as 0 before the first count. */
static metric *metrics_add(enum metric_kind kind, const char *name, const char *help, size_t n_labels,
                           const char *const *label_names, bool from_source)
{
    metric *m;

    if (!metrics_name_valid(name, false) || metrics_find(name) || metrics_reg.n >= METRICS_FAMILIES_MAX ||
        n_labels > METRICS_LABELS_MAX || (n_labels && !label_names))
        return NULL;
    for (size_t i = 0; i < n_labels; i++) {
        if (!metrics_name_valid(label_names[i], true))
            return NULL;
        for (size_t k = 0; k < i; k++)
            if (strcmp(label_names[i], label_names[k]) == 0)
                return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->kind = kind;
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->help, sizeof(m->help), "%s", help ? help : "");
    for (size_t i = 0; i < n_labels; i++)
        snprintf(m->labels[i], sizeof(m->labels[i]), "%s", label_names[i]);
    m->n_labels = n_labels;
    m->from_source = from_source;
    if (kind != METRIC_HISTOGRAM && n_labels == 0 && !from_source) {
        m->series = calloc(1, sizeof(*m->series));
        if (!m->series) {
            free(m);
            return NULL;
        }
        m->n_series = m->cap_series = 1;
    }
    metrics_reg.all[metrics_reg.n++] = m;
    return m;
}

metric *metrics_counter(const char *name, const char *help, size_t n_labels, const char *const *label_names)
{
    return metrics_add(METRIC_COUNTER, name, help, n_labels, label_names, false);
}

metric *metrics_gauge(const char *name, const char *help, size_t n_labels, const char *const *label_names)
{
    return metrics_add(METRIC_GAUGE, name, help, n_labels, label_names, false);
}

metric *metrics_histogram(const char *name, const char *help, const double *bounds, size_t n_bounds)
{
    metric *m;

    if (!bounds || n_bounds == 0 || n_bounds > METRICS_BUCKETS_MAX)
        return NULL;
    for (size_t i = 0; i < n_bounds; i++)
        if (!isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
            return NULL;
    m = metrics_add(METRIC_HISTOGRAM, name, help, 0, NULL, false);
    if (!m)
        return NULL;
    memcpy(m->bounds, bounds, n_bounds * sizeof(*bounds));
    m->n_bounds = n_bounds;
    return m;
}

metric *metrics_counter_fn(const char *name, const char *help, uint64_t (*fn)(void *ud), void *ud)
{
    metric *m = metrics_add(METRIC_COUNTER, name, help, 0, NULL, true);

    metrics_set_counter_source(m, fn, ud);
    return m;
}

metric *metrics_gauge_fn(const char *name, const char *help, double (*fn)(void *ud), void *ud)
{
    metric *m = metrics_add(METRIC_GAUGE, name, help, 0, NULL, true);

    metrics_set_gauge_source(m, fn, ud);
    return m;
}

void metrics_set_counter_source(metric *m, uint64_t (*fn)(void *ud), void *ud)
{
    if (!m || !m->from_source || m->kind != METRIC_COUNTER)
        return;
    m->counter_fn = fn;
    m->ud = ud;
}

void metrics_set_gauge_source(metric *m, double (*fn)(void *ud), void *ud)
{
    if (!m || !m->from_source || m->kind != METRIC_GAUGE)
        return;
    m->gauge_fn = fn;
    m->ud = ud;
}

void metrics_reset(void)
{
    for (size_t i = 0; i < metrics_reg.n; i++) {
        free(metrics_reg.all[i]->series);
        free(metrics_reg.all[i]);
    }
    memset(&metrics_reg, 0, sizeof(metrics_reg));
    memset(&vm, 0, sizeof(vm));
    metrics_log = NULL;
    metrics_net = NULL;
}

/* ---- counting ---- */

/* Copies value into dst, cut at a UTF-8 character boundary when too long. */
static void metrics_copy_value(char *dst, const char *value)
{
    size_t n = strlen(value);

    if (n >= METRICS_LABEL_VALUE_MAX) {
        n = METRICS_LABEL_VALUE_MAX - 1;
        /* Back off continuation bytes (10xxxxxx) to a character start. */
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, value, n);
    dst[n] = '\0';
}

/* The series of m with these label values, made when new. NULL when m has
 * METRICS_SERIES_MAX series already (counted as dropped) or memory ran out. */
static metric_series *metrics_series(metric *m, const char *const *values)
{
    char want[METRICS_LABELS_MAX][METRICS_LABEL_VALUE_MAX];
    metric_series *s;

    if (m->n_labels == 0)
        return m->n_series ? &m->series[0] : NULL;
    if (!values)
        return NULL;
    /* values holds m->n_labels entries (the contract in metrics.h); the
     * analyzer cannot see how many labels a registered metric has. */
    for (size_t l = 0; l < m->n_labels; l++)
        metrics_copy_value(want[l], values[l] ? values[l] : ""); /* NOLINT(clang-analyzer-core.uninitialized.Branch) */
    for (size_t i = 0; i < m->n_series; i++) {
        size_t l = 0;

        while (l < m->n_labels && strcmp(m->series[i].values[l], want[l]) == 0)
            l++;
        if (l == m->n_labels)
            return &m->series[i];
    }
    if (m->n_series >= METRICS_SERIES_MAX) {
        metrics_reg.series_dropped++;
        return NULL;
    }
    if (m->n_series == m->cap_series) {
        size_t cap = m->cap_series ? m->cap_series * 2 : 8;
        metric_series *grown;

        if (cap > METRICS_SERIES_MAX)
            cap = METRICS_SERIES_MAX;
        grown = realloc(m->series, cap * sizeof(*grown));
        if (!grown) {
            metrics_reg.series_dropped++;
            return NULL;
        }
        m->series = grown;
        m->cap_series = cap;
    }
    s = &m->series[m->n_series++];
    memset(s, 0, sizeof(*s));
    memcpy(s->values, want, sizeof(want));
    return s;
}

void metrics_inc_l(metric *m, const char *const *values, uint64_t by)
{
    metric_series *s;

    if (!m || m->kind != METRIC_COUNTER || m->from_source)
        return;
    s = metrics_series(m, values);
    if (s)
        s->count += by;
}

void metrics_inc(metric *m, uint64_t by)
{
    metrics_inc_l(m, NULL, by);
}

void metrics_set_l(metric *m, const char *const *values, double v)
{
    metric_series *s;

    if (!m || m->kind != METRIC_GAUGE || m->from_source)
        return;
    s = metrics_series(m, values);
    if (s)
        s->value = v;
}

void metrics_set(metric *m, double v)
{
    metrics_set_l(m, NULL, v);
}

void metrics_observe(metric *m, double v)
{
    size_t b = 0;

    if (!m || m->kind != METRIC_HISTOGRAM || isnan(v))
        return;
    while (b < m->n_bounds && v > m->bounds[b])
        b++;
    m->buckets[b]++;
    m->sum += v;
    m->observed++;
}

/* ---- rendering ---- */

typedef struct metrics_text {
    char *buf;
    size_t len, cap;
    bool failed;
} metrics_text;

static void text_printf(metrics_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(metrics_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    for (;;) {
        size_t room = t->cap - t->len;

        va_start(ap, fmt);
        n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->buf && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        char *grown;

        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        if (cap > METRICS_RENDER_MAX + 1) {
            if (t->len + (size_t)n + 1 > METRICS_RENDER_MAX + 1) {
                t->failed = true;
                return;
            }
            cap = METRICS_RENDER_MAX + 1;
        }
        grown = realloc(t->buf, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

/* A sample value as the format wants it: the shortest of %.15g and %.17g
 * that reads back the same, or NaN, +Inf, -Inf. */
static const char *metrics_number(char *buf, size_t len, double v)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    snprintf(buf, len, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, len, "%.17g", v);
    return buf;
}

/* Writes s escaped: in HELP, backslash and newline; in a label value,
 * also the double quote. */
static void text_escaped(metrics_text *t, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            text_printf(t, "\\\\");
        else if (*s == '\n')
            text_printf(t, "\\n");
        else if (quote && *s == '"')
            text_printf(t, "\\\"");
        else
            text_printf(t, "%c", *s);
    }
}

static void text_labels(metrics_text *t, const metric *m, const metric_series *s)
{
    if (m->n_labels == 0)
        return;
    text_printf(t, "{");
    for (size_t l = 0; l < m->n_labels; l++) {
        text_printf(t, "%s%s=\"", l ? "," : "", m->labels[l]);
        text_escaped(t, s->values[l], true);
        text_printf(t, "\"");
    }
    text_printf(t, "}");
}

static void metrics_render_one(metrics_text *t, const metric *m)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    char num[40];

    if (m->from_source && !m->counter_fn && !m->gauge_fn)
        return;
    text_printf(t, "# HELP %s ", m->name);
    text_escaped(t, m->help, false);
    text_printf(t, "\n# TYPE %s %s\n", m->name, type_names[m->kind]);
    if (m->kind == METRIC_HISTOGRAM) {
        uint64_t cumulative = 0;

        for (size_t b = 0; b < m->n_bounds; b++) {
            cumulative += m->buckets[b];
            text_printf(t, "%s_bucket{le=\"%s\"} %llu\n", m->name, metrics_number(num, sizeof(num), m->bounds[b]),
                        (unsigned long long)cumulative);
        }
        text_printf(t, "%s_bucket{le=\"+Inf\"} %llu\n", m->name, (unsigned long long)m->observed);
        text_printf(t, "%s_sum %s\n", m->name, metrics_number(num, sizeof(num), m->sum));
        text_printf(t, "%s_count %llu\n", m->name, (unsigned long long)m->observed);
        return;
    }
    if (m->from_source) {
        if (m->kind == METRIC_COUNTER)
            text_printf(t, "%s %llu\n", m->name, (unsigned long long)m->counter_fn(m->ud));
        else
            text_printf(t, "%s %s\n", m->name, metrics_number(num, sizeof(num), m->gauge_fn(m->ud)));
        return;
    }
    for (size_t i = 0; i < m->n_series; i++) {
        const metric_series *s = &m->series[i];

        text_printf(t, "%s", m->name);
        text_labels(t, m, s);
        if (m->kind == METRIC_COUNTER)
            text_printf(t, " %llu\n", (unsigned long long)s->count);
        else
            text_printf(t, " %s\n", metrics_number(num, sizeof(num), s->value));
    }
}

int metrics_render(char **out, size_t *len)
{
    metrics_text t = {0};

    *out = NULL;
    *len = 0;
    text_printf(&t, "%s", "");
    for (size_t i = 0; i < metrics_reg.n && !t.failed; i++)
        metrics_render_one(&t, metrics_reg.all[i]);
    if (t.failed) {
        free(t.buf);
        return -1;
    }
    *out = t.buf;
    *len = t.len;
    return 0;
}

/* ---- Verrijk's own metrics ---- */

/* Upper bounds of verrijk_log_sync_seconds: fdatasync takes ~0.2 ms here
 * with outliers to 25 ms (STACK-NOTES.md); a second is a disk in trouble. */
static const double metrics_sync_bounds[] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
};

static const char *const metrics_source_names[METRICS_SRC_COUNT][2] = {
    [METRICS_SRC_CONNECTIONS] = {"verrijk_connections", "Open WebSocket connections."},
    [METRICS_SRC_ROOMS_LIVE] = {"verrijk_rooms_live", "Rooms in memory with at least one device attached."},
    [METRICS_SRC_ROOMS_LOADED] = {"verrijk_rooms_loaded", "Rooms in memory (live or waiting to leave memory)."},
    [METRICS_SRC_MEMBERS_ONLINE] = {"verrijk_members_online",
                                    "Members online in rooms in memory, grace period included."},
};

static uint64_t metrics_series_dropped(void *ud)
{
    (void)ud;
    return metrics_reg.series_dropped;
}

enum evlog_field { EVF_RECORDS, EVF_WRITES, EVF_ERRORS, EVF_BYTES, EVF_SYNCS, EVF_OPEN, EVF_PENDING };

/* One field of the watched log's statistics. */
static uint64_t metrics_evlog_field(enum evlog_field f)
{
    struct evlog_stats st;

    if (!metrics_log)
        return 0;
    evlog_get_stats(metrics_log, &st);
    switch (f) {
    case EVF_RECORDS: return st.appended;
    case EVF_WRITES: return st.writes;
    case EVF_ERRORS: return st.failed;
    case EVF_BYTES: return st.bytes;
    case EVF_SYNCS: return st.syncs;
    case EVF_OPEN: return st.open_files;
    case EVF_PENDING: return st.pending_bytes;
    }
    return 0;
}

/* ud is the field: an enum evlog_field cast to a pointer-sized integer. */
static uint64_t metrics_evlog_counter(void *ud)
{
    return metrics_evlog_field((enum evlog_field)(uintptr_t)ud);
}

static double metrics_evlog_gauge(void *ud)
{
    return (double)metrics_evlog_field((enum evlog_field)(uintptr_t)ud);
}

#define EVF(f) ((void *)(uintptr_t)(f))

enum net_field { NETF_FRAMES, NETF_BYTES, NETF_DROPS };

/* One of the watched network counts (ud: an enum net_field, as EVF). While
 * none are watched it is 0, as the counters rendered before they moved
 * into the network layer. */
static uint64_t metrics_net_counter(void *ud)
{
    if (!metrics_net)
        return 0;
    switch ((enum net_field)(uintptr_t)ud) {
    case NETF_FRAMES: return metrics_net->frames_sent;
    case NETF_BYTES: return metrics_net->bytes_sent;
    case NETF_DROPS: return metrics_net->send_queue_drops;
    }
    return 0;
}

int metrics_verrijk_init(const char *version)
{
    static const char *const intent_labels[] = {"type", "outcome"};
    static const char *const version_label[] = {"version"};
    metric *build, *start;
    const char *v[1] = {version ? version : ""};

    metrics_reset();
    build = metrics_gauge("verrijk_build_info", "The running version of the server; the value is always 1.", 1,
                          version_label);
    metrics_set_l(build, v, 1);
    start = metrics_gauge("verrijk_start_time_seconds", "When the server started, in seconds since the Unix epoch.", 0,
                          NULL);
    metrics_set(start, (double)time(NULL));
    for (int i = 0; i < METRICS_SRC_COUNT; i++)
        vm.sources[i] = metrics_gauge_fn(metrics_source_names[i][0], metrics_source_names[i][1], NULL, NULL);
    vm.rooms_created = metrics_counter("verrijk_rooms_created_total", "Rooms created.", 0, NULL);
    vm.intents =
        metrics_counter("verrijk_intents_total",
                        "Intents received, by type and outcome (ok, or the error code answered).", 2, intent_labels);
    vm.events = metrics_counter("verrijk_events_total", "Events decided and logged.", 0, NULL);
    vm.batches = metrics_counter("verrijk_batches_total",
                                 "Batches of decisions a room logged as one unit (its group commit).", 0, NULL);
    vm.batched =
        metrics_counter("verrijk_batched_decisions_total",
                        "Decisions in those batches; divided by verrijk_batches_total, the mean batch.", 0, NULL);
    vm.frames = metrics_counter_fn("verrijk_frames_sent_total", "WebSocket frames sent.", metrics_net_counter,
                                   EVF(NETF_FRAMES));
    vm.bytes = metrics_counter_fn("verrijk_bytes_sent_total", "WebSocket payload bytes sent.", metrics_net_counter,
                                  EVF(NETF_BYTES));
    vm.drops = metrics_counter_fn("verrijk_send_queue_drops_total",
                                  "Connections closed because their send queue was full (slow readers).",
                                  metrics_net_counter, EVF(NETF_DROPS));
    vm.log_records = metrics_counter_fn("verrijk_log_records_total", "Records stored in the session log.", NULL, NULL);
    vm.log_writes = metrics_counter_fn("verrijk_log_writes_total",
                                       "Writes to session log files (one per file per batch).", NULL, NULL);
    vm.log_errors = metrics_counter_fn("verrijk_log_write_errors_total",
                                       "Records the session log could not store (answered with an error).", NULL, NULL);
    vm.log_bytes = metrics_counter_fn("verrijk_log_written_bytes_total",
                                      "Bytes written to session log files, record headers included.", NULL, NULL);
    vm.log_syncs =
        metrics_counter_fn("verrijk_log_syncs_total", "fdatasync or syncfs calls of the session log.", NULL, NULL);
    vm.log_open = metrics_gauge_fn("verrijk_log_open_files", "Session log files open now.", NULL, NULL);
    vm.log_pending =
        metrics_gauge_fn("verrijk_log_pending_bytes", "Bytes queued for the session log, not yet written.", NULL, NULL);
    vm.log_sync = metrics_histogram("verrijk_log_sync_seconds",
                                    "Time one flush of the session log to disk took (fdatasync or syncfs).",
                                    metrics_sync_bounds, sizeof(metrics_sync_bounds) / sizeof(metrics_sync_bounds[0]));
    vm.recovery = metrics_gauge("verrijk_recovery_seconds",
                                "Time the server took at start to check the logs and bring rooms back.", 0, NULL);
    metrics_counter_fn("verrijk_metrics_series_dropped_total",
                       "Counts not kept because a metric had too many label combinations.", metrics_series_dropped,
                       NULL);
    if (!build || !start || !vm.rooms_created || !vm.intents || !vm.events || !vm.frames || !vm.bytes || !vm.drops ||
        !vm.log_records || !vm.log_writes || !vm.log_errors || !vm.log_bytes || !vm.log_syncs || !vm.log_open ||
        !vm.log_pending || !vm.log_sync || !vm.recovery)
        goto fail;
    for (int i = 0; i < METRICS_SRC_COUNT; i++)
        if (!vm.sources[i])
            goto fail;
    return 0;
fail:
    metrics_reset();
    return -1;
}

void metrics_verrijk_source(enum metrics_source which, double (*fn)(void *ud), void *ud)
{
    if ((int)which < 0 || which >= METRICS_SRC_COUNT)
        return;
    metrics_set_gauge_source(vm.sources[which], fn, ud);
}

void metrics_watch_evlog(const struct evlog *log)
{
    bool on = log != NULL;

    metrics_log = log;
    metrics_set_counter_source(vm.log_records, on ? metrics_evlog_counter : NULL, EVF(EVF_RECORDS));
    metrics_set_counter_source(vm.log_writes, on ? metrics_evlog_counter : NULL, EVF(EVF_WRITES));
    metrics_set_counter_source(vm.log_errors, on ? metrics_evlog_counter : NULL, EVF(EVF_ERRORS));
    metrics_set_counter_source(vm.log_bytes, on ? metrics_evlog_counter : NULL, EVF(EVF_BYTES));
    metrics_set_counter_source(vm.log_syncs, on ? metrics_evlog_counter : NULL, EVF(EVF_SYNCS));
    metrics_set_gauge_source(vm.log_open, on ? metrics_evlog_gauge : NULL, EVF(EVF_OPEN));
    metrics_set_gauge_source(vm.log_pending, on ? metrics_evlog_gauge : NULL, EVF(EVF_PENDING));
}

void metrics_watch_net(const struct net_counters *counters)
{
    metrics_net = counters;
}

void metrics_intent(const char *type, const char *outcome)
{
    const char *v[2] = {type, outcome};

    metrics_inc_l(vm.intents, v, 1);
}

void metrics_events(uint64_t n)
{
    metrics_inc(vm.events, n);
}

void metrics_batch(uint64_t decisions)
{
    metrics_inc(vm.batches, 1);
    metrics_inc(vm.batched, decisions);
}

void metrics_room_created(void)
{
    metrics_inc(vm.rooms_created, 1);
}

void metrics_log_sync(double seconds)
{
    metrics_observe(vm.log_sync, seconds);
}

void metrics_log_synced_ns(void *ud, uint64_t ns)
{
    (void)ud;
    metrics_observe(vm.log_sync, (double)ns / 1e9);
}

void metrics_recovery(double seconds)
{
    metrics_set(vm.recovery, seconds);
}
