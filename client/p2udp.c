/*
 * Project CARS 2 / Automobilista 2 UDP packets on the client side
 * (spec/pcars2.md): which of them a frame carries, and what they say of the
 * race for the status line. lib/pcars2.c classifies and decodes them; the
 * bytes go to the server as they came.
 *
 * Thinning: telemetry at most every P2UDP_TEL_GAP_MS, timings at most every
 * P2UDP_TIM_GAP_MS unless a participant's lap, sector, pit mode, race
 * state, active bit or position changed against the last timings kept;
 * every other known kind is kept. A kind neither revision sends is counted
 * and never kept.
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Starts the state; 1, -1 when memory runs out. p2udp_free() releases it. */
int
p2udp_init(struct p2udp *u)
{
	memset(u, 0, sizeof(*u));
	u->grid = -1;
	if ((u->pkt = malloc(sizeof(*u->pkt))) == NULL)
		return -1;
	return 1;
}

void
p2udp_free(struct p2udp *u)
{
	free(u->pkt);
	u->pkt = NULL;
}

/* What the thinning compares of one participant's timing. */
static void
p2udp_car(const struct p2_timing *t, struct p2udp_car *c)
{
	memset(c, 0, sizeof(*c));
	c->lap = t->current_lap;
	c->sector = t->sector;
	c->pit = t->pit_mode;
	c->state = t->race_state;
	c->position = t->position;
	c->active = t->active != 0;
}

/*
 * Whether timings tim say something the last kept ones did not: the
 * number of participants, or a lap, sector, pit mode, race state, active
 * bit or position.
 */
static int
p2udp_tim_changed(const struct p2udp *u, const struct p2_timings *tim)
{
	struct p2udp_car c;

	if (!u->have_tim || tim->num != u->tim_num)
		return 1;
	for (int i = 0; i < P2_UDP_CARS; i++) {
		p2udp_car(&tim->car[i], &c);
		if (memcmp(&c, &u->tim[i], sizeof(c)) != 0)
			return 1;
	}
	return 0;
}

static void
p2udp_tim_keep(struct p2udp *u, const struct p2_timings *tim, long long at_ms)
{
	u->have_tim = 1;
	u->tim_ms = at_ms;
	u->tim_num = tim->num;
	for (int i = 0; i < P2_UDP_CARS; i++)
		p2udp_car(&tim->car[i], &u->tim[i]);
}

/* Copies a name of at most P2_NAME bytes. */
static void
p2udp_name(char dst[P2_NAME + 1], const char *src)
{
	snprintf(dst, P2_NAME + 1, "%s", src);
}

/*
 * The names of a participants packet: part k holds participants 16k ..
 * 16k+15. The game counts parts from 0 or from 1: an index below the
 * count is taken as counted from 0 until a part numbered as the count shows
 * the game counts from 1 (then the names placed so far move down a part),
 * until a part 0 shows it counts from 0 again.
 * A new set (another changed-timestamp) starts an empty roster.
 */
static void
p2udp_roster(struct p2udp *u, const struct p2_packet *p)
{
	unsigned k = p->h.part_index;

	if (p->u.part.changed != u->roster_stamp) {
		memset(u->names, 0, sizeof(u->names));
		u->roster_stamp = p->u.part.changed;
	}
	if (k == 0)
		u->one_based = 0;
	else if (!u->one_based && k >= p->h.part_count) {
		u->one_based = 1;
		memmove(u->names[0], u->names[P2_PER_PACKET],
		    (P2_UDP_CARS - P2_PER_PACKET) * sizeof(u->names[0]));
		memset(u->names[P2_UDP_CARS - P2_PER_PACKET], 0,
		    P2_PER_PACKET * sizeof(u->names[0]));
	}
	if (k > 0 && (u->one_based || k >= p->h.part_count))
		k--;
	for (unsigned i = 0; i < P2_PER_PACKET; i++)
		if (k * P2_PER_PACKET + i < P2_UDP_CARS)
			p2udp_name(u->names[k * P2_PER_PACKET + i], p->u.part.name[i]);
}

