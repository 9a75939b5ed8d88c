/* fuzz_game: decide/apply over an arbitrary script of inputs from several members, the core's invariants checked on every step. */
#include "fuzz_game.h"
#include "fuzz_game_input.h"
#include "fuzz_game_check.h"

/* One input through decide and, when granted, apply; every invariant of the
 * core checked on the way. Returns the result's code; *purged tells the
 * caller that the room is gone. */
static vp_code run_input(session *s, game_input *in_, uint64_t seconds, bool *purged)
{
    game_input in = *in_;
    vp_intent it;
    game_result res;
    uint32_t ids[FUZZ_VIEWERS_MAX];

    if (in.intent)
        it = *in.intent;
    s->steps++;
    s->now += 1000 * seconds;
    in.now_ms = s->now;
    for (unsigned i = 0; i < GAME_ENTROPY; i += 8) {
        uint64_t v = shuffle_next(&s->rng);
        memcpy(in.entropy + i, &v, 8);
    }

    /* After an error the dump of the unchanged room is still at hand. */
    bool full = thorough(s);
    if (full && !s->before_valid)
        dump(s, s->live, SB_BEFORE);
    memset(&res, 0xa5, sizeof res); /* decide must fill every field it promises */
    vp_code rc = game_decide(s->live, &g_env, &in, &res);
    if (full) {
        FUZZ_CHECK(fuzz_same(&s->sb[SB_BEFORE], dump(s, s->live, SB_AFTER)), "decide changed the room (%s)",
                   in.intent ? vp_type_name(in.intent->t) : "presence");
        s->before_valid = true;
        s->dump_size = s->sb[SB_AFTER].size;
    }
    FUZZ_CHECK(rc == res.code, "decide returned %s, its result says %s", vp_code_name(rc), vp_code_name(res.code));
    FUZZ_CHECK((unsigned)rc < VP_CODE__COUNT, "decide returned code %d", (int)rc);
    if (rc != VP_OK) {
        FUZZ_CHECK(res.n_events == 0, "an error (%s) with %u events", vp_code_name(rc), res.n_events);
        FUZZ_CHECK(res.msg != NULL && res.msg[0], "an error (%s) without a message", vp_code_name(rc));
        game_result_free(&res);
        return rc;
    }

    if (in.kind == GAME_INPUT_INTENT && (it.t == VP_T_CREATE || it.t == VP_T_JOIN || it.t == VP_T_RESUME)) {
        FUZZ_CHECK(res.you >= 1, "%s granted without a member", vp_type_name(it.t));
        FUZZ_CHECK(strlen(res.token) == GAME_KEY_HEX, "%s granted with a token of %zu chars", vp_type_name(it.t),
                   strlen(res.token));
        if (it.t == VP_T_RESUME)
            FUZZ_CHECK(it.token.len == GAME_KEY_HEX && memcmp(res.token, it.token.ptr, GAME_KEY_HEX) == 0,
                       "resume answered another token");
    }
    for (uint32_t i = 0; i < res.n_events; i++) {
        const game_event *e = &res.events[i];
        game_event decoded;
        FUZZ_CHECK((unsigned)e->kind < GAME_EV__COUNT, "event kind %d", (int)e->kind);
        FUZZ_CHECK(e->seq == room_seq(s->live) + 1, "%s has seq %llu after %llu", game_event_name(e->kind),
                   (unsigned long long)e->seq, (unsigned long long)room_seq(s->live));
        FUZZ_CHECK(e->at == in.now_ms, "%s has at %llu, now is %llu", game_event_name(e->kind),
                   (unsigned long long)e->at, (unsigned long long)in.now_ms);
        check_round_trip(s, e, &decoded);
        s->before_valid = false;
        FUZZ_CHECK(game_apply(s->live, e) == 0, "apply refused %s (seq %llu) that decide made",
                   game_event_name(e->kind), (unsigned long long)e->seq);
        FUZZ_CHECK(room_seq(s->live) == e->seq, "seq %llu after applying %llu", (unsigned long long)room_seq(s->live),
                   (unsigned long long)e->seq);
        FUZZ_CHECK(game_apply(s->rebuilt, &decoded) == 0, "apply refused the decoded %s (seq %llu)",
                   game_event_name(e->kind), (unsigned long long)e->seq);
        if (s->events % 16 == 0 && full) {
            /* The same event again does not fit (its seq is taken) and
             * changes nothing. */
            dump(s, s->rebuilt, SB_A);
            FUZZ_CHECK(game_apply(s->rebuilt, &decoded) == -1, "apply took %s (seq %llu) twice",
                       game_event_name(e->kind), (unsigned long long)e->seq);
            FUZZ_CHECK(fuzz_same(&s->sb[SB_A], dump(s, s->rebuilt, SB_B)), "a refused apply changed the room");
        }
        game_event_clear(&decoded);
        s->events++;
        uint32_t n = viewers(s, in.sender, ids);
        for (uint32_t k = 0; k < n; k++)
            check_event_for(s, s->live, e, ids[k]);
    }
    FUZZ_CHECK(room_seq(s->live) == s->events, "seq %llu after %u events", (unsigned long long)room_seq(s->live),
               s->events);
    if (res.you >= 1 && res.you <= GAME_MAX_MEMBERS && res.token[0])
        memcpy(s->tokens[res.you], res.token, GAME_KEY_HEX + 1);
    if (res.n_events && full) {
        uint32_t n = viewers(s, in.sender, ids);
        for (uint32_t k = 0; k < n; k++)
            check_view(s, s->live, ids[k]);
    }
    if (res.n_events && res.events[res.n_events - 1].kind == GAME_EV_CLOSED)
        check_summaries(s, s->live);
    uint32_t every = room_members(s->live) <= FUZZ_SMALL_ROOM && s->dump_size <= FUZZ_SMALL_DUMP
                         ? FUZZ_EQUAL_EVERY
                         : FUZZ_EQUAL_EVERY * FUZZ_BIG_ROOM_EVERY;
    if (s->steps % every == 0 && s->events != s->events_compared)
        check_equal(s);
    *purged = res.purge;
    game_result_free(&res);
    return rc;
}

