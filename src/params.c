/*
 * params.c -- parse and check the options of check and watch.
 */
#include <errno.h>
#include <getopt.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "error.h"
#include "msg.h"
#include "params.h"
#include "query.h"

enum {
	OPT_COUNTRY = 256,
	OPT_OPERATOR,
	OPT_LIMIT,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_RATE,
	OPT_DNSSEC,
	OPT_EXPECT,
	OPT_AUTH,
	OPT_THRESHOLD,
	OPT_MIN_ANSWERS,
	OPT_WAIT,
	OPT_INTERVAL,
	OPT_MIN_INTERVAL,
	OPT_FORMAT,
	OPT_NO_COLOR,
	OPT_COLOR,
};

static const struct option long_opts[] = {
	{ "resolvers", required_argument, NULL, 'r' },
	{ "country", required_argument, NULL, OPT_COUNTRY },
	{ "operator", required_argument, NULL, OPT_OPERATOR },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "dnssec", no_argument, NULL, OPT_DNSSEC },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "auth", required_argument, NULL, OPT_AUTH },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "min-answers", required_argument, NULL, OPT_MIN_ANSWERS },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "min-interval", required_argument, NULL, OPT_MIN_INTERVAL },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "color", no_argument, NULL, OPT_COLOR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void params_usage(FILE *out, enum pw_mode mode)
{
	fprintf(out,
	        "usage: propwatch %s [options] NAME [TYPE]\n"
	        "\n"
	        "%s\n"
	        "\n"
	        "Resolvers:\n"
	        "  -r, --resolvers FILE   resolver list (default: $PROPWATCH_RESOLVERS, the installed\n"
	        "                         list, ./resolvers.txt)\n"
	        "      --country CC       only resolvers in country CC (repeatable)\n"
	        "      --operator OP      only resolvers run by OP (repeatable)\n"
	        "  -4, -6                 only IPv4 / IPv6 resolvers\n"
	        "      --limit N          only the first N resolvers\n"
	        "Queries:\n"
	        "  -j, --jobs N           worker threads (default: number of CPUs)\n"
	        "      --timeout DUR      wait per try (default 2s)\n"
	        "      --retries N        extra tries after a timeout, 0-7 (default 1)\n"
	        "      --rate QPS         send at most QPS first tries per second\n"
	        "      --dnssec           set the DO bit\n"
	        "What is new:\n"
	        "      --expect RDATA     the new record data, repeatable (\"10 mail.example.com.\");\n"
	        "                         --expect none: the records were deleted\n"
	        "      --auth ADDR[:PORT] take the new answer from this authoritative server\n"
	        "                         (repeatable); default: find the zone's servers\n"
	        "Verdict:\n"
	        "      --threshold P%%|N   share (or count) of usable answers that must be new\n"
	        "                         (default 100%%)\n"
	        "      --min-answers N    fewest usable answers for a verdict (default 1)\n"
	        "      --wait DUR         re-check until propagated or DUR has passed\n"
	        "      --interval DUR     time between sweeps (default 10s)\n"
	        "%s"
	        "Output:\n"
	        "      --format FMT       text (default), json or csv\n"
	        "      --no-color         no colour (also: NO_COLOR set in the environment)\n"
	        "  -v, --verbose          tell what is being done on stderr\n"
	        "\n"
	        "Durations take units: 500ms, 2s, 30m, 1h. TYPE defaults to MX.\n"
	        "Exit status: 0 propagated, 1 not (yet) propagated, 2 usage or input error,\n"
	        "3 undecidable (too few usable answers, or no ground truth).\n",
	        mode == MODE_CHECK ? "check" : "watch",
	        mode == MODE_CHECK
	                ? "Ask every resolver for NAME/TYPE once (or until --wait runs out) and tell\n"
	                  "whether the new answer has propagated, with an exit status for scripts."
	                : "A live dashboard: which resolvers serve the new answer, which still serve\n"
	                  "the old one, and when each will flip. Keys: ? in the dashboard.",
	        mode == MODE_WATCH
	                ? "      --min-interval DUR never ask one resolver more often (default 2s)\n"
	                : "");
}

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

