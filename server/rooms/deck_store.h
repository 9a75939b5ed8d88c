/* deck_store.h - the card sets people stored with POST /api/decks, one
 * file per deck in DATA/decks/, named by its hash (SPEC.md §8.2). */
#ifndef VERRIJK_DECK_STORE_H
#define VERRIJK_DECK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "game/deck.h"

/* The largest deck a POST /api/decks takes, in bytes of JSON. */
#define DECK_STORE_UPLOAD_MAX (512u << 10)
/* Stored decks kept by default (--max-stored-decks); each stays in memory. */
#define DECK_STORE_MAX_DEFAULT 500u

/* Loads every HASH.json of dir into out (at most cap decks; *n is set to
 * how many). A file whose content does not hash to its name, or that the
 * validator refuses, is skipped with a warning in the ops log. A missing
 * dir holds no decks. Returns 0, or -1 when dir cannot be read. */
int deck_store_load(const char *dir, deck **out, uint32_t cap, uint32_t *n);

/* Writes d in its canonical JSON form to dir/HASH.json (creating dir),
 * durably: a temporary file, fsync, rename, fsync of dir. Writing a deck
 * that is there already changes nothing (same name, same bytes). Blocks:
 * run it off the loop. Returns 0, or -1 with errno set. */
int deck_store_write(const char *dir, const deck *d);

#endif
