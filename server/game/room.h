/* room: one room's whole state, the pure decide/apply core, and what each recipient may see. */
#ifndef VERRIJK_GAME_ROOM_H
#define VERRIJK_GAME_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>
#include <verrijk/protocol.h>

#include "game/deck.h"
#include "game/event.h"

/* The whole state of one room; opaque. Built only by game_apply. */
typedef struct room room;

typedef enum game_phase { GAME_LOBBY, GAME_PLAYING, GAME_CLOSED } game_phase;

/* A new, empty room (before its `created` event). NULL when out of memory. */
room *room_new(void);
void room_free(room *r);

/* The decks the server offers to `create` (by id or hash), and the decks
 * people stored (POST /api/decks), which `create` finds by hash only: an
 * upload never shadows an offered deck's id. The room takes its own
 * reference (through the `created` event), so the caller's may go. */
typedef struct game_env {
    deck *const *decks;
    uint32_t n_decks;
    deck *const *uploaded;
    uint32_t n_uploaded;
    /* SPEC.md §3 auto-reveal: an eligible voter who went offline after the
     * table card was played, less than this long ago, holds the auto-reveal
     * (a phone asleep is not a person gone). 0: nobody holds it. */
    uint64_t away_hold_ms;
} game_env;

typedef enum game_input_kind {
    GAME_INPUT_INTENT,  /* a decoded client message */
    GAME_INPUT_ONLINE,  /* a member's device is back (normally `resume` says so) */
    GAME_INPUT_OFFLINE, /* a member's device has been gone for the grace period, or the server restarted */
    GAME_INPUT_RECHECK  /* a hold on the auto-reveal may have ended (game_hold_ends): decide it again */
} game_input_kind;

/* Everything decide may use: the caller owns the clock and the randomness. */
typedef struct game_input {
    game_input_kind kind;
    uint32_t sender;               /* the member this connection is bound to; 0: none yet */
    const vp_intent *intent;       /* GAME_INPUT_INTENT */
    uint32_t player;               /* GAME_INPUT_ONLINE / _OFFLINE */
    uint64_t now_ms;               /* server time, ms since the Unix epoch */
    uint8_t entropy[GAME_ENTROPY]; /* fresh CSPRNG bytes: tokens, replay key, shuffle seed */
} game_input;

/* What decide made of an input. On an error: code and msg only. */
typedef struct game_result {
    vp_code code;
    const char *msg;    /* on error: a static sentence a person can read */
    game_event *events; /* seq = room's seq + 1, + 2, ...; at = now_ms; apply in order */
    uint32_t n_events;
    uint32_t you;                 /* create, join, resume: the member this connection now is */
    char token[GAME_KEY_HEX + 1]; /* create, join: the new token; resume: the one given. "" otherwise */
    uint32_t kicked;              /* kick: close this member's connection with 4001 */
    bool purge;                   /* purge: delete the room and its log, close every connection with 4001 */
} game_result;

/* Decides what an input does to the room: fills *out and returns out->code.
 * Never changes r; errors produce no events. out must be released with
 * game_result_free whatever the outcome. */
vp_code game_decide(const room *r, const game_env *env, const game_input *in, game_result *out);
void game_result_free(game_result *res);

/* When the earliest hold on the table card's auto-reveal ends (ms since the
 * epoch; SPEC.md §3), so the caller can send GAME_INPUT_RECHECK then; 0 when
 * nothing holds it. Pure: reads only the state. */
uint64_t game_hold_ends(const room *r, uint64_t away_hold_ms);

/* Folds one event into the state. Live play, recovery and replay all use
 * this one function. Returns 0, or -1 when the event does not fit the state
 * (a corrupt log): then r is unchanged. The event is not kept (r copies
 * what it needs, and takes its own reference to the deck). */
int game_apply(room *r, const game_event *e);

/* ---- what a recipient sees (SPEC.md §5, §6) ---- */

/* The event {e, ...} as `recipient` (a member id) may see it, without seq
 * and at (the envelope adds them). `after` is the room with e applied. */
void game_pack_event_for(const room *after, const game_event *e, uint32_t recipient, msgpack_packer *pk);

/* Which version of e `recipient` sees: 0 when it sees what every member
 * without a share of its own sees (the public version), else the
 * recipient's id (the dealt event with its own hand; a vote's value for
 * the voter, and for the facilitator when a seated player voted).
 * game_pack_event_for gives the same bytes to every recipient of class
 * 0, so the server encodes them once for all of them. */
