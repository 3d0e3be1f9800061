/*
 * Le Mans Ultimate's local REST API (spec/lmu-api.md, spec/lmu-schema/) as
 * it answers over the simulated weekend of race.c: the JSON shapes of the
 * real game, quirks included: the player car's fuelFraction reads 1.0,
 * pitState blips to NONE during a swap, EXITING out of the garage stays set
 * until the next line crossing, and the first seconds of a new session
 * still show the previous session's standings. Races have penalties (the
 * standings' count, the strategy's penalty stops) and full-course yellows
 * (gamePhase 6). What was simulated can be written as JSON (sim_truth()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakegame.h"

#define SIM_STALE	3.0		/* s a new session shows the old standings */

static const char *const sess_names[RS__MAX] = { "PRACTICE1", "QUALIFY1", "RACE1" };
static const char *const sched_names[RS__MAX] = { "PRACTICE", "QUALIFYING", "RACE" };
static const char *const pit_names[PIT__MAX] = { "NONE", "REQUEST", "ENTERING", "STOPPED",
	"EXITING" };

struct sim {
	struct race	*r;
	int		 online;	/* multiplayer teams present */
	int		 replay, loading;
	struct buf	 stale;		/* the last standings of the previous session */
	struct buf	 truth;		/* the sessions that ended, JSON objects */
};

static void sim_render_standings(struct race *, const struct view *, struct buf *);
static void sim_truth_session(struct race *, int complete, struct buf *);

/*
 * Creates the weekend. Returns 1 with *out (sim_free() releases it), 0 with
 * a message in err for bad options, -1 when memory runs out.
 */
int
sim_new(struct sim **out, const struct sim_opts *o, struct buf *err)
{
	struct sim	*g;
	struct race_opts ro = o->race;
	int		 rc;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->online = o->online;
	ro.incidents = 1;
	if ((rc = race_new(&g->r, &ro, err)) <= 0) {
		free(g);
		return rc;
	}
	*out = g;
	return 1;
}

void
sim_free(struct sim *g)
{
	if (g == NULL)
		return;
	race_free(g->r);
	buf_free(&g->stale);
	buf_free(&g->truth);
	free(g);
}

void
sim_set_flags(struct sim *g, int replay, int loading)
{
	g->replay = replay;
	g->loading = loading;
}

/* The slot of a car a player of the demo drives: which 0 or 1. */
int
sim_default_player(const struct sim *g, int which)
{
	return race_default_player(g->r, which);
}

double
sim_progress(const struct sim *g)
{
	return race_progress(g->r);
}

/*
 * Advances the weekend to t game seconds since it began (never backwards).
 * As the results give way to the next session, their standings are kept:
 * the game shows them for a moment in the new session.
 */
void
sim_advance(struct sim *g, double t)
{
	struct race	*s = g->r;
	int		 n = 0;

	while (s->t + RACE_DT <= t && n++ < 2000000) {
		enum race_state was = s->state;
		race_step(s);
		if (was == RST_RESULTS && s->state == RST_LOADING) {
			struct view spect = { -1, 0, 1 };
			buf_reset(&g->stale);
			sim_render_standings(s, &spect, &g->stale);
		} else if (was == RST_LOADING && s->state == RST_RUNNING)
			buf_reset(&g->stale);
		else if (was == RST_RUNNING && s->state == RST_RESULTS) {
			if (g->truth.len > 0)
				buf_putc(&g->truth, ',');
			sim_truth_session(s, 1, &g->truth);
		}
	}
}

/* Whether the view's game is in the current session. */
static int
sim_in_session(const struct race *s, const struct view *v)
{
	double p = race_progress(s);

	if (s->cur < 0 || s->state == RST_LOADING)
		return 0;
	return p >= v->join_at && (v->leave_at >= 1 || p < v->leave_at);
}

static const struct race_car *
sim_player(const struct race *s, const struct view *v)
{
	for (int i = 0; i < s->ncars; i++)
		if (s->cars[i].slot == v->slot)
			return &s->cars[i];
	return NULL;
}

static void
jstr(struct buf *b, const char *key, const char *val, int comma)
{
	buf_printf(b, "%s\"%s\":\"", comma ? "," : "", key);
	esc_json(b, val, strlen(val));
	buf_putc(b, '"');
}

