/*
 * vantage_json.c -- what both networks' JSON has in common: error
 * envelopes, private resolver addresses, freeing results, loading a body.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vantage_int.h"
#include "vantage_json.h"

json_t *vantage_json_load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (root == NULL)
		snprintf(err, errlen, "not JSON: %.40s (line %d)", body ? je.text : "empty",
		         body ? je.line : 0);
	return root;
}

void vantage_results_free(struct vantage_result *r, size_t n)
{
	for (size_t i = 0; r != NULL && i < n; i++)
		answer_free(&r[i].ans);
	free(r);
}

/* Append text to buf (len bytes) after a separator when buf has some. */
static void append(char *buf, size_t len, const char *sep, const char *text)
{
	size_t o = strlen(buf);
	char t[256];
	if (text == NULL || *text == '\0' || o + 1 >= len)
		return;
	vantage_text(t, sizeof t, text);
	snprintf(buf + o, len - o, "%s%s", o ? sep : "", t);
}

int vantage_decode_error(const char *body, size_t len, char *kind, size_t klen, char *msg,
                         size_t mlen)
{
	json_t *root = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	json_t *e = json_object_get(root, "error");

	kind[0] = msg[0] = '\0';
	if (!json_is_object(e)) {
		/* Atlas also answers some errors with {"detail": "..."} alone. */
		const char *d = json_string_value(json_object_get(root, "detail"));
		if (d != NULL)
			append(msg, mlen, "; ", d);
		json_decref(root);
		return d != NULL ? PW_OK : PW_EMALFORMED;
	}
	const char *type = json_string_value(json_object_get(e, "type"));
	append(kind, klen, "", type ? type : json_string_value(json_object_get(e, "title")));
	append(msg, mlen, "; ", json_string_value(json_object_get(e, "message")));
	append(msg, mlen, "; ", json_string_value(json_object_get(e, "detail")));
	json_t *errs = json_object_get(e, "errors");
	for (size_t i = 0; json_is_array(errs) && i < json_array_size(errs) && i < 8; i++)
		append(msg, mlen, "; ",
		       json_string_value(json_object_get(json_array_get(errs, i), "detail")));
	json_decref(root);
	return PW_OK;
}

bool vantage_private_resolver(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (s == NULL)
		return false;
	if (strcmp(s, "private") == 0)
		return true;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		uint32_t a = ntohl(a4.s_addr);
		return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) ||
		       (a >> 16) == (192u << 8 | 168) || (a >> 24) == 127 ||
		       (a >> 16) == (169u << 8 | 254) ||
		       (a >> 22) == (100u << 2 | 1); /* 100.64.0.0/10, CGNAT */
	}
	if (inet_pton(AF_INET6, s, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || IN6_IS_ADDR_LINKLOCAL(&a6) ||
		       (a6.s6_addr[0] & 0xfe) == 0xfc; /* fc00::/7, ULA */
	return false;
}
