/*
 * libFuzzer harness for the client's spool reader: the bytes are a segment
 * file. They go through spool_parse() in memory, then through the real
 * path: written as the newest segment of a spool, opened (which checks and
 * cuts a bad tail), read back in full, acknowledged and appended to.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[256];

/* Removes what path holds (files and directories below it), not path. */
static void
clean(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	char		 p[512];

	if ((d = opendir(path)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (unlink(p) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM)
			abort();
		clean(p);
		if (rmdir(p) < 0)
			abort();
	}
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct spool		*sp = NULL;
	struct spool_rec	*r = NULL;
	struct buf		 err = { 0 };
	size_t			 good, count, got;
	long long		 first, last, seq;

	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/fuzz_client_spool.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		log_init("fuzz_client_spool", 1, LOG_LVL_ERR);
	}
	spool_parse(p, n, &good, &first, &last, &count);
	if (good > n || (count > 0 && last < first))
		abort();
	clean(dir);
	if (file_write_durable(dir, "00000000000000000001.spool", p, n) < 0)
		abort();
	if (spool_open(&sp, dir, 1 << 20, &err) == 1) {
		while (spool_read(sp, 10, 1 << 20, &r, &got) == 1 && got > 0) {
			if (spool_ack(sp, r[got - 1].seq) < 0)
				abort();
			spool_recs_free(r, got);
		}
		seq = spool_next_seq(sp);
		if (spool_pending(sp) != 0)
			abort();
		if (spool_append(sp, "x", 1, &seq) == 0)
			abort();	/* the next seq must be accepted */
		spool_close(sp);
	}
	buf_free(&err);
	return 0;
}
