/*
 * libFuzzer harness for the inbox segment reader (lib/inbox.c): the input
 * is a segment file, read once as the segment of a running writer and once
 * as one whose writer is gone. Every record handed out lies inside the file
 * and after the one before it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trackside.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 dir[64];
static struct inbox_reader *reader;

/* Removes the files of dir/sub. */
static void
clean(const char *sub)
{
	char		 p[PATH_MAX];
	DIR		*d;
	struct dirent	*de;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	if ((d = opendir(p)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, de->d_name);
		unlink(p);
	}
	closedir(d);
}

static void
teardown(void)
{
	char p[PATH_MAX];

	clean("seg");
	clean("rejected");
	inbox_reader_free(reader);
	snprintf(p, sizeof(p), "%s/seg", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/rejected", dir);
	rmdir(p);
	rmdir(dir);
}

static void
check(const uint8_t *data, size_t size, int alive)
{
	char		 p[PATH_MAX];
	int		 fd, n;

	/* The pid in the name says whether the writer runs: ours, or none. */
	snprintf(p, sizeof(p), "%s/seg/0000000000000001-%ld.seg", dir, alive ? (long)getpid() : 2147483646L);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || write_all(fd, data, size) < 0)
		abort();
	close(fd);
	if ((n = inbox_read(reader, inbox_pos_zero, NULL, 1000, 64u << 20)) < 0)
		abort();
	for (int i = 0; i < n; i++) {
		const struct inbox_rec *r = &reader->recs[i];
		if (r->end > (long long)size || r->off >= r->end ||
		    (i > 0 && r->off != reader->recs[i - 1].end) ||
		    r->at + r->len > reader->data.len || r->body[r->len] != '\0')
			__builtin_trap();
	}
	if (inbox_pending(dir, inbox_pos_zero, NULL) < n)
		__builtin_trap();
	clean("seg");
	clean("rejected");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (reader == NULL) {
		log_init("fuzz_inbox", 1, LOG_LVL_ERR);
		snprintf(dir, sizeof(dir), "%s/fuzz_inbox.XXXXXX", "/tmp");
		if (mkdtemp(dir) == NULL || inbox_reader_open(&reader, dir) < 0)
			abort();
		atexit(teardown);
	}
	check(data, size, 1);
	check(data, size, 0);
	return 0;
}
