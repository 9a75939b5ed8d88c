/* CRC-32C (Castagnoli), table-driven software implementation, slicing by 8. */
#include "log/crc32c.h"

#include <pthread.h>

/* The reflected Castagnoli polynomial. */
#define CRC32C_POLY 0x82F63B78u

/* Eight tables of 256 entries: table[k][b] is the CRC of byte b followed by
 * k zero bytes, which lets the inner loop consume 8 bytes per step. They are
 * built once, on first use, from any thread. */
static uint32_t crc32c_table[8][256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void crc32c_init_tables(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc32c_table[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = crc32c_table[0][b];
        for (int k = 1; k < 8; k++) {
            c = crc32c_table[0][c & 0xFF] ^ (c >> 8);
            crc32c_table[k][b] = c;
        }
    }
}

uint32_t crc32c_extend(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint32_t c = ~crc;

    pthread_once(&crc32c_once, crc32c_init_tables);
    while (len >= 8) {
        /* Assembled byte by byte so the result does not depend on the
         * host's byte order or on alignment. */
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        c = crc32c_table[7][lo & 0xFF] ^ crc32c_table[6][(lo >> 8) & 0xFF] ^ crc32c_table[5][(lo >> 16) & 0xFF] ^
            crc32c_table[4][lo >> 24] ^ crc32c_table[3][hi & 0xFF] ^ crc32c_table[2][(hi >> 8) & 0xFF] ^
            crc32c_table[1][(hi >> 16) & 0xFF] ^ crc32c_table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = crc32c_table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

uint32_t crc32c(const void *buf, size_t len)
{
    return crc32c_extend(0, buf, len);
}
