/* addr_limits.c - per-address limits on failed attempts: a bounded table of leaky counters, and the client address behind a trusted proxy. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr_limits.h"

#define LIMITS_NIL UINT32_MAX

/* One address: its debt in milliseconds (each failure adds `step`, one
 * millisecond leaks away per millisecond), as of `at`. */
typedef struct limits_entry {
    limits_addr key;
    uint64_t debt_ms;
    uint64_t at;
    uint32_t hnext;        /* next in its hash bucket */
    uint32_t newer, older; /* the recency list */
} limits_entry;

struct limits {
    limits_entry *entries;
    uint32_t *buckets;
    uint32_t cap, used, mask;
    uint32_t newest, oldest;
    uint64_t step_ms; /* debt of one failure */
    uint64_t full_ms; /* debt at which the address is refused */
};

limits *limits_new(uint32_t max_addrs, uint32_t fails_max, uint32_t window_ms)
{
    limits *l = calloc(1, sizeof(*l));
    uint32_t nb = 1;

    if (!l)
        return NULL;
    l->cap = max_addrs ? max_addrs : LIMITS_ADDRS_MAX;
    if (!fails_max)
        fails_max = LIMITS_FAILS_MAX;
    if (!window_ms)
        window_ms = LIMITS_WINDOW_MS;
    l->step_ms = window_ms / fails_max ? window_ms / fails_max : 1;
    l->full_ms = l->step_ms * fails_max;
    while (nb < 2 * l->cap)
        nb <<= 1;
    l->mask = nb - 1;
    l->entries = calloc(l->cap, sizeof(*l->entries));
    l->buckets = malloc(nb * sizeof(*l->buckets));
    if (!l->entries || !l->buckets)
        goto fail;
    for (uint32_t i = 0; i < nb; i++)
        l->buckets[i] = LIMITS_NIL;
    l->newest = l->oldest = LIMITS_NIL;
    return l;
fail:
    limits_free(l);
    return NULL;
}

void limits_free(limits *l)
{
    if (!l)
        return;
    free(l->entries);
    free(l->buckets);
    free(l);
}

uint32_t limits_count(const limits *l)
{
    return l->used;
}

bool limits_addr_equal(const limits_addr *a, const limits_addr *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* FNV-1a over the key; the table is small, and an attacker who picks
 * addresses to collide only lengthens one chain of a bounded table. */
static uint32_t limits_hash(const limits_addr *a)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < sizeof(a->b); i++) {
        h ^= a->b[i];
        h *= 16777619u;
    }
    return h;
}

static void limits_unlink_recency(limits *l, uint32_t i)
{
    limits_entry *e = &l->entries[i];

    if (e->newer != LIMITS_NIL)
        l->entries[e->newer].older = e->older;
    else
        l->newest = e->older;
    if (e->older != LIMITS_NIL)
        l->entries[e->older].newer = e->newer;
    else
        l->oldest = e->newer;
}

static void limits_push_newest(limits *l, uint32_t i)
{
    limits_entry *e = &l->entries[i];

    e->newer = LIMITS_NIL;
    e->older = l->newest;
    if (l->newest != LIMITS_NIL)
        l->entries[l->newest].newer = i;
    l->newest = i;
    if (l->oldest == LIMITS_NIL)
        l->oldest = i;
}

static void limits_unlink_bucket(limits *l, uint32_t i)
{
    uint32_t *p = &l->buckets[limits_hash(&l->entries[i].key) & l->mask];

    while (*p != i)
        p = &l->entries[*p].hnext;
    *p = l->entries[i].hnext;
}

static uint32_t limits_lookup(const limits *l, const limits_addr *a)
{
    uint32_t i = l->buckets[limits_hash(a) & l->mask];

    while (i != LIMITS_NIL && !limits_addr_equal(&l->entries[i].key, a))
        i = l->entries[i].hnext;
    return i;
}

