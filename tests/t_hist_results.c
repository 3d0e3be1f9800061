/*
 * Final results of finished sessions (fcgi/results.c) on the session page
 * and its JSON twin, and the exports (results.csv, results.xml, laps.csv,
 * JSON).
 */
#include "hist.h"

static const char *
car_number(const cJSON *o, int i)
{
	char path[64];

	snprintf(path, sizeof(path), "results.%d.number", i);
	return jstr(o, path);
}

/* The numbers of the cars in result order, "50 6 31 ...". */
static const char *
order(const cJSON *o)
{
	static char	 s[256];
	const char	*n;

	s[0] = '\0';
	for (int i = 0; (n = car_number(o, i)) != NULL; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s", i ? " " : "", n);
	return s;
}

static void
race_results(struct resp *r)
{
	cJSON *o = get_json(r, "/api/v1/sessions/" RACE, NULL);

	ok(o != NULL && jsize(o, "results") == 5, "a finished race has a result per car");
	is_str(order(o), "50 6 31 92 27", "race order: laps, then the game's classification of cars seen finishing, else crossing order");
	ok(jnum(o, "results.0.laps") == 8 && jnum(o, "results.1.laps") == 8 &&
	    jnum(o, "results.2.laps") == 7 && jnum(o, "results.3.laps") == 7 &&
	    jnum(o, "results.4.laps") == 3, "lap counts come from the recorded laps");
	ok(same_time(jnum(o, "results.0.time"), 915.0),
	    "the winner's race time runs from the start to its last crossing");
	ok(jnull(o, "results.0.gap") && same_time(jnum(o, "results.1.gap"), 2.0),
	    "the gap on the same lap is the crossing time difference");
	ok(jnum(o, "results.3.gap_laps") == 1 && jnull(o, "results.3.gap"),
	    "a car a lap down has gap_laps and no gap");
	ok(jnum(o, "results.2.class_position") == 1 && jnum(o, "results.3.class_position") == 2 &&
	    jnum(o, "results.4.class_position") == 3 && jnum(o, "results.1.class_position") == 2,
	    "class positions count within each class");
	ok(same_time(jnum(o, "results.0.best"), 109.4) && jnum(o, "results.0.best_lap") == 6,
	    "the best lap and its number");
	is_str(jstr(o, "results.0.best_driver"), "Miguel Molina", "the best lap's driver is named");
	ok(same_time(jnum(o, "results.0.sectors.0.time"), 38.509) &&
	    strcmp(jstr(o, "results.0.sectors.0.driver"), "Miguel Molina") == 0,
	    "each best sector names who set it");
	ok(cJSON_IsTrue(jget(o, "results.0.class_best")) && cJSON_IsFalse(jget(o, "results.1.class_best")),
	    "the class's best lap is marked");
	ok(jnum(o, "results.0.pits") == 1 && jnum(o, "results.4.pits") == 0,
	    "pit count: stops, not a retirement to the garage");
	is_str(jstr(o, "results.0.tyres"), "Hard", "tyres are the last lap's");
	ok(jsize(o, "results.0.drivers") == 2 &&
	    strcmp(jstr(o, "results.0.drivers.0.name"), "Antonio Fuoco") == 0 &&
	    jnum(o, "results.0.drivers.0.laps") == 4,
	    "the drivers of a car with their laps, first driver first");
	ok(cJSON_IsTrue(jget(o, "results.0.drivers.0.known")) &&
	    cJSON_IsFalse(jget(o, "results.0.drivers.1.known")), "known drivers are marked");
	is_str(jstr(o, "results.4.finish"), "dnf", "a retired car keeps its finish status");
	cJSON_Delete(o);
}

static void
other_results(struct resp *r)
{
	cJSON *o = get_json(r, "/api/v1/sessions/" QUALI, NULL);

	is_str(order(o), "50 6 92 31", "qualifying order: best valid lap, whatever the last state says");
	ok(same_time(jnum(o, "results.3.best"), 120.1), "an invalid lap does not count as best");
	ok(same_time(jnum(o, "results.1.gap"), 0.2), "the gap in qualifying is to the best lap");
	cJSON_Delete(o);
	o = get_json(r, "/api/v1/sessions/" LIVE, NULL);
	ok(o != NULL && jget(o, "results") == NULL, "a live session has no final results");
	cJSON_Delete(o);
}

static void
session_page(struct resp *r)
{
	ok(get(r, "/sessions/" RACE, NULL) == 200 && strstr(r->body.p, "<h2>Results</h2>"),
	    "the page of a finished session shows its results");
	ok(golden("hist_session_race.html", &r->body), "the race results page matches its golden file");
	ok(strstr(r->body.p, "Heart of Racing &lt;script&gt;") != NULL &&
	    strstr(r->body.p, "<script>x") == NULL, "results escape team names");
	ok(get(r, "/sessions/" LIVE, NULL) == 200 && strstr(r->body.p, "<h2>Results</h2>") == NULL,
	    "the page of a live session shows standings, not results");
}

static void
exports(struct resp *r)
{
	cJSON	*o;
	int	 lines = 0;

	ok(get(r, "/sessions/" RACE "/results.csv", NULL) == 200 &&
	    strcmp(r->ctype, "text/csv; charset=utf-8") == 0, "results.csv is CSV");
	ok(strstr(r->headers.p, "attachment; filename=\"" RACE "-results.csv\"") != NULL,
	    "results.csv downloads under the session's name");
	ok(golden("hist_results.csv", &r->body), "results.csv matches its golden file");
	ok(get(r, "/sessions/" RACE "/laps.csv", NULL) == 200, "laps.csv answers");
	for (const char *p = r->body.p; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	is_int(lines, 1 + 8 + 8 + 7 + 7 + 3, "laps.csv has a header and a line per lap");
	ok(strstr(r->body.p, "\r\n34,4,31,Team WRT,LMGT3,7,,42.980,34.202,,Augusto Farfus,0,0,") != NULL,
	    "an invalid lap keeps its known sectors, the unknown ones are empty");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/results.csv", NULL) == 404,
	    "results.csv of an unknown session: 404");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/laps.csv", NULL) == 404,
	    "laps.csv of an unknown session: 404");

	o = get_json(r, "/api/v1/sessions/" RACE "/export", NULL);
	ok(o != NULL && strcmp(jstr(o, "format"), "trackside-session") == 0 &&
	    strcmp(jstr(o, "session.id"), RACE) == 0, "the JSON export names its format and session");
	ok(jsize(o, "results") == 5 && jsize(o, "cars") == 5, "the export has results and cars");
	ok(jsize(o, "cars.0.laps") == 8 && jsize(o, "cars.0.pits") == 1 && jsize(o, "cars.4.pits") == 1,
	    "each car carries its laps and pit rows");
	ok(same_time(jnum(o, "cars.0.laps.0.time"), 116.8) && jget(o, "cars.0.laps.0.car") == NULL,
	    "laps in the export are seconds, without the repeated car");
	ok(jsize(o, "chat") == 2 && same_time(jnum(o, "chat.0.ts"), 13406940000.0),
	    "chat lines come with their game time in seconds");
	cJSON_Delete(o);
	ok(get(r, "/api/v1/sessions/0190ffff000070008000000000000009/export", NULL) == 404 &&
	    strstr(r->body.p, "no such session"), "the export of an unknown session: 404 JSON");
}

