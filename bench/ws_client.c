/* ws_client.c - verrijk-bench's WebSocket client (RFC 6455) on libuv: upgrade, masked frames, reassembly, ping, close. */
#include "ws_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

static const char WS_GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
#define WS_PATH_MAX 256

struct ws_stats ws_stats;
uint64_t ws_read_ns;

static struct {
    uv_loop_t *loop;
    struct sockaddr_storage server;
    char host[96];
    unsigned sources;
    const ws_events *ev;
    uint8_t *slab;
    uint64_t rng;
} w;

static uint64_t ws_rng(void)
{
    /* xorshift64*: masks only need to be unpredictable to a proxy, not secret. */
    w.rng ^= w.rng >> 12;
    w.rng ^= w.rng << 25;
    w.rng ^= w.rng >> 27;
    return w.rng * UINT64_C(2685821657736338717);
}

int ws_setup(uv_loop_t *loop, const struct sockaddr *server, const char *host_header, unsigned sources,
             const ws_events *ev, uint64_t seed)
{
    w.loop = loop;
    memset(&w.server, 0, sizeof w.server);
    memcpy(&w.server, server, server->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
    snprintf(w.host, sizeof w.host, "%s", host_header);
    w.sources = sources > WS_SOURCES_MAX ? WS_SOURCES_MAX : sources;
    w.ev = ev;
    w.rng = seed ? seed : UINT64_C(88172645463325252);
    w.slab = malloc(WS_SLAB_SIZE);
    return w.slab ? 0 : -1;
}

void ws_teardown(void)
{
    free(w.slab);
    w.slab = NULL;
}

void ws_release(ws_conn *ws)
{
    free(ws->buf);
    free(ws->msg);
    ws->buf = ws->msg = NULL;
    ws->blen = ws->bcap = ws->mlen = ws->mcap = 0;
    ws->in_msg = false;
}

static void on_close(uv_handle_t *h)
{
    ws_conn *ws = h->data;
    ws_release(ws);
    ws->state = WS_GONE;
    w.ev->closed(ws);
}

void ws_end(ws_conn *ws, enum ws_end why, const char *text)
{
    if (ws->state == WS_IDLE || ws->state == WS_CLOSING || ws->state == WS_GONE)
        return;
    /* Closing first: the callback may end the whole run (ws_abort on every
     * connection), which must find this one closing already. */
    ws->state = WS_CLOSING;
    uv_close((uv_handle_t *)&ws->tcp, on_close);
    w.ev->lost(ws, why, text);
}

static void violation(ws_conn *ws, const char *what)
{
    w.ev->violation(ws, what);
    ws_end(ws, WS_END_VIOLATION, what);
}

/* ---- writes ---- */

struct wreq {
    uv_write_t req;
    uv_buf_t buf;
    uint8_t data[];
};

static void on_written(uv_write_t *req, int status)
{
    ws_conn *ws = req->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED)
        ws_end(ws, WS_END_ERROR, uv_strerror(status));
}

/* Writes bytes now when the socket takes them (no allocation), else queues a
 * copy of the rest; libuv keeps the order because try_write refuses while
 * anything is queued. */
static void ws_write(ws_conn *ws, const uint8_t *p, size_t n)
{
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int done = uv_try_write((uv_stream_t *)&ws->tcp, &b, 1);
    if (done == (int)n)
        return;
    if (done < 0 && done != UV_EAGAIN) {
        ws_end(ws, WS_END_ERROR, uv_strerror(done));
        return;
    }
    size_t sent = done > 0 ? (size_t)done : 0;
    struct wreq *q = malloc(sizeof *q + (n - sent));
    if (!q) {
        ws_end(ws, WS_END_ERROR, "out of memory");
        return;
    }
    memcpy(q->data, p + sent, n - sent);
    q->buf = uv_buf_init((char *)q->data, (unsigned)(n - sent));
    q->req.data = ws;
    int rc = uv_write(&q->req, (uv_stream_t *)&ws->tcp, &q->buf, 1, on_written);
    if (rc < 0) {
        free(q);
        ws_end(ws, WS_END_ERROR, uv_strerror(rc));
    }
}

