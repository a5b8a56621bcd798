/* crc32.c: CRC-32 by folding with carry-less multiplication (PCLMULQDQ), zlib for the rest. */
#include <string.h>
#include <zlib.h>

#include "crc32.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * The folding method of Intel's "Fast CRC Computation for Generic
 * Polynomials Using PCLMULQDQ Instruction" (2009), for the reflected
 * CRC-32 polynomial 0xEDB88320: four 128-bit lanes folded 64 bytes at a
 * time, then into one lane, then reduced to 32 bits (Barrett). Works on
 * the raw register (no inversions); len >= 64 and a multiple of 16.
 */
__attribute__((target("pclmul,sse4.1")))
static uint32_t
crc32_fold(uint32_t crc, const uint8_t *p, size_t len)
{
	const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
	const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
	const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
	const __m128i poly = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
	const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i x1, x2, x3, x4, t;

#define LOAD(q) _mm_loadu_si128((const __m128i *)(q))
#define FOLD(x, k, next) do {						\
		__m128i h_ = _mm_clmulepi64_si128((x), (k), 0x11);	\
		(x) = _mm_clmulepi64_si128((x), (k), 0x00);		\
		(x) = _mm_xor_si128(_mm_xor_si128((x), h_), (next));	\
	} while (0)

	x1 = _mm_xor_si128(LOAD(p), _mm_cvtsi32_si128((int)crc));
	x2 = LOAD(p + 16);
	x3 = LOAD(p + 32);
	x4 = LOAD(p + 48);
	p += 64;
	len -= 64;
	while (len >= 64) {
		FOLD(x1, k1k2, LOAD(p));
		FOLD(x2, k1k2, LOAD(p + 16));
		FOLD(x3, k1k2, LOAD(p + 32));
		FOLD(x4, k1k2, LOAD(p + 48));
		p += 64;
		len -= 64;
	}
	FOLD(x1, k3k4, x2);
	FOLD(x1, k3k4, x3);
	FOLD(x1, k3k4, x4);
	while (len >= 16) {
		FOLD(x1, k3k4, LOAD(p));
		p += 16;
		len -= 16;
	}
	/* 128 -> 64 bits. */
	t = _mm_clmulepi64_si128(k3k4, x1, 0x01);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
	/* 64 -> 32 bits. */
	t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 4), t);
	/* Barrett reduction. */
	t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), poly, 0x00);
	x1 = _mm_xor_si128(x1, t);
	return (uint32_t)_mm_extract_epi32(x1, 1);
#undef LOAD
#undef FOLD
}

static int
have_pclmul(void)
{
	static int have = -1;

	if (have == -1) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
	}
	return have;
}

uint32_t
crc32_fast(uint32_t crc, const uint8_t *buf, size_t len)
{
	size_t head = len & ~(size_t)15;

	if (head < 64 || !have_pclmul())
		return (uint32_t)crc32(crc, buf, (uInt)len);
	crc = ~crc32_fold(~crc, buf, head);
	return (uint32_t)crc32(crc, buf + head, (uInt)(len - head));
}
#else
uint32_t
crc32_fast(uint32_t crc, const uint8_t *buf, size_t len)
{
	return (uint32_t)crc32(crc, buf, (uInt)len);
}
#endif
