/* crc32.h: CRC-32 as zlib computes it, faster where the CPU multiplies without carries. */
#ifndef AU_CRC32_H
#define AU_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Same result as zlib's crc32(crc, buf, len). */
uint32_t crc32_fast(uint32_t crc, const uint8_t *buf, size_t len);

#endif
