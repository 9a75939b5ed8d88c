/* protocol.h - Verrijk wire protocol v1: decode client messages, encode envelopes.
 *
 * The contract is protocol/SPEC.md (which also records where the
 * implementation interprets it). This library knows the shapes of messages,
 * never the game's rules: it checks types, required keys, bounds and UTF-8;
 * whether a vote value fits the deck's scale or a name is taken is the game's
 * business. The bodies of server messages (View, events, summary) are encoded
 * by the game; this library wraps them in their envelopes. */
#ifndef VERRIJK_PROTOCOL_H
#define VERRIJK_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

/* Limits of SPEC.md, named once. */
#define VP_MAX_MESSAGE (16 * 1024) /* bytes of one client message */
#define VP_MAX_DEPTH   32          /* nesting of maps and arrays */
#define VP_ROOM_LEN    6
/* The characters of a room code (SPEC.md §2): digits and upper
 * case without 0, 1, I, L, O, which people misread. Defined here only. */
#define VP_ROOM_ALPHABET  "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define VP_TOKEN_LEN      32 /* lowercase hex of 128 bits */
#define VP_NAME_MAX       40 /* bytes, after trimming */
#define VP_TITLE_MAX      120
#define VP_NOTE_MAX       500
#define VP_CLOSE_TEXT_MAX 4000
#define VP_ACTIONS_MAX    20
#define VP_ACTION_MAX     200
#define VP_HAND_MIN       1
#define VP_HAND_MAX       7
#define VP_TIMER_MAX      3600 /* seconds */
#define VP_PAGE_MAX       255  /* page: the last page number the big screen may be asked for */
#define VP_ID_MAX         (UINT64_C(1) << 53)
#define VP_DECK_ID_MAX    64     /* bytes of a deck id */
#define VP_CARD_ID_MAX    64     /* bytes of a card or category id */
#define VP_CATEGORIES_MAX 32     /* categories named in opts */
#define VP_TZ_MIN         (-720) /* minutes east of UTC */
#define VP_TZ_MAX         840

/* The protocol's error codes; VP_OK is success. One error type for the
 * whole server: other layers map their failures onto these. */
typedef enum vp_code {
    VP_OK = 0,
    VP_BAD_REQUEST,
    VP_TOO_LARGE,
    VP_RATE_LIMITED,
    VP_NO_ROOM,
    VP_ROOM_TAKEN,
    VP_ROOM_FULL,
    VP_ROOM_LOCKED,
    VP_NAME_TAKEN,
    VP_BAD_TOKEN,
    VP_NOT_ALLOWED,
    VP_WRONG_PHASE,
    VP_NOT_YOUR_TURN,
    VP_NO_CARD,
    VP_BAD_VOTE,
    VP_SERVER_BUSY,
    VP_CODE__COUNT
} vp_code;

/* Client message types (SPEC.md section 3). */
typedef enum vp_type {
    VP_T_CREATE,
    VP_T_JOIN,
    VP_T_RESUME,
    VP_T_START,
    VP_T_PLAY,
    VP_T_DRAW,
    VP_T_VOTE,
    VP_T_REVOTE,
    VP_T_REVEAL,
    VP_T_NOTE,
    VP_T_HIDE,
    VP_T_NEXT,
    VP_T_SKIP,
    VP_T_TIMER,
    VP_T_CLOSE,
    VP_T_SEAT,
    VP_T_HANDOVER,
    VP_T_KICK,
    VP_T_LOCK,
    VP_T_LEAVE,
    VP_T_PURGE,
    VP_T_PING,
    VP_T_WINDOW,
    VP_T_PAGE,
    VP_T__COUNT
} vp_type;

typedef enum vp_role { VP_ROLE_FACILITATOR, VP_ROLE_PLAYER, VP_ROLE_SCREEN } vp_role;
typedef enum vp_mode { VP_MODE_HANDS, VP_MODE_DECK } vp_mode;
typedef enum vp_lang { VP_LANG_NL, VP_LANG_EN } vp_lang;

/* A string inside the decoded buffer: not NUL-terminated, valid UTF-8,
 * and valid only as long as the buffer that was decoded. */
typedef struct vp_str {
    const char *ptr;
    uint32_t len;
} vp_str;

/* Which fields of vp_opts a message gave; the rest keep their defaults. */
enum {
    VP_OPT_MODE = 1u << 0,
    VP_OPT_HAND = 1u << 1,
    VP_OPT_ANONYMOUS = 1u << 2,
    VP_OPT_AUTO_REVEAL = 1u << 3,
    VP_OPT_FACILITATOR_PLAYS = 1u << 4,
    VP_OPT_CATEGORIES = 1u << 5,
    VP_OPT_KINDS = 1u << 6,
    VP_OPT_AUDIENCE = 1u << 7,
    VP_OPT_BOOKENDS = 1u << 8,
};

#define VP_KINDS_MAX 4 /* card kinds named in opts.kinds (SPEC.md §7) */

/* Round options. vp_decode fills the defaults (hands, 3, false, true,
 * false, all categories) for every field not in `set`. */
