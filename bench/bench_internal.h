/* bench_internal.h - what the parts of verrijk-bench share: limits, the member/room types, the run's global
 * state g, and the functions one part calls in another. Private to bench/. */
#ifndef VERRIJK_BENCH_INTERNAL_H
#define VERRIJK_BENCH_INTERNAL_H

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

struct bench_globals {
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
};

/* The run: options, members, rooms, counters, samples (defined in verrijk_bench.c). */
extern struct bench_globals g;

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

/* bench_util.c */
uint64_t rng_next(void);
double cpu_self(void);
long proc_rss_kb(void);
double proc_cpu_s(void);
void cpu_pids_read(double *at);
void on_ws_violation(ws_conn *ws, const char *what);
void room_new_code(room *r);
int card_intern(const char *s, size_t n);

/* bench_proto.c */
uint64_t be(const uint8_t *p, int n);
const msgpack_object *mp_get(const msgpack_object *map, const char *key);
uint64_t mp_uint(const msgpack_object *map, const char *key);
void send_intent(conn *c, enum intent k, unsigned arg);
void on_ws_message(ws_conn *ws, const uint8_t *p, size_t n);
void on_ws_open(ws_conn *ws);

/* bench_conn.c */
void lat_begin(room *r, enum intent k, uint32_t actor);
void lat_event(room *r, enum ev_kind k, uint32_t player);
void refill(double *tokens, uint64_t *at, uint64_t now, double rate, double burst);
void room_enqueue(room *r, conn *c, enum intent k, unsigned arg);
void conn_lost(conn *c, const char *why);
void on_ws_lost(ws_conn *ws, enum ws_end end, const char *why);
void on_ws_closed(ws_conn *ws);
void launch_pump(void);
void on_welcome(conn *c, const msgpack_object *m);

/* bench_scenario.c */
void on_sample(uv_timer_t *t);
void on_event(conn *c, enum ev_kind k, uint32_t player, const msgpack_object *m);
void on_setup_done(void);
void on_hard_timeout(uv_timer_t *t);
void finish(void);

/* bench_report.c */
void report(void);

#endif