static int
sim_phase(const struct race *s)
{
	enum race_sess kind = s->sessions[s->cur];
	double et = race_et(s);

	if (s->state != RST_RUNNING || et >= race_sess_len(s))
		return 8;
	if (kind != RS_RACE)
		return 5;
	return et < 10 ? 0 : et < 35 ? 2 : et < 52 ? 3 : et < s->green_at ? 4 :
	    race_fcy(s, et) ? 6 : 5;
}

static void
sim_render_session(struct sim *g, const struct view *v, struct buf *b)
{
	struct race		*s = g->r;
	const struct race_car	*p = sim_player(s, v);
	double			 et = race_et(s), len = race_sess_len(s);
	int			 phase = sim_phase(s);
	double			 amb = 21.0 + 2.0 * sin(s->t / 3000.0);

	buf_printf(b, "{\"ambientTemp\":%.3f,\"averagePathWetness\":0.0,\"currentEventTime\":%.1f,"
	    "\"darkCloud\":0.0,\"endEventTime\":%.1f,\"gameMode\":\"UNKNOWN\",\"gamePhase\":%d,"
	    "\"inRealtime\":%s,\"lapDistance\":%.3f,\"maxPathWetness\":0.0,\"maxPlayers\":%d,"
	    "\"maxTime\":%.1f,\"maximumLaps\":4294967295,\"minPathWetness\":0.0,"
	    "\"numRedLights\":4,\"numberOfPlayers\":%d,\"numberOfVehicles\":%d,"
	    "\"passwordProtected\":false",
	    amb, et, len, phase, p && p->driver == 0 ? "true" : "false", s->len,
	    g->online ? 40 : 1, len, g->online ? s->ncars : 1, s->ncars);
	jstr(b, "playerFileName", p ? p->drivers[0] : "Spectator", 1);
	jstr(b, "playerName", p ? p->drivers[0] : "Spectator", 1);
	buf_printf(b, ",\"raceCompletion\":{\"timeCompletion\":%.3f},\"raining\":0.0,"
	    "\"sectorFlag\":[\"UNKNOWN\",\"UNKNOWN\",\"UNKNOWN\"]", len > 0 ? fmin(et / len, 1.0) : -1);
	jstr(b, "serverName", g->online ? "Trackside Sim" : "", 1);
	buf_printf(b, ",\"serverPort\":%d", g->online ? 64297 : 0);
	jstr(b, "session", sess_names[s->sessions[s->cur]], 1);
	buf_printf(b, ",\"startEventTime\":%.1f,\"startLightFrame\":0,"
	    "\"timeRemainingInGamePhase\":%.3f", s->green_at, fmax(0, len - et));
	jstr(b, "trackName", s->track, 1);
	buf_printf(b, ",\"trackTemp\":%.4f,\"windSpeed\":{\"velocity\":1.2,\"x\":0.8,\"y\":0.0,"
	    "\"z\":-0.9},\"yellowFlagState\":\"NONE\"}", amb + 6.0);
}

static void
sim_render_gamestate(struct sim *g, const struct view *v, struct buf *b)
{
	struct race	*s = g->r;
	static const char *const gp[] = { "GPHASE_BEFORE", "GPHASE_FORMATION", "GPHASE_GREEN",
		"GPHASE_CHECKERED" };
	int		 in = sim_in_session(s, v), phase = in ? sim_phase(s) : 0;
	const struct race_car *p = in ? sim_player(s, v) : NULL;
	const char	*ms, *tvs;
	int		 driving = p && p->driver == 0 && !p->in_garage && !p->finished;

	if (!in)
		ms = s->state == RST_LOADING && race_progress(s) >= v->join_at &&
		    (v->leave_at >= 1 || race_progress(s) < v->leave_at) ? "LOADING" : "MONITOR_MENU";
	else if (g->loading)
		ms = "LOADING";
	else if (p && p->finished && s->sessions[s->cur] == RS_RACE)
		ms = "END_OF_RACE_GRACE";
	else
		ms = driving ? "DRIVING" : "MONITOR_MENU";
	tvs = p == NULL ? "NO VEHICLE" : p->driver == 0 ? "IN CONTROL" : "OTHER TEAMMATE DRIVING";
	buf_printf(b, "{\"MultiStintState\":\"%s\"", ms);
	if (in && p)
		buf_printf(b, ",\"PitEntryDist\":%.3f,\"PitState\":\"%s\"", s->len * 0.93,
		    pit_names[p->pit]);
	buf_printf(b, ",\"closeestWeatherNode\":{\"Duration\":-1,\"Humidity\":45,\"RainChance\":0,"
	    "\"Sky\":1,\"StartTime\":-1,\"Temperature\":%d,\"WindDirection\":0,\"WindSpeed\":1},"
	    "\"exitGarageState\":\"None\","
	    "\"gamePhase\":\"%s\",\"haveILoadedAllMyTiresYet\":%s,\"inControlOfVehicle\":%s,"
	    "\"inMonitor\":%s,\"isReplayActive\":%s,\"playerVehicleLoaded\":%s,"
	    "\"raceFinished\":%s,\"teamVehicleState\":\"%s\",\"timeOfDay\":%.1f}",
	    (int)(21.0 + 2.0 * sin(s->t / 3000.0)),
	    gp[phase >= 8 ? 3 : phase >= 5 ? 2 : phase >= 3 ? 1 : 0], p ? "true" : "false",
	    driving ? "true" : "false", driving ? "false" : "true", g->replay ? "true" : "false",
	    p ? "true" : "false", in && phase == 8 && s->sessions[s->cur] == RS_RACE ? "true" : "false",
	    tvs, fmod(43200.0 + s->t, 86400.0));
}

