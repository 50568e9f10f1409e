/*
 * test_dkim.c -- the DKIM key record parser and the key size, with the
 * lab's two keys (scripts/lab/keys/dkim-rsa2048.b64 and -768.b64), the
 * same keys as a bare RSAPublicKey, an Ed25519 key, and bad records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "error.h"

/* scripts/lab/keys/dkim-rsa2048.b64 */
static const char key2048[] =
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnoeIwIoqVNYB8/21m3Jmj0qnw1NiWE+OwHlJ"
        "SVWZysR5TNtroXaEQpzUF9hxzOWlFpED90x1nROOVnWLdLDRXwqV8cTd2ic1Ug9hsMMI8QIbUpV1mPml"
        "il3aAXrjBh7Zm/6PrHJ+skG0+K2Cykeqh3cMSjVHkMRfJpgoaAi+DapxH0VN1Ty3E7LsglDr6ekDG039"
        "jje1Ej4Jtsj/jg++EpVWn/F2vY/XYGAWBGevUEVpxB2fAw604/f4X04pd4VL/1GUChEJophNc7q9rPVb"
        "yX0ZspjxJ6Joib3ZpCN3y53Wnaax69btjgPTJCUFgd1iZ1HXctv1ebGlytz+9dcvAQIDAQAB";
/* scripts/lab/keys/dkim-rsa768.b64 */
static const char key768[] =
        "MHwwDQYJKoZIhvcNAQEBBQADawAwaAJhAOEcm5vxVNFKw3UC16fD1Hby2ZNfZjSrlLuNAPI5laMkZJe/"
        "sMViOGAtdTnOs0BQ4qF9HUczOUVEujS3R3eIOKp6m4kmKtxVb9TJQDOfF52zLNRicIEXdRwOqLU3hhdnk"
        "wIDAQAB";

static void bits_of(const char *b64, const char *k, int want)
{
	char err[256] = "";
	int bits = -1;
	if (dkim_key_bits(b64, k, &bits, err, sizeof err) != 0)
		fail_msg("key should be read: %s", err);
	assert_int_equal(bits, want);
}

static void test_lab_keys(void **state)
{
	(void)state;
	bits_of(key2048, "rsa", 2048);
	bits_of(key768, "rsa", 768);
}

/* The same key with white space inside, as long TXT records are split. */
static void test_whitespace(void **state)
{
	char spaced[1024];
	size_t o = 0;
	(void)state;
	for (size_t i = 0; key2048[i]; i++) {
		if (i % 64 == 0 && i > 0)
			spaced[o++] = i % 128 ? ' ' : '\t';
		spaced[o++] = key2048[i];
	}
	spaced[o] = '\0';
	bits_of(spaced, "rsa", 2048);
}

/* Some publish the bare PKCS#1 RSAPublicKey instead of the
 * SubjectPublicKeyInfo: the size is read from that too. */
static void test_pkcs1(void **state)
{
	unsigned char der[1024], *p = der, b64[2048];
	(void)state;
	EVP_PKEY *k = NULL;
	const unsigned char *in = NULL;
	unsigned char spki[1024];
	int n = EVP_DecodeBlock(spki, (const unsigned char *)key768, (int)strlen(key768));
	assert_true(n > 0);
	in = spki;
	k = d2i_PUBKEY(NULL, &in, n);
	assert_non_null(k);
	int len = i2d_PublicKey(k, &p);
	EVP_PKEY_free(k);
	assert_true(len > 0 && len < (int)sizeof der);
	EVP_EncodeBlock(b64, der, len);
	bits_of((const char *)b64, "rsa", 768);
}

static void test_ed25519(void **state)
{
	char err[256];
	int bits;
	(void)state;
	/* 32 bytes: RFC 8463's example key */
	bits_of("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "ed25519", 256);
	assert_int_equal(dkim_key_bits("aGVsbG8=", "ed25519", &bits, err, sizeof err), PW_EINVAL);
	assert_non_null(strstr(err, "32"));
}

static void parses(const char *text, bool revoked, int bits, const char *k)
{
	struct dkim_key key;
	char err[256] = "";
	if (dkim_parse(text, &key, err, sizeof err) != 0)
		fail_msg("'%.60s' should parse: %s", text, err);
	assert_int_equal(key.revoked, revoked);
	assert_int_equal(key.bits, bits);
	assert_string_equal(key.k, k);
}

static void rejects(const char *text, const char *why)
{
	struct dkim_key key;
	char err[256] = "";
	assert_int_equal(dkim_parse(text, &key, err, sizeof err), PW_EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%.60s': error '%s' should say '%s'", text, err, why);
}

static void test_records(void **state)
{
	char rec[1024];
	(void)state;
	snprintf(rec, sizeof rec, "v=DKIM1; k=rsa; p=%s", key2048);
	parses(rec, false, 2048, "rsa");
	snprintf(rec, sizeof rec, "p=%s", key768); /* v= and k= are optional */
	parses(rec, false, 768, "rsa");
	snprintf(rec, sizeof rec, "v=DKIM1; h=sha256; t=y; s=email; n=notes; p=%s;", key768);
	parses(rec, false, 768, "rsa");
	parses("v=DKIM1; k=rsa; p=", true, 0, "rsa");
	parses("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", false, 256,
	       "ed25519");
}

static void test_errors(void **state)
{
	char rec[1024];
	(void)state;
	rejects("v=DKIM1; k=rsa; p=this*is*not*base64!", "not base64");
	rejects("v=DKIM1; k=rsa; p=aGVsbG8=", "not an RSA public key");
	rejects("v=DKIM1; k=rsa; p=abc", "multiple of 4");
	rejects("v=DKIM1; k=rsa; p=ab=c", "not base64");
	rejects("v=DKIM1; k=rsa", "no p= tag");
	rejects("k=rsa; v=DKIM1; p=", "first");
	rejects("v=DKIM2; p=", "DKIM1");
	rejects("v=DKIM1; k=dsa; p=", "rsa or ed25519");
	rejects("v=DKIM1; p=; p=", "twice");
	rejects("v=DKIM1; p", "tag=value");
	rejects("v=DKIM1 p=x", "DKIM1"); /* one tag: v with the value "DKIM1 p=x" */
	snprintf(rec, sizeof rec, "v=DKIM1; p=%.100s", key2048); /* cut short */
	rejects(rec, "p=");
	/* Absurdly long: refused before decoding. */
	char *big = malloc(20000);
	memcpy(big, "p=", 2);
	memset(big + 2, 'A', 19996);
	big[19998] = '\0';
	rejects(big, "too long");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_keys), cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_pkcs1),    cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_records),  cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
