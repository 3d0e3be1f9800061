/*
 * Escaping writers, one per output context: HTML text and quoted
 * attributes, XML text and attributes, URL components, JSON strings inside
 * <script>, CSV fields and log lines. Each appends to a buffer; -1 means out of memory.
 */
#include <stdio.h>
#include <string.h>

#include "trackside.h"

int
esc_html(struct buf *b, const char *s, size_t n)
{
	size_t	 i, start = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buf_add(b, s + start, i - start) < 0 || buf_puts(b, rep) < 0)
			return -1;
		start = i + 1;
	}
	return buf_add(b, s + start, n - start);
}

/*
 * XML 1.0 character data or a quoted attribute value: what esc_html escapes,
 * and the control characters XML cannot carry at all (not even as
 * references: everything below 0x20 but tab, newline and carriage return)
 * written as '?'. Returns 1, or -1 out of memory.
 */
int
esc_xml(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (esc_html(b, s + start, i - start) < 0 || buf_putc(b, '?') < 0)
			return -1;
		start = i + 1;
	}
	return esc_html(b, s + start, n - start) < 0 ? -1 : 1;
}

int
esc_url(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
			if (buf_putc(b, c) < 0)
				return -1;
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
			if (buf_add(b, enc, 3) < 0)
				return -1;
		}
	}
	return 1;
}

/*
 * A JSON string body (without quotes) that is also safe inside <script>:
 * <, >, & and the JavaScript line separators are written as \u escapes.
 */
int
esc_json(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		switch (c) {
		case '"': rc = buf_puts(b, "\\\""); break;
		case '\\': rc = buf_puts(b, "\\\\"); break;
		case '\n': rc = buf_puts(b, "\\n"); break;
		case '\r': rc = buf_puts(b, "\\r"); break;
		case '\t': rc = buf_puts(b, "\\t"); break;
		case '<': case '>': case '&':
			rc = buf_printf(b, "\\u%04x", c);
			break;
		default:
			if (c < 0x20)
				rc = buf_printf(b, "\\u%04x", c);
			else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
				rc = buf_printf(b, "\\u%04x", 0x2000 | ((unsigned char)s[i + 2] - 0x80));
				i += 2;
			} else
				rc = buf_putc(b, c);
		}
		if (rc < 0)
			return -1;
	}
	return 1;
}

/*
 * A CSV field, quoted when it holds a separator, quote or line break. A
 * leading =, +, - or @ is prefixed with ' so spreadsheets do not run it.
 */
int
esc_csv(struct buf *b, const char *s, size_t n)
{
	int quote = n && strpbrk(s, ",\"\r\n") != NULL;

	if (n && memchr("=+-@", s[0], 4) != NULL && !(s[0] == '-' && n > 1 && s[1] >= '0' && s[1] <= '9'))
		quote = 1;
	if (!quote)
		return buf_add(b, s, n);
	if (buf_putc(b, '"') < 0)
		return -1;
	if (n && memchr("=+-@", s[0], 4) != NULL && buf_putc(b, '\'') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' && buf_putc(b, '"') < 0)
			return -1;
		if (buf_putc(b, s[i]) < 0)
			return -1;
	}
	return buf_putc(b, '"');
}

/*
 * Copies src into dst with control characters and backslashes written as
 * escapes, truncating to dstsz. Returns the length written.
 */
size_t
esc_log(char *dst, size_t dstsz, const char *src, size_t len)
{
	size_t	 o = 0;

	if (dstsz == 0)
		return 0;
	for (size_t i = 0; i < len && o + 5 < dstsz; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(dst + o, dstsz - o, "\\x%02x", c);
		} else if (c == '\\') {
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return o;
}
