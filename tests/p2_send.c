/*
 * A stand-in for Automobilista 2 / Project CARS 2 sending its "Project CARS
 * 2" UDP packets (lib/pcars2.c encodes them), for tests/t_client_pcars2.sh
 * and the client's measurements.
 *
 *	p2_send port
 *		prints a UDP port of 127.0.0.1 that is free now
 *	p2_send stream HOST:PORT [-r early|later] [-z HZ] [-s SECONDS] [-c CARS]
 *	    [-e SECTOR-SECONDS] [-l LOG] [-u]
 *		sends a race at HZ ticks a second (default 60) for SECONDS
 *		(default 5): at the start the game state, the race definition,
 *		the participants, vehicle and class names; every tick the
 *		telemetry and the timings of CARS cars (default 32); the time
 *		stats whenever a car crosses a sector line (every SECTOR-SECONDS,
 *		default 30, each car at its own moment); the game state every 10
 *		s. -u adds, once a second, two packets of no kind the game sends.
 *		LOG gets one line per datagram: "KIND WHAT HEX" where WHAT is keep
 *		(the client must send it on), thin (it may leave it out) or
 *		unknown (it must not send it).
 *	p2_send listen PORT-FILE OUT
 *		binds 127.0.0.1 on a free port, writes the port to PORT-FILE and
 *		appends every datagram it gets to OUT as a hex line. Runs until
 *		killed, five minutes at most.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcars2.h"

struct stream {
	int		 fd;
	struct sockaddr_storage to;
	socklen_t	 tolen;
	FILE		*log;
	enum p2_rev	 rev;
	int		 cars;
	uint32_t	 packet;
	uint32_t	 category[P2_TYPE__MAX];
	struct p2_packet p;
	unsigned char	 out[P2_MAX_PACKET];
	long long	 sent;
};

static int
udp_socket(int port)
{
	struct sockaddr_in	 a;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
bound_port(int fd)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	return ntohs(a.sin_port);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_until(double t)
{
	double		 d;
	struct timespec	 ts;

	while ((d = t - now_s()) > 0) {
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

/* Sends len bytes of buf and logs them as kind, what. */
static void
put(struct stream *s, const unsigned char *buf, size_t len, const char *kind, const char *what)
{
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&s->to, s->tolen) < 0)
		fprintf(stderr, "p2_send: sendto: %s\n", strerror(errno));
	s->sent++;
	if (s->log) {
		fprintf(s->log, "%s %s ", kind, what);
		for (size_t i = 0; i < len; i++)
			fprintf(s->log, "%02x", buf[i]);
		fputc('\n', s->log);
	}
}

/* Encodes s->p (its kind set) with the next packet numbers and sends it. */
static void
send_packet(struct stream *s, enum p2_kind kind, unsigned part, unsigned parts,
    const char *what)
{
	size_t n;

	s->p.kind = kind;
	s->p.rev = s->rev;
	s->p.h.packet = s->packet++;
	s->p.h.part_index = part;
	s->p.h.part_count = parts;
	s->p.h.version = 1;
	if ((n = p2_encode(&s->p, s->out)) == 0) {
		fprintf(stderr, "p2_send: cannot encode %s\n", p2_kind_names[kind]);
		exit(1);
	}
	s->p.h.category = s->category[s->out[10] % P2_TYPE__MAX]++;
	s->out[4] = (unsigned char)s->p.h.category;
	s->out[5] = (unsigned char)(s->p.h.category >> 8);
	s->out[6] = (unsigned char)(s->p.h.category >> 16);
	s->out[7] = (unsigned char)(s->p.h.category >> 24);
	put(s, s->out, n, p2_kind_names[kind], what);
}

static void
send_game(struct stream *s)
{
	memset(&s->p, 0, sizeof(s->p));
	s->p.u.game.build = 1234;
	s->p.u.game.game_state = P2G_PLAYING;
	s->p.u.game.session_state = P2S_RACE;
	s->p.u.game.ambient = 21;
	s->p.u.game.track = 30;
	send_packet(s, P2K_GAME, 0, 1, "keep");
}

