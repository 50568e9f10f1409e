/*
 * test_reslist.c -- unit tests for src/reslist.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "reslist.h"

/* ---- helpers ---------------------------------------------------------- */

/* Write `text` to a fresh temp file; the path goes into path (>= 64 bytes). */
static void write_temp(char *path, size_t len, const char *text)
{
	snprintf(path, len, "/tmp/pw-test-reslist-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* Load `text` from a temp file. err gets the message; errpath the file name. */
static int load_text(const char *text, struct reslist *list, char *err, size_t errlen,
                     char *errpath, size_t pathlen)
{
	char path[64];
	write_temp(path, sizeof path, text);
	int rc = reslist_load(path, list, err, errlen);
	if (errpath != NULL)
		snprintf(errpath, pathlen, "%s", path);
	unlink(path);
	return rc;
}

static int parse(const char *line, struct resolver *r, char *what, size_t whatlen)
{
	what[0] = '\0';
	return reslist_parse_line(line, r, what, whatlen);
}

static unsigned short port_of(const struct resolver *r)
{
	if (r->addr.sa.sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&r->addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&r->addr)->sin6_port);
}

/* ---- reslist_parse_addr ----------------------------------------------- */

static void test_addr_ipv4(void **state)
{
	struct resolver r;
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("192.0.2.1", 53, &r), PW_OK);
	assert_int_equal(r.addr.sa.sa_family, AF_INET);
	assert_int_equal(r.addrlen, sizeof(struct sockaddr_in));
	assert_string_equal(r.host, "192.0.2.1");
	assert_int_equal(r.port, 53);
	assert_int_equal(port_of(&r), 53);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&r.addr;
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xC0000201u);
}

static void test_addr_ipv4_port(void **state)
{
	struct resolver r;
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("192.0.2.1:5353", 53, &r), PW_OK);
	assert_int_equal(r.addr.sa.sa_family, AF_INET);
	assert_string_equal(r.host, "192.0.2.1");
	assert_int_equal(r.port, 5353);
	assert_int_equal(port_of(&r), 5353);
	/* The default port applies only without one. */
	assert_int_equal(reslist_parse_addr("192.0.2.1", 1053, &r), PW_OK);
	assert_int_equal(r.port, 1053);
	assert_int_equal(port_of(&r), 1053);
	assert_int_equal(reslist_parse_addr("192.0.2.1:1", 53, &r), PW_OK);
	assert_int_equal(r.port, 1);
	assert_int_equal(reslist_parse_addr("192.0.2.1:65535", 53, &r), PW_OK);
	assert_int_equal(r.port, 65535);
}

static void test_addr_ipv6(void **state)
{
	struct resolver r;
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("2001:db8::1", 53, &r), PW_OK);
	assert_int_equal(r.addr.sa.sa_family, AF_INET6);
	assert_int_equal(r.addrlen, sizeof(struct sockaddr_in6));
	assert_string_equal(r.host, "2001:db8::1");
	assert_int_equal(r.port, 53);
	assert_int_equal(port_of(&r), 53);

	/* Normalised: leading zeros and long forms collapse. */
	assert_int_equal(reslist_parse_addr("2001:0DB8:0:0::0001", 53, &r), PW_OK);
	assert_string_equal(r.host, "2001:db8::1");

	assert_int_equal(reslist_parse_addr("::1", 53, &r), PW_OK);
	assert_string_equal(r.host, "::1");
	assert_int_equal(r.addr.sa.sa_family, AF_INET6);
}

static void test_addr_ipv6_port(void **state)
{
	struct resolver r;
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("[2001:db8::53]:5353", 53, &r), PW_OK);
	assert_int_equal(r.addr.sa.sa_family, AF_INET6);
	assert_string_equal(r.host, "2001:db8::53");
	assert_int_equal(r.port, 5353);
	assert_int_equal(port_of(&r), 5353);
	assert_int_equal(reslist_parse_addr("[::1]:53", 5353, &r), PW_OK);
	assert_int_equal(r.port, 53);
}

