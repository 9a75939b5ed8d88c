/* test_fault_alloc_session: the scripted session that the fault_alloc tests fail allocation by allocation. */
#ifndef VERRIJK_TEST_FAULT_ALLOC_SESSION_H
#define VERRIJK_TEST_FAULT_ALLOC_SESSION_H

#include "test_fault_alloc_hook.h"

/* ---- the session ---- */

#define FA_ROOM  "ABCDEF"
#define FA_STEPS 32

typedef struct fa_run {
    deck *deck;
    deck *decks[1];
    game_env env;
    char dir[256];
    char path[512];
    uv_loop_t loop;
    struct evlog *log;
    room *r;
    uint32_t fac, ann, bob;
    int step;
    int retries;     /* steps tried again after an error */
    int done_status; /* of the last evlog callback */
    bool done, closed;
    uint32_t logged; /* events the log confirmed */
    int warnings;
    msgpack_sbuffer packed;
} fa_run;

static inline void fa_msg_begin(msgpack_sbuffer *sb, msgpack_packer *pk, const char *type, uint32_t n_more)
{
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(pk, 2 + n_more);
    msgpack_pack_str_with_body(pk, "t", 1);
    msgpack_pack_str_with_body(pk, type, strlen(type));
    msgpack_pack_str_with_body(pk, "id", 2);
    msgpack_pack_uint32(pk, 1);
}

static inline void fa_kv_str(msgpack_packer *pk, const char *k, const char *v)
{
    msgpack_pack_str_with_body(pk, k, strlen(k));
    msgpack_pack_str_with_body(pk, v, strlen(v));
}

/* The player whose turn it is, and the first card of their hand. */
static inline uint32_t fa_turn(const room *r, char card[GAME_ID_SIZE])
{
    if (!r->n_order)
        return 0;
    uint32_t id = r->order[r->turn % r->n_order];
    const member *m = room_member(r, id);
    if (!m || !m->n_hand)
        return 0;
    snprintf(card, GAME_ID_SIZE, "%s", room_card_id(r, m->hand[0]));
    return id;
}

/* Step i of the script as a client would send it (packed with the hook off), and who sends it. */
static inline bool fa_message(fa_run *x, int i, msgpack_sbuffer *sb, uint32_t *sender)
{
    msgpack_packer pk;
    char card[GAME_ID_SIZE];

    *sender = x->fac;
    switch (i) {
    case 0:
        fa_msg_begin(sb, &pk, "create", 4);
        fa_kv_str(&pk, "room", FA_ROOM);
        fa_kv_str(&pk, "name", "Fien");
        fa_kv_str(&pk, "deck", "test-deck");
        fa_kv_str(&pk, "title", "Studiedag");
        *sender = 0;
        return true;
    case 1:
    case 2:
        fa_msg_begin(sb, &pk, "join", 2);
        fa_kv_str(&pk, "room", FA_ROOM);
        fa_kv_str(&pk, "name", i == 1 ? "Anna" : "Bram");
        *sender = 0;
        return true;
    case 3:
        fa_msg_begin(sb, &pk, "start", 1);
        msgpack_pack_str_with_body(&pk, "opts", 4);
        msgpack_pack_map(&pk, 2);
        fa_kv_str(&pk, "mode", "hands");
        msgpack_pack_str_with_body(&pk, "hand", 4);
        msgpack_pack_uint8(&pk, 3);
        return true;
    case 4:
    case 9:
        *sender = fa_turn(x->r, card);
        fa_msg_begin(sb, &pk, "play", 1);
        fa_kv_str(&pk, "card", card);
        return true;
    case 5:
    case 6:
    case 10:
    case 11:
        *sender = (i % 5 == 0 || i == 10) ? x->ann : x->bob;
        fa_msg_begin(sb, &pk, "vote", 1);
        msgpack_pack_str_with_body(&pk, "value", 5);
        msgpack_pack_uint8(&pk, (uint8_t)(1 + i % 5));
        return true;
    case 7:
        *sender = x->ann;
        fa_msg_begin(sb, &pk, "note", 1);
        fa_kv_str(&pk, "text", "Samen met de gemeente");
        return true;
    case 8:
    case 12: fa_msg_begin(sb, &pk, "next", 0); return true;
    case 13:
        fa_msg_begin(sb, &pk, "close", 2);
        fa_kv_str(&pk, "text", "Goed gesprek.");
        msgpack_pack_str_with_body(&pk, "actions", 7);
        msgpack_pack_array(&pk, 2);
        msgpack_pack_str_with_body(&pk, "Afspraak plannen", 16);
        msgpack_pack_str_with_body(&pk, "Uitnodigen", 10);
        return true;
    default: return false;
    }
}