static void
send_start(struct stream *s)
{
	int parts = (s->cars + P2_PER_PACKET - 1) / P2_PER_PACKET;

	send_game(s);
	memset(&s->p, 0, sizeof(s->p));
	s->p.u.race.track_length = 3908.0;
	snprintf(s->p.u.race.location, sizeof(s->p.u.race.location), "Brands Hatch");
	snprintf(s->p.u.race.variation, sizeof(s->p.u.race.variation), "Indy");
	s->p.u.race.laps_time = 10;
	s->p.u.race.laps = 10;
	s->p.u.race.enforced_pit_lap = -1;
	send_packet(s, P2K_RACE, 0, 1, "keep");
	for (int k = 0; k < parts; k++) {
		memset(&s->p, 0, sizeof(s->p));
		s->p.u.part.changed = 77;
		for (int i = 0; i < P2_PER_PACKET && k * P2_PER_PACKET + i < s->cars; i++) {
			snprintf(s->p.u.part.name[i], sizeof(s->p.u.part.name[i]), "Driver %d",
			    k * P2_PER_PACKET + i + 1);
			s->p.u.part.index[i] = (unsigned)(k * P2_PER_PACKET + i);
		}
		s->p.u.part.has_ext = s->rev == P2_LATER;
		/* the later game counts the parts from 1 */
		send_packet(s, P2K_PARTICIPANTS, (unsigned)(s->rev == P2_LATER ? k + 1 : k),
		    (unsigned)parts, "keep");
	}
	for (int k = 0; k < parts; k++) {
		memset(&s->p, 0, sizeof(s->p));
		for (int i = 0; i < P2_PER_PACKET && k * P2_PER_PACKET + i < s->cars; i++) {
			s->p.u.veh.v[i].index = (unsigned)(k * P2_PER_PACKET + i);
			s->p.u.veh.v[i].cls = (uint32_t)(i % 2);
			snprintf(s->p.u.veh.v[i].name, sizeof(s->p.u.veh.v[i].name), "Car %d",
			    k * P2_PER_PACKET + i + 1);
		}
		send_packet(s, P2K_VEHICLES, (unsigned)k, (unsigned)parts + 1, "keep");
	}
	memset(&s->p, 0, sizeof(s->p));
	s->p.u.cls.c[0].index = 0;
	snprintf(s->p.u.cls.c[0].name, sizeof(s->p.u.cls.c[0].name), "GT3");
	s->p.u.cls.c[1].index = 1;
	snprintf(s->p.u.cls.c[1].name, sizeof(s->p.u.cls.c[1].name), "GT4");
	send_packet(s, P2K_CLASSES, (unsigned)parts, (unsigned)parts + 1, "keep");
}

/* Where car i is at tick k: laps, sector, lap distance. */
static void
car_at(long long k, int i, int hz, double sector_s, unsigned *lap, unsigned *sector,
    unsigned *dist)
{
	long long	 sticks = (long long)(sector_s * hz), t, sec;

	if (sticks < 1)
		sticks = 1;
	t = k + (long long)i * sticks / P2_UDP_CARS;	/* each car at its own place */
	sec = t / sticks;
	*lap = (unsigned)(sec / 3 + 1);
	*sector = (unsigned)(sec % 3 + 1);
	*dist = (unsigned)((sec % 3) * 1300 + (t % sticks) * 1300 / sticks);
}

static void
stream(struct stream *s, int hz, double seconds, double sector_s, int unknown)
{
	long long	 ticks = (long long)(seconds * hz), k;
	unsigned	 lap, sector, dist, plap[P2_UDP_CARS] = { 0 }, psec[P2_UDP_CARS] = { 0 };
	double		 t0 = now_s();
	int		 crossed;

	send_start(s);
	for (k = 0; k < ticks; k++) {
		sleep_until(t0 + (double)k / hz);
		memset(&s->p, 0, sizeof(s->p));
		s->p.u.tel.viewed = 0;
		s->p.u.tel.speed = 50 + k % 7;
		s->p.u.tel.rpm = (unsigned)(7000 + k % 100);
		s->p.u.tel.gear = 4;
		s->p.u.tel.gears = 6;
		s->p.u.tel.fuel_capacity = 100;
		s->p.u.tel.fuel_level = 0.5;
		s->p.u.tel.tick = (uint32_t)k;
		s->p.u.tel.has_full = s->rev == P2_LATER;
		send_packet(s, P2K_TELEMETRY, 0, 1, "thin");

		memset(&s->p, 0, sizeof(s->p));
		s->p.u.tim.num = s->cars;
		s->p.u.tim.changed = 77;
		s->p.u.tim.time_remaining = -1;
		s->p.u.tim.local_index = 0;
		s->p.u.tim.tick = (uint32_t)k;
		crossed = 0;
		for (int i = 0; i < P2_UDP_CARS; i++) {
			struct p2_timing *c = &s->p.u.tim.car[i];
			c->mp_index = -1;
			if (i >= s->cars)
				continue;
			car_at(k, i, hz, sector_s, &lap, &sector, &dist);
			c->active = 1;
			c->position = (unsigned)i + 1;
			c->sector = sector;
			c->current_lap = lap;
			c->lap_distance = dist;
			c->race_state = P2R_RACING;
			c->car_index = (unsigned)i;
			c->world[0] = (int)dist % 500;
			c->world[2] = (int)dist / 10;
			c->current_time = (double)k / hz;
			c->mp_index = i;
			if (k > 0 && (lap != plap[i] || sector != psec[i]))
				crossed = 1;
			plap[i] = lap;
			psec[i] = sector;
		}
		send_packet(s, P2K_TIMINGS, 0, 1, k == 0 || crossed ? "keep" : "thin");
		if (crossed) {
			memset(&s->p, 0, sizeof(s->p));
			s->p.u.stats.changed = 77;
			for (int i = 0; i < P2_UDP_CARS; i++) {
				s->p.u.stats.car[i].mp_index = -1;
				if (i >= s->cars)
					continue;
				s->p.u.stats.car[i].last = 90.0 + i * 0.1;
				s->p.u.stats.car[i].fastest = 89.0 + i * 0.1;
				s->p.u.stats.car[i].last_sector = 30.0;
				s->p.u.stats.car[i].mp_index = i;
			}
			send_packet(s, P2K_TIME_STATS, 0, 1, "keep");
		}
		if (k > 0 && k % (10 * hz) == 0)
			send_game(s);
		if (unknown && k % hz == 0) {
			unsigned char u[540];
			memset(u, 0, sizeof(u));
			u[10] = 5;	/* weather: never sent */
			u[12] = (unsigned char)k;
			put(s, u, 100, "unknown", "unknown");
			u[10] = 0;	/* telemetry of neither size */
			put(s, u, sizeof(u), "unknown", "unknown");
		}
	}
}

