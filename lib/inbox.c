/*
 * The inbox: frames accepted by trackside-fcgi wait here, durable, until
 * trackside-ingestd has applied them.
 *
 * Each trackside-fcgi process appends records to a segment file of its own,
 * seg/<start time ns, hex>-<pid>.seg, and acknowledges a frame only after
 * fdatasync() covered its record. Concurrent requests share one fdatasync
 * (group commit). A record is
 *
 *	"TSR1" | u32 length | u32 crc32 | client \0 seq \0 header JSON \n frame JSON
 *
 * (little-endian), and "TSE1" | 0 | 0 closes a segment. The header is
 * trackside-fcgi's JSON object about the upload: "token", "received_at"
 * (server clock) and, when the client sent Trackside-Sent-At, "sent_at"
 * (client clock); a reader takes a key that is absent (a record of an
 * older server) as unknown. The worker reads
 * segments in name order and records in file order; where it stands in each
 * segment is kept in the database, in the transaction that applied the
 * frames, so a crash anywhere loses and repeats nothing. A torn record at
 * the end of a segment whose writer is gone was never acknowledged and is
 * dropped; a damaged record inside a segment is copied to rejected/.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "trackside.h"

#define SEG_MAX		(64u << 20)	/* a segment is closed past this size */
#define REC_HEAD	12

struct inbox_writer {
	pthread_mutex_t	 lock;
	pthread_cond_t	 synced_cv;
	char		 dir[PATH_MAX];
	char		 path[PATH_MAX];	/* current segment */
	int		 fd;
	off_t		 size;
	unsigned long	 appended;	/* tickets handed out */
	unsigned long	 synced;	/* tickets durable */
	unsigned long	 lost;		/* tickets a failed fdatasync covered */
	int		 syncing;	/* a thread is in fdatasync */
	int		 broken;	/* the segment's end is unknown: rotate */
	int		 failed;	/* errno of the last failed sync */
};

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int
fsync_dir(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Creates the inbox directories. Returns 1 or -1 with errno set.
 */
int
inbox_init(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/seg", dir);
	return mkdir_p(p, 0755);
}

/* Starts a new segment. Called with the lock held. Returns 1 or -1. */
static int
inbox_new_segment(struct inbox_writer *w)
{
	char		 p[PATH_MAX], sd[PATH_MAX];
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(sd, sizeof(sd), "%s/seg", w->dir);
	snprintf(p, sizeof(p), "%s/%016llx-%ld.seg", sd,
	    (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec, (long)getpid());
	if ((w->fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644)) < 0)
		return -1;
	snprintf(w->path, sizeof(w->path), "%s", p);
	w->size = 0;
	w->broken = 0;
	return fsync_dir(sd) < 0 ? -1 : 1;
}

/* Closes the current segment with an end record. Lock held. */
static void
inbox_end_segment(struct inbox_writer *w)
{
	unsigned char end[REC_HEAD] = { 'T', 'S', 'E', '1' };

	if (w->fd < 0)
		return;
	if (write_all(w->fd, end, sizeof(end)) < 0 || fdatasync(w->fd) < 0)
		log_err("inbox: cannot close a segment: %s", strerror(errno));
	close(w->fd);
	w->fd = -1;
}

/*
 * Opens the inbox for appending (one writer per process, shared by its
 * threads). Returns 1, or -1 with errno set. Free with inbox_writer_close().
 */
int
inbox_writer_open(struct inbox_writer **out, const char *dir)
{
	struct inbox_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->synced_cv, NULL);
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	w->fd = -1;
	if (inbox_init(dir) < 0 || inbox_new_segment(w) < 0) {
		int saved = errno;
		free(w);
		errno = saved;
		return -1;
	}
	*out = w;
	return 1;
}

/*
 * Closes the current segment (an end record tells the worker it may remove
 * it once applied) and frees w. NULL is a no-op.
 */
void
inbox_writer_close(struct inbox_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	inbox_end_segment(w);
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->synced_cv);
	free(w);
}

