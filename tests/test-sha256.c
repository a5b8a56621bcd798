/* test-sha256.c: SHA-256 against FIPS 180-4 vectors, and the SHA-instruction path against the portable one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static int passed, failed;

static void
check(int ok, const char *what)
{
	if (ok)
		passed++;
	else {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

static void
hex(const uint8_t md[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
digest(const void *data, size_t len, size_t step, char out[65])
{
	struct sha256_ctx c;
	uint8_t md[32];
	const uint8_t *p = data;

	sha256_init(&c);
	for (size_t at = 0; at < len; at += step)
		sha256_update(&c, p + at, len - at < step ? len - at : step);
	sha256_final(&c, md);
	hex(md, out);
}

int
main(void)
{
	static const struct { const char *msg; const char *want; } vec[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char got[65], want[65];
	uint8_t *buf;
	size_t n = 1000000;

	for (int scalar = 0; scalar < 2; scalar++) {
		sha256_force_scalar(scalar);
		for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
			digest(vec[i].msg, strlen(vec[i].msg), 64, got);
			check(strcmp(got, vec[i].want) == 0, vec[i].msg);
		}
		buf = malloc(n);
		memset(buf, 'a', n);
		digest(buf, n, 1000, got);
		check(strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
		    "a million a's");
		free(buf);
	}
	/* Both paths agree on odd lengths and odd update sizes. */
	buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	for (size_t len = 0; len < 300; len += 7) {
		sha256_force_scalar(0);
		digest(buf, len * 997 % n, 1 + len % 130, got);
		sha256_force_scalar(1);
		digest(buf, len * 997 % n, 64, want);
		check(strcmp(got, want) == 0, "hardware and portable paths agree");
	}
	free(buf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
