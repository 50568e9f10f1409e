/*
 * vantage_gp_json.c -- Globalping's JSON (public/v1/spec.yaml): the
 * measurement request, the 202 answer, and a measurement's results as
 * probes and answers.
 *
 * A finished test's records are parsed by ldns ("NAME TTL CLASS TYPE
 * VALUE") into a reply packet with the question asked, its rcode and the
 * header flags dig printed, and answer_from_pkt() reduces that packet as
 * it does a local reply. Test statuses: finished; failed (failureSource
 * resolver: the resolver did not answer, a timeout); offline (the probe
 * is gone); in-progress. Globalping has no "timeout" status.
 */
#include <ctype.h>
#include <jansson.h>
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "query.h"
#include "vantage_int.h"
#include "vantage_json.h"

/* Records longer than this are no answer Globalping would send. */
#define GP_VALUE_MAX 4096
/* Answers in one test at most. */
#define GP_ANSWERS_MAX 256

bool gp_type_supported(int type)
{
	static const int types[] = { LDNS_RR_TYPE_A,     LDNS_RR_TYPE_AAAA,   LDNS_RR_TYPE_ANY,
		                     LDNS_RR_TYPE_CNAME, LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_DS,
		                     LDNS_RR_TYPE_HTTPS, LDNS_RR_TYPE_MX,     LDNS_RR_TYPE_NS,
		                     LDNS_RR_TYPE_NSEC,  LDNS_RR_TYPE_PTR,    LDNS_RR_TYPE_RRSIG,
		                     LDNS_RR_TYPE_SOA,   LDNS_RR_TYPE_TXT,    LDNS_RR_TYPE_SRV };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i] == type)
			return true;
	return false;
}

char *gp_request(const struct query *q, const char *locations, const char *reuse_id, long limit,
                 const char *resolver)
{
	char *tname = ldns_rr_type2str((ldns_rr_type)q->type);
	char target[256];
	json_t *o, *opts;
	char *out = NULL;

	if (tname == NULL)
		return NULL;
	/* dig takes the name without the root's dot as well as with it. */
	snprintf(target, sizeof target, "%s", q->name);
	size_t tl = strlen(target);
	if (tl > 1 && target[tl - 1] == '.')
		target[tl - 1] = '\0';
	opts = json_pack("{s:{s:s},s:s}", "query", "type", tname, "protocol", "UDP");
	free(tname);
	if (opts == NULL)
		return NULL;
	if (resolver != NULL)
		json_object_set_new(opts, "resolver", json_string(resolver));
	o = json_pack("{s:s,s:s}", "type", "dns", "target", target);
	if (o == NULL) {
		json_decref(opts);
		return NULL;
	}
	if (reuse_id != NULL) {
		json_object_set_new(o, "locations", json_string(reuse_id));
	} else {
		json_t *loc = locations ? json_loads(locations, 0, NULL) : NULL;
		if (loc != NULL)
			json_object_set_new(o, "locations", loc);
		json_object_set_new(o, "limit", json_integer(limit));
	}
	json_object_set_new(o, "measurementOptions", opts);
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return out;
}

int gp_decode_created(const char *body, size_t len, char *id, size_t idlen, long *probes, char *err,
                      size_t errlen)
{
	json_t *root = vantage_json_load(body, len, err, errlen);
	const char *s = json_string_value(json_object_get(root, "id"));
	size_t n = s ? strlen(s) : 0;
	int rc = PW_EMALFORMED;

	*probes = -1;
	if (root == NULL)
		return rc;
	if (s == NULL || n == 0 || n >= idlen) {
		snprintf(err, errlen, "no measurement id");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i])) {
			snprintf(err, errlen, "the measurement id is not [A-Za-z0-9]+");
			goto out;
		}
	memcpy(id, s, n + 1);
	json_t *pc = json_object_get(root, "probesCount");
	if (json_is_integer(pc) && json_integer_value(pc) >= 0)
		*probes = (long)json_integer_value(pc);
	rc = PW_OK;
out:
	json_decref(root);
	return rc;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Two letters, upper case, or dflt. */
static void code2(char *dst, const char *s, const char *dflt)
{
	if (s != NULL && strlen(s) == 2 && isalpha((unsigned char)s[0]) &&
	    isalpha((unsigned char)s[1])) {
		dst[0] = (char)toupper((unsigned char)s[0]);
		dst[1] = (char)toupper((unsigned char)s[1]);
		dst[2] = '\0';
	} else {
		snprintf(dst, 3, "%s", dflt);
	}
}

/* Who ran the test: its location and network name it, and the key that
 * finds it again in the next measurement (which keeps the order). */
