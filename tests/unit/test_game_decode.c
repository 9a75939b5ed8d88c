/* test_game_decode: events read back from a log are validated; a damaged event is refused or applied without harm. */
#include "test_game_util.h"

/* A short session with a bit of everything, deterministic. */
static void session(tg *t)
{
    tg_init(t);
    tg_create(t);
    tg_join(t, "Ann", VP_ROLE_PLAYER);
    tg_join(t, "Bob", VP_ROLE_PLAYER);
    tg_join(t, "Scr", VP_ROLE_SCREEN);
    uint32_t sid = tg_seat(t, 1, "Sid");
    vp_intent timer = {.t = VP_T_TIMER, .seconds = 60};
    tg_do(t, 1, &timer);
    tg_start(t, 1);
    tg_play_first(t, t->r->turn);
    tg_vote(t, 2, 4);
    tg_vote_for(t, 1, sid, -1);
    tg_note(t, 3, "a note");
    tg_vote(t, 3, 2);
    tg_simple(t, 1, VP_T_REVOTE);
    tg_vote(t, 3, 5);
    tg_simple(t, 1, VP_T_NEXT);
    tg_simple(t, 1, VP_T_SKIP);
    tg_offline(t, 2);
    tg_join(t, "Late", VP_ROLE_PLAYER);
    tg_target(t, 1, VP_T_KICK, 3);
    tg_target(t, 1, VP_T_HANDOVER, 2);
    tg_hide(t, 2, 1);
    vp_intent close = {.t = VP_T_CLOSE, .text = S("end"), .n_actions = 1};
    close.actions[0] = S("act");
    tg_do(t, 2, &close);
}

/* Values to put in place of a field. */
static void replacement(uint32_t k, msgpack_object *o)
{
    memset(o, 0, sizeof *o);
    switch (k) {
    case 0: o->type = MSGPACK_OBJECT_NIL; break;
    case 1:
        o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
        o->via.i64 = -1;
        break;
    case 2:
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = 0;
        break;
    case 3:
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = UINT64_C(1) << 40;
        break;
    case 4:
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = 7;
        break;
    case 5:
        o->type = MSGPACK_OBJECT_STR;
        o->via.str.ptr = "zz";
        o->via.str.size = 2;
        break;
    case 6: o->type = MSGPACK_OBJECT_ARRAY; break;
    case 7: o->type = MSGPACK_OBJECT_MAP; break;
    case 8:
        o->type = MSGPACK_OBJECT_BOOLEAN;
        o->via.boolean = true;
        break;
    default:
        o->type = MSGPACK_OBJECT_FLOAT64;
        o->via.f64 = 1.5;
        break;
    }
}
#define REPLACEMENTS 10

/* Rebuilds the room from the first n events of the log. */
static room *rebuild(const tg *t, uint32_t n)
{
    room *r = room_new();
    size_t off = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(msgpack_unpack_next(&up, t->log.data, t->log.size, &off), MSGPACK_UNPACK_SUCCESS);
        game_event e;
        char err[200];
        assert_int_equal(game_unpack_event(&up.data, &e, err, sizeof err), 0);
        assert_int_equal(game_apply(r, &e), 0);
        game_event_clear(&e);
    }
    msgpack_unpacked_destroy(&up);
    return r;
}

static void test_damaged_events_are_refused_or_harmless(void **state)
{
    (void)state;
    tg t;
    session(&t);
    size_t off = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    uint32_t refused = 0, accepted = 0;
    for (uint32_t i = 0; i < t.n_log; i++) {
        assert_int_equal(msgpack_unpack_next(&up, t.log.data, t.log.size, &off), MSGPACK_UNPACK_SUCCESS);
        msgpack_object *map = &up.data;
        room *before = rebuild(&t, i);
        for (uint32_t f = 0; f <= map->via.map.size; f++) {
            for (uint32_t k = 0; k < REPLACEMENTS; k++) {
                /* f == size: drop the last field instead of replacing one. */
                msgpack_object_kv saved = {0};
                uint32_t size = map->via.map.size;
                if (f < size) {
                    saved = map->via.map.ptr[f];
                    replacement(k, &map->via.map.ptr[f].val);
                } else if (k == 0) {
                    map->via.map.size = size - 1;
                } else {
                    continue;
                }
                game_event e;
                char err[200];
                int rc = game_unpack_event(map, &e, err, sizeof err);
                if (f < size)
                    map->via.map.ptr[f] = saved;
                map->via.map.size = size;
                if (rc) {
                    assert_true(strlen(err) > 0);
                    refused++;
                    continue;
                }
                accepted++;
                /* It decoded: applying it either fits or is refused with
                 * the state untouched; and it packs again. */
                msgpack_sbuffer a, b;
                tg_dump(before, &a);
                if (game_apply(before, &e) == 0) {
                    room_free(before);
                    before = rebuild(&t, i);
                } else {
                    tg_dump(before, &b);
                    assert_int_equal(a.size, b.size);
                    assert_memory_equal(a.data, b.data, a.size);
                    msgpack_sbuffer_destroy(&b);
                }
                msgpack_sbuffer_destroy(&a);
                msgpack_sbuffer sb;
                msgpack_packer pk;
                msgpack_sbuffer_init(&sb);
                msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
                game_pack_event(&e, &pk);
                msgpack_sbuffer_destroy(&sb);
                game_event_clear(&e);
            }
        }
        room_free(before);
    }
    msgpack_unpacked_destroy(&up);
    assert_true(refused > accepted);
    tg_free(&t);
}

static void test_event_with_unknown_name_is_refused(void **state)
{
    (void)state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 3);
    game_pack_str(&pk, "seq");
    msgpack_pack_uint64(&pk, 1);
    game_pack_str(&pk, "at");
    msgpack_pack_uint64(&pk, 1);
    game_pack_str(&pk, "e");
    game_pack_str(&pk, "exploded");
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    game_event e;
    char err[200];
    assert_int_equal(game_unpack_event(&up.data, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown"));
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
}

static void test_rebuilt_room_equals_live_after_whole_session(void **state)
{
    (void)state;
    tg t;
    session(&t);
    assert_int_equal(room_phase(t.r), GAME_CLOSED);
    room *r = rebuild(&t, t.n_log);
    assert_true(room_equal(r, t.r));
    room_free(r);
    assert_true(tg_rebuild_equal(&t));
    tg_free(&t);
}

/* A pairs function with an optional key, as the event packers have. */
static void two_or_three_pairs(game_map *m, const void *ctx)
{
    const bool *third = ctx;
    game_map_key(m, "a");
    msgpack_pack_uint32(m->pk, 1);
    game_map_key(m, "b");
    game_pack_str(m->pk, "two");
    if (*third) {
        game_map_key(m, "c");
        msgpack_pack_nil(m->pk);
    }
}

static void test_map_size_is_the_number_of_pairs_packed(void **state)
{
    (void)state;
    for (int third = 0; third <= 1; third++) {
        bool b = third;
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        game_pack_map(&pk, two_or_three_pairs, &b);
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
        /* One map, all of the bytes: the counting run packed nothing. */
        assert_int_equal(off, sb.size);
        assert_int_equal(up.data.type, MSGPACK_OBJECT_MAP);
        assert_int_equal(up.data.via.map.size, third ? 3 : 2);
        msgpack_unpacked_destroy(&up);
        msgpack_sbuffer_destroy(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_events_are_refused_or_harmless),
        cmocka_unit_test(test_event_with_unknown_name_is_refused),
        cmocka_unit_test(test_map_size_is_the_number_of_pairs_packed),
        cmocka_unit_test(test_rebuilt_room_equals_live_after_whole_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
