/* test_protocol_vectors.c - checks vp_decode and the envelope encoders against protocol/vectors/client.json and server.json, one cmocka test per vector. */
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
#define SERVER_VECTORS VERRIJK_SOURCE_DIR "/protocol/vectors/server.json"

/* More vectors than this means the file is not what we think it is. */
#define VECTORS_MAX 4096

static json_t *load_vectors(const char *path)
{
    json_error_t err;
    /* Some vectors hold U+0000 inside strings (a control character test). */
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &err);
    if (root == NULL) {
        fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
        return NULL;
    }
    return root;
}

/* Decodes lowercase hex into a buffer of exactly the decoded size (at least
 * one byte is allocated so that an empty message still has an address), so
 * that AddressSanitizer catches any read past the message. */
static uint8_t *hex_bytes(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *out;
    assert_true(n % 2 == 0);
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

static json_t *str_json(vp_str s)
{
    return json_stringn(s.ptr, s.len);
}

static void expect_inside(vp_str s, const uint8_t *buf, size_t len)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    assert_non_null(p);
    assert_true(p >= buf && p + s.len <= buf + (len > 0 ? len : 1));
}

/* The decoded intent in the vectors' JSON form (wire names, defaults
 * filled in), so that one json_equal compares every field of its type. */
static json_t *intent_json(const vp_intent *in)
{
    json_t *o = json_object();
    json_object_set_new(o, "t", json_string(vp_type_name(in->t)));
    if (in->has_id)
        json_object_set_new(o, "id", json_integer((json_int_t)in->id));
    switch (in->t) {
    case VP_T_CREATE:
        json_object_set_new(o, "room", str_json(in->room));
        json_object_set_new(o, "name", str_json(in->name));
        json_object_set_new(o, "deck", str_json(in->deck));
        json_object_set_new(o, "title", str_json(in->title));
        json_object_set_new(o, "lang", json_string(vp_lang_name(in->lang)));
        json_object_set_new(o, "tz_offset", json_integer(in->tz_offset));
        break;
    case VP_T_JOIN:
        json_object_set_new(o, "room", str_json(in->room));
        json_object_set_new(o, "name", str_json(in->name));
        json_object_set_new(o, "role", json_string(vp_role_name(in->role)));
        break;
    case VP_T_RESUME:
        json_object_set_new(o, "room", str_json(in->room));
        json_object_set_new(o, "token", str_json(in->token));
        break;
    case VP_T_PLAY: json_object_set_new(o, "card", str_json(in->card)); break;
    case VP_T_DRAW:
        if (in->card.len)
            json_object_set_new(o, "card", str_json(in->card));
        break;
    case VP_T_VOTE:
        json_object_set_new(o, "pass", json_boolean(in->pass));
        if (!in->pass)
            json_object_set_new(o, "value", json_integer((json_int_t)in->value));
        if (in->has_for)
            json_object_set_new(o, "for", json_integer(in->for_player));
        break;
    case VP_T_NOTE: json_object_set_new(o, "text", str_json(in->text)); break;
    case VP_T_HIDE: json_object_set_new(o, "note", json_integer(in->note)); break;
    case VP_T_TIMER: json_object_set_new(o, "seconds", json_integer(in->seconds)); break;
    case VP_T_PAGE: json_object_set_new(o, "page", json_integer(in->page)); break;
    case VP_T_CLOSE: {
        json_t *a = json_array();
        json_object_set_new(o, "text", str_json(in->text));
        for (unsigned i = 0; i < in->n_actions; i++)
            json_array_append_new(a, str_json(in->actions[i]));
        json_object_set_new(o, "actions", a);
        break;
    }
    case VP_T_SEAT: json_object_set_new(o, "name", str_json(in->name)); break;
    case VP_T_HANDOVER:
    case VP_T_KICK: json_object_set_new(o, "player", json_integer(in->player)); break;
    case VP_T_LOCK: json_object_set_new(o, "locked", json_boolean(in->locked)); break;
    case VP_T_WINDOW:
        json_object_set_new(o, "window", json_stringn(in->window.len ? in->window.ptr : "", in->window.len));
        if (in->has_for)
            json_object_set_new(o, "for", json_integer(in->for_player));
        if (in->chair)
            json_object_set_new(o, "chair", json_true());
        break;
    default: break;
    }
    if ((in->t == VP_T_CREATE || in->t == VP_T_START) && in->has_opts) {
        static const char *const set_names[] = {"mode",       "hand",  "anonymous", "auto_reveal", "facilitator_plays",
                                                "categories", "kinds", "audience",  "bookends"};
        const vp_opts *op = &in->opts;
        json_t *opts = json_object(), *cats = json_array(), *set = json_array();
        json_object_set_new(opts, "mode", json_string(vp_mode_name(op->mode)));
        json_object_set_new(opts, "hand", json_integer(op->hand));
        json_object_set_new(opts, "anonymous", json_boolean(op->anonymous));
        json_object_set_new(opts, "auto_reveal", json_boolean(op->auto_reveal));
        json_object_set_new(opts, "facilitator_plays", json_boolean(op->facilitator_plays));
        for (unsigned i = 0; i < op->n_categories; i++)
            json_array_append_new(cats, str_json(op->categories[i]));
        json_object_set_new(opts, "categories", cats);
        json_t *kinds = json_array();
        for (unsigned i = 0; i < op->n_kinds; i++)
            json_array_append_new(kinds, str_json(op->kinds[i]));
        json_object_set_new(opts, "kinds", kinds);
        json_object_set_new(opts, "audience", json_stringn(op->audience.len ? op->audience.ptr : "", op->audience.len));
        json_object_set_new(opts, "bookends", json_boolean(op->bookends));
        for (unsigned i = 0; i < 9; i++)
            if (op->set & (1u << i))
                json_array_append_new(set, json_string(set_names[i]));
        json_object_set_new(o, "opts", opts);
        json_object_set_new(o, "opts_set", set);
    }
    return o;
}

