/*
 * Exports of a session: GET /sessions/{id}/results.csv (the final
 * standings), /sessions/{id}/results.xml (the same in the rFactor 2 results
 * format, for Simresults), /sessions/{id}/laps.csv (every lap of every car)
 * and /api/v1/sessions/{id}/export (the whole session as one JSON document:
 * header, results, cars with their laps and pit stops, chat). Times are
 * seconds with millisecond precision; unknown is an empty CSV field or null.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"

#define EXPORT_FORMAT	"trackside-session"
#define EXPORT_VERSION	1

/*
 * What a CSV column takes from each JSON row, and the caps of lib/vocab.h
 * it needs (0: none): an export leaves out what its session's source does
 * not report.
 */
enum csv_kind { CSV_TEXT, CSV_INT, CSV_SECONDS, CSV_BOOL, CSV__MAX };
struct csv_col {
	const char	*key;
	enum csv_kind	 kind;
	unsigned	 caps;
};

static const struct csv_col results_cols[] = {
	{ "position", CSV_INT, 0 }, { "class_position", CSV_INT, CAP_CLASSES },
	{ "class", CSV_TEXT, CAP_CLASSES }, { "number", CSV_TEXT, 0 }, { "team", CSV_TEXT, 0 },
	{ "vehicle", CSV_TEXT, 0 }, { "veh", CSV_TEXT, 0 }, { "laps", CSV_INT, 0 },
	{ "time", CSV_SECONDS, 0 }, { "gap", CSV_SECONDS, 0 }, { "gap_laps", CSV_INT, 0 },
	{ "best", CSV_SECONDS, 0 }, { "best_lap", CSV_INT, 0 }, { "best_driver", CSV_TEXT, 0 },
	{ "best_s1", CSV_SECONDS, 0 }, { "best_s2", CSV_SECONDS, 0 }, { "best_s3", CSV_SECONDS, 0 },
	{ "pits", CSV_INT, CAP_PITS }, { "tyres", CSV_TEXT, CAP_COMPOUND },
	{ "status", CSV_TEXT, 0 }, { "finish", CSV_TEXT, 0 }, { "drivers", CSV_TEXT, 0 },
};

static const struct csv_col laps_cols[] = {
	{ "car", CSV_INT, 0 }, { "slot", CSV_INT, 0 }, { "number", CSV_TEXT, 0 },
	{ "team", CSV_TEXT, 0 }, { "class", CSV_TEXT, CAP_CLASSES }, { "lap", CSV_INT, 0 },
	{ "time", CSV_SECONDS, 0 }, { "s1", CSV_SECONDS, 0 }, { "s2", CSV_SECONDS, 0 },
	{ "s3", CSV_SECONDS, 0 }, { "driver", CSV_TEXT, 0 }, { "valid", CSV_BOOL, 0 },
	{ "pit", CSV_BOOL, CAP_PITS }, { "position", CSV_INT, 0 },
	{ "fuel", CSV_SECONDS, CAP_FUEL }, { "ve", CSV_SECONDS, CAP_VE },
	{ "tyres", CSV_TEXT, CAP_COMPOUND }, { "start_et", CSV_SECONDS, 0 },
};

/* Whether a source with caps reports column c. */
static int
csv_has(const struct csv_col *c, unsigned caps)
{
	return c->caps == 0 || (c->caps & caps) != 0;
}

/* The caps of session s's source (every cap for one we do not know). */
static unsigned
export_caps(const cJSON *s)
{
	const cJSON *sim = cJSON_GetObjectItemCaseSensitive(s, "sim");

	return source_caps_of(cJSON_IsString(sim) ? sim->valuestring : NULL);
}

/* Removes from row o the members of cols its source does not report. */
static void
export_drop(cJSON *o, const struct csv_col *cols, size_t n, unsigned caps)
{
	for (size_t i = 0; i < n; i++)
		if (!csv_has(&cols[i], caps))
			cJSON_DeleteItemFromObjectCaseSensitive(o, cols[i].key);
}

