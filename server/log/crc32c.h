/* CRC-32C (Castagnoli), the checksum that frames every session-log record. */
#ifndef VERRIJK_LOG_CRC32C_H
#define VERRIJK_LOG_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of len bytes at buf. crc32c("123456789", 9) == 0xE3069283. */
uint32_t crc32c(const void *buf, size_t len);

/* Continues a CRC over more bytes: crc32c_extend(crc32c(a), b) equals the
 * CRC of a followed by b. Start from 0 for an empty prefix. */
uint32_t crc32c_extend(uint32_t crc, const void *buf, size_t len);

#endif
