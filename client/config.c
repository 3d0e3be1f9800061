/*
 * Configuration: one table of options. Each is a "key = value" line of the
 * configuration file and a --key flag; flags win over the file, the file
 * over the defaults. Values are checked here, so the rest of the client sees
 * only valid ones.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "os.h"

enum opt_type {
	OT_STR,		/* any text */
	OT_URL,		/* http:// or https:// URL, or "" */
	OT_PORT,	/* 1..65535 */
	OT_SECS,	/* seconds, 0.1 .. 3600 */
	OT_SIZE,	/* bytes with an optional K/M/G suffix */
	OT_LEVEL,	/* log level name */
	OT_BOOL,	/* yes/no, true/false, 1/0, on/off */
	OT_SPEED,	/* a positive number or "max" */
	OT_MS,		/* milliseconds, 1 .. 65535 */
	OT_SOURCE,	/* a name of src_names */
	OT_HZ,		/* times a second, 1 .. 60 */
	OT_FLAG,	/* a flag without a value; not in the file */
	OT__MAX
};

struct opt {
	const char	*key;
	enum opt_type	 type;
	size_t		 off;		/* into struct config */
	int		 in_file;	/* may appear in the configuration file */
	const char	*arg;
	const char	*help;
};

const char *const src_names[SRC__MAX] = { "lmu", "ac", "pcars2", "pcars2-shm" };

