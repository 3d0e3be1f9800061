/*
 * The Project CARS 2 / Automobilista 2 shared-memory source (spec/pcars2.md,
 * Windows): maps the game's `$pcars2$` block read-only and looks at it
 * --pcars2-shm-hz times a second. Each look is a consistent copy
 * (p2shm.c); once a second the first copy of the second goes out whole as
 * "raw" and the later ones as the byte ranges that changed ("polls"), in
 * one frame {"shm": {...}, "stats": {...}}. A second in which nothing
 * changed (the game paused, in its menus) makes no frame.
 *
 * Without the block (the game not running, or its shared memory off), or
 * with a block too small or of a version this client does not know, the
 * status line says so and the source tries again every P2SHM_RETRY seconds.
 * Other systems have no such block: the configuration refuses the source
 * there, and open() says so too.
 */
#ifdef _WIN32
#include <windows.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define P2SHM_RETRY	2.0		/* s between two tries to map the block */
#define P2SHM_FRAME_EVERY 1.0		/* s */

enum pc2shm_state {
	PC2SHM_NONE,		/* no mapping (yet) */
	PC2SHM_SMALL,		/* a mapping smaller than the block */
	PC2SHM_VERSION,		/* a block of a version this client does not know */
	PC2SHM_TORN,		/* the last look found no consistent copy */
	PC2SHM_OK
};

struct pc2shm_src {
	const struct config *cfg;
	struct src_queue *q;		/* main's */
#ifdef _WIN32
	HANDLE		 map;
#endif
	const unsigned char *view;	/* NULL: not mapped */
	size_t		 mapped;	/* bytes the view spans */
	size_t		 n;		/* bytes copied: p2shm_prefix(mapped) */
	enum pc2shm_state state;
	int		 said_none;	/* "no block" was logged */
	unsigned	 version;
	double		 next_map;	/* mono time of the next try to map */
	double		 next_poll;
	double		 next_frame;
	unsigned char	*cur, *last;	/* P2_SHM_V14_SIZE bytes each */
	int		 have_last;
	struct p2_shm	*dec;		/* the last copy decoded, for the status */
	int		 have_dec;
	/* the frame being filled */
	struct buf	 raw;		/* "raw":"<base64>" of the first copy */
	struct buf	 polls;		/* the later copies' changes */
	size_t		 npolls;
	int		 changed;	/* anything changed in this second */
	double		 unchanged_since;	/* mono, 0 = changing */
	/* counts */
	long long	 looks, torn, busy, frames;
	long long	 f_looks, f_torn;	/* at the last frame */
};

#ifdef _WIN32
static void
pc2shm_read(void *arg, size_t off, void *dst, size_t len)
{
	const struct pc2shm_src *s = arg;

	MemoryBarrier();
	memcpy(dst, s->view + off, len);
	MemoryBarrier();
}

static void
pc2shm_pause(void *arg)
{
	(void)arg;
	Sleep(0);
}

static void
pc2shm_unmap(struct pc2shm_src *s)
{
	if (s->view)
		UnmapViewOfFile(s->view);
	if (s->map)
		CloseHandle(s->map);
	s->view = NULL;
	s->map = NULL;
	s->mapped = 0;
}

/* Maps the block: 1, 0 when there is none, -1 when mapping failed (logged). */
static int
pc2shm_map(struct pc2shm_src *s)
{
	MEMORY_BASIC_INFORMATION mbi;

	if ((s->map = OpenFileMappingA(FILE_MAP_READ, FALSE, P2_SHM_NAME)) == NULL)
		return 0;
	if ((s->view = MapViewOfFile(s->map, FILE_MAP_READ, 0, 0, 0)) == NULL) {
		log_warn("pcars2-shm: cannot map %s (error %lu)", P2_SHM_NAME,
		    (unsigned long)GetLastError());
		pc2shm_unmap(s);
		return -1;
	}
	if (VirtualQuery(s->view, &mbi, sizeof(mbi)) == 0) {
		log_warn("pcars2-shm: cannot tell the size of %s (error %lu)", P2_SHM_NAME,
		    (unsigned long)GetLastError());
		pc2shm_unmap(s);
		return -1;
	}
	s->mapped = mbi.RegionSize;
	return 1;
}
#else
static void
pc2shm_read(void *arg, size_t off, void *dst, size_t len)
{
	const struct pc2shm_src *s = arg;

	memcpy(dst, s->view + off, len);
}