/* What a decoded packet says for the status line. */
static void
p2udp_learn(struct p2udp *u, const struct p2_packet *p)
{
	switch (p->kind) {
	case P2K_RACE:
		u->have_race = 1;
		p2udp_name(u->location, p->u.race.location);
		p2udp_name(u->variation, p->u.race.variation);
		break;
	case P2K_GAME:
		u->have_game = 1;
		u->game_state = p->u.game.game_state;
		u->session_state = p->u.game.session_state;
		break;
	case P2K_PARTICIPANTS:
		p2udp_roster(u, p);
		break;
	case P2K_TIMINGS:
		u->grid = p->u.tim.num;
		break;
	case P2K_VEHICLES:
		/* a part not full pads with empty entries of index 0 */
		for (int i = 0; i < P2_PER_PACKET; i++)
			if (p->u.veh.v[i].index < P2UDP_VEHICLES && p->u.veh.v[i].name[0] != '\0')
				p2udp_name(u->vehicles[p->u.veh.v[i].index], p->u.veh.v[i].name);
		break;
	case P2K_CLASSES:
		u->classes = 0;
		for (int i = 0; i < P2_CLASSES; i++)
			if (p->u.cls.c[i].name[0] != '\0')
				u->classes++;
		break;
	default:
		break;
	}
}

/*
 * Takes one datagram that arrived at ms (milliseconds on a clock that only
 * goes forward): what it is, whether the frame carries it (thinning), and
 * what it says. Returns the verdict.
 */
enum p2udp_verdict
p2udp_take(struct p2udp *u, const void *raw, size_t len, long long at_ms)
{
	enum p2_rev	 rev;
	enum p2_kind	 kind;
	int		 keep = 1;

	u->received++;
	kind = p2_classify(raw, len, &rev);
	if (kind == P2K_UNKNOWN || p2_decode(raw, len, u->pkt) < 0) {
		u->unknown++;
		u->kinds[P2K_UNKNOWN]++;
		return P2UDP_UNKNOWN;
	}
	u->kinds[kind]++;
	u->have_rev = 1;
	u->rev = rev;
	p2udp_learn(u, u->pkt);
	if (kind == P2K_TELEMETRY) {
		keep = !u->have_tel || at_ms - u->tel_ms >= P2UDP_TEL_GAP_MS || at_ms < u->tel_ms;
		if (keep) {
			u->have_tel = 1;
			u->tel_ms = at_ms;
		}
	} else if (kind == P2K_TIMINGS) {
		keep = p2udp_tim_changed(u, &u->pkt->u.tim) ||
		    at_ms - u->tim_ms >= P2UDP_TIM_GAP_MS || at_ms < u->tim_ms;
		if (keep)
			p2udp_tim_keep(u, &u->pkt->u.tim, at_ms);
	}
	if (!keep) {
		u->thinned++;
		return P2UDP_THINNED;
	}
	u->kept++;
	return P2UDP_KEEP;
}

/*
 * Appends the frame's entry of a kept datagram: {"at_ms":N,"type":T,
 * "raw":"<base64>"}. Returns 1 or -1.
 */
int
p2udp_json(struct buf *b, long long at_ms, const void *raw, size_t len)
{
	const unsigned char *p = raw;

	if (buf_printf(b, "{\"at_ms\":%lld,\"type\":%u,\"raw\":\"", at_ms,
	    len > 10 ? p[10] : 0) < 0 || b64_encode(b, raw, len) < 0 ||
	    buf_puts(b, "\"}") < 0)
		return -1;
	return 1;
}

/* How many participants' names are known. */
int
p2udp_names(const struct p2udp *u)
{
	int n = 0;

	for (int i = 0; i < P2_UDP_CARS; i++)
		if (u->names[i][0] != '\0')
			n++;
	return n;
}

/* How many vehicle names are known. */
int
p2udp_vehicle_names(const struct p2udp *u)
{
	int n = 0;

	for (int i = 0; i < P2UDP_VEHICLES; i++)
		if (u->vehicles[i][0] != '\0')
			n++;
	return n;
}

/* The session the game state says, in words; "" when none is known. */
const char *
p2udp_session(const struct p2udp *u)
{
	static const char *const sessions[] = { "", "practice", "test", "qualifying",
	    "formation lap", "race", "time attack" };
	static const char *const states[] = { "game exited", "in the menus", "", "paused",
	    "in the menus", "restarting", "replay", "replay" };

	if (!u->have_game)
		return "";
	if (u->game_state < sizeof(states) / sizeof(states[0]) && states[u->game_state][0])
		return states[u->game_state];
	if (u->session_state < sizeof(sessions) / sizeof(sessions[0]))
		return sessions[u->session_state];
	return "";
}
