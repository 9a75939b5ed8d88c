/* deck_internal: what the deck files share (validation state and messages, validator, packing, freeing); no one else includes this. */
#ifndef VERRIJK_GAME_DECK_INTERNAL_H
#define VERRIJK_GAME_DECK_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "game/deck.h"

/* The longest field path a message names, e.g. "cards[499].prompt.nl". */
#define DECK_PATH_MAX 64

/* Validation state: where messages go and under which name. */
typedef struct deck_check {
    const char *source;
    char *err;
    size_t errlen;
    uint32_t format; /* of the deck being read: decides which keys exist */
} deck_check;

/* Writes "source: path: message" into the caller's buffer (deck_check.c). */
void deck_report(deck_check *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reports and evaluates to -1, so that every refusal is one
 * `return deck_fail(...)`. It is a macro so that the -1 is visible where it
 * is returned: the static analyzer does not follow calls into variadic
 * functions, and would otherwise assume a refusal can succeed. */
#define deck_fail(...) (deck_report(__VA_ARGS__), -1)

/* Formats a field path into a DECK_PATH_MAX buffer (deck_check.c). */
void deck_path(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Validates root, a deck in the §7 layout (from JSON or MessagePack), and
 * on success stores a new deck with refs = 1, packed and hashed, in *out
 * and returns 0; on failure reports through c and returns -1
 * (deck_check.c). */
int deck_from_json(deck_check *c, json_t *root, deck **out);

/* Packs d canonically into d->packed and sets d->hash; -1 when out of
 * memory (deck_pack.c). */
int deck_pack_canonical(deck *d);

/* Frees d and everything it holds, whatever its reference count; NULL is
 * fine (deck.c). */
void deck_free(deck *d);

#endif
