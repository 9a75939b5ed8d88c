/* test_protocol_decode_keys: the decoder's defaults, its pre-scan of keys (duplicates, skipped values, depth) and the names of types. */
#include "test_protocol_util.h"

/* ---- defaults ---- */

static void expect_default_opts(const vp_opts *o)
{
    assert_int_equal(o->set, 0);
    assert_int_equal(o->mode, VP_MODE_HANDS);
    assert_int_equal(o->hand, 3);
    assert_false(o->anonymous);
    assert_true(o->auto_reveal);
    assert_false(o->facilitator_plays);
    assert_int_equal(o->n_categories, 0);
}

static void test_create_without_opts_gets_default_opts(void **state)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    vp_intent in;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4);
    pack_str(&pk, "t");
    pack_str(&pk, "create");
    pack_str(&pk, "room");
    pack_str(&pk, "K7M2QX");
    pack_str(&pk, "name");
    pack_str(&pk, "Ann");
    pack_str(&pk, "deck");
    pack_str(&pk, "d");
    assert_int_equal(vp_decode((const uint8_t *)sb.data, sb.size, &in, NULL), VP_OK);
    assert_false(in.has_opts);
    expect_default_opts(&in.opts);
    assert_int_equal(in.lang, VP_LANG_NL);
    assert_int_equal(in.tz_offset, 0);
    assert_int_equal(in.title.len, 0);
    msgpack_sbuffer_destroy(&sb);
}

static void test_start_without_opts_gets_default_opts(void **state)
{
    static const uint8_t msg[] = {0x81, 0xa1, 't', 0xa5, 's', 't', 'a', 'r', 't'};
    vp_intent in;
    assert_int_equal(vp_decode(msg, sizeof msg, &in, NULL), VP_OK);
    assert_false(in.has_opts);
    expect_default_opts(&in.opts);
}

/* ---- the pre-scan ---- */

static void test_many_distinct_keys_decode_and_one_duplicate_is_found(void **state)
{
    /* About 3000 three-byte keys: near the size limit, enough that a
     * quadratic duplicate check would show, and within 16 KiB. */
    enum { N_KEYS = 3000 };
    for (int dup = 0; dup < 2; dup++) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        vp_intent in;
        const char *why = NULL;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, N_KEYS + 1);
        pack_str(&pk, "t");
        pack_str(&pk, "ping");
        for (int i = 0; i < N_KEYS; i++) {
            char key[4];
            int k = (dup && i == N_KEYS - 1) ? 1234 : i;
            key[0] = (char)('A' + k / 676);
            key[1] = (char)('a' + (k / 26) % 26);
            key[2] = (char)('a' + k % 26);
            key[3] = '\0';
            pack_str(&pk, key);
            msgpack_pack_nil(&pk);
        }
        assert_true(sb.size <= VP_MAX_MESSAGE);
        vp_code code = vp_decode((const uint8_t *)sb.data, sb.size, &in, &why);
        if (dup) {
            assert_int_equal(code, VP_BAD_REQUEST);
            assert_non_null(strstr(why, "same key"));
        } else {
            assert_int_equal(code, VP_OK);
        }
        msgpack_sbuffer_destroy(&sb);
    }
}

static void test_ignored_values_of_every_msgpack_format_are_skipped(void **state)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    vp_intent in;
    const char *why = NULL;
    char big[300];
    memset(big, 'x', sizeof big);

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 17);
    pack_str(&pk, "t");
    pack_str(&pk, "ping");
    pack_str(&pk, "a");
    msgpack_pack_float(&pk, 1.5f);
    pack_str(&pk, "b");
    msgpack_pack_double(&pk, -2.25);
    pack_str(&pk, "c");
    msgpack_pack_int64(&pk, INT64_MIN);
    pack_str(&pk, "d");
    msgpack_pack_uint64(&pk, UINT64_MAX);
    pack_str(&pk, "e");
    msgpack_pack_int16(&pk, -300);
    pack_str(&pk, "f");
    msgpack_pack_ext(&pk, 16, 7);
    msgpack_pack_ext_body(&pk, "0123456789abcdef", 16);
    pack_str(&pk, "g");
    msgpack_pack_ext(&pk, 300, 9);
    msgpack_pack_ext_body(&pk, big, 300);
    pack_str(&pk, "h");
    msgpack_pack_bin(&pk, 300);
    msgpack_pack_bin_body(&pk, big, 300);
    pack_str(&pk, "i");
    msgpack_pack_str(&pk, 300);
    msgpack_pack_str_body(&pk, big, 300);
    pack_str(&pk, "j");
    msgpack_pack_array(&pk, 20);
    for (int k = 0; k < 20; k++)
        msgpack_pack_true(&pk);
    pack_str(&pk, "k");
    msgpack_pack_map(&pk, 0);
    pack_str(&pk, "l");
    msgpack_pack_nil(&pk);
    pack_str(&pk, "m");
    msgpack_pack_false(&pk);
    pack_str(&pk, "n");
    msgpack_pack_ext(&pk, 1, -1);
    msgpack_pack_ext_body(&pk, "z", 1);
    pack_str(&pk, "o");
    msgpack_pack_ext(&pk, 8, -1);
    msgpack_pack_ext_body(&pk, "12345678", 8);
    pack_str(&pk, "p");
    msgpack_pack_int8(&pk, -100);
    assert_int_equal(vp_decode((const uint8_t *)sb.data, sb.size, &in, &why), VP_OK);
    assert_int_equal(in.t, VP_T_PING);
    msgpack_sbuffer_destroy(&sb);
}