/* Whether s[0..] starts an entity XML knows without a DTD. */
static int
xml_entity(const char *s)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#39;" };

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (strncmp(s, ents[i], strlen(ents[i])) == 0)
			return 1;
	return 0;
}

/*
 * A small well-formedness check of an XML document without DTD, comments
 * or CDATA: an optional declaration, then one root element; every tag
 * closed in order, attributes quoted, no '<' or bare '&' in text or
 * values. Returns 1 when the document passes, else 0 (with a diagnostic).
 */
static int
xml_well_formed(const char *p)
{
	char	 stack[32][64];
	int	 depth = 0, roots = 0;

	if (strncmp(p, "<?xml ", 6) == 0) {
		if ((p = strstr(p, "?>")) == NULL)
			return 0;
		p += 2;
	}
	while (*p) {
		if (*p != '<') {
			if (*p == '&' && !xml_entity(p))
				return diag("bare & near: %.30s", p), 0;
			if (depth == 0 && *p != '\n' && *p != ' ')
				return diag("text outside the root near: %.30s", p), 0;
			p++;
			continue;
		}
		int close = p[1] == '/';
		const char *n = p + 1 + close;
		size_t len = strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
		if (len == 0 || len >= sizeof(stack[0]))
			return diag("bad tag near: %.30s", p), 0;
		p = n + len;
		if (close) {
			if (depth == 0 || strlen(stack[depth - 1]) != len ||
			    strncmp(stack[depth - 1], n, len) != 0 || *p != '>')
				return diag("unbalanced </%.*s>", (int)len, n), 0;
			depth--;
			p++;
			continue;
		}
		if (depth == 0 && roots++ > 0)
			return diag("a second root element"), 0;
		while (*p == ' ') {
			p++;
			size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			if (an == 0 || p[an] != '=' || p[an + 1] != '"')
				return diag("bad attribute near: %.30s", p), 0;
			for (p += an + 2; *p != '"'; p++)
				if (*p == '\0' || *p == '<' || (*p == '&' && !xml_entity(p)))
					return diag("bad attribute value near: %.30s", p), 0;
			p++;
		}
		if (p[0] == '/' && p[1] == '>') {
			p += 2;
			continue;
		}
		if (*p != '>' || depth == (int)(sizeof(stack) / sizeof(stack[0])))
			return diag("bad tag end near: %.30s", p), 0;
		memcpy(stack[depth], n, len);
		stack[depth++][len] = '\0';
		p++;
	}
	if (depth != 0 || roots != 1)
		return diag("%d elements left open", depth), 0;
	return 1;
}

