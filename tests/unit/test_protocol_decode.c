/* test_protocol_decode.c - rules of the protocol library that the shared vectors cannot show: where strings point, reading nothing past len, error paths, encoder edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "verrijk/protocol.h"

#define CLIENT_VECTORS VERRIJK_SOURCE_DIR "/protocol/vectors/client.json"

/* Mutation test bounds: messages up to this size get every byte mutated. */
#define MUTATE_MAX_LEN 2048

/* ---- helpers ---- */

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(msgpack_pack_str(pk, n), 0);
    assert_int_equal(msgpack_pack_str_body(pk, s, n), 0);
}

/* Copies the packed message into a buffer of exactly its size, so that
 * AddressSanitizer reports any read past the end. */
static uint8_t *exact_copy(const void *data, size_t len)
{
    uint8_t *p = malloc(len > 0 ? len : 1);
    assert_non_null(p);
    if (len > 0)
        memcpy(p, data, len);
    return p;
}

static bool inside(vp_str s, const uint8_t *buf, size_t len)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    return p != NULL && p >= buf && p + s.len <= buf + len;
}

static bool vstr_is(vp_str s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

static uint8_t *hex_bytes(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *out;
    *len = n / 2;
    out = malloc(*len > 0 ? *len : 1);
    assert_non_null(out);
    for (size_t i = 0; i < *len; i++) {
        unsigned byte;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
        out[i] = (uint8_t)byte;
    }
    return out;
}

/* The messages of every vector that decodes, as hex strings. */
static json_t *valid_vectors(void)
{
    json_error_t err;
    json_t *root = json_load_file(CLIENT_VECTORS, JSON_ALLOW_NUL, &err);
    json_t *out = json_array();
    size_t i;
    json_t *v;
    assert_non_null(root);
    json_array_foreach (json_object_get(root, "vectors"), i, v) {
        if (json_object_get(json_object_get(v, "expect"), "ok") != NULL)
            json_array_append(out, json_object_get(v, "hex"));
    }
    json_decref(root);
    assert_true(json_array_size(out) >= 50);
    return out;
}

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
        cmocka_unit_test(test_create_without_opts_gets_default_opts),
        cmocka_unit_test(test_start_without_opts_gets_default_opts),
        cmocka_unit_test(test_many_distinct_keys_decode_and_one_duplicate_is_found),
        cmocka_unit_test(test_ignored_values_of_every_msgpack_format_are_skipped),
        cmocka_unit_test(test_prescan_depth_limit_equals_the_unpackers),
        cmocka_unit_test(test_names_are_total_and_distinct),
        cmocka_unit_test(test_error_without_msg_gets_a_default_sentence),
        cmocka_unit_test(test_pack_ev_refuses_an_event_that_is_not_a_map),
        cmocka_unit_test(test_pack_welcome_refuses_a_view_that_is_not_a_map),
        cmocka_unit_test(test_envelopes_append_one_map_each),
        cmocka_unit_test(test_room_code_valid_takes_only_the_alphabet),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
