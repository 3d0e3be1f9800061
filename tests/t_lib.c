/*
 * Unit tests of lib/: buffers, escaping, number and time parsing, the JSON
 * scanner, gzip, sha256, configuration files, the inbox and templates.
 */
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "trackside.h"
#include "tmpl.h"

/* A byte inside the first record's payload (after its 12-byte header). */
#define REC_OFF_CRC_TEST 14

static char tmpdir[256];

static void
test_buf(void)
{
	struct buf b = { 0 };

	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ok(b.len == strlen(b.p) && strncmp(b.p, "0,1,2,", 6) == 0, "buf_printf appends and grows");
	buf_reset(&b);
	ok(b.len == 0 && b.p[0] == '\0', "buf_reset empties the buffer");
	buf_free(&b);
	buf_free(&b);
	ok(b.p == NULL, "buf_free twice is harmless");
}

static void
test_esc(void)
{
	struct buf b = { 0 };

	esc_html(&b, "<img src=x onerror=alert(1)> & \"'", 34);
	is_str(b.p, "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;&#39;", "esc_html escapes markup and quotes");
	buf_reset(&b);
	esc_xml(&b, "Jo <&\"'>\x01\tX", 11);
	is_str(b.p, "Jo &lt;&amp;&quot;&#39;&gt;?\tX", "esc_xml escapes markup, quotes and the control characters XML cannot carry");
	buf_reset(&b);
	esc_url(&b, "a b/é?", strlen("a b/é?"));
	is_str(b.p, "a%20b%2F%C3%A9%3F", "esc_url percent-encodes reserved and non-ASCII bytes");
	buf_reset(&b);
	esc_json(&b, "</script>\n\"", 11);
	is_str(b.p, "\\u003c/script\\u003e\\n\\\"", "esc_json is safe inside a script element");
	buf_reset(&b);
	esc_csv(&b, "Team, \"A\"", 9);
	is_str(b.p, "\"Team, \"\"A\"\"\"", "esc_csv quotes separators and doubles quotes");
	buf_reset(&b);
	esc_csv(&b, "=cmd()", 6);
	is_str(b.p, "\"'=cmd()\"", "esc_csv defuses spreadsheet formulas");
	buf_reset(&b);
	esc_csv(&b, "-1.5", 4);
	is_str(b.p, "-1.5", "esc_csv leaves negative numbers alone");
	char line[64];
	esc_log(line, sizeof(line), "a\nb\x1b", 4);
	is_str(line, "a\\x0ab\\x1b", "esc_log escapes control characters");
	buf_free(&b);
}