typedef struct vp_opts {
    unsigned set;
    vp_mode mode;
    uint8_t hand;
    bool anonymous;
    bool auto_reveal;
    bool facilitator_plays;
    uint8_t n_categories;
    vp_str categories[VP_CATEGORIES_MAX];
    uint8_t n_kinds; /* format 2 decks: 0 = every kind */
    vp_str kinds[VP_KINDS_MAX];
    vp_str audience; /* len 0 = every card */
    bool bookends;   /* openers first, closers last */
} vp_opts;

/* One decoded client message. Only the fields of its type are meaningful
 * (see the table in SPEC.md §3.1); the others are zero. */
typedef struct vp_intent {
    vp_type t;
    bool has_id;
    uint64_t id;

    vp_str room;       /* create, join, resume: 6 chars of the code alphabet */
    vp_str name;       /* create, join, seat: trimmed, 1..40 bytes, no controls */
    vp_str title;      /* create: 0..120 bytes */
    vp_str deck;       /* create: deck id */
    vp_lang lang;      /* create */
    int32_t tz_offset; /* create */
    bool has_opts;     /* create, start */
    vp_opts opts;
    vp_role role;   /* join: player or screen */
    vp_str token;   /* resume: 32 lowercase hex chars */
    vp_str card;    /* play: card id; draw: a card id, or empty for the top of the pile */
    bool pass;      /* vote: value was nil */
    uint64_t value; /* vote: when !pass; the scale is the game's to check */
    bool has_for;   /* vote, window */
    uint32_t for_player;
    vp_str text;       /* note (1..500), close (0..4000) */
    uint32_t note;     /* hide: note id */
    uint32_t seconds;  /* timer: 0..3600 */
    uint32_t page;     /* page: 0..VP_PAGE_MAX, the closing summary's page on the big screen */
    uint8_t n_actions; /* close */
    vp_str actions[VP_ACTIONS_MAX];
    uint32_t player; /* handover, kick */
    bool locked;     /* lock */
    vp_str window;   /* window: a window id of the deck, or "" = none */
    bool chair;      /* window: sets the empty chair instead of a member's window */
} vp_intent;

/* Decodes one client frame of `len` bytes into *out.
 *
 * Returns VP_OK, or VP_BAD_REQUEST / VP_TOO_LARGE with *why set to a static
 * sentence a person can read (VP_SERVER_BUSY only when msgpack-c cannot
 * allocate). On VP_OK *why is NULL; `why` itself may be NULL. On failure
 * every field but has_id/id is zero. Strings in *out point into buf, which must
 * outlive *out; nothing is allocated that outlives the call. On failure
 * out->has_id and out->id are still set when the message carried a valid
 * `id`, so the error can answer it. Never reads past buf + len. */
vp_code vp_decode(const uint8_t *buf, size_t len, vp_intent *out, const char **why);

/* Stable wire names: "bad_request", "create", "facilitator", ... */
/* True when the len bytes at s are exactly a room code: VP_ROOM_LEN
 * characters of VP_ROOM_ALPHABET (lower case, NUL or any other byte
 * refused). The one check every layer (decoder, HTTP, WebSocket URL,
 * rooms) uses. */
bool vp_room_code_valid(const char *s, size_t len);

const char *vp_code_name(vp_code code);
const char *vp_type_name(vp_type t);
const char *vp_role_name(vp_role role);
const char *vp_mode_name(vp_mode mode);
const char *vp_lang_name(vp_lang lang);

/* Envelope encoders (SPEC.md section 4). Each appends exactly one
 * MessagePack map to `out` and returns 0, or -1 when out of memory (then
 * `out` may hold a partial map and should be discarded). */
int vp_pack_ok(msgpack_sbuffer *out, uint64_t id);
/* A NULL `msg` sends a default sentence for `code`. */
int vp_pack_error(msgpack_sbuffer *out, bool has_id, uint64_t id, vp_code code, const char *msg);
/* {t:"pong", id?}: `id` when the ping carried one. */
int vp_pack_pong(msgpack_sbuffer *out, bool has_id, uint64_t id);

/* {t:"welcome", id?, you:{player, name, role}, token, away_hold, state}:
 * `away_hold_s` is the server's hold on the auto-reveal in seconds (SPEC.md
 * §3, §4); `view` is one MessagePack map (the View) that the game encoded;
 * it is copied as is. Returns -1 also when `view` does not start with a map
 * header. */
int vp_pack_welcome(msgpack_sbuffer *out, bool has_id, uint64_t id, uint32_t player, vp_str name, vp_role role,
                    vp_str token, uint32_t away_hold_s, const uint8_t *view, size_t view_len);

/* {t:"ev", seq, at, e, ...}: `event` is one MessagePack map holding the
 * event's own fields (`e` and the rest, already filtered for the recipient);
 * its pairs are copied after t, seq and at. Returns -1 also when `event`
 * is not a map. */
int vp_pack_ev(msgpack_sbuffer *out, uint64_t seq, uint64_t at, const uint8_t *event, size_t event_len);

#endif
