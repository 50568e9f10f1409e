/*
 * params_table.c -- every option of every subcommand, and the --help text
 * made from them.
 */
#include <stdio.h>
#include <string.h>

#include "params.h"
#include "params_int.h"
#include "probe.h"

#define M_QUERYING (M_CHECK | M_WATCH | M_COMPARE | M_MAIL)
#define M_ALL      (M_CHECK | M_WATCH | M_COMPARE | M_MAIL)
#define M_EVERY    (M_CHECK | M_WATCH | M_COMPARE | M_MAIL | M_TIMELINE)

const struct opt_def params_table[] = {
	{ "resolvers", 'r', "FILE", M_QUERYING, OPT_RESOLVERS, "Resolvers",
	  "resolver list (default: $PROPWATCH_RESOLVERS, the installed\nlist, ./resolvers.txt)" },
	{ "country", 0, "CC", M_QUERYING, OPT_COUNTRY, "Resolvers",
	  "only resolvers in country CC (repeatable)" },
	{ "operator", 0, "OP", M_QUERYING, OPT_OPERATOR, "Resolvers",
	  "only resolvers run by OP (repeatable)" },
	{ NULL, '4', NULL, M_QUERYING, OPT_IPV4, "Resolvers", "only IPv4 resolvers" },
	{ NULL, '6', NULL, M_QUERYING, OPT_IPV6, "Resolvers", "only IPv6 resolvers" },
	{ "limit", 0, "N", M_QUERYING, OPT_LIMIT, "Resolvers", "only the first N resolvers" },
	{ "jobs", 'j', "N", M_QUERYING, OPT_JOBS, "Queries",
	  "worker threads (default: number of CPUs)" },
	{ "timeout", 0, "DUR", M_QUERYING, OPT_TIMEOUT, "Queries",
	  "wait per try (default 2s; compare: 1s)" },
	{ "retries", 0, "N", M_QUERYING, OPT_RETRIES, "Queries",
	  "extra tries after a timeout, 0-7 (default 1)" },
	{ "rate", 0, "QPS", M_QUERYING, OPT_RATE, "Queries",
	  "send at most QPS first tries per second" },
	{ "dnssec", 0, NULL, M_CHECK | M_WATCH, OPT_DNSSEC, "Queries", "set the DO bit" },
	{ "expect", 0, "RDATA", M_CHECK | M_WATCH, OPT_EXPECT, "What is new",
	  "the new record data, repeatable (\"10 mail.example.com.\");\n"
	  "--expect none: the records were deleted" },
	{ "auth", 0, "ADDR[:PORT]", M_CHECK | M_WATCH, OPT_AUTH, "What is new",
	  "take the new answer from this authoritative server\n"
	  "(repeatable); default: find the zone's servers" },
	{ "dkim-selector", 0, "S", M_MAIL, OPT_DKIM_SELECTOR, "Mail",
	  "check the DKIM key of selector S (repeatable)" },
	{ "threshold", 0, "P%|N", M_CHECK | M_WATCH | M_MAIL, OPT_THRESHOLD, "Verdict",
	  "share (or count) of usable answers that must be new\n(default 100%)" },
	{ "min-answers", 0, "N", M_CHECK | M_WATCH | M_MAIL, OPT_MIN_ANSWERS, "Verdict",
	  "fewest usable answers for a verdict (default 1)" },
	{ "wait", 0, "DUR", M_CHECK | M_MAIL, OPT_WAIT, "Verdict",
	  "re-check until propagated or DUR has passed" },
	{ "samples", 0, "N", M_COMPARE, OPT_SAMPLES, "Probes",
	  "timed queries of NAME per resolver, 1-200 (default 10)" },
	{ "signed", 0, "NAME", M_COMPARE, OPT_SIGNED, "Probes",
	  "a DNSSEC-signed name (default " PROBE_SIGNED_DEFAULT ")" },
	{ "bogus", 0, "NAME", M_COMPARE, OPT_BOGUS, "Probes",
	  "a name whose signatures are broken (default " PROBE_BOGUS_DEFAULT ")" },
	{ "duration", 0, "DUR", M_COMPARE, OPT_DURATION, "Probes",
	  "also watch NAME's TTLs this long: clamps, no countdown,\nserve-stale (default: no)" },
	{ "interval", 0, "DUR", M_CHECK | M_WATCH | M_COMPARE | M_MAIL, OPT_INTERVAL, "Verdict",
	  "re-ask resolvers and the zone's servers this often\n(default 10s)" },
	{ "min-interval", 0, "DUR", M_CHECK | M_WATCH | M_MAIL, OPT_MIN_INTERVAL, "Verdict",
	  "never ask one resolver more often (default 1s)" },
	{ "via", 0, "NET", M_CHECK | M_WATCH, OPT_VIA, "Vantage points",
	  "ask from the probes of a measurement network instead of\n"
	  "from here: globalping or atlas (RIPE Atlas); not for\n"
	  "compare, whose probes need a resolver of their own" },
	{ "from", 0, "LOCATIONS", M_CHECK | M_WATCH, OPT_FROM, "Vantage points",
	  "where the probes are, comma-separated. Globalping: DE,US,\n"
	  "Asia, continent:EU, asn:3320, magic:TEXT; Atlas:\n"
	  "country:DE, area:WW (default), asn:3320, probes:1,2" },
	{ "probes", 0, "N", M_CHECK | M_WATCH, OPT_PROBES, "Vantage points",
	  "how many probes, 1-500 (default 10)" },
	{ "resolver", 0, "ADDR", M_CHECK | M_WATCH, OPT_VRESOLVER, "Vantage points",
	  "each probe asks this resolver (default: its own)" },
	{ "api-url", 0, "URL", M_CHECK | M_WATCH, OPT_API_URL, "Vantage points",
	  "the network's API at another base URL (tests,\nself-hosted instances)" },
	{ "token-file", 0, "FILE", M_CHECK | M_WATCH, OPT_TOKEN_FILE, "Vantage points",
	  "Globalping token (default: $GLOBALPING_TOKEN; optional)" },
	{ "key-file", 0, "FILE", M_CHECK | M_WATCH, OPT_KEY_FILE, "Vantage points",
	  "RIPE Atlas API key (default: $RIPE_ATLAS_KEY)" },
	{ "format", 0, "FMT", M_CHECK | M_COMPARE | M_MAIL | M_TIMELINE, OPT_FORMAT, "Output",
	  "text (default), json or csv; check: also ndjson, a line\n"
	  "per resolver as it answers; mail: text or json;\ntimeline: text or csv" },
	{ "log", 0, "FILE", M_CHECK | M_WATCH | M_COMPARE, OPT_LOG, "Output",
	  "append the session to FILE as NDJSON events (doc/LOG.md),\n"
	  "for propwatch timeline" },
	{ "output", 'o', "FILE", M_TIMELINE, OPT_OUTPUT, "Output",
	  "draw the picture to FILE, .png or .svg" },
	{ "session", 0, "N", M_TIMELINE, OPT_SESSION, "Output",
	  "the Nth session of the log (default: the last)" },
	{ "width", 0, "N", M_TIMELINE, OPT_WIDTH, "Output",
	  "picture width in pixels (default 1200), or text\ncolumns (default: the terminal's)" },
	{ "no-color", 0, NULL, M_ALL | M_TIMELINE, OPT_NO_COLOR, "Output",
	  "no colour (also: NO_COLOR set in the environment)" },
	{ "color", 0, NULL, M_ALL | M_TIMELINE, OPT_COLOR, "Output",
	  "colour even when not on a terminal" },
	{ "verbose", 'v', NULL, M_ALL, OPT_VERBOSE, "Output", "tell what is being done on stderr" },
	{ "help", 'h', NULL, M_EVERY, OPT_HELP, "Output", "this help" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static const char *const mode_names[MODE_COUNT] = { "check", "watch", "compare", "mail",
	                                            "timeline" };

const char *mode_name(enum pw_mode m)
{
	return (unsigned)m < MODE_COUNT ? mode_names[m] : "?";
}

const char *params_modes_text(unsigned modes, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int m = 0; m < MODE_COUNT; m++)
		if ((modes & (1u << m)) && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
			                      mode_names[m]);
	return buf;
}

const char *params_formats(enum pw_mode mode)
{
	switch (mode) {
	case MODE_CHECK: return "text json csv ndjson";
	case MODE_TIMELINE: return "text csv";
	case MODE_MAIL: return "text json";
	default: return "text json csv";
	}
}

#define EXIT_CHECK                                                                     \
	"Exit status: 0 propagated, 1 not (yet) propagated, 2 usage or input error,\n" \
	"3 undecidable (too few usable answers, or no ground truth), 4 output could\n" \
	"not be written; 128+N after signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).\n"

static const struct {
	const char *synopsis;
	const char *about;
	const char *exits;
} about[MODE_COUNT] = {
	[MODE_CHECK] = { "NAME [TYPE]",
	                 "Ask every resolver for NAME/TYPE once (or until --wait runs out) and tell\n"
	                 "whether the new answer has propagated, with an exit status for scripts.",
	                 EXIT_CHECK },
	[MODE_WATCH] = { "NAME [TYPE]",
	                 "A live dashboard: which resolvers serve the new answer, which still serve\n"
	                 "the old one, and when each will flip. Keys: ? in the dashboard.",
	                 EXIT_CHECK },
	[MODE_COMPARE] = { "[NAME [TYPE]]",
	                   "Probe how each resolver behaves: latency and loss, DNSSEC validation,\n"
	                   "NXDOMAIN rewriting, TCP, EDNS, ECS, 0x20 case, identity (NSID, CH TXT)\n"
	                   "and, with --duration, TTL honesty. NAME defaults to the root (. NS).",
	                   "Exit status: 0 the probes ran, 2 usage or input error, 3 no resolver\n"
	                   "answered at all, 4 output could not be written; 128+N after signal N.\n" },
	[MODE_MAIL] = { "DOMAIN",
	                "Lint DOMAIN's mail DNS as its authoritative servers serve it (MX, SPF,\n"
	                "DMARC, DKIM, MTA-STS, TLS-RPT, DANE, DNSSEC) and tell how far every one of\n"
	                "those records has propagated across the resolvers.",
	                "Exit status: 0 no errors and every record propagated, 1 errors or some record\n"
	                "not (yet) propagated, 2 usage error, 3 undecidable (the zone or its servers\n"
	                "cannot be reached), 4 output could not be written; 128+N after signal N.\n" },
	[MODE_TIMELINE] = { "FILE",
	                    "Render a roll-out recorded with --log: the propagated share over time,\n"
	                    "a lane per resolver, flip times against their ETAs.",
	                    "Exit status: 0 shown, 2 usage error or not a propwatch log (FILE:LINE\n"
	                    "says where), 4 output could not be written.\n" },
};

/* "  -r, --resolvers FILE   " with the help text from column 25. */
static void usage_line(FILE *out, const struct opt_def *d)
{
	char head[64];
	int n;
	if (d->name && d->shortname)
		n = snprintf(head, sizeof head, "  -%c, --%s%s%s", d->shortname, d->name,
		             d->arg ? " " : "", d->arg ? d->arg : "");
	else if (d->name)
		n = snprintf(head, sizeof head, "      --%s%s%s", d->name, d->arg ? " " : "",
		             d->arg ? d->arg : "");
	else
		n = snprintf(head, sizeof head, "  -%c%s%s", d->shortname, d->arg ? " " : "",
		             d->arg ? d->arg : "");
	fputs(head, out);
	for (const char *h = d->help; *h;) {
		const char *nl = strchr(h, '\n');
		size_t len = nl ? (size_t)(nl - h) : strlen(h);
		fprintf(out, "%*s%.*s\n", n < 24 ? 25 - n : 1, "", (int)len, h);
		n = 0;
		h += len + (nl != NULL);
	}
}

void params_usage(FILE *out, enum pw_mode mode)
{
	const char *group = NULL;
	fprintf(out, "usage: propwatch %s [options] %s\n\n%s\n", mode_name(mode),
	        about[mode].synopsis, about[mode].about);
	for (const struct opt_def *d = params_table; d->name || d->shortname; d++) {
		if (!(d->modes & (1u << mode)))
			continue;
		if (group == NULL || strcmp(group, d->group) != 0) {
			fprintf(out, "%s%s:\n", group ? "" : "\n", d->group);
			group = d->group;
		}
		usage_line(out, d);
	}
	if (mode == MODE_MAIL)
		fputs("\nDurations take units: 500ms, 2s, 30m, 1h. --threshold, --min-answers and\n"
		      "--wait apply to every record.\n",
		      out);
	else if (mode != MODE_TIMELINE)
		fputs("\nDurations take units: 500ms, 2s, 30m, 1h. TYPE defaults to MX.\n", out);
	else
		fputc('\n', out);
	fputs(about[mode].exits, out);
	if (mode == MODE_COMPARE)
		fputs("No --via here: compare's probes (DNSSEC, TCP, EDNS, 0x20, ...) need a\n"
		      "resolver of their own, which a measurement network's probe is not.\n",
		      out);
	if (mode == MODE_CHECK || mode == MODE_WATCH)
		fputs("With --via every round is a measurement, which costs tests or credits:\n"
		      "--interval defaults to 60s, and --timeout also bounds each measurement\n"
		      "(15 times it for Globalping, 150 times for RIPE Atlas).\n",
		      out);
}
