/* vp_scan.c - a bounded recursive-descent walk over raw MessagePack bytes that rejects what must never reach the unpacker. */
#include "vp_scan.h"

#include <string.h>

#include "verrijk/protocol.h"

/* Every key and every value takes at least one byte, so one message holds
 * at most this many keys; the walk keeps the keys of the maps still open on
 * a stack of that size and needs no allocation. */
#define SCAN_KEYS_MAX (VP_MAX_MESSAGE / 2)

/* A key is remembered as its offset in the buffer (high half) and its
 * length (low half); both are below VP_MAX_MESSAGE, which fits 16 bits. */
typedef uint32_t scan_key;

typedef struct scan {
    const uint8_t *buf;
    const uint8_t *p;
    const uint8_t *end;
    vp_scan_result *r;
    unsigned n_id; /* `id` keys seen in the top-level map */
    size_t n_keys;
    scan_key keys[SCAN_KEYS_MAX];
} scan;

/* Records the first problem; later ones are not reported. */
static void scan_note(scan *s, const char *why)
{
    if (s->r->why == NULL)
        s->r->why = why;
}

static size_t scan_left(const scan *s)
{
    return (size_t)(s->end - s->p);
}

static uint64_t scan_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

bool vp_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        unsigned need;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false; /* a continuation byte, 0xc0/0xc1 or 0xf5.. */
        }
        if (len - i - 1 < need)
            return false;
        for (unsigned k = 1; k <= need; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

static int scan_key_cmp(const scan *s, scan_key a, scan_key b)
{
    uint32_t la = a & 0xffff, lb = b & 0xffff;
    if (la != lb)
        return la < lb ? -1 : 1;
    return memcmp(s->buf + (a >> 16), s->buf + (b >> 16), la);
}

/* Heapsort, because qsort offers no context pointer and a map may hold
 * thousands of keys (quadratic comparison would let one message burn CPU). */
static void scan_sift(const scan *s, scan_key *k, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && scan_key_cmp(s, k[child], k[child + 1]) < 0)
            child++;
        if (scan_key_cmp(s, k[root], k[child]) >= 0)
            return;
        scan_key t = k[root];
        k[root] = k[child];
        k[child] = t;
        root = child;
    }
}

static bool scan_has_duplicate(const scan *s, scan_key *k, size_t n)
{
    if (n < 2)
        return false;
    for (size_t i = n / 2; i-- > 0;)
        scan_sift(s, k, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        scan_key t = k[0];
        k[0] = k[end];
        k[end] = t;
        scan_sift(s, k, 0, end);
    }
    for (size_t i = 1; i < n; i++)
        if (scan_key_cmp(s, k[i - 1], k[i]) == 0)
            return true;
    return false;
}

/* Reads the top-level `id` value at s->p without consuming it: a uint (or
 * a signed int with a non-negative value) up to VP_ID_MAX. */
static void scan_peek_id(scan *s)
{
    size_t left = scan_left(s);
    const uint8_t *p = s->p;
    uint64_t v;
    if (left < 1)
        return;
    if (p[0] <= 0x7f) {
        v = p[0];
    } else if (p[0] >= 0xcc && p[0] <= 0xcf) {
        unsigned n = 1u << (p[0] - 0xcc);
        if (left < 1 + n)
            return;
        v = scan_be(p + 1, n);
    } else if (p[0] >= 0xd0 && p[0] <= 0xd3) {
        unsigned n = 1u << (p[0] - 0xd0);
        if (left < 1 + n || (p[1] & 0x80))
            return;
        v = scan_be(p + 1, n);
    } else {
        return;
    }
    if (v > VP_ID_MAX)
        return;
    s->r->has_id = true;
    s->r->id = v;
}

static int scan_value(scan *s, unsigned depth);

/* Walks n key/value pairs of a map at `depth` (the map's own level). */
static int scan_map(scan *s, uint64_t n, unsigned depth)
{
    size_t base = s->n_keys;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t c;
        if (scan_left(s) < 1) {
            scan_note(s, "message is truncated");
            return -1;
        }
        c = s->p[0];
        bool is_str = (c >= 0xa0 && c <= 0xbf) || (c >= 0xd9 && c <= 0xdb);
        const uint8_t *key_start = s->p;
        if (!is_str)
            scan_note(s, "every map key must be a string");
        if (scan_value(s, depth) != 0)
            return -1;
        if (is_str) {
            /* fixstr: 1 header byte; str8/16/32: 1 + 1/2/4 length bytes. */
            unsigned hdr = c <= 0xbf ? 1u : c == 0xd9 ? 2u : c == 0xda ? 3u : 5u;
            const uint8_t *k = key_start + hdr;
            size_t klen = (size_t)(s->p - k);
            if (s->n_keys == SCAN_KEYS_MAX) {
                scan_note(s, "message has too many keys");
                return -1;
            }
            s->keys[s->n_keys++] = ((scan_key)(k - s->buf) << 16) | (scan_key)klen;
            if (depth == 1 && klen == 2 && memcmp(k, "id", 2) == 0) {
                if (++s->n_id == 1)
                    scan_peek_id(s);
                else
                    s->r->has_id = false;
            }
        }
        if (scan_value(s, depth) != 0)
            return -1;
    }
    if (scan_has_duplicate(s, s->keys + base, s->n_keys - base))
        scan_note(s, "a map has the same key twice");
    s->n_keys = base;
    return 0;
}

