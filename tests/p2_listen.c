/*
 * p2_listen: what a game of Automobilista 2 / Project CARS 2 publishes, one
 * JSON line each, for the tests of the simulated game.
 *
 *	p2_listen --port-file F --out FILE [--until FILE] [--timeout S]
 *
 * listens on a free UDP port on loopback (written to F) and writes each
 * datagram decoded by lib/pcars2.c: kind, revision, size, header and the
 * fields the tests check (lap and sector times in ms). It exits 0 a second after the --until file
 * appears, 1 at the timeout (default 120 s).
 *
 *	p2_listen --shm --out FILE [--polls N | --until FILE] [--timeout S]
 *	    (Windows)
 *
 * opens the `$pcars2$` mapping read-only, copies it whenever mSequenceNumber
 * is even and unchanged across the copy, and writes a line for each new
 * sequence: the size of the view, the sequence, the u32 past version 14's
 * end (0 unless the block is bigger) and what the block holds.
 * It exits 0 after N lines (default 20) or a second after the --until file
 * appears, 1 at the timeout.
 */
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#endif

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "pcars2.h"

static void
jstr(FILE *f, const char *s)
{
	struct buf b = { 0 };

	buf_putc(&b, '"');
	esc_json(&b, s, strlen(s));
	buf_putc(&b, '"');
	fwrite(b.p, 1, b.len, f);
	buf_free(&b);
}

/* A time as sent (f32 seconds) in whole ms, or -1 for none. */
static void
jtime(FILE *f, double t)
{
	if (t <= 0)
		fputs("-1", f);
	else
		fprintf(f, "%ld", lround(t * 1000.0));
}

#ifndef _WIN32
static const char *const rev_names[2] = { "early", "later" };

static void
print_packet(FILE *f, const unsigned char *dg, size_t n)
{
	struct p2_packet	 pk;
	enum p2_rev		 rev = P2_EARLY;
	enum p2_kind		 kind = p2_classify(dg, n, &rev);

	if (kind == P2K_UNKNOWN || p2_decode(dg, n, &pk) < 0) {
		fprintf(f, "{\"kind\":\"unknown\",\"size\":%zu,\"type\":%d}\n", n,
		    n > 10 ? dg[10] : -1);
		return;
	}
	fprintf(f, "{\"kind\":\"%s\",\"rev\":\"%s\",\"size\":%zu,\"type\":%u,\"version\":%u,"
	    "\"packet\":%u,\"cat\":%u,\"pi\":%u,\"pc\":%u", p2_kind_names[kind], rev_names[pk.rev],
	    n, pk.h.type, pk.h.version, (unsigned)pk.h.packet, (unsigned)pk.h.category,
	    pk.h.part_index, pk.h.part_count);
	switch (kind) {
	case P2K_TELEMETRY:
		fprintf(f, ",\"viewed\":%d,\"speed\":%.2f,\"fuel\":%.3f,\"gear\":%d,\"full\":%d,"
		    "\"tick\":%u,\"compound\":", pk.u.tel.viewed, pk.u.tel.speed,
		    pk.u.tel.fuel_level, pk.u.tel.gear, pk.u.tel.has_full, (unsigned)pk.u.tel.tick);
		jstr(f, pk.u.tel.compound[0]);
		break;
	case P2K_RACE:
		fputs(",\"location\":", f);
		jstr(f, pk.u.race.location);
		fputs(",\"variation\":", f);
		jstr(f, pk.u.race.variation);
		fprintf(f, ",\"length\":%.1f,\"timed\":%d,\"minutes\":%u,\"laps\":%u,\"world\":",
		    pk.u.race.track_length, pk.u.race.timed, pk.u.race.minutes, pk.u.race.laps);
		jtime(f, pk.u.race.world_fastest);
		break;
	case P2K_PARTICIPANTS:
		fprintf(f, ",\"changed\":%u,\"ext\":%d,\"names\":[", (unsigned)pk.u.part.changed,
		    pk.u.part.has_ext);
		for (int i = 0, k = 0; i < P2_PER_PACKET; i++) {
			if (pk.u.part.name[i][0] == '\0')
				continue;
			fprintf(f, "%s[%u,", k++ ? "," : "", pk.u.part.has_ext ? pk.u.part.index[i] :
			    (unsigned)i);
			jstr(f, pk.u.part.name[i]);
			fputc(']', f);
		}
		fputc(']', f);
		break;
	case P2K_TIMINGS: {
		const struct p2_timings *t = &pk.u.tim;
		fprintf(f, ",\"num\":%d,\"changed\":%u,\"local\":%d,\"remaining\":%.3f,\"tick\":%u,"
		    "\"cars\":[", t->num, (unsigned)t->changed, t->local_index, t->time_remaining,
		    (unsigned)t->tick);
		/* [index, position, active, lap, sector, pit, race state, invalid, human, car, lap time] */
		for (int i = 0; i < t->num && i < P2_UDP_CARS; i++) {
			const struct p2_timing *c = &t->car[i];
			fprintf(f, "%s[%d,%u,%d,%u,%u,%u,%u,%d,%d,%u,%.3f]", i ? "," : "", i,
			    c->position, c->active, c->current_lap, c->sector, c->pit_mode,
			    c->race_state, c->lap_invalid, c->human, c->car_index, c->current_time);
		}
		fputc(']', f);
		break;
	}
	case P2K_GAME:
		fprintf(f, ",\"game\":%u,\"session\":%u,\"build\":%u", pk.u.game.game_state,
		    pk.u.game.session_state, pk.u.game.build);
		break;
	case P2K_TIME_STATS:
		/* [index, fastest, last, last sector, fastest S1, S2, S3] of rows with a time */
		fprintf(f, ",\"changed\":%u,\"rows\":[", (unsigned)pk.u.stats.changed);
		for (int i = 0, k = 0; i < P2_UDP_CARS; i++) {
			const struct p2_stat *s = &pk.u.stats.car[i];
			if (s->last <= 0 && s->fastest <= 0 && s->last_sector <= 0)
				continue;
			fprintf(f, "%s[%d,", k++ ? "," : "", i);
			jtime(f, s->fastest);
			fputc(',', f);
			jtime(f, s->last);
			fputc(',', f);
			jtime(f, s->last_sector);
			for (int j = 0; j < 3; j++) {
				fputc(',', f);
				jtime(f, s->fastest_s[j]);
			}
			fputc(']', f);
		}
		fputc(']', f);
		break;
	case P2K_VEHICLES:
		fputs(",\"vehicles\":[", f);
		for (int i = 0, k = 0; i < P2_PER_PACKET; i++) {
			if (pk.u.veh.v[i].name[0] == '\0')
				continue;
			fprintf(f, "%s[%u,%u,", k++ ? "," : "", pk.u.veh.v[i].index,
			    (unsigned)pk.u.veh.v[i].cls);
			jstr(f, pk.u.veh.v[i].name);
			fputc(']', f);
		}
		fputc(']', f);
		break;
	case P2K_CLASSES:
		fputs(",\"classes\":[", f);
		for (int i = 0, k = 0; i < P2_CLASSES; i++) {
			if (pk.u.cls.c[i].name[0] == '\0')
				continue;
			fprintf(f, "%s[%u,", k++ ? "," : "", (unsigned)pk.u.cls.c[i].index);
			jstr(f, pk.u.cls.c[i].name);
			fputc(']', f);
		}
		fputc(']', f);
		break;
	default:
		break;
	}
	fputs("}\n", f);
}