static inline void fa_on_done(void *ud, int status)
{
    fa_run *x = ud;
    x->done = true;
    x->done_status = status;
}

static inline void fa_on_closed(void *ud)
{
    ((fa_run *)ud)->closed = true;
}

/* The log says once that writes fail and once that they succeed again: kept, not printed. */
static inline void fa_warn(void *ud, const char *line)
{
    fa_run *x = ud;
    x->warnings++;
    (void)line;
}

static inline void fa_run_until(fa_run *x, const bool *flag)
{
    while (!*flag)
        uv_run(&x->loop, UV_RUN_ONCE);
}

/* A room as bytes, to show that a failed step left it as it was. */
static inline void fa_dump(const room *r, msgpack_sbuffer *sb)
{
    bool was = fa_pause();
    tg_dump(r, sb);
    fa_resume(was);
}

static inline void fa_assert_same(const room *r, const msgpack_sbuffer *before)
{
    msgpack_sbuffer now;
    fa_dump(r, &now);
    bool was = fa_pause();
    bool same = now.size == before->size && memcmp(now.data, before->data, now.size) == 0;
    msgpack_sbuffer_destroy(&now);
    fa_resume(was);
    if (!same)
        fail_msg("a failed step changed the room (allocation %ld)", atomic_load(&fa_fail_at));
}

/* The room again from its log, as the server reloads a room whose batch it could not complete. */
static inline room *fa_reload(fa_run *x)
{
    struct evlog_contents c;
    room *r = room_new();
    int rc = evlog_read_file(x->path, false, &c);

    if (!r || (rc != 0 && rc != UV_ENOENT))
        fail_msg("reload: %s after allocation %ld failed", r ? uv_strerror(rc) : "no room", atomic_load(&fa_fail_at));
    for (size_t i = 0; rc == 0 && i < c.count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(&c, i, &len);
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        game_event e;
        char err[256];
        if (msgpack_unpack_next(&up, (const char *)p, len, &off) != MSGPACK_UNPACK_SUCCESS ||
            game_unpack_event(&up.data, &e, err, sizeof err) || game_apply(r, &e))
            fail_msg("reload: record %zu after allocation %ld failed", i + 1, atomic_load(&fa_fail_at));
        game_event_clear(&e);
        msgpack_unpacked_destroy(&up);
    }
    if (rc == 0)
        evlog_contents_free(&c);
    return r;
}

/* Packs the events of one decision back to back, as the server logs them. Returns 0, or -1 when
 * the bytes cannot be trusted. */
static inline int fa_pack(const game_result *res, msgpack_sbuffer *sb, size_t *ends)
{
    msgpack_sbuffer_clear(sb);
    for (uint32_t k = 0; k < res->n_events; k++) {
        if (game_pack_event_sbuffer(&res->events[k], sb))
            return -1;
        ends[k] = sb->size;
    }
    return 0;
}

/* Step i as the server runs it: decode, decide, apply, pack, log. A failure after decide is
 * answered server_busy and the room is loaded again from its log. Returns 1 done, 0 failed with
 * an error (the room as it was: try again), -1 when the script has no step i. */
