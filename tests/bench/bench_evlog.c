/* bench_evlog: events/s and callback latency of the session-log writer under each --sync mode.
 *
 * Not a test: a measurement to run by hand. Build from the repository root:
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Iserver -o build-evlog/bench_evlog \
 *       tests/bench/bench_evlog.c server/log/crc32c.c server/log/evlog_format.c \
 *       server/log/evlog.c server/log/evlog_files.c server/log/evlog_schedule.c \
 *       server/log/evlog_job.c server/log/evlog_sync.c server/log/evlog_read.c \
 *       $(pkg-config --cflags --libs libuv) -lpthread
 *
 * Run: build-evlog/bench_evlog [--rooms N] [--depth D] [--seconds S] [--size BYTES] [--dir DIR]
 *      [--mode always|always-fdatasync|batch|batch-fdatasync|none|all]
 *
 *      [--rate EVENTS_PER_S]
 *
 * Model: N rooms, each keeping D appends outstanding (a room appends its next
 * event when one is stored), for S seconds per mode, payloads of BYTES: the
 * most the writer can do. With --rate, an open loop instead: events arrive
 * at that total rate, round robin over the rooms, every millisecond,
 * whatever is outstanding: the latency a server sees at that load.
 * Latency is from evlog_append to its callback.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "log/evlog.h"

/* Latency samples kept per run; later ones are counted but not kept. */
#define BENCH_SAMPLES_MAX (4u << 20)
#define BENCH_ROOMS_MAX   4096
#define BENCH_DEPTH_MAX   64
/* Open loop: events outstanding at once, at most. */
#define BENCH_OPEN_SLOTS (1u << 16)

struct bench;

struct slot {
    struct bench *b;
    unsigned room;
    uint64_t t0;
    bool pooled; /* an open-loop slot: back to the pool when done */
};

struct bench {
    uv_loop_t loop;
    struct evlog *log;
    char codes[BENCH_ROOMS_MAX][8];
    uint8_t payload[EVLOG_RECORD_MAX];
    size_t size;
    bool stopping;
    uint64_t done, errors;
    uint64_t *lat;
    size_t nlat;
    uv_timer_t stop_timer;
    /* Open loop. */
    double rate;
    uv_timer_t tick;
    uint64_t t_start, issued, dropped;
    unsigned rooms, next_room;
    struct slot *free_slots[BENCH_OPEN_SLOTS];
    unsigned nfree;
};

static void on_done(void *ud, int status);

static void issue(struct slot *s)
{
    struct bench *b = s->b;
    s->t0 = uv_hrtime();
    int err = evlog_append(b->log, b->codes[s->room], b->payload, b->size, on_done, s);
    if (err != 0) {
        fprintf(stderr, "append: %s\n", uv_strerror(err));
        exit(1);
    }
}

static void on_done(void *ud, int status)
{
    struct slot *s = ud;
    struct bench *b = s->b;
    uint64_t t = uv_hrtime();
    if (status != 0)
        b->errors++;
    b->done++;
    if (b->nlat < BENCH_SAMPLES_MAX)
        b->lat[b->nlat++] = t - s->t0;
    if (s->pooled)
        b->free_slots[b->nfree++] = s;
    else if (!b->stopping)
        issue(s);
}

static void on_tick(uv_timer_t *t)
{
    struct bench *b = t->data;
    if (b->stopping) {
        uv_timer_stop(t);
        return;
    }
    uint64_t due = (uint64_t)((double)(uv_hrtime() - b->t_start) / 1e9 * b->rate);
    while (b->issued < due) {
        b->issued++;
        if (b->nfree == 0) {
            b->dropped++;
            continue;
        }
        struct slot *s = b->free_slots[--b->nfree];
        s->room = b->next_room;
        b->next_room = (b->next_room + 1) % b->rooms;
        issue(s);
    }
}

static void on_stop(uv_timer_t *t)
{
    struct bench *b = t->data;
    b->stopping = true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1));
    return (double)v[i] / 1e6;
}

