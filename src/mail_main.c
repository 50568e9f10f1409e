/*
 * mail_main.c -- `propwatch mail DOMAIN`: is the mail DNS right, and has
 * all of it propagated?
 *
 * The order of a run: the records known up front go out to every
 * resolver (mail_prop.c); from the first answers the lint takes a few
 * resolvers, finds the zone and its servers, judges DNSSEC and lints the
 * records as the servers serve them (mail_dns.c, mail_lint*.c); what the
 * servers served becomes each record's ground truth; the MX targets join
 * the propagation; with --wait, check's loop runs over all of it. Then
 * the findings, the records and the propagation are printed (mail_out.c)
 * and the exit status says: 0 clean and propagated, 1 errors or not
 * propagated, 3 the zone or its servers could not be reached.
 */
#include <ldns/ldns.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "duration.h"
#include "error.h"
#include "gate.h"
#include "mail.h"
#include "mail_dns.h"
#include "mail_lint.h"
#include "mail_out.h"
#include "mail_prop.h"
#include "msg.h"
#include "setup.h"

static volatile int stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Everything one run holds. */
struct mail_run {
	struct session s;
	struct mail_prop prop;
	struct mail_dns dns;
	struct mail_report report;
	char *domain;            /* absolute, lower case */
	enum mail_dnssec dnssec; /* the zone's DNSSEC state */
	char dnssec_note[256];   /* how it was judged */
	char problem[400];       /* why nothing could be linted, "" if it could */
	struct check_run check;  /* the --wait loop */
};