/* Every string of a decoded intent points into the decoded buffer. */
static void expect_strings_inside(const vp_intent *in, const uint8_t *buf, size_t len)
{
    switch (in->t) {
    case VP_T_CREATE:
        expect_inside(in->title, buf, len);
        expect_inside(in->deck, buf, len);
        /* fall through */
    case VP_T_JOIN:
        expect_inside(in->room, buf, len);
        expect_inside(in->name, buf, len);
        break;
    case VP_T_RESUME:
        expect_inside(in->room, buf, len);
        expect_inside(in->token, buf, len);
        break;
    case VP_T_PLAY:
    case VP_T_DRAW: expect_inside(in->card, buf, len); break;
    case VP_T_NOTE:
    case VP_T_CLOSE:
        expect_inside(in->text, buf, len);
        for (unsigned i = 0; i < in->n_actions; i++)
            expect_inside(in->actions[i], buf, len);
        break;
    case VP_T_SEAT: expect_inside(in->name, buf, len); break;
    default: break;
    }
    for (unsigned i = 0; i < in->opts.n_categories; i++)
        expect_inside(in->opts.categories[i], buf, len);
}

static void test_client_vector(void **state)
{
    json_t *v = *state;
    const char *name = json_string_value(json_object_get(v, "name"));
    json_t *expect = json_object_get(v, "expect");
    json_t *want_ok = json_object_get(expect, "ok");
    size_t len;
    uint8_t *buf = hex_bytes(json_string_value(json_object_get(v, "hex")), &len);
    vp_intent in;
    const char *why = NULL;
    vp_code code = vp_decode(buf, len, &in, &why);

    if (want_ok != NULL) {
        if (code != VP_OK)
            fail_msg("%s: expected ok, got %s: %s", name, vp_code_name(code), why);
        json_t *got = intent_json(&in);
        if (!json_equal(got, want_ok)) {
            char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
            char *w = json_dumps(want_ok, JSON_COMPACT | JSON_SORT_KEYS);
            print_error("%s:\n got  %s\n want %s\n", name, g, w);
            free(g);
            free(w);
            json_decref(got);
            free(buf);
            fail();
        }
        json_decref(got);
        expect_strings_inside(&in, buf, len);
    } else {
        const char *want_code = json_string_value(json_object_get(expect, "error"));
        json_t *want_id = json_object_get(expect, "id");
        assert_non_null(want_code);
        if (strcmp(vp_code_name(code), want_code) != 0)
            fail_msg("%s: expected %s, got %s", name, want_code, vp_code_name(code));
        assert_non_null(why);
        assert_true(why[0] != '\0');
        if (want_id != NULL) {
            if (!in.has_id)
                fail_msg("%s: the error should carry id %lld", name, json_integer_value(want_id));
            assert_int_equal(in.id, (uint64_t)json_integer_value(want_id));
        } else if (in.has_id) {
            fail_msg("%s: the error carries id %llu but should carry none", name, (unsigned long long)in.id);
        }
    }
    free(buf);
}

static vp_code code_named(const char *name)
{
    for (int c = 0; c < VP_CODE__COUNT; c++)
        if (strcmp(vp_code_name((vp_code)c), name) == 0)
            return (vp_code)c;
    fail_msg("unknown code %s", name);
    return VP_CODE__COUNT;
}

