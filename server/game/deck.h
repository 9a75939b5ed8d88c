/* deck: a card set (SPEC.md §7) parsed, validated, canonically packed and hashed. */
#ifndef VERRIJK_GAME_DECK_H
#define VERRIJK_GAME_DECK_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

/* Limits a deck must respect; decks/README.md documents them. A deck outside
 * them is refused at load, never truncated. */
#define DECK_ID_MAX           64  /* bytes of an id, of [a-z0-9-] */
#define DECK_TEXT_MAX         500 /* bytes of any title, prompt or label */
#define DECK_CARDS_MAX        500
#define DECK_CATEGORIES_MAX   32
#define DECK_SCALE_VALUES_MIN 2 /* scale.max - scale.min + 1 */
#define DECK_SCALE_VALUES_MAX 10
#define DECK_SCALE_BOUND      1000       /* 0 <= scale.min < scale.max <= this */
#define DECK_SOURCE_MAX       (4u << 20) /* bytes of a deck's JSON or MessagePack */
#define DECK_HASH_LEN         16         /* hex characters of the hash */
#define DECK_FORMAT_MAX       2          /* the newest deck format this server reads */
#define DECK_AUDIENCES_MAX    8          /* v2: audiences[] has 1..this entries */
#define DECK_WINDOWS_MIN      2          /* v2: windows[] has this..DECK_WINDOWS_MAX entries */
#define DECK_WINDOWS_MAX      8
#define DECK_FOLLOWUPS_MAX    4 /* v2: a card's followups[] has 0..this texts */

/* One text in both languages; both are always present and non-empty. */
typedef struct deck_text {
    char *nl, *en;
} deck_text;

typedef struct deck_category {
    char *id;
    deck_text title;
    char *color;         /* "#rrggbb", lower case */
    deck_text explainer; /* v2, optional: nl and en NULL when absent */
} deck_category;

/* v2: who a card is for (e.g. "team": staff only). */
typedef struct deck_audience {
    char *id;
    deck_text title;
} deck_audience;

/* v2: a perspective a participant speaks from (the brochure's four windows). */
typedef struct deck_window {
    char *id;
    deck_text title;
    char *color; /* "#rrggbb", lower case */
    deck_text explainer;
} deck_window;

/* v2: what a card asks for; a v1 card is a topic. The values are the
 * order of deck_kind_names and of the room option `kinds` bits. */
typedef enum deck_kind {
    DECK_KIND_OPENER,
    DECK_KIND_TOPIC,
    DECK_KIND_STORY,
    DECK_KIND_CLOSER,
    DECK_KIND__COUNT
} deck_kind;

extern const char *const deck_kind_names[DECK_KIND__COUNT];

typedef struct deck_card {
    char *id;
    uint32_t category; /* index into deck.categories */
    deck_text title, prompt;
    deck_kind kind;       /* v2; DECK_KIND_TOPIC when absent */
    uint32_t audience;    /* v2: bit i = audiences[i]; 0 = absent (every audience) */
    deck_text anchor_low; /* v2, optional: nl and en NULL when absent */
    deck_text anchor_high;
    uint32_t n_followups; /* v2: 0..DECK_FOLLOWUPS_MAX */
    deck_text followups[DECK_FOLLOWUPS_MAX];
} deck_card;

/* A parsed deck. Read-only once parsed: rooms share one deck through
 * deck_ref/deck_unref (single-threaded: the counter is not atomic). */
typedef struct deck {
    unsigned refs;
    uint32_t format; /* 1 (no "format" key) or 2 */
    char *id;
    uint32_t version;
    deck_text title;
    deck_text question;   /* v2, optional: nl and en NULL when absent */
    uint32_t n_audiences; /* v2: 0 when absent */
    deck_audience *audiences;
    uint32_t n_windows; /* v2: 0 when absent (no window play) */
    deck_window *windows;
    int32_t scale_min, scale_max;
    char **labels_nl, **labels_en; /* scale_max - scale_min + 1 each */
    uint32_t n_categories;
    deck_category *categories;
    uint32_t n_cards;
    deck_card *cards;
    uint8_t *packed; /* the canonical MessagePack of the deck, as embedded in `created` */
    size_t packed_len;
    char hash[DECK_HASH_LEN + 1]; /* first 16 hex chars of SHA-256(packed), NUL-terminated */
} deck;

/* Parses and validates a deck from JSON bytes (not NUL-terminated; len bytes).
 * On success stores a new deck with refs = 1 in *out and returns 0. On failure
 * returns -1, leaves *out untouched and writes into err (always
 * NUL-terminated when errlen > 0) a message naming `source` and the field,
 * e.g. "decks/x.json: cards[3].category: unknown category \"foo\"". Nothing
 * of json is kept: every string is copied. */
int deck_parse_json(const char *json, size_t len, const char *source, deck **out, char *err, size_t errlen);

/* The same from the MessagePack form embedded in a `created` event (recovery
 * and replay); messages start with "deck: ". The object's memory (its zone)
 * may be freed right after the call. The result's packed bytes and hash are
 * recomputed canonically, so they equal those of the deck that was embedded. */
int deck_parse_msgpack(const msgpack_object *o, deck **out, char *err, size_t errlen);

/* Appends the deck's canonical MessagePack (d->packed) to pk as one object. */
void deck_pack(const deck *d, msgpack_packer *pk);

/* The deck as JSON in the §7 layout and canonical key order (for GET
 * /api/decks/HASH). On success *out is a NUL-terminated malloc'd string of
 * *len bytes that the caller frees with free(); returns -1 on allocation
 * failure. */
int deck_to_json(const deck *d, char **out, size_t *len);

/* Index of the card / category with this id (len bytes, not necessarily
 * NUL-terminated), or -1 when the deck has none. */
int32_t deck_card_index(const deck *d, const char *id, size_t len);
int32_t deck_category_index(const deck *d, const char *id, size_t len);
int32_t deck_audience_index(const deck *d, const char *id, size_t len);
int32_t deck_window_index(const deck *d, const char *id, size_t len);

/* The text in `lang` ("nl" or "en"); any other language gives Dutch. */
const char *deck_text_in(const deck_text *t, const char *lang);

/* Reference counting: deck_ref returns d; deck_unref frees the deck when the
 * last reference goes. Both accept NULL. */
deck *deck_ref(deck *d);
void deck_unref(deck *d);

#endif
