/*
 * bench/pcars2-decode: the Project CARS 2 / Automobilista 2 decoder
 * (lib/pcars2.c) over a generated session as the game sends it at its
 * fastest UDP rate: telemetry and timings every tick, the game state every
 * 10 s, the race definition, participants, vehicle and class names every
 * 20 s, time stats at each sector crossing; later revision, or early with
 * -e. Prints decoded packets per second and MB per second, then the rate of
 * whole shared-memory blocks decoded.
 *
 *	bench/pcars2-decode [-c CARS] [-H HOURS] [-f HZ] [-r ROUNDS] [-e]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trackside.h"
#include "pcars2.h"

struct corpus {
	unsigned char	*p;
	size_t		 len, cap;
	size_t		*off;		/* n + 1 offsets */
	size_t		 n, ncap;
	size_t		 kinds[P2K__MAX];
};

static struct p2_packet	 pk;

static void
add(struct corpus *c)
{
	unsigned char	 b[P2_MAX_PACKET];
	size_t		 n;

	if ((n = p2_encode(&pk, b)) == 0)
		exit(1);
	if (c->len + n > c->cap) {
		c->cap = (c->cap + n) * 2;
		if ((c->p = realloc(c->p, c->cap)) == NULL)
			exit(1);
	}
	if (c->n + 2 > c->ncap) {
		c->ncap = (c->ncap + 2) * 2;
		if ((c->off = realloc(c->off, c->ncap * sizeof(*c->off))) == NULL)
			exit(1);
	}
	memcpy(c->p + c->len, b, n);
	c->off[c->n++] = c->len;
	c->len += n;
	c->off[c->n] = c->len;
	c->kinds[pk.kind]++;
	pk.h.packet++;
}

static void
start(enum p2_kind k, enum p2_rev rev)
{
	uint32_t packet = pk.h.packet;

	memset(&pk, 0, sizeof(pk));
	pk.kind = k;
	pk.rev = rev;
	pk.h.packet = packet;
	pk.h.part_count = 1;
}

static void
generate(struct corpus *c, unsigned cars, double hours, unsigned hz, enum p2_rev rev)
{
	unsigned	 ticks = (unsigned)(hours * 3600 * hz);

	for (unsigned t = 0; t < ticks; t++) {
		double sec = (double)t / hz;
		if (t % (20 * hz) == 0) {
			start(P2K_RACE, rev);
			strcpy(pk.u.race.location, "Interlagos");
			strcpy(pk.u.race.variation, "Historic");
			pk.u.race.laps_time = 0x8000 | 12;
			pk.u.race.track_length = 4309;
			add(c);
			for (unsigned part = 0; part * 16 < cars; part++) {
				start(P2K_PARTICIPANTS, rev);
				pk.h.part_index = part;
				pk.h.part_count = (cars + 15) / 16;
				for (unsigned i = 0; i < 16 && part * 16 + i < cars; i++)
					snprintf(pk.u.part.name[i], sizeof(pk.u.part.name[i]),
					    "Driver %u", part * 16 + i);
				add(c);
				start(P2K_VEHICLES, rev);
				for (unsigned i = 0; i < 16; i++)
					strcpy(pk.u.veh.v[i].name, "Ginetta G55 GT4");
				add(c);
			}
			start(P2K_CLASSES, rev);
			strcpy(pk.u.cls.c[0].name, "GT4");
			add(c);
		}
		if (t % (10 * hz) == 0) {
			start(P2K_GAME, rev);
			pk.u.game.game_state = P2G_PLAYING;
			pk.u.game.session_state = P2S_RACE;
			add(c);
		}
		start(P2K_TELEMETRY, rev);
		pk.u.tel.speed = 50 + t % 30;
		pk.u.tel.rpm = 6000 + t % 2000;
		strcpy(pk.u.tel.compound[0], "slick_soft");
		add(c);
		start(P2K_TIMINGS, rev);
		pk.u.tim.num = (int)cars;
		for (unsigned i = 0; i < cars && i < P2_UDP_CARS; i++) {
			pk.u.tim.car[i].position = i + 1;
			pk.u.tim.car[i].active = 1;
			pk.u.tim.car[i].current_time = sec;
			pk.u.tim.car[i].sector = 1 + (unsigned)(sec / 30) % 3;
		}
		add(c);
		/* each car crosses a sector about every 30 s, at its own phase */
		for (unsigned i = 0; i < cars; i++)
			if ((t + i * hz) % (30 * hz) == 0) {
				start(P2K_TIME_STATS, rev);
				pk.u.stats.car[i % P2_UDP_CARS].last_sector = 30.5;
				add(c);
			}
	}
}

