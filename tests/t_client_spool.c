/*
 * The client's spool: order, acks, restarts, torn writes, the cap, frames
 * set aside, and one client per spool.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "tap.h"

static char root[256];
static int dirs;

/* A fresh directory for one test. Returns a static string. */
static const char *
newdir(void)
{
	static char d[300];

	snprintf(d, sizeof(d), "%s/%d", root, ++dirs);
	return d;
}

static struct spool *
sopen(const char *dir, long long cap)
{
	struct spool	*sp = NULL;
	struct buf	 err = { 0 };

	if (spool_open(&sp, dir, cap, &err) != 1)
		fprintf(stderr, "spool_open: %s\n", err.p ? err.p : "?");
	buf_free(&err);
	return sp;
}

/* Appends the frame "frame-<seq>" padded to size bytes. Returns 1 or 0. */
static int
put(struct spool *sp, size_t size)
{
	char		 payload[70000];
	long long	 seq = spool_next_seq(sp);

	memset(payload, 'x', sizeof(payload));
	snprintf(payload, sizeof(payload), "frame-%lld", seq);
	payload[strlen(payload)] = size > 20 ? '.' : '\0';
	return spool_append(sp, payload, size, &seq) == 1;
}

static int
payload_is(const struct spool_rec *r, long long seq)
{
	char want[32];

	snprintf(want, sizeof(want), "frame-%lld", seq);
	return r->seq == seq && strncmp(r->data.p, want, strlen(want)) == 0;
}