static void
test_numbers(void)
{
	long long	 v;
	double		 d, t;
	char		 iso[32];

	ok(num_parse_ll("42", 0, 100, &v) && v == 42, "num_parse_ll takes a number in range");
	ok(!num_parse_ll("101", 0, 100, &v), "num_parse_ll refuses a number out of range");
	ok(!num_parse_ll("4x", 0, 100, &v) && !num_parse_ll("", 0, 100, &v) &&
	    !num_parse_ll(" 4", 0, 100, &v), "num_parse_ll refuses trailing garbage, empty and spaces");
	ok(num_parse_d("1.5", 0, 2, &d) && d == 1.5 && !num_parse_d("nan", -1e9, 1e9, &d),
	    "num_parse_d takes finite numbers only");
	ok(num_to_ll(3.9, 0, 10, &v) && v == 3 && num_to_ll(-0.5, 0, 10, &v) && v == 0 &&
	    num_to_ll(10.99, 0, 10, &v) && v == 10 && num_to_ll(-7.9, -10, 10, &v) && v == -7,
	    "num_to_ll truncates toward zero within the range");
	ok(!num_to_ll(11, 0, 10, &v) && !num_to_ll(-1, 0, 10, &v) && !num_to_ll(1e300, 0, LLONG_MAX, &v) &&
	    !num_to_ll(-1e300, LLONG_MIN, 0, &v) && !num_to_ll(NAN, 0, 10, &v) &&
	    !num_to_ll(INFINITY, 0, LLONG_MAX, &v) && !num_to_ll(9223372036854775808.0, 0, LLONG_MAX, &v),
	    "num_to_ll refuses numbers out of range, NaN, infinities and 2^63");
	ok(num_to_ll(9223372036854774784.0, 0, LLONG_MAX, &v) && v == 9223372036854774784LL,
	    "num_to_ll takes the largest double below 2^63");
	ok(time_iso_parse("2026-11-21T12:00:00.123Z", &t) && fabs(t - 1795262400.123) < 1e-6,
	    "time_iso_parse reads ISO-8601 UTC with milliseconds");
	time_iso(1795262400.123, iso);
	is_str(iso, "2026-11-21T12:00:00.123Z", "time_iso writes what time_iso_parse reads");
	ok(time_iso_parse("2026-11-21", &t) && !time_iso_parse("2026-13-01", &t) &&
	    !time_iso_parse("yesterday", &t) && !time_iso_parse("2026-11-21T12:00:00+02:00", &t),
	    "time_iso_parse takes dates and refuses bad months, words and offsets");
	ok(id_valid("abc-DEF_123", 8, 64) && !id_valid("short", 8, 64) && !id_valid("has space x", 1, 64),
	    "id_valid checks length and characters");
	char u1[33], u2[33];
	uuid7(u1);
	usleep(2000);
	uuid7(u2);
	ok(strlen(u1) == 32 && strcmp(u1, u2) < 0 && u1[12] == '7', "uuid7 ids are time-ordered version 7");
}