/* The records every run tracks, before the lint names the MX targets. */
static int add_upfront(struct mail_run *r)
{
	static const char *const prefixes[] = { "_dmarc", "_mta-sts", "_smtp._tls" };
	const struct pw_params *o = &r->s.params;
	char name[600];
	int rc;

	if ((rc = mail_prop_add(&r->prop, r->domain, LDNS_RR_TYPE_MX)) < 0 ||
	    (rc = mail_prop_add(&r->prop, r->domain, LDNS_RR_TYPE_TXT)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		snprintf(name, sizeof name, "%s.%s", prefixes[i], r->domain);
		if ((rc = mail_prop_add(&r->prop, name, LDNS_RR_TYPE_TXT)) < 0)
			return rc;
	}
	for (size_t i = 0; i < o->nselectors; i++) {
		snprintf(name, sizeof name, "%s._domainkey.%s", o->selectors[i], r->domain);
		if ((rc = mail_prop_add(&r->prop, name, LDNS_RR_TYPE_TXT)) < 0)
			return rc;
	}
	return 0;
}

/* Each record's first look at the truth: what the zone's servers served
 * the lint. A record outside the zone (or whose servers gave no answer)
 * is left to its tracker's own policy. */
static int install_truths(struct mail_run *r)
{
	for (size_t i = 0; i < r->prop.n; i++) {
		struct mail_record *rec = r->prop.v[i];
		const struct mail_lookup *l = mail_dns_lookup(&r->dns, rec->q.name, rec->q.type);
		if (l == NULL)
			return PW_ENOMEM;
		if (l->auth && mail_prop_truth(rec, &l->truth) < 0)
			return PW_ENOMEM;
	}
	return 0;
}

/* The MX targets that resolve: their A and AAAA are records of the mail
 * setup too. */
static int add_targets(struct mail_run *r)
{
	static const int types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	size_t before = r->prop.n;
	for (size_t i = 0; i < r->report.ntargets; i++) {
		if (!r->report.targets[i].addresses)
			continue;
		for (int k = 0; k < 2; k++) {
			if (mail_prop_find(&r->prop, r->report.targets[i].name, types[k]) != NULL)
				continue;
			int rc = mail_prop_add(&r->prop, r->report.targets[i].name, types[k]);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t i = before; i < r->prop.n; i++) {
		struct mail_record *rec = r->prop.v[i];
		const struct mail_lookup *l = mail_dns_lookup(&r->dns, rec->q.name, rec->q.type);
		if (l == NULL)
			return PW_ENOMEM;
		if (l->auth && mail_prop_truth(rec, &l->truth) < 0)
			return PW_ENOMEM;
	}
	return 0;
}

/* Find the zone, judge DNSSEC, lint. Returns 0, or PW_EEMPTY with
 * r->problem set (nothing to lint), or PW_ENOMEM. */
static int lint(struct mail_run *r, const struct resolver *const *via, size_t nvia)
{
	const struct pw_params *o = &r->s.params;
	int rc = mail_dns_open(&r->dns, r->s.truth_engine, via, nvia, o->filter.family, r->domain);
	if (rc == PW_EEMPTY) {
		snprintf(r->problem, sizeof r->problem, "%s", r->dns.problem);
		return rc;
	}
	const struct mail_lookup *mx =
	        rc == 0 ? mail_dns_lookup(&r->dns, r->domain, LDNS_RR_TYPE_MX) : NULL;
	if (mx == NULL)
		return PW_ENOMEM;
	if (mx->truth.rcode == LDNS_RCODE_NXDOMAIN) {
		snprintf(r->problem, sizeof r->problem,
		         "%s does not exist: its zone's servers (%s) answer NXDOMAIN", r->domain,
		         r->dns.zone);
		return PW_EEMPTY;
	}
	infof("zone %s, %zu server%s; linting through %zu resolver%s", r->dns.zone, r->dns.nservers,
	      r->dns.nservers == 1 ? "" : "s", nvia, nvia == 1 ? "" : "s");
	if ((rc = mail_dns_dnssec(&r->dns, &r->dnssec, r->dnssec_note, sizeof r->dnssec_note)) < 0)
		return rc;
	struct mail_input in = { .domain = r->domain,
		                 .zone = r->dns.zone,
		                 .selectors = o->selectors,
		                 .nselectors = o->nselectors,
		                 .dnssec = r->dnssec,
		                 .dnssec_note = r->dnssec_note,
		                 .resolve = mail_dns_resolve,
		                 .ctx = &r->dns };
	return mail_lint(&in, &r->report);
}

/* "35 serve `10 mx1.example.com.` (old), 6 serve ... (new)" into buf. */
static void variants_text(const struct tracker *t, char *buf, size_t len)
{
	size_t nv, o = 0;
	const struct variant *vs = tracker_variants(t, &nv);
	buf[0] = '\0';
	for (size_t k = 0; k < nv && k < 4 && o < len; k++) {
		char recs[200] = "";
		size_t ro = 0;
		for (size_t j = 0; j < vs[k].nrecords && ro < sizeof recs; j++)
			ro += (size_t)snprintf(recs + ro, sizeof recs - ro, "%s%s", j ? " | " : "",
			                       vs[k].records[j]);
		if (vs[k].nrecords == 0)
			snprintf(recs, sizeof recs, "%s",
			         vs[k].rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "no records");
		o += (size_t)snprintf(buf + o, len - o, "%s%zu serve%s `%s` (%s)", k ? ", " : "",
		                      vs[k].count, vs[k].count == 1 ? "s" : "", recs,
		                      vs[k].is_new ? "new" : "old");
	}
	if (nv > 4 && o < len)
		snprintf(buf + o, len - o, ", and %zu more variants", nv - 4);
}

/* A propagation-incomplete finding for each record some resolvers still
 * serve differently: its variants, and when the old answers expire. */
static void incomplete(struct mail_run *r)
{
	double now = clock_mono();
	for (size_t i = 0; i < r->prop.n; i++) {
		const struct tracker *t = &r->prop.v[i]->p.t;
		const struct summary *sm = tracker_summary(t);
		char rec[600], eta[96] = "", vars[700];
		if (sm->propagated || sm->exit_code != EXIT_NOT_PROPAGATED)
			continue;
		char *type = ldns_rr_type2str((ldns_rr_type)r->prop.v[i]->q.type);
		snprintf(rec, sizeof rec, "%s %s", r->prop.v[i]->q.name, type ? type : "?");
		free(type);
		double e = tracker_fleet_eta(t, now);
		if (e >= 0) {
			char in[32];
			snprintf(eta, sizeof eta, "; the old answers expire in %s",
			         duration_format(e, in, sizeof in));
		}
		variants_text(t, vars, sizeof vars);
		mail_add(
		        &r->report, CK_PROPAGATION_INCOMPLETE, rec,
		        "wait for the caches to expire (--wait waits for them)",
		        "%zu of %zu usable answers are what the zone's servers serve now (%.1f%%): "
		        "%s%s",
		        sm->count[ST_NEW], sm->usable, sm->share, vars, eta);
	}
}

static int exit_status(const struct mail_run *r)
{
	if (r->problem[0])
		return EXIT_UNDECIDABLE;
	bool undecided = false;
	int rc = mail_count(&r->report, SEV_ERROR) > 0 ? EXIT_NOT_PROPAGATED : 0;
	for (size_t i = 0; i < r->prop.n; i++) {
		int e = tracker_summary(&r->prop.v[i]->p.t)->exit_code;
		if (e == EXIT_NOT_PROPAGATED)
			rc = EXIT_NOT_PROPAGATED;
		undecided |= e == EXIT_UNDECIDABLE;
	}
	return rc == 0 && undecided ? EXIT_UNDECIDABLE : rc;
}

static int print(struct mail_run *r, int code)
{
	const struct pw_params *o = &r->s.params;
	struct mail_view v = { .domain = r->domain,
		               .dns = r->dns.zone ? &r->dns : NULL,
		               .report = &r->report,
		               .prop = &r->prop,
		               .nselectors = o->nselectors,
		               .nresolvers = r->s.list.n,
		               .dnssec = r->dnssec,
		               .dnssec_note = r->dnssec_note[0] ? r->dnssec_note : NULL,
		               .problem = r->problem[0] ? r->problem : NULL,
		               .note = r->check.note[0] ? r->check.note : NULL,
		               .interrupted = stop_signal != 0,
		               .color = o->color,
		               .now = clock_mono(),
		               .exit_code = code };
	int rc = o->format == FMT_JSON ? mail_out_json(stdout, &v) : mail_out_text(stdout, &v);
	if (rc < 0) {
		errorf("cannot write the findings to standard output");
		return EXIT_OUTPUT;
	}
	return code;
}

static int run(struct mail_run *r)
{
	const struct resolver *via[MAIL_VIA];
	int rc;

	if ((rc = add_upfront(r)) < 0 || (rc = mail_prop_start(&r->prop)) < 0)
		return rc;
	size_t nvia = mail_prop_via(&r->prop, via, MAIL_VIA);
	rc = lint(r, via, nvia);
	if (rc == 0 && (rc = install_truths(r)) == 0)
		rc = add_targets(r);
	/* The MX targets' first round goes out on the truth engine, idle by
	 * now, while the pool's round may still wait for slow resolvers. */
	struct pipeline_backend be = pipeline_engine_backend(r->s.truth_engine, r->s.truth_engine);
	mail_prop_catch_up(&r->prop, &be);
	if (rc == PW_EEMPTY)
		return 0;
	if (rc < 0)
		return rc;
	return mail_prop_run(&r->prop, &r->check);
}

int mail_main(int argc, char **argv)
{
	struct mail_run *r = calloc(1, sizeof *r);
	int done, rc;

	if (r == NULL)
		return EXIT_USAGE;
	if ((rc = session_open(&r->s, argc, argv, MODE_MAIL, NULL, &done)) != 0 || done) {
		session_close(&r->s);
		free(r);
		return rc;
	}
	session_catch_signals(on_signal);

	r->check = (struct check_run){ .wait = r->s.params.wait,
		                       .progress = r->s.params.format == FMT_TEXT ||
		                                   r->s.params.verbose,
		                       .stop = &stop_signal,
		                       .start = clock_mono() };
	mail_prop_init(&r->prop, &r->s);
	if ((r->domain = mail_dns_norm(r->s.params.name)) == NULL || (rc = run(r)) < 0) {
		errorf("mail %s: %s", r->s.params.name, pw_strerror(rc < 0 ? rc : PW_ENOMEM));
		rc = EXIT_UNDECIDABLE;
	} else {
		if (!r->problem[0])
			incomplete(r);
		if (stop_signal)
			snprintf(r->check.note, sizeof r->check.note, "interrupted by signal %d",
			         stop_signal);
		rc = print(r, exit_status(r));
		if (r->problem[0])
			errorf("mail %s: %s", r->domain, r->problem);
		if (stop_signal)
			rc = 128 + stop_signal;
	}
	mail_prop_free(&r->prop);
	mail_dns_close(&r->dns);
	mail_report_free(&r->report);
	free(r->domain);
	session_close(&r->s);
	free(r);
	return rc;
}
