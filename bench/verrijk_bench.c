/* verrijk_bench.c - verrijk-bench: one process, one libuv loop, many WebSocket members speaking protocol/SPEC.md over loopback. */
#include "ws_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <msgpack.h>
#include <uv.h>

/* Limits, named once. The bench is a client of any server, so it bounds what
 * a server may make it hold as strictly as its own workload. */
#define BENCH_ROOMS_MAX        10000
#define BENCH_MEMBERS_MAX      100   /* SPEC.md room cap */
#define BENCH_CONNS_MAX        19900 /* below the 20,000 fd hard limit */
#define BENCH_FD_RESERVE       64    /* fds kept for the loop, stdio, /proc reads */
#define BENCH_INFLIGHT_DEFAULT 256   /* handshakes in flight: keeps the listen backlog safe */
#define BENCH_INFLIGHT_MAX     4096
#define BENCH_RETRIES          3    /* connection attempts after the first */
#define BENCH_CODE_TRIES       8    /* room codes tried when one is taken */
#define BENCH_ROOM_LEN         6    /* VP_ROOM_LEN of protocol.h */
#define BENCH_HAND_MAX         7    /* VP_HAND_MAX */
#define BENCH_CPU_PIDS_MAX     16   /* --cpu-pid: other servers, a proxy's workers */
#define BENCH_CARDS_MAX        1024 /* distinct card ids remembered */
#define BENCH_CARD_ID_MAX      64   /* VP_CARD_ID_MAX */
#define BENCH_DECK_ID_MAX      64
#define BENCH_OUT_MAX          WS_SEND_MAX /* one client message */
#define BENCH_DEPTH_MAX        32          /* msgpack-c's own nesting limit */
#define BENCH_CONN_RATE        18.0        /* messages/s per connection; the server allows 20 */
#define BENCH_CONN_BURST       30.0        /* the server allows a burst of 40 */
#define BENCH_SAMPLES_MAX      (1u << 22)  /* latency samples kept (reservoir beyond) */
#define BENCH_SECONDS_MAX      3600
#define BENCH_REPEAT_MAX       1000
#define BENCH_RATE_MAX         1000000.0
#define BENCH_SOURCES_DEFAULT  16   /* IPv4 source addresses 127.0.0.1.. */
#define BENCH_VIOLATIONS_SHOWN 5    /* protocol violations printed on stderr */
#define BENCH_SAMPLE_MS        100  /* server RSS and slow readers are looked at this often */
#define BENCH_SLOW_RCVBUF      4096 /* SO_RCVBUF of a slow reader (the kernel doubles it) */
#define BENCH_SLOW_RCVBUF_MAX  (1u << 24)
#define BENCH_SLOW_MSS         536 /* MSS a slow reader announces (small: the server's send buffer stays small) */
#define BENCH_SLOW_MSS_MAX     65495
#define BENCH_DRAIN_MS         3000 /* after the interval: slow readers read what is left */
#define BENCH_SLOW_RESUME_MAX  15.0 /* resumes/s of a slow reader: inside its own 18/s */
#define BENCH_TOKEN_MAX        64   /* a member token (32 hex characters) */
#define BENCH_SLOW_REASONS     8    /* distinct end reasons of slow readers kept */
#define BENCH_REASON_MAX       47
#define BENCH_SLOW_FLAG        0x80000000u /* latency sample of a room with a slow reader */
#define BENCH_SAMPLE_US_MAX    0x7fffffffu