/* One CSV line of row o: the columns of cols the source reports, comma-separated. */
static int
csv_line(struct buf *b, const cJSON *o, const struct csv_col *cols, size_t n, unsigned caps)
{
	int rc = 1, first = 1;

	for (size_t i = 0; i < n && rc > 0; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, cols[i].key);
		if (!csv_has(&cols[i], caps))
			continue;
		if (!first)
			rc = buf_putc(b, ',');
		first = 0;
		if (rc < 0 || v == NULL || cJSON_IsNull(v))
			continue;
		if (cJSON_IsString(v))
			rc = esc_csv(b, v->valuestring, strlen(v->valuestring));
		else if (cJSON_IsBool(v))
			rc = buf_putc(b, cJSON_IsTrue(v) ? '1' : '0');
		else if (cJSON_IsNumber(v) && cols[i].kind == CSV_SECONDS)
			rc = buf_printf(b, "%.3f", v->valuedouble);
		else if (cJSON_IsNumber(v))
			rc = buf_printf(b, "%lld", (long long)llround(v->valuedouble));
	}
	return rc < 0 ? rc : buf_puts(b, "\r\n");
}

static int
csv_header(struct buf *b, const struct csv_col *cols, size_t n, unsigned caps)
{
	int first = 1;

	for (size_t i = 0; i < n; i++) {
		if (!csv_has(&cols[i], caps))
			continue;
		if (buf_printf(b, "%s%s", first ? "" : ",", cols[i].key) < 0)
			return -1;
		first = 0;
	}
	return buf_puts(b, "\r\n");
}

static void
csv_answer(struct resp *resp, const char *id, const char *what)
{
	resp->status = 200;
	resp->ctype = "text/csv; charset=utf-8";
	resp_header(resp, "Content-Disposition", "attachment; filename=\"%s-%s.csv\"", id, what);
}

/*
 * The final standings of session id: header fields the results need, then
 * results_load(). Returns a new array (caller frees), NULL after answering.
 */
static cJSON *
export_results(struct req *req, struct resp *resp, const char *id, cJSON **session)
{
	cJSON *s = hist_session(req, resp, id), *t, *r;

	*session = s;
	if (s == NULL)
		return NULL;
	t = cJSON_GetObjectItemCaseSensitive(s, "type");
	r = results_load(req, resp, id, cJSON_IsString(t) ? t->valuestring : NULL);
	if (r == NULL) {
		cJSON_Delete(s);
		*session = NULL;
	}
	return r;
}

void
h_results_csv(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	cJSON		*s = NULL, *r = id ? export_results(req, resp, id, &s) : NULL, *el;

	if (r == NULL)
		return;
	buf_reset(&resp->body);
	csv_header(&resp->body, results_cols, sizeof(results_cols) / sizeof(results_cols[0]),
	    export_caps(s));
	cJSON_ArrayForEach(el, r) {
		/* drivers: "name;name" in order of first appearance */
		struct buf names = { 0 };
		cJSON *d;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(el, "drivers"))
			buf_printf(&names, "%s%s", names.len ? ";" : "",
			    cJSON_GetObjectItemCaseSensitive(d, "name")->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(el, "drivers");
		cJSON_AddStringToObject(el, "drivers", names.p ? names.p : "");
		buf_free(&names);
		csv_line(&resp->body, el, results_cols, sizeof(results_cols) / sizeof(results_cols[0]),
		    export_caps(s));
	}
	csv_answer(resp, id, "results");
	cJSON_Delete(r);
	cJSON_Delete(s);
}