static long long
count_files(const char *dir, const char *suffix)
{
	char cmd[512];
	FILE *p;
	long long n = -1;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c '%s$'", dir, suffix);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%lld", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void
t_append_then_read_in_order(void)
{
	struct spool *sp = sopen(newdir(), 1 << 20);
	struct spool_rec *r = NULL;
	size_t n = 0;
	int good = sp && put(sp, 20) && put(sp, 20) && put(sp, 20) &&
	    spool_read(sp, 10, 1 << 20, &r, &n) == 1 && n == 3 &&
	    payload_is(&r[0], 1) && payload_is(&r[1], 2) && payload_is(&r[2], 3) &&
	    spool_pending(sp) == 3;
	ok(good, "frames are read back in seq order, starting at 1");
	spool_recs_free(r, n);
	spool_close(sp);
}

static void
t_ack_removes_covered(void)
{
	struct spool *sp = sopen(newdir(), 1 << 20);
	struct spool_rec *r = NULL;
	size_t n = 0;
	int good = sp && put(sp, 20) && put(sp, 20) && put(sp, 20) && spool_ack(sp, 2) == 1 &&
	    spool_pending(sp) == 1 && spool_read(sp, 10, 1 << 20, &r, &n) == 1 && n == 1 &&
	    payload_is(&r[0], 3);
	ok(good, "an ack removes the frames it covers and only those");
	spool_recs_free(r, n);
	spool_close(sp);
}

static void
t_read_respects_limits(void)
{
	struct spool *sp = sopen(newdir(), 1 << 20);
	struct spool_rec *r1 = NULL, *r2 = NULL;
	size_t n1 = 0, n2 = 0;
	int good = sp != NULL;

	for (int i = 0; good && i < 10; i++)
		good = put(sp, 1000);
	good = good && spool_read(sp, 4, 1 << 20, &r1, &n1) == 1 && n1 == 4 &&
	    spool_read(sp, 100, 2500, &r2, &n2) == 1 && n2 == 2 && payload_is(&r2[0], 1);
	ok(good, "a read takes at most max_n frames and max_bytes (but at least one)");
	spool_recs_free(r1, n1);
	spool_recs_free(r2, n2);
	spool_close(sp);
}

static void
t_reopen_resumes(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	struct spool_rec *r = NULL;
	size_t n = 0;
	int good = sp && put(sp, 20) && put(sp, 20) && put(sp, 20) && spool_ack(sp, 1) == 1;

	spool_close(sp);
	sp = sopen(d, 1 << 20);
	good = good && sp && spool_pending(sp) == 2 && spool_next_seq(sp) == 4 &&
	    spool_read(sp, 10, 1 << 20, &r, &n) == 1 && n == 2 && payload_is(&r[0], 2) &&
	    payload_is(&r[1], 3);
	ok(good, "a reopened spool holds the unacknowledged frames and goes on with the seq");
	spool_recs_free(r, n);
	spool_close(sp);
}

static void
t_seq_survives_empty_spool(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	int good = sp && put(sp, 20) && put(sp, 20) && spool_ack(sp, 2) == 1;

	spool_close(sp);
	sp = sopen(d, 1 << 20);
	good = good && sp && spool_pending(sp) == 0 && spool_next_seq(sp) == 3;
	ok(good, "seq numbers are never reused, even when everything was acknowledged");
	spool_close(sp);
}

static void
t_torn_tail_is_cut(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	char path[400];
	int good = sp && put(sp, 100) && put(sp, 100), fd;

	spool_close(sp);
	/* a crash in the middle of the third record */
	snprintf(path, sizeof(path), "%s/%020d.spool", d, 1);
	if ((fd = open(path, O_WRONLY | O_APPEND)) >= 0) {
		good = good && write(fd, "TSR1\3\0\0\0\0\0\0\0\144\0\0\0\0\0\0\0abc", 23) == 23;
		close(fd);
	} else
		good = 0;
	sp = sopen(d, 1 << 20);
	good = good && sp && spool_pending(sp) == 2 && spool_next_seq(sp) == 3 && put(sp, 100);
	spool_close(sp);
	sp = sopen(d, 1 << 20);
	good = good && sp && spool_pending(sp) == 3;
	ok(good, "a torn record at the end is cut off and appending goes on after it");
	spool_close(sp);
}

static void
t_damaged_record_is_skipped(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	struct spool_rec *r = NULL;
	size_t n = 0;
	char path[400];
	int good = sp && put(sp, 100) && put(sp, 100) && put(sp, 100), fd;

	spool_close(sp);
	/* flip a payload byte of the first record */
	snprintf(path, sizeof(path), "%s/%020d.spool", d, 1);
	if ((fd = open(path, O_RDWR)) >= 0) {
		good = good && pwrite(fd, "Z", 1, 20 + 50) == 1;
		close(fd);
	} else
		good = 0;
	sp = sopen(d, 1 << 20);
	good = good && sp && spool_pending(sp) == 0 && spool_next_seq(sp) == 4 &&
	    spool_dropped(sp) == 3;
	spool_recs_free(r, n);
	spool_close(sp);
	ok(good, "a damaged record in the newest segment is cut off, and its seqs are not reused");
}

static void
t_damaged_old_record_is_lost_alone(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 65536);	/* segments of 8 KiB */
	struct spool_rec *r = NULL;
	size_t n = 0;
	char path[400];
	int good = sp != NULL, fd;

	for (int i = 0; good && i < 12; i++)
		good = put(sp, 1000);	/* 8 per segment: 1..8 and 9..12 */
	spool_close(sp);
	snprintf(path, sizeof(path), "%s/%020d.spool", d, 1);
	if ((fd = open(path, O_RDWR)) >= 0) {
		good = good && pwrite(fd, "Z", 1, 20 + 500) == 1;	/* frame 1 */
		close(fd);
	} else
		good = 0;
	sp = sopen(d, 65536);
	good = good && sp && spool_read(sp, 100, 1 << 20, &r, &n) == 1 && n >= 1 &&
	    payload_is(&r[0], 2) && spool_dropped(sp) == 1;
	ok(good, "a damaged record in an older segment is skipped and counted as lost");
	spool_recs_free(r, n);
	spool_close(sp);
}

static void
t_cap_drops_oldest(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 65536);
	struct spool_rec *r = NULL;
	size_t n = 0;
	int good = sp != NULL;

	for (int i = 0; good && i < 200; i++)
		good = put(sp, 1000);
	good = good && spool_bytes(sp) <= 65536 && spool_dropped(sp) > 0 &&
	    spool_pending(sp) + spool_dropped(sp) == 200 &&
	    spool_read(sp, 1, 1 << 20, &r, &n) == 1 && n == 1 &&
	    r[0].seq == spool_dropped(sp) + 1;
	ok(good, "a full spool drops its oldest frames, counts them and stays under the cap");
	spool_recs_free(r, n);
	spool_close(sp);
}

