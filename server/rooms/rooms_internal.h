/* rooms_internal.h - what the files of server/rooms/ share: a live room, its devices and queue, the registry's state, and the functions one file offers the others.
 *
 * Only the files of server/rooms/ include this; everyone else sees rooms.h. The
 * folder's files, one job each:
 *   registry.c  the registry: lookup, open, stop; devices bound to members
 *   pipeline.c  an input's way: enqueue -> decide -> log -> settle
 *   fanout.c    commit: packing each event per recipient and sending it
 *   load.c      loading a room from its log, reloading, recovery at start
 *   sweep.c     idle rooms out of memory; retention of old logs
 *   decks.c     the card sets offered to `create`, and those people stored
 *   deck_store.c stored card sets on disk (DATA/decks/HASH.json)
 *   entropy.c   the pool of OS randomness handed to decisions
 *
 * Every input of a room (a client's intent, a device gone past its grace)
 * goes through one queue. The room decides one input at a time: decide ->
 * append the events to the log -> once the log has them, apply them and
 * send each member its filtered copy, then the sender's ok or welcome. So
 * an event is on disk before anyone sees it, and every decision sees the
 * state its logged predecessors made. Rooms are independent: while one
 * waits for the disk, the others go on, and the log group-commits them.
 *
 * A room not in memory is read from its log on the thread pool when an
 * input arrives for it (the input waits in its queue meanwhile), and so
 * are the rooms brought back at start. The HTTP API reads logs on its
 * own and never makes a room live (server/http/api.c). A sweep sends rooms that have had
 * no device attached for the idle time out of memory (never one deciding,
 * logging or with inputs waiting: its state is then exactly its log's),
 * and deletes logs that saw no write for the retention time. */
#ifndef VERRIJK_ROOMS_INTERNAL_H
#define VERRIJK_ROOMS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>
#include <uv.h>

#include "rooms/rooms.h"

#include "game/deck.h"

/* Bytes of the OS CSPRNG fetched at once and handed out in order, each
 * byte once: one getrandom(2) per 128 decisions rather than one each. The
 * process never forks, so no copy of the pool can hand them out twice. */
#define ROOMS_ENTROPY_POOL 4096

/* The pool: `left` bytes not yet handed out, at its end. Zeroed (as
 * calloc leaves it) it is empty, and the first fill reads the OS. */
typedef struct rooms_entropy {
    uint8_t pool[ROOMS_ENTROPY_POOL];
    size_t left;
} rooms_entropy;

#define ROOMS_BUCKETS 4096

/* A hold's recheck comes this much after the hold ends, never before it. */
#define ROOMS_HOLD_SLACK_MS 20

typedef struct live_room live_room;

/* One member's device binding. Allocated when first needed, freed with its
 * room (after its timer handle closed). */
typedef struct device {
    rooms *rs;
    live_room *lr;
    uint32_t member;
    net_conn *conn; /* the device attached now, or NULL */
    /* Runs while the device is gone, until offline. Made the first time
     * the device goes (device_start_grace): most devices never do, and a
     * timer is 152 bytes of every member. */
    uv_timer_t *grace;
    /* The current decision showed this member a version of an event of
     * its own: its whole stream is in rs->own[member]. */
    bool own;
} device;

/* One input waiting for its turn. A client's message is kept as its bytes
 * and decoded again when its turn comes (vp_intent points into them). */
typedef struct pending {
    struct pending *next;
    game_input_kind kind;
    net_conn *conn;  /* the sender; NULL once it closed */
    uint32_t player; /* device inputs */
    /* An intent's type and id, from its decoding on arrival: answering
     * it needs no decoding again. */
    vp_type t;
    bool has_id;
    uint64_t id;
    size_t len;
    uint8_t frame[];
} pending;

/* One decided input of the batch being logged. Its events are applied to
 * the room already; they are logged, and sent, with the whole batch. */
typedef struct decision {
    pending *p;
    game_result res;
    uint32_t n_ok; /* events [0, n_ok) fit the state and are applied */
} decision;

/* Decisions logged as one unit, at most: a room's group commit. */
#define ROOMS_BATCH_MAX 32

