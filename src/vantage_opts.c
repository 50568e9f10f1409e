/*
 * vantage_opts.c -- what --via's options say, checked before anything is
 * sent: --from as each network's JSON, the credential, and the text
 * helpers that keep what a network sends (and the credential) in bounds.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "msg.h"
#include "vantage_int.h"

/* A credential longer than this is no token. */
#define SECRET_MAX 1024

uint32_t vantage_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void vantage_text(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t o = 0;

	if (len == 0)
		return;
	while (*s) {
		size_t n = 1;
		bool ok = *s >= 0x20 && *s != 0x7f;
		if (*s >= 0x80) {
			/* Whole UTF-8 characters only: a cut one would make bad JSON. */
			n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
			ok = *s >= 0xc2 && *s < 0xf5;
			for (size_t k = 1; ok && k < n; k++)
				ok = (s[k] & 0xc0) == 0x80;
			if (!ok)
				n = 1;
		}
		if (o + (ok ? n : 1) + 1 > len)
			break;
		if (ok) {
			memcpy(dst + o, s, n);
			o += n;
		} else {
			dst[o++] = '?';
		}
		s += n;
	}
	dst[o] = '\0';
}

void vantage_redact(char *s, size_t len, const char *secret)
{
	size_t k;
	char *p, *from = s;
	(void)len; /* it never grows */
	if (secret == NULL || (k = strlen(secret)) == 0)
		return;
	while ((p = strstr(from, secret)) != NULL) {
		if (k >= 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + k, strlen(p + k) + 1);
			from = p + 3;
		} else {
			memset(p, '*', k);
			from = p + k;
		}
	}
}

/* Valid UTF-8 without control characters: what JSON and people can take. */
static bool plain_text(const char *s)
{
	size_t n = strlen(s);
	char *t = malloc(n + 1);
	bool same = t != NULL;
	if (t != NULL) {
		vantage_text(t, n + 1, s);
		same = strcmp(s, t) == 0;
	}
	free(t);
	return same;
}

static int bad_from(const char *tok, char *err, size_t errlen, const char *why)
{
	char t[64];
	vantage_text(t, sizeof t, tok);
	snprintf(err, errlen, "--from '%s': %s", t, why);
	return PW_EINVAL;
}

static bool two_letters(const char *s)
{
	return strlen(s) == 2 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]);
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static json_t *upper(const char *s)
{
	char b[3] = { (char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]), 0 };
	return json_string(b);
}

/* One Globalping location: "DE" (a country), "continent:EU", "asn:3320",
 * "city:Berlin", ..., "magic:TEXT", or any other text as magic. */
static int gp_location(const char *tok, json_t *arr, char *err, size_t errlen)
{
	static const char *const continents[] = { "AF", "AN", "AS", "EU", "NA", "OC", "SA" };
	static const char *const plain[] = { "city", "region", "network", "magic" };
	const char *colon = strchr(tok, ':');
	size_t kl = colon ? (size_t)(colon - tok) : 0;
	const char *val = colon ? colon + 1 : tok;
	json_t *o = json_object();

	if (colon == NULL && two_letters(tok)) {
		json_object_set_new(o, "country", upper(tok));
	} else if (kl == 7 && strncasecmp(tok, "country", kl) == 0) {
		if (!two_letters(val))
			goto bad_country;
		json_object_set_new(o, "country", upper(val));
	} else if (kl == 5 && strncasecmp(tok, "state", kl) == 0) {
		if (!two_letters(val))
			goto bad_state;
		json_object_set_new(o, "state", upper(val));
	} else if (kl == 9 && strncasecmp(tok, "continent", kl) == 0) {
		size_t i;
		for (i = 0; i < 7 && strcasecmp(val, continents[i]) != 0; i++)
			;
		if (i == 7) {
			json_decref(o);
			return bad_from(tok, err, errlen,
			                "a continent is one of AF, AN, AS, EU, NA, OC, SA");
		}
		json_object_set_new(o, "continent", json_string(continents[i]));
	} else if (kl == 3 && strncasecmp(tok, "asn", kl) == 0) {
		if (strncasecmp(val, "AS", 2) == 0)
			val += 2;
		if (!all_digits(val) || strlen(val) > 10 ||
		    strtoull(val, NULL, 10) > 4294967295ull) {
			json_decref(o);
			return bad_from(tok, err, errlen, "an ASN is a number (asn:3320)");
		}
		json_object_set_new(o, "asn", json_integer((json_int_t)strtoll(val, NULL, 10)));
	} else if (kl == 3 && strncasecmp(tok, "tag", kl) == 0 && *val) {
		json_object_set_new(o, "tags", json_pack("[s]", val));
	} else {
		size_t i;
		for (i = 0; colon && i < 4 &&
		            (strlen(plain[i]) != kl || strncasecmp(tok, plain[i], kl) != 0);
		     i++)
			;
		if (colon && i < 4 && *val)
			json_object_set_new(o, plain[i], json_string(val));
		else
			json_object_set_new(o, "magic",
			                    json_string(tok)); /* fuzzy: "Asia", "Berlin+AS3320" */
	}
	json_array_append_new(arr, o);
	return 0;
bad_country:
	json_decref(o);
	return bad_from(tok, err, errlen, "a country is two letters (DE)");
bad_state:
	json_decref(o);
	return bad_from(tok, err, errlen, "a US state is two letters (VA)");
}