static int
resolve(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char		 host[256];
	const char	*colon = strrchr(spec, ':');
	struct addrinfo	 hints, *res;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		return 0;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return 0;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 1;
}

static int
listen_mode(const char *portfile, const char *out)
{
	unsigned char	 b[65536];
	FILE		*f, *pf;
	int		 fd;
	ssize_t		 n;
	struct timeval	 tv = { 300, 0 };

	if ((fd = udp_socket(0)) < 0 || (f = fopen(out, "a")) == NULL)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((pf = fopen(portfile, "w")) == NULL)
		return 1;
	fprintf(pf, "%d\n", bound_port(fd));
	fclose(pf);
	while ((n = recv(fd, b, sizeof(b), 0)) >= 0) {
		for (ssize_t i = 0; i < n; i++)
			fprintf(f, "%02x", b[i]);
		fputc('\n', f);
		fflush(f);
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: p2_send port | stream HOST:PORT [-r early|later] [-z HZ] "
	    "[-s SECONDS] [-c CARS] [-e SECTOR-SECONDS] [-l LOG] [-u] | listen PORT-FILE OUT\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct stream	 s;
	int		 hz = 60, ch, unknown = 0;
	double		 seconds = 5, sector_s = 30;

	if (argc >= 2 && strcmp(argv[1], "port") == 0) {
		int fd = udp_socket(0);
		if (fd < 0)
			return 1;
		printf("%d\n", bound_port(fd));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "listen") == 0)
		return listen_mode(argv[2], argv[3]);
	if (argc < 3 || strcmp(argv[1], "stream") != 0)
		usage();
	memset(&s, 0, sizeof(s));
	s.rev = P2_LATER;
	s.cars = 32;
	if (!resolve(argv[2], &s.to, &s.tolen)) {
		fprintf(stderr, "p2_send: %s is not HOST:PORT\n", argv[2]);
		return 2;
	}
	optind = 3;
	while ((ch = getopt(argc, argv, "r:z:s:c:e:l:u")) != -1)
		switch (ch) {
		case 'r':
			s.rev = strcmp(optarg, "early") == 0 ? P2_EARLY : P2_LATER;
			break;
		case 'z':
			hz = atoi(optarg);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'c':
			s.cars = atoi(optarg);
			break;
		case 'e':
			sector_s = atof(optarg);
			break;
		case 'l':
			if ((s.log = fopen(optarg, "w")) == NULL)
				return 1;
			break;
		case 'u':
			unknown = 1;
			break;
		default:
			usage();
		}
	if (hz < 1 || hz > 1000 || s.cars < 1 || s.cars > P2_UDP_CARS || sector_s <= 0)
		usage();
	if ((s.fd = socket(s.to.ss_family, SOCK_DGRAM, 0)) < 0)
		return 1;
	stream(&s, hz, seconds, sector_s, unknown);
	if (s.log)
		fclose(s.log);
	fprintf(stderr, "p2_send: %lld datagrams\n", s.sent);
	return 0;
}
