/* main.c - the verrijk server: flags, the libuv loop, signals, and wiring the layers together. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>
#include <libwebsockets.h>

#include "cli/cli.h"
#include "http/api.h"
#include "http/ops_api.h"
#include "net/net_server.h"
#include "ops/lan.h"
#include "ops/metrics.h"
#include "ops/ops_log.h"
#include "rooms/rooms.h"
#include "rooms/deck_store.h"

#ifndef VERRIJK_VERSION
#define VERRIJK_VERSION "dev"
#endif
#ifndef VERRIJK_DEFAULT_WEB
#define VERRIJK_DEFAULT_WEB "web-client/dist"
#endif
#ifndef VERRIJK_DEFAULT_DECKS
#define VERRIJK_DEFAULT_DECKS "decks"
#endif

/* Open rooms active this recently come back into memory at start; older
 * ones load from their log when someone asks for them. */
#define VERRIJK_RECOVER_WINDOW_MS (24u * 3600u * 1000u)

/* Exit codes: 0 clean stop, 1 could not run, 2 bad command line. */
enum { EXIT_USAGE = 2 };

typedef struct options {
    const char *host;
    int port;
    const char *data_dir;
    const char *web_dir;
    const char *decks_dir;
    enum evlog_sync sync;
    unsigned max_connections;                           /* 0: as many as the fd limit allows */
    uint64_t idle_ms;                                   /* rooms without a device leave memory after this */
    uint64_t retain_ms;                                 /* logs without activity are deleted after this; 0: never */
    const char *public_url;                             /* the one join URL offered (behind a proxy), or NULL */
    uint32_t max_rooms;                                 /* 0: ROOMS_LIVE_MAX */
    uint64_t max_log_bytes;                             /* a room's log bound; 0: ROOMS_LOG_MAX_DEFAULT */
    uint32_t max_failures;                              /* per address per minute; 0: LIMITS_FAILS_MAX */
    uint32_t ping_s;                                    /* 0: NET_IDLE_PING_MS */
    uint32_t join_timeout_s;                            /* 0: NET_JOIN_TIMEOUT_MS */
    uint32_t away_hold_s;                               /* 0: ROOMS_AWAY_HOLD_MS */
    uint32_t conns_per_addr;                            /* 0: NET_CONNS_PER_ADDR */
    uint32_t creates_per_hour;                          /* 0: LIMITS_CREATES_PER_HOUR */
    uint32_t reads_per_minute;                          /* 0: NET_HTTP_READS_MAX */
    uint32_t max_stored_decks;                          /* 0: DECK_STORE_MAX_DEFAULT */
    limits_proxies proxies;                             /* --trust-proxy */
    const char *origins[NET_ORIGINS_MAX];               /* --origin, pointing into argv */
    char origin_list[NET_ORIGINS_MAX * NET_ORIGIN_MAX]; /* --origin values, split */
    size_t origin_used;
    unsigned n_origins;
} options;

