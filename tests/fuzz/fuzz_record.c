/* fuzz_record: log recovery over arbitrary bytes — the evlog scanner over a file image, record_read_event and apply over its payloads. */
#include "game/room_internal.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "log/crc32c.h"
#include "log/evlog_format.h"
#include "log/record.h"

/* A recovered room gets its View and filtered events packed for these
 * recipients: 0 (a screen), the first members, and one id past the last. */
#define FUZZ_VIEWERS 4

static void dump(const room *r, msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    room_dump(r, &pk);
}

static void put_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* What record_read_event relies on: whatever record_well_formed passes,
 * msgpack-c unpacks whole, with no out-of-memory (depth within its limit). */
static void check_well_formed(const uint8_t *p, size_t len)
{
    if (!record_well_formed(p, len))
        return;
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    msgpack_unpack_return rc = msgpack_unpack_next(&u, (const char *)p, len, &off);
    FUZZ_CHECK(rc == MSGPACK_UNPACK_SUCCESS, "record_well_formed passed %zu bytes that msgpack-c refuses (%d)", len,
               (int)rc);
    FUZZ_CHECK(off == len, "record_well_formed passed %zu bytes of which msgpack-c reads %zu", len, off);
    msgpack_unpacked_destroy(&u);
}

static void pack_to(msgpack_sbuffer *sb, const game_event *e)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    game_pack_event(e, &pk);
}

/* A recovered room is served like a live one: its View and the event just
 * applied pack for anyone without a crash. */
static void check_served(const room *r, const game_event *e)
{
    uint32_t n = room_members(r);
    for (uint32_t k = 0; k <= FUZZ_VIEWERS + 1; k++) {
        uint32_t who = k <= FUZZ_VIEWERS ? k : n + 1;
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_unpacked u;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        game_pack_view(r, who, &pk);
        FUZZ_CHECK(fuzz_unpack_one("view", sb.data, sb.size, &u) == MSGPACK_OBJECT_MAP, "View is not a map");
        msgpack_unpacked_destroy(&u);
        msgpack_sbuffer_clear(&sb);
        game_pack_event_for(r, e, who, &pk);
        FUZZ_CHECK(fuzz_unpack_one("filtered event", sb.data, sb.size, &u) == MSGPACK_OBJECT_MAP,
                   "filtered %s is not a map", game_event_name(e->kind));
        msgpack_unpacked_destroy(&u);
        msgpack_sbuffer_destroy(&sb);
    }
    if (e->kind == GAME_EV_CLOSED) {
        game_summary *sum = room_summary(r, 0);
        game_summary_free(sum);
    }
}

/* Recovery of one payload: read it, and when it is an event, check that it
 * re-encodes stably and fold it into `r` (and its re-encoding into `copy`).
 * Returns false when the room cannot take it (recovery stops there). */
static bool recover_one(room *r, room *copy, const uint8_t *p, size_t len)
{
    game_event e, again;
    char err[256];
    msgpack_sbuffer a, b;

    check_well_formed(p, len);
    if (record_read_event(p, len, &e, err, sizeof err) != 0) {
        FUZZ_CHECK(err[0] != '\0', "record_read_event failed without a sentence");
        return false;
    }
    FUZZ_CHECK((unsigned)e.kind < GAME_EV__COUNT, "event kind %d", (int)e.kind);
    /* Whatever the reader accepts, the writer writes back in a form the
     * reader reads to the same bytes again. */
    pack_to(&a, &e);
    FUZZ_CHECK(record_read_event((const uint8_t *)a.data, a.size, &again, err, sizeof err) == 0,
               "a read %s does not read back after packing: %s", game_event_name(e.kind), err);
    pack_to(&b, &again);
    FUZZ_CHECK(fuzz_same(&a, &b), "%s: pack, read, pack gives other bytes", game_event_name(e.kind));
    msgpack_sbuffer_destroy(&a);
    msgpack_sbuffer_destroy(&b);

    bool ok = true;
    if (r) {
        msgpack_sbuffer before, after;
        dump(r, &before);
        if (game_apply(r, &e) == 0) {
            FUZZ_CHECK(game_apply(copy, &again) == 0, "apply took %s but not its re-encoding", game_event_name(e.kind));
            check_served(r, &e);
        } else {
            dump(r, &after);
            FUZZ_CHECK(fuzz_same(&before, &after), "a refused %s changed the room", game_event_name(e.kind));
            msgpack_sbuffer_destroy(&after);
            ok = false;
        }
        msgpack_sbuffer_destroy(&before);
    }
    game_event_clear(&e);
    game_event_clear(&again);
    return ok;
}

/* The scanner over a file image: stays inside the bytes, its valid prefix
 * grows record by record and ends within the image, and once it stops it
 * stays stopped. Feeds each payload to recovery while the room takes them. */