static void test_addr_bad_port(void **state)
{
	struct resolver r;
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("192.0.2.1:0", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("192.0.2.1:65536", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("192.0.2.1:abc", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("192.0.2.1:", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("192.0.2.1:-53", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("192.0.2.1:53x", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("192.0.2.1:99999999999999999999", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("[2001:db8::1]:0", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("[2001:db8::1]:65536", 53, &r), PW_EPORT);
	assert_int_equal(reslist_parse_addr("[2001:db8::1]:x", 53, &r), PW_EPORT);
}

/* Hardening defect 4: "::1:5353" was read as the address ::1:14d9 port 53,
 * not loopback at all. An unbracketed IPv6 address that is an address both
 * with and without its last ":digits" must be bracketed. */
static void test_addr_ambiguous_v6(void **state)
{
	struct resolver r;
	(void)state;
	assert_int_equal(reslist_parse_addr("::1:5353", 53, &r), PW_EAMBIG);
	assert_int_equal(reslist_parse_addr("2620:fe::fe:10", 53, &r), PW_EAMBIG);
	assert_int_equal(reslist_parse_addr("2001:db8::1:53", 53, &r), PW_EAMBIG);
	/* Bracketed, either reading is explicit. */
	assert_int_equal(reslist_parse_addr("[::1]:5353", 53, &r), PW_OK);
	assert_int_equal(r.port, 5353);
	assert_string_equal(r.host, "::1");
	assert_int_equal(reslist_parse_addr("[::1:5353]", 53, &r), PW_OK);
	assert_int_equal(r.port, 53);
	assert_int_equal(r.addr.sa.sa_family, AF_INET6);
	/* Not ambiguous: the head is no address, or the tail is hex. */
	assert_int_equal(reslist_parse_addr("2001:4860:4860::8888", 53, &r), PW_OK);
	assert_int_equal(reslist_parse_addr("2001:db8::1:ab", 53, &r), PW_OK);
	assert_int_equal(reslist_parse_addr("::1", 53, &r), PW_OK);
	assert_int_equal(reslist_parse_addr("2001:db8::53", 53, &r), PW_OK);
}

static void test_addr_bad_address(void **state)
{
	struct resolver r;
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("dns.google", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("256.1.1.1", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("1.2.3", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("2001:db8::1::2", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("[2001:db8::1", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("[2001:db8::1", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("[2001:db8::1]:", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("[]:53", 53, &r), PW_EADDR);
	assert_int_equal(reslist_parse_addr("[not-an-address]:53", 53, &r), PW_EADDR);
	/* Longer than any address: must be refused, not overflow. */
	char longaddr[200];
	memset(longaddr, '1', sizeof longaddr - 1);
	longaddr[sizeof longaddr - 1] = '\0';
	assert_int_equal(reslist_parse_addr(longaddr, 53, &r), PW_EADDR);
	longaddr[0] = '[';
	longaddr[150] = ']';
	longaddr[151] = ':';
	assert_int_equal(reslist_parse_addr(longaddr, 53, &r), PW_EADDR);
}

/* ---- resolver_addrstr ------------------------------------------------- */

static void test_addrstr(void **state)
{
	struct resolver r;
	char buf[80];
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("192.0.2.1", 53, &r), PW_OK);
	assert_string_equal(resolver_addrstr(&r, buf, sizeof buf), "192.0.2.1");
	assert_int_equal(reslist_parse_addr("192.0.2.1:5353", 53, &r), PW_OK);
	assert_string_equal(resolver_addrstr(&r, buf, sizeof buf), "192.0.2.1:5353");
	assert_int_equal(reslist_parse_addr("2001:db8::1", 53, &r), PW_OK);
	assert_string_equal(resolver_addrstr(&r, buf, sizeof buf), "2001:db8::1");
	assert_int_equal(reslist_parse_addr("[::1]:5353", 53, &r), PW_OK);
	assert_string_equal(resolver_addrstr(&r, buf, sizeof buf), "[::1]:5353");
	/* The result parses back to the same endpoint. */
	struct resolver back;
	memset(&back, 0, sizeof back);
	assert_int_equal(reslist_parse_addr(buf, 53, &back), PW_OK);
	assert_string_equal(back.host, "::1");
	assert_int_equal(back.port, 5353);
	/* Small buffers are truncated, still terminated. */
	char small[6];
	assert_ptr_equal(resolver_addrstr(&r, small, sizeof small), small);
	assert_string_equal(small, "[::1]");
}

/* ---- reslist_parse_line ----------------------------------------------- */

static void test_line_full(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	/* Public addresses here are only parsed; no test sends anything to them. */
	assert_int_equal(
	        parse("8.8.8.8 US Google +anycast Google Public DNS", &r, what, sizeof what), 1);
	assert_string_equal(r.host, "8.8.8.8");
	assert_int_equal(r.port, 53);
	assert_string_equal(r.country, "US");
	assert_string_equal(r.operator_name, "Google");
	assert_string_equal(r.label, "Google Public DNS");
	assert_true(r.anycast);
	resolver_clear(&r);
	assert_null(r.operator_name);
	assert_null(r.label);
}

static void test_line_minimal(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(parse("192.0.2.7 de SomeISP", &r, what, sizeof what), 1);
	assert_string_equal(r.host, "192.0.2.7");
	assert_string_equal(r.country, "DE"); /* upper-cased */
	assert_string_equal(r.operator_name, "SomeISP");
	assert_non_null(r.label);
	assert_string_equal(r.label, "");
	assert_false(r.anycast);
	resolver_clear(&r);
}

static void test_line_ports_and_v6(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(parse("[2001:db8::53]:5353 ZZ lab v6 lab box", &r, what, sizeof what), 1);
	assert_int_equal(r.addr.sa.sa_family, AF_INET6);
	assert_string_equal(r.host, "2001:db8::53");
	assert_int_equal(r.port, 5353);
	assert_string_equal(r.label, "v6 lab box");
	resolver_clear(&r);
	assert_int_equal(
	        parse("2606:4700:4700::1111 US Cloudflare +anycast", &r, what, sizeof what), 1);
	assert_int_equal(r.port, 53);
	assert_string_equal(r.host, "2606:4700:4700::1111");
	assert_true(r.anycast);
	assert_string_equal(r.label, "");
	resolver_clear(&r);
	assert_int_equal(parse("127.0.0.1:5300 ZZ unbound lab", &r, what, sizeof what), 1);
	assert_int_equal(r.port, 5300);
	resolver_clear(&r);
}

static void test_line_blank_and_comments(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(parse("", &r, what, sizeof what), 0);
	assert_int_equal(parse("   \t  ", &r, what, sizeof what), 0);
	assert_int_equal(parse("# a comment", &r, what, sizeof what), 0);
	assert_int_equal(parse("   # indented comment 1.2.3.4 US X", &r, what, sizeof what), 0);
	assert_int_equal(parse("\r", &r, what, sizeof what), 0);
	/* Trailing comments are cut from the label. */
	assert_int_equal(
	        parse("9.9.9.9 CH Quad9 +anycast Quad9 main # secure", &r, what, sizeof what), 1);
	assert_string_equal(r.label, "Quad9 main");
	assert_true(r.anycast);
	resolver_clear(&r);
	assert_int_equal(parse("9.9.9.9 CH Quad9#comment right after", &r, what, sizeof what), 1);
	assert_string_equal(r.operator_name, "Quad9");
	assert_string_equal(r.label, "");
	resolver_clear(&r);
}

static void test_line_label_whitespace(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(
	        parse("  1.1.1.1\tAU\t APNIC \t  Some   label\t \t", &r, what, sizeof what), 1);
	assert_string_equal(r.host, "1.1.1.1");
	assert_string_equal(r.country, "AU");
	assert_string_equal(r.operator_name, "APNIC");
	/* Leading and trailing blanks go; inner spacing is the user's text. */
	assert_string_equal(r.label, "Some   label");
	resolver_clear(&r);
	/* A CR left by a CRLF file is whitespace, not part of the label. */
	assert_int_equal(parse("1.1.1.1 AU APNIC label\r", &r, what, sizeof what), 1);
	assert_string_equal(r.label, "label");
	resolver_clear(&r);
	/* Flags may be separated by several blanks. */
	assert_int_equal(
	        parse("1.1.1.1 AU APNIC   +anycast    label  text ", &r, what, sizeof what), 1);
	assert_true(r.anycast);
	assert_string_equal(r.label, "label  text");
	resolver_clear(&r);
}

static void test_line_flags(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	/* Repeating a known flag is harmless. */
	assert_int_equal(parse("1.1.1.1 AU APNIC +anycast +anycast x", &r, what, sizeof what), 1);
	assert_true(r.anycast);
	assert_string_equal(r.label, "x");
	resolver_clear(&r);
	/* A '+' word inside the label is label text, not a flag. */
	assert_int_equal(parse("1.1.1.1 AU APNIC label +anycast", &r, what, sizeof what), 1);
	assert_false(r.anycast);
	assert_string_equal(r.label, "label +anycast");
	resolver_clear(&r);
	/* Unknown flags are errors that name the flag. */
	assert_int_equal(parse("1.1.1.1 AU APNIC +fast label", &r, what, sizeof what), PW_EFLAG);
	assert_non_null(strstr(what, "+fast"));
	assert_null(r.operator_name);
	assert_null(r.label);
	assert_int_equal(parse("1.1.1.1 AU APNIC +anycast +Anycast", &r, what, sizeof what),
	                 PW_EFLAG);
	assert_non_null(strstr(what, "+Anycast"));
	assert_int_equal(parse("1.1.1.1 AU APNIC +", &r, what, sizeof what), PW_EFLAG);
}

static void test_line_bad_country(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(parse("1.1.1.1 USA Op", &r, what, sizeof what), PW_ECOUNTRY);
	assert_non_null(strstr(what, "USA"));
	assert_int_equal(parse("1.1.1.1 U Op", &r, what, sizeof what), PW_ECOUNTRY);
	assert_int_equal(parse("1.1.1.1 U1 Op", &r, what, sizeof what), PW_ECOUNTRY);
	assert_int_equal(parse("1.1.1.1 12 Op", &r, what, sizeof what), PW_ECOUNTRY);
	assert_int_equal(parse("1.1.1.1 +a Op", &r, what, sizeof what), PW_ECOUNTRY);
}

static void test_line_missing_fields(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(parse("1.1.1.1", &r, what, sizeof what), PW_EFIELDS);
	assert_true(what[0] != '\0');
	assert_int_equal(parse("1.1.1.1 US", &r, what, sizeof what), PW_EFIELDS);
	assert_int_equal(parse("1.1.1.1 US # Google", &r, what, sizeof what), PW_EFIELDS);
	assert_null(r.operator_name);
}

static void test_line_bad_address(void **state)
{
	struct resolver r;
	char what[256];
	(void)state;
	assert_int_equal(parse("dns.google US Google", &r, what, sizeof what), PW_EADDR);
	assert_non_null(strstr(what, "dns.google"));
	assert_int_equal(parse("8.8.8.8:0 US Google", &r, what, sizeof what), PW_EPORT);
	assert_non_null(strstr(what, "8.8.8.8:0"));
	assert_int_equal(parse("8.8.8.8:65536 US Google", &r, what, sizeof what), PW_EPORT);
	assert_int_equal(parse("8.8.8.8:abc US Google", &r, what, sizeof what), PW_EPORT);
	assert_null(r.operator_name);
}

static void test_line_too_long(void **state)
{
	struct resolver r;
	char what[256];
	size_t n = 5000;
	char *line = malloc(n + 1);
	(void)state;
	assert_non_null(line);
	memcpy(line, "1.1.1.1 US Op ", 14);
	memset(line + 14, 'x', n - 14);
	line[n] = '\0';
	assert_int_equal(parse(line, &r, what, sizeof what), PW_ERANGE);
	free(line);
}

/* ---- reslist_load ----------------------------------------------------- */

static void test_load_good(void **state)
{
	struct reslist list;
	char err[512];
	(void)state;
	int rc = load_text("# header\n"
	                   "\n"
	                   "8.8.8.8  US Google +anycast Google primary\n"
	                   "   \n"
	                   "2001:4860:4860::8888 US Google +anycast Google v6   # trailing\n"
	                   "192.0.2.1:5353 zz lab local lab\n"
	                   "[2001:db8::1]:5353 ZZ lab\n"
	                   "9.9.9.9 CH Quad9", /* no newline at the end */
	                   &list, err, sizeof err, NULL, 0);
	assert_int_equal(rc, PW_OK);
	assert_string_equal(err, "");
	assert_int_equal(list.n, 5);
	assert_string_equal(list.v[0].host, "8.8.8.8");
	assert_int_equal(list.v[0].line, 3);
	assert_true(list.v[0].anycast);
	assert_string_equal(list.v[0].label, "Google primary");
	assert_int_equal(list.v[1].addr.sa.sa_family, AF_INET6);
	assert_string_equal(list.v[1].label, "Google v6");
	assert_int_equal(list.v[1].line, 5);
	assert_int_equal(list.v[2].port, 5353);
	assert_string_equal(list.v[2].country, "ZZ");
	assert_string_equal(list.v[3].host, "2001:db8::1");
	assert_int_equal(list.v[3].port, 5353);
	assert_string_equal(list.v[4].operator_name, "Quad9");
	assert_int_equal(list.v[4].line, 8);
	reslist_free(&list);
	assert_null(list.v);
	assert_int_equal(list.n, 0);
}

static void test_load_crlf(void **state)
{
	struct reslist list;
	char err[512];
	(void)state;
	int rc = load_text("# windows file\r\n"
	                   "\r\n"
	                   "8.8.8.8 US Google +anycast Google\r\n"
	                   "1.1.1.1 AU APNIC\r\n",
	                   &list, err, sizeof err, NULL, 0);
	assert_int_equal(rc, PW_OK);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[0].label, "Google");
	assert_true(list.v[0].anycast);
	assert_string_equal(list.v[1].operator_name, "APNIC");
	assert_string_equal(list.v[1].label, "");
	assert_int_equal(list.v[1].line, 4);
	reslist_free(&list);
}

static void expect_load_error(const char *text, int code, unsigned line, const char *needle)
{
	struct reslist list;
	char err[512], path[64], where[96];
	int rc = load_text(text, &list, err, sizeof err, path, sizeof path);
	if (rc != code)
		fail_msg("reslist_load rc %d, expected %d (err: %s)", rc, code, err);
	assert_null(list.v);
	assert_int_equal(list.n, 0);
	snprintf(where, sizeof where, "%s:%u:", path, line);
	if (strstr(err, where) == NULL)
		fail_msg("error \"%s\" does not name \"%s\"", err, where);
	if (needle != NULL && strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_load_errors_name_line(void **state)
{
	(void)state;
	expect_load_error("8.8.8.8 US Google\n# ok\n\nbogus US X\n", PW_EADDR, 4, "bogus");
	expect_load_error("8.8.8.8 US Google\n1.1.1.1 AUS APNIC\n", PW_ECOUNTRY, 2, "AUS");
	expect_load_error("1.1.1.1 AU\n", PW_EFIELDS, 1, NULL);
	expect_load_error("1.1.1.1:0 AU X\n", PW_EPORT, 1, NULL);
	expect_load_error("8.8.8.8 US Google\r\n1.1.1.1 AU APNIC +fast\r\n", PW_EFLAG, 2, "+fast");
}

static void test_load_duplicates(void **state)
{
	(void)state;
	expect_load_error("8.8.8.8 US Google\n1.1.1.1 AU APNIC\n8.8.8.8 US Google again\n", PW_EDUP,
	                  3, "line 1");
	/* The default port written out is the same endpoint. */
	expect_load_error("1.2.3.4 ZZ a\n1.2.3.4:53 ZZ b\n", PW_EDUP, 2, "1.2.3.4");
	/* IPv6 written two ways is the same address. */
	expect_load_error("2001:db8::1 ZZ a\n2001:0db8:0::1 ZZ b\n", PW_EDUP, 2, "2001:db8::1");
	expect_load_error("[2001:db8::1]:53 ZZ a\n2001:DB8:0:0:0:0:0:1 ZZ b\n", PW_EDUP, 2, NULL);
}

static void test_load_not_duplicates(void **state)
{
	struct reslist list;
	char err[512];
	(void)state;
	/* Same host on other ports, and v4 vs v4-mapped v6, are distinct. */
	int rc = load_text("1.2.3.4 ZZ a\n1.2.3.4:5353 ZZ b\n::ffff:1.2.3.4 ZZ c\n"
	                   "[2001:db8::1]:5353 ZZ d\n2001:db8::1 ZZ e\n",
	                   &list, err, sizeof err, NULL, 0);
	assert_int_equal(rc, PW_OK);
	assert_int_equal(list.n, 5);
	reslist_free(&list);
}

static void test_load_empty(void **state)
{
	struct reslist list;
	char err[512], path[64];
	(void)state;
	int rc = load_text("# nothing here\n\n   \n", &list, err, sizeof err, path, sizeof path);
	assert_int_equal(rc, PW_EEMPTY);
	assert_int_equal(list.n, 0);
	assert_non_null(strstr(err, path));
	rc = load_text("", &list, err, sizeof err, path, sizeof path);
	assert_int_equal(rc, PW_EEMPTY);
	assert_non_null(strstr(err, path));
}

static void test_load_missing_file(void **state)
{
	struct reslist list;
	char err[512];
	const char *path = "/nonexistent/propwatch/resolvers.txt";
	(void)state;
	memset(&list, 0xAA, sizeof list);
	int rc = reslist_load(path, &list, err, sizeof err);
	assert_int_equal(rc, PW_EIO);
	assert_null(list.v);
	assert_int_equal(list.n, 0);
	assert_non_null(strstr(err, path));
}

static void test_load_small_err_buffer(void **state)
{
	struct reslist list;
	char err[8];
	(void)state;
	memset(err, 'X', sizeof err);
	int rc = load_text("junk\n", &list, err, sizeof err, NULL, 0);
	assert_true(rc < 0);
	assert_true(memchr(err, '\0', sizeof err) != NULL);
}

static void test_load_long_line(void **state)
{
	struct reslist list;
	char err[512], path[64], where[96];
	size_t n = 6000;
	char *text = malloc(n + 64);
	(void)state;
	assert_non_null(text);
	strcpy(text, "8.8.8.8 US Google\n1.1.1.1 AU APNIC ");
	size_t l = strlen(text);
	memset(text + l, 'x', n);
	strcpy(text + l + n, "\n9.9.9.9 CH Quad9\n");
	int rc = load_text(text, &list, err, sizeof err, path, sizeof path);
	free(text);
	assert_int_equal(rc, PW_ERANGE);
	assert_null(list.v);
	snprintf(where, sizeof where, "%s:2:", path);
	assert_non_null(strstr(err, where));
}

/* ---- reslist_apply ---------------------------------------------------- */

static const char filter_list[] = "8.8.8.8 US Google +anycast g4\n"
                                  "2001:4860:4860::8888 US Google +anycast g6\n"
                                  "1.1.1.1 AU APNIC +anycast c4\n"
                                  "2606:4700:4700::1111 US Cloudflare +anycast c6\n"
                                  "9.9.9.9 CH Quad9 +anycast q4\n"
                                  "192.0.2.1 de SomeISP isp\n"
                                  "192.0.2.2 DE OtherISP isp2\n";

static void load_filter_list(struct reslist *list)
{
	char err[512];
	assert_int_equal(load_text(filter_list, list, err, sizeof err, NULL, 0), PW_OK);
	assert_int_equal(list->n, 7);
}

static void assert_labels(const struct reslist *list, const char *const *labels, size_t n)
{
	assert_int_equal(list->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(list->v[i].label, labels[i]);
}

static void test_apply_none(void **state)
{
	struct reslist list;
	struct reslist_filter f;
	(void)state;
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	reslist_apply(&list, &f);
	assert_int_equal(list.n, 7);
	assert_string_equal(list.v[6].label, "isp2");
	reslist_free(&list);
}

static void test_apply_country(void **state)
{
	struct reslist list;
	struct reslist_filter f;
	const char *cc[] = { "de", "Ch" };
	const char *want[] = { "q4", "isp", "isp2" };
	(void)state;
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	f.countries = cc;
	f.ncountries = 2;
	reslist_apply(&list, &f);
	assert_labels(&list, want, 3);
	reslist_free(&list);
}

static void test_apply_operator(void **state)
{
	struct reslist list;
	struct reslist_filter f;
	const char *op[] = { "GOOGLE", "cloudflare" };
	const char *want[] = { "g4", "g6", "c6" };
	(void)state;
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	f.operators = op;
	f.noperators = 2;
	reslist_apply(&list, &f);
	assert_labels(&list, want, 3);
	reslist_free(&list);
}

static void test_apply_family(void **state)
{
	struct reslist list;
	struct reslist_filter f;
	const char *want6[] = { "g6", "c6" };
	const char *want4[] = { "g4", "c4", "q4", "isp", "isp2" };
	(void)state;
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	f.family = AF_INET6;
	reslist_apply(&list, &f);
	assert_labels(&list, want6, 2);
	reslist_free(&list);

	load_filter_list(&list);
	f.family = AF_INET;
	reslist_apply(&list, &f);
	assert_labels(&list, want4, 5);
	reslist_free(&list);
}

static void test_apply_limit_and_combined(void **state)
{
	struct reslist list;
	struct reslist_filter f;
	const char *cc[] = { "US" };
	const char *want_limit[] = { "g4", "g6", "c4" };
	const char *want_comb[] = { "g4" };
	(void)state;
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	f.limit = 3;
	reslist_apply(&list, &f);
	assert_labels(&list, want_limit, 3);
	reslist_free(&list);

	/* The limit counts resolvers that pass the other filters. */
	load_filter_list(&list);
	f.limit = 1;
	f.countries = cc;
	f.ncountries = 1;
	f.family = AF_INET;
	reslist_apply(&list, &f);
	assert_labels(&list, want_comb, 1);
	reslist_free(&list);

	/* A limit larger than the list keeps everything. */
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	f.limit = 100;
	reslist_apply(&list, &f);
	assert_int_equal(list.n, 7);
	reslist_free(&list);
}

static void test_apply_nothing_left(void **state)
{
	struct reslist list;
	struct reslist_filter f;
	const char *cc[] = { "JP" };
	(void)state;
	load_filter_list(&list);
	memset(&f, 0, sizeof f);
	f.countries = cc;
	f.ncountries = 1;
	reslist_apply(&list, &f);
	assert_int_equal(list.n, 0);
	reslist_free(&list); /* must not leak the filtered-out entries */
	assert_null(list.v);
}

/* ---- the shipped list ------------------------------------------------- */

static void test_shipped_list(void **state)
{
	struct reslist list;
	char err[512];
	char countries[400][3];
	size_t ncountries = 0, v4 = 0, v6 = 0;
	(void)state;
	int rc = reslist_load("resolvers.txt", &list, err, sizeof err);
	if (rc != PW_OK)
		fail_msg("resolvers.txt does not load: %s", err);
	assert_true(list.n >= 100);
	for (size_t i = 0; i < list.n; i++) {
		const struct resolver *r = &list.v[i];
		size_t k;
		if (r->addr.sa.sa_family == AF_INET)
			v4++;
		else if (r->addr.sa.sa_family == AF_INET6)
			v6++;
		assert_int_equal(strlen(r->country), 2);
		assert_non_null(r->operator_name);
		assert_true(r->operator_name[0] != '\0');
		for (k = 0; k < ncountries; k++)
			if (strcmp(countries[k], r->country) == 0)
				break;
		if (k == ncountries && ncountries < sizeof countries / sizeof countries[0])
			memcpy(countries[ncountries++], r->country, 3);
	}
	assert_true(v4 > 0);
	assert_true(v6 > 0);
	assert_int_equal(v4 + v6, list.n);
	if (ncountries < 30)
		fail_msg("resolvers.txt covers %zu countries, want at least 30", ncountries);
	reslist_free(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_ipv4),
		cmocka_unit_test(test_addr_ipv4_port),
		cmocka_unit_test(test_addr_ipv6),
		cmocka_unit_test(test_addr_ipv6_port),
		cmocka_unit_test(test_addr_bad_port),
		cmocka_unit_test(test_addr_bad_address),
		cmocka_unit_test(test_addr_ambiguous_v6),
		cmocka_unit_test(test_addrstr),
		cmocka_unit_test(test_line_full),
		cmocka_unit_test(test_line_minimal),
		cmocka_unit_test(test_line_ports_and_v6),
		cmocka_unit_test(test_line_blank_and_comments),
		cmocka_unit_test(test_line_label_whitespace),
		cmocka_unit_test(test_line_flags),
		cmocka_unit_test(test_line_bad_country),
		cmocka_unit_test(test_line_missing_fields),
		cmocka_unit_test(test_line_bad_address),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_crlf),
		cmocka_unit_test(test_load_errors_name_line),
		cmocka_unit_test(test_load_duplicates),
		cmocka_unit_test(test_load_not_duplicates),
		cmocka_unit_test(test_load_empty),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_small_err_buffer),
		cmocka_unit_test(test_load_long_line),
		cmocka_unit_test(test_apply_none),
		cmocka_unit_test(test_apply_country),
		cmocka_unit_test(test_apply_operator),
		cmocka_unit_test(test_apply_family),
		cmocka_unit_test(test_apply_limit_and_combined),
		cmocka_unit_test(test_apply_nothing_left),
		cmocka_unit_test(test_shipped_list),
	};
	return cmocka_run_group_tests_name("reslist", tests, NULL, NULL);
}
