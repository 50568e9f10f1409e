/*
 * test_probe.c -- unit tests for probe.c and probe_verdict.c: the probe
 * set's shape (jobs in order of delay, what each one is) and the verdict
 * of every probe from synthetic replies, no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "probe.h"
#include "reslist.h"

struct fixture {
	struct resolver r[2];
	const struct resolver *t[2];
	struct probe_set ps;
};

static void setup(struct fixture *f, int samples)
{
	struct probe_opts o = { "www.signed.test", LDNS_RR_TYPE_A, "www.signed.test",
		                "www.bogus.test", samples };
	char err[128];
	memset(f, 0, sizeof *f);
	reslist_parse_addr("127.0.0.1", 53, &f->r[0]);
	reslist_parse_addr("127.0.0.2", 53, &f->r[1]);
	f->t[0] = &f->r[0];
	f->t[1] = &f->r[1];
	assert_int_equal(probe_build(&f->ps, &o, f->t, 2, err, sizeof err), PW_OK);
}

/* The answer slot of resolver r's probe k (sample i). */
static struct answer *slot(struct fixture *f, size_t r, enum probe_kind k, int i)
{
	return (struct answer *)probe_answer(&f->ps, r, k, i);
}

static void reply(struct answer *a, int rcode, unsigned flags, const char *record)
{
	answer_free(a);
	answer_init(a);
	a->outcome = OUT_REPLY;
	a->rcode = rcode;
	a->flags = flags;
	a->latency_ms = 5;
	a->transport = TR_UDP;
	a->edns.present = true;
	a->edns.udp_size = 1232;
	if (record != NULL)
		assert_int_equal(records_copy((char *const *)&record, 1, &a->records, &a->nrecords),
		                 PW_OK);
	a->key = records_join(a->records, a->nrecords);
}

static void timeout(struct answer *a)
{
	answer_free(a);
	answer_init(a);
	a->outcome = OUT_TIMEOUT;
}

/* Everything a well-behaved validating resolver says. */
static void validating(struct fixture *f, size_t r)
{
	reply(slot(f, r, PR_WARM, 0), 0, PW_F_RA, "127.0.5.1");
	for (int i = 0; i < f->ps.o.samples; i++) {
		reply(slot(f, r, PR_SAMPLE, i), 0, PW_F_RA, "127.0.5.1");
		slot(f, r, PR_SAMPLE, i)->latency_ms = 1 + i;
	}
	reply(slot(f, r, PR_SIGNED, 0), 0, PW_F_RA | PW_F_AD, "127.0.5.1");
	slot(f, r, PR_SIGNED, 0)->nrrsig = 1;
	reply(slot(f, r, PR_BOGUS, 0), LDNS_RCODE_SERVFAIL, PW_F_RA, NULL);
	reply(slot(f, r, PR_BOGUS_CD, 0), 0, PW_F_RA | PW_F_CD, "127.0.5.2");
	reply(slot(f, r, PR_NX_ZONE, 0), LDNS_RCODE_NXDOMAIN, PW_F_RA, NULL);
	slot(f, r, PR_NX_ZONE, 0)->latency_ms = 40;
	reply(slot(f, r, PR_NX_TLD, 0), LDNS_RCODE_NXDOMAIN, PW_F_RA, NULL);
	reply(slot(f, r, PR_EDNS1, 0), 16, PW_F_RA, NULL);
	reply(slot(f, r, PR_UNKNOWN_OPT, 0), 0, PW_F_RA, "127.0.5.1");
	reply(slot(f, r, PR_NSID, 0), 0, PW_F_RA, "127.0.5.1");
	slot(f, r, PR_NSID, 0)->edns.has_nsid = true;
	slot(f, r, PR_NSID, 0)->edns.nsid = strdup("fra-1");
	reply(slot(f, r, PR_ID_SERVER, 0), 0, 0, "\"fra-1.example\"");
	reply(slot(f, r, PR_HOSTNAME_BIND, 0), LDNS_RCODE_REFUSED, 0, NULL);
	reply(slot(f, r, PR_VERSION_BIND, 0), 0, 0, "\"unbound 1.17.1\"");
	reply(slot(f, r, PR_VERSION_SERVER, 0), LDNS_RCODE_REFUSED, 0, NULL);
	reply(slot(f, r, PR_TCP, 0), 0, PW_F_RA, "127.0.5.1");
	slot(f, r, PR_TCP, 0)->transport = TR_TCP;
	reply(slot(f, r, PR_ECS, 0), 0, PW_F_RA, "127.0.5.1");
	slot(f, r, PR_ECS, 0)->edns.ecs_scope = 24;
	slot(f, r, PR_WARM, 0)->case_checked = true;
}

