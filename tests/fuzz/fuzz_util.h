/* fuzz_util: what every fuzz target shares — a check that aborts with a sentence, and MessagePack helpers. */
#ifndef VERRIJK_FUZZ_UTIL_H
#define VERRIJK_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

/* A broken invariant is a finding like a crash: say which and abort, so that
 * libFuzzer saves the input that led here. Never compiled out. */
#define FUZZ_CHECK(cond, ...)                                                                                  \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            fprintf(stderr, "\n==fuzz== invariant broken at %s:%d: %s\n==fuzz== ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                                      \
            fputc('\n', stderr);                                                                               \
            abort();                                                                                           \
        }                                                                                                      \
    } while (0)

/* True when two sbuffers hold the same bytes. */
static inline bool fuzz_same(const msgpack_sbuffer *a, const msgpack_sbuffer *b)
{
    return a->size == b->size && (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

/* Unpacks bytes that our own encoders wrote: they must be exactly one
 * object. Returns the object's type; u must be destroyed by the caller. */
static inline msgpack_object_type fuzz_unpack_one(const char *what, const char *p, size_t len, msgpack_unpacked *u)
{
    size_t off = 0;
    msgpack_unpacked_init(u);
    msgpack_unpack_return rc = msgpack_unpack_next(u, p, len, &off);
    FUZZ_CHECK(rc == MSGPACK_UNPACK_SUCCESS, "%s: our own encoding does not unpack (%d)", what, (int)rc);
    FUZZ_CHECK(off == len, "%s: %zu bytes after the one object", what, len - off);
    return u->data.type;
}

/* The value of a string key in a map object, or NULL. */
static inline const msgpack_object *fuzz_map_get(const msgpack_object *m, const char *key)
{
    size_t kl = strlen(key);
    if (m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == kl && memcmp(k->via.str.ptr, key, kl) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

#endif
