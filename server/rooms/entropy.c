/* entropy.c - fresh random bytes for decisions (seeds, tokens, replay keys), from a pool refilled by getrandom(2). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "rooms/rooms_internal.h"

int rooms_entropy_fill(rooms_entropy *e, uint8_t *buf, size_t len)
{
    while (len > 0) {
        size_t n;

        if (e->left == 0) {
            /* Reads past 256 bytes may come back short (a signal). */
            for (size_t have = 0; have < sizeof(e->pool);) {
                ssize_t got = getrandom(e->pool + have, sizeof(e->pool) - have, 0);

                if (got < 0 && errno != EINTR)
                    return -1;
                if (got > 0)
                    have += (size_t)got;
            }
            e->left = sizeof(e->pool);
        }
        n = e->left < len ? e->left : len;
        memcpy(buf, e->pool + sizeof(e->pool) - e->left, n);
        /* Handed out: not kept where a later bug could leak it. */
        memset(e->pool + sizeof(e->pool) - e->left, 0, n);
        e->left -= n;
        buf += n;
        len -= n;
    }
    return 0;
}