static void
sim_render_standings(struct race *s, const struct view *v, struct buf *b)
{
	static const char *const sectors[] = { "SECTOR1", "SECTOR2", "SECTOR3" };
	double et = race_et(s);

	buf_putc(b, '[');
	for (int i = 0; i < s->ncars; i++) {
		const struct race_car *c = &s->cars[i];
		struct race_pt p;
		double dx, dz, into = et - c->lap_start, speed;
		int player = c->slot == v->slot;
		int sector = c->cur[0] < 0 ? 0 : c->cur[1] < 0 ? 1 : 2;
		int parked = c->finished || c->dnf || c->pit == PIT_STOPPED || c->in_garage ||
		    et < s->green_at;
		/*
		 * lapStartET: the green flag for a car still on its way to the
		 * line; the chequered flag, where a lap begins as at every line
		 * crossing, for a car that took it, and the line for one that
		 * retired there.
		 */
		int ended = (c->flag || c->dnf) && c->finish_t >= 0;
		double lap_start = ended ? c->finish_t : into >= 0 ?
		    c->lap_start : et >= s->green_at ? s->green_at : 0.0;
		if (ended)
			into = et - c->finish_t;

		race_where(s, c->dist, &p, &dx, &dz);
		if (c->pit == PIT_ENTERING || c->pit == PIT_STOPPED || (c->out_lap && into < c->exit_at))
			p.x -= 18.0 * dz, p.z += 18.0 * dx;
		speed = parked ? 0.0 : c->out_lap && into < c->exit_at ? 22.0 :
		    s->len / c->lap_t * (0.85 + 0.3 * sin(c->dist / 180.0));
		buf_printf(b, "%s{\"attackMode\":{\"remainingCount\":0,\"timeRemaining\":0,"
		    "\"totalCount\":0},\"bestLapSectorTime1\":%.4f,\"bestLapSectorTime2\":%.4f,"
		    "\"bestLapTime\":%.4f,\"bestSectorTime1\":%.4f,\"bestSectorTime2\":%.4f,"
		    "\"carAcceleration\":{\"velocity\":%.3f,\"x\":%.3f,\"y\":0.0,\"z\":%.3f}",
		    i ? "," : "", c->best_s[0], c->best_s[1], c->best,
		    c->best_sec[0], c->best_sec[0] > 0 && c->best_sec[1] > 0 ?
		    c->best_sec[0] + c->best_sec[1] : -1.0,
		    parked ? 0.0 : 2.0, parked ? 0.0 : 1.4 * dx, parked ? 0.0 : 1.4 * dz);
		jstr(b, "carClass", race_klasses[c->klass].name, 1);
		jstr(b, "carId", c->team_id, 1);
		jstr(b, "carNumber", c->number, 1);
		buf_printf(b, ",\"carPosition\":{\"type\":-1,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f},"
		    "\"carVelocity\":{\"velocity\":%.3f,\"x\":%.3f,\"y\":0.0,\"z\":%.3f},"
		    "\"countLapFlag\":\"COUNT_LAP_AND_TIME\",\"currentSectorTime1\":%.4f,"
		    "\"currentSectorTime2\":%.4f",
		    p.x, p.y, p.z, speed, speed * dx, speed * dz, c->cur[0], c->cur[1]);
		jstr(b, "driverName", c->drivers[c->driver], 1);
		buf_printf(b, ",\"drsActive\":false,\"estimatedLapTime\":%.4f,\"finishStatus\":\"%s\","
		    "\"flag\":\"%s\",\"focus\":%s,\"fuelFraction\":%.4f",
		    c->best > 0 ? c->best : c->pace, c->dnf ? "FSTAT_DNF" : c->flag ?
		    "FSTAT_FINISHED" : "FSTAT_NONE", c->lead_laps >= 1 ? "BLUE" : "GREEN",
		    player ? "true" : "false", player ? 1.0 : fmax(0, c->fuel));
		jstr(b, "fullTeamName", c->team, 1);
		buf_printf(b, ",\"gamePhase\":\"%s\",\"hasFocus\":%s,\"headlights\":false,"
		    "\"inControl\":%d,\"inGarageStall\":%s,\"lapDistance\":%.3f,\"lapStartET\":%.3f,"
		    "\"lapsBehindClassLeader\":%d,\"lapsBehindLeader\":%d,\"lapsBehindNext\":%d,"
		    "\"lapsCompleted\":%d,\"lastLapTime\":%.4f,\"lastSectorTime1\":%.4f,"
		    "\"lastSectorTime2\":%.4f,\"pathLateral\":%.3f,\"penalties\":%d",
		    sim_phase(s) >= 5 ? "GREEN" : "FORMATION", player ? "true" : "false",
		    player ? 0 : 2, c->in_garage ? "true" : "false", fmod(c->dist, s->len),
		    lap_start, (int)c->gaps[2][1], (int)c->gaps[0][1], (int)c->gaps[1][1], c->laps,
		    c->last, c->last_s[0], c->last_s[1],
		    2.0 * sin(c->dist / 90.0 + c->slot), c->penalties);
		buf_printf(b, ",\"pitGroup\":\"Group%d\",\"pitLapDistance\":%.3f,\"pitState\":\"%s\","
		    "\"pitstops\":%d,\"pitting\":%s,\"player\":%s,\"position\":%d,"
		    "\"qualification\":%d,\"sector\":\"%s\",\"serverScored\":true,\"slotID\":%d,"
		    "\"steamID\":%lld,\"timeBehindClassLeader\":%.3f,\"timeBehindLeader\":%.3f,"
		    "\"timeBehindNext\":%.3f,\"timeIntoLap\":%.3f,\"trackEdge\":%.3f,"
		    "\"underYellow\":false,\"upgradePack\":\"00000000000000000000000000000000\","
		    "\"veFraction\":%.4f",
		    c->slot + 1, s->len * 0.95, pit_names[c->pit], c->pitstops > 0 ? c->pitstops : 0,
		    (c->pit >= PIT_ENTERING && c->pit <= PIT_STOPPED) || c->in_garage ? "true" : "false",
		    player ? "true" : "false", c->position, c->position, sectors[sector],
		    c->slot, c->steam_id, c->gaps[2][0], c->gaps[0][0], c->gaps[1][0],
		    fmax(0, into), 6.0, fmax(0, c->ve));
		jstr(b, "vehicleFilename", c->veh_file, 1);
		jstr(b, "vehicleName", c->veh_name, 1);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static void
sim_render_teams(struct race *s, struct buf *b)
{
	buf_printf(b, "{\"coherenceId\":%d,\"drivers\":{", 9800 + s->coherence);
	for (int i = 0; i < s->ncars; i++)
		for (int d = 0; d < s->cars[i].ndrivers; d++) {
			const struct race_car *c = &s->cars[i];
			buf_puts(b, i || d ? ",\"" : "\"");
			esc_json(b, c->drivers[d], strlen(c->drivers[d]));
			buf_puts(b, "\":{\"badge\":\"none\",\"isConnected\":true");
			jstr(b, "nationality", c->nats[d], 1);
			buf_puts(b, ",\"roles\":[\"Race Engineer\",\"Driver\"]");
			jstr(b, "teamId", c->team_id, 1);
			jstr(b, "teamName", c->team, 1);
			buf_printf(b, ",\"uniqueTeamId\":\"utid%d\"}", c->slot);
		}
	buf_puts(b, ",\"admin\":{\"isConnected\":true,\"nationality\":\"\",\"roles\":[\"Admin\"]}},"
	    "\"teams\":{");
	for (int i = 0; i < s->ncars; i++) {
		const struct race_car *c = &s->cars[i];
		buf_printf(b, "%s\"utid%d\":{", i ? "," : "", c->slot);
		jstr(b, "Id", c->team_id, 0);
		jstr(b, "carNumber", c->number, 1);
		buf_puts(b, ",\"drivers\":{");
		for (int d = 0; d < c->ndrivers; d++) {
			buf_puts(b, d ? ",\"" : "\"");
			esc_json(b, c->drivers[d], strlen(c->drivers[d]));
			buf_puts(b, "\":{\"badge\":\"none\"");
			jstr(b, "nationality", c->nats[d], 1);
			buf_puts(b, ",\"roles\":[\"Race Engineer\",\"Driver\"]}");
		}
		buf_putc(b, '}');
		jstr(b, "name", c->team, 1);
		jstr(b, "vehicle", c->veh_file, 1);
		buf_putc(b, '}');
	}
	buf_puts(b, "}}");
}

static void
sim_render_chat(struct race *s, struct buf *b)
{
	buf_putc(b, '[');
	for (int i = 0; i < s->nchat; i++) {
		unsigned long long ticks = (unsigned long long)((s->wall0 + s->chat[i].at) * 1e7);
		buf_puts(b, i ? ",{\"message\":\"" : "{\"message\":\"");
		esc_json(b, s->chat[i].text, strlen(s->chat[i].text));
		buf_printf(b, "\",\"timestamp\":%llu}", ticks);
	}
	buf_putc(b, ']');
}

static void
tyres_json(struct buf *b, int changed, int compound, int is_new, const double *usage)
{
	static const char *const comp[] = { "Soft", "Medium", "Hard" };
	static const char *const wheel[] = { "fl", "fr", "rl", "rr" };

	buf_putc(b, '{');
	for (int w = 0; w < 4; w++) {
		buf_printf(b, "%s\"%s\":{\"changed\":%s,\"compound\":\"%s\",\"new\":%s", w ? "," : "",
		    wheel[w], changed ? "true" : "false", comp[compound], is_new ? "true" : "false");
		if (usage)
			buf_printf(b, ",\"usage\":%.1f", usage[w]);
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
}

static void
sim_render_strategy(struct race *s, const struct view *v, struct buf *b)
{
	buf_putc(b, '[');
	for (int i = 0; i < s->ncars; i++) {
		const struct race_car *c = &s->cars[i];
		int player = c->slot == v->slot;
		buf_puts(b, i ? ",[\"" : "[\"");
		esc_json(b, c->team, strlen(c->team));
		buf_puts(b, "\",[{\"driver\":\"");
		esc_json(b, c->drivers[0], strlen(c->drivers[0]));
		buf_puts(b, "\",\"driverSwap\":false");
		if (player)
			buf_puts(b, ",\"fuel\":1.0");
		buf_puts(b, ",\"lap\":0,\"penalty\":false,\"previousStintDuration\":0.0,\"time\":0.0,"
		    "\"tyres\":");
		tyres_json(b, 0, 1, 1, player ? (const double[4]){ 0, 0, 0, 0 } : NULL);
		buf_puts(b, ",\"ve\":1.0}");
		for (int k = 0; k < c->nstops; k++) {
			const struct race_stop *st = &c->stops[k];
			buf_puts(b, ",{\"driver\":\"");
			esc_json(b, c->drivers[st->driver], strlen(c->drivers[st->driver]));
			buf_printf(b, "\",\"driverSwap\":%s", st->swap ? "true" : "false");
			if (player)
				buf_printf(b, ",\"fuel\":%.4f", st->fuel);
			buf_printf(b, ",\"lap\":%d,\"penalty\":%s,\"previousStintDuration\":%.3f,"
			    "\"time\":%.3f,\"tyres\":", st->lap, st->penalty ? "true" : "false",
			    st->prev_stint, st->time);
			tyres_json(b, st->tyres_changed, st->compound, st->tyres_changed,
			    player ? (const double[4]){ 0, 0, 0, 0 } : NULL);
			buf_printf(b, ",\"ve\":%.4f}", st->ve);
		}
		buf_puts(b, "]]");
	}
	buf_putc(b, ']');
}

static void
sim_render_usage(struct race *s, const struct view *v, struct buf *b)
{
	int first = 1;

	buf_putc(b, '{');
	for (int i = 0; i < s->ncars; i++) {
		const struct race_car *c = &s->cars[i];
		int player = c->slot == v->slot;
		for (int d = 0; d < c->ndrivers; d++) {
			int any = 0;
			for (int k = 0; k < c->nlaplog; k++)
				any |= c->laplog[k].driver == d;
			if (!any)
				continue;
			buf_puts(b, first ? "\"" : ",\"");
			first = 0;
			esc_json(b, c->drivers[d], strlen(c->drivers[d]));
			buf_puts(b, "\":[");
			int n = 0;
			for (int k = 0; k < c->nlaplog; k++) {
				const struct race_lap *r = &c->laplog[k];
				if (r->driver != d)
					continue;
				buf_printf(b, "%s{\"lap\":%d,\"pit\":%s,\"stint\":%d,\"ve\":%.4f", n++ ? "," : "",
				    k + 1, r->pit ? "true" : "false", r->stint, fmax(0, r->ve));
				if (player)
					buf_printf(b, ",\"fuel\":%.4f,\"tyres\":[%.1f,%.1f,%.1f,%.1f]",
					    fmax(0, r->fuel) * 100.0, 100 - r->wear[0], 100 - r->wear[1],
					    100 - r->wear[2], 100 - r->wear[3]);
				buf_putc(b, '}');
			}
			buf_putc(b, ']');
		}
	}
	buf_putc(b, '}');
}

static void
sim_render_history(struct race *s, struct buf *b)
{
	buf_putc(b, '{');
	for (int i = 0; i < s->ncars; i++) {
		const struct race_car *c = &s->cars[i];
		buf_printf(b, "%s\"%d\":[", i ? "," : "", c->slot);
		for (int k = 0; k < c->nlaplog; k++) {
			const struct race_lap *r = &c->laplog[k];
			buf_printf(b, "%s{", k ? "," : "");
			jstr(b, "carClass", race_klasses[c->klass].name, 0);
			jstr(b, "driverName", c->drivers[r->driver], 1);
			buf_printf(b, ",\"finishStatus\":\"FSTAT_NONE\",\"lapTime\":%.4f,\"pitting\":%s,"
			    "\"position\":%d,\"sectorTime1\":%.4f,\"sectorTime2\":%.4f,\"slotID\":%d,"
			    "\"totalLaps\":%d", r->time, r->pit ? "true" : "false", r->position, r->s1,
			    r->s1 > 0 && r->s2 > 0 ? r->s2 - r->s1 : -1.0, c->slot, k + 1);
			jstr(b, "vehicleName", c->veh_name, 1);
			buf_putc(b, '}');
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
}

static void
sim_render_trackmap(struct race *s, struct buf *b)
{
	int first = 1;

	buf_putc(b, '[');
	for (size_t i = 0; i < s->nline; i++, first = 0)
		buf_printf(b, "%s{\"type\":0,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", first ? "" : ",",
		    s->line[i].x, s->line[i].y, s->line[i].z);
	for (size_t i = 0; i < s->npit; i++)
		buf_printf(b, ",{\"type\":1,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", s->pitlane[i].x,
		    s->pitlane[i].y, s->pitlane[i].z);
	for (int i = 0; i < s->ncars && i < 104; i++) {
		/* grid boxes behind the line, staggered; pit boxes along the lane */
		struct race_pt p;
		double dx, dz, lat = i % 2 ? 4.0 : -4.0;
		race_where(s, s->len - 12.0 - 8.0 * i, &p, &dx, &dz);
		for (int k = 0; k < 2; k++)
			buf_printf(b, ",{\"type\":%d,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", 2 + i,
			    p.x - lat * dz + k * 3.0 * dx, p.y, p.z + lat * dx + k * 3.0 * dz);
	}
	for (int i = 0; i < s->ncars && i < 105; i++) {
		struct race_pt p;
		double dx, dz;
		race_where(s, s->len * 0.96 + 10.0 * i, &p, &dx, &dz);
		for (int k = 0; k < 2; k++)
			buf_printf(b, ",{\"type\":%d,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", 106 + i,
			    p.x - (24.0 + 4.0 * k) * dz, p.y, p.z + (24.0 + 4.0 * k) * dx);
	}
	buf_putc(b, ']');
}

/*
 * Answers endpoint ep as seen from view v. Returns the HTTP status; out
 * holds the body for 200.
 */
int
sim_render(struct sim *g, int ep, const struct view *v, struct buf *out)
{
	struct race	*s = g->r;
	int		 in = sim_in_session(s, v);

	switch (ep) {
	case EP_JOINSTATE:
		buf_puts(out, in && g->online ? "\"JOIN_JOINED_SERVER\"" : "\"JOIN_IDLE\"");
		return 200;
	case EP_GAMESTATE:
		sim_render_gamestate(g, v, out);
		return 200;
	case EP_PROFILE: {
		const struct race_car *p = sim_player(s, v);
		const char *name = p ? p->drivers[0] : "Spectator";
		buf_puts(out, "{\"language\":\"en\"");
		jstr(out, "name", name, 1);
		jstr(out, "nationality", p ? p->nats[0] : "", 1);
		jstr(out, "nick", name, 1);
		buf_printf(out, ",\"steamID\":\"%lld\"}", p ? p->steam_id : 76561198000000001LL);
		return 200;
	}
	default:
		break;
	}
	if (!in)
		return 503;
	switch (ep) {
	case EP_SESSIONINFO:
		sim_render_session(g, v, out);
		return 200;
	case EP_STANDINGS:
		if (race_et(s) < SIM_STALE && g->stale.len > 0) {
			buf_add(out, g->stale.p, g->stale.len);
			return 200;
		}
		sim_render_standings(s, v, out);
		return 200;
	case EP_TEAMS:
		if (!g->online)
			return 404;
		sim_render_teams(s, out);
		return 200;
	case EP_CHAT:
		sim_render_chat(s, out);
		return 200;
	case EP_STRATEGY:
		if (s->sessions[s->cur] != RS_RACE)
			return 404;
		sim_render_strategy(s, v, out);
		return 200;
	case EP_USAGE:
		sim_render_usage(s, v, out);
		return 200;
	case EP_HISTORY:
		sim_render_history(s, out);
		return 200;
	case EP_TRACKMAP:
		sim_render_trackmap(s, out);
		return 200;
	case EP_SCHEDULE:
		buf_puts(out, "{\"scheduledSessions\":[");
		for (int i = 0; i < s->nsess; i++)
			buf_printf(out, "%s{\"airTemp\":21,\"lengthTime\":%d,\"name\":\"%s\","
			    "\"rainChance\":0}", i ? "," : "", (int)s->o.minutes[s->sessions[i]],
			    sched_names[s->sessions[i]]);
		buf_puts(out, "]}");
		return 200;
	default:
		return 404;
	}
}

static void
truth_num(struct buf *b, const char *key, double v)
{
	if (v < 0)
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%.3f", key, v);
}

/*
 * What one car did in the session, as the truth says it: its laps, stops,
 * penalties and stints (a stint runs from the moment its driver takes the
 * car to the moment another does, or to the end of the last lap).
 */
static void
sim_truth_car(const struct race *s, const struct race_car *c, struct buf *b)
{
	static const char *const pen_names[PEN__MAX] = { "", "drive_through", "stop_go" };
	double	 from, end;
	int	 who;

	buf_printf(b, "{\"slot\":%d", c->slot);
	jstr(b, "number", c->number, 1);
	jstr(b, "class", race_klasses[c->klass].name, 1);
	jstr(b, "team", c->team, 1);
	buf_puts(b, ",\"drivers\":[");
	for (int d = 0; d < c->ndrivers; d++) {
		buf_puts(b, d ? ",\"" : "\"");
		esc_json(b, c->drivers[d], strlen(c->drivers[d]));
		buf_putc(b, '"');
	}
	buf_printf(b, "],\"laps_done\":%d,\"finished\":%s,\"dnf\":%s,\"burn\":%.6f,"
	    "\"ve_burn\":%.6f", c->laps, c->flag ? "true" : "false", c->dnf ? "true" : "false",
	    c->burn, c->ve_burn);
	buf_puts(b, ",\"laps\":[");
	for (int k = 0; k < c->nlaplog; k++) {
		const struct race_lap *r = &c->laplog[k];
		buf_printf(b, "%s{\"lap\":%d", k ? "," : "", k + 1);
		truth_num(b, "time", r->time);
		buf_printf(b, ",\"start\":%.3f,\"end\":%.3f", r->at - r->took, r->at);
		jstr(b, "driver", c->drivers[r->driver], 1);
		buf_printf(b, ",\"pit\":%s,\"fuel\":%.4f,\"ve\":%.4f}", r->pit ? "true" : "false",
		    r->fuel, r->ve);
	}
	buf_puts(b, "],\"stops\":[");
	for (int k = 0; k < c->nstops; k++) {
		const struct race_stop *st = &c->stops[k];
		buf_printf(b, "%s{\"lap\":%d,\"et\":%.3f,\"time\":%.3f,\"swap\":%s,\"penalty\":%s,"
		    "\"tyres\":%s", k ? "," : "", st->lap, st->at, st->time,
		    st->swap ? "true" : "false", st->penalty ? "true" : "false",
		    st->tyres_changed ? "true" : "false");
		jstr(b, "from", c->drivers[st->from], 1);
		jstr(b, "driver", c->drivers[st->driver], 1);
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"penalties\":[");
	for (int k = 0; k < c->npens; k++) {
		const struct race_penalty *p = &c->pens[k];
		/* laps as the lap under way: the laps completed and one */
		buf_printf(b, "%s{\"kind\":\"%s\",\"lap\":%d,\"et\":%.3f", k ? "," : "",
		    pen_names[p->kind], p->lap + 1, p->at);
		if (p->served_lap >= 0)
			buf_printf(b, ",\"served_lap\":%d,\"served_et\":%.3f}", p->served_lap + 1,
			    p->served_at);
		else
			buf_puts(b, ",\"served_lap\":null,\"served_et\":null}");
	}
	buf_puts(b, "],\"stints\":[");
	if (c->nlaplog > 0) {
		int n = 0;
		from = c->laplog[0].at - c->laplog[0].took;
		end = c->laplog[c->nlaplog - 1].at;
		who = c->laplog[0].driver;
		for (int k = 0; k <= c->nstops; k++) {
			const struct race_stop *st = k < c->nstops ? &c->stops[k] : NULL;
			double to = st ? st->at : end;
			if (st && !st->swap)
				continue;
			if (to > end)
				to = end;
			buf_printf(b, "%s{", n++ ? "," : "");
			jstr(b, "driver", c->drivers[who], 0);
			buf_printf(b, ",\"from\":%.3f,\"to\":%.3f,\"duration\":%.3f}", from, to,
			    fmax(0, to - from));
			if (st) {
				from = st->at;
				who = st->driver;
			}
		}
	}
	buf_puts(b, "]}");
}

/* One session of the truth: its kind, yellows and cars. */
static void
sim_truth_session(struct race *s, int complete, struct buf *b)
{
	static const char *const kinds[RS__MAX] = { "practice", "qualifying", "race" };

	buf_printf(b, "{\"type\":\"%s\",\"complete\":%s,\"length\":%.1f,\"green\":%.1f,"
	    "\"fcy\":[", kinds[s->sessions[s->cur]], complete ? "true" : "false",
	    race_sess_len(s), s->green_at);
	for (int i = 0; i < s->nfcy; i++)
		buf_printf(b, "%s{\"from\":%.3f,\"to\":%.3f}", i ? "," : "", s->fcy[i].from,
		    s->fcy[i].to);
	buf_puts(b, "],\"cars\":[");
	for (int i = 0; i < s->ncars; i++) {
		if (i)
			buf_putc(b, ',');
		sim_truth_car(s, &s->cars[i], b);
	}
	buf_puts(b, "]}");
}

/*
 * What was simulated, as JSON: every session that ended, and the one under
 * way (marked incomplete). Appends to out. Returns 1 when the weekend is
 * over (its last session ended), else 0.
 */
int
sim_truth(struct sim *g, struct buf *out)
{
	struct race *s = g->r;
	int open = s->cur >= 0 && s->state == RST_RUNNING;

	buf_printf(out, "{\"game\":\"lmu\",\"seed\":%u", s->o.seed);
	jstr(out, "track", s->track, 1);
	buf_printf(out, ",\"track_m\":%.1f,\"sessions\":[", s->len);
	buf_add(out, g->truth.p, g->truth.len);
	if (open) {
		if (g->truth.len > 0)
			buf_putc(out, ',');
		sim_truth_session(s, 0, out);
	}
	buf_puts(out, "]}\n");
	return s->state == RST_DONE || (s->state == RST_RESULTS && s->cur + 1 >= s->nsess);
}
