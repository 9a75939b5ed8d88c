/* vp_scan.h - pre-scan of raw MessagePack bytes, run before msgpack-c's unpacker sees them. */
#ifndef VERRIJK_VP_SCAN_H
#define VERRIJK_VP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the pre-scan learned about one message. */
typedef struct vp_scan_result {
    const char *why; /* the first problem found, or NULL */
    bool has_id;     /* the top-level map held one valid `id` pair */
    uint64_t id;
} vp_scan_result;

/* Walks `len` (at most VP_MAX_MESSAGE) bytes as exactly one MessagePack
 * object without allocating. Returns 0 when the bytes are safe to hand to
 * msgpack-c's unpacker and satisfy the structural rules of SPEC.md §1
 * (counts within the bytes left, nesting at most VP_MAX_DEPTH, no trailing
 * bytes, strict UTF-8 in every str, string keys only, no duplicate keys).
 * Otherwise returns -1 with r->why set to a static sentence. Either way
 * r->has_id/r->id tell whether the top-level map carried a valid `id` that
 * the walk reached before it had to stop. */
int vp_scan(const uint8_t *buf, size_t len, vp_scan_result *r);

/* True when the `len` bytes at `s` are strict UTF-8: no overlong forms,
 * no surrogates, nothing above U+10FFFF. */
bool vp_utf8_valid(const uint8_t *s, size_t len);

#endif
