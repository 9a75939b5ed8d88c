/* test_protocol_encode: the protocol library's encoders — default sentences, refusals of non-maps, envelopes, the room-code check. */
#include "test_protocol_util.h"

/* ---- encoders ---- */

static void test_error_without_msg_gets_a_default_sentence(void **state)
{
    msgpack_sbuffer sb;
    msgpack_unpacked up;
    size_t off = 0;
    msgpack_sbuffer_init(&sb);
    msgpack_unpacked_init(&up);
    for (int c = VP_BAD_REQUEST; c < VP_CODE__COUNT; c++) {
        sb.size = 0;
        off = 0;
        assert_int_equal(vp_pack_error(&sb, false, 0, (vp_code)c, NULL), 0);
        assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(up.data.type, MSGPACK_OBJECT_MAP);
        assert_int_equal(up.data.via.map.size, 3);
        const msgpack_object *msg = &up.data.via.map.ptr[2].val;
        assert_int_equal(msg->type, MSGPACK_OBJECT_STR);
        assert_true(msg->via.str.size > 0);
    }
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
}

static void test_pack_ev_refuses_an_event_that_is_not_a_map(void **state)
{
    static const uint8_t array[] = {0x91, 0x01};
    static const uint8_t short_map16[] = {0xde, 0x00};
    static const uint8_t short_map32[] = {0xdf, 0x00, 0x00, 0x00};
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    assert_int_equal(vp_pack_ev(&sb, 1, 2, array, sizeof array), -1);
    assert_int_equal(vp_pack_ev(&sb, 1, 2, short_map16, sizeof short_map16), -1);
    assert_int_equal(vp_pack_ev(&sb, 1, 2, short_map32, sizeof short_map32), -1);
    assert_int_equal(vp_pack_ev(&sb, 1, 2, array, 0), -1);
    assert_int_equal(sb.size, 0);
    msgpack_sbuffer_destroy(&sb);
}

static void test_pack_welcome_refuses_a_view_that_is_not_a_map(void **state)
{
    static const uint8_t nil[] = {0xc0};
    vp_str name = {"Ann", 3}, token = {"0123456789abcdef0123456789abcdef", 32};
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    assert_int_equal(vp_pack_welcome(&sb, false, 0, 1, name, VP_ROLE_PLAYER, token, 120, nil, sizeof nil), -1);
    assert_int_equal(vp_pack_welcome(&sb, false, 0, 1, name, VP_ROLE_PLAYER, token, 120, NULL, 0), -1);
    assert_int_equal(sb.size, 0);
    msgpack_sbuffer_destroy(&sb);
}

/* A server frame carries several maps back to back; each encoder appends
 * exactly one, so a multi-object reader finds them all. */
static void test_envelopes_append_one_map_each(void **state)
{
    static const uint8_t event[] = {0x81, 0xa1, 'e', 0xa4, 'd', 'o', 'n', 'e'};
    msgpack_sbuffer sb;
    msgpack_unpacked up;
    size_t off = 0;
    int maps = 0;
    msgpack_sbuffer_init(&sb);
    assert_int_equal(vp_pack_ev(&sb, 9, 1000, event, sizeof event), 0);
    assert_int_equal(vp_pack_ok(&sb, 3), 0);
    assert_int_equal(vp_pack_pong(&sb, false, 0), 0);
    msgpack_unpacked_init(&up);
    while (off < sb.size) {
        assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(up.data.type, MSGPACK_OBJECT_MAP);
        maps++;
    }
    assert_int_equal(maps, 3);
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
}

/* The one room-code check: exactly VP_ROOM_LEN characters of VP_ROOM_ALPHABET. */
static void test_room_code_valid_takes_only_the_alphabet(void **state)
{
    (void)state;
    assert_true(vp_room_code_valid("ABC234", 6));
    assert_true(vp_room_code_valid(VP_ROOM_ALPHABET, VP_ROOM_LEN));
    assert_false(vp_room_code_valid("ABC23", 5));   /* too short */
    assert_false(vp_room_code_valid("ABC2345", 7)); /* too long */
    assert_false(vp_room_code_valid("abc234", 6));  /* lower case */
    assert_false(vp_room_code_valid("ABC230", 6));  /* 0, 1, I, L, O are not in it */
    assert_false(vp_room_code_valid("ABCI34", 6));
    assert_false(vp_room_code_valid("ABC%34", 6));
    assert_false(vp_room_code_valid("ABC\0"
                                    "34",
                                    6)); /* a NUL inside */
    assert_false(vp_room_code_valid(NULL, 6));
    /* Every character of the alphabet passes, every other byte fails. */
    for (int c = 0; c < 256; c++) {
        char s[VP_ROOM_LEN];

        memset(s, 'A', sizeof(s));
        s[3] = (char)c;
        assert_int_equal(vp_room_code_valid(s, sizeof(s)), c != 0 && strchr(VP_ROOM_ALPHABET, c) != NULL);
    }
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_without_msg_gets_a_default_sentence),
        cmocka_unit_test(test_pack_ev_refuses_an_event_that_is_not_a_map),
        cmocka_unit_test(test_pack_welcome_refuses_a_view_that_is_not_a_map),
        cmocka_unit_test(test_envelopes_append_one_map_each),
        cmocka_unit_test(test_room_code_valid_takes_only_the_alphabet),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
