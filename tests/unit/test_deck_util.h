/* test_deck_util: what the deck tests share — the test vector decks, reading the default deck, and refusing a mutated deck. */
#ifndef VERRIJK_TEST_DECK_UTIL_H
#define VERRIJK_TEST_DECK_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "game/deck.h"

#define DEFAULT_DECK_PATH VERRIJK_SOURCE_DIR "/decks/verrijkte-leeromgevingen.json"
#define TEST_ERR_MAX      256

/* The small deck of the hash test vector. Its canonical MessagePack was
 * written out by hand (an encoder independent of msgpack-c) and hashed with
 * SHA-256; decks/README.md shows the same example. */
static const char MINI_DECK[] =
    "{\"id\":\"mini\",\"version\":1,\"title\":{\"nl\":\"Mini\",\"en\":\"Mini\"},"
    "\"scale\":{\"min\":1,\"max\":2,\"labels\":{\"nl\":[\"nee\",\"ja\"],\"en\":[\"no\",\"yes\"]}},"
    "\"categories\":[{\"id\":\"alles\",\"title\":{\"nl\":\"Alles\",\"en\":\"Everything\"},"
    "\"color\":\"#1f5f8b\"}],"
    "\"cards\":[{\"id\":\"een\",\"category\":\"alles\",\"title\":{\"nl\":\"Een\",\"en\":\"One\"},"
    "\"prompt\":{\"nl\":\"Wat zien wij hier?\",\"en\":\"What do we see here?\"}}]}";
static const char MINI_DECK_HASH[] = "31ee8fdf1146bd52";
static const size_t MINI_DECK_PACKED_LEN = 259;

/* The same deck with its keys in another order, other whitespace and the
 * color in upper case: the canonical form must not see the difference. */
static const char MINI_DECK_REORDERED[] =
    "{ \"cards\": [ { \"prompt\": {\"en\": \"What do we see here?\", \"nl\": \"Wat zien wij hier?\"},\n"
    "    \"title\": {\"en\": \"One\", \"nl\": \"Een\"}, \"category\": \"alles\", \"id\": \"een\" } ],\n"
    "  \"categories\": [ {\"color\": \"#1F5F8B\", \"title\": {\"en\": \"Everything\", \"nl\": \"Alles\"},"
    " \"id\": \"alles\"} ],\n"
    "  \"scale\": {\"labels\": {\"en\": [\"no\", \"yes\"], \"nl\": [\"nee\", \"ja\"]}, \"max\": 2, \"min\": 1},\n"
    "  \"title\": {\"en\": \"Mini\", \"nl\": \"Mini\"}, \"version\": 1, \"id\": \"mini\" }\n";

/* The v2 test vector (decks/README.md): MINI_DECK in format 2 with every
 * optional field, written here in another key order than the canonical one
 * (the card's audience before its kind, the anchor's high before its low).
 * Its bytes and hash come from tests/unit/deck_vector.py, an encoder
 * written from the MessagePack specification without msgpack-c (it also
 * reproduces the v1 vector above). */
