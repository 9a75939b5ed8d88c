/* verrijk_bench.c - verrijk-bench: one process, one libuv loop, many WebSocket members speaking protocol/SPEC.md over loopback. */
/* This file: options, the deck, and main; the parts are listed in bench_internal.h. */
#include "bench_internal.h"

struct bench_globals g;

/* ---- options ---- */

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: verrijk-bench connect|rounds|burst [options]\n"
        "  --url ws://127.0.0.1:8080   server (loopback only: 127.0.0.1, ::1, localhost)\n"
        "  --rooms R                   rooms (default 10, at most %d)\n"
        "  --members M                 members per room, facilitator included (default 8, 1..%d)\n"
        "  --seconds S                 rounds: measured seconds (default 10)\n"
        "  --hold S                    connect: seconds to sit idle once all are welcomed (default 3)\n"
        "  --rate N                    rounds: intents/s over all rooms (0 = as fast as allowed)\n"
        "  --repeat K                  burst: bursts (default 3)\n"
        "  --pid PID                   server process: RSS and CPU from /proc\n"
        "  --cpu-pid PID               another process whose CPU over the interval is reported (cpu_pids; up to 16)\n"
        "  --deck ID                   deck id (default: the id in decks/verrijkte-leeromgevingen.json)\n"
        "  --deck-file PATH            deck JSON for the id and the vote scale\n"
        "  --inflight N                handshakes in flight (default %d)\n"
        "  --sources N                 IPv4 source addresses 127.0.0.1..N to spread connections over (default %d)\n"
        "  --timeout S                 hard limit for the whole run (default: seconds + hold + 120)\n"
        "  --slow-readers N            rounds/burst: in the first N rooms the last member is a screen\n"
        "                              that stops reading when the interval begins (default 0)\n"
        "  --slow-rcvbuf BYTES         SO_RCVBUF of a slow reader, 0 = the kernel's (default %d)\n"
        "  --slow-mss BYTES            MSS a slow reader announces, 0 = the kernel's (default %d)\n"
        "  --slow-resume R             each slow reader sends R resumes/s while not reading (default 0, at most 15)\n"
        "  --json                      one JSON object on stdout instead of the table\n",
        BENCH_ROOMS_MAX, BENCH_MEMBERS_MAX, BENCH_INFLIGHT_DEFAULT, BENCH_SOURCES_DEFAULT, BENCH_SLOW_RCVBUF,
        BENCH_SLOW_MSS);
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

/* Accepts ws://HOST:PORT[/...] with HOST loopback only (house rule). */
static bool parse_url(const char *url, char *err, size_t errlen)
{
    if (strncmp(url, "ws://", 5) != 0) {
        snprintf(err, errlen, "--url must start with ws://");
        return false;
    }
    const char *h = url + 5, *hend, *port;
    if (*h == '[') {
        hend = strchr(h, ']');
        if (!hend) {
            snprintf(err, errlen, "bad IPv6 address in --url");
            return false;
        }
        h++;
        port = hend + 1;
    } else {
        hend = h + strcspn(h, ":/");
        port = hend;
    }
    size_t hl = (size_t)(hend - h);
    if (hl == 0 || hl >= sizeof g.host) {
        snprintf(err, errlen, "no host in --url");
        return false;
    }
    memcpy(g.host, h, hl);
    g.host[hl] = '\0';
    unsigned p = 80;
    if (*port == ':') {
        char digits[8];
        size_t dl = strcspn(port + 1, "/");
        if (dl == 0 || dl >= sizeof digits) {
            snprintf(err, errlen, "bad port in --url");
            return false;
        }
        memcpy(digits, port + 1, dl);
        digits[dl] = '\0';
        if (!parse_uint(digits, 1, 65535, &p)) {
            snprintf(err, errlen, "bad port in --url");
            return false;
        }
    }
    g.port = (int)p;
    memset(&g.addr, 0, sizeof g.addr);
    if (strcmp(g.host, "127.0.0.1") == 0 || strcasecmp(g.host, "localhost") == 0) {
        uv_ip4_addr("127.0.0.1", g.port, (struct sockaddr_in *)&g.addr);
    } else if (strcmp(g.host, "::1") == 0) {
        uv_ip6_addr("::1", g.port, (struct sockaddr_in6 *)&g.addr);
        snprintf(g.host, sizeof g.host, "[::1]");
    } else {
        snprintf(err, errlen, "refusing host \"%s\": load tests talk to loopback only (127.0.0.1, ::1, localhost)",
                 g.host);
        return false;
    }
    return true;
}