/* Ops 30 and 31 are bulk steps that reach the limits of GAME_MAX_*, which
 * single steps would take thousands of bytes to reach: a crowd joins (up to
 * 128, each leaving again at once when asked), the facilitator opens and closes rounds (up to 128), or a member
 * adds notes (up to 256). Each input goes through every check as usual. */
static uint32_t bulk(session *s, script *sc, bool *purged)
{
    uint8_t op = next_byte(sc) % 32, who = next_byte(sc), a = next_byte(sc), b = next_byte(sc);
    game_input in;
    vp_intent it;
    char name[FUZZ_NAME_SIZE];
    uint32_t granted = 0;

    memset(&in, 0, sizeof in);
    in.kind = GAME_INPUT_INTENT;
    in.intent = &it;
    if (op == 30) {
        for (uint32_t i = 0; i <= (a & 127u) && !*purged; i++) {
            memset(&it, 0, sizeof it);
            it.t = VP_T_JOIN;
            it.room = str_of("ABCDEF");
            snprintf(name, sizeof name, "crowd %u", s->steps);
            it.name = str_of(name);
            it.role = (b & 1) && i % 5 == 0 ? VP_ROLE_SCREEN : VP_ROLE_PLAYER;
            in.sender = 0;
            if (run_input(s, &in, 1, purged) != VP_OK)
                continue;
            granted++;
            if (b & 2) {
                /* Churn: the newcomer leaves at once, so that the members
                 * a room ever had (GAME_MAX_MEMBERS) run out. */
                memset(&it, 0, sizeof it);
                it.t = VP_T_LEAVE;
                in.sender = room_members(s->live);
                granted += run_input(s, &in, 1, purged) == VP_OK;
            }
        }
    } else if (b & 1) {
        for (uint32_t i = 0; i <= (a & 127u) && !*purged; i++) {
            memset(&it, 0, sizeof it);
            it.t = (i & 1) ? VP_T_CLOSE : VP_T_START;
            default_opts(&it.opts);
            in.sender = room_facilitator(s->live);
            granted += run_input(s, &in, 1, purged) == VP_OK;
        }
    } else {
        for (uint32_t i = 0; i <= a && !*purged; i++) {
            memset(&it, 0, sizeof it);
            it.t = VP_T_NOTE;
            it.text = str_of(i & 1 ? "more" : "one more");
            in.sender = pick_sender(s, who);
            granted += run_input(s, &in, 1, purged) == VP_OK;
        }
    }
    return granted;
}