struct live_room {
    live_room *next; /* in its hash bucket */
    rooms *rs;
    char code[VP_ROOM_LEN + 1];
    room *r;
    /* By member id, [0, n_devices): grown by device_get up to the highest
     * member that needed one (a fixed array for 400 members was 3.2 KiB of
     * every room, 0.4 KiB of every member in rooms of 8). Read through
     * live_device. */
    device **devices;
    uint32_t n_devices;
    pending *head, *tail;
    unsigned n_pending;
    /* The batch being logged: inputs decided one after the other, each
     * against the state the ones before it left, logged as one unit and
     * sent together once the log has them. While it is logged, the
     * room's state runs ahead of its log (and of what anyone saw); if
     * the log refuses the batch, the room is read back from its log. */
    bool busy;
    bool purging;
    bool loading; /* its log is being read (evlog_load) */
    decision *batch;
    uint32_t n_batch;
    int write_error; /* the first failure */
    /* Bytes of its log file: what the load found, plus every batch
     * stored since (batch_bytes: the one being logged). */
    uint64_t log_bytes;
    uint64_t batch_bytes;
    bool recovering; /* loaded at start: kept only if open and recent */
    /* Loop time (uv_now) since when no device is attached; 0 while one
     * is. The sweep sends the room out of memory once it is old enough. */
    uint64_t idle_since;
};

/* A room that left memory (or was read at start and not kept): what the
 * HTTP API needs to turn a wrong key or token away without reading its
 * log. Reading and applying a log costs about ten times what an unknown
 * code costs, and that difference would tell a prober that a code exists.
 * About 90 bytes a room. */
typedef struct shelf {
    struct shelf *next;
    char code[VP_ROOM_LEN + 1];
    room_access access;
} shelf;

struct rooms {
    uv_loop_t *loop;
    net_server *net;
    struct evlog *log;
    char rooms_dir[EVLOG_DIR_MAX];
    uint32_t grace_ms;
    bool stopping;
    deck *decks[ROOMS_DECKS_MAX];
    /* Decks people stored (POST /api/decks), in DATA/decks/: env.uploaded. */
    deck **stored;
    uint32_t stored_cap;
    char stored_dir[EVLOG_DIR_MAX];
    game_env env;
    live_room *buckets[ROOMS_BUCKETS];
    shelf *shelves[ROOMS_BUCKETS]; /* rooms only on disk: their keys */
    unsigned n_live;
    unsigned max_live; /* rooms_config.max_rooms */
    uint64_t log_max;  /* rooms_config.max_log_bytes */
    /* Start-up recovery: loads in flight, rooms kept, when it began. */
    unsigned recover_loads;
    unsigned recover_back;
    uint64_t recover_window_ms;
    uint64_t recover_t0;
    uint64_t idle_ms;
    uint64_t retain_ms;   /* 0: logs are kept for ever */
    uint64_t next_retain; /* loop time of the next retention check */
    uv_timer_t sweep;     /* idle rooms out of memory; retention */
    bool sweep_started;
    unsigned closing_handles;
    bool finishing; /* the log is closed: rs goes with the last handle */
    void (*closed)(void *ud);
    void *closed_ud;
    /* Scratch for the decision being sent (one at a time: the loop has
     * one thread). `pub` holds the public version of each event so far,
     * encoded once for everyone who sees no version of their own;
     * own[id] the whole stream of a member who does. Kept between
     * decisions, so sending allocates nothing once they have grown. */
    msgpack_sbuffer pub;
    msgpack_sbuffer body;
    msgpack_sbuffer logged; /* a batch's records, until evlog copied them */
    msgpack_sbuffer own[GAME_MAX_MEMBERS + 1];
    rooms_entropy entropy;
};

/* ---- small helpers ---- */

/* Wall-clock milliseconds: the time decisions are stamped with. */
static inline uint64_t rooms_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A NUL-terminated code spelled as a room code (protocol.h). */
static inline bool rooms_code_valid(const char *code)
{
    return vp_room_code_valid(code, strlen(code));
}

/* ---- entropy.c ---- */

/* len fresh bytes from the OS CSPRNG, through the pool. Returns 0 or -1. */
int rooms_entropy_fill(rooms_entropy *e, uint8_t *buf, size_t len);

/* ---- decks.c ---- */

/* Loads every *.json of dir. A deck that fails validation is refused with
 * a message naming the file and the field; the others are still offered.
 * Returns 0, or -1 when dir cannot be read. */