static void run(struct bench *b, const char *dir, const char *mode, unsigned rooms, unsigned depth, double seconds)
{
    struct evlog_options o = {.dir = dir};
    char base[32];
    snprintf(base, sizeof(base), "%s", mode);
    char *dash = strchr(base, '-');
    o.flush = EVLOG_FLUSH_SYNCFS;
    if (dash && strcmp(dash, "-fdatasync") == 0) {
        *dash = '\0';
        o.flush = EVLOG_FLUSH_FDATASYNC;
    }
    if (evlog_sync_parse(base, &o.sync) != 0) {
        fprintf(stderr, "unknown mode %s\n", mode);
        exit(2);
    }
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "rm -f '%s'/*.log", dir);
    if (system(cmd) != 0)
        exit(1);

    uv_loop_init(&b->loop);
    if (evlog_open(&b->loop, &o, &b->log) != 0) {
        fprintf(stderr, "evlog_open failed\n");
        exit(1);
    }
    b->done = b->errors = 0;
    b->nlat = 0;
    b->stopping = false;
    struct slot *slots = calloc((size_t)rooms * depth, sizeof(*slots));
    if (!slots)
        exit(1);
    /* Warm up: create every file before timing, as a running server has. */
    for (unsigned r = 0; r < rooms; r++) {
        slots[r].b = b;
        slots[r].room = r;
    }
    b->stopping = true;
    for (unsigned r = 0; r < rooms; r++)
        issue(&slots[r]);
    uv_run(&b->loop, UV_RUN_DEFAULT);
    b->done = b->errors = 0;
    b->nlat = 0;
    b->stopping = false;

    uv_timer_init(&b->loop, &b->stop_timer);
    b->stop_timer.data = b;
    uv_timer_start(&b->stop_timer, on_stop, (uint64_t)(seconds * 1000), 0);
    uint64_t t0 = uv_hrtime();
    struct slot *open_slots = NULL;
    if (b->rate > 0) {
        open_slots = calloc(BENCH_OPEN_SLOTS, sizeof(*open_slots));
        if (!open_slots)
            exit(1);
        b->nfree = 0;
        for (unsigned i = 0; i < BENCH_OPEN_SLOTS; i++) {
            open_slots[i].b = b;
            open_slots[i].pooled = true;
            b->free_slots[b->nfree++] = &open_slots[i];
        }
        b->rooms = rooms;
        b->next_room = 0;
        b->issued = b->dropped = 0;
        b->t_start = t0;
        uv_timer_init(&b->loop, &b->tick);
        b->tick.data = b;
        uv_timer_start(&b->tick, on_tick, 1, 1);
    } else {
        for (unsigned r = 0; r < rooms; r++)
            for (unsigned d = 0; d < depth; d++) {
                struct slot *s = &slots[r * depth + d];
                s->b = b;
                s->room = r;
                issue(s);
            }
    }
    uv_run(&b->loop, UV_RUN_DEFAULT);
    if (b->rate > 0)
        uv_close((uv_handle_t *)&b->tick, NULL);
    double secs = (double)(uv_hrtime() - t0) / 1e9;
    struct evlog_stats st;
    evlog_get_stats(b->log, &st);
    evlog_close(b->log, NULL, NULL);
    uv_close((uv_handle_t *)&b->stop_timer, NULL);
    uv_run(&b->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&b->loop) != 0)
        fprintf(stderr, "loop not closed cleanly\n");

    qsort(b->lat, b->nlat, sizeof(b->lat[0]), cmp_u64);
    if (b->rate > 0)
        printf("open loop at %.0f/s, %llu dropped: ", b->rate, (unsigned long long)b->dropped);
    printf("%-16s rooms %4u depth %2u size %5zu: %9.0f events/s  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  "
           "max %7.3f ms  (%llu writes, %llu syncs, %.1f events/write, %llu errors)\n",
           mode, rooms, depth, b->size, (double)b->done / secs, pct(b->lat, b->nlat, 0.50), pct(b->lat, b->nlat, 0.99),
           pct(b->lat, b->nlat, 0.999), pct(b->lat, b->nlat, 1.0), (unsigned long long)st.writes,
           (unsigned long long)st.syncs, st.writes ? (double)st.appended / (double)st.writes : 0.0,
           (unsigned long long)b->errors);
    fflush(stdout);
    free(slots);
    free(open_slots);
}

int main(int argc, char **argv)
{
    unsigned rooms = 100, depth = 1;
    double seconds = 3;
    const char *mode = "all";
    const char *dir = NULL;
    static struct bench b;
    b.size = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rooms") == 0)
            rooms = (unsigned)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--depth") == 0)
            depth = (unsigned)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--size") == 0)
            b.size = (size_t)atol(argv[i + 1]);
        else if (strcmp(argv[i], "--mode") == 0)
            mode = argv[i + 1];
        else if (strcmp(argv[i], "--rate") == 0)
            b.rate = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (rooms == 0 || rooms > BENCH_ROOMS_MAX || depth == 0 || depth > BENCH_DEPTH_MAX || b.size == 0 ||
        b.size > EVLOG_RECORD_MAX) {
        fprintf(stderr, "out of range\n");
        return 2;
    }
    char tmp[] = "/tmp/bench_evlog.XXXXXX";
    if (!dir) {
        dir = mkdtemp(tmp);
        if (!dir)
            return 1;
    }
    for (unsigned r = 0; r < rooms; r++)
        snprintf(b.codes[r], sizeof(b.codes[r]), "B%05u", r);
    for (size_t i = 0; i < b.size; i++)
        b.payload[i] = (uint8_t)(i * 37);
    b.lat = malloc(BENCH_SAMPLES_MAX * sizeof(uint64_t));
    if (!b.lat)
        return 1;
    static const char *modes[] = {"always", "always-fdatasync", "batch", "batch-fdatasync", "none"};
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
        if (strcmp(mode, "all") == 0 || strcmp(mode, modes[m]) == 0)
            run(&b, dir, modes[m], rooms, depth, seconds);
    free(b.lat);
    if (dir == tmp) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            return 1;
    }
    return 0;
}
