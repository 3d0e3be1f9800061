/*
 * What the standings of a live session show besides the stored values:
 * class colour keys, gaps and intervals by session type, the status as a
 * person reads it, fuel/VE with a low-level warning, tyres, lap progress.
 * static/live.js computes the same from the live events.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fcgi.h"
#include "tmpl.h"

#define LOW_FUEL 0.1	/* fraction of a tank (or of the energy) */

/* "GT3" → "gt3", "LMP2_ELMS" → "lmp2elms": the class's CSS key. */
void
standings_class_key(const char *cls, char *out, size_t outsz)
{
	size_t n = 0;

	for (; cls != NULL && *cls && n + 1 < outsz; cls++)
		if (isalnum((unsigned char)*cls))
			out[n++] = (char)tolower((unsigned char)*cls);
	out[n] = '\0';
}

/* The status as the page names it, and its CSS key. */
static void
standings_status(const cJSON *row, const char **label, const char **key)
{
	const char *st = view_str(row, "status"), *ps = view_str(row, "pit_state");

	*label = "";		/* running: the normal case, left blank */
	*key = "running";
	if (st == NULL)
		return;
	if (strcmp(st, "dnf") == 0 || strcmp(st, "dq") == 0) {
		*label = strcmp(st, "dnf") == 0 ? "DNF" : "DQ";
		*key = "out";
	} else if (strcmp(st, "finished") == 0) {
		*label = "finished";
		*key = "finished";
	} else if (strcmp(st, "garage") == 0) {
		*label = "garage";
		*key = "garage";
	} else if (strcmp(st, "left") == 0) {
		*label = "left";
		*key = "out";
	} else if (ps != NULL && strcmp(ps, "ENTERING") == 0) {
		*label = "in lane";
		*key = "lane";
	} else if (ps != NULL && strcmp(ps, "STOPPED") == 0) {
		*label = "pit";
		*key = "pit";
	} else if (ps != NULL && strcmp(ps, "EXITING") == 0) {
		*label = "out lap";
		*key = "lane";
	}
}

/* "+1.234", "+2 L", or "" for the reference car. */
static void
gap_text(double t, double laps, char *out, size_t outsz)
{
	if (!isnan(laps) && laps >= 1)
		snprintf(out, outsz, "+%.0f L", laps);
	else if (!isnan(t) && t > 0 && outsz > 1) {
		out[0] = '+';
		tmpl_time(out + 1, outsz - 1, t);
	}
	else
		out[0] = '\0';
}

/* "MMMM" → "M", "MMSS" → "MM/SS". */
static void
tyres_text(const char *t, char *out, size_t outsz)
{
	size_t n = t ? strlen(t) : 0;

	out[0] = '\0';
	if (n == 4 && t[0] == t[1] && t[1] == t[2] && t[2] == t[3])
		snprintf(out, outsz, "%c", t[0]);
	else if (n == 4)
		snprintf(out, outsz, "%.2s/%.2s", t, t + 2);
	else if (n > 0)
		snprintf(out, outsz, "%s", t);
}

/*
 * Adds to a session view what its standings show: "race", and per row
 * "cls_key", "gap_text", "int_text" (race: to the leader and the car
 * ahead; other sessions: best lap to the fastest and to the car ahead),
 * "status_label", "status_key", "fuel_text", "low_fuel", "tyres_text",
 * "progress_pct"; "cls_key" on each class best.
 */