#define O(f) offsetof(struct config, f)
static const struct opt opts[] = {
	{ "source", OT_SOURCE, O(source), 1, "lmu|ac|pcars2|pcars2-shm",
	  "the game: Le Mans Ultimate's API, an Assetto Corsa server's UDP plugin, Automobilista 2 "
	  "/ Project CARS 2 over UDP or its shared memory (default lmu)" },
	{ "server", OT_URL, O(server), 1, "URL",
	  "Trackside server, e.g. https://timing.example.org (empty: do not upload)" },
	{ "token", OT_STR, O(token), 1, "TOKEN",
	  "client token from the server's admin (or $TRACKSIDE_TOKEN)" },
	{ "name", OT_STR, O(name), 1, "NAME", "display name of this client (default: host name)" },
	{ "game-host", OT_STR, O(game_host), 1, "HOST", "game API host (default 127.0.0.1)" },
	{ "game-port", OT_PORT, O(game_port), 1, "PORT", "game API port (default 6397)" },
	{ "poll-interval", OT_SECS, O(poll_interval), 1, "SECONDS",
	  "time between polls of the game (default 1)" },
	{ "timeout", OT_SECS, O(timeout), 1, "SECONDS",
	  "time box of one game request (default 2)" },
	{ "ac-listen", OT_STR, O(ac_listen), 1, "[HOST:]PORT",
	  "ac: where the server sends its events (its UDP_PLUGIN_ADDRESS)" },
	{ "ac-server", OT_STR, O(ac_server), 1, "HOST:PORT",
	  "ac: where the server takes requests (its UDP_PLUGIN_LOCAL_PORT)" },
	{ "ac-forward", OT_STR, O(ac_forward), 1, "HOST:PORT",
	  "ac: pass every datagram on to a second plugin there, and its requests back" },
	{ "ac-interval", OT_MS, O(ac_interval), 1, "MS",
	  "ac: milliseconds between position updates asked for (default 1000)" },
	{ "pcars2-listen", OT_STR, O(pcars2_listen), 1, "[HOST:]PORT",
	  "pcars2: where the game's UDP packets arrive (default 5606, every address)" },
	{ "pcars2-forward", OT_STR, O(pcars2_forward), 1, "HOST:PORT",
	  "pcars2: pass every packet on, unchanged, to another tool there" },
	{ "pcars2-shm-hz", OT_HZ, O(pcars2_shm_hz), 1, "N",
	  "pcars2-shm: looks at the shared memory a second, 1 to 60 (default 5)" },
	{ "state-dir", OT_STR, O(state_dir), 1, "DIR", "where the client id and spool live" },
	{ "spool-dir", OT_STR, O(spool_dir), 1, "DIR", "spool directory (default STATE-DIR/spool)" },
	{ "spool-cap", OT_SIZE, O(spool_cap), 1, "SIZE",
	  "most disk the spool may use, e.g. 500M (default 1G)" },
	{ "log-level", OT_LEVEL, O(log_level), 1, "LEVEL", "error, warn, info or debug" },
	{ "gzip", OT_BOOL, O(gzip), 1, "yes|no", "compress uploads (default yes)" },
	{ "record", OT_STR, O(record), 0, "FILE",
	  "also write every poll to FILE (recording format; .gz compresses)" },
	{ "replay", OT_STR, O(replay), 0, "FILE", "send a recording instead of polling the game" },
	{ "replay-to", OT_STR, O(replay_to), 0, "HOST:PORT",
	  "ac, pcars2: send the recording's datagrams there at their pace, as the game would" },
	{ "speed", OT_SPEED, O(speed), 0, "N|max", "replay speed (default 1)" },
	{ "replay-epoch", OT_STR, O(replay_epoch), 0, "TIME",
	  "recording time (ISO-8601 UTC) that maps to now, to replay several files in step" },
	{ "replay-clock", OT_STR, O(replay_clock), 0, "now|original",
	  "captured_at of replayed frames: when sent, as if live (default), or as recorded" },
	{ "once", OT_FLAG, O(once), 0, NULL, "poll once, send (or print), report and exit" },
	{ "print", OT_FLAG, O(print), 0, NULL, "print frames on standard output, do not upload" },
	{ "flush", OT_FLAG, O(flush), 0, NULL, "send what the spool holds, then exit" },
	{ "quiet", OT_FLAG, O(quiet), 0, NULL, "no status line" },
	{ "config", OT_STR, O(config_path), 0, "FILE", "configuration file to read" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/*
 * Parses a size: digits with an optional K, M, G or T suffix (powers of
 * 1024). Returns 1, or 0 when s is not such a size.
 */
int
config_parse_size(const char *s, long long *out)
{
	char		 num[32];
	size_t		 n = strlen(s);
	long long	 v, mul = 1;

	if (n == 0 || n >= sizeof(num))
		return 0;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': mul = 1LL << 10; break;
	case 'm': case 'M': mul = 1LL << 20; break;
	case 'g': case 'G': mul = 1LL << 30; break;
	case 't': case 'T': mul = 1LL << 40; break;
	default: break;
	}
	if (mul > 1)
		num[n - 1] = '\0';
	if (!num_parse_ll(num, 1, (1LL << 50) / mul, &v))
		return 0;
	*out = v * mul;
	return 1;
}

/*
 * The sample configuration a first run writes, the same text as
 * client/windows/trackside-client.conf (t_client_config compares them).
 * Settings are "#key = default" lines, notes "# " lines.
 */
const char config_sample[] =
    "# trackside-client configuration\n"
    "#\n"
    "# Fill in server and token below, save this file and start\n"
    "# trackside-client again. A line is \"key = value\"; a line that starts\n"
    "# with # is a note. To change a setting, remove the # in front of it.\n"
    "\n"
    "# The address of your team's Trackside server, as your team gave it to\n"
    "# you, e.g. https://timing.example.org\n"
    "server =\n"
    "\n"
    "# Your access token (your team's Trackside admin makes one for you).\n"
    "token =\n"
    "\n"
    "# The name your team sees for you; the computer's name when left empty.\n"
    "name =\n"
    "\n"
    "# Common settings, shown with their defaults.\n"
    "\n"
    "# The game: lmu (Le Mans Ultimate), ac (an Assetto Corsa server), pcars2\n"
    "# (Automobilista 2 or Project CARS 2 over UDP) or pcars2-shm (their shared\n"
    "# memory, on Windows).\n"
    "#source = lmu\n"
    "\n"
    "# Where Le Mans Ultimate answers: this computer, the game's own port.\n"
    "#game-host = 127.0.0.1\n"
    "#game-port = 6397\n"
    "\n"
    "# Seconds between two looks at the game, and the most one look may take.\n"
    "#poll-interval = 1\n"
    "#timeout = 2\n"
    "\n"
    "# The most disk the frames not sent yet may use (K, M or G).\n"
    "#spool-cap = 1G\n"
    "\n"
    "# How much the window says: error, warn, info or debug.\n"
    "#log-level = info\n"
    "\n"
    "# Compress what is sent: yes or no.\n"
    "#gzip = yes\n"
    "\n"
    "# Where the client id and the frames not sent yet are kept, for example\n"
    "# on another disk. Default: %LOCALAPPDATA%\\Trackside on Windows,\n"
    "# ~/.local/state/trackside elsewhere.\n"
    "#state-dir = D:\\Trackside\n"
    "\n"
    "# An Assetto Corsa server (source = ac): the port it sends its events to\n"
    "# (its UDP_PLUGIN_ADDRESS), where it takes requests\n"
    "# (UDP_PLUGIN_LOCAL_PORT) and milliseconds between position updates.\n"
    "#ac-listen = 12001\n"
    "#ac-server = 127.0.0.1:11000\n"
    "#ac-interval = 1000\n"
    "\n"
    "# Automobilista 2 / Project CARS 2 (source = pcars2; in the game UDP on,\n"
    "# protocol \"Project CARS 2\"): the port its packets come to, and another\n"
    "# program that gets every packet passed on (the game sends to one port).\n"
    "# With source = pcars2-shm (Options > System > Shared Memory = \"Project\n"
    "# CARS 2\"): how many times a second it reads the shared memory.\n"
    "#pcars2-listen = 5606\n"
    "#pcars2-forward = 127.0.0.1:5607\n"
    "#pcars2-shm-hz = 5\n";

/*
 * Where the configuration file is when --config names none, the custom of
 * each system, in the order looked at: the first that exists is read; a
 * first run writes the sample to the first it can. On Windows a player
 * unzips the program with its file, so the file beside the program comes
 * first, then one in the state folder (a program under Program Files cannot
 * write beside itself); elsewhere XDG's ~/.config/trackside/client.conf.
 */
enum place_dir { PLACE_EXE, PLACE_CONFIG, PLACE_STATE };
struct place {
	enum place_dir	 dir;
	const char	*name;
	const char	*eol;		/* line ends of the sample written there */
};
static const struct place places_windows[] = {
	{ PLACE_EXE, "trackside-client.conf", "\r\n" },	/* Notepad before Windows 10 */
	{ PLACE_STATE, "trackside-client.conf", "\r\n" },
};
static const struct place places_posix[] = {
	{ PLACE_CONFIG, "client.conf", "\n" },
};
#define PLACES_MAX	2

/*
 * The folder of place p joined with name, malloc'd into *path (NULL when
 * the system does not say where that folder is). Returns 1, -1 when memory
 * runs out.
 */
static int
config_place_path(const struct place *p, const char *name, char **path)
{
	char		*dir;
	struct buf	 b = { 0 };

	*path = NULL;
	dir = p->dir == PLACE_EXE ? os_exe_dir() : p->dir == PLACE_CONFIG ? os_config_home() :
	    os_state_home();
	if (dir == NULL)
		return 1;
	if (buf_printf(&b, "%s%s%s", dir, CLIENT_WINDOWS ? "\\" : "/", name) < 0) {
		free(dir);
		return -1;
	}
	free(dir);
	*path = b.p;
	return 1;
}

static const struct place *
config_places(size_t *n)
{
	if (CLIENT_WINDOWS) {
		*n = sizeof(places_windows) / sizeof(places_windows[0]);
		return places_windows;
	}
	*n = sizeof(places_posix) / sizeof(places_posix[0]);
	return places_posix;
}

static void
config_paths_free(char *paths[PLACES_MAX], int n)
{
	for (int i = 0; i < n && i < PLACES_MAX; i++)
		free(paths[i]);
}

/*
 * The configuration files looked for, in order, into paths (malloc'd,
 * config_paths_free() releases them). Returns how many, -1 when memory runs
 * out.
 */
static int
config_paths(char *paths[PLACES_MAX], const struct place *which[PLACES_MAX])
{
	const struct place	*pl;
	size_t			 n;
	int			 k = 0;

	pl = config_places(&n);
	for (size_t i = 0; i < n && i < PLACES_MAX; i++) {
		if (config_place_path(&pl[i], pl[i].name, &paths[k]) < 0) {
			config_paths_free(paths, k);
			return -1;
		}
		if (paths[k] != NULL)
			which[k++] = &pl[i];
	}
	return k;
}

/*
 * The default configuration file: the first of the places that exists,
 * else the first (where a first run writes one). Returns a static string.
 */
const char *
config_default_path(void)
{
	static char		 path[4096];
	char			*paths[PLACES_MAX];
	const struct place	*which[PLACES_MAX];
	int			 n, fd, pick = 0;

	if ((n = config_paths(paths, which)) <= 0) {
		snprintf(path, sizeof(path), "%s", config_places(&(size_t){ 0 })->name);
		return path;
	}
	for (int i = 0; i < n; i++)
		if ((fd = os_open(paths[i], OS_RDONLY, 0)) >= 0) {
			os_close(fd);
			pick = i;
			break;
		}
	snprintf(path, sizeof(path), "%s", paths[pick]);
	config_paths_free(paths, n);
	return path;
}

/*
 * Writes the sample configuration with the line ends eol to path, making
 * its folder. Returns 1, -1 with errno set.
 */
static int
config_write_sample(const char *path, const char *eol)
{
	struct buf	 b = { 0 };
	char		*dir, *sep;
	int		 fd, saved;

	for (const char *p = config_sample; *p != '\0'; p++)
		if ((*p == '\n' ? buf_add(&b, eol, strlen(eol)) : buf_add(&b, p, 1)) < 0)
			goto fail;
	if ((dir = strdup(path)) == NULL)
		goto fail;
	sep = strrchr(dir, '/');
	if (CLIENT_WINDOWS && strrchr(dir, '\\') > sep)
		sep = strrchr(dir, '\\');
	if (sep != NULL && sep != dir) {
		*sep = '\0';
		if (mkdir_p(dir, 0700) < 0) {
			free(dir);
			goto fail;
		}
	}
	free(dir);
	if ((fd = os_open(path, OS_WRONLY | OS_CREAT | OS_TRUNC, 0600)) < 0)
		goto fail;
	if (os_write(fd, b.p, b.len) != (long long)b.len || os_fsync(fd) < 0) {
		saved = errno;
		os_close(fd);
		os_unlink(path);
		errno = saved;
		goto fail;
	}
	if (os_close(fd) < 0)
		goto fail;
	buf_free(&b);
	return 1;
fail:
	saved = errno;
	buf_free(&b);
	errno = saved;
	return -1;
}

static const char first_run_todo[] =
    "Open it, fill in server = (the address your team's Trackside server gave you)\n"
    "and token = (your access token), save it and start trackside-client again.\n";

/*
 * A first run: writes the sample configuration to the first place that
 * takes it and says so in msg for the player. Returns CONFIG_FIRST, or
 * CONFIG_BAD when no place took it (msg says why).
 */
static enum config_result
config_first_run(struct config *c, struct buf *msg)
{
	char			*paths[PLACES_MAX];
	const struct place	*which[PLACES_MAX];
	int			 n, i, saved = ENOENT;

	if ((n = config_paths(paths, which)) < 0)
		return CONFIG_ERR;
	for (i = 0; i < n; i++) {
		if (config_write_sample(paths[i], which[i]->eol) == 1)
			break;
		saved = errno;
	}
	if (i == n) {
		buf_printf(msg, "No configuration yet, and I could not write one for you (%s: %s).\n"
		    "Start trackside-client with --server URL --token TOKEN, or see --help.",
		    n > 0 ? paths[n - 1] : "no folder for it", strerror(saved));
		config_paths_free(paths, n);
		return CONFIG_BAD;
	}
	buf_printf(msg, "No configuration yet. I wrote one for you:\n    %s\n%s", paths[i],
	    first_run_todo);
	free(c->config_path);
	c->config_path = paths[i];
	paths[i] = NULL;
	config_paths_free(paths, n);
	return CONFIG_FIRST;
}

/*
 * The date the client was built, YYYY-MM-DD, from the compiler's __DATE__:
 * GCC and Clang take it from SOURCE_DATE_EPOCH when that is set, so a
 * reproducible build says the date of its sources.
 */
static const char *
config_build_date(void)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static char	 out[32];
	const char	*d = __DATE__, *m;	/* "Dec  6 2026" */
	char		 mon[4] = { d[0], d[1], d[2], '\0' };

	m = strstr(months, mon);
	snprintf(out, sizeof(out), "%.4s-%02d-%c%c", d + 7, m ? (int)(m - months) / 3 + 1 : 0,
	    d[4] == ' ' ? '0' : d[4], d[5]);
	return out;
}