static void
test_jscan(void)
{
	struct jspan	 doc, v, el;
	char		 s[64];
	long long	 n;
	size_t		 off = 0;
	const char	*good = "{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"], \"b\": {\"c\": 7}}";
	const char	*bad[] = { "{", "{\"a\":}", "[1,]", "01", "\"\\x\"", "{\"a\" 1}", "tru",
	    "\"a\x01\"", "\"\xff\"", "[1] [2]", "-", "1.", "\"\xed\xa0\x80\"", "" };

	ok(jscan_document(good, strlen(good), &doc) && doc.type == JT_OBJECT, "jscan accepts a valid document");
	int all = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jscan_document(bad[i], strlen(bad[i]), &doc)) {
			diag("accepted: %s", bad[i]);
			all = 0;
		}
	ok(all, "jscan refuses malformed JSON, bad escapes, control bytes, bad UTF-8, trailing data");
	jscan_document(good, strlen(good), &doc);
	ok(jscan_member(&doc, "b", &v) && v.type == JT_OBJECT && jscan_member(&v, "c", &el) &&
	    jscan_int(&el, 0, 10, &n) && n == 7, "jscan_member finds nested members");
	ok(!jscan_member(&doc, "z", &v), "jscan_member reports a missing key");
	jscan_member(&doc, "a", &v);
	int count = 0;
	while (jscan_next(&v, &off, &el))
		count++;
	ok(count == 5, "jscan_next walks every array element");
	off = 0;
	for (int i = 0; i < 5; i++)
		jscan_next(&v, &off, &el);
	ok(jscan_string(&el, s, sizeof(s)) && strcmp(s, "x\xc3\xa9\n") == 0, "jscan_string decodes escapes to UTF-8");
	ok(!jscan_string(&el, s, 3), "jscan_string refuses a string that does not fit");
	struct buf deep = { 0 };
	for (int i = 0; i < 100; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < 100; i++)
		buf_putc(&deep, ']');
	ok(!jscan_document(deep.p, deep.len, &doc), "jscan refuses nesting deeper than %d", JSCAN_MAX_DEPTH);
	buf_free(&deep);
	const char	*keys[] = { "b", "a", "zz" };
	struct jspan	 vals[3], obj;
	size_t		 used;
	char		 two[256];
	snprintf(two, sizeof(two), "%s  {\"x\":1}", good);
	ok(jscan_fields(two, strlen(two), keys, 3, vals, &obj, &used) && used == strlen(good) &&
	    vals[0].type == JT_OBJECT && vals[1].type == JT_ARRAY && vals[2].type == JT_NONE,
	    "jscan_fields picks the named members of an object in one pass");
	ok(!jscan_fields("{\"a\":[1,}", 10, keys, 3, vals, &obj, &used) &&
	    !jscan_fields("[1]", 3, keys, 3, vals, &obj, &used),
	    "jscan_fields refuses a malformed object and a non-object");
	const char *f = "{\"seq\": 1.5}";
	jscan_document(f, strlen(f), &doc);
	jscan_member(&doc, "seq", &v);
	ok(!jscan_int(&v, 0, 10, &n), "jscan_int refuses fractions");
	const char *lone[] = { "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
	    "{\"\\udbff\":1}" };
	all = 1;
	for (size_t i = 0; i < sizeof(lone) / sizeof(lone[0]); i++)
		if (jscan_document(lone[i], strlen(lone[i]), &doc) ||
		    cJSON_ParseWithLength(lone[i], strlen(lone[i])) != NULL) {
			diag("accepted: %s", lone[i]);
			all = 0;
		}
	ok(all, "jscan refuses lone surrogate escapes, as cJSON does");
	const char *pair = "\"\\ud83d\\ude00\"";
	ok(jscan_document(pair, strlen(pair), &doc) && jscan_string(&doc, s, sizeof(s)) &&
	    strcmp(s, "\xf0\x9f\x98\x80") == 0, "jscan decodes a surrogate pair");
	const char *esc = "{\"s\\u0065q\": 1000, \"seq\": 5}";
	const char *seqkey[] = { "seq" };
	ok(jscan_fields(esc, strlen(esc), seqkey, 1, vals, &obj, &used) &&
	    jscan_int(&vals[0], 0, 10000, &n) && n == 1000,
	    "jscan_fields compares decoded member names (the first \"seq\" is the escaped one)");
	ok(jscan_utf8_valid("ok \xc3\xa9", 5) && !jscan_utf8_valid("\xff\xfe", 2) &&
	    !jscan_utf8_valid("\xed\xa0\x80", 3) && !jscan_utf8_valid("\xc3", 1),
	    "jscan_utf8_valid follows the one UTF-8 rule");
}