/* Consumes `n` bytes of payload; a shortfall is truncation. */
static int scan_skip(scan *s, uint64_t n)
{
    if (scan_left(s) < n) {
        scan_note(s, "message is truncated");
        return -1;
    }
    s->p += n;
    return 0;
}

/* Reads an n-byte big-endian length or count that follows the type byte. */
static int scan_len(scan *s, unsigned n, uint64_t *out)
{
    if (scan_left(s) < n) {
        scan_note(s, "message is truncated");
        return -1;
    }
    *out = scan_be(s->p, n);
    s->p += n;
    return 0;
}

/* Walks one value that sits inside `depth` containers. Returns -1 when the
 * walk cannot go on (soft problems such as bad UTF-8 are only noted). */
static int scan_value(scan *s, unsigned depth)
{
    uint64_t n;
    uint8_t c;
    if (scan_left(s) < 1) {
        scan_note(s, "message is truncated");
        return -1;
    }
    c = *s->p++;
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
        return 0;
    if (c == 0xc1) {
        scan_note(s, "message holds the reserved MessagePack byte 0xc1");
        return -1;
    }
    if (c >= 0xa0 && c <= 0xbf) {
        n = c & 0x1f;
        goto str;
    }
    if (c >= 0xd9 && c <= 0xdb) {
        if (scan_len(s, 1u << (c - 0xd9), &n) != 0)
            return -1;
        goto str;
    }
    if (c >= 0xcc && c <= 0xd3) /* uint8..64, int8..64 */
        return scan_skip(s, 1u << ((c - 0xcc) & 3));
    if (c == 0xca)
        return scan_skip(s, 4);
    if (c == 0xcb)
        return scan_skip(s, 8);
    if (c >= 0xd4 && c <= 0xd8) /* fixext: type byte and 1..16 bytes */
        return scan_skip(s, 1 + (1u << (c - 0xd4)));
    if (c >= 0xc4 && c <= 0xc6) { /* bin */
        if (scan_len(s, 1u << (c - 0xc4), &n) != 0)
            return -1;
        return scan_skip(s, n);
    }
    if (c >= 0xc7 && c <= 0xc9) { /* ext: length, type byte, data */
        if (scan_len(s, 1u << (c - 0xc7), &n) != 0)
            return -1;
        return scan_skip(s, n + 1);
    }

    /* What is left are containers. */
    bool is_map;
    if (c >= 0x80 && c <= 0x8f) {
        is_map = true;
        n = c & 0x0f;
    } else if (c >= 0x90 && c <= 0x9f) {
        is_map = false;
        n = c & 0x0f;
    } else {
        is_map = c == 0xde || c == 0xdf;
        if (scan_len(s, (c == 0xdc || c == 0xde) ? 2 : 4, &n) != 0)
            return -1;
    }
    if (depth + 1 > VP_MAX_DEPTH) {
        scan_note(s, "message is nested deeper than 32 levels");
        return -1;
    }
    /* Each element takes at least one byte: a count beyond the bytes left
     * is a lie that would make the unpacker allocate for it up front. */
    if ((is_map ? 2 * n : n) > scan_left(s)) {
        scan_note(s, "a map or array declares more elements than the message holds");
        return -1;
    }
    if (is_map)
        return scan_map(s, n, depth + 1);
    for (uint64_t i = 0; i < n; i++)
        if (scan_value(s, depth + 1) != 0)
            return -1;
    return 0;

str:
    if (scan_left(s) < n) {
        scan_note(s, "message is truncated");
        return -1;
    }
    if (!vp_utf8_valid(s->p, (size_t)n))
        scan_note(s, "a string is not valid UTF-8");
    s->p += n;
    return 0;
}

int vp_scan(const uint8_t *buf, size_t len, vp_scan_result *r)
{
    /* The walk state holds the key stack (32 KiB); it lives on the stack
     * of this call only. */
    scan s;
    r->why = NULL;
    r->has_id = false;
    r->id = 0;
    if (len > VP_MAX_MESSAGE) {
        r->why = "message is larger than 16 KiB";
        return -1;
    }
    if (len == 0) {
        r->why = "message is empty";
        return -1;
    }
    s.buf = buf;
    s.p = buf;
    s.end = buf + len;
    s.r = r;
    s.n_id = 0;
    s.n_keys = 0;
    if (scan_value(&s, 0) == 0 && s.p != s.end)
        scan_note(&s, "message has bytes after its one MessagePack object");
    return r->why == NULL ? 0 : -1;
}