static void
t_frame_larger_than_cap_refused(void)
{
	struct spool *sp = sopen(newdir(), 65536);
	char big[70000];
	long long seq = 1;

	memset(big, 'x', sizeof(big));
	ok(sp && spool_append(sp, big, sizeof(big), &seq) == 0 && spool_pending(sp) == 0,
	    "a frame larger than the cap is refused");
	spool_close(sp);
}

static void
t_acked_segments_deleted(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 65536);
	int good = sp != NULL;

	for (int i = 0; good && i < 30; i++)
		good = put(sp, 1000);
	long long before = count_files(d, ".spool");
	good = good && spool_ack(sp, 30) == 1;
	good = good && before > 1 && count_files(d, ".spool") == 1;
	ok(good, "segments wholly acknowledged are deleted, the newest is kept");
	spool_close(sp);
}

static void
t_set_aside(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	struct spool_rec *r = NULL;
	size_t n = 0;
	char path[400];
	struct buf why = { 0 };
	int good = sp && put(sp, 20) && put(sp, 20) &&
	    spool_set_aside(sp, 1, "frame-1", 7, "HTTP 400 bad_frame: no data") == 1 &&
	    spool_pending(sp) == 1 && spool_read(sp, 10, 1 << 20, &r, &n) == 1 && n == 1 &&
	    payload_is(&r[0], 2);
	snprintf(path, sizeof(path), "%s/rejected/%020d.txt", d, 1);
	good = good && file_read(path, 1000, &why) == 1 && why.p && strstr(why.p, "bad_frame");
	snprintf(path, sizeof(path), "%s/rejected/%020d.json.gz", d, 1);
	good = good && access(path, R_OK) == 0;
	ok(good, "a frame set aside lands in rejected/ with the reason and is not sent again");
	buf_free(&why);
	spool_recs_free(r, n);
	spool_close(sp);
}

static void
t_ack_beyond_moves_next_seq(void)
{
	struct spool *sp = sopen(newdir(), 1 << 20);
	int good = sp && put(sp, 20) && spool_ack(sp, 500) == 1 && spool_next_seq(sp) == 501 &&
	    spool_pending(sp) == 0 && put(sp, 20);
	ok(good, "an ack beyond the last frame moves the next seq past it");
	spool_close(sp);
}

static void
t_second_client_refused(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	pid_t pid;
	int st = -1;

	if ((pid = fork()) == 0) {
		struct spool *other = NULL;
		struct buf err = { 0 };
		int rc = spool_open(&other, d, 1 << 20, &err);
		_exit(rc == 0 && err.p && strstr(err.p, "in use") ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(sp && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a second client cannot open a spool in use");
	spool_close(sp);
}

static void
t_parse_memory_image(void)
{
	const char *d = newdir();
	struct spool *sp = sopen(d, 1 << 20);
	struct buf img = { 0 };
	char path[400];
	size_t good_len = 0, count = 0;
	long long first = 0, last = 0;
	int good = sp && put(sp, 50) && put(sp, 50);

	spool_close(sp);
	snprintf(path, sizeof(path), "%s/%020d.spool", d, 1);
	good = good && file_read(path, 1 << 20, &img) == 1 &&
	    spool_parse(img.p, img.len, &good_len, &first, &last, &count) == 1 &&
	    count == 2 && first == 1 && last == 2 && good_len == img.len;
	buf_add(&img, "junk", 4);
	good = good && spool_parse(img.p, img.len, &good_len, &first, &last, &count) == 0 &&
	    count == 2 && good_len == img.len - 4;
	ok(good, "a segment image parses to its records and stops at junk");
	buf_free(&img);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[300];

	log_init("t_client_spool", 1, LOG_LVL__MAX - 4);
	snprintf(root, sizeof(root), "%s/t_client_spool.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	t_append_then_read_in_order();
	t_ack_removes_covered();
	t_read_respects_limits();
	t_reopen_resumes();
	t_seq_survives_empty_spool();
	t_torn_tail_is_cut();
	t_damaged_record_is_skipped();
	t_damaged_old_record_is_lost_alone();
	t_cap_drops_oldest();
	t_frame_larger_than_cap_refused();
	t_acked_segments_deleted();
	t_set_aside();
	t_ack_beyond_moves_next_seq();
	t_second_client_refused();
	t_parse_memory_image();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return tap_done();
}