/* The text of the first <name> in s before end, or "" ("<Laps>" is not "<Lap "). */
static const char *
xml_text(const char *s, const char *end, const char *name)
{
	static char	 v[128];
	char		 open[64];
	const char	*p;
	size_t		 n;

	snprintf(open, sizeof(open), "<%s>", name);
	v[0] = '\0';
	if ((p = strstr(s, open)) == NULL || p > end)
		return v;
	p += strlen(open);
	n = strcspn(p, "<");
	if (n < sizeof(v)) {
		memcpy(v, p, n);
		v[n] = '\0';
	}
	return v;
}

/* "position:number:laps" of every <Driver> of an XML body, space-separated. */
static void
xml_order(const char *body, char *out, size_t outsz)
{
	const char *d = body, *end;

	out[0] = '\0';
	while ((d = strstr(d, "<Driver>")) != NULL && (end = strstr(d, "</Driver>")) != NULL) {
		char one[64];
		snprintf(one, sizeof(one), "%s%s:", out[0] ? " " : "", xml_text(d, end, "Position"));
		strncat(out, one, outsz - strlen(out) - 1);
		snprintf(one, sizeof(one), "%s:", xml_text(d, end, "CarNumber"));
		strncat(out, one, outsz - strlen(out) - 1);
		strncat(out, xml_text(d, end, "Laps"), outsz - strlen(out) - 1);
		d = end;
	}
}

/* "position:number:laps" of every line of results.csv, space-separated. */
static void
csv_order(const char *body, char *out, size_t outsz)
{
	const char *l = strchr(body, '\n');

	out[0] = '\0';
	for (; l != NULL && l[1] != '\0'; l = strchr(l + 1, '\n')) {
		char f[8][64];
		const char *p = l + 1;
		for (int i = 0; i < 8; i++) {
			size_t n = strcspn(p, ",\r\n");
			snprintf(f[i], sizeof(f[i]), "%.*s", (int)n, p);
			p += n + (p[n] == ',');
		}
		char one[200];
		snprintf(one, sizeof(one), "%s%s:%s:%s", out[0] ? " " : "", f[0], f[3], f[7]);
		strncat(out, one, outsz - strlen(out) - 1);
	}
}

