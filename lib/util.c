/*
 * Small helpers: bounded number parsing, time, identifiers and durable
 * files.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trackside.h"

/*
 * Parses a whole decimal integer in [min, max]. Returns 1, or 0 when s is
 * not such a number.
 */
int
num_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || *s == ' ')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/*
 * Converts a number read from JSON (a double) to an integer, truncating
 * toward zero, when the result lies in [min, max]: NaN, infinities and
 * numbers out of range, whose conversion C leaves undefined, return 0 and
 * leave *out alone. Returns 1 or 0.
 */
int
num_to_ll(double d, long long min, long long max, long long *out)
{
	long long v;

	/* (double)max + 1 is at most 2^63: below it the conversion is defined. */
	if (d != d || d <= (double)min - 1.0 || d >= (double)max + 1.0)
		return 0;
	v = (long long)d;
	if (v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/*
 * Parses a whole finite decimal number in [min, max]. Returns 1 or 0.
 */
int
num_parse_d(const char *s, double min, double max, double *out)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0' || *s == ' ')
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/* Wall-clock seconds since the epoch. */
double
time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Monotonic seconds, for intervals. */
double
time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Formats t as ISO-8601 UTC with milliseconds: 2026-11-21T12:00:00.123Z. */
void
time_iso(double t, char out[32])
{
	time_t		 sec = (time_t)floor(t);
	int		 ms = (int)llround((t - (double)sec) * 1000.0);
	struct tm	 tm;

	if (ms >= 1000) {
		sec++;
		ms -= 1000;
	}
	gmtime_r(&sec, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
	    (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	    tm.tm_sec % 100, ms % 1000);
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * Parses YYYY-MM-DD[(T| )HH:MM:SS[.fff...]][Z]. Returns 1 and the epoch
 * seconds, or 0 when s is not such a time.
 */
int
time_iso_parse(const char *s, double *out)
{
	struct tm	 tm;
	int		 y, mo, d, h = 0, mi = 0, sec = 0;
	double		 frac = 0, scale = 0.1;
	const char	*p;

	if ((y = digits(s, 4)) < 0 || s[4] != '-' || (mo = digits(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 0)
		return 0;
	p = s + 10;
	if (*p == 'T' || *p == ' ') {
		if ((h = digits(p + 1, 2)) < 0 || p[3] != ':' || (mi = digits(p + 4, 2)) < 0 ||
		    p[6] != ':' || (sec = digits(p + 7, 2)) < 0)
			return 0;
		p += 9;
		if (*p == '.') {
			if (p[1] < '0' || p[1] > '9')
				return 0;
			for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
				frac += (*p - '0') * scale;
		}
		if (*p == 'Z')
			p++;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (double)timegm(&tm) + frac;
	return 1;
}

/* Fills p with n random bytes from the kernel. Returns 1 or -1. */
int
rand_bytes(void *p, size_t n)
{
	unsigned char	*c = p;

	while (n > 0) {
		ssize_t r = getrandom(c, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 1;
}

/* Writes 2n lowercase hex digits and a NUL to out. */
void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * A time-ordered identifier (UUIDv7 layout) as 32 hex digits. Returns 1 or -1.
 */
int
uuid7(char out[33])
{
	unsigned char	 u[16];
	uint64_t	 ms = (uint64_t)(time_now() * 1000.0);

	if (rand_bytes(u, sizeof(u)) < 0)
		return -1;
	for (int i = 0; i < 6; i++)
		u[i] = (unsigned char)(ms >> (40 - 8 * i));
	u[6] = (unsigned char)(0x70 | (u[6] & 0x0f));
	u[8] = (unsigned char)(0x80 | (u[8] & 0x3f));
	hex_encode(u, sizeof(u), out);
	return 1;
}

/*
 * Whether s is an identifier of min..max characters of [A-Za-z0-9_-].
 */
int
id_valid(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= max)
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return n >= min;
}

/* mkdir -p. Returns 1 or -1 with errno set. */
int
mkdir_p(const char *path, unsigned mode)
{
	char	 tmp[PATH_MAX];
	size_t	 n = strlen(path);

	if (n == 0 || n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 1;
}

/*
 * Reads a whole file of at most max bytes into out. Returns 1, 0 when the
 * file is larger than max, or -1 with errno set.
 */
int
file_read(const char *path, size_t max, struct buf *out)
{
	char	 chunk[65536];
	int	 fd;
	ssize_t	 r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (out->len + (size_t)r > max) {
			close(fd);
			return 0;
		}
		if (buf_add(out, chunk, (size_t)r) < 0) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
	}
	close(fd);
	return 1;
}

/*
 * Writes all n bytes to fd, retrying short writes and EINTR. Returns 1 or
 * -1 with errno set.
 */
int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 1;
}

/*
 * Writes a file so that it survives a crash: a temporary name, fsync, rename
 * and fsync of the directory. Returns 1 or -1 with errno set.
 */
int
file_write_durable(const char *dir, const char *name, const void *p, size_t n)
{
	char		 tmp[PATH_MAX], dst[PATH_MAX];
	int		 fd, dfd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write_all(fd, p, n) < 0 || fsync(fd) < 0)
		goto fail;
	close(fd);
	if (rename(tmp, dst) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 1;
fail:
	saved = errno;
	close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}