static void set_defaults(struct pw_params *p, enum pw_mode mode)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	memset(p, 0, sizeof *p);
	p->mode = mode;
	p->type = 15; /* MX */
	p->eng.threads = cpus > 0 ? (int)(cpus > 64 ? 64 : cpus) : 1;
	p->eng.timeout = 2;
	p->eng.retries = 1;
	p->threshold.percent = true;
	p->threshold.value = 100;
	p->min_answers = 1;
	p->interval = 10;
	p->min_interval = 2;
	p->format = FMT_TEXT;
	const char *nc = getenv("NO_COLOR");
	p->color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static int parse_opt(struct pw_params *p, int c, const char *arg)
{
	long v;
	int rc = 0;

	switch (c) {
	case 'r': p->list_path = arg; break;
	case OPT_COUNTRY: rc = push(&p->filter.countries, &p->filter.ncountries, arg); break;
	case OPT_OPERATOR: rc = push(&p->filter.operators, &p->filter.noperators, arg); break;
	case '4': p->filter.family = AF_INET; break;
	case '6': p->filter.family = AF_INET6; break;
	case OPT_LIMIT:
		if ((rc = parse_count("--limit", arg, 1, 10000000, &v)) == 0)
			p->filter.limit = (size_t)v;
		break;
	case 'j':
		if ((rc = parse_count("-j", arg, 1, 64, &v)) == 0)
			p->eng.threads = (int)v;
		break;
	case OPT_TIMEOUT: rc = parse_duration_opt("--timeout", arg, 0.01, &p->eng.timeout); break;
	case OPT_RETRIES:
		if ((rc = parse_count("--retries", arg, 0, 7, &v)) == 0)
			p->eng.retries = (int)v;
		break;
	case OPT_RATE: {
		char *end;
		p->eng.rate = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !(p->eng.rate > 0) || p->eng.rate > 1e7)
			rc = bad("--rate", arg, "expected queries per second, e.g. 500");
		break;
	}
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
		if (p->mode != MODE_WATCH)
			return bad("--min-interval", arg, "only for watch");
		rc = parse_duration_opt("--min-interval", arg, 0.1, &p->min_interval);
		break;
	case OPT_FORMAT:
		if (strcmp(arg, "text") == 0)
			p->format = FMT_TEXT;
		else if (strcmp(arg, "json") == 0)
			p->format = FMT_JSON;
		else if (strcmp(arg, "csv") == 0)
			p->format = FMT_CSV;
		else
			rc = bad("--format", arg, "expected text, json or csv");
		break;
	case OPT_NO_COLOR: p->color = false; break;
	case OPT_COLOR: p->color = true; break;
	case 'v': msg_verbose = 1; break;
	case 'h': p->help = true; break;
	default: rc = EXIT_USAGE; break; /* getopt already said what */
	}
	return rc < 0 ? bad("option", arg ? arg : "", pw_strerror(rc)) : rc;
}

int params_parse(int argc, char **argv, enum pw_mode mode, struct pw_params *p)
{
	int c, rc;

	set_defaults(p, mode);
	optind = 0; /* 0, not 1: also forgets a half-read cluster like -xv */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "r:j:46vh", long_opts, NULL)) != -1)
		if ((rc = parse_opt(p, c, optarg)) != 0) {
			if (c == '?')
				fprintf(stderr, "Try 'propwatch %s --help'.\n",
				        mode == MODE_CHECK ? "check" : "watch");
			return EXIT_USAGE;
		}
	if (p->help) {
		params_usage(stdout, mode);
		return 0;
	}
	if (optind >= argc) {
		errorf("missing NAME (try 'propwatch %s --help')",
		       mode == MODE_CHECK ? "check" : "watch");
		return EXIT_USAGE;
	}
	p->name = argv[optind++];
	struct ldns_struct_rdf *d = query_dname(p->name);
	if (d == NULL)
		return bad("NAME", p->name, pw_strerror(PW_ENAME));
	ldns_rdf_deep_free(d);
	if (optind < argc && query_parse_type(argv[optind++], &p->type) < 0)
		return bad("TYPE", argv[optind - 1], pw_strerror(PW_ETYPE));
	if (optind < argc) {
		errorf("unexpected argument '%s' (expected NAME [TYPE])", argv[optind]);
		return EXIT_USAGE;
	}
	if (p->nexpect > 0 && p->nauth > 0) {
		errorf("--expect and --auth both say what is new: give one of them");
		return EXIT_USAGE;
	}
	if (p->list_path == NULL && (p->list_path = reslist_default_path()) == NULL) {
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
	p->filter.countries = p->filter.operators = p->expect = NULL;
	p->auth = NULL;
}
