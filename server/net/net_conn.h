/* net_conn.h - one WebSocket connection as the layer above (rooms) sees it. */
#ifndef VERRIJK_NET_CONN_H
#define VERRIJK_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <verrijk/protocol.h>

/* A connection that completed the `verrijk.v1` upgrade on /ws?room=CODE.
 * The network layer owns it: it exists from on_open to on_close, and the
 * pointer must not be used after on_close returns. */
typedef struct net_conn net_conn;

/* What the layer above implements. All callbacks run on the loop thread,
 * inside a libwebsockets callback: they may call every net_conn_* function,
 * for this connection or any other, but never free anything of the net
 * layer. Closing is always deferred (see net_conn_close), so a callback
 * never sees a connection vanish under it. */
typedef struct net_handler {
    void *ud;
    /* The upgrade succeeded; net_conn_room(c) is the URL's code. */
    void (*on_open)(void *ud, net_conn *c);
    /* One valid client message other than `ping` (ping is answered by
     * the net layer). `in`'s strings point into `frame`; both are valid
     * only during the call. */
    void (*on_intent)(void *ud, net_conn *c, const vp_intent *in, const uint8_t *frame, size_t len);
    /* The connection is gone (client left, closed by us, shutdown).
     * Nothing can be sent any more; drop every reference to c. */
    void (*on_close)(void *ud, net_conn *c);
} net_handler;

/* Close codes the server uses (SPEC.md section 1). */
enum {
    NET_CLOSE_GOING_AWAY = 1001, /* server shutting down */
    NET_CLOSE_POLICY = 1008,     /* abuse, or a reader too slow for its queue */
    NET_CLOSE_TOO_BIG = 1009,
    NET_CLOSE_TRY_LATER = 1013, /* the server is full (server_busy) */
    NET_CLOSE_KICKED = 4001,    /* kicked, or the room was purged */
    NET_CLOSE_REPLACED = 4002,  /* the same member resumed elsewhere */
};

/* Backlog the server may hold queued for one connection. A connection
 * whose backlog would pass this bound is a reader too slow to keep up:
 * its queue is dropped and it is closed with NET_CLOSE_POLICY, so it
 * never slows or starves anyone else. The bound is about backlog, not
 * message size: the largest message queued does not count (see
 * net_backlog_over), so one View or summary bigger than the bound
 * reaches a reader that keeps up. */
#define NET_SEND_QUEUE_MAX (256 * 1024)

/* True when queueing one more message of `len` bytes, onto a queue that
 * holds `held` bytes whose largest message is `biggest` bytes, would make
 * the backlog pass NET_SEND_QUEUE_MAX. The backlog is what is queued
 * beyond the largest message (the new one included): a reader that takes
 * a big message as fast as the network allows is not slow, one behind by
 * more than the bound besides it is. Pure, for the unit tests.
 * (held >= biggest always.) */
static inline bool net_backlog_over(size_t held, size_t biggest, size_t len)
{
    size_t big = len > biggest ? len : biggest;

    return held + len - big > NET_SEND_QUEUE_MAX;
}

/* The kernel's send buffer of a WebSocket (SO_SNDBUF; Linux doubles it).
 * Fixed rather than autotuned: autotuning lets one connection keep up to
 * 4 MiB in the kernel (tcp_wmem), so a slow reader would cost that much
 * before NET_SEND_QUEUE_MAX ever applied. Our frames are small; 64 KiB
 * is many of them. */
#define NET_SOCKET_SNDBUF (64 * 1024)

/* Messages a connection may send: a burst of NET_RATE_BURST, refilled
 * at NET_RATE_PER_S per second. A message over the rate is answered
 * rate_limited and dropped; NET_RATE_STRIKES_MAX of those before the
 * bucket is full again close the connection with NET_CLOSE_POLICY. */
#define NET_RATE_BURST       40u
#define NET_RATE_PER_S       20u
#define NET_RATE_STRIKES_MAX 100u

/* Longest close reason kept (RFC 6455 allows 123 bytes). */
#define NET_CLOSE_REASON_MAX 64

/* Queues one encoded MessagePack map (or several back to back) for c.
 * The bytes are copied. Everything queued for c while the loop handles
 * its events goes out together as ONE binary frame, written right
 * before the loop next waits (or when the socket can take it again).
 * Returns 0, or -1 when c is closing, out of memory, or its backlog would
 * pass NET_SEND_QUEUE_MAX (net_backlog_over; then c is being closed as a
 * slow reader). */
int net_conn_send(net_conn *c, const uint8_t *bytes, size_t len);

/* One encoded message (one or several MessagePack maps back to back)
 * for many connections: copied once, then queued by reference. A
 * connection with nothing else queued sends it straight from this
 * buffer; otherwise its bytes join that connection's queue. */
typedef struct net_buf net_buf;

/* A message holding a copy of `bytes`, with one reference (the
 * caller's), or NULL when out of memory. */
net_buf *net_buf_new(const uint8_t *bytes, size_t len);
net_buf *net_buf_ref(net_buf *b);
/* Drops one reference; the last one frees the message. NULL is fine. */
void net_buf_unref(net_buf *b);

/* Queues message b for c as net_conn_send would, taking a reference of
 * its own. Returns as net_conn_send. */
int net_conn_send_buf(net_conn *c, net_buf *b);

/* Queues {t:"error", id?, code, msg} for c. Returns as net_conn_send. */
int net_conn_send_error(net_conn *c, bool has_id, uint64_t id, vp_code code, const char *msg);

/* Sends what is queued, then a close frame with `code` and `reason`
 * (truncated to NET_CLOSE_REASON_MAX bytes; may be NULL), then the
 * connection ends and on_close follows later. Safe from any callback and
 * from outside callbacks (a timer, another connection's message). Later
 * sends are refused; a second close keeps the first code. */
void net_conn_close(net_conn *c, uint16_t code, const char *reason);

/* The room code from the URL: VP_ROOM_LEN upper-case characters of the
 * code alphabet, NUL-terminated, valid as long as c. */
const char *net_conn_room(const net_conn *c);

/* The layer above's pointer for this connection (e.g. its member); NULL
 * until set. The net layer never looks at it. */
void net_conn_set_user(net_conn *c, void *user);
void *net_conn_get_user(const net_conn *c);

#endif
