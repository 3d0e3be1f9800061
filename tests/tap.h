/*
 * A tiny TAP producer for the C tests: plan, ok, skip, done. No framework.
 *
 *	tap_plan(3);
 *	ok(x == 1, "x is one");
 *	...
 *	return tap_done();
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mingw-w64: the C99 printf it builds with is gnu_printf, not msvcrt's */
#ifdef __MINGW32__
#define TAP_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#else
#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#endif

static int tap_n, tap_failed, tap_planned;

static inline void
tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

TAP_PRINTF(2, 3) static inline int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

TAP_PRINTF(1, 2) static inline void
skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d # SKIP ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Whether a test that needs ../shared/data must fail without it (CI sets it). */
static inline int
tap_require_data(void)
{
	const char *e = getenv("TRACKSIDE_REQUIRE_DATA");

	return e != NULL && *e != '\0' && strcmp(e, "0") != 0;
}

/* A skip for want of ../shared/data: a failure when TRACKSIDE_REQUIRE_DATA is set. */
TAP_PRINTF(1, 2) static inline void
skip_data(const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tap_require_data())
		ok(0, "%s (TRACKSIDE_REQUIRE_DATA is set)", msg);
	else
		skip("%s", msg);
}

/* A whole test that needs ../shared/data, without it: returns main's exit status. */
static inline int
skip_all_data(const char *why)
{
	if (tap_require_data()) {
		printf("Bail out! %s (TRACKSIDE_REQUIRE_DATA is set)\n", why);
		return 1;
	}
	printf("1..0 # SKIP %s\n", why);
	return 0;
}

TAP_PRINTF(1, 2) static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Ends the test: prints the plan when none was given first. */
static inline int
tap_done(void)
{
	if (tap_planned == 0)
		printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

static inline int
tap_is_int(long long a, long long b)
{
	if (a == b)
		return 1;
	diag("  got %lld, expected %lld", a, b);
	return 0;
}
#define is_int(a, b, ...) ok(tap_is_int((long long)(a), (long long)(b)), __VA_ARGS__)
static inline int
tap_is_str(const char *a, const char *b)
{
	if (a != NULL && strcmp(a, b) == 0)
		return 1;
	diag("  got \"%s\", expected \"%s\"", a ? a : "(null)", b);
	return 0;
}
#define is_str(a, b, ...) ok(tap_is_str((a), (b)), __VA_ARGS__)

#endif
