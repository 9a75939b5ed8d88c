/* fuzz_deck: deck loading from arbitrary bytes, as JSON and as MessagePack; a deck that loads round-trips exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "fuzz_util.h"
#include "game/deck.h"
#include "log/record.h"

/* The deck's hash is the first 16 hex digits of SHA-256 over its packed
 * form (decks/README.md), computed here apart from the code under test. */
static void check_hash(const deck *d)
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    char hex[DECK_HASH_LEN + 1];
    SHA256(d->packed, d->packed_len, md);
    for (int i = 0; i < DECK_HASH_LEN / 2; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    FUZZ_CHECK(strcmp(hex, d->hash) == 0, "hash %s, SHA-256 says %s", d->hash, hex);
}

/* Loads the packed form of a deck the way recovery does (well-formedness
 * first, then msgpack-c, then deck_parse_msgpack). Returns the deck or NULL. */
static deck *load_msgpack(const uint8_t *p, size_t len, char *err, size_t errlen)
{
    msgpack_unpacked u;
    size_t off = 0;
    deck *d = NULL;

    if (!record_well_formed(p, len))
        return NULL;
    msgpack_unpacked_init(&u);
    msgpack_unpack_return rc = msgpack_unpack_next(&u, (const char *)p, len, &off);
    FUZZ_CHECK(rc == MSGPACK_UNPACK_SUCCESS && off == len,
               "record_well_formed passed %zu bytes that msgpack-c does not read whole (%d, %zu)", len, (int)rc, off);
    if (deck_parse_msgpack(&u.data, &d, err, errlen) != 0) {
        FUZZ_CHECK(d == NULL, "a failed parse stored a deck");
        FUZZ_CHECK(strncmp(err, "deck: ", 6) == 0, "message \"%s\" does not start with \"deck: \"", err);
        d = NULL;
    }
    msgpack_unpacked_destroy(&u);
    return d;
}

static bool same_deck(const deck *a, const deck *b)
{
    return a->packed_len == b->packed_len && memcmp(a->packed, b->packed, a->packed_len) == 0 &&
           strcmp(a->hash, b->hash) == 0;
}

/* Everything deck.h promises of a deck that loaded. */
static void check_deck(const deck *d)
{
    char err[512];

    FUZZ_CHECK(d->refs == 1, "a new deck with %u references", d->refs);
    FUZZ_CHECK(d->n_cards >= 1 && d->n_cards <= DECK_CARDS_MAX, "%u cards", d->n_cards);
    FUZZ_CHECK(d->n_categories >= 1 && d->n_categories <= DECK_CATEGORIES_MAX, "%u categories", d->n_categories);
    FUZZ_CHECK(d->scale_min >= 0 && d->scale_min < d->scale_max && d->scale_max <= DECK_SCALE_BOUND &&
                   d->scale_max - d->scale_min + 1 >= DECK_SCALE_VALUES_MIN &&
                   d->scale_max - d->scale_min + 1 <= DECK_SCALE_VALUES_MAX,
               "scale %d..%d", d->scale_min, d->scale_max);
    FUZZ_CHECK(strlen(d->id) >= 1 && strlen(d->id) <= DECK_ID_MAX, "id of %zu bytes", strlen(d->id));
    for (uint32_t i = 0; i < d->n_cards; i++) {
        FUZZ_CHECK(d->cards[i].category < d->n_categories, "card %u in category %u", i, d->cards[i].category);
        FUZZ_CHECK(deck_card_index(d, d->cards[i].id, strlen(d->cards[i].id)) == (int32_t)i,
                   "card %s not found at its own index", d->cards[i].id);
    }
    for (uint32_t i = 0; i < d->n_categories; i++)
        FUZZ_CHECK(deck_category_index(d, d->categories[i].id, strlen(d->categories[i].id)) == (int32_t)i,
                   "category %s not found at its own index", d->categories[i].id);
    check_hash(d);

    /* deck_pack writes exactly the packed form, and the packed form loads
     * back to the same deck. */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    deck_pack(d, &pk);
    FUZZ_CHECK(sb.size == d->packed_len && memcmp(sb.data, d->packed, sb.size) == 0, "deck_pack differs");
    msgpack_sbuffer_destroy(&sb);
    deck *m = load_msgpack(d->packed, d->packed_len, err, sizeof err);
    FUZZ_CHECK(m != NULL, "the packed form of a deck does not load: %s", err);
    FUZZ_CHECK(same_deck(d, m), "the packed form loads as another deck");
    deck_unref(m);

    /* The JSON form (GET /api/decks/HASH) loads back to the same deck. */
    char *json = NULL;
    size_t len = 0;
    FUZZ_CHECK(deck_to_json(d, &json, &len) == 0, "deck_to_json failed");
    FUZZ_CHECK(strlen(json) == len, "deck_to_json length %zu, string %zu", len, strlen(json));
    deck *j = NULL;
    FUZZ_CHECK(deck_parse_json(json, len, "to_json", &j, err, sizeof err) == 0,
               "the JSON form of a deck does not load: %s", err);
    FUZZ_CHECK(same_deck(d, j), "the JSON form loads as another deck");
    deck_unref(j);
    free(json);

    FUZZ_CHECK(deck_ref((deck *)d) == d && d->refs == 2, "deck_ref");
    deck_unref((deck *)d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    deck *d = NULL;

    if (size > DECK_SOURCE_MAX)
        return 0;
    memset(err, 'x', sizeof err);
    if (deck_parse_json((const char *)data, size, "fuzz.json", &d, err, sizeof err) == 0) {
        check_deck(d);
        deck_unref(d);
    } else {
        FUZZ_CHECK(d == NULL, "a failed parse stored a deck");
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "the error message is not NUL-terminated");
        FUZZ_CHECK(strncmp(err, "fuzz.json", 9) == 0, "message \"%.80s\" does not name its source", err);
    }

    d = load_msgpack(data, size, err, sizeof err);
    if (d) {
        check_deck(d);
        deck_unref(d);
    }
    return 0;
}