static void test_shape(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, 3);
	/* 5 at once, 9 after the warm-up, 3 DNSSEC again, 3 samples, 1 TLD. */
	assert_int_equal(f.ps.njobs, 2 * (5 + 9 + 3 + 3 + 1));
	for (size_t j = 1; j < f.ps.njobs; j++)
		assert_true(f.ps.jobs[j].delay >=
		            f.ps.jobs[j - 1].delay); /* engine needs the order */
	for (size_t j = 0; j < f.ps.njobs; j++) {
		const struct probe_ref *ref = &f.ps.refs[j];
		if (ref->kind == PR_SAMPLE)
			assert_true(f.ps.jobs[j].flags & JOB_NO_RETRY);
		if (ref->kind == PR_TCP)
			assert_true(f.ps.jobs[j].flags & JOB_TCP);
		assert_ptr_equal(f.ps.jobs[j].r, f.t[ref->res]);
	}
	/* The last job of each resolver is the TLD probe (it can poison caches). */
	assert_int_equal(f.ps.refs[f.ps.njobs - 1].kind, PR_NX_TLD);
	/* Random labels: under NAME, and under its TLD, different per resolver. */
	const struct query *z0 = f.ps.jobs[f.ps.index[0][PR_NX_ZONE]].q;
	const struct query *z1 = f.ps.jobs[f.ps.index[1][PR_NX_ZONE]].q;
	const struct query *t0 = f.ps.jobs[f.ps.index[0][PR_NX_TLD]].q;
	assert_non_null(strstr(z0->name, ".www.signed.test."));
	assert_string_not_equal(z0->name, z1->name);
	assert_int_equal(strlen(t0->name) - strlen(".test."), 12);
	assert_int_equal(f.ps.q[PR_ID_SERVER].o.qclass, LDNS_RR_CLASS_CH);
	assert_true(f.ps.q[PR_BOGUS_CD].o.cd);
	assert_true(f.ps.q[PR_SIGNED].o.dnssec);
	assert_int_equal(f.ps.q[PR_EDNS1].o.edns, 1);
	assert_true(f.ps.q[PR_NSID].o.nsid);
	assert_true(f.ps.q[PR_ECS].o.ecs);
	probe_free(&f.ps);
}

