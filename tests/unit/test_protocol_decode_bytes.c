/* test_protocol_decode_bytes: rules of the decoder the shared vectors cannot show — strings point into the buffer, nothing is read past len, error paths. */
#include "test_protocol_util.h"

/* ---- strings point into the buffer ---- */

static void test_strings_point_into_buffer(void **state)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    vp_intent in;
    const char *why;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 7);
    pack_str(&pk, "t");
    pack_str(&pk, "create");
    pack_str(&pk, "room");
    pack_str(&pk, "K7M2QX");
    pack_str(&pk, "name");
    pack_str(&pk, "Ann");
    pack_str(&pk, "deck");
    pack_str(&pk, "verrijkte-leeromgevingen");
    pack_str(&pk, "title");
    pack_str(&pk, "Teamdag");
    pack_str(&pk, "lang");
    pack_str(&pk, "en");
    pack_str(&pk, "opts");
    msgpack_pack_map(&pk, 1);
    pack_str(&pk, "categories");
    msgpack_pack_array(&pk, 2);
    pack_str(&pk, "vensters");
    pack_str(&pk, "lagen");

    uint8_t *buf = exact_copy(sb.data, sb.size);
    assert_int_equal(vp_decode(buf, sb.size, &in, &why), VP_OK);
    assert_true(inside(in.room, buf, sb.size) && vstr_is(in.room, "K7M2QX"));
    assert_true(inside(in.name, buf, sb.size) && vstr_is(in.name, "Ann"));
    assert_true(inside(in.deck, buf, sb.size) && vstr_is(in.deck, "verrijkte-leeromgevingen"));
    assert_true(inside(in.title, buf, sb.size) && vstr_is(in.title, "Teamdag"));
    assert_int_equal(in.opts.n_categories, 2);
    assert_true(inside(in.opts.categories[0], buf, sb.size) && vstr_is(in.opts.categories[0], "vensters"));
    assert_true(inside(in.opts.categories[1], buf, sb.size) && vstr_is(in.opts.categories[1], "lagen"));
    free(buf);
    msgpack_sbuffer_destroy(&sb);
}

static void test_default_empty_strings_point_into_buffer(void **state)
{
    /* {t:"close"}: text defaults to "", still a non-NULL pointer into buf. */
    static const uint8_t msg[] = {0x81, 0xa1, 't', 0xa5, 'c', 'l', 'o', 's', 'e'};
    vp_intent in;
    uint8_t *buf = exact_copy(msg, sizeof msg);
    assert_int_equal(vp_decode(buf, sizeof msg, &in, NULL), VP_OK);
    assert_int_equal(in.text.len, 0);
    assert_true(inside(in.text, buf, sizeof msg));
    free(buf);
}

static void test_name_points_at_trimmed_bytes(void **state)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    vp_intent in;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    pack_str(&pk, "t");
    pack_str(&pk, "seat");
    pack_str(&pk, "name");
    pack_str(&pk, "   Opa Jan  ");
    uint8_t *buf = exact_copy(sb.data, sb.size);
    assert_int_equal(vp_decode(buf, sb.size, &in, NULL), VP_OK);
    /* The last 12 bytes are the name; the trimmed one starts 3 bytes in. */
    assert_ptr_equal(in.name.ptr, (const char *)buf + sb.size - 12 + 3);
    assert_int_equal(in.name.len, 7);
    free(buf);
    msgpack_sbuffer_destroy(&sb);
}

/* ---- never read past len ---- */

static void test_every_prefix_of_a_valid_message_is_rejected(void **state)
{
    json_t *list = valid_vectors();
    size_t i;
    json_t *hex;
    json_array_foreach (list, i, hex) {
        size_t len;
        uint8_t *whole = hex_bytes(json_string_value(hex), &len);
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *prefix = exact_copy(whole, cut);
            vp_intent in;
            const char *why = NULL;
            vp_code code = vp_decode(prefix, cut, &in, &why);
            if (code != VP_BAD_REQUEST)
                fail_msg("prefix of %zu/%zu bytes of %s: %s", cut, len, json_string_value(hex), vp_code_name(code));
            assert_non_null(why);
            assert_true(why[0] != '\0');
            free(prefix);
        }
        free(whole);
    }
    json_decref(list);
}