static vp_role role_named(const char *name)
{
    const vp_role roles[] = {VP_ROLE_FACILITATOR, VP_ROLE_PLAYER, VP_ROLE_SCREEN};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(vp_role_name(roles[i]), name) == 0)
            return roles[i];
    fail_msg("unknown role %s", name);
    return VP_ROLE_PLAYER;
}

static vp_str cstr(const char *s)
{
    vp_str v = {s, (uint32_t)strlen(s)};
    return v;
}

static void test_server_vector(void **state)
{
    json_t *v = *state;
    const char *name = json_string_value(json_object_get(v, "name"));
    json_t *b = json_object_get(v, "build");
    const char *fn = json_string_value(json_object_get(b, "fn"));
    json_t *id = json_object_get(b, "id");
    size_t want_len;
    uint8_t *want = hex_bytes(json_string_value(json_object_get(v, "hex")), &want_len);
    msgpack_sbuffer sb;
    int rc;

    msgpack_sbuffer_init(&sb);
    if (strcmp(fn, "ok") == 0) {
        rc = vp_pack_ok(&sb, (uint64_t)json_integer_value(id));
    } else if (strcmp(fn, "error") == 0) {
        rc = vp_pack_error(&sb, id != NULL, (uint64_t)json_integer_value(id),
                           code_named(json_string_value(json_object_get(b, "code"))),
                           json_string_value(json_object_get(b, "msg")));
    } else if (strcmp(fn, "pong") == 0) {
        rc = vp_pack_pong(&sb, id != NULL, (uint64_t)json_integer_value(id));
    } else if (strcmp(fn, "welcome") == 0) {
        size_t view_len;
        uint8_t *view = hex_bytes(json_string_value(json_object_get(b, "view_hex")), &view_len);
        rc = vp_pack_welcome(&sb, id != NULL, (uint64_t)json_integer_value(id),
                             (uint32_t)json_integer_value(json_object_get(b, "player")),
                             cstr(json_string_value(json_object_get(b, "name"))),
                             role_named(json_string_value(json_object_get(b, "role"))),
                             cstr(json_string_value(json_object_get(b, "token"))),
                             (uint32_t)json_integer_value(json_object_get(b, "away_hold")), view, view_len);
        free(view);
    } else if (strcmp(fn, "ev") == 0) {
        size_t ev_len;
        uint8_t *ev = hex_bytes(json_string_value(json_object_get(b, "event_hex")), &ev_len);
        rc = vp_pack_ev(&sb, (uint64_t)json_integer_value(json_object_get(b, "seq")),
                        (uint64_t)json_integer_value(json_object_get(b, "at")), ev, ev_len);
        free(ev);
    } else {
        fail_msg("%s: unknown encoder %s", name, fn);
        return;
    }
    assert_int_equal(rc, 0);
    if (sb.size != want_len || memcmp(sb.data, want, want_len) != 0) {
        print_error("%s: encoded bytes differ:\n got ", name);
        for (size_t i = 0; i < sb.size; i++)
            print_error("%02x", (unsigned char)sb.data[i]);
        print_error("\n");
        msgpack_sbuffer_destroy(&sb);
        free(want);
        fail();
    }
    msgpack_sbuffer_destroy(&sb);
    free(want);
}

/* One cmocka test per vector, named after it. */
static int run_file(const char *path, const char *group, CMUnitTestFunction fn, size_t min)
{
    json_t *root = load_vectors(path);
    json_t *list = root ? json_object_get(root, "vectors") : NULL;
    size_t n = json_array_size(list);
    struct CMUnitTest *tests;
    int failed;

    if (list == NULL || n < min || n > VECTORS_MAX) {
        fprintf(stderr, "%s: expected %zu to %d vectors, found %zu\n", path, min, VECTORS_MAX, n);
        json_decref(root);
        return 1;
    }
    tests = calloc(n, sizeof *tests);
    if (tests == NULL) {
        json_decref(root);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(list, i);
        tests[i].name = json_string_value(json_object_get(v, "name"));
        tests[i].test_func = fn;
        tests[i].initial_state = v;
    }
    failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    free(tests);
    json_decref(root);
    return failed;
}

int main(void)
{
    int failed = 0;
    /* The floors guard against a truncated or empty vector file passing
     * vacuously. */
    failed += run_file(CLIENT_VECTORS, "client_vectors", test_client_vector, 120);
    failed += run_file(SERVER_VECTORS, "server_vectors", test_server_vector, 8);
    return failed != 0;
}
