/*
 * params.c -- parse the command line against the option table.
 *
 * GNU-style: long options as --name VALUE or --name=VALUE, short ones as
 * -j 4, -j4 or clustered flags (-46v), options and operands in any order,
 * "--" ends the options. The parser is our own, not getopt_long(), so that
 * it keeps no state between calls and can tell "no such option" from "not
 * for this subcommand".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "error.h"
#include "msg.h"
#include "params.h"
#include "params_int.h"
#include "probe.h"
#include "query.h"
#include "vantage.h"
#include "vantage_json.h"

#define MAX_OPERANDS 4
/* --probes without a value: a handful per continent. */
#define DEFAULT_PROBES 10
/* --interval with --via: every round is a measurement that costs. */
#define VIA_INTERVAL 60

static int bad(const char *opt, const char *val, const char *why)
{
	errorf("%s '%s': %s", opt, val, why);
	return EXIT_USAGE;
}

static int parse_count(const char *opt, const char *val, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (*val == '\0' || *end != '\0' || errno || v < lo || v > hi) {
		char why[64];
		snprintf(why, sizeof why, "expected a whole number from %ld to %ld", lo, hi);
		return bad(opt, val, why);
	}
	*out = v;
	return 0;
}

static int parse_duration_opt(const char *opt, const char *val, double min, double *out)
{
	if (duration_parse(val, out) < 0)
		return bad(opt, val, pw_strerror(PW_EUNIT));
	if (*out < min) {
		char why[64], buf[32];
		snprintf(why, sizeof why, "must be at least %s",
		         duration_format(min, buf, sizeof buf));
		return bad(opt, val, why);
	}
	return 0;
}

static int parse_name(const char *opt, const char *val, const char **out)
{
	struct ldns_struct_rdf *d = query_dname(val);
	if (d == NULL)
		return bad(opt, val, pw_strerror(PW_ENAME));
	ldns_rdf_deep_free(d);
	*out = val;
	return 0;
}

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof **v);
	if (nv == NULL)
		return PW_ENOMEM;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int add_auth(struct pw_params *p, const char *val)
{
	struct resolver r;
	memset(&r, 0, sizeof r);
	int rc = reslist_parse_addr(val, 53, &r);
	if (rc < 0)
		return bad("--auth", val, pw_strerror(rc));
	struct resolver *nv = realloc(p->auth, (p->nauth + 1) * sizeof *nv);
	if (nv == NULL)
		return bad("--auth", val, pw_strerror(PW_ENOMEM));
	nv[p->nauth++] = r;
	p->auth = nv;
	return 0;
}

/* A selector is one or more labels put before ._domainkey. */
static int add_selector(struct pw_params *p, const char *val)
{
	char name[300];
	struct ldns_struct_rdf *d = NULL;
	snprintf(name, sizeof name, "%s._domainkey.example", val);
	if (*val == '\0' || *val == '.' || strlen(val) > 200 || val[strlen(val) - 1] == '.' ||
	    strpbrk(val, " \t\\\"();@$") != NULL || (d = query_dname(name)) == NULL)
		return bad("--dkim-selector", val, "expected a selector such as s1 or 2026._mail");
	ldns_rdf_deep_free(d);
	return push(&p->selectors, &p->nselectors, val);
}