static void test_too_large_is_decided_from_len_alone(void **state)
{
    /* A 4-byte buffer claimed to be one byte over the limit: any read
     * beyond 4 bytes would be reported by AddressSanitizer. */
    uint8_t *buf = exact_copy("\x81\xa1\x74\xa0", 4);
    vp_intent in;
    const char *why = NULL;
    assert_int_equal(vp_decode(buf, VP_MAX_MESSAGE + 1, &in, &why), VP_TOO_LARGE);
    assert_false(in.has_id);
    assert_non_null(why);
    assert_int_equal(vp_decode(buf, (size_t)1 << 40, &in, &why), VP_TOO_LARGE);
    free(buf);
}

/* Flips, replaces and truncates bytes of every small valid message: the
 * decoder must answer ok or bad_request (with a reason), never crash, and
 * on ok its strings must still point into the buffer. */
static void test_mutated_messages_never_crash(void **state)
{
    static const uint8_t replacements[] = {0x00, 0x7f, 0x80, 0xc0, 0xc1, 0xc3, 0xca, 0xcf, 0xd3,
                                           0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff};
    json_t *list = valid_vectors();
    size_t i;
    json_t *hex;
    unsigned decoded_ok = 0, rejected = 0;
    json_array_foreach (list, i, hex) {
        size_t len;
        uint8_t *whole = hex_bytes(json_string_value(hex), &len);
        if (len > MUTATE_MAX_LEN) {
            free(whole);
            continue;
        }
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t r = 0; r < sizeof replacements; r++) {
                uint8_t *m = exact_copy(whole, len);
                vp_intent in;
                const char *why = NULL;
                m[pos] = replacements[r];
                vp_code code = vp_decode(m, len, &in, &why);
                if (code == VP_OK) {
                    decoded_ok++;
                    assert_null(why);
                    if (in.t == VP_T_JOIN || in.t == VP_T_CREATE) {
                        assert_true(inside(in.room, m, len));
                        assert_true(inside(in.name, m, len));
                    }
                } else {
                    rejected++;
                    assert_int_equal(code, VP_BAD_REQUEST);
                    assert_non_null(why);
                    assert_true(why[0] != '\0');
                }
                free(m);
            }
        }
        free(whole);
    }
    /* Both outcomes occur, or the mutations test nothing. */
    assert_true(decoded_ok > 0 && rejected > 0);
    json_decref(list);
}

/* ---- error paths ---- */

static void test_failed_decode_keeps_only_the_id(void **state)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    vp_intent in, want;
    const char *why = NULL;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    /* Room and name are fine; the role is what fails, after they were read. */
    msgpack_pack_map(&pk, 5);
    pack_str(&pk, "t");
    pack_str(&pk, "join");
    pack_str(&pk, "id");
    msgpack_pack_uint64(&pk, 42);
    pack_str(&pk, "room");
    pack_str(&pk, "K7M2QX");
    pack_str(&pk, "name");
    pack_str(&pk, "Bob");
    pack_str(&pk, "role");
    pack_str(&pk, "facilitator");
    assert_int_equal(vp_decode((const uint8_t *)sb.data, sb.size, &in, &why), VP_BAD_REQUEST);
    memset(&want, 0, sizeof want);
    want.has_id = true;
    want.id = 42;
    assert_memory_equal(&in, &want, sizeof want);
    assert_non_null(strstr(why, "role"));
    msgpack_sbuffer_destroy(&sb);
}