static const char MINI_DECK_V2[] =
    "{\"format\":2,\"id\":\"mini\",\"version\":1,\"title\":{\"nl\":\"Mini\",\"en\":\"Mini\"},"
    "\"question\":{\"nl\":\"Hoeveel valt er te winnen?\",\"en\":\"How much is there to gain?\"},"
    "\"scale\":{\"min\":1,\"max\":2,\"labels\":{\"nl\":[\"nee\",\"ja\"],\"en\":[\"no\",\"yes\"]}},"
    "\"audiences\":[{\"id\":\"team\",\"title\":{\"nl\":\"Team\",\"en\":\"Staff\"}}],"
    "\"windows\":[{\"id\":\"burger\",\"title\":{\"nl\":\"Burger\",\"en\":\"Citizen\"},\"color\":\"#1F5F8B\","
    "\"explainer\":{\"nl\":\"Wie hier woont.\",\"en\":\"Who lives here.\"}},"
    "{\"id\":\"bestuur\",\"title\":{\"nl\":\"Bestuur\",\"en\":\"Governance\"},\"color\":\"#37474f\","
    "\"explainer\":{\"nl\":\"Wie hier beslist.\",\"en\":\"Who decides here.\"}}],"
    "\"categories\":[{\"id\":\"alles\",\"title\":{\"nl\":\"Alles\",\"en\":\"Everything\"},"
    "\"color\":\"#1f5f8b\",\"explainer\":{\"nl\":\"Alles samen.\",\"en\":\"All of it.\"}}],"
    "\"cards\":[{\"id\":\"een\",\"category\":\"alles\",\"audience\":[\"team\"],\"kind\":\"story\","
    "\"title\":{\"nl\":\"Een\",\"en\":\"One\"},"
    "\"prompt\":{\"nl\":\"Wat zien wij hier?\",\"en\":\"What do we see here?\"},"
    "\"anchor\":{\"high\":{\"nl\":\"2 = veel\",\"en\":\"2 = much\"},\"low\":{\"nl\":\"1 = goed\",\"en\":\"1 = fine\"}},"
    "\"followups\":[{\"nl\":\"Een voorbeeld?\",\"en\":\"An example?\"}]}]}";
static const char MINI_DECK_V2_HASH[] = "14e322f5fe06ada1";
static const size_t MINI_DECK_V2_PACKED_LEN = 782;

static inline char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
            if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
                buf[n] = '\0';
                *len = (size_t)n;
            } else {
                free(buf);
                buf = NULL;
            }
        }
    }
    fclose(f);
    return buf;
}

static inline deck *load_default_deck(void)
{
    size_t len = 0;
    char *json = read_file(DEFAULT_DECK_PATH, &len);
    assert_non_null(json);
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    int rc = deck_parse_json(json, len, "decks/verrijkte-leeromgevingen.json", &d, err, sizeof err);
    free(json);
    if (rc != 0)
        fail_msg("default deck refused: %s", err);
    assert_non_null(d);
    return d;
}

static inline deck *parse_ok(const char *json)
{
    char err[TEST_ERR_MAX] = "";
    deck *d = NULL;
    if (deck_parse_json(json, strlen(json), "t.json", &d, err, sizeof err) != 0)
        fail_msg("refused: %s", err);
    return d;
}

/* Each rule is tested by breaking one thing in the mini deck: the mutation
 * receives the parsed JSON tree and changes it in place. */
typedef void (*deck_mutation)(json_t *root);

static inline void expect_refused_from(const char *base, deck_mutation mutate, const char *expected)
{
    json_error_t jerr;
    json_t *root = json_loads(base, 0, &jerr);
    assert_non_null(root);
    mutate(root);
    char *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    assert_non_null(json);
    char err[TEST_ERR_MAX] = "";
    static deck sentinel; /* its address must still be in d after a refusal */
    deck *d = &sentinel;
    int rc = deck_parse_json(json, strlen(json), "decks/t.json", &d, err, sizeof err);
    free(json);
    assert_int_equal(rc, -1);
    assert_ptr_equal(d, &sentinel);
    if (!strstr(err, expected))
        fail_msg("message \"%s\" lacks \"%s\"", err, expected);
    assert_true(strncmp(err, "decks/t.json: ", 14) == 0);
}

static inline void expect_refused(deck_mutation mutate, const char *expected)
{
    expect_refused_from(MINI_DECK, mutate, expected);
}

/* A change to the v2 vector deck that must be refused with `expected`. */
static inline void expect_refused_v2(deck_mutation mutate, const char *expected)
{
    expect_refused_from(MINI_DECK_V2, mutate, expected);
}

static inline json_t *card0(json_t *root)
{
    return json_array_get(json_object_get(root, "cards"), 0);
}

/* Unpacks a deck's canonical bytes and parses them back, as recovery does
 * with the deck embedded in a `created` event. */
static inline deck *msgpack_round_trip(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, (const char *)bytes, len, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, len);
    deck *d = NULL;
    int rc = deck_parse_msgpack(&u.data, &d, err, errlen);
    msgpack_unpacked_destroy(&u);
    return rc == 0 ? d : NULL;
}

#endif
