/* net_buf.c - shared, refcounted messages and the pool of blocks that send queues and messages are cut from. */
#include <stdlib.h>
#include <string.h>

#include "net/net_private.h"

/* Blocks handed back, ready for the next message or send queue. The
 * server runs on one loop thread, so the pool needs no lock. Bounded: at
 * most NET_POOL_MAX blocks wait here; more are freed. */
static void *net_pool[NET_POOL_MAX];
static unsigned net_pool_n;

void *net_block_get(void)
{
    if (net_pool_n)
        return net_pool[--net_pool_n];
    return malloc(NET_BLOCK_SIZE);
}

void net_block_put(void *block, size_t cap)
{
    if (!block)
        return;
    if (cap == NET_BLOCK_SIZE && net_pool_n < NET_POOL_MAX)
        net_pool[net_pool_n++] = block;
    else
        free(block);
}

void net_pool_drain(void)
{
    while (net_pool_n)
        free(net_pool[--net_pool_n]);
}

struct net_buf {
    uint32_t refs;
    size_t len;
    size_t cap; /* bytes of the allocation */
    /* LWS_PRE bytes of headroom (lws writes the frame header there:
     * the same bytes for every recipient, so sharing is safe), then the
     * message. */
    uint8_t data[];
};

net_buf *net_buf_new(const uint8_t *bytes, size_t len)
{
    size_t need = sizeof(net_buf) + LWS_PRE + len;
    size_t cap = need <= NET_BLOCK_SIZE ? NET_BLOCK_SIZE : need;
    net_buf *b;

    b = cap == NET_BLOCK_SIZE ? net_block_get() : malloc(cap);
    if (!b)
        return NULL;
    b->refs = 1;
    b->len = len;
    b->cap = cap;
    memcpy(b->data + LWS_PRE, bytes, len);
    return b;
}

net_buf *net_buf_ref(net_buf *b)
{
    b->refs++;
    return b;
}

void net_buf_unref(net_buf *b)
{
    if (b && --b->refs == 0)
        net_block_put(b, b->cap);
}

uint8_t *net_buf_payload(net_buf *b)
{
    return b->data + LWS_PRE;
}
size_t net_buf_len(const net_buf *b)
{
    return b->len;
}
