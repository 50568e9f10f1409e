/*
 * lazylib.c -- load a large shared library at its first use: see lazylib.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "error.h"
#include "lazylib.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int load(struct lazylib *l)
{
	/* RTLD_NODELETE: the process keeps the library to the end, as it
	 * would a linked one (libcurl's global state outlives any handle). */
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (h == NULL) {
		snprintf(l->why, sizeof l->why, "cannot load %s (install %s): %s", l->soname,
		         l->package, dlerror());
		return PW_ELIB;
	}
	for (size_t i = 0; i < l->n; i++) {
		dlerror();
		void *f = dlsym(h, l->syms[i].name);
		if (f == NULL) {
			snprintf(l->why, sizeof l->why,
			         "%s has no %s: too old (install a newer %s)", l->soname,
			         l->syms[i].name, l->package);
			return PW_ELIB;
		}
		*l->syms[i].fn = f;
	}
	return PW_OK;
}

int lazylib_open(struct lazylib *l)
{
	pthread_mutex_lock(&lock);
	if (!l->tried) {
		l->rc = load(l);
		l->tried = 1;
	}
	int rc = l->rc;
	pthread_mutex_unlock(&lock);
	return rc;
}
