/* fuzz_game.h - the game target's session: its decks, the script it reads and the room it plays.
 * Only fuzz_game.c includes it (with fuzz_game_input.h and fuzz_game_check.h): the target is one
 * translation unit, as tests/fuzz/build.sh compiles it. */
#ifndef VERRIJK_FUZZ_GAME_H
#define VERRIJK_FUZZ_GAME_H

#include "game/room_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "game/shuffle.h"
#include "log/record.h"

/* Bounds of one run: a script longer than this many steps is cut (libFuzzer's
 * default -max_len of 4096 bytes gives about a thousand steps). */
#define FUZZ_MAX_STEPS 2000
/* The state rebuilt from the decoded events is compared with the live one
 * every this many steps, and always at the end. */
#define FUZZ_EQUAL_EVERY 4
/* At most this many recipients get the View and the filtered events of a
 * step; below it, every member does. */
#define FUZZ_VIEWERS_MAX 8
/* The checks that pack the whole room cost in proportion to its size: in a
 * room of more than FUZZ_SMALL_ROOM members or whose dump is over
 * FUZZ_SMALL_DUMP bytes (many rounds or notes; both reached by the bulk
 * steps) they run on every FUZZ_BIG_ROOM_EVERY-th step only, with 3
 * recipients, so that a big room does not slow the run to a crawl. */
#define FUZZ_SMALL_ROOM     16
#define FUZZ_SMALL_DUMP     4096
#define FUZZ_BIG_ROOM_EVERY 8
#define FUZZ_NAME_SIZE      (VP_NAME_MAX + 1)

/* The test deck of the unit tests (scale 1..5, categories a, b, c, four
 * cards each; format 2 with the windows w1..w3) and a tiny one (scale
 * 0..1, two cards) that runs out. */
#define CARD(id, cat)                        \
    "{\"id\":\"" id "\",\"category\":\"" cat \
    "\",\"title\":{\"nl\":\"t\",\"en\":\"t\"},\"prompt\":{\"nl\":\"p?\",\"en\":\"p?\"}}"
static const char deck_test_json[] =
    "{\"format\":2,\"id\":\"test-deck\",\"version\":1,"
    "\"title\":{\"nl\":\"Testset\",\"en\":\"Test set\"},"
    "\"scale\":{\"min\":1,\"max\":5,\"labels\":{\"nl\":[\"een\",\"twee\",\"drie\",\"vier\",\"vijf\"],"
    "\"en\":[\"one\",\"two\",\"three\",\"four\",\"five\"]}},"
    "\"windows\":["
    "{\"id\":\"w1\",\"title\":{\"nl\":\"W1\",\"en\":\"W1\"},\"color\":\"#123456\",\"explainer\":{\"nl\":\"e\",\"en\":"
    "\"e\"}},"
    "{\"id\":\"w2\",\"title\":{\"nl\":\"W2\",\"en\":\"W2\"},\"color\":\"#234567\",\"explainer\":{\"nl\":\"e\",\"en\":"
    "\"e\"}},"
    "{\"id\":\"w3\",\"title\":{\"nl\":\"W3\",\"en\":\"W3\"},\"color\":\"#345678\",\"explainer\":{\"nl\":\"e\",\"en\":"
    "\"e\"}}],"
    "\"categories\":["
    "{\"id\":\"a\",\"title\":{\"nl\":\"A\",\"en\":\"A\"},\"color\":\"#123456\"},"
    "{\"id\":\"b\",\"title\":{\"nl\":\"B\",\"en\":\"B\"},\"color\":\"#234567\"},"
    "{\"id\":\"c\",\"title\":{\"nl\":\"C\",\"en\":\"C\"},\"color\":\"#345678\"}],"
    "\"cards\":[" CARD("a1", "a") "," CARD("a2", "a") "," CARD("a3", "a") "," CARD("a4", "a") "," CARD(
        "b1",
        "b") "," CARD("b2",
                      "b") "," CARD("b3",
                                    "b") "," CARD("b4",
                                                  "b") "," CARD("c1",
                                                                "c") "," CARD("c2",
                                                                              "c") "," CARD("c3",
                                                                                            "c") "," CARD("c4",
                                                                                                          "c") "]}";
static const char deck_tiny_json[] =
    "{\"id\":\"tiny\",\"version\":2,"
    "\"title\":{\"nl\":\"Klein\",\"en\":\"Tiny\"},"
    "\"scale\":{\"min\":0,\"max\":1,\"labels\":{\"nl\":[\"nee\",\"ja\"],\"en\":[\"no\",\"yes\"]}},"
    "\"categories\":[{\"id\":\"t\",\"title\":{\"nl\":\"T\",\"en\":\"T\"},\"color\":\"#000000\"}],"
    "\"cards\":[" CARD("t1", "t") "," CARD("t2", "t") "]}";

static deck *g_decks[2];
static game_env g_env;

/* The input bytes read as a script; past the end every byte reads 0. */
typedef struct script {
    const uint8_t *p;
    size_t n, pos;
} script;

static uint8_t next_byte(script *sc)
{
    return sc->pos < sc->n ? sc->p[sc->pos++] : 0;
}

/* Called with every event's whole encoding (the log payload), in order:
 * the seed generator writes logs with it. */
typedef void (*event_sink)(const char *payload, size_t len, void *ctx);

enum { SB_BEFORE, SB_AFTER, SB_A, SB_B, SB_OUT, SB_ENV, SB__COUNT };

typedef struct session {
    room *live;    /* driven by decide + apply */
    room *rebuilt; /* the decoded events applied, as recovery does */
    uint64_t now, rng;
    uint32_t steps, events;
    uint32_t events_compared;                            /* events when live and rebuilt were last compared */
    char tokens[GAME_MAX_MEMBERS + 1][GAME_KEY_HEX + 1]; /* index: member id */
    char name[FUZZ_NAME_SIZE];
    msgpack_sbuffer log; /* every event's whole encoding, back to back */
    /* Scratch buffers, cleared and reused: fresh ones on every check
     * would spend the run in the allocator. */
    msgpack_sbuffer sb[SB__COUNT];
    bool before_valid; /* sb[SB_BEFORE] holds the live room's dump */
    size_t dump_size;  /* of the live room's last dump */
    event_sink sink;
    void *sink_ctx;
} session;

/* A cleared scratch buffer with a packer on it. */
static msgpack_sbuffer *scratch(session *s, int which, msgpack_packer *pk)
{
    msgpack_sbuffer *sb = &s->sb[which];
    msgpack_sbuffer_clear(sb);
    msgpack_packer_init(pk, sb, msgpack_sbuffer_write);
    return sb;
}

static msgpack_sbuffer *dump(session *s, const room *r, int which)
{
    msgpack_packer pk;
    msgpack_sbuffer *sb = scratch(s, which, &pk);
    room_dump(r, &pk);
    return sb;
}

#endif