/*
 * Prints what --version says: the version, when and for what it was built,
 * and the HTTP engine.
 */
void
config_version(FILE *f, const char *http_engine)
{
	fprintf(f, "trackside-client %s (built %s, %s %s, HTTP: %s)\n", VERSION_STRING,
	    config_build_date(), CLIENT_SYSTEM, CLIENT_ARCH, http_engine);
}

/*
 * Sets option o from text val. Returns 1, 0 with a message in err when val
 * is not valid for it, -1 when memory runs out.
 */
static int
config_set(struct config *c, const struct opt *o, const char *val, const char *where,
    struct buf *err)
{
	char		*base = (char *)c + o->off, *dup;
	long long	 ll;
	double		 d;

	switch (o->type) {
	case OT_URL:
		if (*val != '\0' && strncmp(val, "http://", 7) != 0 && strncmp(val, "https://", 8) != 0) {
			buf_printf(err, "%s: %s must be an http:// or https:// URL, not \"%s\"", where,
			    o->key, val);
			return 0;
		}
		/* FALLTHROUGH */
	case OT_STR:
		if ((dup = strdup(val)) == NULL)
			return -1;
		free(*(char **)(void *)base);
		*(char **)(void *)base = dup;
		return 1;
	case OT_PORT:
		if (!num_parse_ll(val, 1, 65535, &ll)) {
			buf_printf(err, "%s: %s must be a port number (1-65535), not \"%s\"", where,
			    o->key, val);
			return 0;
		}
		*(int *)(void *)base = (int)ll;
		return 1;
	case OT_SECS:
		if (!num_parse_d(val, 0.1, 3600, &d)) {
			buf_printf(err, "%s: %s must be seconds from 0.1 to 3600, not \"%s\"", where,
			    o->key, val);
			return 0;
		}
		*(double *)(void *)base = d;
		return 1;
	case OT_SIZE:
		if (!config_parse_size(val, &ll) || ll < 65536) {
			buf_printf(err, "%s: %s must be a size of at least 64K (e.g. 500M, 2G), not "
			    "\"%s\"", where, o->key, val);
			return 0;
		}
		*(long long *)(void *)base = ll;
		return 1;
	case OT_LEVEL: {
		enum log_level lvl;
		if (!log_level_parse(val, &lvl)) {
			buf_printf(err, "%s: %s must be error, warn, info or debug, not \"%s\"", where,
			    o->key, val);
			return 0;
		}
		*(enum log_level *)(void *)base = lvl;
		return 1;
	}
	case OT_BOOL:
		if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") || !strcmp(val, "1") ||
		    !strcasecmp(val, "on"))
			*(int *)(void *)base = 1;
		else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") || !strcmp(val, "0") ||
		    !strcasecmp(val, "off"))
			*(int *)(void *)base = 0;
		else {
			buf_printf(err, "%s: %s must be yes or no, not \"%s\"", where, o->key, val);
			return 0;
		}
		return 1;
	case OT_SPEED:
		if (strcmp(val, "max") == 0)
			*(double *)(void *)base = 0;
		else if (!num_parse_d(val, 0.01, 100000, &d)) {
			buf_printf(err, "%s: %s must be a number from 0.01 or \"max\", not \"%s\"",
			    where, o->key, val);
			return 0;
		} else
			*(double *)(void *)base = d;
		return 1;
	case OT_MS:
		if (!num_parse_ll(val, 1, 65535, &ll)) {
			buf_printf(err, "%s: %s must be milliseconds from 1 to 65535, not \"%s\"",
			    where, o->key, val);
			return 0;
		}
		*(int *)(void *)base = (int)ll;
		return 1;
	case OT_SOURCE:
		for (int i = 0; i < SRC__MAX; i++)
			if (strcmp(val, src_names[i]) == 0) {
				*(enum src_id *)(void *)base = (enum src_id)i;
				return 1;
			}
		buf_printf(err, "%s: %s must be lmu, ac, pcars2 or pcars2-shm, not \"%s\"", where,
		    o->key, val);
		return 0;
	case OT_HZ:
		if (!num_parse_ll(val, 1, 60, &ll)) {
			buf_printf(err, "%s: %s must be a number of times a second from 1 to 60, "
			    "not \"%s\"", where, o->key, val);
			return 0;
		}
		*(int *)(void *)base = (int)ll;
		return 1;
	case OT_FLAG:
		*(int *)(void *)base = 1;
		return 1;
	default:
		return 0;
	}
}

