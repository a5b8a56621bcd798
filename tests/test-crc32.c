/* test-crc32.c: the folding CRC-32 gives zlib's result for every length, offset and starting value. */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "crc32.h"

int
main(void)
{
	size_t n = 70000, passed = 0, failed = 0;
	unsigned char *b = malloc(n + 16);
	unsigned s = 1;

	for (size_t i = 0; i < n + 16; i++) {
		s = s * 1103515245u + 12345u;
		b[i] = (unsigned char)(s >> 16);
	}
	for (size_t len = 0; len < 1200; len++)
		for (size_t off = 0; off < 4; off++) {
			uint32_t c0 = (uint32_t)(len * 2654435761u);
			if (crc32_fast(c0, b + off, len) == (uint32_t)crc32(c0, b + off, (uInt)len))
				passed++;
			else if (failed++ < 5)
				printf("FAIL: length %zu at offset %zu\n", len, off);
		}
	for (size_t len = 65000; len <= n; len += 97)
		if (crc32_fast(0, b, len) == (uint32_t)crc32(0, b, (uInt)len))
			passed++;
		else if (failed++ < 5)
			printf("FAIL: length %zu\n", len);
	/* The CRC-32 check value of "123456789". */
	if (crc32_fast(0, (const uint8_t *)"123456789", 9) == 0xcbf43926u)
		passed++;
	else
		failed++;
	free(b);
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed != 0;
}