void ws_send(ws_conn *ws, uint8_t opcode, const uint8_t *payload, size_t n)
{
    uint8_t f[WS_SEND_MAX + 8];
    size_t h = 0;
    if (n > WS_SEND_MAX || ws->state != WS_OPEN)
        return;
    f[h++] = (uint8_t)(0x80 | opcode);
    if (n < 126) {
        f[h++] = (uint8_t)(0x80 | n);
    } else {
        f[h++] = 0x80 | 126;
        f[h++] = (uint8_t)(n >> 8);
        f[h++] = (uint8_t)n;
    }
    /* RFC 6455 §5.3: every client frame is masked. */
    uint64_t m = ws_rng();
    uint8_t mask[4] = {(uint8_t)m, (uint8_t)(m >> 8), (uint8_t)(m >> 16), (uint8_t)(m >> 24)};
    memcpy(f + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < n; i++)
        f[h + i] = payload[i] ^ mask[i & 3];
    ws_stats.frames_out++;
    ws_stats.bytes_out += h + n;
    ws_write(ws, f, h + n);
}

void ws_abort(ws_conn *ws)
{
    if (ws->state == WS_IDLE || ws->state == WS_CLOSING || ws->state == WS_GONE)
        return;
    if (ws->state == WS_OPEN) {
        uint8_t bye[2] = {0x03, 0xe8}; /* 1000, normal closure */
        ws_send(ws, 0x8, bye, 2);
    }
    ws->state = WS_CLOSING;
    uv_close((uv_handle_t *)&ws->tcp, on_close);
}

/* ---- reads ---- */

static bool buf_append(uint8_t **buf, uint32_t *len, uint32_t *cap, const uint8_t *p, size_t n, size_t limit)
{
    if ((size_t)*len + n > limit)
        return false;
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 1024;
        while (nc < *len + n)
            nc *= 2;
        if (nc > limit)
            nc = limit;
        uint8_t *nb = realloc(*buf, nc);
        if (!nb)
            return false;
        *buf = nb;
        *cap = (uint32_t)nc;
    }
    memcpy(*buf + *len, p, n);
    *len += (uint32_t)n;
    return true;
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static bool alive(const ws_conn *ws)
{
    return ws->state == WS_OPEN;
}

/* Handles one frame; returns false when the connection ended. */
static bool handle_frame(ws_conn *ws, uint8_t b0, const uint8_t *p, size_t n)
{
    bool fin = b0 & 0x80;
    uint8_t op = b0 & 0x0f;
    ws_stats.frames++;
    if (b0 & 0x70) {
        violation(ws, "reserved bits set (no extension was agreed)");
        return false;
    }
    switch (op) {
    case 0x2:
        if (ws->in_msg) {
            violation(ws, "a new message inside a fragmented one");
            return false;
        }
        if (fin) {
            w.ev->message(ws, p, n);
        } else {
            ws->in_msg = true;
            if (!buf_append(&ws->msg, &ws->mlen, &ws->mcap, p, n, WS_MESSAGE_MAX)) {
                violation(ws, "message too large");
                return false;
            }
        }
        break;
    case 0x0:
        if (!ws->in_msg) {
            violation(ws, "a continuation without a message");
            return false;
        }
        if (!buf_append(&ws->msg, &ws->mlen, &ws->mcap, p, n, WS_MESSAGE_MAX)) {
            violation(ws, "message too large");
            return false;
        }
        if (fin) {
            w.ev->message(ws, ws->msg, ws->mlen);
            free(ws->msg);
            ws->msg = NULL;
            ws->mlen = ws->mcap = 0;
            ws->in_msg = false;
        }
        break;
    case 0x1: violation(ws, "a text frame (the protocol uses binary frames only)"); return false;
    case 0x8: {
        uint16_t code = n >= 2 ? (uint16_t)be(p, 2) : 1005;
        ws_stats.close_frames++;
        ws->close_code = code;
        uint8_t echo[2] = {(uint8_t)(code >> 8), (uint8_t)code};
        ws_send(ws, 0x8, echo, code == 1005 ? 0 : 2);
        char why[32];
        snprintf(why, sizeof why, "close %u", code);
        ws_end(ws, WS_END_CLOSED, why);
        return false;
    }
    case 0x9:
        if (!fin || n > 125) {
            violation(ws, "a fragmented or long ping");
            return false;
        }
        ws_send(ws, 0xA, p, n);
        break;
    case 0xA: break;
    default: violation(ws, "an unknown opcode"); return false;
    }
    return alive(ws);
}

