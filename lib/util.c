/*
 * Small helpers: bounded number parsing, time, identifiers and durable
 * files.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

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

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's civil-date algorithms): UTC without gmtime_r() and timegm(),
 * which not every C library has. Out-of-range days and months carry over as
 * timegm() does.
 */
long long
days_from_civil(long long y, long long m, long long d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
time_utc(long long sec, struct utc *u)
{
	long long z = (sec >= 0 ? sec : sec - 86399) / 86400;
	long long s = sec - z * 86400;

	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;

	u->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	u->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	u->year = (int)(yoe + era * 400 + (u->month <= 2));
	u->hour = (int)(s / 3600);
	u->min = (int)(s / 60 % 60);
	u->sec = (int)(s % 60);
}

/* Formats t as ISO-8601 UTC with milliseconds: 2026-11-21T12:00:00.123Z. */
void
time_iso(double t, char out[32])
{
	long long	 sec = (long long)floor(t);
	int		 ms = (int)llround((t - (double)sec) * 1000.0);
	struct utc	 u;

	if (ms >= 1000) {
		sec++;
		ms -= 1000;
	}
	time_utc(sec, &u);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", u.year % 10000, u.month % 100,
	    u.day % 100, u.hour % 100, u.min % 100, u.sec % 100, ms % 1000);
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
	*out = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) + frac;
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

/*
 * mkdir -p. Returns 1 or -1 with errno set. '\\' separates folders too (on
 * Windows), and a drive ("C:") is not made.
 */
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
		if ((*p != '/' && *p != '\\') || p[-1] == ':' || p[-1] == '/' || p[-1] == '\\')
			continue;
		char c = *p;
		*p = '\0';
		if (os_mkdir(tmp, mode) < 0)
			return -1;
		*p = c;
	}
	return os_mkdir(tmp, mode) < 0 ? -1 : 1;
}

/*
 * Reads a whole file of at most max bytes into out. Returns 1, 0 when the
 * file is larger than max, or -1 with errno set.
 */
int
file_read(const char *path, size_t max, struct buf *out)
{
	char		 chunk[65536];
	int		 fd, rc = 1;
	long long	 r;

	if ((fd = os_open(path, OS_RDONLY, 0)) < 0)
		return -1;
	while ((r = os_read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			rc = -1;
			break;
		}
		if (out->len + (size_t)r > max) {
			rc = 0;
			break;
		}
		if (buf_add(out, chunk, (size_t)r) < 0) {
			errno = ENOMEM;
			rc = -1;
			break;
		}
	}
	int saved = errno;
	os_close(fd);
	errno = saved;
	return rc;
}

/*
 * Writes all n bytes to fd, retrying short writes. Returns 1 or -1 with
 * errno set.
 */
int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		long long w = os_write(fd, c, n);
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 1;
}

/*
 * Writes a file so that it survives a crash: a temporary name, fsync, rename
 * and a sync of the directory. Returns 1 or -1 with errno set.
 */
int
file_write_durable(const char *dir, const char *name, const void *p, size_t n)
{
	char		 tmp[PATH_MAX], dst[PATH_MAX];
	int		 fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = os_open(tmp, OS_WRONLY | OS_CREAT | OS_TRUNC, 0644)) < 0)
		return -1;
	if (write_all(fd, p, n) < 0 || os_fsync(fd) < 0) {
		saved = errno;
		os_close(fd);
		os_unlink(tmp);
		errno = saved;
		return -1;
	}
	os_close(fd);
	if (os_rename(tmp, dst) < 0) {
		saved = errno;
		os_unlink(tmp);
		errno = saved;
		return -1;
	}
	os_sync_dir(dir);
	return 1;
}