static void probe_from(const json_t *p, const json_t *res, struct vantage_probe *vp)
{
	memset(vp, 0, sizeof *vp);
	vp->net = VIA_GLOBALPING;
	code2(vp->continent, str(p, "continent"), "");
	code2(vp->country, str(p, "country"), "ZZ");
	vantage_text(vp->city, sizeof vp->city, str(p, "city"));
	vantage_text(vp->network, sizeof vp->network, str(p, "network"));
	json_t *asn = json_object_get(p, "asn");
	vp->asn = json_is_integer(asn) && json_integer_value(asn) >= 0 &&
	                          json_integer_value(asn) <= 4294967295LL
	                  ? (long)json_integer_value(asn)
	                  : -1;
	char state[3];
	code2(state, str(p, "state"), "");
	double lat = json_number_value(json_object_get(p, "latitude"));
	double lon = json_number_value(json_object_get(p, "longitude"));
	snprintf(vp->key, sizeof vp->key, "gp|%s|%s|%s|%s|%ld|%s|%.4f|%.4f", vp->continent,
	         vp->country, state, vp->city, vp->asn, vp->network, isfinite(lat) ? lat : 0,
	         isfinite(lon) ? lon : 0);
	snprintf(vp->id, sizeof vp->id, "%08x", (unsigned)vantage_hash(vp->key));
	/* The resolver that answered, else the first the probe has. */
	const char *r = str(res, "resolver");
	if (r == NULL)
		r = json_string_value(json_array_get(json_object_get(p, "resolvers"), 0));
	vantage_text(vp->resolver, sizeof vp->resolver, r);
	vp->private_resolver = vantage_private_resolver(vp->resolver);
}

/* The header flags dig printed (";; flags: qr rd ra;"), into pkt. */
static void flags_from_dig(ldns_pkt *pkt, const char *raw)
{
	const char *f = raw ? strstr(raw, ";; flags:") : NULL;
	if (f == NULL)
		return;
	f += strlen(";; flags:");
	const char *end = f + strcspn(f, ";\n");
	for (const char *t = f; t < end;) {
		while (t < end && *t == ' ')
			t++;
		size_t n = 0;
		while (t + n < end && t[n] != ' ')
			n++;
		if (n == 2 && strncmp(t, "qr", 2) == 0)
			ldns_pkt_set_qr(pkt, true);
		else if (n == 2 && strncmp(t, "aa", 2) == 0)
			ldns_pkt_set_aa(pkt, true);
		else if (n == 2 && strncmp(t, "tc", 2) == 0)
			ldns_pkt_set_tc(pkt, true);
		else if (n == 2 && strncmp(t, "rd", 2) == 0)
			ldns_pkt_set_rd(pkt, true);
		else if (n == 2 && strncmp(t, "ra", 2) == 0)
			ldns_pkt_set_ra(pkt, true);
		else if (n == 2 && strncmp(t, "ad", 2) == 0)
			ldns_pkt_set_ad(pkt, true);
		else if (n == 2 && strncmp(t, "cd", 2) == 0)
			ldns_pkt_set_cd(pkt, true);
		t += n;
	}
}

/* Is s one token of presentation text (no white space, no comment)? */
static bool token(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || s[i] == ';' || s[i] == '(' || s[i] == ')' ||
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* One answer record as ldns reads a zone line; NULL with why if not. */
static ldns_rr *record(const json_t *a, char *why, size_t wlen)
{
	const char *name = str(a, "name"), *type = str(a, "type"), *cls = str(a, "class");
	const char *value = str(a, "value");
	json_t *ttl = json_object_get(a, "ttl");
	ldns_rr *rr = NULL;

	if (!token(name, 255) || !token(type, 16) || (cls != NULL && !token(cls, 8)) ||
	    !json_is_integer(ttl) || json_integer_value(ttl) < 0 ||
	    json_integer_value(ttl) > 2147483647 || value == NULL || strlen(value) > GP_VALUE_MAX ||
	    strpbrk(value, "\n\r;") != NULL) {
		snprintf(why, wlen, "an answer record Globalping sent is not well formed");
		return NULL;
	}
	size_t n = strlen(name) + strlen(type) + strlen(value) + 48;
	char *line = malloc(n);
	if (line == NULL)
		return NULL;
	snprintf(line, n, "%s %lld %s %s %s", name, (long long)json_integer_value(ttl),
	         cls ? cls : "IN", type, value);
	if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) != LDNS_STATUS_OK) {
		char t[24];
		vantage_text(t, sizeof t, type);
		snprintf(why, wlen, "a %s record Globalping sent does not parse", t);
		rr = NULL;
	}
	free(line);
	return rr;
}

/* A finished test into a: a packet built from it, reduced as a local
 * reply is. Returns 0 or PW_ENOMEM. */