/*
 * Appends one frame (not yet durable: see inbox_sync). head is the header
 * line (no newline), frame the frame's JSON. Sets *ticket for inbox_sync().
 * Returns 1 or -1 with errno set.
 */
int
inbox_append(struct inbox_writer *w, const char *client, long long seq, const char *head,
    size_t hlen, const char *frame, size_t flen, unsigned long *ticket)
{
	unsigned char	 h[REC_HEAD] = { 'T', 'S', 'R', '1' };
	char		 id[INBOX_CLIENT_MAX + 32];
	int		 idlen, rc = 1, saved = 0;
	uLong		 crc;

	idlen = snprintf(id, sizeof(id), "%s%c%lld%c", client, 0, seq, 0);
	if (idlen < 0 || (size_t)idlen >= sizeof(id)) {
		errno = EINVAL;
		return -1;
	}
	/* The record in four pieces, written with one writev(2). */
	struct iovec v[5] = {
		{ h, REC_HEAD }, { id, (size_t)idlen }, { (void *)(uintptr_t)head, hlen },
		{ (void *)(uintptr_t)"\n", 1 }, { (void *)(uintptr_t)frame, flen },
	};
	size_t plen = (size_t)idlen + hlen + 1 + flen, total = REC_HEAD + plen;
	crc = crc32(0, (const unsigned char *)id, (uInt)idlen);
	crc = crc32(crc, (const unsigned char *)head, (uInt)hlen);
	crc = crc32(crc, (const unsigned char *)"\n", 1);
	crc = crc32(crc, (const unsigned char *)frame, (uInt)flen);
	put32(h + 4, (uint32_t)plen);
	put32(h + 8, (uint32_t)crc);

	pthread_mutex_lock(&w->lock);
	/* Rotate once every record of the old segment is synced (or failed). */
	if (w->fd >= 0 && (w->size > SEG_MAX || w->broken) && !w->syncing &&
	    (w->synced > w->lost ? w->synced : w->lost) == w->appended)
		inbox_end_segment(w);
	if (w->fd >= 0 && w->broken) {
		saved = EIO;	/* nothing more after a damaged end */
		rc = -1;
	} else if (w->fd < 0 && inbox_new_segment(w) < 0) {
		saved = errno;
		rc = -1;
	}
	if (rc > 0) {
		ssize_t n = writev(w->fd, v, 5);
		if (n >= 0 && (size_t)n < total) {
			/* A short write: finish it piece by piece. */
			size_t done = (size_t)n;
			for (int i = 0; i < 5 && rc > 0; i++) {
				if (done >= v[i].iov_len) {
					done -= v[i].iov_len;
					continue;
				}
				if (write_all(w->fd, (char *)v[i].iov_base + done, v[i].iov_len - done) < 0)
					n = -1;
				done = 0;
			}
		}
		if (n < 0) {
			saved = errno;
			rc = -1;
			/*
			 * A partial record would hide every later one: cut it
			 * off (or rotate when that fails), and leave no empty
			 * segment behind.
			 */
			if (ftruncate(w->fd, w->size) < 0)
				w->broken = 1;
			else if (w->size == 0 && !w->syncing) {
				unlink(w->path);
				close(w->fd);
				w->fd = -1;
			}
		}
	}
	if (rc > 0) {
		w->size += (off_t)total;
		*ticket = ++w->appended;
	}
	pthread_mutex_unlock(&w->lock);
	errno = saved;
	return rc;
}

/*
 * Waits until the record of ticket (and all before it) is on disk. One
 * thread runs fdatasync for everyone waiting. A record is never reported
 * durable without a successful fdatasync of its segment: when one fails,
 * every record it covered fails too (the kernel may have dropped them) and
 * the writer moves to a new segment. Returns 1 or -1 with errno.
 */