/* One step of the script; returns the number of granted inputs. */
static uint32_t step(session *s, script *sc, bool *purged)
{
    game_input in;
    vp_intent it;
    char card[GAME_ID_SIZE];

    if (sc->pos < sc->n && sc->p[sc->pos] % 32 >= 30)
        return bulk(s, sc, purged);
    memset(&in, 0, sizeof in);
    make_input(s, sc, &in, &it, card, sizeof card);
    return run_input(s, &in, 1 + (sc->pos & 3), purged) == VP_OK;
}

/* Plays a whole script; returns the number of granted inputs. */
static uint32_t run_script(const uint8_t *data, size_t size, event_sink sink, void *ctx)
{
    session *s = calloc(1, sizeof *s);
    script sc = {.p = data, .n = size};
    uint32_t granted = 0;

    if (!s)
        return 0;
    s->live = room_new();
    s->rebuilt = room_new();
    FUZZ_CHECK(s->live && s->rebuilt, "room_new failed");
    s->now = 1700000000000ull;
    s->rng = 0x5eed;
    s->sink = sink;
    s->sink_ctx = ctx;
    msgpack_sbuffer_init(&s->log);
    for (int i = 0; i < SB__COUNT; i++)
        msgpack_sbuffer_init(&s->sb[i]);
    while (sc.pos < sc.n && s->steps < FUZZ_MAX_STEPS) {
        bool purged = false;
        granted += step(s, &sc, &purged);
        if (purged)
            break; /* the server deletes the room and its log */
    }
    check_equal(s);

    check_replay(s);
    msgpack_sbuffer_destroy(&s->log);
    for (int i = 0; i < SB__COUNT; i++)
        msgpack_sbuffer_destroy(&s->sb[i]);
    room_free(s->live);
    room_free(s->rebuilt);
    free(s);
    return granted;
}

static void init_decks(void)
{
    char err[256];
    memset(long_note, 'n', VP_NOTE_MAX);
    memset(long_close, 'c', VP_CLOSE_TEXT_MAX);
    memset(long_action, 'a', VP_ACTION_MAX);
    FUZZ_CHECK(deck_parse_json(deck_test_json, sizeof deck_test_json - 1, "test-deck", &g_decks[0], err, sizeof err) ==
                   0,
               "%s", err);
    FUZZ_CHECK(deck_parse_json(deck_tiny_json, sizeof deck_tiny_json - 1, "tiny", &g_decks[1], err, sizeof err) == 0,
               "%s", err);
    g_env.decks = g_decks;
    g_env.n_decks = 2;
    /* Steps advance the clock by whole seconds (0..3 most of the time), so
     * a hold of a few seconds both holds and ends within one script. */
    g_env.away_hold_ms = 5000;
}

#ifndef FUZZ_SEED_MAIN

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    init_decks();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_script(data, size, NULL, NULL);
    return 0;
}

#else
/* The seed generator (build.sh): plays pseudo-random scripts, keeps them as
 * seeds of this target, and writes what they logged as log files and
 * single payloads for fuzz_record; writes each deck given on the command
 * line (and the two above) as JSON and MessagePack seeds for fuzz_deck. */
#include "log/evlog_format.h"

