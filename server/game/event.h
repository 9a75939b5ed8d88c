/* event: the room events of SPEC.md §5 as C values, and their whole (log) encoding. */
#ifndef VERRIJK_GAME_EVENT_H
#define VERRIJK_GAME_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>
#include <verrijk/protocol.h>

#include "game/deck.h"

/* Limits of the game core, named once. The View, the log and the tests rely
 * on them; decide() refuses what would exceed them, with a readable msg. */
#define GAME_MAX_PRESENT    100  /* present members of a room, screens and seated included */
#define GAME_MAX_MEMBERS    400  /* members a room ever had (ids are never reused) */
#define GAME_MAX_ROUNDS     100  /* rounds of one room */
#define GAME_MAX_NOTES_CARD 100  /* notes on one card in one round */
#define GAME_MAX_NOTES      5000 /* notes of one room, all rounds */
/* Bytes of note text one round may hold (hidden notes included). It keeps
 * what carries a round's notes bounded: the `closed` event (a log record
 * of at most 1 MiB: this, 5000 notes' keys, 500 cards and the close text
 * stay under it) and a View, which holds at most two rounds' notes. */
#define GAME_MAX_NOTE_BYTES_ROUND (640u * 1024)
#define GAME_SCALE_MAX            DECK_SCALE_VALUES_MAX
#define GAME_ID_SIZE              (DECK_ID_MAX + 1) /* a card, category or deck id with its NUL */
#define GAME_WINDOW_MIN_VOTES     3 /* anonymous rounds: a window's figures need this many votes (§5.3) */
#define GAME_NAME_SIZE            (VP_NAME_MAX + 1)
#define GAME_HASH_HEX             64 /* SHA-256 as lowercase hex */
#define GAME_KEY_HEX              32 /* replay_key and token: 16 bytes as lowercase hex */
#define GAME_ENTROPY              32 /* bytes of fresh randomness an input carries */

typedef enum game_event_kind {
    GAME_EV_CREATED,
    GAME_EV_JOINED,
    GAME_EV_PRESENCE,
    GAME_EV_LEFT,
    GAME_EV_HANDED,
    GAME_EV_LOCKED,
    GAME_EV_ROUND,
    GAME_EV_DEALT,
    GAME_EV_ORDER,
    GAME_EV_TURN,
    GAME_EV_PLAYED,
    GAME_EV_VOTED,
    GAME_EV_REOPENED,
    GAME_EV_REVEALED,
    GAME_EV_NOTED,
    GAME_EV_HIDDEN,
    GAME_EV_DONE,
    GAME_EV_SKIPPED,
    GAME_EV_TIMER,
    GAME_EV_CLOSED,
    GAME_EV_REKEYED,
    GAME_EV_WINDOWED,
    GAME_EV_PAGED,
#ifdef VERRIJK_CHECK_NEW_EVENT_KIND
    /* Only in a check of the build (tests/CMakeLists.txt): a kind nobody
     * handles yet must not compile. */
    GAME_EV_CHECK_NEW,
#endif
    GAME_EV__COUNT
} game_event_kind;

/* A card or category id, copied (events own all their text). */
typedef struct game_id {
    char s[GAME_ID_SIZE];
} game_id;

/* Round options as the game keeps them: vp_opts with owned strings.
 * all_categories: the round uses the whole deck (no `categories` key). */
typedef struct game_opts {
    vp_mode mode;
    uint8_t hand;
    bool anonymous;
    bool auto_reveal;
    bool facilitator_plays;
    bool all_categories;
    uint8_t n_categories;
    game_id categories[VP_CATEGORIES_MAX];
    uint8_t kinds;    /* bit k = deck_kind k; 0 = every kind (format 2 decks) */
    game_id audience; /* "" = every card; else cards for this audience or for all */
    bool bookends;    /* after the shuffle: openers first, closers last */
} game_opts;

/* One vote; pass is the nil value. */
typedef struct game_vote {
    uint32_t player;
    bool pass;
    uint32_t value;
} game_vote;

/* Stats over the non-pass votes (§5). mean, median, min and max mean
 * something only when n > 0 (they are packed as nil otherwise). */
