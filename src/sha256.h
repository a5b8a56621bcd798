/* sha256.h: SHA-256 of a file, to identify imported logs (FIPS 180-4). */
#ifndef AU_SHA256_H
#define AU_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);
/* For tests: use the portable code even where the CPU has SHA instructions. */
void sha256_force_scalar(int on);
/* Hashes the file at path into hex[65]. */
struct au_error *sha256_file(const char *path, char hex[65]);

#endif
