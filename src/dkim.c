/*
 * dkim.c -- the DKIM key record parser and the key size.
 */
#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim.h"
#include "error.h"
#include "mailtxt.h"

/* Longer than any key anyone publishes (an RSA-16384 key is ~2.8 KB). */
#define MAX_B64 8192

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* b64 without its white space, checked against the alphabet and padding. */
static char *b64_clean(const char *b64, char *err, size_t errlen)
{
	size_t n = 0, pad = 0, len = strlen(b64);
	char *s;

	if (len > MAX_B64) {
		snprintf(err, errlen, "p= is %zu characters long: too long for a key", len);
		return NULL;
	}
	if ((s = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (const char *c = b64; *c; c++) {
		if (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
			continue;
		if (*c == '=') {
			pad++;
		} else if (pad > 0 || strchr(b64chars, *c) == NULL) {
			snprintf(err, errlen, "p= is not base64 (character '%c')", *c);
			free(s);
			return NULL;
		}
		s[n++] = *c;
	}
	s[n] = '\0';
	if (n % 4 != 0 || pad > 2) {
		snprintf(err, errlen, "p= is not base64 (%zu characters, not a multiple of 4)", n);
		free(s);
		return NULL;
	}
	return s;
}

static int rsa_bits(const unsigned char *der, size_t len, int *bits)
{
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k == NULL || p != der + len) {
		EVP_PKEY_free(k);
		p = der;
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
		if (k != NULL && p != der + len) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		return PW_EINVAL;
	}
	*bits = EVP_PKEY_get_bits(k);
	EVP_PKEY_free(k);
	return *bits > 0 ? PW_OK : PW_EINVAL;
}

int dkim_key_bits(const char *b64, const char *k, int *bits, char *err, size_t errlen)
{
	ldns_rdf *rdf = NULL;
	char *clean = b64_clean(b64, err, errlen);
	int rc = PW_EINVAL;

	*bits = 0;
	if (clean == NULL)
		return PW_EINVAL;
	if (clean[0] == '\0' || ldns_str2rdf_b64(&rdf, clean) != LDNS_STATUS_OK || rdf == NULL) {
		snprintf(err, errlen, "p= is not base64");
		goto out;
	}
	const unsigned char *der = ldns_rdf_data(rdf);
	size_t len = ldns_rdf_size(rdf);
	if (strcasecmp(k, "ed25519") == 0) {
		if (len == 32) {
			*bits = 256;
			rc = PW_OK;
		} else {
			snprintf(err, errlen, "p= is %zu bytes, an Ed25519 key is 32", len);
		}
	} else if ((rc = rsa_bits(der, len, bits)) < 0) {
		snprintf(err, errlen, "p= is base64, but not an RSA public key");
	}
out:
	ldns_rdf_deep_free(rdf);
	free(clean);
	return rc;
}

int dkim_parse(const char *text, struct dkim_key *key, char *err, size_t errlen)
{
	struct mailtags tags;
	char *copy = strdup(text);
	int rc;

	memset(key, 0, sizeof *key);
	snprintf(key->k, sizeof key->k, "rsa");
	if (copy == NULL)
		return PW_ENOMEM;
	if ((rc = mailtags_split(copy, &tags, err, errlen)) < 0)
		goto out;
	rc = PW_EINVAL;
	const struct mailtag *v = mailtags_find(&tags, "v", false);
	const struct mailtag *k = mailtags_find(&tags, "k", false);
	const struct mailtag *p = mailtags_find(&tags, "p", false);
	if (v != NULL && (v != &tags.v[0] || strcmp(v->value, "DKIM1") != 0)) {
		snprintf(err, errlen, "%s",
		         v != &tags.v[0] ? "v= must be the first tag" : "v= must be DKIM1");
		goto out;
	}
	if (k != NULL && strcmp(k->value, "rsa") != 0 && strcmp(k->value, "ed25519") != 0) {
		snprintf(err, errlen, "k=%.40s: the key type must be rsa or ed25519", k->value);
		goto out;
	}
	if (k != NULL)
		snprintf(key->k, sizeof key->k, "%s", k->value);
	if (p == NULL) {
		snprintf(err, errlen, "no p= tag: a key record needs the public key");
		goto out;
	}
	if (p->value[0] == '\0') {
		key->revoked = true;
		rc = PW_OK;
		goto out;
	}
	rc = dkim_key_bits(p->value, key->k, &key->bits, err, errlen);
out:
	free(copy);
	return rc;
}