static void set_defaults(struct pw_params *p, enum pw_mode mode)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	memset(p, 0, sizeof *p);
	p->mode = mode;
	p->type = LDNS_RR_TYPE_MX;
	p->eng.threads = cpus > 0 ? (int)(cpus > 64 ? 64 : cpus) : 1;
	p->eng.timeout = 2;
	p->eng.retries = 1;
	p->threshold.percent = true;
	p->threshold.value = 100;
	p->min_answers = 1;
	p->interval = 10;
	p->min_interval = 1;
	p->format = FMT_TEXT;
	p->samples = 10;
	/* compare: shorter tries, so that a silent resolver costs one second
	 * twice (the whole comparison takes about that), not two. */
	if (mode == MODE_COMPARE)
		p->eng.timeout = 1;
	p->signed_name = PROBE_SIGNED_DEFAULT;
	p->bogus_name = PROBE_BOGUS_DEFAULT;
	p->probes = DEFAULT_PROBES;
	const char *nc = getenv("NO_COLOR");
	p->color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static int parse_rate(struct pw_params *p, const char *arg)
{
	char *end;
	p->eng.rate = strtod(arg, &end);
	if (*arg == '\0' || *end != '\0' || !(p->eng.rate > 0) || p->eng.rate > 1e7)
		return bad("--rate", arg, "expected queries per second, e.g. 500");
	return 0;
}

static int parse_format(struct pw_params *p, enum pw_mode mode, const char *arg)
{
	static const char *const names[] = {
		[FMT_TEXT] = "text", [FMT_JSON] = "json", [FMT_CSV] = "csv", [FMT_NDJSON] = "ndjson"
	};
	char list[64];
	const char *ok = params_formats(mode);
	snprintf(list, sizeof list, " %s ", ok);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char word[16];
		snprintf(word, sizeof word, " %s ", names[i]);
		if (strcmp(arg, names[i]) == 0 && strstr(list, word) != NULL) {
			p->format = (enum pw_format)i;
			p->format_set = true;
			return 0;
		}
	}
	char why[96];
	snprintf(why, sizeof why, "expected one of: %s%s", ok,
	         mode == MODE_TIMELINE ? " (-o FILE draws a picture)" : "");
	return bad("--format", arg, why);
}

static int parse_via(struct pw_params *p, const char *arg)
{
	if ((p->via = (int)vantage_net_parse(arg)) == VIA_NONE)
		return bad("--via", arg, "expected globalping or atlas");
	return 0;
}

static int parse_vresolver(struct pw_params *p, const char *arg)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, arg, buf) != 1 && inet_pton(AF_INET6, arg, buf) != 1)
		return bad("--resolver", arg, "expected an IPv4 or IPv6 address");
	p->via_resolver = arg;
	return 0;
}

