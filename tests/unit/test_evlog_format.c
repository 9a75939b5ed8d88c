/* test_evlog_format: record framing and the scanner: round trips, torn tails at every offset, flipped bits, bad lengths and headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log/evlog_format.h"

/* A log built in memory: the magic and RECORDS records of varied sizes. */
#define RECORDS 12
#define LOG_CAP (64 * 1024)

struct mem_log {
    uint8_t bytes[LOG_CAP];
    size_t len;
    size_t offset[RECORDS]; /* where each record starts */
    size_t plen[RECORDS];
    uint8_t payload[RECORDS][600];
};

static void fill_payload(uint8_t *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

static struct mem_log *mem_log_build(void)
{
    struct mem_log *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    memcpy(m->bytes, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    m->len = EVLOG_MAGIC_LEN;
    for (unsigned i = 0; i < RECORDS; i++) {
        /* Sizes 1, 51, 101, ... cover payloads shorter than a header too. */
        m->plen[i] = 1 + 50 * i;
        fill_payload(m->payload[i], m->plen[i], i);
        m->offset[i] = m->len;
        size_t n = evlog_record_encode(m->bytes + m->len, LOG_CAP - m->len, m->payload[i], m->plen[i]);
        assert_int_equal(n, evlog_record_size(m->plen[i]));
        m->len += n;
    }
    return m;
}

/* Scans buf and checks that it yields exactly the first `whole` records of
 * m, then stops at valid_end with the given reason. */
static void expect_scan(const struct mem_log *m, const uint8_t *buf, size_t len, size_t whole, size_t valid_end,
                        enum evlog_tail tail)
{
    struct evlog_scan s;
    const uint8_t *p;
    uint32_t n;
    size_t off, i = 0;
    evlog_scan_init(&s, buf, len);
    while (evlog_scan_next(&s, &p, &n, &off)) {
        assert_true(i < whole);
        assert_int_equal(n, m->plen[i]);
        assert_int_equal(off, m->offset[i]);
        assert_memory_equal(p, m->payload[i], n);
        i++;
    }
    assert_int_equal(i, whole);
    assert_int_equal(s.records, whole);
    assert_int_equal(s.valid_end, valid_end);
    assert_int_equal(s.tail, tail);
    /* Once stopped, the scanner stays stopped. */
    assert_false(evlog_scan_next(&s, &p, &n, &off));
}

static void test_evlog_record_round_trip(void **state)
{
    struct mem_log *m = mem_log_build();
    (void)state;
    expect_scan(m, m->bytes, m->len, RECORDS, m->len, EVLOG_TAIL_CLEAN);
    free(m);
}

static void test_evlog_record_header_is_length_and_crc_little_endian(void **state)
{
    uint8_t out[32];
    (void)state;
    assert_int_equal(evlog_record_encode(out, sizeof(out), "123456789", 9), 17);
    static const uint8_t want[8] = {9, 0, 0, 0, 0x83, 0x92, 0x06, 0xE3};
    assert_memory_equal(out, want, 8);
    assert_memory_equal(out + 8, "123456789", 9);
}

static void test_evlog_record_encode_refuses_empty_oversized_and_short_buffer(void **state)
{
    uint8_t small[16];
    (void)state;
    assert_int_equal(evlog_record_encode(small, sizeof(small), "x", 0), 0);
    assert_int_equal(evlog_record_encode(small, sizeof(small), "123456789", 9), 0);
    uint8_t *big = malloc(EVLOG_RECORD_MAX + 16);
    assert_non_null(big);
    memset(big, 0xA5, EVLOG_RECORD_MAX + 16);
    assert_int_equal(evlog_record_encode(big, EVLOG_RECORD_MAX + 16, big, EVLOG_RECORD_MAX + 1), 0);
    /* The maximum itself is allowed (the payload is copied within big). */
    uint8_t *rec = malloc(EVLOG_RECORD_MAX + 8);
    assert_non_null(rec);
    assert_int_equal(evlog_record_encode(rec, EVLOG_RECORD_MAX + 8, big, EVLOG_RECORD_MAX), EVLOG_RECORD_MAX + 8);
    free(rec);
    free(big);
}

/* A file cut at any byte inside its last record (the crash left it half
 * written) yields every earlier record and marks the valid prefix at the
 * start of the last one. */
static void test_evlog_torn_tail_at_every_offset_of_last_record(void **state)
{
    struct mem_log *m = mem_log_build();
    size_t last = m->offset[RECORDS - 1];
    (void)state;
    for (size_t cut = last; cut < m->len; cut++) {
        enum evlog_tail want = cut == last                            ? EVLOG_TAIL_CLEAN
                               : cut - last < EVLOG_RECORD_HEADER_LEN ? EVLOG_TAIL_TORN_HEADER
                                                                      : EVLOG_TAIL_TORN_PAYLOAD;
        expect_scan(m, m->bytes, cut, RECORDS - 1, last, want);
    }
    free(m);
}

/* A single flipped bit anywhere in any record's payload or CRC field is
 * caught, and every record before it still reads. */
static void test_evlog_flipped_bit_in_any_record_is_caught_by_crc(void **state)
{
    struct mem_log *m = mem_log_build();
    uint8_t *copy = malloc(m->len);
    assert_non_null(copy);
    (void)state;
    for (size_t r = 0; r < RECORDS; r++) {
        size_t from = m->offset[r] + 4; /* the CRC field, then the payload */
        size_t to = m->offset[r] + EVLOG_RECORD_HEADER_LEN + m->plen[r];
        for (size_t byte = from; byte < to; byte++) {
            for (int bit = 0; bit < 8; bit++) {
                memcpy(copy, m->bytes, m->len);
                copy[byte] ^= (uint8_t)(1u << bit);
                expect_scan(m, copy, m->len, r, m->offset[r], EVLOG_TAIL_BAD_CRC);
            }
        }
    }
    free(copy);
    free(m);
}

/* A flipped bit in a length field never makes the scanner read a wrong
 * record as valid: it stops at that record, whatever the reason. */
static void test_evlog_flipped_bit_in_length_stops_at_that_record(void **state)
{
    struct mem_log *m = mem_log_build();
    uint8_t *copy = malloc(m->len);
    assert_non_null(copy);
    (void)state;
    for (size_t r = 0; r < RECORDS; r++) {
        for (size_t byte = m->offset[r]; byte < m->offset[r] + 4; byte++) {
            for (int bit = 0; bit < 8; bit++) {
                memcpy(copy, m->bytes, m->len);
                copy[byte] ^= (uint8_t)(1u << bit);
                struct evlog_scan s;
                const uint8_t *p;
                uint32_t n;
                evlog_scan_init(&s, copy, m->len);
                while (evlog_scan_next(&s, &p, &n, NULL))
                    ;
                assert_int_equal(s.records, r);
                assert_int_equal(s.valid_end, m->offset[r]);
                assert_int_not_equal(s.tail, EVLOG_TAIL_CLEAN);
            }
        }
    }
    free(copy);
    free(m);
}

static void test_evlog_length_over_max_is_refused(void **state)
{
    struct mem_log *m = mem_log_build();
    size_t at = m->len;
    (void)state;
    uint32_t n = EVLOG_RECORD_MAX + 1;
    m->bytes[at] = (uint8_t)n;
    m->bytes[at + 1] = (uint8_t)(n >> 8);
    m->bytes[at + 2] = (uint8_t)(n >> 16);
    m->bytes[at + 3] = (uint8_t)(n >> 24);
    memset(m->bytes + at + 4, 0, 4 + 100);
    expect_scan(m, m->bytes, at + 108, RECORDS, at, EVLOG_TAIL_TOO_LONG);
    free(m);
}

/* Some filesystems leave zeros after a crash where an append did not land:
 * a zero length must not read as an endless run of empty records. */
static void test_evlog_zero_filled_tail_is_invalid(void **state)
{
    struct mem_log *m = mem_log_build();
    size_t at = m->len;
    (void)state;
    memset(m->bytes + at, 0, 4096);
    expect_scan(m, m->bytes, at + 4096, RECORDS, at, EVLOG_TAIL_ZERO_LENGTH);
    free(m);
}

static void test_evlog_file_header_checks(void **state)
{
    struct mem_log *m = mem_log_build();
    (void)state;
    /* Empty: a clean, empty log. */
    expect_scan(m, m->bytes, 0, 0, 0, EVLOG_TAIL_CLEAN);
    /* Torn inside the magic, at every length. */
    for (size_t cut = 1; cut < EVLOG_MAGIC_LEN; cut++)
        expect_scan(m, m->bytes, cut, 0, 0, EVLOG_TAIL_TORN_MAGIC);
    /* Only the magic: clean, no records. */
    expect_scan(m, m->bytes, EVLOG_MAGIC_LEN, 0, EVLOG_MAGIC_LEN, EVLOG_TAIL_CLEAN);
    /* Another file format, long or short. */
    memcpy(m->bytes, "VRJKLOG2", 8);
    expect_scan(m, m->bytes, m->len, 0, 0, EVLOG_TAIL_BAD_MAGIC);
    expect_scan(m, (const uint8_t *)"{\"a\"", 4, 0, 0, EVLOG_TAIL_BAD_MAGIC);
    free(m);
}

static void test_evlog_tail_names_are_distinct(void **state)
{
    (void)state;
    for (int a = EVLOG_TAIL_CLEAN; a <= EVLOG_TAIL_BAD_CRC; a++)
        for (int b = a + 1; b <= EVLOG_TAIL_BAD_CRC; b++)
            assert_string_not_equal(evlog_tail_name(a), evlog_tail_name(b));
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evlog_record_round_trip),
        cmocka_unit_test(test_evlog_record_header_is_length_and_crc_little_endian),
        cmocka_unit_test(test_evlog_record_encode_refuses_empty_oversized_and_short_buffer),
        cmocka_unit_test(test_evlog_torn_tail_at_every_offset_of_last_record),
        cmocka_unit_test(test_evlog_flipped_bit_in_any_record_is_caught_by_crc),
        cmocka_unit_test(test_evlog_flipped_bit_in_length_stops_at_that_record),
        cmocka_unit_test(test_evlog_length_over_max_is_refused),
        cmocka_unit_test(test_evlog_zero_filled_tail_is_invalid),
        cmocka_unit_test(test_evlog_file_header_checks),
        cmocka_unit_test(test_evlog_tail_names_are_distinct),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