static inline int fa_step(fa_run *x, int i)
{
    msgpack_sbuffer msg, before;
    uint32_t sender;
    vp_intent in;
    const char *why = NULL;
    int result = 0;

    bool was = fa_pause();
    bool have = fa_message(x, i, &msg, &sender);
    fa_resume(was);
    if (!have)
        return -1;
    fa_dump(x->r, &before);

    vp_code rc = vp_decode((const uint8_t *)msg.data, msg.size, &in, &why);
    if (rc != VP_OK) {
        /* Out of memory is server_busy, never the client's fault. */
        if (rc != VP_SERVER_BUSY)
            fail_msg("step %d: decode said %s (%s) at allocation %ld", i, vp_code_name(rc), why ? why : "",
                     atomic_load(&fa_fail_at));
        fa_at[FA_AT_DECODE]++;
        goto out;
    }

    game_input gi = {.kind = GAME_INPUT_INTENT, .sender = sender, .intent = &in};
    gi.now_ms = 1764324000000ull + (uint64_t)i * 1000;
    for (int k = 0; k < GAME_ENTROPY; k++)
        gi.entropy[k] = (uint8_t)(i * 31 + k);
    game_result res;
    rc = game_decide(x->r, &x->env, &gi, &res);
    if (rc != VP_OK) {
        if (rc != VP_SERVER_BUSY)
            fail_msg("step %d: decide said %s (%s) at allocation %ld", i, vp_code_name(rc), res.msg ? res.msg : "",
                     atomic_load(&fa_fail_at));
        assert_int_equal(res.n_events, 0);
        fa_assert_same(x->r, &before);
        game_result_free(&res);
        fa_at[FA_AT_DECIDE]++;
        goto out;
    }

    bool ok = true;
    for (uint32_t k = 0; k < res.n_events && ok; k++)
        ok = game_apply(x->r, &res.events[k]) == 0;
    if (!ok)
        fa_at[FA_AT_APPLY]++;

    size_t ends[64];
    struct evlog_payload parts[64];
    assert_true(res.n_events <= 64);
    if (ok && fa_pack(&res, &x->packed, ends) != 0) {
        fa_at[FA_AT_PACK]++;
        ok = false;
    }
    if (ok) {
        for (uint32_t k = 0; k < res.n_events; k++) {
            parts[k].bytes = x->packed.data + (k ? ends[k - 1] : 0);
            parts[k].len = ends[k] - (k ? ends[k - 1] : 0);
        }
        x->done = false;
        int err = evlog_appendv(x->log, FA_ROOM, parts, res.n_events, fa_on_done, x);
        if (err == 0) {
            fa_run_until(x, &x->done);
            err = x->done_status;
        }
        if (err && err != UV_ENOMEM)
            fail_msg("step %d: the log said %s at allocation %ld", i, uv_strerror(err), atomic_load(&fa_fail_at));
        ok = err == 0;
        if (!ok)
            fa_at[FA_AT_LOG]++;
    }
    if (!ok) {
        room_free(x->r);
        x->r = fa_reload(x);
        fa_assert_same(x->r, &before);
        game_result_free(&res);
        goto out;
    }
    x->logged += res.n_events;
    if (i == 0)
        x->fac = res.you;
    else if (i == 1)
        x->ann = res.you;
    else if (i == 2)
        x->bob = res.you;
    game_result_free(&res);
    result = 1;
out:
    was = fa_pause();
    msgpack_sbuffer_destroy(&msg);
    msgpack_sbuffer_destroy(&before);
    fa_resume(was);
    return result;
}

