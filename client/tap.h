/*
 * TAP for the client's C tests (tests/t_client_*.c): ok(cond, name) and a plan printed at the
 * end. Each test function checks one behaviour and is named for it.
 */
#ifndef CLIENT_TAP_H
#define CLIENT_TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static int
tap_ok(int cond, const char *name, const char *file, int line)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		printf("#   failed at %s:%d\n", file, line);
		tap_failed++;
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok((cond) != 0, (name), __FILE__, __LINE__)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