/* Reads the deck's id and vote scale; without the file the defaults stand
 * (the id given, scale 1..5). */
static void load_deck(const char *path, bool id_given)
{
    json_error_t e;
    json_t *d = json_load_file(path, 0, &e);
    if (!d) {
        if (!id_given)
            fprintf(stderr, "verrijk-bench: %s: %s; using deck \"%s\", scale %u..%u\n", path, e.text, g.deck,
                    g.scale_min, g.scale_max);
        return;
    }
    const char *id = json_string_value(json_object_get(d, "id"));
    if (id && !id_given && strlen(id) <= BENCH_DECK_ID_MAX)
        snprintf(g.deck, sizeof g.deck, "%s", id);
    json_t *sc = json_object_get(d, "scale");
    json_int_t lo = json_integer_value(json_object_get(sc, "min"));
    json_int_t hi = json_integer_value(json_object_get(sc, "max"));
    if (json_is_integer(json_object_get(sc, "min")) && lo >= 0 && hi > lo && hi < 1000) {
        g.scale_min = (unsigned)lo;
        g.scale_max = (unsigned)hi;
    }
    json_decref(d);
}

int main(int argc, char **argv)
{
    const char *url = "ws://127.0.0.1:8080", *deck_file = "decks/verrijkte-leeromgevingen.json";
    bool deck_given = false, timeout_given = false;
    char err[256];
    g.rooms = 10;
    g.members = 8;
    g.seconds = 10;
    g.hold = 3;
    g.repeat = 3;
    g.inflight_max = BENCH_INFLIGHT_DEFAULT;
    g.sources = BENCH_SOURCES_DEFAULT;
    g.scale_min = 1;
    g.scale_max = 5;
    g.rss0 = g.rss1 = g.rss_peak = g.rss_measure0 = -1;
    g.slow_rcvbuf = BENCH_SLOW_RCVBUF;
    g.slow_mss = BENCH_SLOW_MSS;
    snprintf(g.deck, sizeof g.deck, "verrijkte-leeromgevingen");

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "connect") == 0)
        g.sc = SC_CONNECT;
    else if (strcmp(argv[1], "rounds") == 0)
        g.sc = SC_ROUNDS;
    else if (strcmp(argv[1], "burst") == 0)
        g.sc = SC_BURST;
    else {
        fprintf(stderr, "verrijk-bench: unknown scenario \"%s\"\n", argv[1]);
        usage(stderr);
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true, takes = true;
        unsigned u = 0;
        if (strcmp(a, "--json") == 0) {
            g.json = true;
            takes = false;
        } else if (!v) {
            ok = false;
        } else if (strcmp(a, "--url") == 0) {
            url = v;
        } else if (strcmp(a, "--rooms") == 0) {
            ok = parse_uint(v, 1, BENCH_ROOMS_MAX, &g.rooms);
        } else if (strcmp(a, "--members") == 0) {
            ok = parse_uint(v, 1, BENCH_MEMBERS_MAX, &g.members);
        } else if (strcmp(a, "--seconds") == 0) {
            ok = parse_uint(v, 1, BENCH_SECONDS_MAX, &g.seconds);
        } else if (strcmp(a, "--hold") == 0) {
            ok = parse_uint(v, 0, BENCH_SECONDS_MAX, &g.hold);
        } else if (strcmp(a, "--repeat") == 0) {
            ok = parse_uint(v, 1, BENCH_REPEAT_MAX, &g.repeat);
        } else if (strcmp(a, "--inflight") == 0) {
            ok = parse_uint(v, 1, BENCH_INFLIGHT_MAX, &g.inflight_max);
        } else if (strcmp(a, "--sources") == 0) {
            ok = parse_uint(v, 1, WS_SOURCES_MAX, &g.sources);
        } else if (strcmp(a, "--timeout") == 0) {
            ok = parse_uint(v, 1, 4 * BENCH_SECONDS_MAX, &g.timeout);
            timeout_given = true;
        } else if (strcmp(a, "--slow-readers") == 0) {
            ok = parse_uint(v, 0, BENCH_ROOMS_MAX, &g.slow_readers);
        } else if (strcmp(a, "--slow-rcvbuf") == 0) {
            ok = parse_uint(v, 0, BENCH_SLOW_RCVBUF_MAX, &g.slow_rcvbuf);
        } else if (strcmp(a, "--slow-mss") == 0) {
            ok = parse_uint(v, 0, BENCH_SLOW_MSS_MAX, &g.slow_mss);
            ok = ok && (g.slow_mss == 0 || g.slow_mss >= 88);
        } else if (strcmp(a, "--slow-resume") == 0) {
            char *end;
            g.slow_resume = strtod(v, &end);
            ok = end != v && !*end && g.slow_resume >= 0 && g.slow_resume <= BENCH_SLOW_RESUME_MAX;
        } else if (strcmp(a, "--pid") == 0) {
            ok = parse_uint(v, 1, 1u << 30, &u);
            g.pid = (int)u;
        } else if (strcmp(a, "--cpu-pid") == 0) {
            ok = g.n_cpu_pids < BENCH_CPU_PIDS_MAX && parse_uint(v, 1, 1u << 30, &u);
            if (ok)
                g.cpu_pids[g.n_cpu_pids++] = (int)u;
        } else if (strcmp(a, "--rate") == 0) {
            char *end;
            g.rate = strtod(v, &end);
            ok = end != v && !*end && g.rate >= 0 && g.rate <= BENCH_RATE_MAX;
        } else if (strcmp(a, "--deck") == 0) {
            ok = strlen(v) >= 1 && strlen(v) <= BENCH_DECK_ID_MAX;
            if (ok)
                snprintf(g.deck, sizeof g.deck, "%s", v);
            deck_given = true;
        } else if (strcmp(a, "--deck-file") == 0) {
            deck_file = v;
        } else {
            fprintf(stderr, "verrijk-bench: unknown option %s\n", a);
            usage(stderr);
            return 1;
        }
        if (!ok) {
            fprintf(stderr, "verrijk-bench: bad or missing value for %s\n", a);
            return 1;
        }
        if (takes)
            i++;
    }
    if (!parse_url(url, err, sizeof err)) {
        fprintf(stderr, "verrijk-bench: %s\n", err);
        return 1;
    }
    if (g.sc != SC_CONNECT && g.members < 2) {
        fprintf(stderr, "verrijk-bench: %s needs --members 2 or more (a facilitator and a player)\n", argv[1]);
        return 1;
    }
    if (g.slow_readers && (g.sc == SC_CONNECT || g.slow_readers > g.rooms || g.members < 3)) {
        fprintf(stderr,
                "verrijk-bench: --slow-readers needs rounds or burst, at most --rooms, and --members 3 or more\n");
        return 1;
    }
    load_deck(deck_file, deck_given);

    /* Every connection is a file descriptor: raise the soft limit to the hard one. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    uint64_t want = (uint64_t)g.rooms * g.members;
    uint64_t fd_cap =
        getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (uint64_t)rl.rlim_cur : BENCH_CONNS_MAX;
    if (want > BENCH_CONNS_MAX || want + BENCH_FD_RESERVE > fd_cap) {
        fprintf(stderr,
                "verrijk-bench: %" PRIu64 " connections exceed the limit (%d, and the open-file limit %" PRIu64
                " minus a reserve of %d)\n",
                want, BENCH_CONNS_MAX, fd_cap, BENCH_FD_RESERVE);
        return 1;
    }
    g.total = (unsigned)want;
    if (!timeout_given)
        g.timeout = g.seconds + g.hold + 120 + g.repeat;

    int rc = 1;
    g.rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ uv_hrtime();
    if (!g.rng)
        g.rng = 88172645463325252ull;
    g.conns = calloc(g.total, sizeof *g.conns);
    g.rooms_v = calloc(g.rooms, sizeof *g.rooms_v);
    g.ready = calloc(g.rooms + 1, sizeof *g.ready);
    if (g.sc == SC_ROUNDS)
        g.samples = malloc(BENCH_SAMPLES_MAX * sizeof *g.samples);
    if (g.sc == SC_BURST) {
        g.burst_total = calloc(g.repeat, sizeof *g.burst_total);
        g.burst_rooms = calloc((size_t)g.rooms * g.repeat, sizeof *g.burst_rooms);
    }
    bool zone_ok = msgpack_zone_init(&g.zone, MSGPACK_ZONE_CHUNK_SIZE);
    if (!g.conns || !g.rooms_v || !g.ready || (g.sc == SC_ROUNDS && !g.samples) ||
        (g.sc == SC_BURST && (!g.burst_total || !g.burst_rooms)) || !zone_ok) {
        fprintf(stderr, "verrijk-bench: out of memory\n");
        goto out;
    }
    if (uv_loop_init(&g.loop) < 0) {
        fprintf(stderr, "verrijk-bench: uv_loop_init failed\n");
        goto out;
    }
    static const ws_events events = {on_ws_open, on_ws_message, on_ws_violation, on_ws_lost, on_ws_closed};
    char host_header[96];
    snprintf(host_header, sizeof host_header, "%s:%d", g.host, g.port);
    if (ws_setup(&g.loop, (const struct sockaddr *)&g.addr, host_header, g.sources, &events, rng_next()) < 0) {
        fprintf(stderr, "verrijk-bench: out of memory\n");
        goto loop_out;
    }
    unsigned cap = g.members * 2 + 8;
    for (unsigned i = 0; i < g.rooms; i++) {
        room *r = &g.rooms_v[i];
        r->m = &g.conns[(size_t)i * g.members];
        r->cap = (uint16_t)cap;
        r->pend = calloc(cap, sizeof *r->pend);
        r->out = calloc(cap, sizeof *r->out);
        if (!r->pend || !r->out) {
            fprintf(stderr, "verrijk-bench: out of memory\n");
            goto loop_out;
        }
        room_new_code(r);
        uv_timer_init(&g.loop, &r->timer);
        r->timer.data = r;
        r->rtok_at = uv_hrtime();
        r->rtokens = 1;
        r->slow = i < g.slow_readers;
        r->readers = (uint16_t)(g.members - r->slow);
        r->voters = (uint16_t)(g.members - 1 - r->slow);
        if (r->slow)
            g.conns[(size_t)i * g.members + g.members - 1].slow = true;
        for (unsigned j = 0; j < g.members; j++) {
            r->m[j].room = r;
            r->m[j].idx = (uint16_t)j;
        }
    }
    uv_timer_init(&g.loop, &g.hard_timer);
    uv_timer_init(&g.loop, &g.phase_timer);
    uv_timer_init(&g.loop, &g.sample_timer);
    if (g.pid > 0 || g.slow_readers)
        uv_timer_start(&g.sample_timer, on_sample, BENCH_SAMPLE_MS, BENCH_SAMPLE_MS);
    uv_timer_start(&g.hard_timer, on_hard_timeout, (uint64_t)g.timeout * 1000, 0);

    g.rss0 = proc_rss_kb();
    if (g.pid > 0 && g.rss0 < 0) {
        fprintf(stderr, "verrijk-bench: cannot read /proc/%d/status\n", g.pid);
        finish();
        g.exit_code = 1;
    } else {
        g.t_setup0 = uv_hrtime();
        g.setup_srv_cpu0 = proc_cpu_s();
        g.setup_self_cpu0 = cpu_self();
        launch_pump();
    }
    uv_run(&g.loop, UV_RUN_DEFAULT);
    if (g.exit_code != 1)
        report();
    if (g.exit_code)
        fprintf(stderr, "verrijk-bench: %s\n", g.why[0] ? g.why : "failed");
    else if (g.violations || g.dropped)
        fprintf(stderr, "verrijk-bench: %" PRIu64 " protocol violations, %" PRIu64 " members dropped\n", g.violations,
                g.dropped);
    rc = g.exit_code ? g.exit_code : g.violations || g.dropped ? 3 : 0;
loop_out:
    if (!g.finished)
        finish();
    uv_run(&g.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&g.loop) != 0)
        fprintf(stderr, "verrijk-bench: loop did not close cleanly\n");
out:
    if (g.rooms_v)
        for (unsigned i = 0; i < g.rooms; i++) {
            free(g.rooms_v[i].pend);
            free(g.rooms_v[i].out);
        }
    if (g.conns)
        for (unsigned i = 0; i < g.total; i++)
            ws_release(&g.conns[i].ws);
    msgpack_zone_destroy(&g.zone);
    free(g.conns);
    free(g.rooms_v);
    free(g.ready);
    ws_teardown();
    free(g.samples);
    free(g.burst_total);
    free(g.burst_rooms);
    return rc;
}