static inline void fa_setup(fa_run *x)
{
    memset(x, 0, sizeof *x);
    char err[256];
    if (deck_parse_json(tg_deck_json, sizeof tg_deck_json - 1, "test-deck.json", &x->deck, err, sizeof err))
        fail_msg("deck: %s", err);
    x->decks[0] = x->deck;
    x->env.decks = x->decks;
    x->env.n_decks = 1;
    snprintf(x->dir, sizeof x->dir, "/tmp/verrijk-fault-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    assert_int_equal(evlog_room_path(x->dir, FA_ROOM, x->path, sizeof x->path), 0);
    assert_int_equal(uv_loop_init(&x->loop), 0);
    msgpack_sbuffer_init(&x->packed);
}

static inline void fa_teardown(fa_run *x)
{
    room_free(x->r);
    msgpack_sbuffer_destroy(&x->packed);
    assert_int_equal(uv_loop_close(&x->loop), 0);
    deck_unref(x->deck);
    unlink(x->path);
    rmdir(x->dir);
}

/* The log read back (CRCs checked, nothing repaired) and replayed gives exactly the room. */
static inline void fa_check_log(fa_run *x, const room *want)
{
    struct evlog_contents c;
    int rc = evlog_read_file(x->path, false, &c);
    if (rc == UV_ENOENT) {
        assert_int_equal(x->logged, 0);
        return;
    }
    assert_int_equal(rc, 0);
    if (c.tail != EVLOG_TAIL_CLEAN)
        fail_msg("log tail %d after allocation %ld failed", (int)c.tail, atomic_load(&fa_fail_at));
    assert_int_equal(c.count, x->logged);
    room *copy = room_new();
    assert_non_null(copy);
    for (size_t i = 0; i < c.count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(&c, i, &len);
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        if (msgpack_unpack_next(&up, (const char *)p, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
            fail_msg("record %zu is not one MessagePack object (%zu of %u bytes) after allocation %ld failed", i + 1,
                     off, len, atomic_load(&fa_fail_at));
        game_event e;
        char err[256];
        if (game_unpack_event(&up.data, &e, err, sizeof err))
            fail_msg("record %zu does not decode (%s) after allocation %ld failed", i + 1, err,
                     atomic_load(&fa_fail_at));
        assert_int_equal(game_apply(copy, &e), 0);
        game_event_clear(&e);
        msgpack_unpacked_destroy(&up);
    }
    if (!room_equal(copy, want))
        fail_msg("the log does not replay to the room after allocation %ld failed", atomic_load(&fa_fail_at));
    room_free(copy);
    evlog_contents_free(&c);
}

/* The bytes of a file, read with the hook off. */
static inline void fa_file_bytes(const char *path, msgpack_sbuffer *out)
{
    bool was = fa_pause();
    msgpack_sbuffer_init(out);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        msgpack_sbuffer_write(out, buf, n);
    fclose(f);
    fa_resume(was);
}

/* One whole session with allocation fail_at failing (0: none). Returns the allocations it made;
 * the final room is dumped into *final, and the log's bytes copied into *log, when given. */
static inline long fa_session_log(long fail_at, msgpack_sbuffer *final, msgpack_sbuffer *log)
{
    fa_run x;
    fa_setup(&x);
    atomic_store(&fa_count, 0);
    atomic_store(&fa_failed, 0);
    atomic_store(&fa_fail_at, fail_at);
    atomic_store(&fa_on, true);

    while (!(x.r = room_new())) {
        x.retries++;
        fa_at[FA_AT_OTHER]++;
    }
    struct evlog_options o = {.dir = x.dir, .sync = EVLOG_SYNC_NONE, .warn = fa_warn, .warn_ud = &x};
    int rc;
    while ((rc = evlog_open(&x.loop, &o, &x.log)) != 0) {
        if (rc != UV_ENOMEM || x.retries++ > 0)
            fail_msg("evlog_open: %s at allocation %ld", uv_strerror(rc), fail_at);
        fa_at[FA_AT_OTHER]++;
    }
    for (int i = 0;; i++) {
        int s = fa_step(&x, i);
        if (s < 0)
            break;
        if (s == 0) {
            if (x.retries++ > 0)
                fail_msg("step %d failed again after allocation %ld", i, fail_at);
            i--;
        }
    }
    evlog_close(x.log, fa_on_closed, &x);
    fa_run_until(&x, &x.closed);
    atomic_store(&fa_on, false);
    long made = atomic_load(&fa_count);

    if (fail_at > 0 && fail_at <= made)
        assert_int_equal(atomic_load(&fa_failed), 1);
    assert_int_equal(room_phase(x.r), GAME_CLOSED);
    fa_check_log(&x, x.r);
    if (final)
        tg_dump(x.r, final);
    if (log)
        fa_file_bytes(x.path, log);
    fa_teardown(&x);
    return made;
}

static inline long fa_session(long fail_at, msgpack_sbuffer *final)
{
    return fa_session_log(fail_at, final, NULL);
}

/* Recovery: the room from its log file (read with repair, as at start-up), with the hook armed as
 * set by the caller. Returns the room, or NULL after an error that said it was out of memory. */
static inline room *fa_recover(const char *path)
{
    struct evlog_contents c;
    int rc = evlog_read_file(path, true, &c);
    if (rc != 0) {
        if (rc != UV_ENOMEM)
            fail_msg("recovery read: %s at allocation %ld", uv_strerror(rc), atomic_load(&fa_fail_at));
        return NULL;
    }
    room *r = room_new();
    for (size_t i = 0; r && i < c.count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(&c, i, &len);
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        game_event e;
        char err[256];
        msgpack_unpack_return u = msgpack_unpack_next(&up, (const char *)p, len, &off);
        bool ok = false;
        if (u == MSGPACK_UNPACK_SUCCESS) {
            if (game_unpack_event(&up.data, &e, err, sizeof err) == 0) {
                ok = game_apply(r, &e) == 0;
                game_event_clear(&e);
            } else if (!strstr(err, "out of memory")) {
                fail_msg("recovery: record %zu: %s at allocation %ld", i + 1, err, atomic_load(&fa_fail_at));
            }
        } else if (u != MSGPACK_UNPACK_NOMEM_ERROR) {
            fail_msg("recovery: record %zu: unpack %d at allocation %ld", i + 1, (int)u, atomic_load(&fa_fail_at));
        }
        msgpack_unpacked_destroy(&up);
        if (!ok) {
            room_free(r);
            r = NULL;
        }
    }
    evlog_contents_free(&c);
    return r;
}

#endif