static void
pc2shm_unmap(struct pc2shm_src *s)
{
	s->view = NULL;
	s->mapped = 0;
}

static int
pc2shm_map(struct pc2shm_src *s)
{
	(void)s;
	return 0;
}
#define pc2shm_pause NULL
#endif

/*
 * Turns the second's copies into a frame captured at captured_at, if
 * anything changed in it.
 */
static void
pc2shm_flush(struct pc2shm_src *s, double captured_at)
{
	struct buf b = { 0 };

	if (s->raw.len > 0 && s->changed) {
		if (buf_printf(&b, "{\"shm\":{\"version\":%u,\"size\":%zu,", s->version,
		    s->n) < 0 ||
		    buf_add(&b, s->raw.p, s->raw.len) < 0 ||
		    (s->npolls > 0 && (buf_puts(&b, ",\"polls\":[") < 0 ||
		    buf_add(&b, s->polls.p, s->polls.len) < 0 || buf_putc(&b, ']') < 0)) ||
		    buf_printf(&b, "},\"stats\":{\"polls\":%lld,\"torn\":%lld}}",
		    s->looks - s->f_looks, s->torn - s->f_torn) < 0 ||
		    srcq_push(s->q, captured_at, b.p, b.len) < 0)
			log_err("out of memory: a frame is lost");
		else
			s->frames++;
		s->f_looks = s->looks;
		s->f_torn = s->torn;
	}
	buf_free(&b);
	buf_reset(&s->raw);
	buf_reset(&s->polls);
	s->npolls = 0;
	s->changed = 0;
}

/*
 * Whether two copies of n bytes say the same: the sequence number aside,
 * which a game may advance while it rewrites an unchanged block (paused).
 */
static int
pc2shm_same(const unsigned char *a, const unsigned char *b, size_t n)
{
	return memcmp(a, b, P2_SHM_SEQ_OFF) == 0 && memcmp(a + P2_SHM_SEQ_OFF + 4,
	    b + P2_SHM_SEQ_OFF + 4, n - P2_SHM_SEQ_OFF - 4) == 0;
}

/*
 * One look at the block: a consistent copy into the frame being filled.
 * last is the copy as the server will have it: a look that changed
 * nothing leaves it, so the next look's ranges carry the sequence number
 * too.
 */
static void
pc2shm_poll(struct pc2shm_src *s, double now)
{
	struct p2shm_view v = { pc2shm_read, pc2shm_pause, s };
	long long	 at_ms = (long long)(time_now() * 1000);
	size_t		 mark;
	int		 nr, same;

	s->looks++;
	if (!p2shm_copy(&v, s->cur, s->n, P2SHM_TRIES, &s->torn, &s->busy)) {
		s->state = PC2SHM_TORN;
		return;
	}
	s->version = (unsigned)s->cur[0] | (unsigned)s->cur[1] << 8 |
	    (unsigned)s->cur[2] << 16 | (unsigned)s->cur[3] << 24;
	if (p2_shm_decode(s->cur, s->n, s->dec) < 0) {
		if (s->state != PC2SHM_VERSION)
			log_warn("pcars2-shm: %s is version %u, not a \"Project CARS 2\" block "
			    "(version 8 or later); trying again every %.0f s", P2_SHM_NAME,
			    s->version, P2SHM_RETRY);
		s->state = PC2SHM_VERSION;
		pc2shm_unmap(s);
		s->next_map = now + P2SHM_RETRY;
		s->have_last = 0;
		return;
	}
	s->have_dec = 1;
	if (s->state != PC2SHM_OK && s->state != PC2SHM_TORN)
		log_info("pcars2-shm: reading %s, version %u, %zu of %zu bytes", P2_SHM_NAME,
		    s->version, s->n, s->mapped);
	s->state = PC2SHM_OK;
	same = s->have_last && pc2shm_same(s->last, s->cur, s->n);
	if (same) {
		if (s->unchanged_since == 0)
			s->unchanged_since = now;
		if (s->raw.len > 0)
			return;
	} else
		s->unchanged_since = 0;
	if (s->raw.len == 0) {
		/* the first copy of the second */
		if (!same)
			s->changed = 1;
		if (buf_printf(&s->raw, "\"at_ms\":%lld,\"raw\":\"", at_ms) < 0 ||
		    b64_encode(&s->raw, s->cur, s->n) < 0 || buf_putc(&s->raw, '"') < 0) {
			log_err("out of memory: a copy is lost");
			buf_reset(&s->raw);
			return;
		}
	} else {
		mark = s->polls.len;
		if (buf_printf(&s->polls, "%s{\"at_ms\":%lld,\"set\":", s->npolls ? "," : "",
		    at_ms) < 0 || (nr = p2shm_diff(&s->polls, s->last, s->cur, s->n,
		    P2SHM_MERGE)) < 0 || buf_putc(&s->polls, '}') < 0) {
			log_err("out of memory: a copy is lost");
			s->polls.len = mark;
			return;
		}
		s->npolls++;
		s->changed = 1;
	}
	memcpy(s->last, s->cur, s->n);
	s->have_last = 1;
}