/* The debt of entry i as of now; the clock never runs backwards here. */
static uint64_t limits_debt(limits_entry *e, uint64_t now_ms)
{
    uint64_t gone = now_ms > e->at ? now_ms - e->at : 0;

    e->debt_ms = e->debt_ms > gone ? e->debt_ms - gone : 0;
    if (now_ms > e->at)
        e->at = now_ms;
    return e->debt_ms;
}

void limits_fail(limits *l, const limits_addr *a, uint64_t now_ms)
{
    uint32_t i = limits_lookup(l, a), b;
    limits_entry *e;

    if (i == LIMITS_NIL) {
        if (l->used < l->cap) {
            i = l->used++;
        } else {
            /* Full: the address seen least recently makes room. */
            i = l->oldest;
            limits_unlink_recency(l, i);
            limits_unlink_bucket(l, i);
        }
        e = &l->entries[i];
        memset(e, 0, sizeof(*e));
        e->key = *a;
        e->at = now_ms;
        b = limits_hash(a) & l->mask;
        e->hnext = l->buckets[b];
        l->buckets[b] = i;
    } else {
        limits_unlink_recency(l, i);
    }
    limits_push_newest(l, i);
    e = &l->entries[i];
    limits_debt(e, now_ms);
    /* Refused attempts are not counted, so the debt cannot pass full. */
    e->debt_ms = e->debt_ms + l->step_ms < l->full_ms ? e->debt_ms + l->step_ms : l->full_ms;
}

uint64_t limits_blocked(limits *l, const limits_addr *a, uint64_t now_ms)
{
    uint32_t i = limits_lookup(l, a);
    uint64_t debt;

    if (i == LIMITS_NIL)
        return 0;
    debt = limits_debt(&l->entries[i], now_ms);
    /* One more failure must still fit under full. */
    if (debt + l->step_ms <= l->full_ms)
        return 0;
    return debt + l->step_ms - l->full_ms;
}

/* Parses an address whole (IPv4 as ::ffff:a.b.c.d), without cutting an
 * IPv6 address to its /64: a proxy is one host. */