typedef struct game_stats {
    uint32_t n, pass;
    double mean, median;
    uint32_t min, max;
    uint8_t n_hist; /* one count per scale value, lowest first */
    uint32_t hist[GAME_SCALE_MAX];
} game_stats;

/* The figures of the votes cast from one window (SPEC.md §5.3). */
typedef struct game_window_stats {
    game_id window;
    game_stats stats;
} game_window_stats;

/* The per-window figures of one card: has is false for a deck without
 * windows (the key is left out); windows lists only those shown. */
typedef struct game_windows {
    bool has;
    uint8_t n;
    game_window_stats w[DECK_WINDOWS_MAX];
} game_windows;

typedef enum game_agreement {
    GAME_AGREE_NONE, /* nil: fewer than two non-pass votes */
    GAME_AGREE_CONSENSUS,
    GAME_AGREE_MIXED,
    GAME_AGREE_POLARISED
} game_agreement;

typedef struct game_note_item {
    uint32_t note, player;
    char *text; /* NULL: the note was hidden, its text is gone */
} game_note_item;

typedef struct game_summary_card {
    game_id card;
    uint32_t by; /* 0: drawn from the pile */
    game_stats stats;
    game_agreement agreement;
    uint32_t n_notes;
    game_note_item *notes;
    game_windows windows;
} game_summary_card;

typedef struct game_summary_category {
    game_id category;
    uint32_t cards;
    bool has_mean;
    double mean;
} game_summary_category;

/* The summary of one closed round (§6). */
typedef struct game_summary {
    uint32_t round;
    uint32_t n_cards;
    game_summary_card *cards; /* sorted: mean descending, nil last, ties in play order */
    uint32_t n_categories;
    game_summary_category *categories;
    char *text;
    uint32_t n_actions;
    char **actions;
    bool has_players; /* false in an anonymous round: the key is left out */
    uint32_t n_players;
    uint32_t *players; /* ascending ids */
    uint64_t started_at, closed_at;
    char replay_key[GAME_KEY_HEX + 1];
} game_summary;

typedef struct game_hand {
    uint32_t player;
    uint32_t n_cards;
    game_id cards[VP_HAND_MAX];
} game_hand;

/* One event, whole, as the log stores it. Member ids of 0 mean nil.
 * Heap parts (title, deck, order, hands, votes, text, summary) are owned by
 * the event and released by game_event_clear. */
typedef struct game_event {
    uint64_t seq, at;
    game_event_kind kind;
    union {
        struct {
            char room[VP_ROOM_LEN + 1];
            char *title;
            vp_lang lang;
            int32_t tz_offset;
            game_opts opts;
            deck *deck; /* one reference */
            uint32_t by;
            char replay_key[GAME_KEY_HEX + 1];
        } created;
        struct {
            uint32_t player;
            char name[GAME_NAME_SIZE];
            vp_role role;
            bool seated;
            bool has_token_hash; /* seated players have no token */
            char token_hash[GAME_HASH_HEX + 1];
        } joined;
        struct {
            uint32_t player;
            bool online;
        } presence;
        struct {
            uint32_t player;
            bool kicked; /* why: kicked, else why: left */
        } left;
        struct {
            uint32_t from, to;
        } handed;
        struct {
            bool locked;
        } locked;
        struct {
            uint32_t round;
            uint32_t n_order;
            uint32_t *order;
            uint32_t pile; /* cards in the round, before dealing */
            game_opts opts;
            uint64_t seed;
        } round;
        struct {
            uint32_t n_hands;
            game_hand *hands;
        } dealt;
        struct {
            uint32_t n_order;
            uint32_t *order;
        } order;
        struct {
            uint32_t player;
        } turn;
        struct {
            uint32_t player;
            game_id card;
        } played;
        struct {
            game_vote vote;
        } voted;
        struct {
            game_id card;
        } reopened;
        struct {
            game_id card;
            uint32_t n_votes;
            game_vote *votes; /* ascending player ids */
            game_stats stats;
            game_windows windows;
        } revealed;
        struct {
            uint32_t note, player;
            game_id card;
            char *text;
        } noted;
        struct {
            uint32_t note;
        } hidden;
        struct {
            game_id card;
        } done;
        struct {
            uint32_t player;
        } skipped;
        struct {
            bool running;
            uint64_t ends_at;
        } timer;
        struct {
            uint32_t round;
            game_summary *summary;
        } closed;
        struct {
            char replay_key[GAME_KEY_HEX + 1]; /* replaces the room's key from here on */
        } rekeyed;
        struct {
            uint32_t player; /* 0: the empty chair of the table card */
            game_id window;  /* "": none */
        } windowed;
        struct {
            uint32_t page; /* the closing summary's page on the big screen, from 0 */
        } paged;
    } u;
} game_event;

