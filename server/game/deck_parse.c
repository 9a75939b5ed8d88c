/* deck_parse: a deck from JSON or from MessagePack, both through one validator; the deck as JSON again. */
#include "game/deck_internal.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* A MessagePack deck is turned into a jansson tree first, so that both forms
 * go through the one validator (deck_check.c) and cannot drift apart. The
 * deck's own layout is five levels deep; anything deeper is refused before
 * recursing. */
#define DECK_MSGPACK_DEPTH_MAX 8

int deck_parse_json(const char *json, size_t len, const char *source, deck **out, char *err, size_t errlen)
{
    deck_check c = {source ? source : "deck", err, errlen, 1};
    if (len > DECK_SOURCE_MAX)
        return deck_fail(&c, "", "a deck file is at most %u bytes, got %zu", DECK_SOURCE_MAX, len);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char where[DECK_PATH_MAX];
        deck_path(where, "line %d, column %d", jerr.line, jerr.column);
        return deck_fail(&c, where, "invalid JSON: %s", jerr.text);
    }
    int rc = deck_from_json(&c, root, out);
    json_decref(root);
    return rc;
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF)
 * and no NUL, the same rules jansson applies to a deck file. */
static bool deck_utf8_ok(const char *s, size_t len)
{
    /* msgpack-c gives an empty string a NULL pointer: no arithmetic on it. */
    if (len == 0)
        return true;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned char b = *p;
        if (b == 0)
            return false;
        if (b < 0x80) {
            p++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 2;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 3;
            cp = b & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

/* Converts a MessagePack object to a jansson tree; NULL (with a message)
 * for what no deck can contain. */
static json_t *deck_msgpack_to_json(deck_check *c, const msgpack_object *o, int depth)
{
    if (depth > DECK_MSGPACK_DEPTH_MAX) {
        deck_report(c, "", "nested deeper than %d levels", DECK_MSGPACK_DEPTH_MAX);
        return NULL;
    }
    json_t *v = NULL;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: v = json_null(); break;
    case MSGPACK_OBJECT_BOOLEAN: v = json_boolean(o->via.boolean); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX) {
            deck_report(c, "", "integer out of range");
            return NULL;
        }
        v = json_integer((json_int_t)o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: v = json_integer((json_int_t)o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: v = json_real(o->via.f64); break;
    case MSGPACK_OBJECT_STR:
        if (!deck_utf8_ok(o->via.str.ptr, o->via.str.size)) {
            deck_report(c, "", "a string is not valid UTF-8 or contains NUL");
            return NULL;
        }
        v = json_stringn_nocheck(o->via.str.size ? o->via.str.ptr : "", o->via.str.size);
        break;
    case MSGPACK_OBJECT_ARRAY:
        v = json_array();
        for (uint32_t i = 0; v && i < o->via.array.size; i++) {
            json_t *item = deck_msgpack_to_json(c, &o->via.array.ptr[i], depth + 1);
            if (!item || json_array_append_new(v, item) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        break;
    case MSGPACK_OBJECT_MAP:
        v = json_object();
        for (uint32_t i = 0; v && i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            if (k->type != MSGPACK_OBJECT_STR || k->via.str.size == 0 ||
                !deck_utf8_ok(k->via.str.ptr, k->via.str.size)) {
                deck_report(c, "", "a map key is not a valid, non-empty string");
                json_decref(v);
                return NULL;
            }
            if (json_object_getn(v, k->via.str.ptr, k->via.str.size)) {
                deck_report(c, "", "duplicate key \"%.*s\"", (int)(k->via.str.size > 32 ? 32 : k->via.str.size),
                            k->via.str.ptr);
                json_decref(v);
                return NULL;
            }
            json_t *item = deck_msgpack_to_json(c, &o->via.map.ptr[i].val, depth + 1);
            if (!item || json_object_setn_new_nocheck(v, k->via.str.ptr, k->via.str.size, item) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        break;
    default: deck_report(c, "", "binary or extension values are not part of a deck"); return NULL;
    }
    if (!v)
        deck_report(c, "", "out of memory");
    return v;
}

int deck_parse_msgpack(const msgpack_object *o, deck **out, char *err, size_t errlen)
{
    deck_check c = {"deck", err, errlen, 1};
    json_t *root = deck_msgpack_to_json(&c, o, 0);
    if (!root)
        return -1;
    int rc = deck_from_json(&c, root, out);
    json_decref(root);
    return rc;
}

/* The JSON is the canonical MessagePack read back: one layout for both
 * forms, so the served JSON cannot drift from what the hash covers. */
int deck_to_json(const deck *d, char **out, size_t *len)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    char *s = NULL;
    if (msgpack_unpack_next(&u, (const char *)d->packed, d->packed_len, NULL) == MSGPACK_UNPACK_SUCCESS) {
        deck_check c = {"deck", NULL, 0, d->format};
        json_t *root = deck_msgpack_to_json(&c, &u.data, 0);
        if (root)
            s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(root);
    }
    msgpack_unpacked_destroy(&u);
    if (!s)
        return -1;
    *out = s;
    *len = strlen(s);
    return 0;
}
