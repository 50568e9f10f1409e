/*
 * vantage_atlas_json.c -- RIPE Atlas's JSON (cousteau's requests, sagan's
 * results): the one-off DNS measurement request, the answers about it,
 * and its results as probes and answers.
 *
 * A result's abuf is the DNS reply the probe got, in wire form: ldns
 * parses it, the question must be ours, and answer_from_pkt() reduces it
 * exactly as it reduces a reply the engine received, so TTLs, flags,
 * rcodes, negative TTLs and records mean the same. Results come per probe;
 * with the probe's own resolvers, one resultset entry per resolver, each
 * a row of its own (another resolver is another cache).
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

/* Base64 of a 64 KiB message at most. */
#define ABUF_MAX 87384
/* Results in one body at most (a probe per entry, a few resolvers each). */
#define RESULTS_MAX 20000

char *atlas_request(const struct query *q, const char *sources, const char *probe_ids,
                    long requested, const char *resolver, int family, bool dnssec)
{
	char *tname = ldns_rr_type2str((ldns_rr_type)q->type);
	char arg[256], desc[320];
	json_t *def, *probes, *o;
	char *out;

	if (tname == NULL)
		return NULL;
	snprintf(arg, sizeof arg, "%s", q->name);
	size_t n = strlen(arg);
	if (n > 1 && arg[n - 1] == '.')
		arg[n - 1] = '\0';
	snprintf(desc, sizeof desc, "propwatch %s %s", arg, tname);
	def = json_pack("{s:s,s:i,s:s,s:s,s:s,s:b,s:b,s:b,s:s,s:s}", "type", "dns", "af",
	                family == 6 ? 6 : 4, "query_class", "IN", "query_type", tname,
	                "query_argument", arg, "use_probe_resolver", resolver == NULL, "set_rd_bit",
	                1, "set_do_bit", dnssec, "protocol", "UDP", "description", desc);
	free(tname);
	if (def == NULL)
		return NULL;
	if (resolver != NULL)
		json_object_set_new(def, "target", json_string(resolver));
	if (probe_ids != NULL)
		probes = json_pack("[{s:s,s:s,s:I}]", "type", "probes", "value", probe_ids,
		                   "requested", (json_int_t)requested);
	else
		probes = sources ? json_loads(sources, 0, NULL) : NULL;
	if (probes == NULL) {
		json_decref(def);
		return NULL;
	}
	o = json_pack("{s:[o],s:o,s:b}", "definitions", def, "probes", probes, "is_oneoff", 1);
	if (o == NULL)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return out;
}

/* A positive whole number, or one in a string of digits; -1 if neither. */
static long long positive(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : -1;
	const char *s = json_string_value(v);
	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return -1;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -1;
	long long n = strtoll(s, NULL, 10);
	return n > 0 ? n : -1;
}

int atlas_decode_created(const char *body, size_t len, long *id, char *err, size_t errlen)
{
	json_t *root = vantage_json_load(body, len, err, errlen);
	long long v = positive(json_array_get(json_object_get(root, "measurements"), 0));

	json_decref(root);
	if (root != NULL && v < 0)
		snprintf(err, errlen, "no measurement id");
	if (v < 0 || v > 0x7fffffffLL)
		return PW_EMALFORMED;
	*id = (long)v;
	return PW_OK;
}

int atlas_decode_status(const char *body, size_t len, char *name, size_t nlen, long *scheduled,
                        char *err, size_t errlen)
{
	json_t *root = vantage_json_load(body, len, err, errlen);
	const char *s = json_string_value(json_object_get(json_object_get(root, "status"), "name"));
	json_t *ps = json_object_get(root, "probes_scheduled");

	*scheduled = json_is_integer(ps) && json_integer_value(ps) >= 0 &&
	                             json_integer_value(ps) < RESULTS_MAX
	                     ? (long)json_integer_value(ps)
	                     : -1;
	if (s == NULL) {
		if (root != NULL)
			snprintf(err, errlen, "no status name");
		json_decref(root);
		return PW_EMALFORMED;
	}
	vantage_text(name, nlen, s);
	json_decref(root);
	return PW_OK;
}

bool atlas_status_final(const char *name)
{
	static const char *const final[] = { "Stopped", "Forced to stop", "No suitable probes",
		                             "Failed", "Archived" };
	for (size_t i = 0; i < sizeof final / sizeof final[0]; i++)
		if (strcmp(name, final[i]) == 0)
			return true;
	return false;
}

/* Standard base64 (RFC 4648, padding optional) into out (n/4*3+3 bytes);
 * the length, or -1 for anything but base64. */
