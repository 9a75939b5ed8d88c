/* room_internal: the room's state as the room files (room*.c), decide*.c, view.c, filter.c and summary.c share it; no one else includes this. */
#ifndef VERRIJK_GAME_ROOM_INTERNAL_H
#define VERRIJK_GAME_ROOM_INTERNAL_H

#include "game/room.h"

typedef struct member {
    uint32_t id;
    char name[GAME_NAME_SIZE];
    vp_role role;
    bool seated, present, online;
    uint64_t away_since; /* `at` of the presence event that took it offline; 0 while online */
    bool has_token;
    uint8_t token_hash[32];
    uint8_t n_hand;
    uint16_t hand[VP_HAND_MAX]; /* card indexes into the deck */
    uint8_t window;             /* 1 + index into deck->windows; 0: none */
} member;

typedef struct note {
    uint32_t id, player, round;
    uint16_t card;
    char *text; /* NULL once hidden: the state forgets it */
    bool hidden;
} note;

/* A card finished (`done`) in a round, with the votes that stood. */
typedef struct done_card {
    uint16_t card;
    uint32_t by;
    uint32_t n_votes;
    game_vote *votes;
    game_stats stats;
    game_windows windows; /* the figures per window, as revealed */
} done_card;

/* game_opts as a room keeps them: the categories (2 KiB inline in
 * game_opts, for 32 ids of 64 bytes) on the heap, and only when a round
 * is limited to some; most rooms use the whole deck, and every room and
 * round kept those 2 KiB. room_opts_get gives the game_opts back. */
/* The fields room_opts holds as game_opts does (type, name): one list, so
 * that a new option cannot be kept by one and lost by the other. */
#define ROOM_OPTS_PLAIN(X)     \
    X(vp_mode, mode)           \
    X(uint8_t, hand)           \
    X(bool, anonymous)         \
    X(bool, auto_reveal)       \
    X(bool, facilitator_plays) \
    X(bool, all_categories)    \
    X(uint8_t, n_categories)   \
    X(uint8_t, kinds)          \
    X(bool, bookends)          \
    X(game_id, audience)

#define ROOM_OPTS_FIELD(type, name) type name;
typedef struct room_opts {
    ROOM_OPTS_PLAIN(ROOM_OPTS_FIELD)
    game_id *categories; /* n_categories of them; NULL when none */
} room_opts;
#undef ROOM_OPTS_FIELD

/* dst = src (dst's old categories freed); -1 when out of memory (dst unchanged). */
int room_opts_set(room_opts *dst, const game_opts *src);
void room_opts_get(const room_opts *src, game_opts *dst);
void room_opts_clear(room_opts *o);

typedef struct round_rec {
    uint32_t number;
    room_opts opts;
    uint64_t seed;
    uint64_t started_at, closed_at;
    bool closed;
    uint32_t n_cards;
    uint16_t *cards; /* the round's cards, deck order */
    uint32_t n_done;
    done_card *done;     /* play order */
    uint32_t note_bytes; /* text of the round's notes, as written (GAME_MAX_NOTE_BYTES_ROUND) */
    char *text;
    uint32_t n_actions;
    char **actions;
} round_rec;

typedef struct table {
    bool has;
    uint16_t card;
    uint32_t by;        /* 0: drawn */
    uint64_t played_at; /* `at` of its played event: who went away after it saw the card */
    bool revealed;
    /* votes and eligible live in one block allocated when a card is
     * played and freed when it leaves the table (table_clear): room for
     * 100 of each in every room was 1.6 KiB per room, most of them idle. */
    uint32_t n_votes;
    game_vote *votes; /* GAME_MAX_PRESENT; ascending player ids */
    uint32_t n_eligible;
    uint32_t *eligible;   /* GAME_MAX_PRESENT; voters present when the card was played */
    game_stats stats;     /* once revealed */
    game_windows windows; /* once revealed: as the `revealed` event gave them */
    uint8_t chair;        /* the empty chair: 1 + window index; 0: none */
} table;

struct room {
    bool created;
    char code[VP_ROOM_LEN + 1];
    char *title;
    vp_lang lang;
    int32_t tz_offset;
    room_opts opts; /* the current (or next) round's options */
    deck *deck;
    char replay_key[GAME_KEY_HEX + 1];
    uint64_t seq, last_at;
    bool locked;
    game_phase phase;

    uint32_t n_members;
    member *members; /* index = id - 1 */

    uint32_t n_rounds;
    round_rec *rounds; /* the current or last round is rounds[n_rounds - 1] */

    uint32_t n_pile;
    uint16_t *pile; /* pile[0] is the top; capacity deck->n_cards */
    uint32_t n_order;
    uint32_t *order; /* n_order of them (order_copy): 100 inline were 400 B of every room */
    uint32_t turn;
    table table;

    uint32_t screen_page; /* the closing summary's page the big screen shows (`paged`) */
    bool timer_running;
    uint64_t timer_ends_at;

    uint32_t n_notes;
    note *notes; /* index = id - 1 */
};

/* Shared helpers (room.c; what decide and apply both compute about a
 * round, room_window_figures, room_round_cards and room_round_pile, is in
 * room_round.c). */
member *room_member(const room *r, uint32_t id); /* NULL when no such member */
const round_rec *room_round(const room *r);      /* NULL before the first round */
uint32_t room_present_count(const room *r);
bool room_may_self_vote(const room *r, const member *m);
uint32_t room_notes_on(const room *r, uint32_t round, uint16_t card);
const char *room_card_id(const room *r, uint16_t card);
void room_window_figures(const room *r, const game_vote *votes, uint32_t n, game_windows *out);
uint32_t room_round_cards(const deck *d, const game_opts *o, uint16_t *out); /* out: DECK_CARDS_MAX */
void room_round_pile(const deck *d, const game_opts *o, uint64_t seed, uint16_t *pile, uint32_t n);
void room_hex(const uint8_t *b, size_t n, char *out);      /* 2n lowercase hex digits and a NUL */
int hex_to_bytes(const char *hex, uint8_t *out, size_t n); /* 2n lowercase hex digits; -1 on any other */
void table_clear(table *t);                                /* empties the table and frees its votes */

/* The summary of a round (summary.c). `extra`: a card finishing now that the
 * round does not hold yet (close with a card on the table); text and
 * actions override the round's own when the round is not closed yet. */
game_summary *room_summary_build(const room *r, const round_rec *rd, const done_card *extra, const char *text,
                                 size_t text_len, const vp_str *actions, uint32_t n_actions, uint64_t closed_at);

#endif