/* The wire name of an event kind ("created", ...). */
const char *game_event_name(game_event_kind kind);

/* Releases what the event owns and zeroes it; safe on a zeroed event. */
void game_event_clear(game_event *e);
void game_summary_free(game_summary *s);

/* Appends the whole event {seq, at, e, ...} as one map: the log's payload. */
void game_pack_event(const game_event *e, msgpack_packer *pk);

/* game_pack_event into sb, for the log: msgpack-c's packers go on after a
 * write that could not grow the buffer, leaving bytes that are not the
 * event. Returns 0, or -1 when out of memory: then sb is as it was. */
int game_pack_event_sbuffer(const game_event *e, msgpack_sbuffer *sb);

/* Reads a whole event (a log payload) into *e. Validates shapes, bounds and
 * names, not game rules. Returns 0, or -1 with a sentence in err; on failure
 * *e holds nothing to free. Nothing of o is kept (strings are copied), so
 * its zone may be freed after the call. */
int game_unpack_event(const msgpack_object *o, game_event *e, char *err, size_t errlen);

/* A map being packed. Its size is the number of keys its pairs function
 * writes, counted by running that function first into a packer that keeps
 * nothing (game_pack_map): no map size is counted by hand, so a field
 * added or made optional cannot leave a map that lies about its size. */
typedef struct game_map {
    msgpack_packer *pk; /* where the values go */
    unsigned n;         /* keys written so far */
} game_map;
typedef void (*game_pairs_fn)(game_map *m, const void *ctx);
void game_map_key(game_map *m, const char *k);
void game_pack_map(msgpack_packer *pk, game_pairs_fn pairs, const void *ctx);
/* True while a pairs function runs to count its keys: its values go
 * nowhere then, so one that is costly to build may be left out. */
bool game_map_counting(const game_map *m);
/* The writer of the packer that counts keys: it keeps nothing. */
int game_write_nothing(void *data, const char *buf, size_t len);
/* True when pk is where those values go: a packer of a long value (an
 * array that walks the notes, a string's strlen) may return at once. */
static inline bool game_pack_discards(const msgpack_packer *pk)
{
    return pk->callback == game_write_nothing;
}

/* The pairs of game_pack_event besides seq and at (`e` first), for the
 * filters, which show some kinds whole. */
void game_event_pairs(game_map *m, const game_event *e);

/* Helpers shared by the game's encoders. */
void game_pack_bool(msgpack_packer *pk, bool b);
void game_pack_ids(msgpack_packer *pk, const uint32_t *ids, uint32_t n);
void game_pack_vote_value(msgpack_packer *pk, const game_vote *v);             /* pass packs nil */
void game_pack_vote_pairs(msgpack_packer *pk, const game_vote *v, uint32_t n); /* [[player, value]...] */
void game_pack_str(msgpack_packer *pk, const char *s);
void game_pack_opts(msgpack_packer *pk, const game_opts *o);
/* The pairs of a `created` event that everyone sees alike, room to opts
 * (the log's form and the members' both go on with their own deck, by
 * and replay key). */
void game_pack_created_head(game_map *m, const game_event *e);
void game_pack_stats(msgpack_packer *pk, const game_stats *s);
void game_pack_windows(msgpack_packer *pk, const game_windows *w); /* [[window, stats]...] */
void game_pack_agreement(msgpack_packer *pk, game_agreement a);
void game_pack_member(msgpack_packer *pk, uint32_t id); /* 0 packs nil */
const char *game_agreement_name(game_agreement a);

/* Packs a summary (§6). A note whose text is NULL, or for which
 * hidden(note, ctx) says true, is packed without `text`; hidden may be NULL. */
void game_pack_summary(msgpack_packer *pk, const game_summary *s, bool (*hidden)(uint32_t id, const void *ctx),
                       const void *ctx);

#endif