static int limits_addr_parse_whole(const char *text, uint8_t out[16])
{
    char buf[LIMITS_ADDR_TEXT_MAX];
    struct in_addr v4;
    size_t n;

    while (*text == ' ' || *text == '\t')
        text++;
    n = strcspn(text, " \t%");
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    memset(out, 0, 16);
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

int limits_addr_parse(const char *text, limits_addr *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (!text || limits_addr_parse_whole(text, out->b)) {
        memset(out, 0, sizeof(*out));
        return -1;
    }
    /* An IPv6 address counts by its /64; an IPv4 address written as IPv6
     * (::ffff:a.b.c.d) stays whole. */
    if (memcmp(out->b, mapped, sizeof(mapped)) != 0)
        memset(out->b + 8, 0, 8);
    return 0;
}

void limits_addr_in_room(const limits_addr *a, const char *code, limits_addr *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    /* Six characters of the code alphabet (ASCII, never 0xff). */
    size_t n = strnlen(code, 6);

    *out = *a;
    if (memcmp(a->b, mapped, sizeof(mapped)) == 0)
        memcpy(out->b, code, n);
    else
        memcpy(out->b + 8, code, n);
}

int limits_proxies_add(limits_proxies *p, const char *value, const char **why)
{
    char one[LIMITS_ADDR_TEXT_MAX];
    const char *s = value;

    for (;;) {
        size_t n = strcspn(s, ",");

        if (n == 0 || n >= sizeof(one) || p->n >= LIMITS_PROXIES_MAX)
            goto fail;
        memcpy(one, s, n);
        one[n] = '\0';
        if (limits_addr_parse_whole(one, p->b[p->n]))
            goto fail;
        p->n++;
        if (!s[n])
            return 0;
        s += n + 1;
    }
fail:
    if (why)
        *why = value;
    return -1;
}

static bool limits_proxy_trusted(const limits_proxies *p, const uint8_t peer[16])
{
    for (unsigned i = 0; p && i < p->n; i++)
        if (memcmp(p->b[i], peer, 16) == 0)
            return true;
    return false;
}

int limits_client_addr(const limits_proxies *trusted, const char *peer, const char *x_real_ip,
                       const char *x_forwarded_for, limits_addr *out)
{
    uint8_t whole[16];

    if (!peer || limits_addr_parse_whole(peer, whole)) {
        memset(out, 0, sizeof(*out));
        return -1;
    }
    if (limits_proxy_trusted(trusted, whole)) {
        if (x_real_ip && limits_addr_parse(x_real_ip, out) == 0)
            return 0;
        if (x_forwarded_for) {
            const char *last = strrchr(x_forwarded_for, ',');

            if (limits_addr_parse(last ? last + 1 : x_forwarded_for, out) == 0)
                return 0;
        }
    }
    return limits_addr_parse(peer, out);
}

/* ---- open connections per address ---- */

typedef struct counts_entry {
    limits_addr key;
    uint32_t n;
    uint32_t hnext; /* next in its bucket, or in the free list */
} counts_entry;

struct limits_counts {
    counts_entry *entries;
    uint32_t *buckets;
    uint32_t cap, mask, free_head;
};

limits_counts *limits_counts_new(uint32_t cap)
{
    limits_counts *lc = calloc(1, sizeof(*lc));
    uint32_t nb = 1;

    if (!lc)
        return NULL;
    lc->cap = cap ? cap : 1;
    while (nb < 2 * lc->cap)
        nb <<= 1;
    lc->mask = nb - 1;
    lc->entries = calloc(lc->cap, sizeof(*lc->entries));
    lc->buckets = malloc(nb * sizeof(*lc->buckets));
    if (!lc->entries || !lc->buckets) {
        limits_counts_free(lc);
        return NULL;
    }
    for (uint32_t i = 0; i < nb; i++)
        lc->buckets[i] = LIMITS_NIL;
    for (uint32_t i = 0; i < lc->cap; i++)
        lc->entries[i].hnext = i + 1 < lc->cap ? i + 1 : LIMITS_NIL;
    lc->free_head = 0;
    return lc;
}

void limits_counts_free(limits_counts *lc)
{
    if (!lc)
        return;
    free(lc->entries);
    free(lc->buckets);
    free(lc);
}

/* The slot in the bucket chain that points at a's entry (or holds NIL). */
static uint32_t *counts_slot(const limits_counts *lc, const limits_addr *a)
{
    uint32_t *p = &lc->buckets[limits_hash(a) & lc->mask];

    while (*p != LIMITS_NIL && !limits_addr_equal(&lc->entries[*p].key, a))
        p = &lc->entries[*p].hnext;
    return p;
}

int limits_counts_add(limits_counts *lc, const limits_addr *a, uint32_t max)
{
    uint32_t *p = counts_slot(lc, a), i;

    if (*p != LIMITS_NIL) {
        if (lc->entries[*p].n >= max)
            return -1;
        lc->entries[*p].n++;
        return 0;
    }
    if (max == 0 || lc->free_head == LIMITS_NIL)
        return -1;
    i = lc->free_head;
    lc->free_head = lc->entries[i].hnext;
    lc->entries[i].key = *a;
    lc->entries[i].n = 1;
    lc->entries[i].hnext = LIMITS_NIL;
    *p = i;
    return 0;
}

void limits_counts_sub(limits_counts *lc, const limits_addr *a)
{
    uint32_t *p = counts_slot(lc, a), i = *p;

    if (i == LIMITS_NIL)
        return;
    if (--lc->entries[i].n > 0)
        return;
    *p = lc->entries[i].hnext;
    lc->entries[i].hnext = lc->free_head;
    lc->free_head = i;
}

uint32_t limits_counts_get(const limits_counts *lc, const limits_addr *a)
{
    uint32_t i = *counts_slot(lc, a);

    return i == LIMITS_NIL ? 0 : lc->entries[i].n;
}
