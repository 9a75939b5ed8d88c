/* test_game_filter_util: what the filter tests share — a room of four, finding an event, the keys of a packed map, the replay of a log. */
#ifndef VERRIJK_TEST_GAME_FILTER_UTIL_H
#define VERRIJK_TEST_GAME_FILTER_UTIL_H

#include "test_game_util.h"

#include "game/stats.h"

static inline void room4(tg *t, const vp_opts *start)
{
    tg_init(t);
    assert_int_equal(tg_create(t), 1);
    assert_int_equal(tg_join(t, "Ann", VP_ROLE_PLAYER), 2);
    assert_int_equal(tg_join(t, "Bob", VP_ROLE_PLAYER), 3);
    assert_int_equal(tg_join(t, "Cat", VP_ROLE_PLAYER), 4);
    assert_int_equal(tg_join(t, "Scr", VP_ROLE_SCREEN), 5);
    assert_int_equal(tg_start_with(t, 1, start), VP_OK);
}

static inline uint32_t event_index(const tg *t, game_event_kind kind)
{
    for (uint32_t i = 0; i < t->res.n_events; i++)
        if (t->res.events[i].kind == kind)
            return i;
    fail_msg("no %s event", game_event_name(kind));
    return 0;
}

static inline bool has_key(tg *t, game_event_kind kind, uint32_t recipient, const char *key)
{
    tg_packed p;
    tg_filtered(t, event_index(t, kind), recipient, &p);
    bool has = mp_get(p.o, key) != NULL;
    tg_packed_free(&p);
    return has;
}

/* The keys of a map, sorted and joined by commas, for exact comparisons. */
static inline int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static inline void keys_of(const msgpack_object *m, char *out, size_t size)
{
    char names[40][40];
    const char *ptrs[40];
    uint32_t n = 0;
    assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
    for (uint32_t i = 0; i < m->via.map.size && n < 40; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        snprintf(names[n], sizeof names[n], "%.*s", (int)k->via.str.size, k->via.str.ptr);
        ptrs[n] = names[n];
        n++;
    }
    qsort(ptrs, n, sizeof *ptrs, cmp_str);
    out[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            strncat(out, ",", size - strlen(out) - 1);
        strncat(out, ptrs[i], size - strlen(out) - 1);
    }
}

/* Packs the whole log for the replay; returns the unpacked events. */
static inline void replay_of(tg *t, tg_packed *out, uint32_t *n)
{
    game_event *events = calloc(t->n_log + 1, sizeof *events);
    size_t off = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    char err[200];
    for (uint32_t i = 0; i < t->n_log; i++) {
        assert_int_equal(msgpack_unpack_next(&up, t->log.data, t->log.size, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(game_unpack_event(&up.data, &events[i], err, sizeof err), 0);
    }
    msgpack_unpacked_destroy(&up);
    game_replay *rp = game_replay_new();
    for (uint32_t i = 0; i < t->n_log; i++)
        assert_int_equal(game_replay_scan(rp, &events[i]), 0);
    msgpack_sbuffer_init(&out->sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out->sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, t->n_log);
    for (uint32_t i = 0; i < t->n_log; i++) {
        game_replay_pack(rp, &events[i], &pk);
        game_event_clear(&events[i]);
    }
    free(events);
    game_replay_free(rp);
    tg_packed_finish(out);
    *n = t->n_log;
}

static inline const msgpack_object *replay_find(const tg_packed *p, const char *e, uint32_t nth)
{
    for (uint32_t i = 0; i < p->o->via.array.size; i++)
        if (mp_str_is(mp_get(&p->o->via.array.ptr[i], "e"), e) && nth-- == 0)
            return &p->o->via.array.ptr[i];
    return NULL;
}

#endif