static void
test_gz_sha(void)
{
	struct buf	 z = { 0 }, back = { 0 };
	char		 hex[65];
	const char	*text = "the quick brown fox jumps over the lazy dog, again and again and again";

	ok(gz_deflate(text, strlen(text), 6, &z) == 1 && gz_is_gzip(z.p, z.len), "gz_deflate writes gzip");
	ok(gz_inflate(z.p, z.len, 1 << 20, &back) == GZ_OK && back.len == strlen(text) &&
	    memcmp(back.p, text, back.len) == 0, "gz_inflate restores the bytes");
	buf_reset(&back);
	ok(gz_inflate(z.p, z.len, 10, &back) == GZ_TOO_LARGE, "gz_inflate stops at its cap");
	buf_reset(&back);
	ok(gz_inflate(z.p, z.len / 2, 1 << 20, &back) == GZ_BAD, "gz_inflate refuses a truncated stream");
	buf_reset(&back);
	ok(gz_inflate("not gzip at all", 15, 1 << 20, &back) == GZ_BAD, "gz_inflate refuses non-gzip");
	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");
	char m[1000];
	memset(m, 'a', sizeof(m));
	sha256_hex(m, 56, hex);
	is_str(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a", "sha256 across a block boundary");
	buf_free(&z);
	buf_free(&back);
}

static void
test_conf(void)
{
	struct conf	 c = { 0 };
	struct buf	 err = { 0 };
	char		 p[300];

	snprintf(p, sizeof(p), "%s/t.conf", tmpdir);
	FILE *f = fopen(p, "w");
	fprintf(f, "# comment\n\n database = /x/y.db  \nport=8080 # trailing\nport = 9090\n");
	fclose(f);
	ok(conf_load(&c, p, &err) == 1, "conf_load reads a file");
	is_str(conf_get(&c, "database"), "/x/y.db", "conf values are trimmed");
	is_str(conf_get(&c, "port"), "9090", "a later entry overrides an earlier one");
	conf_set(&c, "port", "1");
	is_str(conf_get(&c, "port"), "1", "conf_set overrides the file");
	ok(conf_get(&c, "nothing") == NULL, "conf_get of a missing key is NULL");
	conf_free(&c);
	f = fopen(p, "w");
	fprintf(f, "ok = 1\nthis line is wrong\n");
	fclose(f);
	ok(conf_load(&c, p, &err) == 0 && strstr(err.p, ":2:") != NULL, "conf_load names the bad line");
	conf_free(&c);
	buf_free(&err);
}

static long long
pos_after_first(void *arg, const char *seg)
{
	return *(long long *)arg;
}

static int	 dir_files(const char *);
static long long dir_bytes(const char *);

static void
test_inbox(void)
{
	char			 dir[300], path[400];
	struct inbox_writer	*w;
	struct inbox_reader	*r;
	unsigned long		 t1 = 0, t2 = 0;
	long long		 skip;

	snprintf(dir, sizeof(dir), "%s/inbox", tmpdir);
	ok(inbox_writer_open(&w, dir) == 1, "inbox_writer_open starts a segment");
	ok(inbox_append(w, "clientAAAA", 1, "{\"h\":1}", 7, "{\"f\":1}", 7, &t1) == 1 &&
	    inbox_append(w, "clientBBBB", 5, "{}", 2, "[2]", 3, &t2) == 1 && t2 > t1,
	    "inbox_append hands out increasing tickets");
	ok(inbox_sync(w, t2) == 1, "inbox_sync makes the records durable");
	ok(inbox_pending(dir, inbox_pos_zero, NULL) == 2, "inbox_pending counts the records");
	inbox_reader_open(&r, dir);
	ok(inbox_read(r, inbox_pos_zero, NULL, 100, 1 << 20) == 2, "inbox_read reads both records");
	ok(strcmp(r->recs[0].client, "clientAAAA") == 0 && r->recs[0].seq == 1 &&
	    strcmp(r->recs[0].body, "{\"h\":1}\n{\"f\":1}") == 0, "a record keeps client, seq, header and frame");
	ok(r->recs[1].seq == 5 && r->recs[1].off == r->recs[0].end, "records follow each other");
	ok(r->ndone == 0, "the segment of a running writer is not finished");
	skip = r->recs[0].end;
	ok(inbox_read(r, pos_after_first, &skip, 100, 1 << 20) == 1 && r->recs[0].seq == 5,
	    "inbox_read starts where the position says");
	ok(inbox_read(r, inbox_pos_zero, NULL, 1, 1 << 20) == 1, "inbox_read stops at its batch size");
	/* A torn record at the end (a crash before the sync) is not read. */
	snprintf(path, sizeof(path), "%s/seg/%s", dir, r->recs[0].seg);
	FILE *f = fopen(path, "a");
	fwrite("TSR1\x40\x00\x00\x00xxxxpartial", 1, 19, f);
	fclose(f);
	ok(inbox_read(r, inbox_pos_zero, NULL, 100, 1 << 20) == 2 && r->ndone == 0,
	    "a torn record of a running writer is waited for");
	inbox_writer_close(w);
	ok(inbox_pending(dir, inbox_pos_zero, NULL) == 2, "closing the writer adds no record");
	inbox_reader_free(r);

	/* A damaged record inside a segment: what follows is set aside, nothing read past it. */
	char dir2[300], seg[400], rej[400];
	snprintf(dir2, sizeof(dir2), "%s/inbox2", tmpdir);
	inbox_writer_open(&w, dir2);
	inbox_append(w, "clientAAAA", 1, "{}", 2, "{}", 2, &t1);
	inbox_sync(w, t1);
	inbox_reader_open(&r, dir2);
	inbox_read(r, inbox_pos_zero, NULL, 100, 1 << 20);
	snprintf(seg, sizeof(seg), "%s/seg/%s", dir2, r->recs[0].seg);
	f = fopen(seg, "r+");
	fseek(f, REC_OFF_CRC_TEST, SEEK_SET);
	fputc('!', f);	/* the CRC no longer matches */
	fclose(f);
	inbox_append(w, "clientAAAA", 2, "{}", 2, "{}", 2, &t2);
	inbox_sync(w, t2);
	ok(inbox_read(r, inbox_pos_zero, NULL, 100, 1 << 20) == 0 && r->ndone == 1,
	    "a damaged record ends its segment: nothing after it is applied");
	snprintf(rej, sizeof(rej), "%s/rejected/%s.0", dir2, r->done[0]);
	ok(access(rej, R_OK) == 0, "the damaged bytes are kept in rejected/");
	ok(inbox_set_aside_count(dir2) == 1 && inbox_set_aside_count(dir) == 0,
	    "inbox_set_aside_count counts what rejected/ holds");
	inbox_writer_close(w);
	inbox_reader_free(r);

	/* The in-flight note: written, marked crashed as a signal handler would, emptied. */
	struct inbox_note n = { 0 }, got;
	int fd = inbox_note_open(dir);
	snprintf(n.seg, sizeof(n.seg), "%s", "0000000000000001-42.seg");
	snprintf(n.client, sizeof(n.client), "%s", "client with space");
	n.off = 123456;
	n.seq = 789;
	n.strikes = 1;
	ok(fd >= 0 && inbox_note_read(fd, &got) == 0, "a new in-flight note is empty");
	ok(inbox_note_write(fd, &n) == 1 && inbox_note_read(fd, &got) == 1 && got.state == 'A' &&
	    got.strikes == 1 && got.off == 123456 && got.seq == 789 &&
	    strcmp(got.seg, n.seg) == 0 && strcmp(got.client, n.client) == 0,
	    "the note names the frame in flight");
	inbox_note_crashed(fd);
	ok(inbox_note_read(fd, &got) == 1 && got.state == 'C' && got.seq == 789,
	    "inbox_note_crashed marks it crashed");
	ok(inbox_note_clear(fd) == 1 && inbox_note_read(fd, &got) == 0, "a cleared note names nothing");
	inbox_note_crashed(fd);
	ok(inbox_note_read(fd, &got) == 0, "a crash with nothing in flight marks nothing");
	close(fd);
	/* Writes that fail (here: the file size limit) leave nothing behind. */
	char dir3[300], sd[400], big[4096];
	struct rlimit rl, low;
	memset(big, 'x', sizeof(big));
	big[0] = '"';
	big[sizeof(big) - 1] = '"';
	snprintf(dir3, sizeof(dir3), "%s/inbox3", tmpdir);
	snprintf(sd, sizeof(sd), "%s/seg", dir3);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &rl);
	inbox_writer_open(&w, dir3);
	low = rl;
	low.rlim_cur = 0;
	setrlimit(RLIMIT_FSIZE, &low);
	ok(inbox_append(w, "clientAAAA", 1, "{}", 2, big, sizeof(big), &t1) == -1,
	    "a write past the file size limit fails");
	ok(dir_files(sd) == 0, "a failed write leaves no empty segment behind");
	setrlimit(RLIMIT_FSIZE, &rl);
	ok(inbox_append(w, "clientAAAA", 1, "{}", 2, "{}", 2, &t1) == 1 && inbox_sync(w, t1) == 1,
	    "the next write starts a segment of its own");
	low.rlim_cur = (rlim_t)dir_bytes(sd) + 100;
	setrlimit(RLIMIT_FSIZE, &low);
	ok(inbox_append(w, "clientAAAA", 2, "{}", 2, big, sizeof(big), &t2) == -1 &&
	    dir_bytes(sd) == (long long)low.rlim_cur - 100, "a short write is cut off: no torn record stays");
	setrlimit(RLIMIT_FSIZE, &rl);
	ok(inbox_append(w, "clientAAAA", 3, "{}", 2, "{}", 2, &t2) == 1 && inbox_sync(w, t1) == 1 &&
	    inbox_sync(w, t2) == 1, "records before and after the failure are synced");
	inbox_reader_open(&r, dir3);
	ok(inbox_read(r, inbox_pos_zero, NULL, 100, 1 << 20) == 2 && r->recs[0].seq == 1 &&
	    r->recs[1].seq == 3 && r->recs[1].off == r->recs[0].end, "and read back in one segment");
	ok(inbox_sync(w, t2 + 1) == -1, "inbox_sync refuses a ticket never handed out");
	inbox_writer_close(w);
	inbox_reader_free(r);
}