static long base64_decode(const char *s, size_t n, uint8_t *out)
{
	uint32_t acc = 0;
	size_t bits = 0, o = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v = c >= 'A' && c <= 'Z'   ? c - 'A'
		        : c >= 'a' && c <= 'z' ? c - 'a' + 26
		        : c >= '0' && c <= '9' ? c - '0' + 52
		        : c == '+'             ? 62
		        : c == '/'             ? 63
		                               : -1;
		if (c == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad > 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6)
		return -1;
	return (long)o;
}

int atlas_answer_from_abuf(const char *b64, const struct query *q, struct answer *a)
{
	size_t n = b64 ? strlen(b64) : 0;
	ldns_pkt *pkt = NULL;
	ldns_rdf *qname = NULL;
	int rc = PW_OK;

	a->outcome = OUT_ERROR;
	if (n == 0 || n > ABUF_MAX) {
		answer_set_detail(a, "RIPE Atlas: no abuf, or too long");
		return PW_OK;
	}
	uint8_t *wire = malloc(n / 4 * 3 + 3);
	if (wire == NULL)
		return PW_ENOMEM;
	long len = base64_decode(b64, n, wire);
	if (len < 12) {
		answer_set_detail(a, "RIPE Atlas: abuf is not base64 DNS wire");
		goto out;
	}
	if (query_wire2pkt(&pkt, wire, (size_t)len) != LDNS_STATUS_OK) {
		answer_set_detail(a, "RIPE Atlas: abuf: %s", pw_strerror(PW_EMALFORMED));
		goto out;
	}
	const ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	if ((qname = query_dname(q->name)) == NULL) {
		rc = PW_ENOMEM;
		goto out;
	}
	if (!ldns_pkt_qr(pkt)) {
		answer_set_detail(a, "RIPE Atlas: abuf is a query, not a reply");
		goto out;
	}
	/* Like the engine's check of a reply: the question must be ours
	 * (any case: the probe chose its own). */
	if (ldns_pkt_qdcount(pkt) != 1 || qrr == NULL ||
	    ldns_dname_compare(ldns_rr_owner(qrr), qname) != 0 ||
	    (int)ldns_rr_get_type(qrr) != q->type || ldns_rr_get_class(qrr) != LDNS_RR_CLASS_IN) {
		answer_set_detail(a, "RIPE Atlas: abuf answers another question");
		goto out;
	}
	if ((rc = answer_from_pkt(a, pkt, NULL)) < 0)
		goto out;
	a->outcome = OUT_REPLY;
out:
	ldns_rdf_deep_free(qname);
	ldns_pkt_free(pkt);
	free(wire);
	return rc;
}

/* Monotonic time of Unix time v (a result's timestamp), within bounds. */
static double mono_of(const json_t *v, double mono_now, double wall_now, double wall_floor)
{
	double t = json_number_value(v);
	if (!json_is_number(v) || !isfinite(t) || t > wall_now)
		return mono_now;
	if (t < wall_floor)
		t = wall_floor;
	return mono_now - (wall_now - t);
}

/* An error entry ({"timeout": 5000}, {"getaddrinfo": "..."}, ...) into a. */
static void error_entry(const json_t *e, struct answer *a)
{
	json_t *to = json_object_get(e, "timeout");
	if (to != NULL) {
		a->outcome = OUT_TIMEOUT;
		if (json_is_integer(to) && json_integer_value(to) > 0 &&
		    json_integer_value(to) < 1000000)
			answer_set_detail(a, "the probe's resolver did not answer in %lld ms",
			                  (long long)json_integer_value(to));
		else
			answer_set_detail(a, "the probe's resolver did not answer");
		return;
	}
	const char *key = json_is_object(e) ? json_object_iter_key(json_object_iter((json_t *)e))
	                                    : NULL;
	const char *val = key ? json_string_value(json_object_get(e, key)) : NULL;
	char k[24], v[56];
	vantage_text(k, sizeof k, key ? key : "error");
	vantage_text(v, sizeof v, val ? val : "");
	a->outcome = OUT_ERROR;
	answer_set_detail(a, "RIPE Atlas: %s%s%s", k, v[0] ? ": " : "", v);
}

/* One (probe, resolver) entry: ent holds dst_addr, proto, result or error. */
static int entry(const json_t *ent, long long prb, const struct query *q, double at,
                 struct vantage_result *out)
{
	struct vantage_probe *p = &out->probe;
	struct answer *a = &out->ans;
	const json_t *res = json_object_get(ent, "result"), *err = json_object_get(ent, "error");
	const char *dst = json_string_value(json_object_get(ent, "dst_addr"));
	const char *proto = json_string_value(json_object_get(ent, "proto"));