static void
pc2shm_ready(void *arg, double now, long long backlog)
{
	struct pc2shm_src *s = arg;
	int rc;

	(void)backlog;
	if (s->view == NULL && now >= s->next_map) {
		s->next_map = now + P2SHM_RETRY;
		if ((rc = pc2shm_map(s)) > 0) {
			if ((s->n = p2shm_prefix(s->mapped)) == 0) {
				if (s->state != PC2SHM_SMALL)
					log_warn("pcars2-shm: %s is %zu bytes, smaller than the "
					    "%u of a \"Project CARS 2\" block; trying again every "
					    "%.0f s", P2_SHM_NAME, s->mapped, P2_SHM_MIN_SIZE,
					    P2SHM_RETRY);
				s->state = PC2SHM_SMALL;
				pc2shm_unmap(s);
			}
		} else if (rc == 0) {
			if (s->state != PC2SHM_NONE || !s->said_none)
				log_warn("no %s shared memory: is the game running with "
				    "Options > System > Shared Memory set to \"Project CARS 2\"? "
				    "Looking again every %.0f s", P2_SHM_NAME, P2SHM_RETRY);
			s->state = PC2SHM_NONE;
			s->said_none = 1;
		}
	}
	if (s->view != NULL && now >= s->next_poll) {
		pc2shm_poll(s, now);
		s->next_poll += 1.0 / s->cfg->pcars2_shm_hz;
		if (s->next_poll <= now)
			s->next_poll = now + 1.0 / s->cfg->pcars2_shm_hz;
	}
	if (now >= s->next_frame) {
		pc2shm_flush(s, time_now());
		s->next_frame += P2SHM_FRAME_EVERY;
		if (s->next_frame <= now)
			s->next_frame = now + P2SHM_FRAME_EVERY;
	}
}

static unsigned
pc2shm_wait(void *arg, double now, long long backlog, os_sock *socks, unsigned max,
    double *timeout)
{
	struct pc2shm_src *s = arg;
	double next = s->next_frame;

	(void)backlog;
	(void)socks;
	(void)max;
	if (s->view != NULL && s->next_poll < next)
		next = s->next_poll;
	if (s->view == NULL && s->next_map < next)
		next = s->next_map;
	if (next - now < *timeout)
		*timeout = next - now;
	return 0;
}

static int
pc2shm_finished(void *arg, int *status)
{
	(void)arg;
	(void)status;
	return 0;
}

static void
pc2shm_leave(void *arg, double now)
{
	struct pc2shm_src *s = arg;

	(void)now;
	pc2shm_flush(s, time_now());
}

