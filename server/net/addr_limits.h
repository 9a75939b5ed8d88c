/* addr_limits.h - per-address limits on failed attempts (room codes, tokens, replay keys), and which address a request comes from. */
#ifndef VERRIJK_ADDR_LIMITS_H
#define VERRIJK_ADDR_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Failures an address may pile up before it is refused: LIMITS_FAILS_MAX
 * within LIMITS_WINDOW_MS. The count leaks away steadily (one failure
 * every LIMITS_WINDOW_MS / LIMITS_FAILS_MAX ms), so a client that mistyped
 * a code a few times is never refused, and a prober gets at most one try
 * every 3 s once it reached the bound. */
#define LIMITS_FAILS_MAX 20u
#define LIMITS_WINDOW_MS 60000u

/* New rooms an address may ask for per hour (--max-creates-per-hour): a
 * facilitator needs a few; the same leaky count as failures, so a burst
 * of this many, then one more every hour / this. With --retain-days it
 * bounds the logs one address can leave on disk (README.md). */
#define LIMITS_CREATES_PER_HOUR 10u
#define LIMITS_HOUR_MS          3600000u

/* Joins an address may ask for into one room: a burst that lets a
 * classroom of 100 behind one NAT join (with retries for taken names),
 * then one more every LIMITS_JOINS_WINDOW_MS / LIMITS_JOINS_PER_ROOM
 * (6 minutes). A room keeps at most 400 members ever (ids are never
 * reused), so join/leave churn from one address would otherwise use
 * them up in a minute; now it takes a day. Counted per (address, room)
 * in a table of LIMITS_JOIN_KEYS. */
#define LIMITS_JOINS_PER_ROOM  150u
#define LIMITS_JOINS_WINDOW_MS (LIMITS_JOINS_PER_ROOM * 6u * 60000u)
#define LIMITS_JOIN_KEYS       65536u

/* The most failures per window an operator may allow (--max-failures). */
#define LIMITS_FAILS_LIMIT 100000u

/* Addresses remembered at once. The least recently seen one is forgotten
 * to make room for a new one. */
#define LIMITS_ADDRS_MAX 4096u

/* Bytes of an address as text (an IPv6 address with an IPv4 tail, NUL). */
#define LIMITS_ADDR_TEXT_MAX 48

/* Trusted proxies given with --trust-proxy. */
#define LIMITS_PROXIES_MAX 16

/* An address as the table keys it: IPv6 bytes; IPv4 as ::ffff:a.b.c.d.
 * IPv6 addresses are cut to their /64, since one host commonly holds a
 * whole /64 and could otherwise probe from as many addresses as it likes. */
typedef struct limits_addr {
    uint8_t b[16];
} limits_addr;

typedef struct limits limits;

/* Allocates a table for `max_addrs` addresses (0: LIMITS_ADDRS_MAX) that
 * refuses an address after `fails_max` failures in `window_ms` (0: the
 * defaults above). Returns NULL when out of memory. */
limits *limits_new(uint32_t max_addrs, uint32_t fails_max, uint32_t window_ms);

/* Accepts NULL. */
void limits_free(limits *l);

/* Counts one failed attempt (a wrong room code, token or key) of `a` at
 * `now_ms` (any monotonic clock, the same for every call). */
void limits_fail(limits *l, const limits_addr *a, uint64_t now_ms);

/* 0 when `a` may try again at `now_ms`; else the milliseconds until it
 * may (at least 1). A refused attempt is not counted as a failure: the
 * address gets its tries back at the leak rate whatever it does. */
uint64_t limits_blocked(limits *l, const limits_addr *a, uint64_t now_ms);

/* Addresses in the table (for tests and metrics). */
uint32_t limits_count(const limits *l);

/* Open connections per address: an exact count for every address that
 * has one open, never forgotten while it does (unlike the table above,
 * which may forget an address, this one must give back what it took). */
typedef struct limits_counts limits_counts;

/* Allocates a table for at most `cap` addresses (with as many open
 * connections each as limits_counts_add allows): sized by the most
 * connections open at once, it never fills. Returns NULL when out of
 * memory. */
limits_counts *limits_counts_new(uint32_t cap);

/* Accepts NULL. */
void limits_counts_free(limits_counts *lc);

/* Counts one more connection of `a` and returns 0; or returns -1 and
 * counts nothing when `a` holds `max` already or the table is full. */
int limits_counts_add(limits_counts *lc, const limits_addr *a, uint32_t max);

/* Counts one connection of `a` fewer (one that limits_counts_add took). */
void limits_counts_sub(limits_counts *lc, const limits_addr *a);

/* Connections counted for `a` now. */
uint32_t limits_counts_get(const limits_counts *lc, const limits_addr *a);

/* Parses an IPv4 or IPv6 address as text (surrounding spaces and an IPv6
 * zone are ignored) into a key. Returns 0, or -1 when it is no address. */
int limits_addr_parse(const char *text, limits_addr *out);

/* The key of address `a` in room `code` (VP_ROOM_LEN characters) for a
 * table counted per address and room: the code goes into bytes the
 * address key leaves zero (an IPv4 key's first ten, an IPv6 /64's last
 * eight), so distinct pairs keep distinct keys. */
void limits_addr_in_room(const limits_addr *a, const char *code, limits_addr *out);

/* True when a and b are the same key. */
bool limits_addr_equal(const limits_addr *a, const limits_addr *b);

/* A set of trusted proxy addresses, from --trust-proxy values. Each
 * value is one address or a comma-separated list. Returns 0, or -1 when
 * a value is no address or more than LIMITS_PROXIES_MAX are given (then
 * `why` names the value). Compared whole, not cut to /64. */
typedef struct limits_proxies {
    uint8_t b[LIMITS_PROXIES_MAX][16];
    unsigned n;
} limits_proxies;
int limits_proxies_add(limits_proxies *p, const char *value, const char **why);

/* The address a request comes from: `peer` (the socket's), unless peer
 * is a trusted proxy, in which case X-Real-IP when the proxy sent one,
 * else the last hop of X-Forwarded-For (the address the proxy itself
 * saw; earlier hops are the client's word). A trusted peer that sent
 * neither header, or an unparsable one, stays `peer`. The headers may be
 * NULL. Writes the key to out and returns 0; -1 when peer is no address
 * (then out is all zeroes, one shared key for the unknown). */
int limits_client_addr(const limits_proxies *trusted, const char *peer, const char *x_real_ip,
                       const char *x_forwarded_for, limits_addr *out);

#endif