static void test_error_does_not_depend_on_key_order(void **state)
{
    const char *whys[2];
    for (int order = 0; order < 2; order++) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        vp_intent in;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 4);
        pack_str(&pk, "t");
        pack_str(&pk, "create");
        pack_str(&pk, "deck");
        pack_str(&pk, "d");
        if (order == 0) {
            pack_str(&pk, "room");
            pack_str(&pk, "bad");
            pack_str(&pk, "name");
            pack_str(&pk, "");
        } else {
            pack_str(&pk, "name");
            pack_str(&pk, "");
            pack_str(&pk, "room");
            pack_str(&pk, "bad");
        }
        assert_int_equal(vp_decode((const uint8_t *)sb.data, sb.size, &in, &whys[order]), VP_BAD_REQUEST);
        msgpack_sbuffer_destroy(&sb);
    }
    assert_ptr_equal(whys[0], whys[1]);
    assert_non_null(strstr(whys[0], "room"));
}

static void test_why_names_the_field(void **state)
{
    /* clang-format off */
    static const char *const fields[][3] = {
        /* t, key, a bad value given as a string */
        { "seat", "name", "" },
        { "play", "card", "" },
        { "note", "text", " " },
        { "resume", "token", "XYZ" },
        { "create", "room", "abcdef" },
        { "join", "role", "facilitator" },
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        vp_intent in;
        const char *why = NULL;
        int extra = strcmp(fields[i][0], "create") == 0   ? 2
                    : strcmp(fields[i][0], "resume") == 0 ? 1
                    : strcmp(fields[i][0], "join") == 0   ? 2
                                                          : 0;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 2 + extra);
        pack_str(&pk, "t");
        pack_str(&pk, fields[i][0]);
        pack_str(&pk, fields[i][1]);
        pack_str(&pk, fields[i][2]);
        if (strcmp(fields[i][0], "create") == 0) {
            pack_str(&pk, "name");
            pack_str(&pk, "Ann");
            pack_str(&pk, "deck");
            pack_str(&pk, "d");
        } else if (strcmp(fields[i][0], "resume") == 0) {
            pack_str(&pk, "room");
            pack_str(&pk, "K7M2QX");
        } else if (strcmp(fields[i][0], "join") == 0) {
            pack_str(&pk, "room");
            pack_str(&pk, "K7M2QX");
            pack_str(&pk, "name");
            pack_str(&pk, "Bob");
        }
        assert_int_equal(vp_decode((const uint8_t *)sb.data, sb.size, &in, &why), VP_BAD_REQUEST);
        if (strstr(why, fields[i][1]) == NULL)
            fail_msg("%s.%s: why \"%s\" does not name the field", fields[i][0], fields[i][1], why);
        msgpack_sbuffer_destroy(&sb);
    }
}

static void test_why_may_be_null_and_is_cleared_on_success(void **state)
{
    static const uint8_t ping[] = {0x81, 0xa1, 't', 0xa4, 'p', 'i', 'n', 'g'};
    static const uint8_t bad[] = {0x81, 0xa1, 't', 0xa4, 'p', 'o', 'n', 'g'};
    vp_intent in;
    const char *why = "stale";
    assert_int_equal(vp_decode(bad, sizeof bad, &in, NULL), VP_BAD_REQUEST);
    assert_int_equal(vp_decode(ping, sizeof ping, &in, &why), VP_OK);
    assert_null(why);
    assert_int_equal(in.t, VP_T_PING);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_point_into_buffer),
        cmocka_unit_test(test_default_empty_strings_point_into_buffer),
        cmocka_unit_test(test_name_points_at_trimmed_bytes),
        cmocka_unit_test(test_every_prefix_of_a_valid_message_is_rejected),
        cmocka_unit_test(test_too_large_is_decided_from_len_alone),
        cmocka_unit_test(test_mutated_messages_never_crash),
        cmocka_unit_test(test_failed_decode_keeps_only_the_id),
        cmocka_unit_test(test_error_does_not_depend_on_key_order),
        cmocka_unit_test(test_why_names_the_field),
        cmocka_unit_test(test_why_may_be_null_and_is_cleared_on_success),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
