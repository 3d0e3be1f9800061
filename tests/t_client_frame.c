/*
 * Frames and the client's identity: the envelope of spec/wire-protocol.md
 * around a poll, an id made once and kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "tap.h"

int
main(void)
{
	struct client_ident	 id, again;
	struct buf		 f = { 0 }, b = { 0 };
	struct jspan		 doc, v, c;
	const char		*tmp = getenv("TMPDIR");
	char			 root[256], s[128], path[400];
	long long		 n;
	double			 t;
	static const char	 resp[] = "{\"/rest/watch/sessionInfo\":{\"currentEventTime\":12.5}}";

	log_init("t_client_frame", 1, LOG_LVL_ERR);
	snprintf(root, sizeof(root), "%s/t_client_frame.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL)
		return 1;

	ok(frame_ident_load(&id, root, "Team \"Car\" <7>") == 1 && strlen(id.id) == CLIENT_ID_LEN &&
	    id_valid(id.id, 8, 64), "a new client id is made: 32 characters a server accepts");
	ok(frame_ident_load(&again, root, NULL) == 1 && strcmp(again.id, id.id) == 0,
	    "the client id is kept in the state directory");
	ok(again.name[0] != '\0', "without a name the host name is used");

	snprintf(path, sizeof(path), "%s/bad", root);
	mkdir_p(path, 0700);
	file_write_durable(path, "client-id", "no spaces allowed\n", 18);
	ok(frame_ident_load(&again, path, "x") == 0, "a stored client id that is not valid is refused");
	ok(frame_ident_load(&again, root, "bad\001name") == 0 &&
	    frame_ident_load(&again, root, "caf\xc3") == 0,
	    "a display name with control characters or bad UTF-8 is refused");

	frame_build(&f, &id, 4711, 1795000000.123, resp, sizeof(resp) - 1);
	int good = f.p && jscan_document(f.p, f.len, &doc) && doc.type == JT_OBJECT &&
	    jscan_member(&doc, "v", &v) && jscan_int(&v, 1, 1, &n) &&
	    jscan_member(&doc, "seq", &v) && jscan_int(&v, 4711, 4711, &n) &&
	    jscan_member(&doc, "client", &c) && json_member_str(&c, "id", s, sizeof(s)) &&
	    strcmp(s, id.id) == 0 && json_member_str(&c, "name", s, sizeof(s)) &&
	    strcmp(s, "Team \"Car\" <7>") == 0 && json_member_str(&c, "version", s, sizeof(s)) &&
	    strncmp(s, "trackside-client/", 17) == 0 &&
	    json_member_str(&doc, "captured_at", s, sizeof(s)) && time_iso_parse(s, &t) &&
	    t > 1795000000.1 && t < 1795000000.2 &&
	    json_member_str(&doc, "source", s, sizeof(s)) && strcmp(s, "lmu") == 0 &&
	    jscan_member(&doc, "data", &v) && v.len == sizeof(resp) - 1 &&
	    memcmp(v.p, resp, v.len) == 0;
	ok(good, "a frame carries v, client, seq, captured_at, source lmu and the poll as data");

	buf_free(&f);
	buf_free(&b);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