void
config_usage(FILE *f)
{
	fprintf(f, "usage: trackside-client [options]\n"
	    "Polls Le Mans Ultimate's local API, takes an Assetto Corsa server's UDP plugin\n"
	    "slot, or reads Automobilista 2 / Project CARS 2 (UDP or shared memory), and sends\n"
	    "what it sees to a Trackside server; keeps every frame in a spool until the server\n"
	    "has it.\n\n");
	for (size_t i = 0; i < NOPTS; i++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", opts[i].key, opts[i].arg ? " " : "",
		    opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
	}
	fprintf(f, "  %-28s %s\n  %-28s %s\n\n", "-h, --help", "this help", "-V, --version",
	    "print the version");
	fprintf(f, "Every option but record, replay*, speed, once, print, flush, quiet and config\n"
	    "may also be set in the configuration file as \"key = value\" lines:\n  %s\n"
	    "(%s). See trackside-client(1).\n", config_default_path(), CLIENT_WINDOWS ?
	    "beside trackside-client.exe, else in %LOCALAPPDATA%\\Trackside" :
	    "XDG_CONFIG_HOME is honoured");
}

static const struct opt *
config_find(const char *key)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

/*
 * Fills c from defaults, the configuration file and argv. Returns
 * CONFIG_OK, CONFIG_EXIT after --help or --version, CONFIG_BAD with a
 * message in err, CONFIG_ERR when memory runs out or the file cannot be
 * read. config_free() releases c in every case.
 */
