/* The session-log file format (SPEC.md §9): pure encoding and scanning, no I/O. */
#ifndef VERRIJK_LOG_EVLOG_FORMAT_H
#define VERRIJK_LOG_EVLOG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A log file starts with these 8 bytes, then holds records of
 * u32 length (LE) | u32 CRC-32C of the payload (LE) | payload. */
#define EVLOG_MAGIC             "VRJKLOG1"
#define EVLOG_MAGIC_LEN         8
#define EVLOG_RECORD_HEADER_LEN 8

/* The largest payload a record may carry. A `created` event embeds a whole
 * deck, so this is generous; a length field above it marks a corrupt record
 * (it cannot come from this writer). */
#define EVLOG_RECORD_MAX (1u << 20)

/* Why a scan stopped. Anything but EVLOG_TAIL_CLEAN means the bytes from
 * evlog_scan.valid_end on are not part of the log. */
enum evlog_tail {
    EVLOG_TAIL_CLEAN = 0,    /* every byte belongs to a whole record */
    EVLOG_TAIL_BAD_MAGIC,    /* the file does not start with EVLOG_MAGIC */
    EVLOG_TAIL_TORN_MAGIC,   /* shorter than the magic, and a prefix of it */
    EVLOG_TAIL_TORN_HEADER,  /* fewer than 8 bytes left for a record header */
    EVLOG_TAIL_ZERO_LENGTH,  /* a record of length 0 (e.g. a zero-filled tail) */
    EVLOG_TAIL_TOO_LONG,     /* a length over EVLOG_RECORD_MAX */
    EVLOG_TAIL_TORN_PAYLOAD, /* the payload runs past the end of the bytes */
    EVLOG_TAIL_BAD_CRC,      /* the payload's CRC-32C does not match */
};

/* A short lower-case name for a tail reason ("torn payload"). */
const char *evlog_tail_name(enum evlog_tail tail);

/* The bytes one record of a len-byte payload takes in the file. */
static inline size_t evlog_record_size(size_t len)
{
    return EVLOG_RECORD_HEADER_LEN + len;
}

/* Writes the 8-byte record header for a len-byte payload into out. */
void evlog_record_header(uint8_t out[EVLOG_RECORD_HEADER_LEN], const void *payload, uint32_t len);

/* Encodes one whole record (header and payload) into out, which has room for
 * cap bytes. Returns the bytes written, or 0 when len is 0, len is over
 * EVLOG_RECORD_MAX, or cap is too small (out is then left untouched). */
size_t evlog_record_encode(uint8_t *out, size_t cap, const void *payload, size_t len);

/* A scanner over a log file's bytes held in memory. It does not copy them:
 * payloads it returns point into the caller's buffer. */
struct evlog_scan {
    const uint8_t *buf;
    size_t len;
    size_t pos;           /* the offset of the next record */
    size_t valid_end;     /* the end of the valid prefix seen so far */
    size_t records;       /* whole records returned so far */
    enum evlog_tail tail; /* why the scan stopped (set when next() returns false) */
};

/* Starts a scan over a whole file's bytes, header included. */
void evlog_scan_init(struct evlog_scan *s, const void *buf, size_t len);

/* Returns the next valid record's payload and its length (and the record's
 * offset in the file when offset is not NULL), or false at the end of the
 * valid prefix: then s->valid_end is where the valid bytes end and s->tail
 * says why the rest (if any) is invalid. Once false, it stays false. */
bool evlog_scan_next(struct evlog_scan *s, const uint8_t **payload, uint32_t *len, size_t *offset);

#endif
