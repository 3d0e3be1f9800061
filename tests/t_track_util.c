/*
 * Helpers of the tracking tests and the tracking benchmark: recordings
 * read poll by poll, polls wrapped as the inbox records worker_apply()
 * takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t_track_util.h"

/* Reads one line into r->line. Returns 1, or 0 at the end. */
static int
rec_line(struct rec_reader *r)
{
	char chunk[65536];

	buf_reset(&r->line);
	while (gzgets(r->gz, chunk, sizeof(chunk)) != NULL) {
		size_t n = strlen(chunk);
		buf_add(&r->line, chunk, n);
		if (n > 0 && chunk[n - 1] == '\n')
			return 1;
	}
	return r->line.len > 0;
}

/*
 * Opens a recording and reads its header. Returns 1, or 0 when it cannot
 * be read or is not a recording; rec_close() releases it.
 */
int
rec_open(struct rec_reader *r, const char *path)
{
	const char *c;

	memset(r, 0, sizeof(*r));
	if ((r->gz = gzopen(path, "rb")) == NULL)
		return 0;
	gzbuffer(r->gz, 1 << 17);
	if (!rec_line(r) || strstr(r->line.p, "\"lmu-recording\"") == NULL)
		return 0;
	if ((c = strstr(r->line.p, "\"created\":\"")) != NULL) {
		char iso[40];
		snprintf(iso, sizeof(iso), "%.24s", c + 11);
		if (!time_iso_parse(iso, &r->created))
			r->created = 0;
	}
	return 1;
}

/*
 * Reads the next poll: r->t and r->responses (pointing into r->line).
 * Returns 1, or 0 at the end.
 */
int
rec_next(struct rec_reader *r)
{
	const char *p, *resp;
	size_t len;

	while (rec_line(r)) {
		p = r->line.p;
		len = r->line.len;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (strncmp(p, "{\"t\":", 5) != 0 ||
		    (resp = strstr(p, "\"responses\":")) == NULL || p[len - 1] != '}')
			continue;
		r->t = strtod(p + 5, NULL);
		r->responses = resp + 12;
		r->rlen = (size_t)(p + len - 1 - r->responses);
		return 1;
	}
	r->eof = 1;
	return 0;
}

void
rec_close(struct rec_reader *r)
{
	if (r->gz != NULL)
		gzclose(r->gz);
	buf_free(&r->line);
	memset(r, 0, sizeof(*r));
}

/*
 * Writes an inbox record "<header>\n<frame>" for one poll of client at
 * wall time at into out (reset first).
 */
void
rec_frame(struct buf *out, const char *client, long long seq, double at, const char *responses,
    size_t rlen)
{
	char iso[32];

	time_iso(at, iso);
	buf_reset(out);
	buf_printf(out, "{\"token\":0,\"received_at\":%.3f}\n{\"v\":1,\"client\":{\"id\":\"%s\","
	    "\"name\":\"%s\",\"version\":\"test\"},\"seq\":%lld,\"captured_at\":\"%s\","
	    "\"source\":\"lmu\",\"data\":", at, client, client, seq, iso);
	buf_add(out, responses, rlen);
	buf_putc(out, '}');
}

/* The recordings directory: $top_srcdir/../shared/data/recordings. */
const char *
data_dir(void)
{
	static char dir[4096];
	const char *top = getenv("top_srcdir");

	snprintf(dir, sizeof(dir), "%s/../shared/data/recordings", top ? top : ".");
	return dir;
}

/* A frame of a session: type at ET et, online or not; no cars yet. */
void
tobs_session(struct tobs *b, const char *type, double et, int online)
{
	memset(b, 0, sizeof(*b));
	b->o.has_session = 1;
	b->o.type = type;
	b->o.track = "Test Ring";
	b->o.server = online ? "Test Server" : "";
	b->o.port = online ? 64297 : 0;
	b->o.online = online;
	b->o.has_teams = online;
	b->o.et = et;
	b->o.phase = PHASE_GREEN;
	b->o.end_et = 3600;
	b->o.remaining = 3600 - et;
	b->o.air = 20;
	b->o.track_temp = 25;
	b->o.rain = 0;
	b->o.wetness = 0;
	b->o.coherence = -1;
	b->o.cars = b->cars;
	b->o.has_standings = 1;
	b->o.entries = b->entries;
	b->o.members = b->members;
	b->o.chat = b->chat;
	b->o.stops = b->stops;
	b->o.usage = b->usage;
	b->o.hist = b->hist;
}

/* A car in the frame, running on track in class GT3. */
struct obs_car *
tobs_car(struct tobs *b, int slot, const char *veh, const char *driver, int laps)
{
	struct obs_car *c = &b->cars[b->o.ncars++];

	memset(c, 0, sizeof(*c));
	c->slot = slot;
	snprintf(c->veh_buf, sizeof(c->veh_buf), "%s", veh);
	c->veh = c->veh_buf;
	c->vehicle_name = veh;
	c->number = "1";
	c->team = veh;
	c->cls = "GT3";
	c->driver = driver;
	c->position = (int)b->o.ncars;
	c->laps = laps;
	c->last = c->last_s1 = c->last_s2 = c->cur_s1 = c->cur_s2 = c->best = -1;
	c->fuel = 0.5;
	c->ve = -1;
	c->lap_start_et = -1;
	c->sector = 1;
	return c;
}

/* An entry list row with one member (driver role). */
struct obs_entry *
tobs_entry(struct tobs *b, int utid, const char *veh, const char *name, const char *member)
{
	struct obs_entry	*e = &b->entries[b->o.nentries++];
	struct obs_member	*m = &b->members[b->o.nmembers];

	memset(e, 0, sizeof(*e));
	e->utid = utid;
	e->team_id = "7";
	e->number = "1";
	e->name = name;
	snprintf(e->veh, sizeof(e->veh), "%s", veh);
	e->member0 = b->o.nmembers;
	if (member != NULL) {
		m->name = member;
		m->badge = "sr-clean";
		m->nationality = "FR";
		m->roles = ROLE_DRIVER | ROLE_ENGINEER;
		b->o.nmembers++;
		e->nmembers = 1;
	}
	return e;
}

void
tobs_chat(struct tobs *b, long long ts, const char *text)
{
	b->o.has_chat = 1;
	b->chat[b->o.nchat].ts = ts;
	b->chat[b->o.nchat].text = text;
	b->o.nchat++;
}

/* Feeds the frame of client at server time at (the client's clock agrees). */
enum drop
tfeed(struct track *t, const char *client, double at, struct tobs *b, struct tsession **s)
{
	struct track_in	 in;
	struct tsession	*dummy;
	static long long seq;

	memset(&in, 0, sizeof(in));
	in.client = client;
	in.seq = ++seq;
	in.received_at = at;
	in.captured_at = at;
	in.sim = "lmu";
	track_changes_reset(t);
	return track_frame(t, &in, &b->o, s ? s : &dummy);
}

/* How many changes of type the last frame produced. */
int
tcount(const struct track *t, enum change_type type)
{
	int n = 0;

	for (size_t i = 0; i < t->nch; i++)
		n += t->ch[i].type == type;
	return n;
}