/* One Atlas probe source: "TYPE:VALUE". */
static int atlas_source(const char *tok, json_t *arr, char *err, size_t errlen)
{
	static const char *const types[] = { "area", "country", "asn", "prefix", "probes", "msm" };
	static const char *const areas[] = {
		"WW", "West", "North-Central", "South-Central", "North-East", "South-East"
	};
	const char *colon = strchr(tok, ':');
	size_t i, kl = colon ? (size_t)(colon - tok) : 0;
	const char *val = colon ? colon + 1 : "";

	for (i = 0; colon && i < 6 && (strlen(types[i]) != kl || strncasecmp(tok, types[i], kl));
	     i++)
		;
	if (!colon || i == 6 || *val == '\0')
		return bad_from(tok, err, errlen,
		                "expected TYPE:VALUE, TYPE one of area, country, asn, prefix, "
		                "probes, msm (country:DE, area:WW, asn:3320)");
	json_t *o = json_pack("{s:s}", "type", types[i]);
	if (i == 0) {
		size_t a;
		for (a = 0; a < 6 && strcasecmp(val, areas[a]) != 0; a++)
			;
		if (a == 6) {
			json_decref(o);
			return bad_from(tok, err, errlen,
			                "an area is WW, West, North-Central, South-Central, "
			                "North-East or South-East");
		}
		json_object_set_new(o, "value", json_string(areas[a]));
	} else if (i == 1) {
		if (!two_letters(val)) {
			json_decref(o);
			return bad_from(tok, err, errlen, "a country is two letters (country:DE)");
		}
		json_object_set_new(o, "value", upper(val));
	} else if ((i == 2 || i == 5) && !all_digits(val)) {
		json_decref(o);
		return bad_from(tok, err, errlen, "expected a number");
	} else {
		json_object_set_new(o, "value", json_string(val));
	}
	json_array_append_new(arr, o);
	return 0;
}

/* Atlas sources share --probes: N/k each, the first N%k one more; a list
 * of probe ids asks for as many as it names. */
static void atlas_share(json_t *arr, long probes)
{
	size_t k = json_array_size(arr);
	for (size_t i = 0; i < k; i++) {
		json_t *o = json_array_get(arr, i);
		const char *type = json_string_value(json_object_get(o, "type"));
		long n = probes / (long)k + ((long)i < probes % (long)k);
		if (strcmp(type, "probes") == 0) {
			const char *ids = json_string_value(json_object_get(o, "value"));
			n = 1;
			for (const char *c = ids; *c; c++)
				n += *c == ',';
		}
		json_object_set_new(o, "requested", json_integer(n > 0 ? n : 1));
	}
}