unsigned ws_size_bucket(uint64_t size)
{
    if (size < 2 * WS_SIZE_SUB)
        return (unsigned)size;
    unsigned e = 63 - (unsigned)__builtin_clzll(size); /* 2^e <= size < 2^(e+1), e >= log2(2 * WS_SIZE_SUB) */
    unsigned sub =
        (unsigned)((size >> (e - 4)) & (WS_SIZE_SUB - 1)); /* the 4 bits after the top one (WS_SIZE_SUB = 16) */
    unsigned b = (e - 4) * WS_SIZE_SUB + sub + WS_SIZE_SUB;
    return b < WS_SIZE_BUCKETS ? b : WS_SIZE_BUCKETS - 1;
}

/* Handles the whole frames in p; returns the bytes used (the rest is an
 * incomplete frame), or SIZE_MAX when the connection ended. */
static size_t parse_frames(ws_conn *ws, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (n - off >= 2) {
        uint8_t b0 = p[off], b1 = p[off + 1];
        if (b1 & 0x80) {
            violation(ws, "a masked server frame");
            return SIZE_MAX;
        }
        uint64_t len = b1 & 0x7f;
        size_t h = 2;
        if (len == 126) {
            if (n - off < 4)
                break;
            len = be(p + off + 2, 2);
            h = 4;
        } else if (len == 127) {
            if (n - off < 10)
                break;
            len = be(p + off + 2, 8);
            h = 10;
        }
        if (len > WS_MESSAGE_MAX) {
            violation(ws, "frame too large");
            return SIZE_MAX;
        }
        if (n - off - h < len)
            break;
        unsigned bucket = ws_size_bucket(h + len);
        ws_stats.size_frames[bucket]++;
        ws_stats.size_bytes[bucket] += h + len;
        if (!handle_frame(ws, b0, p + off + h, (size_t)len))
            return SIZE_MAX;
        off += h + (size_t)len;
    }
    return off;
}

static void feed(ws_conn *ws, const uint8_t *p, size_t n)
{
    if (ws->blen == 0) {
        size_t used = parse_frames(ws, p, n);
        if (used == SIZE_MAX)
            return;
        if (used < n && !buf_append(&ws->buf, &ws->blen, &ws->bcap, p + used, n - used, WS_MESSAGE_MAX + 16))
            violation(ws, "frame too large");
        return;
    }
    if (!buf_append(&ws->buf, &ws->blen, &ws->bcap, p, n, WS_MESSAGE_MAX + 16)) {
        violation(ws, "frame too large");
        return;
    }
    size_t used = parse_frames(ws, ws->buf, ws->blen);
    if (used == SIZE_MAX)
        return;
    if (used == ws->blen) {
        free(ws->buf);
        ws->buf = NULL;
        ws->blen = ws->bcap = 0;
    } else if (used > 0) {
        memmove(ws->buf, ws->buf + used, ws->blen - used);
        ws->blen -= (uint32_t)used;
    }
}

/* Checks the upgrade answer: 101, the accept hash of our key, our
 * subprotocol. Returns NULL or what is wrong. */