static const char ROOM_ALPHABET[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

enum scenario { SC_CONNECT, SC_ROUNDS, SC_BURST };
static const char *const scenario_names[] = {"connect", "rounds", "burst"};

/* Client intents the bench sends, and the event each one is matched to. */
enum intent {
    IN_CREATE,
    IN_JOIN,
    IN_START,
    IN_PLAY,
    IN_VOTE,
    IN_REVEAL,
    IN_NOTE,
    IN_NEXT,
    IN_CLOSE,
    IN_REVOTE,
    IN_RESUME,
    IN__COUNT
};
static const char *const intent_names[IN__COUNT] = {"create", "join", "start", "play",   "vote",  "reveal",
                                                    "note",   "next", "close", "revote", "resume"};

enum ev_kind {
    EV_OTHER,
    EV_ROUND,
    EV_DEALT,
    EV_TURN,
    EV_PLAYED,
    EV_VOTED,
    EV_REOPENED,
    EV_REVEALED,
    EV_NOTED,
    EV_DONE,
    EV_CLOSED,
    EV__COUNT
};
static const char *const ev_names[EV__COUNT] = {"",         "round",    "dealt", "turn", "played", "voted",
                                                "reopened", "revealed", "noted", "done", "closed"};
/* The event whose arrival at the last member ends an intent's latency, and
 * whether the event's `player` must be the sender (several votes are in
 * flight at once; one play, reveal, note, next per room). */
static const enum ev_kind intent_event[IN__COUNT] = {EV_OTHER, EV_OTHER, EV_ROUND,  EV_PLAYED,   EV_VOTED, EV_REVEALED,
                                                     EV_NOTED, EV_DONE,  EV_CLOSED, EV_REOPENED, EV_OTHER};
static const bool intent_actor[IN__COUNT] = {false, false, false, true, true, false, true, false, false, false, false};

static const char *const error_codes[] = {"bad_request", "too_large",   "rate_limited", "no_room",
                                          "room_taken",  "room_full",   "room_locked",  "name_taken",
                                          "bad_token",   "not_allowed", "wrong_phase",  "not_your_turn",
                                          "no_card",     "bad_vote",    "server_busy",  "other"};
#define ERROR_CODES (sizeof error_codes / sizeof error_codes[0])

/* A member's own state; its connection's is in ws.state. */
enum conn_state { CS_IDLE, CS_CONNECTING, CS_JOINING, CS_OPEN, CS_CLOSING, CS_GONE };

struct room;

/* One member and its connection (ws first: the callbacks cast back). */
typedef struct conn {
    ws_conn ws;
    struct room *room;
    uint64_t next_id;
    uint64_t tok_at; /* ns of the last token refill */
    double tokens;
    uint32_t player; /* member id from welcome */
    uint32_t seq;    /* last event seq seen */
    uint16_t idx;    /* index in the room: 0 is the facilitator */
    uint16_t hand[BENCH_HAND_MAX];
    uint8_t n_hand;
    uint8_t state;
    uint8_t tries;
    bool relaunch;
    bool welcomed;
    bool slow;           /* a slow reader: a screen that stops reading when the interval begins */
    bool slow_seen_gone; /* the kernel showed its end before it was read */
    uint64_t slow_end;   /* ns when its end was first seen, 0 while open */
} conn;

typedef struct pending {
    uint16_t member;
    uint16_t arg;
    uint8_t kind;
} pending;

typedef struct outstanding {
    uint64_t t0;
    uint32_t actor;
    uint16_t got;
    uint8_t ev;
} outstanding;

typedef struct room {
    uv_timer_t timer;
    conn *m;          /* members; m[0] is the facilitator */
    pending *pend;    /* intents waiting for a rate token */
    outstanding *out; /* intents waiting for their event at every member */
    uint64_t rtok_at;
    double rtokens;
    uint32_t card_by; /* who played the table card (they write the note) */
    uint16_t n_pend, n_out, cap;
    uint16_t n_welcomed, launched, votes_seen, seen;
    uint16_t readers; /* members that read: the latency ends when the last of them has the event */
    uint16_t voters;  /* players that vote */
    uint8_t code_tries;
    bool started, timer_armed, complete, slow;
    char code[BENCH_ROOM_LEN + 1];
    char slow_token[BENCH_TOKEN_MAX + 1]; /* the slow reader's, for --slow-resume */
} room;

struct counters {
    uint64_t intents, intents_by[IN__COUNT], oks, events, maps, frames, bytes_in, frames_out, bytes_out,
        errors[ERROR_CODES];
};

static struct {
    /* options */
    enum scenario sc;
    char host[64];
    int port;
    struct sockaddr_storage addr;
    unsigned rooms, members, seconds, hold, repeat, inflight_max, timeout, sources;
    double rate;
    int pid;
    /* --cpu-pid: more processes whose CPU over the interval is reported
     * (other servers, a proxy's workers), each on its own. */
    int cpu_pids[BENCH_CPU_PIDS_MAX];
    unsigned n_cpu_pids;
    double cpu_pid0[BENCH_CPU_PIDS_MAX], cpu_pid1[BENCH_CPU_PIDS_MAX];
    /* ws_stats' frame sizes at both ends of the interval (frame_sizes). */
    uint64_t size_frames0[WS_SIZE_BUCKETS], size_bytes0[WS_SIZE_BUCKETS];
    uint64_t size_frames1[WS_SIZE_BUCKETS], size_bytes1[WS_SIZE_BUCKETS];
    bool json;
    unsigned slow_readers, slow_rcvbuf, slow_mss;
    double slow_resume, slow_resume_due;
    char deck[BENCH_DECK_ID_MAX + 1];
    unsigned scale_min, scale_max;

    uv_loop_t loop;
    uv_timer_t hard_timer, phase_timer, sample_timer;
    conn *conns;
    room *rooms_v;
    unsigned total;
    msgpack_zone zone;
    uint64_t rng;
    uint64_t now;

    /* connection setup */
    unsigned inflight, next_room, welcomed, failed, retried, refused;
    unsigned *ready; /* rooms whose facilitator is welcomed, members to launch */
    unsigned ready_head, ready_tail;
    uint64_t t_setup0, t_setup1;
    bool setup_done;

    /* run */
    bool measuring, stopping, finished, timed_out;
    unsigned rooms_started, rooms_ready, rooms_done, burst_round;
    uint64_t t_burst;
    uint64_t t0, t1;
    double t0_unix; /* wall clock of t0: lines up with the server's log */
    struct counters c, c0, c1;
    uint64_t violations, seq_gaps, dropped, queue_full;
    double srv_cpu0, srv_cpu1, self_cpu0, self_cpu1;
    double setup_srv_cpu0, setup_srv_cpu1, setup_self_cpu0, setup_self_cpu1;
    long rss0, rss1, rss_peak, rss_measure0;

    /* slow readers */
    uint64_t slow_closed_1008, slow_closed_other, slow_open;
    char slow_reason[BENCH_SLOW_REASONS][BENCH_REASON_MAX + 1];
    uint64_t slow_reason_n[BENCH_SLOW_REASONS];
    unsigned n_slow_reasons;
    bool draining;

    /* latency */
    uint32_t *samples;
    uint64_t n_samples, seen_samples, lat_max, lat_max_slow, lat_max_other, n_lat_slow, n_lat_other;
    uint64_t kind_n[EV__COUNT], kind_sum[EV__COUNT], kind_max[EV__COUNT]; /* µs, per matched event */
    uint32_t *burst_total;                                                /* per repeat, µs */
    uint32_t *burst_rooms;                                                /* per room per repeat, µs */
    unsigned n_burst_rooms;

    /* card ids seen in hands */
    char cards[BENCH_CARDS_MAX][BENCH_CARD_ID_MAX + 1];
    uint8_t card_len[BENCH_CARDS_MAX];
    unsigned n_cards;

    int exit_code;
    char why[256];
} g;

/* ---- small helpers ---- */

static uint64_t rng_next(void)
{
    /* xorshift64*: cheap and good enough for masks, codes, votes. */
    g.rng ^= g.rng >> 12;
    g.rng ^= g.rng << 25;
    g.rng ^= g.rng >> 27;
    return g.rng * UINT64_C(2685821657736338717);
}

static double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* VmRSS of the server in KiB, or -1 when there is no --pid or it cannot be read. */
static long proc_rss_kb(void)
{
    char path[64], line[256];
    long kb = -1;
    if (g.pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/status", g.pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* utime + stime of process pid in seconds, or -1. */
static double pid_cpu_s(int pid)
{
    char path[64], text[1024];
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name may hold spaces: fields are counted after the last ')'. */
    char *p = strrchr(text, ')');
    if (!p)
        return -1;
    /* After ')': state is field 3, utime field 14 and stime field 15 of proc(5). */
    unsigned long long ticks = 0;
    int field = 2, got = 0;
    char *save = NULL;
    for (char *tok = strtok_r(p + 1, " ", &save); tok && got < 2; tok = strtok_r(NULL, " ", &save)) {
        if (++field < 14)
            continue;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(tok, &end, 10);
        if (errno || end == tok)
            return -1;
        ticks += v;
        got++;
    }
    if (got != 2)
        return -1;
    return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* The server's (--pid). */
static double proc_cpu_s(void)
{
    return pid_cpu_s(g.pid);
}

/* Each --cpu-pid's into at[]. */
static void cpu_pids_read(double *at)
{
    for (unsigned i = 0; i < g.n_cpu_pids; i++)
        at[i] = pid_cpu_s(g.cpu_pids[i]);
}

static void finish(void);

/* Ends the run as a setup failure with a message (the first one wins). A
 * macro, not a variadic function: clang-analyzer does not follow va_lists. */
#define FATAL(...)                                      \
    do {                                                \
        if (g.exit_code == 0) {                         \
            snprintf(g.why, sizeof g.why, __VA_ARGS__); \
            g.exit_code = 2;                            \
        }                                               \
        finish();                                       \
    } while (0)

static void on_ws_violation(ws_conn *ws, const char *what)
{
    conn *c = (conn *)ws;
    g.violations++;
    if (g.violations <= BENCH_VIOLATIONS_SHOWN)
        fprintf(stderr, "verrijk-bench: protocol violation on room %s member %u: %s\n", c->room->code,
                (unsigned)c->idx + 1, what);
}

/* ---- room codes and cards ---- */

static void room_new_code(room *r)
{
    for (int i = 0; i < BENCH_ROOM_LEN; i++)
        r->code[i] = ROOM_ALPHABET[rng_next() % (sizeof ROOM_ALPHABET - 1)];
    r->code[BENCH_ROOM_LEN] = '\0';
}

/* The index of a card id, remembered on first sight; -1 past the bound. */
static int card_intern(const char *s, size_t n)
{
    if (n == 0 || n > BENCH_CARD_ID_MAX)
        return -1;
    for (unsigned i = 0; i < g.n_cards; i++)
        if (g.card_len[i] == n && memcmp(g.cards[i], s, n) == 0)
            return (int)i;
    if (g.n_cards == BENCH_CARDS_MAX)
        return -1;
    memcpy(g.cards[g.n_cards], s, n);
    g.cards[g.n_cards][n] = '\0';
    g.card_len[g.n_cards] = (uint8_t)n;
    return (int)g.n_cards++;
}

/* ---- MessagePack reading ---- */

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Walks one object at *off without allocating, so that msgpack-c never sees a
 * declared count larger than the bytes could hold (it allocates for the count
 * up front). Returns 0 and moves *off past the object, or -1. */
static int mp_skip(const uint8_t *p, size_t len, size_t *off, int depth)
{
    if (*off >= len)
        return -1;
    uint8_t b = p[(*off)++];
    size_t left = len - *off;
    uint64_t n = 0, skip = 0;
    int container = 0; /* 1 array, 2 map */
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return 0;
    if (b >= 0x80 && b <= 0x8f) {
        n = b & 0x0f;
        container = 2;
    } else if (b >= 0x90 && b <= 0x9f) {
        n = b & 0x0f;
        container = 1;
    } else if (b >= 0xa0 && b <= 0xbf) {
        skip = b & 0x1f;
    } else {
        static const int8_t ints[] = {1, 2, 4, 8};
        int w;
        switch (b) {
        case 0xc4:
        case 0xc5:
        case 0xc6:
        case 0xd9:
        case 0xda:
        case 0xdb:
            w = (b == 0xc4 || b == 0xd9) ? 1 : (b == 0xc5 || b == 0xda) ? 2 : 4;
            if (left < (size_t)w)
                return -1;
            skip = be(p + *off, w);
            *off += (size_t)w;
            left -= (size_t)w;
            break;
        case 0xc7:
        case 0xc8:
        case 0xc9:
            w = b == 0xc7 ? 1 : b == 0xc8 ? 2 : 4;
            if (left < (size_t)w + 1)
                return -1;
            skip = be(p + *off, w) + 1;
            *off += (size_t)w;
            left -= (size_t)w;
            break;
        case 0xca: skip = 4; break;
        case 0xcb: skip = 8; break;
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xcf: skip = (uint64_t)ints[b - 0xcc]; break;
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3: skip = (uint64_t)ints[b - 0xd0]; break;
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8: skip = 1 + (1u << (b - 0xd4)); break;
        case 0xdc:
        case 0xdd:
        case 0xde:
        case 0xdf:
            w = (b == 0xdc || b == 0xde) ? 2 : 4;
            if (left < (size_t)w)
                return -1;
            n = be(p + *off, w);
            *off += (size_t)w;
            left -= (size_t)w;
            container = (b >= 0xde) ? 2 : 1;
            break;
        default: return -1; /* 0xc1 */
        }
    }
    if (!container) {
        if (skip > left)
            return -1;
        *off += (size_t)skip;
        return 0;
    }
    if (depth > BENCH_DEPTH_MAX)
        return -1;
    if (container == 2)
        n *= 2;
    if (n > left)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        if (mp_skip(p, len, off, depth + 1))
            return -1;
    return 0;
}

static bool mp_is(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n && memcmp(o->via.str.ptr, s, n) == 0;
}

static const msgpack_object *mp_get(const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (mp_is(&map->via.map.ptr[i].key, key))
            return &map->via.map.ptr[i].val;
    return NULL;
}

/* A uint field, 0 when absent or nil (member ids start at 1). */
static uint64_t mp_uint(const msgpack_object *map, const char *key)
{
    const msgpack_object *o = mp_get(map, key);
    return (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) ? o->via.u64 : 0;
}

/* ---- MessagePack writing into one fixed buffer ---- */

struct outbuf {
    uint8_t b[BENCH_OUT_MAX];
    size_t len;
    bool over;
};

static int outbuf_write(void *data, const char *s, size_t n)
{
    struct outbuf *o = data;
    if (o->len + n > sizeof o->b) {
        o->over = true;
        return -1;
    }
    memcpy(o->b + o->len, s, n);
    o->len += n;
    return 0;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void lat_begin(room *r, enum intent k, uint32_t actor);
static void conn_lost(conn *c, const char *why);

static void send_intent(conn *c, enum intent k, unsigned arg)
{
    struct outbuf o = {.len = 0, .over = false};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &o, outbuf_write);
    room *r = c->room;
    unsigned fields = 2;
    char name[16];
    switch (k) {
    case IN_CREATE: fields += 7; break;
    case IN_JOIN: fields += 3; break;
    case IN_PLAY:
    case IN_VOTE:
    case IN_NOTE: fields += 1; break;
    case IN_CLOSE: fields += 2; break;
    case IN_RESUME: fields += 2; break;
    default: break;
    }
    msgpack_pack_map(&pk, fields);
    pk_str(&pk, "t");
    pk_str(&pk, intent_names[k]);
    pk_str(&pk, "id");
    msgpack_pack_uint64(&pk, ++c->next_id);
    switch (k) {
    case IN_CREATE:
        pk_str(&pk, "room");
        pk_str(&pk, r->code);
        pk_str(&pk, "name");
        pk_str(&pk, "facilitator");
        pk_str(&pk, "title");
        pk_str(&pk, "verrijk-bench");
        pk_str(&pk, "deck");
        pk_str(&pk, g.deck);
        pk_str(&pk, "lang");
        pk_str(&pk, "en");
        pk_str(&pk, "tz_offset");
        msgpack_pack_int(&pk, 0);
        pk_str(&pk, "opts");
        /* The facilitator reveals when all votes are in, as in a session. */
        msgpack_pack_map(&pk, 1);
        pk_str(&pk, "auto_reveal");
        msgpack_pack_false(&pk);
        break;
    case IN_JOIN:
        snprintf(name, sizeof name, "%s %u", c->slow ? "slow" : "player", (unsigned)c->idx + 1);
        pk_str(&pk, "room");
        pk_str(&pk, r->code);
        pk_str(&pk, "name");
        pk_str(&pk, name);
        pk_str(&pk, "role");
        /* A slow reader is a screen: it holds no cards, takes no turn and
         * never votes, so its room plays on without it. */
        pk_str(&pk, c->slow ? "screen" : "player");
        break;
    case IN_PLAY:
        pk_str(&pk, "card");
        msgpack_pack_str(&pk, g.card_len[arg]);
        msgpack_pack_str_body(&pk, g.cards[arg], g.card_len[arg]);
        break;
    case IN_VOTE:
        pk_str(&pk, "value");
        msgpack_pack_uint32(&pk, arg);
        break;
    case IN_NOTE:
        pk_str(&pk, "text");
        pk_str(&pk, "a note from verrijk-bench");
        break;
    case IN_RESUME:
        pk_str(&pk, "room");
        pk_str(&pk, r->code);
        pk_str(&pk, "token");
        pk_str(&pk, r->slow_token);
        break;
    case IN_CLOSE:
        pk_str(&pk, "text");
        pk_str(&pk, "");
        pk_str(&pk, "actions");
        msgpack_pack_array(&pk, 0);
        break;
    default: break;
    }
    if (o.over)
        return;
    g.c.intents++;
    g.c.intents_by[k]++;
    if (intent_event[k] != EV_OTHER)
        lat_begin(r, k, intent_actor[k] ? c->player : 0);
    ws_send(&c->ws, 0x2, o.b, o.len);
}

/* ---- latency ---- */

/* One sample; its top bit says whether its room has a slow reader, so one
 * reservoir serves the overall figures and the split alike. */
static void lat_sample(uint64_t ns, bool slow_room)
{
    uint64_t us = ns / 1000;
    if (us > BENCH_SAMPLE_US_MAX)
        us = BENCH_SAMPLE_US_MAX;
    if (us > g.lat_max)
        g.lat_max = us;
    if (slow_room) {
        g.n_lat_slow++;
        if (us > g.lat_max_slow)
            g.lat_max_slow = us;
    } else {
        g.n_lat_other++;
        if (us > g.lat_max_other)
            g.lat_max_other = us;
    }
    uint32_t v = (uint32_t)us | (slow_room ? BENCH_SLOW_FLAG : 0);
    g.seen_samples++;
    if (g.n_samples < BENCH_SAMPLES_MAX) {
        g.samples[g.n_samples++] = v;
    } else {
        /* Reservoir sampling keeps the kept samples a fair draw of all. */
        uint64_t j = rng_next() % g.seen_samples;
        if (j < BENCH_SAMPLES_MAX)
            g.samples[j] = v;
    }
}

static void lat_begin(room *r, enum intent k, uint32_t actor)
{
    uint8_t ev = (uint8_t)intent_event[k];
    for (unsigned i = 0; i < r->n_out; i++)
        if (r->out[i].ev == ev && r->out[i].actor == actor) {
            r->out[i] = (outstanding){uv_hrtime(), actor, 0, ev};
            return;
        }
    if (r->n_out == r->cap)
        return;
    r->out[r->n_out++] = (outstanding){uv_hrtime(), actor, 0, ev};
}

/* Called for every event at every member: the intent's latency ends when
 * the room's last member has the event. */
static void lat_event(room *r, enum ev_kind k, uint32_t player)
{
    for (unsigned i = 0; i < r->n_out; i++) {
        outstanding *o = &r->out[i];
        if (o->ev != k || (o->actor && o->actor != player))
            continue;
        if (++o->got < r->readers)
            return;
        if (g.measuring && g.sc == SC_ROUNDS) {
            uint64_t us = (g.now - o->t0) / 1000;
            lat_sample(g.now - o->t0, r->slow);
            g.kind_n[k]++;
            g.kind_sum[k] += us;
            if (us > g.kind_max[k])
                g.kind_max[k] = us;
        }
        *o = r->out[--r->n_out];
        return;
    }
}

/* ---- per-room pacing ---- */

static void room_pump(room *r);

static void on_room_timer(uv_timer_t *t)
{
    room *r = t->data;
    r->timer_armed = false;
    room_pump(r);
}

static void refill(double *tokens, uint64_t *at, uint64_t now, double rate, double burst)
{
    *tokens += (double)(now - *at) / 1e9 * rate;
    if (*tokens > burst)
        *tokens = burst;
    *at = now;
}

static double room_rate(void)
{
    return g.rate / g.rooms;
}

static double room_burst(void)
{
    /* At most 50 ms worth of intents at once, and at low rates one: a room
     * sends evenly spaced intents rather than pairs. */
    double b = room_rate() * 0.05;
    return b < 1 ? 1 : b;
}

/* Sends what the rate limits allow: the room's share of --rate and each
 * connection's own bucket (kept inside the server's 20/s, burst 40). */
static void room_pump(room *r)
{
    if (g.finished)
        return;
    uint64_t now = uv_hrtime();
    double wait = -1;
    if (g.rate > 0)
        refill(&r->rtokens, &r->rtok_at, now, room_rate(), room_burst());
    unsigned i = 0;
    while (i < r->n_pend) {
        if (g.rate > 0 && r->rtokens < 1) {
            wait = (1 - r->rtokens) / room_rate();
            break;
        }
        pending p = r->pend[i];
        conn *c = &r->m[p.member];
        if (c->state != CS_OPEN) {
            memmove(&r->pend[i], &r->pend[i + 1], (r->n_pend - i - 1) * sizeof *r->pend);
            r->n_pend--;
            continue;
        }
        refill(&c->tokens, &c->tok_at, now, BENCH_CONN_RATE, BENCH_CONN_BURST);
        if (c->tokens < 1) {
            double w = (1 - c->tokens) / BENCH_CONN_RATE;
            if (wait < 0 || w < wait)
                wait = w;
            i++;
            continue;
        }
        c->tokens -= 1;
        r->rtokens -= 1;
        memmove(&r->pend[i], &r->pend[i + 1], (r->n_pend - i - 1) * sizeof *r->pend);
        r->n_pend--;
        send_intent(c, (enum intent)p.kind, p.arg);
        if (g.finished)
            return;
    }
    if (wait >= 0 && !r->timer_armed) {
        r->timer_armed = true;
        uv_timer_start(&r->timer, on_room_timer, (uint64_t)(wait * 1000) + 1, 0);
    }
}

static void room_enqueue(room *r, conn *c, enum intent k, unsigned arg)
{
    if (g.stopping || g.finished)
        return;
    if (r->n_pend == r->cap) {
        g.queue_full++;
        return;
    }
    r->pend[r->n_pend++] = (pending){c->idx, (uint16_t)arg, (uint8_t)k};
    room_pump(r);
}

/* ---- connections: setup ---- */

static void launch_pump(void);
static void on_setup_done(void);

static void conn_launch(conn *c)
{
    char path[32];
    snprintf(path, sizeof path, "/ws?room=%s", c->room->code);
    c->state = CS_CONNECTING;
    c->seq = 0;
    c->n_hand = 0;
    c->tokens = BENCH_CONN_BURST;
    c->tok_at = uv_hrtime();
    /* A slow reader's small receive buffer keeps the kernel from holding
     * megabytes for it: what it does not read backs up in the server. */
    c->ws.rcvbuf = c->slow ? g.slow_rcvbuf : 0;
    c->ws.mss = (uint16_t)(c->slow ? g.slow_mss : 0);
    int rc = ws_connect(&c->ws, path, (unsigned)(c - g.conns));
    if (rc < 0) {
        /* EMFILE and friends: nothing to retry into. */
        c->state = CS_GONE;
        FATAL("connect: %s (connections so far: %u)", uv_strerror(rc), g.welcomed);
        return;
    }
    g.inflight++;
}

static void setup_check(void)
{
    if (!g.setup_done && g.welcomed + g.failed == g.total) {
        g.setup_done = true;
        g.t_setup1 = uv_hrtime();
        g.setup_srv_cpu1 = proc_cpu_s();
        g.setup_self_cpu1 = cpu_self();
        on_setup_done();
    }
}

/* A connection that will not become a member: the room's members that never
 * launched fail with it when it is the facilitator. */
static void conn_fail_for_good(conn *c)
{
    room *r = c->room;
    g.failed++;
    if (c->idx == 0)
        while (r->launched < g.members) {
            r->launched++;
            g.failed++;
        }
}

static void conn_lost(conn *c, const char *why)
{
    ws_end(&c->ws, WS_END_ERROR, why);
}

/* A slow reader's connection ended: counted apart from `dropped`, since
 * the server closing it is the point. The run ends early when the last
 * one is read out after the interval. */
static void slow_ended(conn *c, bool policy, const char *why)
{
    if (!c->slow_end)
        c->slow_end = uv_hrtime();
    /* Why, counted per distinct text: a close frame can only be read once
     * everything queued before it was, so a server that hangs up on a
     * reader that never reads shows as a reset or an end of stream. */
    unsigned i;
    for (i = 0; i < g.n_slow_reasons; i++)
        if (strncmp(g.slow_reason[i], why, BENCH_REASON_MAX) == 0)
            break;
    if (i == g.n_slow_reasons && i < BENCH_SLOW_REASONS)
        snprintf(g.slow_reason[g.n_slow_reasons++], BENCH_REASON_MAX + 1, "%s", why);
    if (i < g.n_slow_reasons)
        g.slow_reason_n[i]++;
    if (policy)
        g.slow_closed_1008++;
    else
        g.slow_closed_other++;
    if (g.slow_open)
        g.slow_open--;
    if (g.draining && g.slow_open == 0)
        finish();
}

/* A connection ended: before its welcome it is retried (a bounded number of
 * times), after it it counts as dropped. */
static void on_ws_lost(ws_conn *ws, enum ws_end end, const char *why)
{
    conn *c = (conn *)ws;
    if (c->state == CS_CLOSING || c->state == CS_GONE || c->state == CS_IDLE)
        return;
    if (c->slow && c->state == CS_OPEN) {
        c->state = CS_CLOSING;
        if (!g.finished)
            slow_ended(c, end == WS_END_CLOSED && ws->close_code == 1008, why);
        return;
    }
    if (end == WS_END_REFUSED) {
        /* A refused upgrade (say at the connection cap) is not retried:
         * the server said no. */
        g.refused++;
        c->tries = BENCH_RETRIES;
    }
    if (end == WS_END_CLOSED && !g.finished && ws_stats.close_frames <= BENCH_VIOLATIONS_SHOWN)
        fprintf(stderr, "verrijk-bench: server closed room %s member %u with %u\n", c->room->code, (unsigned)c->idx + 1,
                ws->close_code);
    bool before_welcome = c->state != CS_OPEN;
    c->state = CS_CLOSING;
    if (before_welcome && !g.finished) {
        g.inflight--;
        if (c->tries < BENCH_RETRIES) {
            c->tries++;
            g.retried++;
            c->relaunch = true;
        } else {
            if (g.failed < BENCH_VIOLATIONS_SHOWN)
                fprintf(stderr, "verrijk-bench: room %s member %u failed: %s\n", c->room->code, (unsigned)c->idx + 1,
                        why);
            conn_fail_for_good(c);
        }
    } else if (!before_welcome && !g.finished) {
        g.dropped++;
        if (g.dropped <= BENCH_VIOLATIONS_SHOWN)
            fprintf(stderr, "verrijk-bench: room %s member %u dropped: %s\n", c->room->code, (unsigned)c->idx + 1, why);
    }
    if (before_welcome && !g.finished) {
        setup_check();
        launch_pump();
    }
}

static void on_ws_closed(ws_conn *ws)
{
    conn *c = (conn *)ws;
    c->state = CS_GONE;
    if (c->relaunch && !g.finished) {
        c->relaunch = false;
        conn_launch(c);
    }
}

/* ---- incoming messages ---- */

static void on_welcome(conn *c, const msgpack_object *m);
static void on_event(conn *c, enum ev_kind k, uint32_t player, const msgpack_object *m);

static void on_error_msg(conn *c, const msgpack_object *m)
{
    const msgpack_object *code = mp_get(m, "code");
    unsigned i;
    for (i = 0; i < ERROR_CODES - 1; i++)
        if (code && mp_is(code, error_codes[i]))
            break;
    g.c.errors[i]++;
    if (c->state != CS_JOINING)
        return;
    room *r = c->room;
    if (c->idx == 0 && i == 4 /* room_taken */ && r->code_tries < BENCH_CODE_TRIES) {
        /* Another run holds this code: a new one, on a new connection (the
         * URL carries the code too). */
        r->code_tries++;
        room_new_code(r);
        c->tries = 0;
        conn_lost(c, "room_taken");
        return;
    }
    const msgpack_object *msg = mp_get(m, "msg");
    FATAL("%s of room %s member %u refused: %s (%.*s)", c->idx ? "join" : "create", r->code, (unsigned)c->idx + 1,
          error_codes[i], msg && msg->type == MSGPACK_OBJECT_STR ? (int)msg->via.str.size : 0,
          msg && msg->type == MSGPACK_OBJECT_STR ? msg->via.str.ptr : "");
}

static enum ev_kind ev_kind_of(const msgpack_object *e)
{
    if (!e || e->type != MSGPACK_OBJECT_STR)
        return EV_OTHER;
    for (int k = 1; k < EV__COUNT; k++)
        if (mp_is(e, ev_names[k]))
            return (enum ev_kind)k;
    return EV_OTHER;
}

static void handle_map(conn *c, const msgpack_object *m)
{
    g.c.maps++;
    const msgpack_object *t = mp_get(m, "t");
    if (!t || t->type != MSGPACK_OBJECT_STR) {
        on_ws_violation(&c->ws, "a server map without t");
        return;
    }
    if (mp_is(t, "ev")) {
        g.c.events++;
        uint64_t seq = mp_uint(m, "seq");
        if (c->state == CS_OPEN && !c->slow) {
            if (seq != (uint64_t)c->seq + 1)
                g.seq_gaps++;
            c->seq = (uint32_t)seq;
        }
        enum ev_kind k = ev_kind_of(mp_get(m, "e"));
        if (k != EV_OTHER && c->state == CS_OPEN)
            on_event(c, k, (uint32_t)mp_uint(m, "player"), m);
    } else if (mp_is(t, "ok")) {
        g.c.oks++;
    } else if (mp_is(t, "welcome")) {
        /* A slow reader's --slow-resume answers, read late. */
        if (!(c->slow && c->state == CS_OPEN))
            on_welcome(c, m);
    } else if (mp_is(t, "error")) {
        on_error_msg(c, m);
    } else if (!mp_is(t, "pong")) {
        on_ws_violation(&c->ws, "unknown message type");
    }
}

static void on_ws_message(ws_conn *ws, const uint8_t *p, size_t n)
{
    conn *c = (conn *)ws;
    size_t off = 0;
    g.now = ws_read_ns;
    if (n == 0) {
        on_ws_violation(&c->ws, "empty message");
        return;
    }
    while (off < n) {
        size_t end = off;
        if (mp_skip(p, n, &end, 1)) {
            on_ws_violation(&c->ws, "malformed MessagePack");
            return;
        }
        /* One zone for every map: cleared, not freed, so decoding does not
         * allocate once it has grown to the largest message. */
        msgpack_zone_clear(&g.zone);
        msgpack_object o;
        size_t uoff = off;
        msgpack_unpack_return rc = msgpack_unpack((const char *)p, end, &uoff, &g.zone, &o);
        if (rc != MSGPACK_UNPACK_SUCCESS || uoff != end) {
            on_ws_violation(&c->ws, "MessagePack the unpacker refuses");
            return;
        }
        if (o.type != MSGPACK_OBJECT_MAP)
            on_ws_violation(&c->ws, "a server message that is not a map");
        else
            handle_map(c, &o);
        if (c->state != CS_OPEN && c->state != CS_JOINING)
            return;
        off = end;
    }
}

/* The upgrade went through: the member creates its room or joins it. */
static void on_ws_open(ws_conn *ws)
{
    conn *c = (conn *)ws;
    c->state = CS_JOINING;
    c->tokens -= 1;
    send_intent(c, c->idx == 0 ? IN_CREATE : IN_JOIN, 0);
}

/* ---- launching ---- */

static void launch_pump(void)
{
    while (!g.finished && g.inflight < g.inflight_max) {
        conn *c = NULL;
        while (g.ready_head != g.ready_tail) {
            room *r = &g.rooms_v[g.ready[g.ready_head]];
            if (r->launched < g.members) {
                c = &r->m[r->launched++];
                break;
            }
            g.ready_head = (g.ready_head + 1) % (g.rooms + 1);
        }
        if (!c && g.next_room < g.rooms) {
            room *r = &g.rooms_v[g.next_room++];
            r->launched = 1;
            c = &r->m[0];
        }
        if (!c)
            return;
        conn_launch(c);
    }
}

static void on_welcome(conn *c, const msgpack_object *m)
{
    if (c->state != CS_JOINING) {
        on_ws_violation(&c->ws, "a second welcome");
        return;
    }
    room *r = c->room;
    const msgpack_object *you = mp_get(m, "you"), *state = mp_get(m, "state");
    c->player = (uint32_t)mp_uint(you, "player");
    c->seq = (uint32_t)mp_uint(state, "seq");
    if (!c->player || !state) {
        on_ws_violation(&c->ws, "welcome without you.player or state");
        conn_lost(c, "protocol violation");
        return;
    }
    const msgpack_object *hand = mp_get(state, "hand");
    c->n_hand = 0;
    if (hand && hand->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t i = 0; i < hand->via.array.size && c->n_hand < BENCH_HAND_MAX; i++) {
            const msgpack_object *card = &hand->via.array.ptr[i];
            int k = card->type == MSGPACK_OBJECT_STR ? card_intern(card->via.str.ptr, card->via.str.size) : -1;
            if (k >= 0)
                c->hand[c->n_hand++] = (uint16_t)k;
        }
    c->state = CS_OPEN;
    c->welcomed = true;
    if (c->slow) {
        const msgpack_object *tok = mp_get(m, "token");
        if (tok && tok->type == MSGPACK_OBJECT_STR && tok->via.str.size <= BENCH_TOKEN_MAX) {
            memcpy(r->slow_token, tok->via.str.ptr, tok->via.str.size);
            r->slow_token[tok->via.str.size] = '\0';
        }
        g.slow_open++;
    }
    g.inflight--;
    g.welcomed++;
    r->n_welcomed++;
    if (c->idx == 0 && g.members > 1) {
        g.ready[g.ready_tail] = (unsigned)(r - g.rooms_v);
        g.ready_tail = (g.ready_tail + 1) % (g.rooms + 1);
    }
    if (r->n_welcomed == g.members)
        r->complete = true;
    launch_pump();
    setup_check();
}

/* ---- scenarios ---- */

/* The transport's counters join the bench's before each snapshot. */
static void sync_counters(void)
{
    g.c.frames = ws_stats.frames;
    g.c.bytes_in = ws_stats.bytes_in;
    g.c.frames_out = ws_stats.frames_out;
    g.c.bytes_out = ws_stats.bytes_out;
}

static void begin_measure(void)
{
    sync_counters();
    g.measuring = true;
    g.t0 = uv_hrtime();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    g.t0_unix = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    g.c0 = g.c;
    memcpy(g.size_frames0, ws_stats.size_frames, sizeof g.size_frames0);
    memcpy(g.size_bytes0, ws_stats.size_bytes, sizeof g.size_bytes0);
    g.srv_cpu0 = proc_cpu_s();
    cpu_pids_read(g.cpu_pid0);
    g.self_cpu0 = cpu_self();
    g.rss_measure0 = g.rss_peak = proc_rss_kb();
    /* The slow readers stop reading now: from here on the server must
     * bound what it holds for them. */
    for (unsigned i = 0; i < g.slow_readers; i++) {
        conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->state == CS_OPEN)
            ws_pause(&c->ws);
    }
}

/* Every BENCH_SAMPLE_MS: the server's RSS (its peak over the interval)
 * and whether a paused slow reader's socket shows the server's end. That
 * is only visible when the end gets past the unread backlog (a reset, or
 * a FIN once everything before it fitted into our receive buffer); the
 * close frame itself is read after the interval (see end_run). */
static void on_sample(uv_timer_t *t)
{
    if (!g.measuring)
        return;
    long kb = proc_rss_kb();
    if (kb > g.rss_peak)
        g.rss_peak = kb;
    uint64_t now = uv_hrtime();
    /* --slow-resume: each slow reader asks for its whole View again (a
     * device in a reconnect loop), which the server answers with a large
     * welcome it will never read. */
    g.slow_resume_due += g.slow_resume * BENCH_SAMPLE_MS / 1000.0;
    unsigned resumes = (unsigned)g.slow_resume_due;
    g.slow_resume_due -= resumes;
    for (unsigned i = 0; i < g.slow_readers && !g.finished; i++) {
        conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->state != CS_OPEN || c->slow_end)
            continue;
        for (unsigned k = 0; k < resumes && c->state == CS_OPEN && g.rooms_v[i].slow_token[0]; k++)
            send_intent(c, IN_RESUME, 0);
        if (c->state != CS_OPEN)
            continue;
        if (ws_peer_gone(&c->ws)) {
            if (!c->slow_end)
                c->slow_end = now;
            c->slow_seen_gone = true;
            ws_resume(&c->ws);
        }
    }
}

static void end_measure(void)
{
    if (!g.measuring)
        return;
    g.measuring = false;
    long kb = proc_rss_kb();
    if (kb > g.rss_peak)
        g.rss_peak = kb;
    sync_counters();
    g.t1 = uv_hrtime();
    g.c1 = g.c;
    memcpy(g.size_frames1, ws_stats.size_frames, sizeof g.size_frames1);
    memcpy(g.size_bytes1, ws_stats.size_bytes, sizeof g.size_bytes1);
    g.srv_cpu1 = proc_cpu_s();
    cpu_pids_read(g.cpu_pid1);
    g.self_cpu1 = cpu_self();
}

static void on_drain_over(uv_timer_t *t)
{
    finish();
}

/* The interval is over: no new intents; slow readers still open read
 * their backlog for at most BENCH_DRAIN_MS, so that a close frame behind
 * it (1008 or another) is seen and counted. */
static void end_run(void)
{
    end_measure();
    g.stopping = true;
    if (g.slow_open == 0 || g.finished) {
        finish();
        return;
    }
    g.draining = true;
    for (unsigned i = 0; i < g.slow_readers; i++) {
        conn *c = &g.rooms_v[i].m[g.members - 1];
        if (c->state == CS_OPEN)
            ws_resume(&c->ws);
    }
    if (!g.finished)
        uv_timer_start(&g.phase_timer, on_drain_over, BENCH_DRAIN_MS, 0);
}

static void on_rounds_over(uv_timer_t *t)
{
    end_run();
}

static void on_hold_over(uv_timer_t *t)
{
    end_measure();
    g.rss1 = proc_rss_kb();
    finish();
}

static void burst_fire(void);

static void on_burst_timer(uv_timer_t *t)
{
    burst_fire();
}

/* Every player of every room votes in this one loop iteration. */
static void burst_fire(void)
{
    uint64_t now = uv_hrtime();
    double wait = 0;
    for (unsigned i = 0; i < g.total; i++) {
        conn *c = &g.conns[i];
        if (c->idx == 0 || c->slow)
            continue;
        refill(&c->tokens, &c->tok_at, now, BENCH_CONN_RATE, BENCH_CONN_BURST);
        if (c->tokens < 1 && (1 - c->tokens) / BENCH_CONN_RATE > wait)
            wait = (1 - c->tokens) / BENCH_CONN_RATE;
    }
    if (wait > 0) {
        /* Some member spent its tokens: wait so that every vote goes out at once. */
        uv_timer_start(&g.phase_timer, on_burst_timer, (uint64_t)(wait * 1000) + 1, 0);
        return;
    }
    g.rooms_done = 0;
    g.t_burst = uv_hrtime();
    for (unsigned i = 0; i < g.total; i++) {
        conn *c = &g.conns[i];
        if (c->idx == 0 || c->slow || c->state != CS_OPEN)
            continue;
        c->tokens -= 1;
        send_intent(c, IN_VOTE, g.scale_min + (unsigned)(rng_next() % (g.scale_max - g.scale_min + 1)));
        if (g.finished)
            return;
    }
}

static void burst_room_ready(room *r)
{
    r->seen = 0;
    if (++g.rooms_ready < g.rooms)
        return;
    g.rooms_ready = 0;
    if (g.burst_round == 0)
        begin_measure();
    burst_fire();
}

static void burst_room_done(room *r)
{
    r->seen = 0;
    uint64_t us = (g.now - g.t_burst) / 1000;
    if (g.n_burst_rooms < (size_t)g.rooms * g.repeat)
        g.burst_rooms[g.n_burst_rooms++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
    if (++g.rooms_done < g.rooms)
        return;
    g.burst_total[g.burst_round++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
    if (g.burst_round == g.repeat) {
        end_run();
        return;
    }
    for (unsigned i = 0; i < g.rooms; i++)
        room_enqueue(&g.rooms_v[i], &g.rooms_v[i].m[0], IN_REVOTE, 0);
}

static unsigned random_vote(void)
{
    return g.scale_min + (unsigned)(rng_next() % (g.scale_max - g.scale_min + 1));
}

static void on_event(conn *c, enum ev_kind k, uint32_t player, const msgpack_object *m)
{
    room *r = c->room;
    bool fac = c->idx == 0;
    /* A slow reader counts for nothing: what it reads (before the interval,
     * or its backlog at the end) is stale by design. */
    if (c->slow)
        return;
    if (k != EV_TURN && k != EV_DEALT)
        lat_event(r, k, player);
    switch (k) {
    case EV_DEALT: {
        const msgpack_object *cards = mp_get(m, "cards");
        if (!cards || cards->type != MSGPACK_OBJECT_ARRAY)
            break;
        c->n_hand = 0;
        for (uint32_t i = 0; i < cards->via.array.size && c->n_hand < BENCH_HAND_MAX; i++) {
            const msgpack_object *card = &cards->via.array.ptr[i];
            int id = card->type == MSGPACK_OBJECT_STR ? card_intern(card->via.str.ptr, card->via.str.size) : -1;
            if (id >= 0)
                c->hand[c->n_hand++] = (uint16_t)id;
        }
        break;
    }
    case EV_ROUND:
        if (fac && !r->started) {
            r->started = true;
            if (++g.rooms_started == g.rooms && g.sc == SC_ROUNDS) {
                begin_measure();
                uv_timer_start(&g.phase_timer, on_rounds_over, (uint64_t)g.seconds * 1000, 0);
            }
        }
        break;
    case EV_TURN:
        if (player && player == c->player && c->n_hand > 0) {
            unsigned card = c->hand[--c->n_hand];
            room_enqueue(r, c, IN_PLAY, card);
        } else if (!player && fac && g.sc == SC_ROUNDS) {
            room_enqueue(r, c, IN_CLOSE, 0);
        }
        break;
    case EV_PLAYED:
        if (fac) {
            r->votes_seen = 0;
            r->card_by = player;
        }
        if (g.sc == SC_ROUNDS && !fac)
            room_enqueue(r, c, IN_VOTE, random_vote());
        if (g.sc == SC_BURST && ++r->seen == r->readers)
            burst_room_ready(r);
        break;
    case EV_VOTED:
        if (fac && ++r->votes_seen == r->voters)
            room_enqueue(r, c, IN_REVEAL, 0);
        break;
    case EV_REVEALED:
        if (g.sc == SC_ROUNDS && c->player == r->card_by)
            room_enqueue(r, c, IN_NOTE, 0);
        if (g.sc == SC_BURST && ++r->seen == r->readers)
            burst_room_done(r);
        break;
    case EV_NOTED:
        if (g.sc == SC_ROUNDS && fac)
            room_enqueue(r, c, IN_NEXT, 0);
        break;
    case EV_CLOSED:
        if (g.sc == SC_ROUNDS && fac)
            room_enqueue(r, c, IN_START, 0);
        break;
    case EV_REOPENED:
        if (fac)
            r->votes_seen = 0;
        if (g.sc == SC_BURST && ++r->seen == r->readers)
            burst_room_ready(r);
        break;
    default: break;
    }
}

static void on_setup_done(void)
{
    if (g.finished)
        return;
    if (g.sc == SC_CONNECT) {
        /* Some failures are a figure of the connect scenario; none made at all is a setup failure. */
        if (g.welcomed == 0) {
            FATAL("no connection could be made (%u failed)", g.failed);
            return;
        }
        begin_measure();
        uv_timer_start(&g.phase_timer, on_hold_over, (uint64_t)g.hold * 1000, 0);
        return;
    }
    if (g.failed) {
        FATAL("%u of %u connections failed during setup", g.failed, g.total);
        return;
    }
    /* Rooms start with a random part of a token, so that paced rooms are
     * spread over the interval instead of all sending in the same
     * millisecond (which measured the server's queue, not its latency). */
    uint64_t now = uv_hrtime();
    for (unsigned i = 0; i < g.rooms; i++) {
        room *r = &g.rooms_v[i];
        r->rtok_at = now;
        r->rtokens = 1.0 - (double)(rng_next() >> 11) / 9007199254740992.0;
    }
    for (unsigned i = 0; i < g.rooms; i++)
        room_enqueue(&g.rooms_v[i], &g.rooms_v[i].m[0], IN_START, 0);
}

static void on_hard_timeout(uv_timer_t *t)
{
    g.timed_out = true;
    end_measure();
    if (g.exit_code == 0) {
        snprintf(g.why, sizeof g.why, "hard timeout after %u s (%s; %u of %u connections welcomed)", g.timeout,
                 !g.setup_done ? "during setup" : "during the run", g.welcomed, g.total);
        g.exit_code = 4;
    }
    finish();
}

/* Closes what is left: the timers (connections were closed by ws_abort). */
static void close_walk(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h) && h->type != UV_TCP)
        uv_close(h, NULL);
}

/* Ends the run: every connection says goodbye and every handle closes; the
 * loop then runs dry and main prints the report. */
static void finish(void)
{
    if (g.finished)
        return;
    g.finished = true;
    g.stopping = true;
    for (unsigned i = 0; i < g.total; i++) {
        conn *c = &g.conns[i];
        ws_abort(&c->ws);
        if (c->state != CS_IDLE && c->state != CS_GONE)
            c->state = CS_CLOSING;
    }
    uv_walk(&g.loop, close_walk, NULL);
}

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

static void report(void)
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