#define SEED_SCRIPTS           24
#define SEED_PAYLOADS_PER_KIND 3

typedef struct logfile {
    FILE *f;
    const char *dir;
    uint32_t n, per_kind[GAME_EV__COUNT + 1];
} logfile;

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f && fwrite(p, 1, n, f) == n && fclose(f) == 0, "cannot write %s", path);
}

static void sink(const char *payload, size_t len, void *ctx)
{
    logfile *lf = ctx;
    uint8_t hdr[EVLOG_RECORD_HEADER_LEN];
    evlog_record_header(hdr, payload, (uint32_t)len);
    fwrite(hdr, 1, sizeof hdr, lf->f);
    fwrite(payload, 1, len, lf->f);
    /* The kind is the value after "e" in the whole encoding; a few of each
     * are kept as single-payload seeds. */
    game_event e;
    char err[128], path[512];
    if (record_read_event((const uint8_t *)payload, len, &e, err, sizeof err) == 0) {
        if (lf->per_kind[e.kind]++ < SEED_PAYLOADS_PER_KIND) {
            snprintf(path, sizeof path, "%s/record/event-%s-%u", lf->dir, game_event_name(e.kind), lf->n);
            write_file(path, payload, len);
        }
        game_event_clear(&e);
    }
    lf->n++;
}

static void write_deck_seeds(const char *dir, const char *name, const char *json, size_t len)
{
    char path[512], err[256];
    deck *d;
    snprintf(path, sizeof path, "%s/deck/json-%s", dir, name);
    write_file(path, json, len);
    FUZZ_CHECK(deck_parse_json(json, len, name, &d, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/deck/msgpack-%s", dir, name);
    write_file(path, d->packed, d->packed_len);
    deck_unref(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: seed_gen CORPUS_DIR [DECK.json...]\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[512];
    logfile lf = {.dir = dir};
    uint64_t rng = 20261128;
    uint32_t total = 0;

    init_decks();
    for (unsigned k = 0; k < SEED_SCRIPTS; k++) {
        size_t n = 64 + (size_t)(shuffle_next(&rng) % 2048);
        uint8_t *p = malloc(n);
        FUZZ_CHECK(p, "out of memory");
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)shuffle_next(&rng);
        /* Every script starts by creating the room, so that most of it
         * plays: op 0 (create) from a fresh connection, valid deck. */
        p[0] = 0, p[1] = 0, p[2] = 0x81, p[3] = (uint8_t)k;
        snprintf(path, sizeof path, "%s/game/script-%02u", dir, k);
        write_file(path, p, n);
        snprintf(path, sizeof path, "%s/record/log-%02u", dir, k);
        lf.f = fopen(path, "wb");
        FUZZ_CHECK(lf.f, "cannot write %s", path);
        fwrite(EVLOG_MAGIC, 1, EVLOG_MAGIC_LEN, lf.f);
        total += run_script(p, n, sink, &lf);
        FUZZ_CHECK(fclose(lf.f) == 0, "cannot write %s", path);
        free(p);
    }
    write_deck_seeds(dir, "test-deck", deck_test_json, sizeof deck_test_json - 1);
    write_deck_seeds(dir, "tiny", deck_tiny_json, sizeof deck_tiny_json - 1);
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        FUZZ_CHECK(f, "cannot read %s", argv[i]);
        static char buf[DECK_SOURCE_MAX];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        const char *base = strrchr(argv[i], '/');
        write_deck_seeds(dir, base ? base + 1 : argv[i], buf, n);
    }
    printf("  seeds: %u scripts (%u inputs granted, %u events logged), %d decks\n", SEED_SCRIPTS, total, lf.n,
           argc - 2 + 2);
    for (unsigned k = 0; k < GAME_EV__COUNT; k++)
        if (!lf.per_kind[k])
            printf("  seeds: no %s event in the seed logs\n", game_event_name((game_event_kind)k));
    for (int i = 0; i < 2; i++)
        deck_unref(g_decks[i]);
    return 0;
}
#endif