enum config_result
config_load(struct config *c, int argc, char *argv[], struct buf *err)
{
	struct option	 lo[NOPTS + 3];
	struct conf	 file = { 0 };
	const char	*path = NULL;
	char		*x;
	int		 explicit = 0, ch, idx, rc;

	memset(c, 0, sizeof(*c));
	c->game_host = strdup("127.0.0.1");
	c->server = strdup("");
	c->game_port = 6397;
	c->poll_interval = 1.0;
	c->timeout = 2.0;
	c->spool_cap = SPOOL_DEFAULT_CAP;
	c->log_level = LOG_LVL_INFO;
	c->gzip = 1;
	c->speed = 1.0;
	c->foreground = 1;
	c->source = SRC_LMU;
	c->ac_interval = 1000;
	c->pcars2_shm_hz = 5;
	c->pcars2_listen = strdup("5606");
	if (c->game_host == NULL || c->server == NULL || c->pcars2_listen == NULL)
		return CONFIG_ERR;

	for (size_t i = 0; i < NOPTS; i++) {
		lo[i].name = opts[i].key;
		lo[i].has_arg = opts[i].type == OT_FLAG ? no_argument : required_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + (int)i;
	}
	lo[NOPTS] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[NOPTS + 1] = (struct option){ "version", no_argument, NULL, 'V' };
	memset(&lo[NOPTS + 2], 0, sizeof(lo[0]));

	/* first pass: --config, --help, --version and bad flags */
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":hV", lo, &idx)) != -1) {
		if (ch == 'h') {
			config_usage(stdout);
			return CONFIG_EXIT;
		}
		if (ch == 'V')
			return CONFIG_VERSION;
		if (ch == '?' || ch == ':') {
			const char *bad = argv[optind - 1];
			buf_printf(err, ch == ':' ? "%s needs a value" : "unknown option %s "
			    "(see --help)", bad);
			return CONFIG_BAD;
		}
		if (ch - 256 >= 0 && strcmp(opts[ch - 256].key, "config") == 0) {
			path = optarg;
			explicit = 1;
		}
	}
	if (optind < argc) {
		buf_printf(err, "unexpected argument \"%s\" (see --help)", argv[optind]);
		return CONFIG_BAD;
	}
	if (path == NULL) {
		/* the first of the places that exists; none: defaults */
		char			*paths[PLACES_MAX];
		const struct place	*which[PLACES_MAX];
		int			 n, i;

		if ((n = config_paths(paths, which)) < 0)
			return CONFIG_ERR;
		for (i = 0, rc = -1; i < n; i++) {
			if ((rc = conf_load(&file, paths[i], err)) >= 0 || errno != ENOENT)
				break;
			conf_free(&file);
		}
		if (i < n && rc < 0 && err->len == 0)
			buf_printf(err, "%s: %s", paths[i], strerror(errno));
		if (i == n)
			rc = 1;
		else if (rc >= 0 && (c->config_path = strdup(paths[i])) == NULL)
			rc = -1;
		config_paths_free(paths, n);
		if (rc < 0) {
			conf_free(&file);
			return CONFIG_ERR;
		}
		path = c->config_path;
	} else if ((rc = conf_load(&file, path, err)) < 0) {
		if (err->len == 0)
			buf_printf(err, "%s: %s", path, strerror(errno));
		conf_free(&file);
		return CONFIG_ERR;
	}
	if (rc == 0) {
		conf_free(&file);
		return CONFIG_BAD;
	}
	if (explicit && (c->config_path = strdup(path)) == NULL) {
		conf_free(&file);
		return CONFIG_ERR;
	}
	for (size_t i = 0; i < file.n; i++) {
		const struct opt *o = config_find(file.ents[i].key);
		char where[4200];
		snprintf(where, sizeof(where), "%s:%d", path, file.ents[i].line);
		if (o == NULL || !o->in_file) {
			buf_printf(err, "%s: unknown key \"%s\"", where, file.ents[i].key);
			conf_free(&file);
			return CONFIG_BAD;
		}
		if ((rc = config_set(c, o, file.ents[i].val, where, err)) <= 0) {
			conf_free(&file);
			return rc < 0 ? CONFIG_ERR : CONFIG_BAD;
		}
	}
	conf_free(&file);
	/* the sample's empty "token =" leaves room for the environment's */
	if ((c->token == NULL || c->token[0] == '\0') && (x = os_getenv("TRACKSIDE_TOKEN")) != NULL) {
		free(c->token);
		c->token = x;
	}

	/* second pass: the flags win */
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":hV", lo, &idx)) != -1) {
		if (ch < 256)
			continue;
		const struct opt *o = &opts[ch - 256];
		char where[64];
		snprintf(where, sizeof(where), "--%s", o->key);
		if (strcmp(o->key, "config") == 0)
			continue;
		if ((rc = config_set(c, o, o->type == OT_FLAG ? "1" : optarg, where, err)) <= 0)
			return rc < 0 ? CONFIG_ERR : CONFIG_BAD;
	}

	/*
	 * A first run: no server and nothing to do without one (printing,
	 * recording, replaying, flushing). Without a configuration a sample is
	 * written; with one (the sample the Windows zip carries, not filled in
	 * yet) the player is told what it lacks. A file named with --config is
	 * taken as it is.
	 */
	if (!explicit && c->server[0] == '\0' && !c->print && c->record == NULL &&
	    c->replay == NULL && !c->flush) {
		if (c->config_path == NULL)
			return config_first_run(c, err);
		buf_printf(err, "No server yet in your configuration:\n    %s\n%s", c->config_path,
		    first_run_todo);
		return CONFIG_FIRST;
	}

	if (c->state_dir == NULL && (c->state_dir = os_state_home()) == NULL &&
	    (c->state_dir = strdup("trackside-state")) == NULL)
		return CONFIG_ERR;
	if (c->spool_dir == NULL) {
		struct buf b = { 0 };
		if (buf_printf(&b, "%s/spool", c->state_dir) < 0)
			return CONFIG_ERR;
		c->spool_dir = b.p;
	}
	if (c->token == NULL && (c->token = strdup("")) == NULL)
		return CONFIG_ERR;
	if (strchr(c->token, '\r') || strchr(c->token, '\n')) {
		buf_printf(err, "the token must be one line");
		return CONFIG_BAD;
	}
	if (c->replay_clock != NULL && strcmp(c->replay_clock, "now") != 0 &&
	    strcmp(c->replay_clock, "original") != 0) {
		buf_printf(err, "--replay-clock must be now or original, not \"%s\"", c->replay_clock);
		return CONFIG_BAD;
	}
	if (c->replay_epoch != NULL && !time_iso_parse(c->replay_epoch, &c->epoch)) {
		buf_printf(err, "--replay-epoch must be an ISO-8601 UTC time, not \"%s\"",
		    c->replay_epoch);
		return CONFIG_BAD;
	}
	if (c->replay != NULL && c->record != NULL) {
		buf_printf(err, "--record and --replay do not go together");
		return CONFIG_BAD;
	}
	if (c->replay == NULL && (c->replay_epoch || c->replay_clock)) {
		buf_printf(err, "--replay-epoch and --replay-clock need --replay FILE");
		return CONFIG_BAD;
	}
	if (c->flush && (c->replay != NULL || c->once || c->print || c->server[0] == '\0')) {
		buf_printf(err, "--flush sends the spool to the server: it needs a server and no "
		    "--replay, --once or --print");
		return CONFIG_BAD;
	}
	if (c->replay != NULL && c->once) {
		buf_printf(err, "--once polls the game; it does not go with --replay");
		return CONFIG_BAD;
	}
	if (c->source == SRC_AC && c->replay == NULL && (c->ac_listen == NULL ||
	    c->ac_server == NULL) && !c->flush) {
		buf_printf(err, "--source ac needs --ac-listen [HOST:]PORT (the server's "
		    "UDP_PLUGIN_ADDRESS) and --ac-server HOST:PORT (its UDP_PLUGIN_LOCAL_PORT)");
		return CONFIG_BAD;
	}
	if (c->source == SRC_AC && c->once) {
		buf_printf(err, "--once polls a game; an Assetto Corsa server is listened to");
		return CONFIG_BAD;
	}
	if (c->replay_to != NULL && (c->replay == NULL || (c->source != SRC_AC &&
	    c->source != SRC_PCARS2))) {
		buf_printf(err, "--replay-to needs --source ac or pcars2 and --replay FILE");
		return CONFIG_BAD;
	}
	if (c->source == SRC_PCARS2 && c->once) {
		buf_printf(err, "--once polls a game; the game's UDP packets are listened to");
		return CONFIG_BAD;
	}
	if (c->source == SRC_PCARS2_SHM && !CLIENT_WINDOWS && !c->flush) {
		buf_printf(err, "--source pcars2-shm: the game's shared memory is read on Windows "
		    "only; here use --source pcars2 (the game's UDP, protocol \"Project CARS 2\")");
		return CONFIG_BAD;
	}
	if (c->source == SRC_PCARS2_SHM && (c->record != NULL || c->replay != NULL ||
	    c->once)) {
		buf_printf(err, "--source pcars2-shm does not go with --record, --replay or --once "
		    "(--source pcars2 records and replays the game's UDP packets)");
		return CONFIG_BAD;
	}
	if (!c->print && c->server[0] != '\0' && c->token[0] == '\0') {
		buf_printf(err, "a token is needed to upload to %s (token = ... in %s, --token, "
		    "or $TRACKSIDE_TOKEN)", c->server, config_default_path());
		return CONFIG_BAD;
	}
	return CONFIG_OK;
}

void
config_free(struct config *c)
{
	free(c->config_path);
	free(c->server);
	free(c->token);
	free(c->name);
	free(c->game_host);
	free(c->state_dir);
	free(c->spool_dir);
	free(c->record);
	free(c->replay);
	free(c->replay_epoch);
	free(c->replay_clock);
	free(c->ac_listen);
	free(c->ac_server);
	free(c->ac_forward);
	free(c->replay_to);
	free(c->pcars2_listen);
	free(c->pcars2_forward);
	memset(c, 0, sizeof(*c));
}