int
inbox_sync(struct inbox_writer *w, unsigned long ticket)
{
	int rc = 1, err = 0;

	pthread_mutex_lock(&w->lock);
	if (ticket == 0 || ticket > w->appended) {
		pthread_mutex_unlock(&w->lock);
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		if (ticket <= w->lost) {
			err = w->failed;
			rc = -1;
			break;
		}
		if (ticket <= w->synced)
			break;
		if (w->syncing) {
			pthread_cond_wait(&w->synced_cv, &w->lock);
			continue;
		}
		unsigned long target = w->appended;
		int fd = w->fd, r = -1, e = EIO;
		if (fd >= 0) {
			w->syncing = 1;
			pthread_mutex_unlock(&w->lock);
			r = fdatasync(fd);
			e = errno;
			pthread_mutex_lock(&w->lock);
			w->syncing = 0;
		}
		if (r < 0) {
			/* No segment to sync, or a failed sync: not durable. */
			w->failed = e;
			w->lost = target;
			w->broken = w->fd >= 0;
		} else if (target > w->synced)
			w->synced = target;
		pthread_cond_broadcast(&w->synced_cv);
	}
	pthread_mutex_unlock(&w->lock);
	if (rc < 0)
		errno = err ? err : EIO;
	return rc;
}

/*
 * The token a client id is bound to, from <dir>/clients/<client>. Returns
 * 1 with *owner, 0 when it is bound to none, -1 with errno set.
 */
