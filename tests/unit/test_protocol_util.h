/* test_protocol_util: what the protocol library's tests share — packing, exact copies, hex, and the valid client vectors. */
#ifndef VERRIJK_TEST_PROTOCOL_UTIL_H
#define VERRIJK_TEST_PROTOCOL_UTIL_H

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

static inline void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(msgpack_pack_str(pk, n), 0);
    assert_int_equal(msgpack_pack_str_body(pk, s, n), 0);
}

/* Copies the packed message into a buffer of exactly its size, so that
 * AddressSanitizer reports any read past the end. */
static inline uint8_t *exact_copy(const void *data, size_t len)
{
    uint8_t *p = malloc(len > 0 ? len : 1);
    assert_non_null(p);
    if (len > 0)
        memcpy(p, data, len);
    return p;
}

static inline bool inside(vp_str s, const uint8_t *buf, size_t len)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    return p != NULL && p >= buf && p + s.len <= buf + len;
}

static inline bool vstr_is(vp_str s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

static inline uint8_t *hex_bytes(const char *hex, size_t *len)
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
static inline json_t *valid_vectors(void)
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

#endif