/* Every lap of session id, in car (slot) and lap order, as JSON rows. */
static int
export_laps(sqlite3 *db, const char *id, cJSON *arr)
{
	static const char *const bools[] = { "valid", "pit" };
	sqlite3_stmt	*st;
	cJSON		*el;
	int		 n;

	if (sqlite3_prepare_v2(db, "SELECT c.id AS car, c.slot, c.number, c.team, c.class, "
	    "l.lap, l.time, l.s1, l.s2, l.s3, l.driver, l.valid, l.pit, l.position, l.fuel, l.ve, "
	    "l.tyres, l.start_et FROM laps l JOIN cars c ON c.id = l.car_id "
	    "WHERE c.session_id = ? ORDER BY c.slot, c.id, l.lap", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	n = json_rows(st, arr);
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, arr)
		view_bools(el, bools, 2);
	return n;
}

void
h_laps_csv(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	cJSON		*s, *laps, *el;

	if (id == NULL || (s = hist_session(req, resp, id)) == NULL)
		return;
	if ((laps = cJSON_CreateArray()) == NULL || export_laps(req->db, id, laps) < 0) {
		log_err("laps.csv %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The laps cannot be read now.");
	} else {
		buf_reset(&resp->body);
		csv_header(&resp->body, laps_cols, sizeof(laps_cols) / sizeof(laps_cols[0]),
		    export_caps(s));
		cJSON_ArrayForEach(el, laps)
			csv_line(&resp->body, el, laps_cols, sizeof(laps_cols) / sizeof(laps_cols[0]),
			    export_caps(s));
		csv_answer(resp, id, "laps");
	}
	cJSON_Delete(laps);
	cJSON_Delete(s);
}

/*
 * Moves the rows of flat (ordered by car) into the "key" array of the car
 * objects of cars that have the same "car", dropping the car field.
 */
static void
export_nest(cJSON *cars, cJSON *flat, const char *key)
{
	cJSON *c, *el;

	cJSON_ArrayForEach(c, cars) {
		double id = cJSON_GetObjectItemCaseSensitive(c, "car")->valuedouble;
		cJSON *arr = cJSON_AddArrayToObject(c, key);
		for (el = flat->child; el != NULL;) {
			cJSON *next = el->next;
			if (cJSON_GetObjectItemCaseSensitive(el, "car")->valuedouble == id) {
				cJSON_DetachItemViaPointer(flat, el);
				cJSON_DeleteItemFromObjectCaseSensitive(el, "car");
				cJSON_AddItemToArray(arr, el);
			}
			el = next;
		}
	}
}

void
h_export_api(struct req *req, struct resp *resp)
{
	static const char *const car_cols[] = { "slot", "number", "team", "class" };
	const char	*id = hist_session_arg(req, resp);
	sqlite3_stmt	*st = NULL;
	cJSON		*s = NULL, *r, *o = NULL, *cars, *flat = NULL, *el;
	unsigned	 caps;

	if (id == NULL || (r = export_results(req, resp, id, &s)) == NULL)
		return;
	caps = export_caps(s);
	cJSON_ArrayForEach(el, r)
		export_drop(el, results_cols, sizeof(results_cols) / sizeof(results_cols[0]), caps);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "format", EXPORT_FORMAT);
	cJSON_AddNumberToObject(o, "version", EXPORT_VERSION);
	cJSON_AddItemToObject(o, "session", s);
	cJSON_AddItemToObject(o, "results", r);
	cars = cJSON_AddArrayToObject(o, "cars");
	if (sqlite3_prepare_v2(req->db, "SELECT id AS car, slot, vehicle AS veh, "
	    "vehicle_name AS vehicle, number, team, class FROM cars WHERE session_id = ? "
	    "ORDER BY slot, id", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (json_rows(st, cars) < 0)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;
	if ((flat = cJSON_CreateArray()) == NULL || export_laps(req->db, id, flat) < 0)
		goto dberr;
	cJSON_ArrayForEach(el, flat) {
		for (size_t i = 0; i < sizeof(car_cols) / sizeof(car_cols[0]); i++)
			cJSON_DeleteItemFromObjectCaseSensitive(el, car_cols[i]);
		export_drop(el, laps_cols, sizeof(laps_cols) / sizeof(laps_cols[0]), caps);
	}
	export_nest(cars, flat, "laps");
	cJSON_Delete(flat);
	if ((flat = cJSON_CreateArray()) == NULL || pits_load(req->db, id, 0, flat) < 0)
		goto dberr;
	export_nest(cars, flat, "pits");
	if (sqlite3_prepare_v2(req->db, "SELECT ts / 10000000.0 AS ts, text, seen_at FROM chat WHERE session_id = ? "
	    "ORDER BY ts, seen_at", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (json_rows(st, cJSON_AddArrayToObject(o, "chat")) < 0)
		goto dberr;
	resp_header(resp, "Content-Disposition", "inline; filename=\"%s.json\"", id);
	resp_json(resp, 200, o);
	goto out;
dberr:
	log_err("export %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The session cannot be exported now.");
out:
	sqlite3_finalize(st);
	cJSON_Delete(flat);
	cJSON_Delete(o);
}

/*
 * GET /sessions/{id}/results.xml: the final results in the rFactor 2
 * results file format (what rF2 and LMU write to UserData/Log/Results and
 * what simresults.net reads), so a league can upload a session there.
 * Times are seconds with four decimals as rF2 writes them; an unknown or
 * invalid lap time is "--.----"; an unknown lap attribute is left out.
 */

/* The rF2 session element of a session type ("race1" → Race, "practice2" → Practice2). */
static void
rf2_session_name(const char *type, char *out, size_t outsz)
{
	enum session_kind	 k = SK_OTHER;
	int			 n = 1;

	(void)session_type_parse(type, &k, &n);	/* else a practice, as rF2 has no other */
	if (k == SK_RACE)
		snprintf(out, outsz, "Race");
	else if (k == SK_QUALIFY)
		snprintf(out, outsz, "Qualify");
	else if (k == SK_WARMUP)
		snprintf(out, outsz, "Warmup");
	else
		snprintf(out, outsz, "Practice%d", k == SK_PRACTICE && n > 0 ? n : 1);
}

/* Appends <name>text</name> (text escaped; nothing when text is NULL). */
static int
rf2_text(struct buf *b, const char *indent, const char *name, const char *text)
{
	if (text == NULL)
		return 1;
	if (buf_printf(b, "%s<%s>", indent, name) < 0 || esc_xml(b, text, strlen(text)) < 0)
		return -1;
	return buf_printf(b, "</%s>\n", name);
}

/*
 * rF2's FinishStatus of a result row, from its finish status and its last
 * status (results_finish()): what did not finish, retire or get
 * disqualified is "None".
 */
static const char *
rf2_finish(const cJSON *res)
{
	const char *f = results_finish(res);

	if (f == NULL)
		return "None";
	return strcmp(f, "dq") == 0 ? "DQ" : strcmp(f, "dnf") == 0 ? "DNF" : "Finished Normally";
}

/* Appends ' name="%.Nf"' when column i of st is a number. */
static int
rf2_attr(struct buf *b, sqlite3_stmt *st, int i, const char *name, int decimals)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 1;
	return buf_printf(b, " %s=\"%.*f\"", name, decimals, sqlite3_column_double(st, i));
}

/* Appends <Swap startLap endLap>driver</Swap>: rF2 counts a stint from the laps done before it. */
static int
rf2_swap(struct buf *b, int first, int last, const char *driver)
{
	if (buf_printf(b, "      <Swap startLap=\"%d\" endLap=\"%d\">", first - 1, last) < 0 ||
	    esc_xml(b, driver, strlen(driver)) < 0)
		return -1;
	return buf_puts(b, "</Swap>\n");
}

enum rf2_lap_col { RL_LAP, RL_POS, RL_ET, RL_TIME, RL_S1, RL_S2, RL_S3, RL_FUEL, RL_DRIVER,
	RL_VALID, RL_PIT, RL__MAX };

/*
 * The <Lap> elements of one car into laps and its <Swap> elements (one
 * per stint, only when the driver changed) into swaps; *name gets the
 * last driver (caller frees; NULL when no lap names one). st selects the
 * car's laps in order (rf2_lap_col); a lap's fuel only when the source
 * (caps) reports it. Returns 1 or -1.
 */
static int
rf2_laps(sqlite3_stmt *st, unsigned caps, struct buf *laps, struct buf *swaps, char **name)
{
	char	*cur = NULL;
	int	 rc, first = 0, last = 0, stints = 0;

	*name = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int		 lap = sqlite3_column_int(st, RL_LAP);
		const char	*drv = (const char *)sqlite3_column_text(st, RL_DRIVER);
		double		 t = sqlite3_column_double(st, RL_TIME);

		if (buf_printf(laps, "      <Lap num=\"%d\"", lap) < 0 ||
		    (sqlite3_column_type(st, RL_POS) != SQLITE_NULL &&
		    buf_printf(laps, " p=\"%d\"", sqlite3_column_int(st, RL_POS)) < 0) ||
		    rf2_attr(laps, st, RL_ET, "et", 4) < 0 || rf2_attr(laps, st, RL_S1, "s1", 4) < 0 ||
		    rf2_attr(laps, st, RL_S2, "s2", 4) < 0 || rf2_attr(laps, st, RL_S3, "s3", 4) < 0 ||
		    ((caps & CAP_FUEL) && rf2_attr(laps, st, RL_FUEL, "fuel", 3) < 0) ||
		    (sqlite3_column_int(st, RL_PIT) && buf_puts(laps, " pit=\"1\"") < 0))
			goto fail;
		if (sqlite3_column_type(st, RL_TIME) != SQLITE_NULL && t > 0 &&
		    sqlite3_column_int(st, RL_VALID))
			rc = buf_printf(laps, ">%.4f</Lap>\n", t);
		else
			rc = buf_puts(laps, ">--.----</Lap>\n");
		if (rc < 0)
			goto fail;
		if (drv == NULL || drv[0] == '\0') {
			last = lap;
			continue;
		}
		if (cur != NULL && strcmp(cur, drv) == 0) {
			last = lap;
			continue;
		}
		if (cur != NULL && rf2_swap(swaps, first, last, cur) < 0)
			goto fail;
		free(cur);
		if ((cur = strdup(drv)) == NULL)
			goto fail;
		first = last = lap;
		stints++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	if (stints > 1 && rf2_swap(swaps, first, last, cur) < 0)
		goto fail;
	if (stints <= 1)
		buf_reset(swaps);
	*name = cur;
	return 1;
fail:
	free(cur);
	return -1;
}

/*
 * One <Driver> element: the result row res of a car, its laps and stints,
 * its pit stops when the source (caps) reports them. Returns 1 or -1 (an
 * SQLite error or out of memory).
 */
static int
rf2_driver(struct buf *b, sqlite3_stmt *lst, sqlite3_stmt *dst, const cJSON *res, int race,
    unsigned caps)
{
	struct buf	 laps = { 0 }, swaps = { 0 };
	char		*name = NULL;
	const char	*veh = view_str(res, "veh"), *vname = view_str(res, "vehicle");
	double		 best = view_num(res, "best"), time = view_num(res, "time");
	long long	 car = (long long)view_num(res, "car");
	int		 rc = -1;

	sqlite3_reset(lst);
	sqlite3_bind_int64(lst, 1, car);
	if (rf2_laps(lst, caps, &laps, &swaps, &name) < 0)
		goto out;
	if (name == NULL) {
		/* no lap names a driver: whoever the car last showed */
		sqlite3_reset(dst);
		sqlite3_bind_int64(dst, 1, car);
		if (sqlite3_step(dst) == SQLITE_ROW && sqlite3_column_text(dst, 0) != NULL &&
		    (name = strdup((const char *)sqlite3_column_text(dst, 0))) == NULL)
			goto out;
	}
	if (vname == NULL)
		vname = veh;
	if (buf_puts(b, "    <Driver>\n") < 0 ||
	    rf2_text(b, "      ", "Name", name ? name : "") < 0 ||
	    (veh != NULL && (buf_puts(b, "      <VehFile>") < 0 || esc_xml(b, veh, strlen(veh)) < 0 ||
	    buf_puts(b, ".veh</VehFile>\n") < 0)) ||
	    rf2_text(b, "      ", "VehName", vname) < 0 ||
	    rf2_text(b, "      ", "CarType", vname) < 0 ||
	    rf2_text(b, "      ", "CarClass", view_str(res, "class")) < 0 ||
	    rf2_text(b, "      ", "CarNumber", view_str(res, "number")) < 0 ||
	    rf2_text(b, "      ", "TeamName", view_str(res, "team")) < 0 ||
	    buf_printf(b, "      <isPlayer>0</isPlayer>\n"
	    "      <Position>%d</Position>\n"
	    "      <ClassPosition>%d</ClassPosition>\n"
	    "      <LapRankIncludingDiscos>%d</LapRankIncludingDiscos>\n",
	    (int)view_num(res, "position"), (int)view_num(res, "class_position"),
	    (int)view_num(res, "position")) < 0 ||
	    buf_add(b, laps.p, laps.len) < 0 || buf_add(b, swaps.p, swaps.len) < 0 ||
	    (!isnan(best) && buf_printf(b, "      <BestLapTime>%.4f</BestLapTime>\n", best) < 0) ||
	    (race && !isnan(time) && buf_printf(b, "      <FinishTime>%.4f</FinishTime>\n", time) < 0) ||
	    buf_printf(b, "      <Laps>%d</Laps>\n", (int)view_num(res, "laps")) < 0 ||
	    ((caps & CAP_PITS) &&
	    buf_printf(b, "      <Pitstops>%d</Pitstops>\n", (int)view_num(res, "pits")) < 0) ||
	    rf2_text(b, "      ", "FinishStatus", rf2_finish(res)) < 0 ||
	    buf_puts(b, "    </Driver>\n") < 0)
		goto out;
	rc = 1;
out:
	free(name);
	buf_free(&laps);
	buf_free(&swaps);
	return rc;
}

/*
 * "<track>-<type>.xml" with everything but letters, digits, '.', '_' and
 * '-' turned into '-' (runs of them into one), for Content-Disposition.
 */
static void
rf2_filename(const char *track, const char *type, char *out, size_t outsz)
{
	char	 raw[256];
	size_t	 o = 0;

	snprintf(raw, sizeof(raw), "%s-%s", track ? track : "session", type ? type : "");
	for (const char *p = raw; *p && o + 5 < outsz; p++) {
		unsigned char c = (unsigned char)*p;
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (keep)
			out[o++] = (char)c;
		else if (o > 0 && out[o - 1] != '-')
			out[o++] = '-';
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	snprintf(out + o, outsz - o, ".xml");
}

/*
 * Answers results.xml: 404 for an unknown session, 409 (a page) while it is
 * not over, 503 when it cannot be read, else the document as a download.
 */
void
h_results_xml(struct req *req, struct resp *resp)
{
	enum { RX_SESSION, RX_LAPS, RX_DRIVER, RX__MAX };
	static const char *const sqls[RX__MAX] = {
		"SELECT track_length, max_time, max_laps FROM sessions WHERE id = ?",
		"SELECT lap, position, start_et, time, s1, s2, s3, fuel, driver, valid, pit "
		"FROM laps WHERE car_id = ? ORDER BY lap",
		"SELECT driver FROM car_state WHERE car_id = ?",
	};
	const char	*id = hist_session_arg(req, resp), *track, *type;
	sqlite3_stmt	*st[RX__MAX] = { NULL };
	cJSON		*s, *r = NULL, *el;
	struct buf	*b = &resp->body;
	char		 when[32] = "", elem[16], fname[160];
	double		 started;
	time_t		 t;
	struct tm	 tm;
	int		 race, over;

	if (id == NULL || (s = hist_session(req, resp, id)) == NULL)
		return;
	/* results exist when the session page shows them: over, or closed */
	track = view_str(s, "track");
	type = view_str(s, "type");
	over = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "finished")) ||
	    (view_str(s, "state") != NULL && strcmp(view_str(s, "state"), "closed") == 0);
	if (!over) {
		resp_error(resp, 409, "session_not_over", "This session is not over yet: its results "
		    "exist, and can be downloaded, once it has finished.");
		page_error(req, resp);
		cJSON_Delete(s);
		return;
	}
	if ((r = results_load(req, resp, id, type)) == NULL) {
		cJSON_Delete(s);
		return;
	}
	for (int i = 0; i < RX__MAX; i++) {
		if (sqlite3_prepare_v2(req->db, sqls[i], -1, &st[i], NULL) != SQLITE_OK)
			goto dberr;
	}
	sqlite3_bind_text(st[RX_SESSION], 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st[RX_SESSION]) != SQLITE_ROW)
		goto dberr;

	race = hist_kind(type) == SK_RACE;
	rf2_session_name(type, elem, sizeof(elem));
	started = view_num(s, "started_at");
	t = isnan(started) ? 0 : (time_t)started;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", &tm);
	buf_reset(b);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rFactorXML version=\"1.0\">\n"
	    "<RaceResults>\n");
	rf2_text(b, "  ", "TrackVenue", track);
	rf2_text(b, "  ", "TrackCourse", track);
	if (sqlite3_column_type(st[RX_SESSION], 0) != SQLITE_NULL)
		buf_printf(b, "  <TrackLength>%.1f</TrackLength>\n",
		    sqlite3_column_double(st[RX_SESSION], 0));
	rf2_text(b, "  ", "GameVersion", view_str(s, "sim"));
	buf_printf(b, "  <DateTime>%lld</DateTime>\n", (long long)t);
	rf2_text(b, "  ", "TimeString", when);
	buf_printf(b, "  <%s>\n    <DateTime>%lld</DateTime>\n", elem, (long long)t);
	rf2_text(b, "    ", "TimeString", when);
	/* rF2 writes the largest int for "no lap limit" */
	buf_printf(b, "    <Laps>%d</Laps>\n    <Minutes>%d</Minutes>\n",
	    sqlite3_column_type(st[RX_SESSION], 2) == SQLITE_NULL ? 2147483647 :
	    sqlite3_column_int(st[RX_SESSION], 2),
	    (int)lround(sqlite3_column_double(st[RX_SESSION], 1) / 60.0));
	cJSON_ArrayForEach(el, r)
		if (rf2_driver(b, st[RX_LAPS], st[RX_DRIVER], el, race, export_caps(s)) < 0)
			goto dberr;
	if (buf_printf(b, "  </%s>\n</RaceResults>\n</rFactorXML>\n", elem) < 0)
		goto dberr;
	resp->status = 200;
	resp->ctype = "application/xml; charset=utf-8";
	rf2_filename(track, type, fname, sizeof(fname));
	resp_header(resp, "Content-Disposition", "attachment; filename=\"%s\"", fname);
	goto out;
dberr:
	log_err("results.xml %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The results cannot be exported now.");
out:
	for (int i = 0; i < RX__MAX; i++)
		sqlite3_finalize(st[i]);
	cJSON_Delete(r);
	cJSON_Delete(s);
}