int
main(int argc, char *argv[])
{
	struct corpus		 c = { 0 };
	struct p2_packet	*m = malloc(sizeof(*m));
	struct p2_shm		*s = malloc(sizeof(*s));
	unsigned char		*blk = malloc(P2_SHM_V14_SIZE);
	unsigned		 cars = 24, hz = 60;
	double			 hours = 1, best = 0, best_shm = 0;
	int			 rounds = 5, ch, shm_n = 20000;
	enum p2_rev		 rev = P2_LATER;

	while ((ch = getopt(argc, argv, "c:ef:H:r:")) != -1)
		switch (ch) {
		case 'c': cars = (unsigned)atoi(optarg); break;
		case 'e': rev = P2_EARLY; break;
		case 'f': hz = (unsigned)atoi(optarg); break;
		case 'H': hours = atof(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pcars2-decode [-c CARS] [-H HOURS] [-f HZ] "
			    "[-r ROUNDS] [-e]\n");
			return 2;
		}
	if (m == NULL || s == NULL || blk == NULL || cars < 1 || cars > 64 || hz < 1 ||
	    hours <= 0 || rounds < 1)
		return 2;
	generate(&c, cars, hours, hz, rev);
	printf("%zu packets, %.1f MB: %u cars, %.1f h, %u Hz, %s revision\n", c.n,
	    c.len / 1e6, cars, hours, hz, rev == P2_LATER ? "later" : "early");
	for (int k = P2K_UNKNOWN + 1; k < P2K__MAX; k++)
		printf("  %-13s %zu\n", p2_kind_names[k], c.kinds[k]);
	for (int r = 0; r < rounds; r++) {
		size_t	 bad = 0;
		double	 t0 = time_mono(), dt;
		for (size_t i = 0; i < c.n; i++)
			bad += p2_decode(c.p + c.off[i], c.off[i + 1] - c.off[i], m) != 0;
		dt = time_mono() - t0;
		if (bad) {
			fprintf(stderr, "pcars2-decode: %zu packets did not decode\n", bad);
			return 1;
		}
		if (best == 0 || dt < best)
			best = dt;
	}
	printf("decode:       %.0f packets/s, %.0f MB/s (best of %d rounds, %.3f s)\n",
	    c.n / best, c.len / best / 1e6, rounds, best);

	memset(s, 0, sizeof(*s));
	s->version = 14;
	s->has_ams2 = 1;
	s->num = (int)cars;
	for (unsigned i = 0; i < cars; i++) {
		s->car[i].active = 1;
		snprintf(s->car[i].name, sizeof(s->car[i].name), "Driver %u", i);
		strcpy(s->car[i].car, "Ginetta G55 GT4");
		strcpy(s->car[i].cls, "GT4");
	}
	p2_shm_encode(s, blk);
	for (int r = 0; r < rounds; r++) {
		double t0 = time_mono(), dt;
		for (int i = 0; i < shm_n; i++) {
			blk[P2_SHM_SEQ_OFF] = (unsigned char)(i * 2);
			if (p2_shm_decode(blk, P2_SHM_V14_SIZE, s) != 0)
				return 1;
		}
		dt = time_mono() - t0;
		if (best_shm == 0 || dt < best_shm)
			best_shm = dt;
	}
	printf("shm decode:   %.0f blocks/s, %.0f MB/s (%d blocks of %d bytes, best of %d)\n",
	    shm_n / best_shm, shm_n * (double)P2_SHM_V14_SIZE / best_shm / 1e6, shm_n,
	    P2_SHM_V14_SIZE, rounds);
	free(m);
	free(s);
	free(blk);
	free(c.p);
	free(c.off);
	return 0;
}