typedef struct app {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    net_server *net;
    rooms *rooms;
    bool stopping;
} app;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: verrijk [--host H] [--port N] [--data DIR] [--web DIR] [--decks DIR]\n"
            "               [--sync always|batch|none] [--max-connections N]\n"
            "               [--idle-minutes N] [--retain-days N] [--public-url URL]\n"
            "               [--max-rooms N] [--max-log-mb N] [--max-failures N]\n"
            "               [--trust-proxy ADDR[,ADDR...]]\n"
            "               [--origin URL[,URL...]] [--ping-seconds N] [--join-timeout-seconds N]\n"
            "               [--max-connections-per-address N] [--max-creates-per-hour N]\n"
            "               [--max-downloads-per-minute N] [--away-hold-seconds N]\n"
            "               [--help] [--version]\n"
            "       verrijk replay FILE.log [--json] [--at SEQ [--as MEMBER]] [--verify]\n"
            "       verrijk export FILE.log --md|--json|--csv [--round N]\n"
            "\n"
            "  --host H     address to listen on (default 0.0.0.0)\n"
            "  --port N     TCP port for HTTP and WebSocket (default 8080)\n"
            "  --data DIR   session logs live here; created if missing (default ./data)\n"
            "  --web DIR    the built web client (default %s)\n"
            "  --decks DIR  card decks as JSON (default %s)\n"
            "  --sync MODE  when an event counts as saved (default batch):\n"
            "               always  flushed to disk before anyone sees it (survives a power cut)\n"
            "               batch   written before anyone sees it (survives kill -9), flushed\n"
            "                       within 100 ms (a power cut loses at most that)\n"
            "               none    written before anyone sees it, flushed when the OS likes\n"
            "  --max-connections N  WebSockets served at once; one more is answered\n"
            "               server_busy and closed (default: what the fd limit allows)\n"
            "  --idle-minutes N  a room with no device attached leaves memory after N\n"
            "               minutes (default 30; a fraction is fine); it loads again from\n"
            "               its log on the next resume, join or export\n"
            "  --retain-days N  a room whose log saw no activity for N days is deleted\n"
            "               (default 90; 0 keeps logs for ever); checked at start and hourly\n"
            "  --public-url URL  the address phones join at (behind a proxy or in a\n"
            "               container); default: this machine's own addresses\n"
            "  --max-rooms N  rooms held in memory at once; creating one more is\n"
            "               answered server_busy (default and most %u)\n"
            "  --max-log-mb N  a room's session log may grow to N MB (default %u; a\n"
            "               fraction is fine); past it the room takes only close, leave,\n"
            "               resume and purge, and answers the rest room_full\n"
            "  --max-failures N  wrong room codes, tokens or replay keys one address may\n"
            "               try per minute before it is answered rate_limited / 429\n"
            "               (default %u; raise it when many people share one address)\n"
            "  --trust-proxy ADDR  a reverse proxy's address (repeatable, or a comma\n"
            "               list): its X-Real-IP or last X-Forwarded-For hop names the\n"
            "               client for the per-address limits; from anyone else they are ignored\n"
            "  --origin URL  WebSocket upgrades whose Origin header is not one of these\n"
            "               (scheme://host[:port], repeatable or a comma list) are refused;\n"
            "               an upgrade without Origin (not a browser) is accepted\n"
            "  --ping-seconds N  a WebSocket silent for N seconds is pinged; silent for\n"
            "               2N + 10 despite that, it is hung up (default 30: a proxy in\n"
            "               front that drops connections silent for 60 s keeps them)\n"
            "  --join-timeout-seconds N  a WebSocket that is no member of a room (never\n"
            "               joined, resumed or created one) for N seconds is closed (default %u)\n"
            "  --max-connections-per-address N  WebSockets one address may hold open;\n"
            "               one more is answered rate_limited and closed (default %u)\n"
            "  --max-creates-per-hour N  new rooms one address may create per hour (a\n"
            "               burst of N, then one every 60/N minutes); more are answered\n"
            "               rate_limited (default %u)\n"
            "  --max-downloads-per-minute N  summaries and replays one address may\n"
            "               download per minute (a burst of N); more get 429 (default %u)\n"
            "  --max-stored-decks N  card sets people may store with POST /api/decks, in\n"
            "               DATA/decks/ (default %u); past it an upload gets 507\n"
            "  --list-uploaded-decks all|HASH,...  stored card sets listed on the home\n"
            "               page (default none: each is used only by whoever has its link)\n"
            "  --away-hold-seconds N  a voter whose device went away after the card was\n"
            "               played holds the auto-reveal this long (default %u)\n"
            "\n"
            "  replay, export: read a session log (read-only, no server): see README.md\n",
            VERRIJK_DEFAULT_WEB, VERRIJK_DEFAULT_DECKS, (unsigned)ROOMS_LIVE_MAX,
            (unsigned)(ROOMS_LOG_MAX_DEFAULT >> 20), (unsigned)LIMITS_FAILS_MAX,
            (unsigned)(NET_JOIN_TIMEOUT_MS / 1000u), (unsigned)NET_CONNS_PER_ADDR, (unsigned)LIMITS_CREATES_PER_HOUR,
            (unsigned)NET_HTTP_READS_MAX, (unsigned)DECK_STORE_MAX_DEFAULT, (unsigned)(ROOMS_AWAY_HOLD_MS / 1000u));
}