static int
inbox_client_owner(const char *dir, const char *client, long long *owner)
{
	char		 p[PATH_MAX];
	struct buf	 b = { 0 };
	int		 rc;

	snprintf(p, sizeof(p), "%s/clients/%s", dir, client);
	if ((rc = file_read(p, 64, &b)) < 0)
		return errno == ENOENT ? 0 : -1;
	while (rc > 0 && b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	if (rc == 0 || b.p == NULL || !num_parse_ll(b.p, 1, LLONG_MAX, owner)) {
		log_err("inbox: %s does not name a token", p);
		buf_free(&b);
		errno = EINVAL;
		return -1;
	}
	buf_free(&b);
	return 1;
}

/*
 * Binds client id to token unless another token holds it: a client id
 * belongs to the token that first used it. known is the owner the database
 * knows (0 for none), which an inbox that never saw the client takes over.
 * The binding is <dir>/clients/<client>, written under a name of its own
 * and link(2)ed into place, so of concurrent requests in any number of
 * processes exactly one binds. Returns 1 when client is token's, 0 when
 * it is another's (*owner says whose), -1 with errno set.
 */
int
inbox_client_bind(const char *dir, const char *client, long long token, long long known,
    long long *owner)
{
	char		 cd[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX], line[32];
	unsigned char	 r[8];
	int		 fd, rc, n, saved;

	if (!id_valid(client, 1, INBOX_CLIENT_MAX)) {
		errno = EINVAL;
		return -1;
	}
	if ((rc = inbox_client_owner(dir, client, owner)) != 0)
		return rc < 0 ? -1 : *owner == token;
	snprintf(cd, sizeof(cd), "%s/clients", dir);
	snprintf(p, sizeof(p), "%s/%s", cd, client);
	if (rand_bytes(r, sizeof(r)) < 0 || mkdir_p(cd, 0755) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.%02x%02x%02x%02x%02x%02x%02x%02x", cd, client,
	    (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	n = snprintf(line, sizeof(line), "%lld\n", known > 0 ? known : token);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write_all(fd, line, (size_t)n) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	close(fd);
	rc = link(tmp, p);
	saved = errno;
	unlink(tmp);
	if (rc < 0 && saved != EEXIST) {
		errno = saved;
		return -1;
	}
	if (rc == 0 && fsync_dir(cd) < 0)
		return -1;
	/* Bound now, by this request or by the one that won the race. */
	if ((rc = inbox_client_owner(dir, client, owner)) <= 0) {
		if (rc == 0)
			errno = ENOENT;
		return -1;
	}
	return *owner == token;
}

/*
 * Binds client id to token whatever it was bound to (trackside client
 * rebind). Returns 1 or -1 with errno set.
 */
int
inbox_client_rebind(const char *dir, const char *client, long long token)
{
	char	 cd[PATH_MAX], line[32];
	int	 n;

	if (!id_valid(client, 1, INBOX_CLIENT_MAX)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(cd, sizeof(cd), "%s/clients", dir);
	n = snprintf(line, sizeof(line), "%lld\n", token);
	if (mkdir_p(cd, 0755) < 0)
		return -1;
	return file_write_durable(cd, client, line, (size_t)n);
}

/*
 * Whether frames can be stored in the inbox now: at least min_free_mb MiB
 * are free there and, with probe, a file can be created in its segment
 * directory. Returns 1, or 0 with the reason in *why (a static string).
 */
int
inbox_writable(const char *dir, long long min_free_mb, int probe, const char **why)
{
	char		 p[PATH_MAX];
	unsigned char	 r[8];
	struct statvfs	 sv;
	int		 fd;

	snprintf(p, sizeof(p), "%s/seg", dir);
	if (statvfs(p, &sv) < 0) {
		*why = "the inbox directory cannot be reached";
		return 0;
	}
	if ((long long)(sv.f_bavail * sv.f_frsize / (1024 * 1024)) < min_free_mb) {
		*why = "the inbox disk is nearly full";
		return 0;
	}
	if (!probe)
		return 1;
	if (rand_bytes(r, sizeof(r)) < 0)
		memset(r, 0, sizeof(r));
	snprintf(p, sizeof(p), "%s/seg/.probe-%ld-%02x%02x%02x%02x", dir, (long)getpid(), r[0], r[1],
	    r[2], r[3]);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		*why = "no file can be created in the inbox";
		return 0;
	}
	close(fd);
	unlink(p);
	return 1;
}

static int
inbox_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
inbox_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Segment names, sorted (time order). *out and each name are allocated. */
static int
inbox_segments(const char *dir, char ***out, size_t *n)
{
	char		 sd[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 len = 0;

	*out = NULL;
	*n = 0;
	snprintf(sd, sizeof(sd), "%s/seg", dir);
	if ((d = opendir(sd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (de->d_name[0] == '.' || nl < 5 || strcmp(de->d_name + nl - 4, ".seg") != 0)
			continue;
		char **nv = realloc(v, (len + 1) * sizeof(*v));
		if (nv == NULL || (nv[len] = strdup(de->d_name)) == NULL) {
			free(nv ? nv : v);
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
		v = nv;
		len++;
	}
	closedir(d);
	if (len > 0)
		qsort(v, len, sizeof(*v), inbox_name_cmp);
	*out = v;
	*n = len;
	return 1;
}

/* Whether the process that writes segment name still runs. */
static int
inbox_writer_alive(const char *name)
{
	const char	*dash = strchr(name, '-');
	long long	 pid;
	char		 tmp[32];
	size_t		 n;

	if (dash == NULL || (n = strcspn(dash + 1, ".")) == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, dash + 1, n);
	tmp[n] = '\0';
	if (!num_parse_ll(tmp, 1, INT_MAX, &pid))
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/*
 * Copies what follows a damaged record to rejected/ for a person to look
 * at, and logs it.
 */
static void
inbox_set_aside(const char *dir, const char *seg, int fd, long long off, long long size)
{
	char		 rd[PATH_MAX], p[PATH_MAX], chunk[65536];
	int		 out;
	ssize_t		 n;

	snprintf(rd, sizeof(rd), "%s/rejected", dir);
	snprintf(p, sizeof(p), "%s/%s.%lld", rd, seg, off);
	log_err("inbox: segment %s is damaged at byte %lld; its last %lld bytes are set aside in %s",
	    seg, off, size - off, p);
	if (mkdir_p(rd, 0755) < 0 || (out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return;
	while ((n = pread(fd, chunk, sizeof(chunk), (off_t)off)) > 0) {
		if (write_all(out, chunk, (size_t)n) < 0)
			break;
		off += n;
	}
	fsync(out);
	close(out);
}

/*
 * Reads the records of one segment from off: appends them to r (at most
 * max records and about max_bytes). Sets *finished when the segment holds
 * nothing more that will ever be applied (its end record was reached, or
 * its writer is gone and all that is left is a torn record). Returns 1 or
 * -1 with errno set.
 */
static int
inbox_read_segment(struct inbox_reader *r, const char *seg, long long off, size_t max,
    size_t max_bytes, int *finished)
{
	char		 path[PATH_MAX];
	struct stat	 st;
	unsigned char	 h[REC_HEAD];
	int		 fd;

	*finished = 0;
	snprintf(path, sizeof(path), "%s/seg/%s", r->dir, seg);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	while (r->n < max && (r->data.len < max_bytes || r->n == 0)) {
		if (st.st_size - off < REC_HEAD) {
			if (st.st_size > off && !inbox_writer_alive(seg)) {
				log_warn("inbox: %s ends in a torn record (%lld bytes, never acknowledged)",
				    seg, (long long)st.st_size - off);
				*finished = 1;
			} else if (st.st_size == off && !inbox_writer_alive(seg))
				*finished = 1;
			break;
		}
		if (pread(fd, h, REC_HEAD, (off_t)off) != REC_HEAD)
			goto fail;
		if (memcmp(h, "TSE1", 4) == 0) {
			*finished = 1;
			break;
		}
		uint32_t len = get32(h + 4), crc = get32(h + 8);
		if (memcmp(h, "TSR1", 4) != 0 || len > (64u << 20)) {
			inbox_set_aside(r->dir, seg, fd, off, st.st_size);
			*finished = 1;
			break;
		}
		if ((long long)st.st_size - off - REC_HEAD < (long long)len) {
			if (!inbox_writer_alive(seg)) {
				log_warn("inbox: %s ends in a torn record (never acknowledged)", seg);
				*finished = 1;
			}
			break;
		}
		size_t at = r->data.len;
		if (buf_grow(&r->data, len + 1) < 0)
			goto fail;
		if (pread(fd, r->data.p + at, len, (off_t)(off + REC_HEAD)) != (ssize_t)len)
			goto fail;
		if ((uint32_t)crc32(0, (const unsigned char *)r->data.p + at, len) != crc) {
			if ((long long)st.st_size == off + REC_HEAD + len && inbox_writer_alive(seg))
				break;	/* being written */
			inbox_set_aside(r->dir, seg, fd, off, st.st_size);
			*finished = 1;
			break;
		}
		r->data.len += len;
		r->data.p[r->data.len++] = '\0';
		/* client \0 seq \0 body */
		const char *c = r->data.p + at, *sq = memchr(c, '\0', len);
		const char *body = sq ? memchr(sq + 1, '\0', len - (size_t)(sq + 1 - c)) : NULL;
		struct inbox_rec *rec;
		if (r->n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 64;
			struct inbox_rec *nv = realloc(r->recs, nc * sizeof(*nv));
			if (nv == NULL)
				goto fail;
			r->recs = nv;
			r->cap = nc;
		}
		rec = &r->recs[r->n];
		memset(rec, 0, sizeof(*rec));
		snprintf(rec->seg, sizeof(rec->seg), "%s", seg);
		rec->off = off;
		rec->end = off + REC_HEAD + len;
		off = rec->end;
		if (sq == NULL || body == NULL || (size_t)(sq - c) > INBOX_CLIENT_MAX ||
		    !num_parse_ll(sq + 1, 1, LLONG_MAX, &rec->seq)) {
			rec->bad = 1;	/* a record this code did not write */
		} else
			memcpy(rec->client, c, (size_t)(sq - c));
		/* A bad record's body is all of it, so that setting it aside keeps it. */
		rec->at = body ? (size_t)(body + 1 - r->data.p) : at;
		rec->len = body ? len - (size_t)(body + 1 - c) : len;
		r->n++;
	}
	close(fd);
	return 1;
fail:
	close(fd);
	return -1;
}

/*
 * Reads the next records waiting, in segment order, starting in each segment
 * where pos(arg, segment) says (0 for a segment never seen), at most max
 * records and about max_bytes. The records and the list of finished
 * segments are in r until the next call. Returns the number of records, or
 * -1 with errno set.
 */
int
inbox_read(struct inbox_reader *r, inbox_pos_fn pos, void *arg, size_t max, size_t max_bytes)
{
	char	**names;
	size_t	 n;

	r->n = 0;
	r->ndone = 0;
	buf_reset(&r->data);
	if (inbox_segments(r->dir, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && r->n < max && (r->data.len < max_bytes || r->n == 0); i++) {
		int finished;
		long long off = pos(arg, names[i]);
		if (off < 0 || inbox_read_segment(r, names[i], off, max, max_bytes, &finished) < 0) {
			log_err("inbox: %s: %s", names[i], off < 0 ? "position unknown" : strerror(errno));
			continue;
		}
		if (finished) {
			char (*nd)[64] = realloc(r->done, (r->ndone + 1) * sizeof(*nd));
			if (nd == NULL)
				break;
			r->done = nd;
			snprintf(r->done[r->ndone++], 64, "%s", names[i]);
		}
	}
	inbox_names_free(names, n);
	for (size_t i = 0; i < r->n; i++)
		r->recs[i].body = r->data.p + r->recs[i].at;
	return (int)r->n;
}

/*
 * A reader of the inbox at dir (the worker has one). Returns 1 or -1.
 * Free with inbox_reader_free().
 */
int
inbox_reader_open(struct inbox_reader **out, const char *dir)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return -1;
	snprintf((*out)->dir, sizeof((*out)->dir), "%s", dir);
	return inbox_init(dir);
}

void
inbox_reader_free(struct inbox_reader *r)
{
	if (r == NULL)
		return;
	buf_free(&r->data);
	free(r->recs);
	free(r->done);
	free(r);
}

/*
 * Removes a finished segment whose records the database holds. Returns 1
 * or -1.
 */
int
inbox_remove(const char *dir, const char *seg)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/seg/%s", dir, seg);
	if (unlink(p) < 0 && errno != ENOENT)
		return -1;
	return 1;
}

/*
 * Counts the complete records waiting after the positions pos() gives, by
 * reading record headers only. Returns the count, or -1.
 */
long long
inbox_pending(const char *dir, inbox_pos_fn pos, void *arg)
{
	char		**names, path[PATH_MAX];
	size_t		 n;
	long long	 count = 0;
	unsigned char	 h[REC_HEAD];

	if (inbox_segments(dir, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct stat	 st;
		long long	 off = pos(arg, names[i]);
		int		 fd;

		snprintf(path, sizeof(path), "%s/seg/%s", dir, names[i]);
		if (off < 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &st) == 0)
			while (st.st_size - off >= REC_HEAD && pread(fd, h, REC_HEAD, (off_t)off) == REC_HEAD &&
			    memcmp(h, "TSR1", 4) == 0 && st.st_size - off - REC_HEAD >= (long long)get32(h + 4)) {
				count++;
				off += REC_HEAD + get32(h + 4);
			}
		close(fd);
	}
	inbox_names_free(names, n);
	return count;
}

/* A position function for a fresh reader: every segment from its start. */
long long
inbox_pos_zero(void *arg, const char *seg)
{
	(void)arg;
	(void)seg;
	return 0;
}

/*
 * The in-flight note, <inbox>/inflight: the frame the worker is applying,
 * written before it applies a frame and emptied once the frame's
 * transaction has ended, so a note found at start-up names the frame the
 * previous run died on. One line, NUL-padded to INBOX_NOTE_LEN:
 *
 *	"TSF1 " state " " strikes " " off " " seq " " segment " " client "\n"
 *
 * state is 'A' (applying; the run was killed) or 'C' (the fatal-signal
 * handler saw the run crash), strikes how many runs before this one
 * crashed on the same frame.
 */
#define INBOX_NOTE_LEN	512
#define INBOX_NOTE_STATE 5	/* offset of the state byte */

/* Opens (creates) the note of the inbox at dir. Returns a descriptor or -1. */
int
inbox_note_open(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/inflight", dir);
	return open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

/* Reads the note. Returns 1 with *n filled, 0 when there is none, -1. */
int
inbox_note_read(int fd, struct inbox_note *n)
{
	char		 line[INBOX_NOTE_LEN + 1], state;
	ssize_t		 got;
	int		 strikes, used = 0;
	long long	 off, seq;
	char		*nl;

	if ((got = pread(fd, line, INBOX_NOTE_LEN, 0)) < 0)
		return -1;
	line[got] = '\0';
	if ((nl = strchr(line, '\n')) == NULL)
		return 0;
	*nl = '\0';
	memset(n, 0, sizeof(*n));
	if (sscanf(line, "TSF1 %c %d %lld %lld %63s %n", &state, &strikes, &off, &seq, n->seg,
	    &used) < 5 || used == 0 || (state != 'A' && state != 'C') || strikes < 0 ||
	    strlen(line + used) > INBOX_CLIENT_MAX)
		return 0;
	n->state = state;
	n->strikes = strikes;
	n->off = off;
	n->seq = seq;
	snprintf(n->client, sizeof(n->client), "%s", line + used);
	return 1;
}

/* Writes the note (state 'A'). Returns 1 or -1. */
int
inbox_note_write(int fd, const struct inbox_note *n)
{
	char	line[INBOX_NOTE_LEN];
	int	len;

	memset(line, 0, sizeof(line));
	len = snprintf(line, sizeof(line), "TSF1 A %d %lld %lld %s %s\n", n->strikes, n->off, n->seq,
	    n->seg, n->client);
	if (len < 0 || (size_t)len >= sizeof(line)) {
		errno = EINVAL;
		return -1;
	}
	return pwrite(fd, line, sizeof(line), 0) == (ssize_t)sizeof(line) ? 1 : -1;
}

/* Empties the note: no frame in flight. Returns 1 or -1. */
int
inbox_note_clear(int fd)
{
	return ftruncate(fd, 0) == 0 ? 1 : -1;
}

/*
 * Marks the frame of the note as the one the process crashed on. Only
 * async-signal-safe calls: for a fatal-signal handler.
 */
void
inbox_note_crashed(int fd)
{
	char c;

	if (fd >= 0 && pread(fd, &c, 1, INBOX_NOTE_STATE) == 1 && c == 'A')
		(void)!pwrite(fd, "C", 1, INBOX_NOTE_STATE);
}

/*
 * Counts the files set aside in <dir>/rejected (frames the worker could not
 * apply, damaged segment tails). Returns the count, or -1.
 */
long long
inbox_set_aside_count(const char *dir)
{
	char		 p[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	long long	 n = 0;

	snprintf(p, sizeof(p), "%s/rejected", dir);
	if ((d = opendir(p)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * The writer's lock, <dir>/ingestd.lock: trackside-ingestd holds it while
 * it runs; the trackside command takes it to apply a command itself when
 * no trackside-ingestd runs. With wait, blocks until it is free. Returns
 * the descriptor holding it (close releases it), -2 when another process
 * holds it (without wait), -1 on failure (errno; ENOENT: no inbox). The
 * file is opened read-only: whichever user made it (root running the
 * command, say), trackside-ingestd's user can still lock it.
 */
int
inbox_lock(const char *dir, int wait)
{
	char	 path[PATH_MAX];
	int	 fd;

	snprintf(path, sizeof(path), "%s/ingestd.lock", dir);
	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return -1;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return -2;
		errno = e;
		return -1;
	}
	return fd;
}
