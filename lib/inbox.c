/*
 * The inbox: frames accepted by trackside-fcgi wait here, durable, until
 * trackside-ingestd has applied them. One file per frame in new/, named
 * "<client>.<seq>", so a second copy of a (client, seq) cannot be stored
 * (link(2) refuses it) and a crash anywhere loses nothing: a frame is
 * acknowledged only after its file and directory entry reached the disk, and
 * removed only after the database committed it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trackside.h"

/*
 * Creates the inbox directories. Returns 1 or -1 with errno set.
 */
int
inbox_init(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/new", dir);
	if (mkdir_p(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/tmp", dir);
	return mkdir_p(p, 0755);
}

static int
inbox_fsync_dir(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Stores one frame durably. client must be a valid client id. Returns 1
 * when stored, 0 when this (client, seq) is already in the inbox, -1 on a
 * system error (errno set).
 */
int
inbox_put(const char *dir, const char *client, long long seq, const void *p, size_t n)
{
	static unsigned long	 counter;
	char			 tmp[PATH_MAX], dst[PATH_MAX], nd[PATH_MAX];
	int			 fd, saved;
	unsigned long		 k = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

	snprintf(tmp, sizeof(tmp), "%s/tmp/%s.%lld.%ld.%lu", dir, client, seq, (long)getpid(), k);
	snprintf(nd, sizeof(nd), "%s/new", dir);
	snprintf(dst, sizeof(dst), "%s/%s.%lld", nd, client, seq);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write_all(fd, p, n) < 0 || fdatasync(fd) < 0)
		goto fail;
	close(fd);
	if (link(tmp, dst) < 0) {
		saved = errno;
		unlink(tmp);
		if (saved == EEXIST)
			return 0;
		errno = saved;
		return -1;
	}
	unlink(tmp);
	if (inbox_fsync_dir(nd) < 0)
		return -1;
	return 1;
fail:
	saved = errno;
	close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

static int
inbox_cmp(const void *a, const void *b)
{
	const struct inbox_item *x = a, *y = b;
	int c;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if ((c = strcmp(x->client, y->client)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
inbox_cmp_client(const void *a, const void *b)
{
	const struct inbox_item *x = a, *y = b;
	int c;

	if ((c = strcmp(x->client, y->client)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Reorders v (sorted by arrival) so that each client's frames are in seq
 * order on the places that client's frames hold. Returns 1 or -1.
 */
static int
inbox_seq_order(struct inbox_item *v, size_t len)
{
	struct inbox_item	*byc;
	size_t			*next;

	if (len < 2)
		return 1;
	byc = malloc(len * sizeof(*byc));
	next = calloc(len, sizeof(*next));
	if (byc == NULL || next == NULL) {
		free(byc);
		free(next);
		return -1;
	}
	memcpy(byc, v, len * sizeof(*byc));
	qsort(byc, len, sizeof(*byc), inbox_cmp_client);
	/* next[g] is the cursor of the group that starts at index g. */
	for (size_t i = 0; i < len; i++) {
		size_t lo = 0, hi = len;
		while (lo < hi) {	/* first item of v[i]'s client */
			size_t mid = (lo + hi) / 2;
			if (strcmp(byc[mid].client, v[i].client) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		v[i] = byc[lo + next[lo]++];
	}
	free(byc);
	free(next);
	return 1;
}

/*
 * Parses "<client>.<seq>". Returns 1 or 0 for a name that is not a frame.
 */
static int
inbox_parse_name(const char *name, struct inbox_item *it)
{
	const char	*dot = strrchr(name, '.');
	size_t		 cl;

	if (dot == NULL || (cl = (size_t)(dot - name)) == 0 || cl > INBOX_CLIENT_MAX)
		return 0;
	memcpy(it->client, name, cl);
	it->client[cl] = '\0';
	if (!id_valid(it->client, 1, INBOX_CLIENT_MAX) ||
	    !num_parse_ll(dot + 1, 1, LLONG_MAX, &it->seq))
		return 0;
	snprintf(it->name, sizeof(it->name), "%s", name);
	return 1;
}

/*
 * Lists the frames waiting, oldest arrival first and each client's frames in
 * seq order, at most max of them. *out is allocated; the caller frees it.
 * Returns 1 or -1 with errno set.
 */
int
inbox_list(const char *dir, struct inbox_item **out, size_t *n, size_t max)
{
	char			 nd[PATH_MAX];
	DIR			*d;
	struct dirent		*de;
	struct inbox_item	*v = NULL, it;
	size_t			 len = 0, cap = 0;
	struct stat		 st;

	*out = NULL;
	*n = 0;
	snprintf(nd, sizeof(nd), "%s/new", dir);
	if ((d = opendir(nd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !inbox_parse_name(de->d_name, &it))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		it.order = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			struct inbox_item *nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				closedir(d);
				errno = ENOMEM;
				return -1;
			}
			v = nv;
		}
		v[len++] = it;
	}
	closedir(d);
	qsort(v, len, sizeof(*v), inbox_cmp);
	/*
	 * Two requests of one client may race, so arrival order can put a
	 * client's frames out of seq order: each client keeps the places its
	 * frames arrived in, filled in seq order.
	 */
	if (inbox_seq_order(v, len) < 0) {
		free(v);
		errno = ENOMEM;
		return -1;
	}
	*out = v;
	*n = len < max ? len : max;
	return 1;
}

/*
 * Reads one waiting frame (at most max bytes). Returns 1, 0 when it is
 * larger than max, -1 on a system error (ENOENT: it is gone).
 */
int
inbox_read(const char *dir, const struct inbox_item *it, size_t max, struct buf *out)
{
	char	 p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/new/%s", dir, it->name);
	return file_read(p, max, out);
}

/*
 * Removes a frame once the database holds it. Returns 1 or -1.
 */
int
inbox_done(const char *dir, const struct inbox_item *it)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/new/%s", dir, it->name);
	if (unlink(p) < 0 && errno != ENOENT)
		return -1;
	return 1;
}

/*
 * Number of frames waiting, or -1.
 */
long long
inbox_count(const char *dir)
{
	char		 nd[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	long long	 n = 0;

	snprintf(nd, sizeof(nd), "%s/new", dir);
	if ((d = opendir(nd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}
