/* record.c - one log record's bytes to a game event, checked before msgpack-c sees them. */
#include <stdio.h>
#include <string.h>

#include "log/record.h"
#include "log/evlog_format.h"

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Walks one object at *pos; returns false when it does not fit. */
static bool walk(const uint8_t *p, size_t len, size_t *pos, unsigned depth)
{
    uint8_t b;
    uint64_t n = 0, skip = 0, children = 0;
    unsigned w;

    if (*pos >= len)
        return false;
    b = p[(*pos)++];
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return true;
    if (b >= 0x80 && b <= 0x9f) {
        children = (b & 0x0f) * (b <= 0x8f ? 2u : 1u);
        goto container;
    }
    if (b >= 0xa0 && b <= 0xbf) {
        skip = b & 0x1f;
        goto bytes;
    }
    switch (b) {
    case 0xc4:
    case 0xc5:
    case 0xc6: /* bin 8/16/32 */
    case 0xd9:
    case 0xda:
    case 0xdb: /* str 8/16/32 */
        w = (b == 0xc4 || b == 0xd9) ? 1 : (b == 0xc5 || b == 0xda) ? 2 : 4;
        if (len - *pos < w)
            return false;
        skip = be(p + *pos, w);
        *pos += w;
        goto bytes;
    case 0xc7:
    case 0xc8:
    case 0xc9: /* ext 8/16/32: length, type, data */
        w = b == 0xc7 ? 1 : b == 0xc8 ? 2 : 4;
        if (len - *pos < w)
            return false;
        skip = be(p + *pos, w) + 1;
        *pos += w;
        goto bytes;
    case 0xca: skip = 4; goto bytes;
    case 0xcb: skip = 8; goto bytes;
    case 0xcc:
    case 0xd0: skip = 1; goto bytes;
    case 0xcd:
    case 0xd1: skip = 2; goto bytes;
    case 0xce:
    case 0xd2: skip = 4; goto bytes;
    case 0xcf:
    case 0xd3: skip = 8; goto bytes;
    case 0xd4: skip = 2; goto bytes;
    case 0xd5: skip = 3; goto bytes;
    case 0xd6: skip = 5; goto bytes;
    case 0xd7: skip = 9; goto bytes;
    case 0xd8: skip = 17; goto bytes;
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf:
        w = (b == 0xdc || b == 0xde) ? 2 : 4;
        if (len - *pos < w)
            return false;
        n = be(p + *pos, w);
        *pos += w;
        children = (b >= 0xde) ? n * 2 : n;
        goto container;
    default: /* 0xc1 is never used */ return false;
    }
bytes:
    if (len - *pos < skip)
        return false;
    *pos += skip;
    return true;
container:
    /* Every element takes at least one byte. */
    if (depth + 1 > RECORD_MAX_DEPTH || children > len - *pos)
        return false;
    for (uint64_t i = 0; i < children; i++)
        if (!walk(p, len, pos, depth + 1))
            return false;
    return true;
}

bool record_well_formed(const uint8_t *p, size_t len)
{
    size_t pos = 0;

    return walk(p, len, &pos, 0) && pos == len;
}

int record_read_event(const uint8_t *p, size_t len, game_event *e, char *err, size_t errlen)
{
    msgpack_unpacked u;
    size_t off = 0;
    int rc = -1;

    if (!record_well_formed(p, len)) {
        snprintf(err, errlen, "not one well-formed MessagePack object");
        return -1;
    }
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)p, len, &off) != MSGPACK_UNPACK_SUCCESS)
        snprintf(err, errlen, "MessagePack that cannot be unpacked");
    else
        rc = game_unpack_event(&u.data, e, err, errlen);
    msgpack_unpacked_destroy(&u);
    return rc;
}

int record_each(const struct evlog_contents *c, record_fn fn, void *ud, record_error *bad)
{
    char why[sizeof(bad->why)], err[sizeof(bad->why) - 32];

    for (size_t i = 0; i < c->count; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(c, i, &len);
        game_event e;
        int rc;

        if (record_read_event(p, len, &e, err, sizeof(err))) {
            snprintf(why, sizeof(why), "it does not decode: %s", err);
            rc = RECORD_BAD;
        } else {
            why[0] = '\0';
            rc = fn(ud, i, &e, why, sizeof(why));
            game_event_clear(&e);
        }
        if (rc == RECORD_BAD) {
            if (bad) {
                bad->index = i;
                bad->offset = c->records[i].offset - EVLOG_RECORD_HEADER_LEN;
                snprintf(bad->why, sizeof(bad->why), "%s", why[0] ? why : "the record is refused");
            }
            return RECORD_BAD;
        }
        if (rc)
            return RECORD_STOP;
    }
    return 0;
}
