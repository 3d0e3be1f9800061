/*
 * Configuration: file, flags over the file, checked values with clear
 * messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "tap.h"

static char root[256];

static enum config_result
load(struct config *c, struct buf *err, const char *file_text, ...)
{
	char		 path[400], *argv[32];
	int		 argc = 0;
	va_list		 ap;
	const char	*a;
	enum config_result rc;

	snprintf(path, sizeof(path), "%s/client.conf", root);
	file_write_durable(root, "client.conf", file_text, strlen(file_text));
	argv[argc++] = (char *)"trackside-client";
	argv[argc++] = (char *)"--config";
	argv[argc++] = path;
	va_start(ap, file_text);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	buf_reset(err);
	config_free(c);		/* what the previous load left */
	rc = config_load(c, argc, argv, err);
	return rc;
}

int
main(void)
{
	struct config	 c = { 0 };
	struct buf	 err = { 0 };
	const char	*tmp = getenv("TMPDIR");
	long long	 sz;

	log_init("t_client_config", 1, LOG_LVL_ERR);
	unsetenv("TRACKSIDE_TOKEN");
	snprintf(root, sizeof(root), "%s/t_client_config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL)
		return 1;

	ok(load(&c, &err, "", NULL) == CONFIG_OK && strcmp(c.game_host, "127.0.0.1") == 0 &&
	    c.game_port == 6397 && c.poll_interval == 1.0 && c.spool_cap == 1LL << 30 &&
	    c.gzip == 1 && c.server[0] == '\0',
	    "defaults: game at 127.0.0.1:6397, 1 s polls, 1 GiB spool, gzip");
	config_free(&c);

	ok(load(&c, &err, "server = https://t.example.org\ntoken = abc\ngame-port = 7000\n"
	    "spool-cap = 500M\n# a comment\npoll-interval = 0.5\n", NULL) == CONFIG_OK &&
	    strcmp(c.server, "https://t.example.org") == 0 && strcmp(c.token, "abc") == 0 &&
	    c.game_port == 7000 && c.spool_cap == 500LL << 20 && c.poll_interval == 0.5,
	    "the file sets server, token, port, spool cap and poll interval");
	config_free(&c);

	ok(load(&c, &err, "game-port = 7000\ntoken = abc\n", "--game-port", "7001", "--token=xyz",
	    NULL) == CONFIG_OK && c.game_port == 7001 && strcmp(c.token, "xyz") == 0,
	    "flags win over the file");
	config_free(&c);

	ok(load(&c, &err, "game-port = 70000\n", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "client.conf:1") && strstr(err.p, "game-port"),
	    "a bad value in the file is reported with file, line and key");
	config_free(&c);

	ok(load(&c, &err, "colour = blue\n", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "unknown key \"colour\""), "an unknown key in the file is reported");
	config_free(&c);

	ok(load(&c, &err, "", "--bogus", NULL) == CONFIG_BAD && err.p && strstr(err.p, "--bogus"),
	    "an unknown flag is reported");
	config_free(&c);

	ok(load(&c, &err, "", "--server", "ftp://x", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "http"), "a server that is not an http(s) URL is refused");
	config_free(&c);

	ok(load(&c, &err, "", "--server", "http://127.0.0.1:1", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "token"), "uploading without a token is refused with a hint");
	config_free(&c);

	setenv("TRACKSIDE_TOKEN", "fromenv", 1);
	ok(load(&c, &err, "", "--server", "http://127.0.0.1:1", NULL) == CONFIG_OK &&
	    strcmp(c.token, "fromenv") == 0, "the token may come from $TRACKSIDE_TOKEN");
	unsetenv("TRACKSIDE_TOKEN");
	config_free(&c);

	ok(load(&c, &err, "", "--replay", "x.jsonl", "--speed", "max", NULL) == CONFIG_OK &&
	    c.speed == 0 && load(&c, &err, "", "--speed", "0", NULL) == CONFIG_BAD,
	    "--speed takes a positive number or max");
	config_free(&c);

	ok(load(&c, &err, "", "--replay", "x", "--record", "y", NULL) == CONFIG_BAD,
	    "--record and --replay together are refused");
	config_free(&c);

	ok(load(&c, &err, "", NULL) == CONFIG_OK && c.source == SRC_LMU && c.ac_interval == 1000,
	    "the source is lmu by default");
	config_free(&c);
	ok(load(&c, &err, "source = ac\nac-listen = 9600\nac-server = 127.0.0.1:11000\n"
	    "ac-interval = 250\n", NULL) == CONFIG_OK && c.source == SRC_AC &&
	    strcmp(c.ac_listen, "9600") == 0 && c.ac_interval == 250,
	    "source, ac-listen, ac-server and ac-interval are read from the file");
	config_free(&c);
	ok(load(&c, &err, "", "--source", "rfactor", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "lmu or ac"), "an unknown source is refused");
	config_free(&c);
	ok(load(&c, &err, "source = ac\n", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "--ac-listen"), "the ac source needs its addresses");
	config_free(&c);
	ok(load(&c, &err, "", "--source", "ac", "--ac-listen", "9600", "--ac-server", "h:1",
	    "--ac-interval", "0", NULL) == CONFIG_BAD, "--ac-interval 0 is refused");
	config_free(&c);
	ok(load(&c, &err, "", "--replay", "x", "--replay-to", "127.0.0.1:9600", NULL) ==
	    CONFIG_BAD && load(&c, &err, "", "--source", "ac", "--replay", "x", "--replay-to",
	    "127.0.0.1:9600", NULL) == CONFIG_OK, "--replay-to only replays AC recordings");
	config_free(&c);

	ok(load(&c, &err, "", "--state-dir", "/s", NULL) == CONFIG_OK &&
	    strcmp(c.spool_dir, "/s/spool") == 0, "the spool lives in the state directory by default");
	config_free(&c);

	ok(config_parse_size("64K", &sz) && sz == 65536 && config_parse_size("2G", &sz) &&
	    sz == 2LL << 30 && !config_parse_size("2X", &sz) && !config_parse_size("", &sz),
	    "sizes take K, M, G suffixes");

	{
		char path[400], *argv[] = { (char *)"x", (char *)"--config", path, NULL };
		snprintf(path, sizeof(path), "%s/missing.conf", root);
		buf_reset(&err);
		ok(config_load(&c, 3, argv, &err) == CONFIG_ERR && err.p && strstr(err.p, "missing.conf"),
		    "a configuration file named on the command line must exist");
		config_free(&c);
	}

	buf_free(&err);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
