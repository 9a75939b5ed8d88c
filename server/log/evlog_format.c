/* The session-log file format (SPEC.md §9): record framing and a scanner that finds the valid prefix. */
#include "log/evlog_format.h"

#include <string.h>

#include "log/crc32c.h"

static void put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *evlog_tail_name(enum evlog_tail tail)
{
    switch (tail) {
    case EVLOG_TAIL_CLEAN: return "clean";
    case EVLOG_TAIL_BAD_MAGIC: return "not a session log (bad file header)";
    case EVLOG_TAIL_TORN_MAGIC: return "torn file header";
    case EVLOG_TAIL_TORN_HEADER: return "torn record header";
    case EVLOG_TAIL_ZERO_LENGTH: return "record of length 0";
    case EVLOG_TAIL_TOO_LONG: return "record length over the maximum";
    case EVLOG_TAIL_TORN_PAYLOAD: return "torn payload";
    case EVLOG_TAIL_BAD_CRC: return "CRC mismatch";
    }
    return "unknown";
}

void evlog_record_header(uint8_t out[EVLOG_RECORD_HEADER_LEN], const void *payload, uint32_t len)
{
    put_u32le(out, len);
    put_u32le(out + 4, crc32c(payload, len));
}

size_t evlog_record_encode(uint8_t *out, size_t cap, const void *payload, size_t len)
{
    if (len == 0 || len > EVLOG_RECORD_MAX || cap < evlog_record_size(len))
        return 0;
    evlog_record_header(out, payload, (uint32_t)len);
    memcpy(out + EVLOG_RECORD_HEADER_LEN, payload, len);
    return evlog_record_size(len);
}

void evlog_scan_init(struct evlog_scan *s, const void *buf, size_t len)
{
    memset(s, 0, sizeof(*s));
    s->buf = buf;
    s->len = len;
    /* A file that is shorter than the magic but agrees with it was torn while
     * being created: nothing valid in it, and safe to truncate to zero. A
     * file whose first bytes disagree is not ours and must not be touched. */
    if (len == 0) {
        /* An empty file: created, and killed before the magic was written. */
        s->tail = EVLOG_TAIL_CLEAN;
        return;
    }
    if (len < EVLOG_MAGIC_LEN) {
        s->tail = memcmp(buf, EVLOG_MAGIC, len) == 0 ? EVLOG_TAIL_TORN_MAGIC : EVLOG_TAIL_BAD_MAGIC;
        s->pos = len;
        return;
    }
    if (memcmp(buf, EVLOG_MAGIC, EVLOG_MAGIC_LEN) != 0) {
        s->tail = EVLOG_TAIL_BAD_MAGIC;
        s->pos = len;
        return;
    }
    s->pos = EVLOG_MAGIC_LEN;
    s->valid_end = EVLOG_MAGIC_LEN;
    s->tail = EVLOG_TAIL_CLEAN;
}

bool evlog_scan_next(struct evlog_scan *s, const uint8_t **payload, uint32_t *len, size_t *offset)
{
    if (s->tail != EVLOG_TAIL_CLEAN || s->pos >= s->len)
        return false;
    size_t left = s->len - s->pos;
    const uint8_t *p = s->buf + s->pos;
    if (left < EVLOG_RECORD_HEADER_LEN) {
        s->tail = EVLOG_TAIL_TORN_HEADER;
        return false;
    }
    uint32_t n = get_u32le(p);
    uint32_t crc = get_u32le(p + 4);
    if (n == 0) {
        s->tail = EVLOG_TAIL_ZERO_LENGTH;
        return false;
    }
    if (n > EVLOG_RECORD_MAX) {
        s->tail = EVLOG_TAIL_TOO_LONG;
        return false;
    }
    if (left - EVLOG_RECORD_HEADER_LEN < n) {
        s->tail = EVLOG_TAIL_TORN_PAYLOAD;
        return false;
    }
    if (crc32c(p + EVLOG_RECORD_HEADER_LEN, n) != crc) {
        s->tail = EVLOG_TAIL_BAD_CRC;
        return false;
    }
    *payload = p + EVLOG_RECORD_HEADER_LEN;
    *len = n;
    if (offset)
        *offset = s->pos;
    s->pos += evlog_record_size(n);
    s->valid_end = s->pos;
    s->records++;
    return true;
}