static const char *handshake_check(const ws_conn *ws, char *head)
{
    if (strncmp(head, "HTTP/1.1 101", 12) != 0)
        return "upgrade refused (no 101)";
    unsigned char sha[SHA_DIGEST_LENGTH];
    char cat[128], want[64];
    int n = snprintf(cat, sizeof cat, "%s%s", ws->key, WS_GUID);
    SHA1((const unsigned char *)cat, (size_t)n, sha);
    EVP_EncodeBlock((unsigned char *)want, sha, SHA_DIGEST_LENGTH);
    bool accept_ok = false, proto_ok = false;
    char *save = NULL;
    for (char *line = strtok_r(head, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t vl = strlen(v);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            v[--vl] = '\0';
        if (strcasecmp(line, "Sec-WebSocket-Accept") == 0)
            accept_ok = strcmp(v, want) == 0;
        else if (strcasecmp(line, "Sec-WebSocket-Protocol") == 0)
            proto_ok = strcmp(v, "verrijk.v1") == 0;
    }
    if (!accept_ok)
        return "wrong Sec-WebSocket-Accept";
    if (!proto_ok)
        return "subprotocol verrijk.v1 not agreed";
    return NULL;
}

static void handshake_read(ws_conn *ws, const uint8_t *p, size_t n)
{
    if (!buf_append(&ws->buf, &ws->blen, &ws->bcap, p, n, WS_HANDSHAKE_MAX + WS_SLAB_SIZE)) {
        violation(ws, "upgrade answer too long");
        return;
    }
    uint8_t *end = memmem(ws->buf, ws->blen, "\r\n\r\n", 4);
    size_t head_len = end ? (size_t)(end - ws->buf) + 4 : ws->blen;
    if (head_len > WS_HANDSHAKE_MAX) {
        violation(ws, "upgrade answer too long");
        return;
    }
    if (!end)
        return;
    char head[WS_HANDSHAKE_MAX + 1], status[96];
    memcpy(head, ws->buf, head_len);
    head[head_len] = '\0';
    snprintf(status, sizeof status, "%.*s", (int)strcspn(head, "\r\n"), head);
    const char *bad = handshake_check(ws, head);
    if (bad) {
        char why[192];
        snprintf(why, sizeof why, "%s: %s", bad, status);
        ws_end(ws, WS_END_REFUSED, why);
        return;
    }
    /* Bytes after the head are frames already: fed from the old buffer,
     * freed afterwards (feed copies what stays incomplete). */
    size_t rest = ws->blen - head_len;
    uint8_t *old = ws->buf;
    ws->buf = NULL;
    ws->blen = ws->bcap = 0;
    ws->state = WS_OPEN;
    w.ev->open(ws);
    if (rest && alive(ws))
        feed(ws, old + head_len, rest);
    free(old);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    /* One thread, and every read is consumed before the next alloc: all
     * connections share one slab. */
    *b = uv_buf_init((char *)w.slab, WS_SLAB_SIZE);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    ws_conn *ws = s->data;
    if (n == 0)
        return;
    if (n < 0) {
        ws_end(ws, WS_END_ERROR, n == UV_EOF ? "connection closed by the server" : uv_strerror((int)n));
        return;
    }
    ws_read_ns = uv_hrtime();
    ws_stats.bytes_in += (uint64_t)n;
    if (ws->state == WS_HANDSHAKE)
        handshake_read(ws, (const uint8_t *)b->base, (size_t)n);
    else if (ws->state == WS_OPEN)
        feed(ws, (const uint8_t *)b->base, (size_t)n);
}

static void on_connect(uv_connect_t *req, int status)
{
    ws_conn *ws = req->data;
    if (ws->state != WS_CONNECTING)
        return;
    if (status < 0) {
        ws_end(ws, WS_END_ERROR, uv_strerror(status));
        return;
    }
    uv_tcp_nodelay(&ws->tcp, 1);
    ws->state = WS_HANDSHAKE;
    uint8_t nonce[16];
    uint64_t a = ws_rng(), z = ws_rng();
    memcpy(nonce, &a, 8);
    memcpy(nonce + 8, &z, 8);
    EVP_EncodeBlock((unsigned char *)ws->key, nonce, 16);
    /* The path was kept in the read buffer's place until now. */
    char text[WS_PATH_MAX + 512];
    int n = snprintf(text, sizeof text,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: verrijk.v1\r\n\r\n",
                     (const char *)ws->buf, w.host, ws->key);
    free(ws->buf);
    ws->buf = NULL;
    ws->blen = ws->bcap = 0;
    int rc = uv_read_start((uv_stream_t *)&ws->tcp, on_alloc, on_read);
    if (rc < 0) {
        ws_end(ws, WS_END_ERROR, uv_strerror(rc));
        return;
    }
    ws_write(ws, (const uint8_t *)text, (size_t)n);
}

/* Opens the socket itself when libuv's default will not do: bound to one
 * of several loopback source addresses, or with a small receive buffer.
 * With one source address the kernel's ephemeral port search on connect
 * scans every port in use (it prefers even ports: past ~14,000 connections
 * each connect walks them all), which made the bench, not the server, the
 * limit. IP_BIND_ADDRESS_NO_PORT leaves the port to connect, which only
 * needs the whole 4-tuple to be unique. SO_RCVBUF must be set before
 * connect: the window scale is agreed in the SYN; so is the MSS, and the
 * peer's send buffer grows in proportion to it (tcp_sndbuf_expand: about
 * 2 x cwnd x MSS, ~1.3 MiB with loopback's 64 KiB segments). Returns a libuv error
 * or 0. */
static int open_socket(ws_conn *ws, unsigned source)
{
    bool bind_source = w.server.ss_family == AF_INET && w.sources > 1;
    if (!bind_source && !ws->rcvbuf && !ws->mss)
        return 0;
    int fd = socket(w.server.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1, rcv = ws->rcvbuf > INT32_MAX ? INT32_MAX : (int)ws->rcvbuf;
    int mss = ws->mss;
    if ((rcv && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv) < 0) ||
        (mss && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) < 0)) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (bind_source) {
        struct sockaddr_in src;
        uv_ip4_addr("127.0.0.1", 0, &src);
        src.sin_addr.s_addr = htonl(ntohl(src.sin_addr.s_addr) + source % w.sources);
        if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0 ||
            bind(fd, (const struct sockaddr *)&src, sizeof src) < 0) {
            int e = -errno;
            close(fd);
            return e;
        }
    }
    int rc = uv_tcp_open(&ws->tcp, fd);
    if (rc < 0)
        close(fd);
    return rc;
}

