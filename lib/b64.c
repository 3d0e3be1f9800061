/*
 * Base64 (RFC 4648, with padding): the raw bytes a frame or a recording
 * carries inside JSON.
 */
#include <string.h>

#include "trackside.h"

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Appends the base64 of n bytes at p to b. Returns 1 or -1.
 */
int
b64_encode(struct buf *b, const void *p, size_t n)
{
	const unsigned char	*s = p;
	char			*o;
	size_t			 i;

	if (buf_grow(b, (n + 2) / 3 * 4 + 1) < 0)
		return -1;
	o = b->p + b->len;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		*o++ = b64_chars[v >> 18];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = b64_chars[(v >> 6) & 63];
		*o++ = b64_chars[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0);
		*o++ = b64_chars[v >> 18];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64_chars[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return 1;
}

static int
b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Appends the bytes of the base64 text s (n characters, padded to a
 * multiple of 4) to b. Returns 1, 0 when s is not base64 (b is left as it
 * was), -1 when memory runs out.
 */
int
b64_decode(struct buf *b, const char *s, size_t n)
{
	size_t	 start = b->len, pad = 0;

	if (n % 4 != 0)
		return 0;
	if (n > 0 && s[n - 1] == '=')
		pad = n > 1 && s[n - 2] == '=' ? 2 : 1;
	if (buf_grow(b, n / 4 * 3 + 1) < 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			v[k] = b64_val((unsigned char)s[i + k]);
			if (v[k] < 0 && !(i + 4 == n && k >= 4 - (int)pad)) {
				b->len = start;
				b->p[start] = '\0';
				return 0;
			}
			if (v[k] < 0)
				v[k] = 0;
		}
		unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
		    (unsigned)v[3];
		b->p[b->len++] = (char)(x >> 16);
		b->p[b->len++] = (char)(x >> 8);
		b->p[b->len++] = (char)x;
	}
	b->len -= pad;
	b->p[b->len] = '\0';
	return 1;
}