#endif

#ifdef _WIN32
/* The block's lines: copies of consistent sequences, each new one once. */
static int
shm_listen(FILE *out, int polls, const char *until, double timeout)
{
	static unsigned char	 copy[P2_SHM_V14_SIZE + 64];
	struct p2_shm		*s;
	HANDLE			 h = NULL;
	const unsigned char	*view = NULL;
	MEMORY_BASIC_INFORMATION mbi;
	size_t			 size = 0, n;
	double			 t0 = time_mono();
	uint32_t		 last = 1;	/* odd: nothing seen yet */
	uint32_t		 extra;
	long long		 torn = 0;
	int			 lines = 0;
	double			 end_at = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return 1;
	while (polls == 0 || lines < polls) {
		uint32_t a, b;
		double now = time_mono();
		if (end_at < 0 && until && GetFileAttributesA(until) != INVALID_FILE_ATTRIBUTES)
			end_at = now + 1.0;
		if (end_at >= 0 && now >= end_at)
			break;
		if (now - t0 > timeout) {
			fprintf(stderr, "p2_listen: timed out after %.0f s (%s)\n", timeout,
			    view ? "no new sequence" : "no $pcars2$ mapping");
			free(s);
			return 1;
		}
		if (view == NULL) {
			if ((h = OpenFileMappingA(FILE_MAP_READ, FALSE, P2_SHM_NAME)) == NULL ||
			    (view = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0)) == NULL) {
				if (h)
					CloseHandle(h);
				h = NULL;
				Sleep(50);
				continue;
			}
			VirtualQuery(view, &mbi, sizeof(mbi));
			size = mbi.RegionSize;
		}
		n = size < sizeof(copy) ? size : sizeof(copy);
		memcpy(&a, view + P2_SHM_SEQ_OFF, 4);
		memcpy(copy, view, n);
		memcpy(&b, view + P2_SHM_SEQ_OFF, 4);
		if (a % 2 == 1 || a != b) {
			torn++;
			continue;
		}
		if (a == last) {
			Sleep(5);
			continue;
		}
		last = a;
		if (p2_shm_decode(copy, n, s) < 0) {
			fprintf(out, "{\"bad\":true,\"size\":%zu}\n", size);
			lines++;
			continue;
		}
		/* what a newer build appended past version 14's end */
		memcpy(&extra, copy + P2_SHM_V14_SIZE, sizeof(extra));
		fprintf(out, "{\"seq\":%u,\"view\":%zu,\"version\":%u,\"ams2\":%d,\"game\":%u,"
		    "\"session\":%u,\"num\":%d,\"viewed\":%d,\"torn\":%lld,\"extra\":%u,"
		    "\"location\":", (unsigned)a, size, s->version, s->has_ams2, s->game_state,
		    s->session_state, s->num, s->viewed, torn, (unsigned)extra);
		jstr(out, s->location);
		fputs(",\"cars\":[", out);
		/* [name, position, laps completed, last lap, pit mode, race state] */
		for (int i = 0; i < s->num && i < P2_SHM_CARS; i++) {
			fputs(i ? ",[" : "[", out);
			jstr(out, s->car[i].name);
			fprintf(out, ",%u,%u,", s->car[i].position, s->car[i].laps_completed);
			jtime(out, s->car[i].last_lap);
			fprintf(out, ",%u,%u]", s->car[i].pit_mode, s->car[i].race_state);
		}
		fputs("]}\n", out);
		fflush(out);
		lines++;
	}
	if (view)
		UnmapViewOfFile(view);
	if (h)
		CloseHandle(h);
	free(s);
	return 0;
}
#else
static int
udp_listen(FILE *out, const char *portfile, const char *until, double timeout)
{
	struct sockaddr_in	 sa;
	socklen_t		 salen = sizeof(sa);
	unsigned char		 dg[2048];
	char			 line[16];
	double			 t0 = time_mono(), end_at = -1;
	int			 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		perror("p2_listen");
		return 1;
	}
	snprintf(line, sizeof(line), "%u\n", ntohs(sa.sin_port));
	if (file_write_durable(".", portfile, line, strlen(line)) < 0) {
		perror(portfile);
		return 1;
	}
	for (;;) {
		struct pollfd	 pfd = { fd, POLLIN, 0 };
		double		 now = time_mono();
		ssize_t		 n;

		if (now - t0 > timeout) {
			fprintf(stderr, "p2_listen: timed out after %.0f s\n", timeout);
			return 1;
		}
		if (end_at < 0 && until && access(until, F_OK) == 0)
			end_at = now + 1.0;
		if (end_at >= 0 && now >= end_at)
			break;
		if (poll(&pfd, 1, 50) > 0 && (n = recv(fd, dg, sizeof(dg), 0)) >= 0)
			print_packet(out, dg, (size_t)n);
	}
	close(fd);
	return 0;
}
#endif

