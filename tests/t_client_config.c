/*
 * Configuration: file, flags over the file, checked values with clear
 * messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "os.h"
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
	    strstr(err.p, "lmu, ac, pcars2 or pcars2-shm"), "an unknown source is refused");
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

	ok(load(&c, &err, "", "--source", "pcars2", NULL) == CONFIG_OK && c.source == SRC_PCARS2 &&
	    strcmp(c.pcars2_listen, "5606") == 0 && c.pcars2_forward == NULL &&
	    c.pcars2_shm_hz == 5 && strcmp(src_names[c.source], "pcars2") == 0,
	    "pcars2: listens on port 5606 by default, forwards nowhere, shared memory at 5 Hz");
	config_free(&c);
	ok(load(&c, &err, "source = pcars2\npcars2-listen = 127.0.0.1:5607\n"
	    "pcars2-forward = 127.0.0.1:5608\npcars2-shm-hz = 60\n", NULL) == CONFIG_OK &&
	    c.source == SRC_PCARS2 && strcmp(c.pcars2_listen, "127.0.0.1:5607") == 0 &&
	    strcmp(c.pcars2_forward, "127.0.0.1:5608") == 0 && c.pcars2_shm_hz == 60,
	    "source, pcars2-listen, pcars2-forward and pcars2-shm-hz are read from the file");
	config_free(&c);
	ok(load(&c, &err, "pcars2-shm-hz = 10\n", "--pcars2-shm-hz", "1", "--pcars2-listen",
	    "6000", NULL) == CONFIG_OK && c.pcars2_shm_hz == 1 &&
	    strcmp(c.pcars2_listen, "6000") == 0, "the pcars2 flags win over the file");
	config_free(&c);
	ok(load(&c, &err, "", "--pcars2-shm-hz", "0", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "pcars2-shm-hz must be a number of times a second from 1 to 60") &&
	    load(&c, &err, "pcars2-shm-hz = 61\n", NULL) == CONFIG_BAD &&
	    strstr(err.p, "client.conf:1") && load(&c, &err, "", "--pcars2-shm-hz", "5x", NULL) ==
	    CONFIG_BAD, "pcars2-shm-hz outside 1..60, or not a number, is refused");
	config_free(&c);
	ok(load(&c, &err, "", "--source", "pcars2", "--once", NULL) == CONFIG_BAD && err.p &&
	    strstr(err.p, "--once"), "--once does not go with pcars2 (it listens)");
	config_free(&c);
	ok(load(&c, &err, "", "--source", "pcars2", "--replay", "x", "--replay-to",
	    "127.0.0.1:5606", NULL) == CONFIG_OK && load(&c, &err, "", "--source", "pcars2-shm",
	    "--replay", "x", "--replay-to", "127.0.0.1:5606", NULL) == CONFIG_BAD,
	    "--replay-to replays pcars2 recordings too, not shared memory");
	config_free(&c);
	if (CLIENT_WINDOWS)
		ok(load(&c, &err, "", "--source", "pcars2-shm", NULL) == CONFIG_OK &&
		    c.source == SRC_PCARS2_SHM, "pcars2-shm is a source on Windows");
	else
		ok(load(&c, &err, "", "--source", "pcars2-shm", NULL) == CONFIG_BAD && err.p &&
		    strstr(err.p, "read on Windows only"),
		    "pcars2-shm elsewhere: refused, the shared memory is read on Windows only");
	config_free(&c);
	ok(load(&c, &err, "", "--source", "pcars2", "--record", "r.jsonl", NULL) == CONFIG_OK &&
	    (CLIENT_WINDOWS ? load(&c, &err, "", "--source", "pcars2-shm", "--record", "r.jsonl",
	    NULL) == CONFIG_BAD : 1), "pcars2 records; pcars2-shm does not");
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

	/* the sample a first run writes is the one the Windows zip carries */
	{
		char		 path[1024];
		const char	*top = getenv("top_srcdir");
		struct buf	 f = { 0 }, lf = { 0 };
		int		 crlf = 1;

		snprintf(path, sizeof(path), "%s/client/windows/trackside-client.conf",
		    top && *top ? top : ".");
		if (file_read(path, 1 << 20, &f) == 1 && f.p != NULL) {
			for (size_t i = 0; i < f.len; i++) {
				if (f.p[i] == '\n' && (i == 0 || f.p[i - 1] != '\r'))
					crlf = 0;
				if (f.p[i] != '\r')
					buf_add(&lf, &f.p[i], 1);
			}
		}
		ok(lf.p != NULL && lf.len == strlen(config_sample) &&
		    memcmp(lf.p, config_sample, lf.len) == 0,
		    "the sample configuration is client/windows/trackside-client.conf");
		ok(f.p != NULL && crlf, "client/windows/trackside-client.conf has CRLF line ends");
		buf_free(&f);
		buf_free(&lf);
	}
	{
		/* every "#key = value" line of the sample uncommented */
		struct buf	 t = { 0 };
		const char	*p = config_sample;

		for (; *p != '\0'; p++) {
			if (*p == '#' && (p == config_sample || p[-1] == '\n') && p[1] >= 'a' &&
			    p[1] <= 'z')
				continue;
			buf_add(&t, p, 1);
		}
		ok(load(&c, &err, config_sample, NULL) == CONFIG_OK && c.server[0] == '\0' &&
		    c.token[0] == '\0', "the sample as written loads, without a server");
		config_free(&c);
		ok(t.p != NULL && load(&c, &err, t.p, NULL) == CONFIG_OK && c.source == SRC_LMU &&
		    strcmp(c.game_host, "127.0.0.1") == 0 && c.game_port == 6397 &&
		    c.poll_interval == 1.0 && c.timeout == 2.0 && c.spool_cap == SPOOL_DEFAULT_CAP &&
		    c.log_level == LOG_LVL_INFO && c.gzip == 1 && c.ac_interval == 1000,
		    "the sample's settings are known keys with the defaults' values");
		config_free(&c);
		buf_free(&t);
	}
	setenv("TRACKSIDE_TOKEN", "fromenv", 1);
	ok(load(&c, &err, "server = http://127.0.0.1:1\ntoken =\n", NULL) == CONFIG_OK &&
	    strcmp(c.token, "fromenv") == 0,
	    "an empty token in the file leaves room for $TRACKSIDE_TOKEN");
	unsetenv("TRACKSIDE_TOKEN");
	config_free(&c);

	/* a first run: no file anywhere, no server */
	{
		char		 xdg[400], home[400], state[400], file[500], none[400];
		char		*argv[8] = { (char *)"trackside-client", NULL };
		struct buf	 f = { 0 };
		enum config_result rc;

		snprintf(xdg, sizeof(xdg), "%s/first/xdg config", root);
		snprintf(home, sizeof(home), "%s/first/home", root);
		snprintf(state, sizeof(state), "%s/first/state", root);
		snprintf(file, sizeof(file), "%s/trackside/client.conf", xdg);
		setenv("XDG_CONFIG_HOME", xdg, 1);
		setenv("XDG_STATE_HOME", state, 1);
		setenv("HOME", home, 1);
		buf_reset(&err);
		rc = config_load(&c, 1, argv, &err);
		ok(rc == CONFIG_FIRST && c.config_path != NULL && strcmp(c.config_path, file) == 0,
		    "a first run writes a configuration to ~/.config/trackside/client.conf "
		    "($XDG_CONFIG_HOME)");
		ok(file_read(file, 1 << 20, &f) == 1 && f.p != NULL &&
		    f.len == strlen(config_sample) && memcmp(f.p, config_sample, f.len) == 0,
		    "... the sample, with its folders made");
		ok(err.p != NULL && strstr(err.p, "No configuration yet. I wrote one for you") &&
		    strstr(err.p, file) && strstr(err.p, "server =") && strstr(err.p, "token ="),
		    "... and says where, and what to fill in");
		buf_free(&f);
		config_free(&c);

		buf_reset(&err);
		ok(config_load(&c, 1, argv, &err) == CONFIG_FIRST && c.config_path != NULL &&
		    strcmp(c.config_path, file) == 0 && err.p != NULL &&
		    strstr(err.p, "No server yet") && strstr(err.p, file) &&
		    strstr(err.p, "token =") && file_read(file, 1 << 20, &f) == 1 &&
		    f.len == strlen(config_sample),
		    "a start with the sample not filled in says what it lacks, and writes nothing");
		buf_free(&f);
		config_free(&c);

		char folder[450];
		snprintf(folder, sizeof(folder), "%s/trackside", xdg);
		file_write_durable(folder, "client.conf", "server = http://127.0.0.1:1\ntoken = t\n",
		    38);
		buf_reset(&err);
		ok(config_load(&c, 1, argv, &err) == CONFIG_OK && c.config_path != NULL &&
		    strcmp(c.config_path, file) == 0 && strcmp(c.server, "http://127.0.0.1:1") == 0,
		    "filled in, the next start reads it");
		config_free(&c);

		snprintf(none, sizeof(none), "%s/first/none", root);
		setenv("XDG_CONFIG_HOME", none, 1);
		static const char *const asked[][5] = {
			{ "--print", NULL },
			{ "--record", "x.jsonl", NULL },
			{ "--replay", "x.jsonl", NULL },
			{ "--server", "http://127.0.0.1:1", "--token", "t", NULL },
			{ "--flush", "--server", "http://127.0.0.1:1", "--token", "t" },
		};
		int quiet = 1;
		for (size_t i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
			int n = 1;
			for (int j = 0; j < 5 && asked[i][j] != NULL; j++)
				argv[n++] = (char *)asked[i][j];
			argv[n] = NULL;
			buf_reset(&err);
			if (config_load(&c, n, argv, &err) != CONFIG_OK || c.config_path != NULL)
				quiet = 0;
			config_free(&c);
		}
		argv[1] = (char *)"--version";
		argv[2] = NULL;
		if (config_load(&c, 2, argv, &err) != CONFIG_VERSION)
			quiet = 0;
		config_free(&c);
		ok(quiet && !os_is_dir(none), "no first run with --print, --record, --replay, "
		    "--server, --flush or --version");

		/* a link to nowhere where the folder should be: no file, no writing */
		snprintf(none, sizeof(none), "%s/first-link", root);
		if (symlink("nowhere/at/all", none) < 0)
			none[0] = '\0';
		setenv("XDG_CONFIG_HOME", none, 1);
		argv[1] = NULL;
		buf_reset(&err);
		ok(config_load(&c, 1, argv, &err) == CONFIG_BAD && err.p &&
		    strstr(err.p, "could not write") && strstr(err.p, "--server"),
		    "a first run that cannot write a configuration says so");
		config_free(&c);
		unsetenv("XDG_CONFIG_HOME");
		unsetenv("XDG_STATE_HOME");
	}

	{
		char	 line[300] = "", want[64];
		FILE	*f = tmpfile();
		int	 y, m, d;

		if (f != NULL) {
			config_version(f, "engine/1.0");
			rewind(f);
			if (fgets(line, sizeof(line), f) == NULL)
				line[0] = '\0';
			line[strcspn(line, "\n")] = '\0';
			fclose(f);
		}
		snprintf(want, sizeof(want), "trackside-client %s (built ", VERSION_STRING);
		ok(strncmp(line, want, strlen(want)) == 0 &&
		    sscanf(line + strlen(want), "%4d-%2d-%2d, ", &y, &m, &d) == 3 && y >= 2026 &&
		    m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
		    strstr(line, ", " CLIENT_SYSTEM " " CLIENT_ARCH ", HTTP: engine/1.0)") &&
		    line[strlen(line) - 1] == ')',
		    "--version: version, build date, system and HTTP engine (%s)", line);
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
