/*
 * lazylib.h -- load a large shared library at its first use.
 *
 * libcurl (for --via) and cairo (for timeline) bring some fifty libraries
 * with them; loading them and running their constructors cost about 10 ms
 * per start on a 2-core machine, which every `check` paid without using
 * either. The binary is linked without them: the one module that calls a
 * library (http.c, timeline_draw.c) names its functions in a table, and
 * lazylib_open() resolves them all with dlopen/dlsym when it is first
 * needed. The headers still give the prototypes, so the calls stay typed.
 */
#ifndef PW_LAZYLIB_H
#define PW_LAZYLIB_H

#include <stddef.h>

struct lazysym {
	const char *name; /* the library's symbol */
	void **fn;        /* where its address goes */
};

struct lazylib {
	const char *soname;  /* e.g. "libcurl.so.4": the ABI we were built for */
	const char *package; /* the Debian package that has it, for the message */
	const struct lazysym *syms;
	size_t n;
	int tried;     /* lazylib_open() has run (under its lock) */
	int rc;        /* PW_OK once every symbol is resolved */
	char why[256]; /* else what went wrong, for the user */
};

#define LAZYLIB_INIT(so, pkg, table)                                               \
	{                                                                          \
		(so), (pkg), (table), sizeof(table) / sizeof((table)[0]), 0, 0, "" \
	}

/*
 * For a module's list of the functions it calls, written as
 * #define LIST(X, v) X(v, fn_one) X(v, fn_two) ...: a struct `fns` of
 * pointers typed by the library's own prototypes, and `lib`, the lazylib
 * that fills it. The module then routes each call, e.g.
 * #define fn_one fns.fn_one.
 */
#define LAZYLIB_MEMBER_(v, f) __typeof__(f) *f;
#define LAZYLIB_SYM_(v, f)    { #f, (void **)&v.f },
#define LAZYLIB_DEFINE(LIST, fns, lib, so, pkg)                                 \
	static struct {                                                         \
		LIST(LAZYLIB_MEMBER_, fns)                                      \
	} fns;                                                                  \
	static const struct lazysym fns##_syms[] = { LIST(LAZYLIB_SYM_, fns) }; \
	static struct lazylib lib = LAZYLIB_INIT(so, pkg, fns##_syms)

/* Load l (once; safe from any thread): PW_OK, or PW_ELIB with l->why. */
int lazylib_open(struct lazylib *l);

#endif
