/*
 * The upload envelope (spec/wire-protocol.md) around one poll's responses,
 * and the client's identity: an id generated once and kept in the state
 * directory, and a display name.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "os.h"

#define IDENT_FILE "client-id"

/*
 * Appends to out the frame of seq: captured_at (wall seconds), source lmu,
 * data = resp, a JSON object of len bytes taken verbatim. Returns 1 or -1.
 */
int
frame_build(struct buf *out, const struct client_ident *id, long long seq,
    double captured_at, const char *resp, size_t len)
{
	return frame_build_source(out, id, seq, captured_at, "lmu", resp, len);
}

/*
 * Appends to out the frame of seq from source (a name of src_names); see
 * frame_build(). Returns 1 or -1.
 */
int
frame_build_source(struct buf *out, const struct client_ident *id, long long seq,
    double captured_at, const char *source, const char *resp, size_t len)
{
	char	 ts[32];

	time_iso(captured_at, ts);
	if (buf_puts(out, "{\"v\":1,\"client\":{\"id\":\"") < 0 ||
	    esc_json(out, id->id, strlen(id->id)) < 0 ||
	    buf_puts(out, "\",\"name\":\"") < 0 ||
	    esc_json(out, id->name, strlen(id->name)) < 0 ||
	    buf_printf(out, "\",\"version\":\"%s\"},\"seq\":%lld,\"captured_at\":\"%s\","
	    "\"source\":\"%s\",\"data\":", CLIENT_VERSION, seq, ts, source) < 0 ||
	    buf_add(out, resp, len) < 0 ||
	    buf_putc(out, '}') < 0)
		return -1;
	return 1;
}

/*
 * Whether name is 1 to 127 bytes of UTF-8 without control characters.
 */
static int
frame_name_valid(const char *name)
{
	struct buf	 b = { 0 };
	struct jspan	 v;
	int		 ok;

	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	ok = name[0] != '\0' && buf_putc(&b, '"') > 0 &&
	    esc_json(&b, name, strlen(name)) > 0 && buf_putc(&b, '"') > 0 &&
	    jscan_document(b.p, b.len, &v);
	buf_free(&b);
	return ok;
}

/*
 * Loads the client id from state_dir, creating the directory and a new
 * random id the first time, and sets the display name (name, or the host
 * name when name is NULL or empty). Returns 1, 0 when the stored id is not
 * valid (a message is logged), -1 with errno set.
 */
int
frame_ident_load(struct client_ident *id, const char *state_dir, const char *name)
{
	struct buf	 b = { 0 };
	char		 path[4096];
	unsigned char	 rnd[CLIENT_ID_LEN / 2];
	int		 rc;

	memset(id, 0, sizeof(*id));
	if (name != NULL && *name != '\0')
		snprintf(id->name, sizeof(id->name), "%s", name);
	else if (os_hostname(id->name, sizeof(id->name)) < 0 || id->name[0] == '\0')
		snprintf(id->name, sizeof(id->name), "trackside-client");
	if (!frame_name_valid(id->name)) {
		log_err("the client name is not valid UTF-8 text");
		return 0;
	}
	if (mkdir_p(state_dir, 0700) < 0)
		return -1;
	if (snprintf(path, sizeof(path), "%s/%s", state_dir, IDENT_FILE) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((rc = file_read(path, 256, &b)) > 0) {
		while (b.len > 0 && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r' ||
		    b.p[b.len - 1] == ' '))
			b.p[--b.len] = '\0';
		if (b.p == NULL || !id_valid(b.p, 8, 64)) {
			log_err("%s: not a client id (8 to 64 characters of A-Z a-z 0-9 _ -)", path);
			buf_free(&b);
			return 0;
		}
		snprintf(id->id, sizeof(id->id), "%s", b.p);
		buf_free(&b);
		return 1;
	}
	buf_free(&b);
	if (rc == 0) {
		log_err("%s: too large to be a client id", path);
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	if (rand_bytes(rnd, sizeof(rnd)) < 0)
		return -1;
	hex_encode(rnd, sizeof(rnd), id->id);
	char line[CLIENT_ID_LEN + 2];
	snprintf(line, sizeof(line), "%s\n", id->id);
	if (file_write_durable(state_dir, IDENT_FILE, line, strlen(line)) < 0)
		return -1;
	log_info("new client id %s (kept in %s)", id->id, path);
	return 1;
}