void
standings_decorate(cJSON *o)
{
	const char	*type = view_str(o, "type");
	int		 race = hist_kind(type) == SK_RACE;
	cJSON		*rows = cJSON_GetObjectItemCaseSensitive(o, "standings"), *r, *b;
	double		 fastest = NAN, prev_best = NAN;
	char		 key[32], txt[48];

	cJSON_AddBoolToObject(o, "race", race);
	cJSON_ArrayForEach(r, rows) {
		double best = view_num(r, "best");
		if (best > 0 && (isnan(fastest) || best < fastest))
			fastest = best;
	}
	cJSON_ArrayForEach(r, rows) {
		const char *label, *skey;
		double best = view_num(r, "best"), fuel = view_num(r, "fuel"), ve = view_num(r, "ve");

		standings_class_key(view_str(r, "class"), key, sizeof(key));
		cJSON_AddStringToObject(r, "cls_key", key);
		if (race) {
			gap_text(view_num(r, "gap"), view_num(r, "gap_laps"), txt, sizeof(txt));
			cJSON_AddStringToObject(r, "gap_text", view_num(r, "position") == 1 ? "" : txt);
			gap_text(view_num(r, "interval"), view_num(r, "interval_laps"), txt, sizeof(txt));
			cJSON_AddStringToObject(r, "int_text", view_num(r, "position") == 1 ? "" : txt);
		} else {
			gap_text(best > 0 ? best - fastest : NAN, NAN, txt, sizeof(txt));
			cJSON_AddStringToObject(r, "gap_text", txt);
			gap_text(best > 0 && prev_best > 0 ? best - prev_best : NAN, NAN, txt,
			    sizeof(txt));
			cJSON_AddStringToObject(r, "int_text", txt);
			if (best > 0)
				prev_best = best;
		}
		standings_status(r, &label, &skey);
		cJSON_AddStringToObject(r, "status_label", label);
		cJSON_AddStringToObject(r, "status_key", skey);
		txt[0] = '\0';
		if (fuel >= 0 && !isnan(fuel))
			snprintf(txt, sizeof(txt), "%.0f%%", fuel * 100.0);
		if (ve >= 0 && !isnan(ve))
			snprintf(txt + strlen(txt), sizeof(txt) - strlen(txt), "%s%.0f%%",
			    txt[0] ? " · " : "VE ", ve * 100.0);
		cJSON_AddStringToObject(r, "fuel_text", txt);
		cJSON_AddBoolToObject(r, "low_fuel", (fuel > 0 && fuel < LOW_FUEL) ||
		    (ve > 0 && ve < LOW_FUEL));
		tyres_text(view_str(r, "tyres"), txt, sizeof(txt));
		cJSON_AddStringToObject(r, "tyres_text", txt);
		double pr = view_num(r, "progress");
		if (!isnan(pr))
			cJSON_AddNumberToObject(r, "progress_pct", round(pr * 100.0));
	}
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(o, "bests")) {
		standings_class_key(view_str(b, "class"), key, sizeof(key));
		cJSON_AddStringToObject(b, "cls_key", key);
	}
}

/* The standings columns, in table order, as the timing page's chooser lists them. */
const struct standings_col standings_cols[STANDINGS_COLS] = {
	{ "pos", "Position", 1, 0 }, { "num", "Number", 1, 0 }, { "status", "Status", 1, 0 },
	{ "cpos", "Position in class", 1, CAP_CLASSES }, { "class", "Class", 1, CAP_CLASSES },
	{ "make", "Car", 0, 0 }, { "team", "Team", 1, CAP_TEAMS }, { "driver", "Driver", 1, 0 },
	{ "laps", "Laps", 1, 0 }, { "gap", "Gap", 1, 0 }, { "int", "Interval", 1, 0 },
	{ "best", "Best lap", 1, 0 }, { "last", "Last lap", 1, 0 }, { "s1", "S1", 1, 0 },
	{ "s2", "S2", 1, 0 }, { "s3", "S3", 1, 0 }, { "pits", "Pit stops", 1, CAP_PITS },
	{ "stint", "Stint laps", 1, CAP_PITS }, { "tyres", "Tyres", 1, CAP_COMPOUND },
	{ "fuel", "Fuel/VE", 1, CAP_FUEL | CAP_VE }, { "progress", "Lap progress", 1, 0 },
};

/* Column c's name in the chooser: fuel alone for a source without virtual energy. */
const char *
standings_col_label(const struct standings_col *c, const cJSON *session)
{
	if ((c->caps & CAP_VE) && !(source_caps_of(view_str(session, "sim")) & CAP_VE))
		return "Fuel";
	return c->label;
}

/* Whether the session's source reports what column c shows (lib/vocab.h's caps). */
int
standings_col_has(const struct standings_col *c, const cJSON *session)
{
	return c->caps == 0 || (source_caps_of(view_str(session, "sim")) & c->caps) != 0;
}