int
main(int argc, char *argv[])
{
	static struct option lo[] = {
		{ "port-file", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "shm", no_argument, NULL, 's' },
		{ "polls", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*portfile = NULL, *outf = NULL, *until = NULL;
	double		 timeout = 120, d;
	int		 ch, shm = 0, polls = 20, rc;
	FILE		*out;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'p': portfile = optarg; break;
		case 'o': outf = optarg; break;
		case 'u': until = optarg; break;
		case 's': shm = 1; break;
		case 't':
			if (!num_parse_d(optarg, 1, 3600, &timeout))
				return 2;
			break;
		case 'n':
			if (!num_parse_d(optarg, 1, 100000, &d))
				return 2;
			polls = (int)d;
			break;
		default:
			return 2;
		}
	}
	if (outf == NULL || (!shm && portfile == NULL)) {
		fprintf(stderr, "usage: p2_listen --port-file F --out FILE [--until FILE] "
		    "[--timeout S]\n       p2_listen --shm --out FILE [--polls N | --until FILE] "
		    "[--timeout S]\n");
		return 2;
	}
	if ((out = fopen(outf, "w")) == NULL) {
		perror(outf);
		return 1;
	}
#ifdef _WIN32
	(void)portfile;
	rc = shm ? shm_listen(out, until ? 0 : polls, until, timeout) : 2;
	if (!shm)
		fprintf(stderr, "p2_listen: on Windows only --shm\n");
#else
	(void)polls;
	if (shm) {
		fprintf(stderr, "p2_listen: --shm reads the mapping on Windows only\n");
		rc = 2;
	} else
		rc = udp_listen(out, portfile, until, timeout);
#endif
	fclose(out);
	return rc;
}