static int parse_opt(struct pw_params *p, int id, const char *arg)
{
	long v;
	int rc = 0;

	if (id > 0 && id < 64)
		p->given |= UINT64_C(1) << id;
	switch (id) {
	case OPT_RESOLVERS: p->list_path = arg; break;
	case OPT_COUNTRY: rc = push(&p->filter.countries, &p->filter.ncountries, arg); break;
	case OPT_OPERATOR: rc = push(&p->filter.operators, &p->filter.noperators, arg); break;
	case OPT_IPV4: p->filter.family = AF_INET; break;
	case OPT_IPV6: p->filter.family = AF_INET6; break;
	case OPT_LIMIT:
		if ((rc = parse_count("--limit", arg, 1, 10000000, &v)) == 0)
			p->filter.limit = (size_t)v;
		break;
	case OPT_JOBS:
		if ((rc = parse_count("-j", arg, 1, 64, &v)) == 0)
			p->eng.threads = (int)v;
		break;
	case OPT_TIMEOUT: rc = parse_duration_opt("--timeout", arg, 0.01, &p->eng.timeout); break;
	case OPT_RETRIES:
		if ((rc = parse_count("--retries", arg, 0, 7, &v)) == 0)
			p->eng.retries = (int)v;
		break;
	case OPT_RATE: rc = parse_rate(p, arg); break;
	case OPT_DNSSEC: p->dnssec = true; break;
	case OPT_EXPECT: rc = push(&p->expect, &p->nexpect, arg); break;
	case OPT_AUTH: rc = add_auth(p, arg); break;
	case OPT_THRESHOLD:
		if (threshold_parse(arg, &p->threshold) < 0)
			rc = bad("--threshold", arg, "expected a per cent (95%) or a count (40)");
		break;
	case OPT_MIN_ANSWERS:
		if ((rc = parse_count("--min-answers", arg, 0, 10000000, &v)) == 0)
			p->min_answers = (size_t)v;
		break;
	case OPT_WAIT: rc = parse_duration_opt("--wait", arg, 0, &p->wait); break;
	case OPT_INTERVAL: rc = parse_duration_opt("--interval", arg, 0.1, &p->interval); break;
	case OPT_MIN_INTERVAL:
		rc = parse_duration_opt("--min-interval", arg, 0.1, &p->min_interval);
		break;
	case OPT_FORMAT: rc = parse_format(p, p->mode, arg); break;
	case OPT_LOG: p->log_path = arg; break;
	case OPT_OUTPUT: p->output = arg; break;
	case OPT_SESSION:
		if ((rc = parse_count("--session", arg, 1, 1000000, &v)) == 0)
			p->session = (int)v;
		break;
	case OPT_WIDTH:
		if ((rc = parse_count("--width", arg, 40, 8000, &v)) == 0)
			p->width = (int)v;
		break;
	case OPT_NO_COLOR: p->color = false; break;
	case OPT_COLOR: p->color = true; break;
	case OPT_VERBOSE: p->verbose = true; break;
	case OPT_HELP: p->help = true; break;
	case OPT_SAMPLES:
		if ((rc = parse_count("--samples", arg, 1, 200, &v)) == 0)
			p->samples = (int)v;
		break;
	case OPT_SIGNED: rc = parse_name("--signed", arg, &p->signed_name); break;
	case OPT_BOGUS: rc = parse_name("--bogus", arg, &p->bogus_name); break;
	case OPT_DURATION: rc = parse_duration_opt("--duration", arg, 1, &p->duration); break;
	case OPT_DKIM_SELECTOR: rc = add_selector(p, arg); break;
	case OPT_VIA: rc = parse_via(p, arg); break;
	case OPT_FROM: p->from = arg; break;
	case OPT_PROBES:
		if ((rc = parse_count("--probes", arg, 1, 500, &v)) == 0)
			p->probes = v;
		break;
	case OPT_VRESOLVER: rc = parse_vresolver(p, arg); break;
	case OPT_API_URL: p->api_url = arg; break;
	case OPT_TOKEN_FILE:
	case OPT_KEY_FILE: p->cred_file = arg; break;
	default: rc = EXIT_USAGE; break;
	}
	return rc < 0 ? bad("option", arg ? arg : "", pw_strerror(rc)) : rc;
}