int rooms_decks_load(rooms *rs, const char *dir);

/* Loads the decks people stored, DATA/decks/ (at most cap, 0: the
 * default). Returns 0, or -1 when they cannot be read. */
int rooms_stored_load(rooms *rs, const char *data_dir, uint32_t cap);

/* Lets go of every deck offered and stored (rooms in memory hold their own reference). */
void rooms_decks_free(rooms *rs);

/* ---- registry.c ---- */

live_room *live_lookup(const rooms *rs, const char *code);
/* A new, empty live room for code, in the registry; NULL when out of memory. */
live_room *live_new(rooms *rs, const char *code);
/* Unhooks lr from the registry and frees it. Its members' connections must
 * be unbound already, and no decision may be in flight. */
void live_free(live_room *lr);
/* True when some member of lr has a device attached. */
bool live_attached(const live_room *lr);
/* True when lr may leave memory: nothing attached, nothing being decided
 * or logged, nothing waiting. Its state is then exactly its log's. */
bool live_quiet(const live_room *lr);
/* Member's device binding, made when first needed; NULL when out of memory
 * or not a member id. */
device *device_get(live_room *lr, uint32_t member);
/* Member's device binding if it has one (never makes one). */
static inline device *live_device(const live_room *lr, uint32_t member)
{
    return member < lr->n_devices ? lr->devices[member] : NULL;
}
void device_attach(device *l, net_conn *c);
void device_detach(device *l);
/* The device of l is gone: after the grace period the member goes offline. */
void device_start_grace(device *l);
/* The grace period of l is over or not needed (its device is back). */
void device_stop_grace(device *l);
/* The member of l went offline at offline_at_ms: decide again when its
 * hold on the auto-reveal ends (GAME_INPUT_RECHECK; SPEC.md §3). */
void device_start_hold(device *l, uint64_t offline_at_ms);

/* ---- pipeline.c ---- */

/* Queues an input for lr. Returns 0, or -1 when the queue is full or
 * memory ran out (nothing queued). */
int live_enqueue(live_room *lr, game_input_kind kind, net_conn *c, uint32_t player, const vp_intent *in,
                 const uint8_t *frame, size_t len);
/* Decides what waits, as one batch at a time. */
void live_pump(live_room *lr);
/* Frees the batch that was logged (or refused). */
void live_done(live_room *lr);
/* Answers every input queued on lr with code (it never got decided). */
void live_refuse_pending(live_room *lr, vp_code code, const char *msg);
/* evlog_delete's callback: the room and its log are gone. */
void live_on_deleted(void *ud, int status);
/* A device's grace ran out (its timer's callback). */
void device_on_grace(uv_timer_t *t);
/* A device's hold on the auto-reveal ran out (its timer's callback). */
void device_on_hold(uv_timer_t *t);
/* The network layer's handler (net_handler). */
void rooms_on_open(void *ud, net_conn *c);
void rooms_on_intent(void *ud, net_conn *c, const vp_intent *in, const uint8_t *frame, size_t len);
void rooms_on_close(void *ud, net_conn *c);

/* ---- fanout.c ---- */

/* The batch is in the log: lets every member see its events, answers each
 * sender, then acts on what the last one asked (a purge). */
void live_commit(live_room *lr);
/* Sends c a lone error (the intent changed nothing), and counts it in
 * verrijk_intents_total. */
void rooms_reply_error(net_conn *c, const vp_intent *in, vp_code code, const char *msg);
/* rooms_reply_error for a queued input: an intent is answered, and
 * counted; a device input has nobody to answer. */
void rooms_reply_pending_error(const pending *p, vp_code code, const char *msg);

/* ---- load.c ---- */

/* The live room of code for a WebSocket input, in memory or being read
 * from its log; NULL when out of memory or the read cannot start. */
live_room *live_get_async(rooms *rs, const char *code);
/* Reads lr back from its log after the log refused a batch. */
void live_reload(live_room *lr);
/* Brings back at start the rooms still open and active within window_ms. */
void rooms_recover(rooms *rs, uint64_t window_ms);

/* ---- sweep.c ---- */

/* Deletes the logs that saw no activity for rs->retain_ms. */
void rooms_retain_check(rooms *rs);
/* Starts the timer that sends idle rooms out of memory and checks retention. */
void rooms_sweep_start(rooms *rs);

#endif
