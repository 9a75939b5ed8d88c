/* metrics.h - counters, gauges and histograms of this server, rendered in the Prometheus text format (0.0.4). */
#ifndef VERRIJK_METRICS_H
#define VERRIJK_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* One registry per process, used from the loop thread only (no locks).
 * Every function accepts a NULL metric and then does nothing, so code that
 * counts runs the same whether or not the registry was set up. */

/* Bounds, named once. */
#define METRICS_FAMILIES_MAX    64         /* metrics registered at once */
#define METRICS_NAME_MAX        64         /* bytes of a metric or label name, NUL included */
#define METRICS_HELP_MAX        256        /* bytes of a HELP text, NUL included (longer: cut) */
#define METRICS_LABELS_MAX      2          /* label names per metric */
#define METRICS_LABEL_VALUE_MAX 48         /* bytes of a label value, NUL included (longer: cut) */
#define METRICS_SERIES_MAX      512        /* label value combinations per metric */
#define METRICS_BUCKETS_MAX     16         /* upper bounds of a histogram, +Inf not counted */
#define METRICS_RENDER_MAX      (1u << 20) /* bytes of one rendering */

/* The Content-Type of a rendering. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct metric metric;

/* Registering. name: [a-zA-Z_:][a-zA-Z0-9_:]*; label names:
 * [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", not "le"; help is copied
 * (cut at METRICS_HELP_MAX - 1 bytes). Each returns the metric, or NULL
 * when a name is invalid or taken, there are METRICS_FAMILIES_MAX metrics
 * already, or memory ran out. A metric lives until metrics_reset. */
metric *metrics_counter(const char *name, const char *help, size_t n_labels, const char *const *label_names);
metric *metrics_gauge(const char *name, const char *help, size_t n_labels, const char *const *label_names);
/* bounds: n_bounds (1..METRICS_BUCKETS_MAX) upper bounds in increasing
 * order (copied); a +Inf bucket is added. */
metric *metrics_histogram(const char *name, const char *help, const double *bounds, size_t n_bounds);
/* A counter or gauge whose value another module keeps: fn(ud) is called
 * at each rendering (ud must stay valid until metrics_reset or until the
 * source is replaced with metrics_set_source). */
metric *metrics_counter_fn(const char *name, const char *help, uint64_t (*fn)(void *ud), void *ud);
metric *metrics_gauge_fn(const char *name, const char *help, double (*fn)(void *ud), void *ud);

/* Changes the source of a metric made by metrics_counter_fn or
 * metrics_gauge_fn (fn NULL: the metric is left out of renderings). */
void metrics_set_counter_source(metric *m, uint64_t (*fn)(void *ud), void *ud);
void metrics_set_gauge_source(metric *m, double (*fn)(void *ud), void *ud);

/* Counting. The _l forms take one value per label name, in order; a value
 * longer than METRICS_LABEL_VALUE_MAX - 1 bytes is cut at a UTF-8
 * character boundary. A new combination beyond METRICS_SERIES_MAX is not
 * counted (verrijk_metrics_series_dropped_total counts those). Calling a
 * function that does not fit the metric's kind does nothing. */
void metrics_inc(metric *m, uint64_t by);
void metrics_inc_l(metric *m, const char *const *values, uint64_t by);
void metrics_set(metric *m, double v);
void metrics_set_l(metric *m, const char *const *values, double v);
void metrics_observe(metric *m, double v);

/* Writes every metric, in registration order, as the Prometheus text
 * format 0.0.4 into a malloc'd *out (NUL-terminated; *len without the
 * NUL; the caller frees it). Returns 0, or -1 when out of memory or over
 * METRICS_RENDER_MAX (then *out is NULL). */
int metrics_render(char **out, size_t *len);

/* Frees every metric (for tests, and at exit): handles held become invalid. */
void metrics_reset(void);

/* ---- Verrijk's own metrics (names and units per Prometheus conventions) ---- */

/* Values another module keeps, read at each rendering. */
enum metrics_source {
    METRICS_SRC_CONNECTIONS,    /* verrijk_connections: open WebSockets */
    METRICS_SRC_ROOMS_LIVE,     /* verrijk_rooms_live: rooms with a device attached */
    METRICS_SRC_ROOMS_LOADED,   /* verrijk_rooms_loaded: rooms in memory */
    METRICS_SRC_MEMBERS_ONLINE, /* verrijk_members_online: members online (grace included) */
    METRICS_SRC_COUNT,
};

/* Registers the metrics below (verrijk_build_info{version} = 1 and
 * verrijk_start_time_seconds set now). Returns 0, or -1 when out of memory
 * (then counting does nothing). It starts with metrics_reset: metrics
 * registered before are gone. */
int metrics_verrijk_init(const char *version);

/* Sets where a gauge of enum metrics_source is read (fn NULL: left out). */
void metrics_verrijk_source(enum metrics_source which, double (*fn)(void *ud), void *ud);

/* The log's own counts (evlog_get_stats) are read at each rendering while
 * a log is watched: verrijk_log_records_total, verrijk_log_writes_total,
 * verrijk_log_write_errors_total, verrijk_log_written_bytes_total,
 * verrijk_log_syncs_total, verrijk_log_open_files,
 * verrijk_log_pending_bytes. Call with NULL before the log is closed. */
struct evlog;
void metrics_watch_evlog(const struct evlog *log);

/* The network's own counts (net_server_counters) are read at each
 * rendering while they are watched: verrijk_frames_sent_total,
 * verrijk_bytes_sent_total (WebSocket payload bytes) and
 * verrijk_send_queue_drops_total (connections cut because their send
 * queue was full: slow readers). Unwatched (NULL, before the server is
 * set up or after it is freed) they render as 0. */
struct net_counters;
void metrics_watch_net(const struct net_counters *counters);

/* verrijk_intents_total{type,outcome}: outcome is "ok" or the error code
 * (vp_code_name). */
void metrics_intent(const char *type, const char *outcome);
/* verrijk_events_total: events decided and logged. */
void metrics_events(uint64_t n);
/* verrijk_batches_total and verrijk_batched_decisions_total: one batch
 * of `decisions` went to the log (refused or not). */
void metrics_batch(uint64_t decisions);
/* verrijk_rooms_created_total. */
void metrics_room_created(void);
/* verrijk_log_sync_seconds: one fdatasync or syncfs, in seconds. */
void metrics_log_sync(double seconds);
/* The same, in the shape of a log callback (ud unused; ns: nanoseconds),
 * for a log that reports each flush's duration. */
void metrics_log_synced_ns(void *ud, uint64_t ns);
/* verrijk_recovery_seconds: how long bringing rooms back at start took. */
void metrics_recovery(double seconds);

#endif