static void test_validating_resolver(void **state)
{
	struct fixture f;
	struct behaviour b;
	(void)state;
	setup(&f, 4);
	validating(&f, 0);
	memset(&b, 0, sizeof b);
	probe_judge(&f.ps, 0, true, &b);
	assert_true(b.answered);
	assert_float_equal(b.lat_min, 1, 1e-9);
	assert_float_equal(b.lat_p50, 2, 1e-9);
	assert_float_equal(b.lat_p95, 4, 1e-9);
	assert_float_equal(b.lat_max, 4, 1e-9);
	assert_int_equal(b.lost, 0);
	assert_float_equal(b.miss_ms, 40, 1e-9);
	assert_int_equal(b.dnssec, DNSSEC_VALIDATES);
	assert_int_equal(b.signed_rrsig, TRI_YES);
	assert_int_equal(b.nxdomain, NX_OK);
	assert_int_equal(b.tcp, TRI_YES);
	assert_int_equal(b.edns, TRI_YES);
	assert_int_equal(b.udp_size, 1232);
	assert_int_equal(b.badvers, TRI_YES);
	assert_int_equal(b.unknown_option_ok, TRI_YES);
	assert_string_equal(b.nsid, "fra-1");
	assert_string_equal(b.id_server, "fra-1.example");
	assert_string_equal(b.hostname_bind, "");
	assert_string_equal(b.site, "fra-1");
	assert_string_equal(b.software, "unbound 1.17.1");
	assert_int_equal(b.ecs, ECS_HONOURED);
	assert_int_equal(b.case_preserved, TRI_YES);
	/* Resolver 1 never answered anything: every verdict unknown, none "no". */
	memset(&b, 0, sizeof b);
	probe_judge(&f.ps, 1, true, &b);
	assert_false(b.answered);
	assert_int_equal(b.dnssec, DNSSEC_UNKNOWN);
	assert_int_equal(b.nxdomain, NX_UNKNOWN);
	assert_int_equal(b.edns, TRI_UNKNOWN);
	assert_int_equal(b.ecs, ECS_UNKNOWN);
	assert_int_equal(b.case_preserved, TRI_UNKNOWN);
	assert_float_equal(b.lat_p50, -1, 1e-9);
	probe_free(&f.ps);
}

static void test_dnssec_verdicts(void **state)
{
	struct fixture f;
	struct behaviour b;
	(void)state;
	setup(&f, 1);
	validating(&f, 0);
	/* Not validating: the bogus name answered, nothing has AD. */
	reply(slot(&f, 0, PR_BOGUS, 0), 0, PW_F_RA, "127.0.5.2");
	reply(slot(&f, 0, PR_SIGNED, 0), 0, PW_F_RA, "127.0.5.1");
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_NO);
	assert_int_equal(b.signed_ad, TRI_NO);
	/* Broken: AD on bogus data (a proxy that sets AD on everything). */
	reply(slot(&f, 0, PR_BOGUS, 0), 0, PW_F_RA | PW_F_AD, "127.0.5.2");
	reply(slot(&f, 0, PR_SIGNED, 0), 0, PW_F_RA | PW_F_AD, "127.0.5.1");
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_BROKEN);
	/* Broken: everything SERVFAIL (a wrong trust anchor). */
	reply(slot(&f, 0, PR_BOGUS, 0), LDNS_RCODE_SERVFAIL, PW_F_RA, NULL);
	reply(slot(&f, 0, PR_SIGNED, 0), LDNS_RCODE_SERVFAIL, PW_F_RA, NULL);
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_BROKEN);
	/* Unknown: it refuses both. */
	reply(slot(&f, 0, PR_BOGUS, 0), LDNS_RCODE_REFUSED, PW_F_RA, NULL);
	reply(slot(&f, 0, PR_SIGNED, 0), LDNS_RCODE_REFUSED, PW_F_RA, NULL);
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_UNKNOWN);
	/* Unknown: no reply to either. */
	timeout(slot(&f, 0, PR_BOGUS, 0));
	timeout(slot(&f, 0, PR_SIGNED, 0));
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_UNKNOWN);
	/* Unknown, not broken: the bogus name's answer was lost (a lossy path)
	 * and the signed name answered, with AD or without. */
	reply(slot(&f, 0, PR_SIGNED, 0), 0, PW_F_RA, "127.0.5.1");
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_UNKNOWN);
	reply(slot(&f, 0, PR_SIGNED, 0), 0, PW_F_RA | PW_F_AD, "127.0.5.1");
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_UNKNOWN);
	/* Unknown: the bogus name fails and the CD answer that would tell a
	 * validator from a broken server was lost. */
	reply(slot(&f, 0, PR_BOGUS, 0), LDNS_RCODE_SERVFAIL, PW_F_RA, NULL);
	timeout(slot(&f, 0, PR_BOGUS_CD, 0));
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_UNKNOWN);
	/* Broken whatever was lost: the signed name fails. */
	reply(slot(&f, 0, PR_SIGNED, 0), LDNS_RCODE_SERVFAIL, PW_F_RA, NULL);
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_BROKEN);
	timeout(slot(&f, 0, PR_BOGUS, 0));
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.dnssec, DNSSEC_BROKEN);
	probe_free(&f.ps);
}