/* A whole number from lo to hi, the value of option `name`, into *out.
 * Returns 0, or -1 after saying what was wrong. */
static int parse_whole(const char *name, const char *text, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < lo || v > hi) {
        fprintf(stderr, "verrijk: --%s wants a number from %ld to %ld, not \"%s\"\n", name, lo, hi, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* A decimal number from lo to hi (a fraction allowed) into *out.
 * Returns 0, or -1 when text is anything else. */
static int parse_amount(const char *text, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

/* Adds the comma-separated origins of one --origin value: each
 * scheme://host[:port], without a path or a trailing slash (one is
 * dropped). Returns 0, or -1 after saying what was wrong. */
static int add_origins(options *o, const char *value)
{
    const char *s = value;

    for (;;) {
        size_t n = strcspn(s, ",");
        char *dst = o->origin_list + o->origin_used;
        const char *host;

        if (n && s[n - 1] == '/')
            n--;
        host = n > 3 ? strstr(s, "://") : NULL;
        if (!host || host >= s + n || host + 3 == s + n || memchr(host + 3, '/', (size_t)(s + n - host - 3)) ||
            o->n_origins >= NET_ORIGINS_MAX || n >= NET_ORIGIN_MAX || o->origin_used + n + 1 > sizeof(o->origin_list)) {
            fprintf(stderr, "verrijk: --origin wants URLs like https://host[:port] (at most %u), not \"%s\"\n",
                    (unsigned)NET_ORIGINS_MAX, value);
            return -1;
        }
        memcpy(dst, s, n);
        dst[n] = '\0';
        o->origins[o->n_origins++] = dst;
        o->origin_used += n + 1;
        s += strcspn(s, ",");
        if (!*s)
            return 0;
        s++;
    }
}

/* Parses argv into *o. Returns -1 to exit 0 (help, version), 0 to run,
 * or EXIT_USAGE after saying what was wrong. */
static int parse_options(int argc, char **argv, options *o)
{
    /* clang-format off */
    static const struct option longopts[] = {
        { "host", required_argument, NULL, 'h' },
        { "port", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },
        { "web", required_argument, NULL, 'w' },
        { "max-connections", required_argument, NULL, 'm' },
        { "decks", required_argument, NULL, 'k' },
        { "sync", required_argument, NULL, 's' },
        { "idle-minutes", required_argument, NULL, 'i' },
        { "retain-days", required_argument, NULL, 'r' },
        { "public-url", required_argument, NULL, 'u' },
        { "max-rooms", required_argument, NULL, 'M' },
        { "max-log-mb", required_argument, NULL, 'L' },
        { "max-failures", required_argument, NULL, 'F' },
        { "trust-proxy", required_argument, NULL, 'T' },
        { "origin", required_argument, NULL, 'O' },
        { "ping-seconds", required_argument, NULL, 'P' },
        { "join-timeout-seconds", required_argument, NULL, 'J' },
        { "max-connections-per-address", required_argument, NULL, 'A' },
        { "max-creates-per-hour", required_argument, NULL, 'C' },
        { "max-downloads-per-minute", required_argument, NULL, 'D' },
        { "max-stored-decks", required_argument, NULL, 'S' },
        { "list-uploaded-decks", required_argument, NULL, 'U' },
        { "away-hold-seconds", required_argument, NULL, 'W' },
        { "help", no_argument, NULL, 'H' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    /* clang-format on */
    int ch;

    o->host = "0.0.0.0";
    o->port = 8080;
    o->data_dir = "./data";
    o->web_dir = VERRIJK_DEFAULT_WEB;
    o->decks_dir = VERRIJK_DEFAULT_DECKS;
    o->sync = EVLOG_SYNC_BATCH;
    o->max_connections = 0;
    o->idle_ms = ROOMS_IDLE_MS_DEFAULT;
    o->retain_ms = ROOMS_RETAIN_MS_DEFAULT;
    o->public_url = NULL;
    o->max_rooms = 0;
    o->max_log_bytes = 0;
    o->max_failures = 0;
    o->ping_s = 0;
    o->join_timeout_s = 0;
    o->away_hold_s = 0;
    o->conns_per_addr = 0;
    o->creates_per_hour = 0;
    o->reads_per_minute = 0;
    memset(&o->proxies, 0, sizeof(o->proxies));
    o->n_origins = 0;
    o->origin_used = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': o->host = optarg; break;
        case 'p': {
            long v;

            if (parse_whole("port", optarg, 1, 65535, &v))
                return EXIT_USAGE;
            o->port = (int)v;
            break;
        }
        case 'm': {
            long v;

            if (parse_whole("max-connections", optarg, 1, 1000000, &v))
                return EXIT_USAGE;
            o->max_connections = (unsigned)v;
            break;
        }
        case 'i': {
            double v;

            if (parse_amount(optarg, 0.001, 525600.0, &v)) {
                fprintf(stderr, "verrijk: --idle-minutes wants a number of minutes from 0.001 to 525600, not \"%s\"\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->idle_ms = (uint64_t)(v * 60000.0 + 0.5);
            break;
        }
        case 'r': {
            double v;

            if (parse_amount(optarg, 0.0, 36500.0, &v) || (v > 0 && v < 0.0001)) {
                fprintf(stderr, "verrijk: --retain-days wants a number of days from 0 to 36500, not \"%s\"\n", optarg);
                return EXIT_USAGE;
            }
            o->retain_ms = (uint64_t)(v * 86400000.0 + 0.5);
            break;
        }
        case 'u': {
            char why[256];

            if (lan_public_url_check(optarg, why, sizeof(why))) {
                fprintf(stderr, "verrijk: %s\n", why);
                return EXIT_USAGE;
            }
            o->public_url = optarg;
            break;
        }
        case 'S': {
            long v;

            if (parse_whole("max-stored-decks", optarg, 1, 100000, &v))
                return EXIT_USAGE;
            o->max_stored_decks = (uint32_t)v;
            break;
        }
        case 'U':
            if (api_list_uploaded(optarg)) {
                fprintf(stderr,
                        "verrijk: --list-uploaded-decks wants all or deck hashes (16 of 0-9a-f) separated by commas, "
                        "not \"%s\"\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'M': {
            long v;

            if (parse_whole("max-rooms", optarg, 1, ROOMS_LIVE_MAX, &v))
                return EXIT_USAGE;
            o->max_rooms = (uint32_t)v;
            break;
        }
        case 'L': {
            double v;

            /* A fraction is fine: tests bound a log to a few KB. */
            if (parse_amount(optarg, 0.01, (double)(ROOMS_LOG_MAX_LIMIT >> 20), &v)) {
                fprintf(stderr, "verrijk: --max-log-mb wants a number of MB from 0.01 to %u, not \"%s\"\n",
                        (unsigned)(ROOMS_LOG_MAX_LIMIT >> 20), optarg);
                return EXIT_USAGE;
            }
            o->max_log_bytes = (uint64_t)(v * 1048576.0 + 0.5);
            break;
        }
        case 'F': {
            long v;

            if (parse_whole("max-failures", optarg, 1, LIMITS_FAILS_LIMIT, &v))
                return EXIT_USAGE;
            o->max_failures = (uint32_t)v;
            break;
        }
        case 'P': {
            long v;

            if (parse_whole("ping-seconds", optarg, 1, 3600, &v))
                return EXIT_USAGE;
            o->ping_s = (uint32_t)v;
            break;
        }
        case 'J': {
            long v;

            if (parse_whole("join-timeout-seconds", optarg, 1, 3600, &v))
                return EXIT_USAGE;
            o->join_timeout_s = (uint32_t)v;
            break;
        }
        case 'W': {
            long v;

            if (parse_whole("away-hold-seconds", optarg, 1, 3600, &v))
                return EXIT_USAGE;
            o->away_hold_s = (uint32_t)v;
            break;
        }
        case 'A': {
            long v;

            if (parse_whole("max-connections-per-address", optarg, 1, 1000000, &v))
                return EXIT_USAGE;
            o->conns_per_addr = (uint32_t)v;
            break;
        }
        case 'D': {
            long v;

            if (parse_whole("max-downloads-per-minute", optarg, 1, 1000000, &v))
                return EXIT_USAGE;
            o->reads_per_minute = (uint32_t)v;
            break;
        }
        case 'C': {
            long v;

            if (parse_whole("max-creates-per-hour", optarg, 1, 1000000, &v))
                return EXIT_USAGE;
            o->creates_per_hour = (uint32_t)v;
            break;
        }
        case 'T': {
            const char *why = NULL;

            if (limits_proxies_add(&o->proxies, optarg, &why)) {
                fprintf(stderr, "verrijk: --trust-proxy wants IP addresses (at most %u), not \"%s\"\n",
                        (unsigned)LIMITS_PROXIES_MAX, why ? why : optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'O':
            if (add_origins(o, optarg))
                return EXIT_USAGE;
            break;
        case 'd': o->data_dir = optarg; break;
        case 'w': o->web_dir = optarg; break;
        case 'k': o->decks_dir = optarg; break;
        case 's':
            if (evlog_sync_parse(optarg, &o->sync)) {
                fprintf(stderr, "verrijk: --sync wants always, batch or none, not \"%s\"\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'H': usage(stdout); return -1;
        case 'V': printf("verrijk %s\n", VERRIJK_VERSION); return -1;
        case ':':
            fprintf(stderr, "verrijk: %s needs a value\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "verrijk: unknown option \"%s\"\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "verrijk: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!o->host[0] || !o->data_dir[0] || !o->web_dir[0] || !o->decks_dir[0]) {
        fprintf(stderr, "verrijk: an option was given an empty value\n");
        return EXIT_USAGE;
    }
    return 0;
}

/* mkdir -p: creates dir and its missing parents. Returns 0 or -1 with errno. */
static int make_dirs(const char *dir)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    size_t i;

    if (n == 0 || n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0750) && errno != EEXIST)
            return -1;
        path[i] = dir[i];
    }
    return 0;
}

/* Raises the soft fd limit to the hard one (before lws sizes its fd
 * table from it) and returns the limit now in force. */
static unsigned raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl))
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl))
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > UINT_MAX ? UINT_MAX : (unsigned)rl.rlim_cur;
}

static void on_rooms_closed(void *ud)
{
    app *a = ud;

    /* With lws' handles closing and ours closed, uv_run returns. */
    a->rooms = NULL;
    uv_close((uv_handle_t *)&a->sigint, NULL);
    uv_close((uv_handle_t *)&a->sigterm, NULL);
}

static void on_net_stopped(void *ud)
{
    app *a = ud;

    /* Nobody is connected any more: write what the log holds, close it. */
    rooms_close(a->rooms, on_rooms_closed, a);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    app *a = sig->data;

    if (a->stopping)
        return;
    a->stopping = true;
    ops_log(OPS_INFO, NULL, "stopping (signal %d): closing connections, then the log", signum);
    rooms_stop(a->rooms);
    net_server_shutdown(a->net, on_net_stopped, a);
}

int main(int argc, char **argv)
{
    options o;
    app a;
    net_config cfg;
    int rc, exit_code = 1;
    bool loop_ready = false;

    /* Subcommands come first and never start a server. */
    if (argc > 1 && (strcmp(argv[1], "replay") == 0 || strcmp(argv[1], "export") == 0))
        return cli_main(argc - 1, argv + 1);

    rc = parse_options(argc, argv, &o);
    if (rc < 0)
        return 0;
    if (rc)
        return rc;

    if (make_dirs(o.data_dir)) {
        fprintf(stderr, "verrijk: cannot create data directory %s: %s\n", o.data_dir, strerror(errno));
        return 1;
    }
    if (access(o.web_dir, R_OK))
        fprintf(stderr, "verrijk: warning: web directory %s is not readable; only the API is served\n", o.web_dir);

    /* Under a file-size limit (RLIMIT_FSIZE) a write past it must fail
     * with EFBIG, which the log answers as server_busy, rather than kill
     * the server. */
    signal(SIGXFSZ, SIG_IGN);

    memset(&a, 0, sizeof(a));
    memset(&cfg, 0, sizeof(cfg));
    cfg.host = o.host;
    cfg.port = o.port;
    cfg.web_dir = o.web_dir;
    cfg.fd_limit = raise_fd_limit();
    cfg.max_connections = o.max_connections;
    cfg.trusted_proxies = &o.proxies;
    cfg.max_failures = o.max_failures;
    cfg.ping_ms = o.ping_s * 1000u;
    cfg.join_timeout_ms = o.join_timeout_s * 1000u;
    cfg.max_conns_per_addr = o.conns_per_addr;
    cfg.max_creates_per_hour = o.creates_per_hour;
    cfg.max_reads_per_minute = o.reads_per_minute;
    cfg.origins = o.origins;
    cfg.n_origins = o.n_origins;

    if (metrics_verrijk_init(VERRIJK_VERSION))
        fprintf(stderr, "verrijk: warning: out of memory for the metrics; /metrics stays empty\n");
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    if (uv_loop_init(&a.loop)) {
        fprintf(stderr, "verrijk: cannot create the event loop\n");
        return 1;
    }
    loop_ready = true;
    a.net = net_server_new(&a.loop, &cfg);
    if (!a.net) {
        fprintf(stderr, "verrijk: out of memory\n");
        goto out;
    }
    /* clang-format off */
    rooms_config rc_cfg = {
        .data_dir = o.data_dir,
        .decks_dir = o.decks_dir,
        .sync = o.sync,
        .recover_window_ms = VERRIJK_RECOVER_WINDOW_MS,
        .idle_ms = o.idle_ms,
        .retain_ms = o.retain_ms,
        .max_rooms = o.max_rooms,
        .max_log_bytes = o.max_log_bytes,
        .max_stored_decks = o.max_stored_decks,
        .away_hold_ms = o.away_hold_s * 1000u,
    };
    /* clang-format on */
    ops_config ops = {
        .version = VERRIJK_VERSION,
        .host = o.host,
        .port = o.port,
        .public_url = o.public_url,
    };
    if (ops_api_routes(a.net, &ops)) {
        fprintf(stderr, "verrijk: cannot add the /api/server and /metrics routes\n");
        goto out;
    }
    if (rooms_open(&a.loop, a.net, &rc_cfg, &a.rooms))
        goto out;
    /* Every route is added here, before the server starts: the HTTP API
     * reads the rooms, the rooms know nothing of HTTP. */
    if (api_routes(&a.loop, a.net, a.rooms)) {
        ops_log(OPS_ERROR, NULL, "cannot add the HTTP API routes");
        rooms_close(a.rooms, NULL, NULL);
        uv_run(&a.loop, UV_RUN_DEFAULT);
        goto out;
    }
    if (net_server_start(a.net)) {
        rooms_close(a.rooms, NULL, NULL);
        uv_run(&a.loop, UV_RUN_DEFAULT);
        goto out;
    }

    uv_signal_init(&a.loop, &a.sigint);
    uv_signal_init(&a.loop, &a.sigterm);
    a.sigint.data = a.sigterm.data = &a;
    uv_signal_start(&a.sigint, on_signal, SIGINT);
    uv_signal_start(&a.sigterm, on_signal, SIGTERM);

    printf("verrijk listening on http://%s:%d\n", o.host, o.port);
    {
        lan_urls urls;

        memset(&urls, 0, sizeof(urls));
        if (!o.public_url)
            lan_urls_collect(o.host, o.port, &urls);
        lan_print(stdout, &urls, o.public_url, o.host);
    }
    fflush(stdout);
    ops_log(OPS_INFO, NULL, "verrijk %s started on %s:%d (data %s, sync %s)", VERRIJK_VERSION, o.host, o.port,
            o.data_dir, evlog_sync_name(o.sync));

    uv_run(&a.loop, UV_RUN_DEFAULT);
    exit_code = 0;
out:
    net_server_free(a.net);
    metrics_reset();
    if (loop_ready && uv_loop_close(&a.loop)) {
        fprintf(stderr, "verrijk: the event loop still had open handles at exit\n");
        exit_code = 1;
    }
    return exit_code;
}