/* The files in dir. */
static int
dir_files(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	while (d && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The bytes of the files in dir. */
static long long
dir_bytes(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	struct stat	 st;
	char		 p[600];
	long long	 n = 0;

	while (d && (de = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && stat(p, &st) == 0)
			n += st.st_size;
	}
	if (d)
		closedir(d);
	return n;
}

static void
test_tmpl(void)
{
	struct tmpl_set	*t = NULL;
	struct buf	 out = { 0 }, err = { 0 };
	cJSON		*d = cJSON_Parse("{\"name\":\"<b>&\",\"cars\":[{\"n\":\"1\",\"t\":64.5656},"
	    "{\"n\":\"2\",\"t\":59.1}],\"none\":[],\"flag\":false,\"x\":{\"y\":\"deep\"},\"q\":\"a b\"}");

	ok(tmpl_parse(&t, "t", "<p>{{name}}</p>{{#cars}}[{{n}}:{{t|laptime}}]{{/cars}}"
	    "{{^none}}empty{{/none}}{{#flag}}no{{/flag}}{{^flag}}off{{/flag}} {{x.y}} "
	    "{{q|url}}{{! comment }}", &err) == 1, "a template parses");
	ok(t && tmpl_render(t, "t", d, &out) == 1, "a template renders");
	is_str(out.p, "<p>&lt;b&gt;&amp;</p>[1:1:04.566][2:59.100]emptyoff deep a%20b",
	    "values are escaped, sections repeat, inverted sections and filters work");
	tmpl_free(t);
	t = NULL;
	ok(tmpl_parse(&t, "bad", "{{#a}}open", &err) == 0 && strstr(err.p, "not closed") != NULL,
	    "an unclosed section is a parse error");
	buf_reset(&err);
	ok(tmpl_parse(&t, "bad", "{{#a}}x{{/b}}", &err) == 0, "a mismatched close is a parse error");
	buf_reset(&out);
	ok(tmpl_parse(&t, "j", "<script>var d={{.|json}};</script>", &err) == 1 &&
	    tmpl_render(t, "j", d, &out) == 1 && strstr(out.p, "</b>") == NULL &&
	    strstr(out.p, "\\u003cb\\u003e") != NULL, "the json filter is safe inside a script element");
	tmpl_free(t);
	t = NULL;
	buf_reset(&out);
	ok(tmpl_parse(&t, "p", "{{> missing}}", &err) == 1 && tmpl_render(t, "p", d, &out) == 0,
	    "a missing partial fails the render");
	tmpl_free(t);
	cJSON_Delete(d);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/t_lib.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_buf();
	test_esc();
	test_numbers();
	test_jscan();
	test_gz_sha();
	test_conf();
	test_inbox();
	test_tmpl();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return tap_done();
}