static void test_nxdomain_and_ecs(void **state)
{
	struct fixture f;
	struct behaviour b;
	(void)state;
	setup(&f, 1);
	validating(&f, 0);
	/* An address for a label that cannot exist, confirmed by the zone. */
	reply(slot(&f, 0, PR_NX_ZONE, 0), 0, PW_F_RA, "127.0.5.5");
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.nxdomain, NX_REWRITES);
	assert_string_equal(b.rewrite_to, "127.0.5.5");
	/* Unconfirmed (the zone may have a wildcard): the TLD probe decides. */
	probe_judge(&f.ps, 0, false, &b);
	assert_int_equal(b.nxdomain, NX_OK);
	/* ... through a CNAME chain: the address, not the link. */
	struct answer *t = slot(&f, 0, PR_NX_TLD, 0);
	reply(t, 0, PW_F_RA, "pw0.test. CNAME search.example.");
	const char *chain[] = { t->records[0], "search.example. A 198.51.100.7" };
	char **both;
	size_t nboth;
	assert_int_equal(records_copy((char *const *)chain, 2, &both, &nboth), PW_OK);
	records_free(t->records, t->nrecords);
	t->records = both;
	t->nrecords = nboth;
	probe_judge(&f.ps, 0, false, &b);
	assert_int_equal(b.nxdomain, NX_REWRITES);
	assert_string_equal(b.rewrite_to, "198.51.100.7");
	/* ECS echoed with scope 0, or absent. */
	slot(&f, 0, PR_ECS, 0)->edns.ecs_scope = 0;
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.ecs, ECS_ECHOED);
	slot(&f, 0, PR_ECS, 0)->edns.ecs_scope = -1;
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.ecs, ECS_ABSENT);
	probe_free(&f.ps);
}

static void test_edns_case_loss(void **state)
{
	struct fixture f;
	struct behaviour b;
	(void)state;
	setup(&f, 4);
	validating(&f, 0);
	/* No OPT back, EDNS 1 answered as usual, FORMERR for an unknown option. */
	slot(&f, 0, PR_WARM, 0)->edns.present = false;
	reply(slot(&f, 0, PR_EDNS1, 0), 0, PW_F_RA, "127.0.5.1");
	reply(slot(&f, 0, PR_UNKNOWN_OPT, 0), LDNS_RCODE_FORMERR, 0, NULL);
	/* The warm-up needed the 0x20 fallback. */
	slot(&f, 0, PR_WARM, 0)->case_fallback = true;
	/* Two of four samples lost. */
	timeout(slot(&f, 0, PR_SAMPLE, 1));
	timeout(slot(&f, 0, PR_SAMPLE, 3));
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.edns, TRI_NO);
	assert_int_equal(b.udp_size, -1);
	assert_int_equal(b.badvers, TRI_NO);
	assert_int_equal(b.unknown_option_ok, TRI_NO);
	assert_int_equal(b.case_preserved, TRI_NO);
	assert_int_equal(b.lost, 2);
	assert_float_equal(b.lat_max, 3, 1e-9);
	/* TCP refused: no. */
	answer_free(slot(&f, 0, PR_TCP, 0));
	answer_init(slot(&f, 0, PR_TCP, 0));
	slot(&f, 0, PR_TCP, 0)->outcome = OUT_UNREACHABLE;
	probe_judge(&f.ps, 0, true, &b);
	assert_int_equal(b.tcp, TRI_NO);
	probe_free(&f.ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),           cmocka_unit_test(test_validating_resolver),
		cmocka_unit_test(test_dnssec_verdicts), cmocka_unit_test(test_nxdomain_and_ecs),
		cmocka_unit_test(test_edns_case_loss),
	};
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