static void
pc2shm_status(void *arg, char *out, size_t outsz)
{
	struct pc2shm_src	*s = arg;
	const struct p2_shm	*d = s->dec;
	struct buf		 b = { 0 };
	double			 now = time_mono();
	static const char *const sessions[] = { "", "practice", "test", "qualifying",
	    "formation lap", "race", "time attack" };

	switch (s->state) {
	case PC2SHM_NONE:
		snprintf(out, outsz, "no %s shared memory: is the game running with Options > "
		    "System > Shared Memory set to \"Project CARS 2\"?", P2_SHM_NAME);
		return;
	case PC2SHM_SMALL:
		snprintf(out, outsz, "%s is too small (%zu bytes) to be the game's block; "
		    "trying again", P2_SHM_NAME, s->mapped);
		return;
	case PC2SHM_VERSION:
		snprintf(out, outsz, "%s is version %u, which this client does not read; trying "
		    "again", P2_SHM_NAME, s->version);
		return;
	default:
		break;
	}
	buf_printf(&b, "pcars2-shm: version %u, %zu bytes, %d looks/s", s->version, s->n,
	    s->cfg->pcars2_shm_hz);
	if (s->state == PC2SHM_TORN)
		buf_printf(&b, ", the last look found the game writing");
	if (s->unchanged_since > 0 && now - s->unchanged_since >= 2)
		buf_printf(&b, ", nothing changes for %.0f s (the game paused or in its "
		    "menus): no frames", now - s->unchanged_since);
	if (s->have_dec) {
		if (d->game_state == P2G_FRONT_END || d->game_state == P2G_MENU_TICKING)
			buf_printf(&b, ", in the menus");
		else if (d->game_state == P2G_EXITED)
			buf_printf(&b, ", the game exited");
		buf_printf(&b, ", %d cars", d->num);
		if (d->location[0] != '\0')
			buf_printf(&b, ", %s%s%s", d->location, d->variation[0] ? " " : "",
			    d->variation);
		if (d->session_state < sizeof(sessions) / sizeof(sessions[0]) &&
		    sessions[d->session_state][0] != '\0')
			buf_printf(&b, ", %s", sessions[d->session_state]);
	}
	buf_printf(&b, "; %lld frames, %lld torn", s->frames, s->torn);
	snprintf(out, outsz, "%s", b.p ? b.p : "pcars2-shm");
	buf_free(&b);
}

static void
pc2shm_close(void *arg)
{
	struct pc2shm_src *s = arg;

	if (s == NULL)
		return;
	if (s->looks > 0)
		log_info("pcars2-shm: %lld looks, %lld torn, %lld waited for the game, %lld frames",
		    s->looks, s->torn, s->busy, s->frames);
	pc2shm_unmap(s);
	buf_free(&s->raw);
	buf_free(&s->polls);
	free(s->cur);
	free(s->last);
	free(s->dec);
	free(s);
}

/* Opens the source; the block is mapped when it is there. 1, or 0 (logged). */
static int
pc2shm_open(void **out, const struct config *cfg, const struct client_ident *id,
    struct http *http, struct src_queue *q)
{
	struct pc2shm_src *s;

	(void)id;
	(void)http;
	if ((*out = s = calloc(1, sizeof(*s))) == NULL) {
		log_err("out of memory");
		return 0;
	}
	s->cfg = cfg;
	s->q = q;
	if ((s->cur = malloc(P2_SHM_V14_SIZE)) == NULL ||
	    (s->last = malloc(P2_SHM_V14_SIZE)) == NULL ||
	    (s->dec = malloc(sizeof(*s->dec))) == NULL) {
		log_err("out of memory");
		return 0;
	}
	if (!CLIENT_WINDOWS) {
		log_err("--source pcars2-shm: the game's shared memory is read on Windows only");
		return 0;
	}
	s->next_map = s->next_poll = time_mono();
	s->next_frame = s->next_map + P2SHM_FRAME_EVERY;
	log_info("looking for %s %d times a second", P2_SHM_NAME, cfg->pcars2_shm_hz);
	return 1;
}

const struct source src_pcars2_shm = {
	"pcars2",
	pc2shm_open,
	pc2shm_wait,
	pc2shm_ready,
	src_no_done,
	pc2shm_finished,
	pc2shm_leave,
	pc2shm_status,
	pc2shm_close,
};