int vantage_parse_from(enum vantage_net net, const char *from, long probes, char **json, char *err,
                       size_t errlen)
{
	json_t *arr = json_array();
	int rc = 0;

	*json = NULL;
	if (from == NULL)
		from = net == VIA_ATLAS ? "area:WW" : NULL;
	if (from != NULL && !plain_text(from)) {
		json_decref(arr);
		snprintf(err, errlen, "--from: not text (control characters, or not UTF-8)");
		return PW_EINVAL;
	}
	char *copy = from ? strdup(from) : NULL;
	if (from != NULL && copy == NULL) {
		json_decref(arr);
		return PW_ENOMEM;
	}
	for (char *rest = copy, *tok; rest != NULL && rc == 0;) {
		tok = strsep(&rest, ",");
		while (isspace((unsigned char)*tok))
			tok++;
		for (char *e = tok + strlen(tok); e > tok && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		json_t *last = json_array_get(arr, json_array_size(arr) - 1);
		const char *lt = last ? json_string_value(json_object_get(last, "type")) : NULL;
		if (*tok == '\0') {
			rc = bad_from(from, err, errlen, "an empty location");
		} else if (net == VIA_ATLAS && all_digits(tok) && lt && strcmp(lt, "probes") == 0) {
			/* probes:1001,1002: the list goes on */
			char ids[1024];
			snprintf(ids, sizeof ids, "%s,%s",
			         json_string_value(json_object_get(last, "value")), tok);
			json_object_set_new(last, "value", json_string(ids));
		} else if (net == VIA_ATLAS) {
			rc = atlas_source(tok, arr, err, errlen);
		} else {
			rc = gp_location(tok, arr, err, errlen);
		}
	}
	free(copy);
	if (rc == 0 && net == VIA_ATLAS)
		atlas_share(arr, probes);
	if (rc == 0 && json_array_size(arr) > 0 &&
	    (*json = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		rc = PW_ENOMEM;
	json_decref(arr);
	return rc;
}

/* A token is one line of printable ASCII without spaces: anything else
 * could not go into a header as it is. */
static int check_secret(const char *s, const char *where, char *err, size_t errlen)
{
	size_t n = strlen(s);
	if (n == 0) {
		snprintf(err, errlen, "%s: empty", where);
		return PW_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
			snprintf(err, errlen,
			         "%s: a token is one line of printable characters without "
			         "spaces (character %zu is not)",
			         where, i + 1);
			return PW_EINVAL;
		}
	return 0;
}

static int read_secret_file(const char *path, char **secret, char *err, size_t errlen)
{
	char buf[SECRET_MAX + 2];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a file");
		if (fd >= 0)
			close(fd);
		return PW_EIO;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
		warnf("%s is readable by %s: anyone who can read it can use the credential "
		      "(chmod 600 %s)",
		      path, (st.st_mode & S_IROTH) ? "everyone" : "its group", path);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PW_EIO;
	}
	buf[n] = '\0';
	if ((size_t)n > SECRET_MAX) {
		memset(buf, 0, sizeof buf);
		snprintf(err, errlen, "%s: longer than %d bytes: not a token", path, SECRET_MAX);
		return PW_EINVAL;
	}
	/* The first line, without the white space around it. */
	char *s = buf, *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strcspn(s, "\r\n");
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	int rc = check_secret(s, path, err, errlen);
	if (rc == 0 && (*secret = strdup(s)) == NULL)
		rc = PW_ENOMEM;
	memset(buf, 0, sizeof buf);
	return rc;
}

int vantage_load_secret(const struct vantage_cfg *cfg, const struct vantage_ops *ops, char **secret,
                        char *err, size_t errlen)
{
	*secret = NULL;
	if (cfg->cred_file != NULL)
		return read_secret_file(cfg->cred_file, secret, err, errlen);
	const char *env = getenv(ops->cred_env);
	if (env == NULL || *env == '\0')
		return 0;
	if (strlen(env) > SECRET_MAX) {
		snprintf(err, errlen, "%s: longer than %d bytes: not a token", ops->cred_env,
		         SECRET_MAX);
		return PW_EINVAL;
	}
	int rc = check_secret(env, ops->cred_env, err, errlen);
	if (rc == 0 && (*secret = strdup(env)) == NULL)
		rc = PW_ENOMEM;
	return rc;
}