/* The pre-scan's depth limit is the unpacker's own: msgpack-c takes 32
 * levels and fails on 33, so nothing the pre-scan passes can trip it. */
static void test_prescan_depth_limit_equals_the_unpackers(void **state)
{
    for (int levels = VP_MAX_DEPTH; levels <= VP_MAX_DEPTH + 1; levels++) {
        uint8_t msg[64];
        size_t len = 0;
        msgpack_unpacked up;
        size_t off = 0;
        vp_intent in;
        /* {t:"ping", x:[[...]]}: the map is level 1, the arrays the rest. */
        static const uint8_t head[] = {0x82, 0xa1, 't', 0xa4, 'p', 'i', 'n', 'g', 0xa1, 'x'};
        memcpy(msg, head, sizeof head);
        len = sizeof head;
        for (int i = 1; i < levels; i++)
            msg[len++] = 0x91;
        msg[len++] = 0x01;
        assert_true(len <= sizeof msg);

        msgpack_unpacked_init(&up);
        int rc = msgpack_unpack_next(&up, (const char *)msg, len, &off);
        msgpack_unpacked_destroy(&up);
        if (levels <= VP_MAX_DEPTH) {
            assert_int_equal(rc, MSGPACK_UNPACK_SUCCESS);
            assert_int_equal(vp_decode(msg, len, &in, NULL), VP_OK);
        } else {
            assert_int_not_equal(rc, MSGPACK_UNPACK_SUCCESS);
            assert_int_equal(vp_decode(msg, len, &in, NULL), VP_BAD_REQUEST);
        }
    }
}

/* ---- names ---- */

static void test_names_are_total_and_distinct(void **state)
{
    for (int a = 0; a < VP_CODE__COUNT; a++) {
        assert_non_null(vp_code_name((vp_code)a));
        assert_string_not_equal(vp_code_name((vp_code)a), "unknown");
        for (int b = 0; b < a; b++)
            assert_string_not_equal(vp_code_name((vp_code)a), vp_code_name((vp_code)b));
    }
    for (int a = 0; a < VP_T__COUNT; a++) {
        assert_non_null(vp_type_name((vp_type)a));
        assert_string_not_equal(vp_type_name((vp_type)a), "unknown");
        for (int b = 0; b < a; b++)
            assert_string_not_equal(vp_type_name((vp_type)a), vp_type_name((vp_type)b));
    }
    assert_string_equal(vp_code_name(VP_CODE__COUNT), "unknown");
    assert_string_equal(vp_type_name(VP_T__COUNT), "unknown");
    assert_string_equal(vp_role_name(VP_ROLE_FACILITATOR), "facilitator");
    assert_string_equal(vp_mode_name(VP_MODE_DECK), "deck");
    assert_string_equal(vp_lang_name(VP_LANG_EN), "en");
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_without_opts_gets_default_opts),
        cmocka_unit_test(test_start_without_opts_gets_default_opts),
        cmocka_unit_test(test_many_distinct_keys_decode_and_one_duplicate_is_found),
        cmocka_unit_test(test_ignored_values_of_every_msgpack_format_are_skipped),
        cmocka_unit_test(test_prescan_depth_limit_equals_the_unpackers),
        cmocka_unit_test(test_names_are_total_and_distinct),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