static int finished(const json_t *res, const struct query *q, struct answer *a)
{
	json_t *code = json_object_get(res, "statusCode"),
	       *answers = json_object_get(res, "answers");
	ldns_pkt *pkt;
	ldns_rdf *qname;
	ldns_rr *qrr;
	int rc = PW_OK;

	if (!json_is_integer(code) || json_integer_value(code) < 0 ||
	    json_integer_value(code) > 15 || (answers != NULL && !json_is_array(answers)) ||
	    json_array_size(answers) > GP_ANSWERS_MAX) {
		a->outcome = OUT_ERROR;
		answer_set_detail(a, "Globalping: no usable status code or answers");
		return PW_OK;
	}
	if ((pkt = ldns_pkt_new()) == NULL)
		return PW_ENOMEM;
	if ((qrr = ldns_rr_new()) == NULL || (qname = query_dname(q->name)) == NULL) {
		ldns_rr_free(qrr);
		ldns_pkt_free(pkt);
		return PW_ENOMEM;
	}
	ldns_rr_set_owner(qrr, qname);
	ldns_rr_set_type(qrr, (ldns_rr_type)q->type);
	ldns_rr_set_class(qrr, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(qrr, true);
	ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, qrr);
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_rcode(pkt, (uint8_t)json_integer_value(code));
	flags_from_dig(pkt, str(res, "rawOutput"));
	for (size_t i = 0; i < json_array_size(answers); i++) {
		char why[160] = "";
		ldns_rr *rr = record(json_array_get(answers, i), why, sizeof why);
		if (rr == NULL) {
			/* One record left out would make another answer: none is taken. */
			a->outcome = OUT_ERROR;
			if (why[0] == '\0')
				rc = PW_ENOMEM;
			else
				answer_set_detail(a, "%s", why);
			goto out;
		}
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
	}
	if ((rc = answer_from_pkt(a, pkt, NULL)) < 0)
		goto out;
	a->transport = TR_UDP;
	json_t *total = json_object_get(json_object_get(res, "timings"), "total");
	double ms = json_number_value(total);
	a->latency_ms = json_is_number(total) && isfinite(ms) && ms >= 0 && ms < 1e7 ? ms : 0;
out:
	ldns_pkt_free(pkt);
	return rc;
}

/* One test's result into a. */
static int test_result(const json_t *res, const struct query *q, double at, struct answer *a)
{
	const char *st = str(res, "status"), *src = str(res, "failureSource");

	answer_init(a);
	a->tries = 1;
	a->at = at;
	if (st != NULL && strcmp(st, "finished") == 0)
		return finished(res, q, a);
	if (st != NULL && strcmp(st, "failed") == 0 && src != NULL &&
	    strcmp(src, "resolver") == 0) {
		/* dig's "timed out" / "no servers could be reached" */
		a->outcome = OUT_TIMEOUT;
		answer_set_detail(a, "the probe's resolver did not answer");
	} else if (st != NULL && strcmp(st, "offline") == 0) {
		a->outcome = OUT_ERROR;
		answer_set_detail(a, "Globalping: the probe is offline");
	} else if (st != NULL && strcmp(st, "failed") == 0) {
		char s[24];
		vantage_text(s, sizeof s, src ? src : "unknown");
		a->outcome = OUT_ERROR;
		answer_set_detail(a, "Globalping: the test failed (%s)", s);
	} else {
		a->outcome = OUT_ERROR;
		answer_set_detail(a, "Globalping: the test did not finish");
	}
	return PW_OK;
}

int gp_decode_measurement(const char *body, size_t len, const struct query *q, double at,
                          bool *done, struct vantage_result **out, size_t *n, char *err,
                          size_t errlen)
{
	json_t *root = vantage_json_load(body, len, err, errlen);
	int rc = PW_EMALFORMED;

	*done = false;
	*out = NULL;
	*n = 0;
	if (root == NULL)
		return rc;
	const char *st = str(root, "status");
	json_t *results = json_object_get(root, "results");
	if (st == NULL || (strcmp(st, "in-progress") != 0 && !json_is_array(results))) {
		snprintf(err, errlen, "no status, or no results");
		goto out;
	}
	rc = PW_OK;
	if (strcmp(st, "in-progress") == 0)
		goto out;
	*done = true;
	size_t k = json_array_size(results);
	if (k == 0)
		goto out;
	if ((*out = calloc(k, sizeof **out)) == NULL) {
		rc = PW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		json_t *item = json_array_get(results, i);
		json_t *res = json_object_get(item, "result");
		probe_from(json_object_get(item, "probe"), res, &(*out)[i].probe);
		*n = i + 1;
		if ((rc = test_result(res, q, at, &(*out)[i].ans)) < 0)
			break;
	}
	if (rc < 0) {
		vantage_results_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
out:
	json_decref(root);
	return rc;
}
