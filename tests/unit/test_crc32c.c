/* test_crc32c: CRC-32C against the standard check value, the RFC 3720 vectors and a bitwise reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log/crc32c.h"

/* The slow, obviously right definition: one bit at a time. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int i = 0; i < 8; i++)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

static void test_crc32c_standard_check_value(void **state)
{
    (void)state;
    assert_int_equal(crc32c("123456789", 9), 0xE3069283u);
}

static void test_crc32c_of_nothing_is_zero(void **state)
{
    (void)state;
    assert_int_equal(crc32c("", 0), 0);
}

/* RFC 3720 (iSCSI) appendix B.4. */
static void test_crc32c_rfc3720_vectors(void **state)
{
    uint8_t buf[32];
    (void)state;
    memset(buf, 0, sizeof(buf));
    assert_int_equal(crc32c(buf, 32), 0x8A9136AAu);
    memset(buf, 0xFF, sizeof(buf));
    assert_int_equal(crc32c(buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(crc32c(buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    assert_int_equal(crc32c(buf, 32), 0x113FDB5Cu);
}

/* Slicing by 8 must agree with the bitwise definition for every length and
 * every alignment, so that the 8-byte steps and the byte tail meet right. */
static void test_crc32c_matches_bitwise_at_every_length_and_alignment(void **state)
{
    uint8_t buf[300];
    uint32_t x = 12345;
    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t len = 0; len + off <= 280; len++)
            assert_int_equal(crc32c(buf + off, len), crc32c_bitwise(buf + off, len));
}

static void test_crc32c_extend_equals_whole_at_every_split(void **state)
{
    const char *text = "Verrijkte leeromgevingen: vensters, bruggen en dialogen.";
    size_t n = strlen(text);
    uint32_t whole = crc32c(text, n);
    (void)state;
    for (size_t cut = 0; cut <= n; cut++)
        assert_int_equal(crc32c_extend(crc32c(text, cut), text + cut, n - cut), whole);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_standard_check_value),
        cmocka_unit_test(test_crc32c_of_nothing_is_zero),
        cmocka_unit_test(test_crc32c_rfc3720_vectors),
        cmocka_unit_test(test_crc32c_matches_bitwise_at_every_length_and_alignment),
        cmocka_unit_test(test_crc32c_extend_equals_whole_at_every_split),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
