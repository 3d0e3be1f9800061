/*
 * gzip in and out of buffers, with a cap on what inflating may produce (a
 * small body must not become gigabytes).
 */
#include <string.h>
#include <zlib.h>

#include "trackside.h"

int
gz_is_gzip(const void *in, size_t len)
{
	const unsigned char *p = in;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/*
 * Inflates a gzip stream (several members allowed) into out. Returns GZ_OK,
 * GZ_BAD when the input is not valid gzip, GZ_TOO_LARGE when it would
 * inflate past max bytes, GZ_ERR when memory runs out.
 */
enum gz_result
gz_inflate(const void *in, size_t len, size_t max, struct buf *out)
{
	z_stream	 zs;
	unsigned char	 chunk[65536];
	int		 rc = Z_OK;
	enum gz_result	 ret = GZ_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -1;
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	while (zs.avail_in > 0 || rc != Z_STREAM_END) {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			ret = rc == Z_MEM_ERROR ? GZ_ERR : GZ_BAD;
			break;
		}
		size_t got = sizeof(chunk) - zs.avail_out;
		if (out->len + got > max) {
			ret = GZ_TOO_LARGE;
			break;
		}
		if (buf_add(out, chunk, got) < 0) {
			ret = GZ_ERR;
			break;
		}
		if (rc == Z_STREAM_END) {
			if (zs.avail_in == 0)
				break;
			if (inflateReset(&zs) != Z_OK) {
				ret = GZ_BAD;
				break;
			}
			rc = Z_OK;
		} else if (got == 0 && zs.avail_in == 0) {
			ret = GZ_BAD;	/* truncated stream */
			break;
		}
	}
	inflateEnd(&zs);
	return ret;
}

/*
 * Compresses in as one gzip member into out. Returns 1 or -1.
 */
int
gz_deflate(const void *in, size_t len, int level, struct buf *out)
{
	z_stream	 zs;
	int		 rc;
	uLong		 bound;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&zs, (uLong)len) + 32;
	if (buf_grow(out, bound) < 0) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (unsigned char *)out->p + out->len;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END) {
		deflateEnd(&zs);
		return -1;
	}
	out->len += zs.total_out;
	out->p[out->len] = '\0';
	deflateEnd(&zs);
	return 1;
}