void ws_pause(ws_conn *ws)
{
    if (ws->state == WS_OPEN)
        uv_read_stop((uv_stream_t *)&ws->tcp);
}

void ws_resume(ws_conn *ws)
{
    if (ws->state != WS_OPEN)
        return;
    int rc = uv_read_start((uv_stream_t *)&ws->tcp, on_alloc, on_read);
    if (rc < 0)
        ws_end(ws, WS_END_ERROR, uv_strerror(rc));
}

bool ws_peer_gone(ws_conn *ws)
{
    uv_os_fd_t fd;
    if (ws->state != WS_OPEN || uv_fileno((uv_handle_t *)&ws->tcp, &fd) < 0)
        return false;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err) {
        /* SO_ERROR clears the error: the read that follows must still
         * fail, so the connection is ended here with it. */
        ws_end(ws, WS_END_ERROR, uv_strerror(-err));
        return true;
    }
    struct tcp_info ti;
    len = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return false;
    return ti.tcpi_state != TCP_ESTABLISHED;
}

int ws_connect(ws_conn *ws, const char *path, unsigned source)
{
    size_t pl = strlen(path);
    if (pl == 0 || pl >= WS_PATH_MAX)
        return UV_EINVAL;
    ws_release(ws);
    int rc = uv_tcp_init(w.loop, &ws->tcp);
    if (rc < 0)
        return rc;
    ws->tcp.data = ws;
    ws->creq.data = ws;
    ws->close_code = 0;
    rc = open_socket(ws, source);
    if (rc == 0) {
        /* The path waits in buf until the upgrade is written. */
        ws->buf = malloc(pl + 1);
        if (!ws->buf)
            rc = UV_ENOMEM;
        else
            memcpy(ws->buf, path, pl + 1);
    }
    if (rc == 0)
        rc = uv_tcp_connect(&ws->creq, &ws->tcp, (const struct sockaddr *)&w.server, on_connect);
    if (rc < 0) {
        /* Closed without callbacks to the caller: it learns from rc. */
        ws_release(ws);
        ws->state = WS_IDLE;
        uv_close((uv_handle_t *)&ws->tcp, NULL);
        return rc;
    }
    ws->state = WS_CONNECTING;
    return 0;
}
