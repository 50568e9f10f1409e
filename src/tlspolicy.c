/*
 * tlspolicy.c -- MTA-STS and TLS-RPT record parsers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mailtxt.h"
#include "tlspolicy.h"

#define MAX_FIELDS 16

struct field {
	char *name, *value;
};

static bool wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Split "a=b; c=d;" (modified in place) into fields, *WSP ";" *WSP
 * between them and no white space around '='. */
static int split_fields(char *s, struct field *f, size_t *n, char *err, size_t errlen)
{
	*n = 0;
	for (char *p = s;;) {
		while (wsp(*p))
			p++;
		if (*p == '\0')
			return PW_OK;
		char *end = p + strcspn(p, ";");
		bool last = *end == '\0';
		char *e = end;
		while (e > p && wsp(e[-1]))
			e--;
		*e = '\0';
		char *eq = strchr(p, '=');
		if (eq == NULL || eq == p || eq[1] == '\0') {
			snprintf(err, errlen, "'%.40s' is not field=value", p);
			return PW_EINVAL;
		}
		*eq = '\0';
		if (*n == MAX_FIELDS) {
			snprintf(err, errlen, "more than %d fields", MAX_FIELDS);
			return PW_EINVAL;
		}
		f[(*n)++] = (struct field){ p, eq + 1 };
		if (last)
			return PW_OK;
		p = end + 1;
	}
}

/* sts-ext-name = (ALPHA / DIGIT) 0*31(ALPHA / DIGIT / "_" / "-" / "."),
 * sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E). TLS-RPT's are the same. */
static bool extension_ok(const struct field *f, char *err, size_t errlen)
{
	size_t n = strlen(f->name);
	bool ok = n <= 32 && isalnum((unsigned char)f->name[0]);
	for (size_t i = 1; ok && i < n; i++)
		ok = isalnum((unsigned char)f->name[i]) || strchr("_-.", f->name[i]);
	for (const char *c = f->value; ok && *c; c++)
		ok = (unsigned char)*c >= 0x21 && (unsigned char)*c <= 0x7e && *c != ';' &&
		     *c != '=';
	if (!ok)
		snprintf(err, errlen, "bad field '%.32s=%.40s'", f->name, f->value);
	return ok;
}

/* The version field first, exactly; then fields. */
static int read_record(const char *text, const char *version, char **copy, struct field *f,
                       size_t *n, char *err, size_t errlen)
{
	if ((*copy = strdup(text)) == NULL)
		return PW_ENOMEM;
	int rc = split_fields(*copy, f, n, err, errlen);
	if (rc < 0)
		return rc;
	size_t vl = strchr(version, '=') - version;
	if (*n == 0 || strlen(f[0].name) != vl || strncmp(f[0].name, version, vl) != 0 ||
	    strcmp(f[0].value, version + vl + 1) != 0) {
		snprintf(err, errlen, "the first field must be %s", version);
		return PW_EINVAL;
	}
	return PW_OK;
}

bool sts_is_record(const char *text)
{
	return mailtxt_has_prefix(text, "v=STSv1");
}

int sts_parse(const char *text, char *id, size_t idlen, char *err, size_t errlen)
{
	struct field f[MAX_FIELDS];
	size_t n;
	char *copy = NULL;
	int rc = read_record(text, "v=STSv1", &copy, f, &n, err, errlen);
	bool have_id = false;

	for (size_t i = 1; rc == PW_OK && i < n; i++) {
		if (strcmp(f[i].name, "id") != 0) {
			if (!extension_ok(&f[i], err, errlen))
				rc = PW_EINVAL;
			continue;
		}
		size_t len = strlen(f[i].value), good = 0;
		while (good < len && isalnum((unsigned char)f[i].value[good]))
			good++;
		if (have_id || len == 0 || len > 32 || good != len) {
			snprintf(err, errlen,
			         have_id ? "id= is given twice"
			                 : "id=%.40s: the id must be 1 to 32 letters and digits",
			         f[i].value);
			rc = PW_EINVAL;
			continue;
		}
		have_id = true;
		snprintf(id, idlen, "%s", f[i].value);
	}
	if (rc == PW_OK && !have_id) {
		snprintf(err, errlen, "no id= field");
		rc = PW_EINVAL;
	}
	free(copy);
	return rc;
}

bool tlsrpt_is_record(const char *text)
{
	return mailtxt_has_prefix(text, "v=TLSRPTv1");
}

static int rua_ok(char *v, char *err, size_t errlen)
{
	char dom[256];
	for (char *p = v;;) {
		while (wsp(*p))
			p++;
		char *end = p + strcspn(p, ",");
		bool last = *end == '\0';
		char *e = end;
		while (e > p && wsp(e[-1]))
			e--;
		*e = '\0';
		if (*p == '\0') {
			snprintf(err, errlen, "rua= has an empty entry");
			return PW_EINVAL;
		}
		int rc = strncmp(p, "mailto:", 7) == 0
		                 ? mailtxt_mailto(p, dom, sizeof dom, err, errlen)
		         : strncmp(p, "https:", 6) == 0 ? mailtxt_https(p, err, errlen)
		                                        : PW_EINVAL;
		if (rc < 0) {
			if (strncmp(p, "mailto:", 7) != 0 && strncmp(p, "https:", 6) != 0)
				snprintf(err, errlen, "rua=%.60s: must be a mailto: or https: URI",
				         p);
			return rc;
		}
		if (last)
			return PW_OK;
		p = end + 1;
	}
}

int tlsrpt_parse(const char *text, char *err, size_t errlen)
{
	struct field f[MAX_FIELDS];
	size_t n;
	char *copy = NULL;
	int rc = read_record(text, "v=TLSRPTv1", &copy, f, &n, err, errlen);
	bool have_rua = false;

	for (size_t i = 1; rc == PW_OK && i < n; i++) {
		if (strcmp(f[i].name, "rua") != 0) {
			if (!extension_ok(&f[i], err, errlen))
				rc = PW_EINVAL;
			continue;
		}
		if (have_rua) {
			snprintf(err, errlen, "rua= is given twice");
			rc = PW_EINVAL;
			continue;
		}
		have_rua = true;
		rc = rua_ok(f[i].value, err, errlen);
	}
	if (rc == PW_OK && !have_rua) {
		snprintf(err, errlen, "no rua= field: TLS-RPT needs where to send reports");
		rc = PW_EINVAL;
	}
	free(copy);
	return rc;
}