	memset(p, 0, sizeof *p);
	p->net = VIA_ATLAS;
	p->asn = -1;
	snprintf(p->country, sizeof p->country, "ZZ");
	snprintf(p->id, sizeof p->id, "%lld", prb);
	vantage_text(p->resolver, sizeof p->resolver, dst);
	p->private_resolver = vantage_private_resolver(p->resolver);
	snprintf(p->key, sizeof p->key, "atlas|%lld|%s", prb, p->resolver);
	answer_init(a);
	a->tries = 1;
	a->at = at;
	if (json_is_object(res)) {
		int rc;
		if ((rc = atlas_answer_from_abuf(json_string_value(json_object_get(res, "abuf")), q,
		                                 a)) < 0)
			return rc;
		double rt = json_number_value(json_object_get(res, "rt"));
		if (a->outcome == OUT_REPLY)
			a->latency_ms = isfinite(rt) && rt >= 0 && rt < 1e7 ? rt : 0;
	} else if (err != NULL) {
		error_entry(err, a);
	} else {
		a->outcome = OUT_ERROR;
		answer_set_detail(a, "RIPE Atlas: neither a result nor an error");
	}
	a->transport = proto && strcmp(proto, "TCP") == 0 ? TR_TCP : TR_UDP;
	return PW_OK;
}

int atlas_decode_results(const char *body, size_t len, const struct query *q, double mono_now,
                         double wall_now, double wall_floor, struct vantage_result **out, size_t *n,
                         char *err, size_t errlen)
{
	json_t *root = vantage_json_load(body, len, err, errlen);
	size_t cap = 0, k = 0;
	int rc = PW_OK;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return PW_EMALFORMED;
	if (!json_is_array(root)) {
		snprintf(err, errlen, "the results are not a list");
		json_decref(root);
		return PW_EMALFORMED;
	}
	for (size_t i = 0; i < json_array_size(root) && rc == 0; i++) {
		json_t *r = json_array_get(root, i), *set = json_object_get(r, "resultset");
		const char *type = json_string_value(json_object_get(r, "type"));
		long long prb = positive(json_object_get(r, "prb_id"));
		if (prb < 0 || (type != NULL && strcmp(type, "dns") != 0))
			continue; /* not a DNS result of a probe: nothing to say about a row */
		size_t m = json_is_array(set) ? json_array_size(set) : 1;
		for (size_t j = 0; j < m && rc == 0; j++) {
			const json_t *ent = json_is_array(set) ? json_array_get(set, j) : r;
			const json_t *when = json_object_get(ent, "time");
			if (when == NULL)
				when = json_object_get(r, "timestamp");
			if (k == cap) {
				if (cap >= RESULTS_MAX) {
					snprintf(err, errlen, "more than %d results", RESULTS_MAX);
					rc = PW_EMALFORMED;
					break;
				}
				size_t nc = cap ? cap * 2 : 8;
				struct vantage_result *nv = realloc(*out, nc * sizeof *nv);
				if (nv == NULL) {
					rc = PW_ENOMEM;
					break;
				}
				*out = nv;
				cap = nc;
			}
			rc = entry(ent, prb, q, mono_of(when, mono_now, wall_now, wall_floor),
			           &(*out)[k]);
			k++;
		}
	}
	json_decref(root);
	*n = k;
	if (rc < 0) {
		vantage_results_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int atlas_decode_probe(const char *body, size_t len, int af, struct vantage_probe *p)
{
	char err[64];
	json_t *root = vantage_json_load(body, len, err, sizeof err);
	const char *cc = json_string_value(json_object_get(root, "country_code"));
	long long asn = positive(json_object_get(root, af == 6 ? "asn_v6" : "asn_v4"));

	if (root == NULL)
		return PW_EMALFORMED;
	if (asn < 0)
		asn = positive(json_object_get(root, af == 6 ? "asn_v4" : "asn_v6"));
	if (cc != NULL && strlen(cc) == 2 && isalpha((unsigned char)cc[0]) &&
	    isalpha((unsigned char)cc[1])) {
		p->country[0] = (char)toupper((unsigned char)cc[0]);
		p->country[1] = (char)toupper((unsigned char)cc[1]);
		p->country[2] = '\0';
	}
	if (asn > 0 && asn <= 4294967295LL)
		p->asn = (long)asn;
	json_decref(root);
	return PW_OK;
}

long atlas_decode_credits(const char *body, size_t len)
{
	char err[64];
	json_t *root = vantage_json_load(body, len, err, sizeof err);
	json_t *b = json_object_get(root, "current_balance");
	long v = json_is_integer(b) && json_integer_value(b) >= 0 &&
	                         json_integer_value(b) < 0x7fffffffffffLL
	                 ? (long)json_integer_value(b)
	                 : -1;
	json_decref(root);
	return v;
}
