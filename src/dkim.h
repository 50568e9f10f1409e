/*
 * dkim.h -- DKIM key records (RFC 6376 3.6.1) at SELECTOR._domainkey.
 *
 * A key record is a tag=value list (mailtxt.h): v=DKIM1 (optional, but
 * first when given), k= the key type (rsa by default, or ed25519, RFC
 * 8463), p= the public key in base64, required; an empty p= revokes the
 * key. The size of an RSA key is read from its DER SubjectPublicKeyInfo
 * by OpenSSL's libcrypto, never by our own ASN.1 code.
 */
#ifndef PW_DKIM_H
#define PW_DKIM_H

#include <stdbool.h>
#include <stddef.h>

struct dkim_key {
	char k[16];   /* key type: "rsa" or "ed25519" */
	bool revoked; /* p= is empty */
	int bits;     /* key size; 0 when revoked */
};

/* Parse a key record and measure its key. Returns 0, PW_EINVAL with why
 * in err (v= not DKIM1 or not first, no p=, an unknown k=, p= not base64
 * or not a key of type k), or PW_ENOMEM. */
int dkim_parse(const char *text, struct dkim_key *key, char *err, size_t errlen);

/* The size in bits of the public key b64 (white space allowed inside)
 * of type k ("rsa": DER SubjectPublicKeyInfo or, as some publish it, a
 * bare RSAPublicKey; "ed25519": 32 raw bytes). Returns 0 or PW_EINVAL. */
int dkim_key_bits(const char *b64, const char *k, int *bits, char *err, size_t errlen);

#endif