static size_t scan_image(const uint8_t *buf, size_t size, room *r, room *copy)
{
    struct evlog_scan sc;
    const uint8_t *payload;
    uint32_t len;
    size_t offset, records = 0, last_end = 0;
    bool recovering = r != NULL;

    evlog_scan_init(&sc, buf, size);
    while (evlog_scan_next(&sc, &payload, &len, &offset)) {
        FUZZ_CHECK(offset >= EVLOG_MAGIC_LEN && offset >= last_end, "record at %zu before %zu", offset, last_end);
        FUZZ_CHECK(payload == buf + offset + EVLOG_RECORD_HEADER_LEN, "payload not after its header");
        FUZZ_CHECK(len >= 1 && len <= EVLOG_RECORD_MAX, "payload of %u bytes", len);
        FUZZ_CHECK(offset + EVLOG_RECORD_HEADER_LEN + len <= size, "record runs past the image");
        FUZZ_CHECK(sc.valid_end == offset + evlog_record_size(len), "valid_end %zu after a record ending at %zu",
                   sc.valid_end, offset + evlog_record_size(len));
        last_end = sc.valid_end;
        records++;
        if (recovering)
            recovering = recover_one(r, copy, payload, len);
    }
    FUZZ_CHECK(sc.records == records, "scan counts %zu records, returned %zu", sc.records, records);
    FUZZ_CHECK(sc.valid_end <= size, "valid prefix %zu longer than the %zu bytes", sc.valid_end, size);
    FUZZ_CHECK(records == 0 || sc.valid_end == last_end, "valid_end moved without a record");
    FUZZ_CHECK((unsigned)sc.tail <= EVLOG_TAIL_BAD_CRC, "tail %d", (int)sc.tail);
    FUZZ_CHECK(sc.tail != EVLOG_TAIL_CLEAN || sc.valid_end == size || size == 0,
               "a clean scan that stops at %zu of %zu", sc.valid_end, size);
    FUZZ_CHECK(evlog_tail_name(sc.tail) != NULL, "no name for tail %d", (int)sc.tail);
    FUZZ_CHECK(!evlog_scan_next(&sc, &payload, &len, &offset), "the scan went on after stopping");
    return records;
}

/* The image with every record made valid: the magic in front, each length
 * clamped to the bytes left, each CRC-32C recomputed, a short tail cut. So
 * the fuzzer reaches the payloads of a log without having to find CRCs.
 * Returns the fixed image's size; *records how many it holds. */
static size_t fix_image(uint8_t *buf, size_t size, size_t *records)
{
    size_t pos = EVLOG_MAGIC_LEN;
    *records = 0;
    if (size < EVLOG_MAGIC_LEN)
        return 0;
    memcpy(buf, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    while (size - pos > EVLOG_RECORD_HEADER_LEN) {
        size_t left = size - pos - EVLOG_RECORD_HEADER_LEN;
        uint32_t n = (uint32_t)buf[pos] | (uint32_t)buf[pos + 1] << 8 | (uint32_t)buf[pos + 2] << 16 |
                     (uint32_t)buf[pos + 3] << 24;
        if (n == 0 || n > left)
            n = (uint32_t)(left < EVLOG_RECORD_MAX ? left : EVLOG_RECORD_MAX);
        put_u32le(buf + pos, n);
        put_u32le(buf + pos + 4, crc32c(buf + pos + EVLOG_RECORD_HEADER_LEN, n));
        pos += evlog_record_size(n);
        (*records)++;
    }
    return pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. The input as a file image, as it is. */
    room *r = room_new(), *copy = room_new();
    FUZZ_CHECK(r && copy, "room_new failed");
    scan_image(data, size, r, copy);
    FUZZ_CHECK(room_equal(r, copy), "the room from re-encoded events differs");
    room_free(r);
    room_free(copy);

    /* 2. The input as one payload. */
    recover_one(NULL, NULL, data, size);

    /* 3. The input as a file image whose framing was made valid: the
     * scanner reads it whole, recovery gets every payload. */
    uint8_t *fixed = malloc(size ? size : 1);
    FUZZ_CHECK(fixed, "out of memory");
    memcpy(fixed, data, size);
    size_t want;
    size_t fixed_size = fix_image(fixed, size, &want);
    r = room_new();
    copy = room_new();
    FUZZ_CHECK(r && copy, "room_new failed");
    size_t got = scan_image(fixed, fixed_size, r, copy);
    FUZZ_CHECK(got == want, "a log of %zu valid records scans as %zu", want, got);
    FUZZ_CHECK(room_equal(r, copy), "the room from re-encoded events differs");
    room_free(r);
    room_free(copy);
    free(fixed);
    return 0;
}