uint32_t game_event_audience(const room *after, const game_event *e, uint32_t recipient);

/* True when applying e leaves everything the filter above reads as it
 * was: the members, their seats, the facilitator and the round's options.
 * The server decides several inputs before it sends their events, and
 * filters them all against the state after the last; that is right only
 * when the ones after the first change nothing of this. */
bool game_event_filter_neutral(const game_event *e);

/* The View for `recipient` (a member id; 0 sees what a screen sees). */
void game_pack_view(const room *r, uint32_t recipient, msgpack_packer *pk);

/* The summary of round `round` (0: the last closed one) as it stands now:
 * hidden notes have no text. NULL when there is no such closed round or
 * out of memory. Free with game_summary_free. */
game_summary *room_summary(const room *r, uint32_t round);

/* The replay (§8): a room's log packed for the public. Scan every event of
 * the log first (it learns which notes were ever hidden), then pack the
 * events to publish in log order: each becomes {seq, at, e, ...} filtered
 * as §5's replay column. */
typedef struct game_replay game_replay;
game_replay *game_replay_new(void);
void game_replay_free(game_replay *rp);
int game_replay_scan(game_replay *rp, const game_event *e);
void game_replay_pack(game_replay *rp, const game_event *e, msgpack_packer *pk);
/* Reads e in log order before it is shown: the replay keeps whether the
 * round it is in is anonymous. game_replay_pack does it itself; who shows
 * the replay in other words (the cli's timeline) calls it, then asks the
 * questions below, so both show the same of each event. */
void game_replay_track(game_replay *rp, const game_event *e);
bool game_replay_shows_note_text(const game_replay *rp, uint32_t note_id); /* not if ever hidden */
bool game_replay_shows_voters(const game_replay *rp);                      /* who voted what at a reveal */
bool game_replay_shows_vote_value(const game_replay *rp);                  /* a `voted` event's value */
bool game_replay_shows_key(const game_replay *rp);                         /* a `rekeyed` event's key */

/* ---- queries for the server ---- */

bool room_exists(const room *r); /* created */
const char *room_code(const room *r);
game_phase room_phase(const room *r);
uint64_t room_seq(const room *r);
uint64_t room_last_at(const room *r); /* `at` of the last event applied */
const deck *room_deck(const room *r);
const char *room_title(const room *r);
vp_lang room_lang(const room *r);
int32_t room_tz_offset(const room *r);
uint32_t room_facilitator(const room *r);
uint32_t room_rounds(const room *r); /* rounds started so far */
/* Members: ids 1..room_members(r). */
uint32_t room_members(const room *r);
bool room_member_present(const room *r, uint32_t id);
bool room_member_online(const room *r, uint32_t id);
/* Since when an offline member is gone (its presence event's `at`); 0 while online. */
uint64_t room_member_away_since(const room *r, uint32_t id);
const char *room_member_name(const room *r, uint32_t id); /* NULL: no such member */
bool room_member_role(const room *r, uint32_t id, vp_role *role, bool *seated);
/* Constant-time checks of a presented secret (len bytes). */
bool room_check_replay_key(const room *r, const char *key, size_t len);
bool room_check_facilitator_token(const room *r, const char *token, size_t len);

/* What it takes to check a presented replay key or facilitator token
 * without the room: the SHA-256 of the key, and the facilitator's token
 * hash. The server keeps this for rooms that are only on disk, so that a
 * wrong key costs what an unknown code costs (no log is read). */
typedef struct room_access {
    uint8_t key_hash[32];
    bool has_token;
    uint8_t token_hash[32];
} room_access;
void room_access_of(const room *r, room_access *out);
/* True when key (or, failing that, token) opens the room; NULL for one not
 * given. Both are hashed and compared in constant time whatever is given. */
bool room_access_check(const room_access *a, const char *key, size_t key_len, const char *token, size_t token_len);

/* The whole state in a canonical MessagePack form: two rooms are equal when
 * their dumps are byte-equal (tests: rebuilt from the log == live). */
void room_dump(const room *r, msgpack_packer *pk);
bool room_equal(const room *a, const room *b);

/* The token hash stored in `joined.token_hash`: SHA-256 over the token's 32
 * lowercase hex characters (as text), written as 64 lowercase hex characters. */
void game_token_hash(const char *token, size_t len, char out[GAME_HASH_HEX + 1]);

#endif