static const struct opt_def *find_long(const char *name, size_t len)
{
	for (const struct opt_def *d = params_table; d->name || d->shortname; d++)
		if (d->name && strlen(d->name) == len && strncmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	for (const struct opt_def *d = params_table; d->name || d->shortname; d++)
		if (d->shortname == c)
			return d;
	return NULL;
}

/* Is d for this subcommand? If not, say so. */
static int applies(const struct opt_def *d, enum pw_mode mode, const char *spelled)
{
	char modes[64];
	if (d->modes & (1u << mode))
		return 0;
	errorf("%s does not apply to %s (it is for: %s)", spelled, mode_name(mode),
	       params_modes_text(d->modes, modes, sizeof modes));
	return EXIT_USAGE;
}

/* The value of option d: inline (after '=' or in the short cluster), or
 * the next argument. */
static int take_value(const struct opt_def *d, const char *spelled, const char *inl, int argc,
                      char **argv, int *i, const char **val)
{
	if (inl != NULL) {
		*val = inl;
		return 0;
	}
	if (*i + 1 >= argc) {
		errorf("%s needs a value (%s)", spelled, d->arg);
		return EXIT_USAGE;
	}
	*val = argv[++*i];
	return 0;
}

static int one_long(struct pw_params *p, enum pw_mode mode, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const struct opt_def *d = find_long(a, len);
	char spelled[80];
	const char *val = NULL;

	snprintf(spelled, sizeof spelled, "--%.*s", (int)len, a);
	if (d == NULL) {
		errorf("unknown option '%s' (try 'propwatch %s --help')", spelled, mode_name(mode));
		return EXIT_USAGE;
	}
	if (applies(d, mode, spelled) != 0)
		return EXIT_USAGE;
	if (d->arg == NULL && eq != NULL) {
		errorf("%s takes no value", spelled);
		return EXIT_USAGE;
	}
	if (d->arg != NULL && take_value(d, spelled, eq ? eq + 1 : NULL, argc, argv, i, &val) != 0)
		return EXIT_USAGE;
	return parse_opt(p, d->id, val);
}

static int one_short(struct pw_params *p, enum pw_mode mode, int argc, char **argv, int *i)
{
	for (const char *c = argv[*i] + 1; *c; c++) {
		const struct opt_def *d = find_short(*c);
		char spelled[4] = { '-', *c, '\0' };
		const char *val = NULL;
		if (d == NULL) {
			errorf("unknown option '%s' (try 'propwatch %s --help')", spelled,
			       mode_name(mode));
			return EXIT_USAGE;
		}
		if (applies(d, mode, spelled) != 0)
			return EXIT_USAGE;
		if (d->arg != NULL) {
			if (take_value(d, spelled, c[1] ? c + 1 : NULL, argc, argv, i, &val) != 0)
				return EXIT_USAGE;
			return parse_opt(p, d->id, val);
		}
		if (parse_opt(p, d->id, NULL) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

/* The operands after the options: NAME [TYPE] (compare: both optional,
 * the root's NS by default), mail's DOMAIN, timeline's FILE. */
static int operands(struct pw_params *p, enum pw_mode mode, const char **ops, int nops)
{
	int most = mode == MODE_MAIL || mode == MODE_TIMELINE ? 1 : 2;
	const char *what = mode == MODE_MAIL ? "DOMAIN" : mode == MODE_TIMELINE ? "FILE" : "NAME";

	if (nops == 0 && mode == MODE_COMPARE) {
		p->name = ".";
		p->type = LDNS_RR_TYPE_NS;
		return 0;
	}
	if (nops == 0) {
		errorf("missing %s (try 'propwatch %s --help')", what, mode_name(mode));
		return EXIT_USAGE;
	}
	if (nops > most) {
		errorf("unexpected argument '%s' (expected %s)", ops[most],
		       most == 1              ? what
		       : mode == MODE_COMPARE ? "[NAME [TYPE]]"
		                              : "NAME [TYPE]");
		return EXIT_USAGE;
	}
	if (mode == MODE_TIMELINE) {
		p->name = ops[0];
		return 0;
	}
	p->name = ops[0];
	struct ldns_struct_rdf *d = query_dname(p->name);
	if (d == NULL)
		return bad(what, p->name, pw_strerror(PW_ENAME));
	ldns_rdf_deep_free(d);
	int rc;
	if (nops > 1 && (rc = query_parse_type(ops[1], &p->type)) < 0)
		return bad("TYPE", ops[1], pw_strerror(rc));
	return 0;
}

static bool given(const struct pw_params *p, int id)
{
	return (p->given >> id) & 1;
}

/* --via replaces the local list: what chooses or paces local resolvers is
 * a mistake with it, and what chooses probes one without it. */
static int check_via(struct pw_params *p)
{
	static const struct {
		int id;
		const char *name;
	} vonly[] = { { OPT_FROM, "--from" },
		      { OPT_PROBES, "--probes" },
		      { OPT_VRESOLVER, "--resolver" },
		      { OPT_API_URL, "--api-url" },
		      { OPT_TOKEN_FILE, "--token-file" },
		      { OPT_KEY_FILE, "--key-file" } },
	  local[] = { { OPT_COUNTRY, "--country" },
		      { OPT_OPERATOR, "--operator" },
		      { OPT_LIMIT, "--limit" } };
	const char *net = vantage_net_name((enum vantage_net)p->via);

	for (size_t i = 0; !p->via && i < sizeof vonly / sizeof vonly[0]; i++)
		if (given(p, vonly[i].id)) {
			errorf("%s needs --via globalping or --via atlas", vonly[i].name);
			return EXIT_USAGE;
		}
	if (!p->via)
		return 0;
	if (given(p, OPT_RESOLVERS)) {
		errorf("--via and -r both say whom to ask: give one of them");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
		if (given(p, local[i].id)) {
			errorf("%s chooses from the local list; with --via, choose probes with "
			       "--from and --probes",
			       local[i].name);
			return EXIT_USAGE;
		}
	bool gp = p->via == VIA_GLOBALPING;
	if (given(p, gp ? OPT_KEY_FILE : OPT_TOKEN_FILE)) {
		errorf("%s is for %s; %s takes %s", gp ? "--key-file" : "--token-file",
		       gp ? "RIPE Atlas" : "Globalping", net, gp ? "--token-file" : "--key-file");
		return EXIT_USAGE;
	}
	if (gp && (given(p, OPT_IPV4) || given(p, OPT_IPV6))) {
		errorf("%s: Globalping cannot choose the address family of a probe's resolver "
		       "(RIPE Atlas can)",
		       given(p, OPT_IPV6) ? "-6" : "-4");
		return EXIT_USAGE;
	}
	if (gp && p->dnssec) {
		errorf("--dnssec: Globalping's DNS test cannot set the DO bit (RIPE Atlas can)");
		return EXIT_USAGE;
	}
	if (gp && !gp_type_supported(p->type)) {
		char *t = ldns_rr_type2str((ldns_rr_type)p->type);
		errorf("TYPE %s: Globalping asks only A, AAAA, ANY, CNAME, DNSKEY, DS, HTTPS, MX, "
		       "NS, NSEC, PTR, RRSIG, SOA, TXT and SRV",
		       t ? t : "?");
		free(t);
		return EXIT_USAGE;
	}
	if (!given(p, OPT_INTERVAL))
		p->interval = VIA_INTERVAL;
	return 0;
}

int params_parse(int argc, char **argv, enum pw_mode mode, struct pw_params *p)
{
	const char *ops[MAX_OPERANDS + 1];
	int nops = 0, rc;
	bool done = false;

	set_defaults(p, mode);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		rc = 0;
		if (!done && strcmp(a, "--") == 0)
			done = true;
		else if (!done && a[0] == '-' && a[1] == '-')
			rc = one_long(p, mode, argc, argv, &i);
		else if (!done && a[0] == '-' && a[1] != '\0')
			rc = one_short(p, mode, argc, argv, &i);
		else if (nops <= MAX_OPERANDS)
			ops[nops++] = a;
		if (rc != 0)
			return EXIT_USAGE;
	}
	if (p->help) {
		params_usage(stdout, mode);
		return 0;
	}
	if ((rc = operands(p, mode, ops, nops)) != 0)
		return rc;
	if (p->nexpect > 0 && p->nauth > 0) {
		errorf("--expect and --auth both say what is new: give one of them");
		return EXIT_USAGE;
	}
	if ((rc = check_via(p)) != 0)
		return rc;
	/* With --via the list, if any, only finds the zone's servers (setup.c). */
	if (p->via && p->list_path == NULL)
		p->list_path = reslist_default_path();
	if (mode != MODE_TIMELINE && !p->via && p->list_path == NULL &&
	    (p->list_path = reslist_default_path()) == NULL) {
		errorf("no resolver list: give -r FILE or set PROPWATCH_RESOLVERS");
		return EXIT_USAGE;
	}
	return 0;
}

void params_free(struct pw_params *p)
{
	free(p->filter.countries);
	free(p->filter.operators);
	free(p->expect);
	free(p->auth);
	free(p->selectors);
	p->selectors = NULL;
	p->filter.countries = p->filter.operators = p->expect = NULL;
	p->auth = NULL;
}