static void
results_xml(struct resp *r)
{
	char	 from_csv[512], from_xml[512];
	int	 drivers = 0;

	ok(get(r, "/sessions/" RACE "/results.xml", NULL) == 200 &&
	    strcmp(r->ctype, "application/xml; charset=utf-8") == 0, "results.xml is XML");
	ok(strstr(r->headers.p, "attachment; filename=\"Sebring-International-Raceway-race1.xml\"") != NULL,
	    "results.xml downloads as <track>-<type>.xml, spaces made safe");
	ok(xml_well_formed(r->body.p), "results.xml is well-formed");
	ok(strncmp(r->body.p, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rFactorXML version=\"1.0\">\n"
	    "<RaceResults>\n", 80) == 0 && strstr(r->body.p, "<TrackVenue>Sebring International Raceway</TrackVenue>"),
	    "results.xml has the rFactor 2 root and the track");
	ok(strstr(r->body.p, "  <Race>\n    <DateTime>1794686400</DateTime>") != NULL,
	    "a race is a <Race> element starting at the session's start");
	for (const char *p = r->body.p; (p = strstr(p, "<Driver>")) != NULL; p++)
		drivers++;
	is_int(drivers, 5, "results.xml has a <Driver> per car");
	xml_order(r->body.p, from_xml, sizeof(from_xml));
	is_str(from_xml, "1:50:8 2:6:8 3:31:7 4:92:7 5:27:3", "results.xml: positions, numbers and laps");
	get(r, "/sessions/" RACE "/results.csv", NULL);
	csv_order(r->body.p, from_csv, sizeof(from_csv));
	get(r, "/sessions/" RACE "/results.xml", NULL);
	is_str(from_xml, from_csv, "results.xml has results.csv's positions and lap counts");
	ok(strstr(r->body.p, "<Lap num=\"7\" p=\"4\" et=\"793.1000\" s1=\"42.9800\" s2=\"34.2020\" "
	    "fuel=\"0.832\">--.----</Lap>") != NULL,
	    "an invalid lap is --.---- and keeps what is known of it");
	ok(strstr(r->body.p, "<Lap num=\"6\" p=\"1\" et=\"615.7000\" s1=\"38.5090\" s2=\"30.7410\" "
	    "s3=\"40.1500\" fuel=\"0.740\">109.4000</Lap>") != NULL,
	    "a lap has its position, start time, sectors, fuel and time");
	ok(strstr(r->body.p, "<Swap startLap=\"0\" endLap=\"4\">Antonio Fuoco</Swap>\n"
	    "      <Swap startLap=\"4\" endLap=\"8\">Miguel Molina</Swap>") != NULL,
	    "a driver change makes a <Swap> per stint, counted from the laps done before it");
	ok(strstr(r->body.p, "<Name>Kevin Estre</Name>") != NULL &&
	    strstr(r->body.p, "<Swap startLap=\"0\" endLap=\"8\">Kevin Estre") == NULL,
	    "a car with one driver has no <Swap>");
	ok(strstr(r->body.p, "<FinishTime>915.0000</FinishTime>") != NULL &&
	    strstr(r->body.p, "<BestLapTime>109.4000</BestLapTime>") != NULL,
	    "the winner's finish time is its race time, with its best lap");
	ok(strstr(r->body.p, "<Pitstops>1</Pitstops>\n      <FinishStatus>None</FinishStatus>") != NULL &&
	    strstr(r->body.p, "<Laps>3</Laps>\n      <Pitstops>0</Pitstops>\n      <FinishStatus>DNF</FinishStatus>") != NULL &&
	    strstr(r->body.p, "<FinishStatus>Finished Normally</FinishStatus>") != NULL,
	    "pit stops and the game's finish status (None when it did not say)");
	ok(strstr(r->body.p, "<TeamName>Heart of Racing &lt;script&gt;x&lt;/script&gt;</TeamName>") != NULL,
	    "team names are escaped");

	ok(get(r, "/sessions/" QUALI "/results.xml", NULL) == 200 &&
	    strstr(r->body.p, "  <Qualify>\n") && strstr(r->body.p, "<FinishTime>") == NULL,
	    "qualifying is a <Qualify> element without finish times");

	ok(hctx_sql(&h, "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, "
	    "state, finished) VALUES ('0190bbbb000070008000000000000005', 'lmu', 'Le Mans', 'race1', 1, "
	    "1794800000, 1794801000, 'closed', 1);"
	    "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, number, team, class) VALUES "
	    "(51, '0190bbbb000070008000000000000005', 1, 'X', 'Car X', '1', 'T', 'GT3');"
	    "INSERT INTO laps (car_id, lap, time, driver, valid) VALUES "
	    "(51, 1, 100.0, 'Jo <&\"> Doe', 1), (51, 2, 99.0, 'Ann', 1);"), "a session with odd driver names");
	ok(get(r, "/sessions/0190bbbb000070008000000000000005/results.xml", NULL) == 200 &&
	    xml_well_formed(r->body.p) && strstr(r->body.p, ">Jo &lt;&amp;&quot;&gt; Doe</Swap>") != NULL &&
	    strstr(r->body.p, "Jo <") == NULL, "a driver name with <&\" is escaped");

	ok(get(r, "/sessions/" LIVE "/results.xml", NULL) == 409 &&
	    strstr(r->body.p, "once it has finished") != NULL,
	    "results.xml of a live session: 409, results exist once it is over");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/results.xml", NULL) == 404,
	    "results.xml of an unknown session: 404");
	ok(get(r, "/sessions/" RACE, NULL) == 200 && strstr(r->body.p, "href=\"/sessions/" RACE "/results.xml\""),
	    "the results section links results.xml");
}

int
main(void)
{
	struct resp r;

	hist_open();
	resp_init(&r);
	race_results(&r);
	other_results(&r);
	session_page(&r);
	exports(&r);
	results_xml(&r);
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
