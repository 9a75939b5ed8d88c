/* rooms.h - the rooms this server holds: intents through the game core, the log before anyone sees, filtered fan-out. */
#ifndef VERRIJK_ROOMS_H
#define VERRIJK_ROOMS_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "game/room.h"
#include "log/evlog.h"
#include "net/net_server.h"

/* A device that dropped counts as online this long (SPEC.md section 2). */
#define ROOMS_GRACE_MS 10000

/* Intents a room holds while its previous decision is being logged. A room
 * decides one intent at a time, so that every decision sees the state its
 * logged predecessors made; beyond this bound a sender gets server_busy. */
#define ROOMS_PENDING_MAX 512

/* Rooms this server keeps in memory at once; `create` beyond it is
 * answered server_busy. */
#define ROOMS_LIVE_MAX 20000

/* Bytes a room's log may grow to (--max-log-mb): past it, the room takes
 * only what lets its session be finished (close, purge, leave, resume),
 * answering anything else room_full; past ROOMS_LOG_HARD only close,
 * purge and the facilitator's resume. A busy session writes well under
 * 1 MB; one vote changed at the rate limit all day writes about 83 MB. */
#define ROOMS_LOG_MAX_DEFAULT (8ull << 20)
#define ROOMS_LOG_MAX_LIMIT   (200ull << 20) /* below EVLOG_FILE_READ_MAX with its headroom */
#define ROOMS_LOG_HARD(max)   ((max) + (max) / 4)

/* Card sets offered to `create`. */
#define ROOMS_DECKS_MAX 64

/* Defaults of the memory and retention rules. */
#define ROOMS_IDLE_MS_DEFAULT   (30u * 60u * 1000u)           /* --idle-minutes 30 */
#define ROOMS_RETAIN_MS_DEFAULT (90ull * 24u * 3600u * 1000u) /* --retain-days 90 */

/* How often the retention rule looks at the logs on disk (also once at start). */
#define ROOMS_RETAIN_CHECK_MS (3600u * 1000u)

/* Logs deleted by one retention check at most; the rest wait for the next
 * check, which then comes after one sweep instead of an hour. */
#define ROOMS_RETAIN_BATCH 1000

/* The sweep that sends idle rooms out of memory runs every idle/4, within
 * these bounds. */
#define ROOMS_SWEEP_MIN_MS 250u
#define ROOMS_SWEEP_MAX_MS 60000u

/* --away-hold-seconds: how long a phone asleep holds the auto-reveal (SPEC.md §3). */
#define ROOMS_AWAY_HOLD_MS (120u * 1000u)

typedef struct rooms rooms;

typedef struct rooms_config {
    const char *data_dir;  /* logs live in DATA/rooms/ */
    const char *decks_dir; /* *.json card sets offered to `create` */
    enum evlog_sync sync;
    uint32_t grace_ms; /* 0: ROOMS_GRACE_MS */
    /* A voter whose device went away after the table card was played holds
     * its auto-reveal this long (SPEC.md §3). 0: ROOMS_AWAY_HOLD_MS. */
    uint32_t away_hold_ms;
    /* Rooms whose log saw activity this recently, and are not closed, are
     * brought back into memory at start; the rest load on demand. */
    uint64_t recover_window_ms;
    /* A room in memory with no device attached for this long leaves
     * memory (it is not deciding anything, and nothing waits); the next
     * resume, join, create or export loads it again from its log.
     * 0: ROOMS_IDLE_MS_DEFAULT. */
    uint64_t idle_ms;
    /* A log whose file saw no write for this long is deleted by the
     * server (checked at start, then every ROOMS_RETAIN_CHECK_MS); never
     * a room with a device attached. 0: kept for ever. */
    uint64_t retain_ms;
    /* Rooms in memory at once (--max-rooms); a `create` beyond it is
     * answered server_busy. A room that exists still loads beyond it
     * (a resume must never be refused for want of room); how many
     * exist is bounded by the per-address create budget and retention.
     * 0: ROOMS_LIVE_MAX. */
    uint32_t max_rooms;
    /* A room's log bound in bytes (--max-log-mb). 0: ROOMS_LOG_MAX_DEFAULT. */
    uint64_t max_log_bytes;
    /* Decks people may store in DATA/decks/ (--max-stored-decks); each
     * stays in memory. 0: DECK_STORE_MAX_DEFAULT. */
    uint32_t max_stored_decks;
} rooms_config;

/* Loads the decks, opens the log, brings back the recently active rooms
 * (each member marked offline, logged), and makes `net` hand its
 * WebSocket intents to the rooms. Call before net_server_start (and
 * api_routes, server/http/api.h, which serves the rooms over HTTP). Returns 0, or -1 after printing why on stderr. */
int rooms_open(uv_loop_t *loop, net_server *net, const rooms_config *cfg, rooms **out);

/* Begins a clean stop: no more grace timers; once the network layer is
 * down, call rooms_close. */
void rooms_stop(rooms *rs);

/* Writes what the log holds queued, closes it and every handle, frees
 * everything, then calls done. */
void rooms_close(rooms *rs, void (*done)(void *ud), void *ud);

/* ---- for the HTTP API (server/http/api.c) ---- */

/* The card sets offered. */
uint32_t rooms_deck_count(const rooms *rs);
const deck *rooms_deck_at(const rooms *rs, uint32_t i);

/* A deck by its hash: one offered, or one embedded by a room in memory. */
const deck *rooms_deck_by_hash(const rooms *rs, const char *hash);

/* The decks people stored (POST /api/decks), in the order stored; they
 * live in rooms_stored_dir. A stored deck is never changed or removed. */
uint32_t rooms_stored_count(const rooms *rs);
const deck *rooms_stored_at(const rooms *rs, uint32_t i);
const char *rooms_stored_dir(const rooms *rs);
bool rooms_stored_full(const rooms *rs);

/* Keeps d (its file written) as a stored deck, taking the caller's
 * reference; one with the same hash there already is kept instead.
 * Returns 0, or -1 when the store is full (d is released). */
int rooms_store_deck(rooms *rs, deck *d);

/* The room with this code when it is in memory (never loads it: the API
 * reads the logs of other rooms itself, on the thread pool). NULL when it
 * is not; *gone is set when it is being purged. */
const room *rooms_live(rooms *rs, const char *code, bool *gone);

/* For a room only on disk (it left memory, or was read at start and not
 * kept): true when neither key nor token (NULL: not given) opens it, found
 * without reading its log, so a wrong key takes what an unknown code
 * takes. False for a room in memory or unknown here: ask rooms_live. */
bool rooms_shelf_refuses(rooms *rs, const char *code, const char *key, size_t key_len, const char *token,
                         size_t token_len);

/* The path of the room's log file into buf. Returns 0 or -1. */
int rooms_log_path(const rooms *rs, const char *code, char *buf, size_t len);

#endif
