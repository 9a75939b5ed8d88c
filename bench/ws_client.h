/* ws_client.h - a small WebSocket client on libuv for verrijk-bench: upgrade, masked frames out, whole messages in.
 *
 * One loop, one thread, many connections. Reads go into one slab that every
 * connection shares (each read is consumed before the next); a connection
 * holds heap memory only while a frame or a fragmented message is
 * incomplete. The caller embeds a ws_conn as the FIRST member of its own
 * connection struct and gets it back in the callbacks. */
#ifndef BENCH_WS_CLIENT_H
#define BENCH_WS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define WS_MESSAGE_MAX   (4u << 20)   /* largest server message reassembled */
#define WS_HANDSHAKE_MAX 8192         /* bytes of an upgrade answer */
#define WS_SLAB_SIZE     (256 * 1024) /* the shared read buffer */
#define WS_SEND_MAX      1024         /* payload of one client frame */
#define WS_SOURCES_MAX   250          /* loopback source addresses 127.0.0.1.. */

enum ws_state { WS_IDLE, WS_CONNECTING, WS_HANDSHAKE, WS_OPEN, WS_CLOSING, WS_GONE };

/* Why a connection ended. */
enum ws_end {
    WS_END_ERROR,     /* connect, read or write failed, or the caller gave up */
    WS_END_REFUSED,   /* the upgrade was answered without 101, accept or subprotocol */
    WS_END_CLOSED,    /* the server sent a close frame (echoed) */
    WS_END_VIOLATION, /* the server broke RFC 6455 */
};

typedef struct ws_conn {
    uv_tcp_t tcp;
    uv_connect_t creq;
    uint8_t *buf; /* incomplete input (handshake bytes or a partial frame), NULL when none */
    uint8_t *msg; /* a fragmented message being reassembled, NULL when none */
    uint32_t blen, bcap, mlen, mcap;
    uint32_t rcvbuf;     /* SO_RCVBUF set before connect when nonzero (the caller's choice) */
    uint16_t mss;        /* TCP_MAXSEG announced in the SYN when nonzero */
    uint16_t close_code; /* the server's close code, for WS_END_CLOSED */
    uint8_t state;       /* enum ws_state */
    bool in_msg;
    char key[32]; /* Sec-WebSocket-Key */
} ws_conn;

typedef struct ws_events {
    /* The upgrade was accepted; ws_send may be used. */
    void (*open)(ws_conn *ws);
    /* One whole binary message; the bytes are valid until the call returns.
     * The callee may end the connection (ws_end) inside. */
    void (*message)(ws_conn *ws, const uint8_t *p, size_t n);
    /* The server broke the protocol; the connection ends right after. */
    void (*violation)(ws_conn *ws, const char *what);
    /* The connection is ending (its handle is being closed): not called for
     * ws_abort. `text` says why, for a person. */
    void (*lost)(ws_conn *ws, enum ws_end why, const char *text);
    /* The handle is closed: the ws_conn may be connected again. */
    void (*closed)(ws_conn *ws);
} ws_events;

/* Frame sizes read (header included), for the floor to send the same mix
 * (verrijk-floor --sizes): WS_SIZE_SUB buckets per power of two, so a
 * bucket spans at most 1/WS_SIZE_SUB of its sizes; each keeps its count
 * and its bytes, so a replay with each bucket's mean size sends the same
 * bytes in the same frames. Sizes below 2 * WS_SIZE_SUB have a bucket each. */
#define WS_SIZE_SUB     16
#define WS_SIZE_BUCKETS (WS_SIZE_SUB * 34)

/* Counters over every connection. */
struct ws_stats {
    uint64_t frames, bytes_in, close_frames;
    uint64_t frames_out, bytes_out; /* frames this client sent and their bytes (for the floor, verrijk-floor) */
    uint64_t size_frames[WS_SIZE_BUCKETS], size_bytes[WS_SIZE_BUCKETS];
};

/* The bucket of a frame of `size` bytes. */
unsigned ws_size_bucket(uint64_t size);
extern struct ws_stats ws_stats;

/* uv_hrtime() of the read being handled: one clock read per read, not per message. */
extern uint64_t ws_read_ns;

/* Sets up the module for one server. `host_header` is sent as Host;
 * `sources` > 1 spreads IPv4 connections over 127.0.0.1..sources as source
 * addresses. `seed` seeds the masks and keys. Returns 0 or -1 (no memory). */
int ws_setup(uv_loop_t *loop, const struct sockaddr *server, const char *host_header, unsigned sources,
             const ws_events *ev, uint64_t seed);
void ws_teardown(void);

/* Connects and upgrades to `path` (e.g. "/ws?room=ABCDEF"); `source` picks
 * the source address. Returns 0 or a libuv error (no handle is left open
 * then, and no callback follows). */
int ws_connect(ws_conn *ws, const char *path, unsigned source);

/* Sends one masked frame (payload at most WS_SEND_MAX bytes). A write error
 * ends the connection (lost). */
void ws_send(ws_conn *ws, uint8_t opcode, const uint8_t *payload, size_t n);

/* Ends the connection: lost, then the handle closes (closed). No-op when it
 * is already ending. */
void ws_end(ws_conn *ws, enum ws_end why, const char *text);

/* Closes without the lost callback: for the end of a run. Open connections
 * are sent a close frame (1000) first. */
void ws_abort(ws_conn *ws);

/* Stops reading an open connection (the server's data backs up in the
 * kernel buffers and then in the server), and starts again. */
void ws_pause(ws_conn *ws);
void ws_resume(ws_conn *ws);

/* True when the kernel says the peer has ended a connection we are not
 * reading: a reset, or a FIN (the socket left ESTABLISHED), or a pending
 * socket error. Never reads any data. */
bool ws_peer_gone(ws_conn *ws);

/* Frees what an ended connection still holds (safe on any ws_conn). */
void ws_release(ws_conn *ws);

#endif
