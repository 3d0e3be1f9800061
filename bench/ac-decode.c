/*
 * bench/ac-decode: the Assetto Corsa datagram decoder (client/acsp.c) over a
 * generated one-hour 24-car session: CAR_UPDATE of every car at 10 Hz,
 * laps with the 24-row leaderboard, chat, collisions, connections. Prints
 * decoded datagrams per second and MB per second, and the same for the
 * decoder plus the JSON events a frame carries.
 *
 *	bench/ac-decode [-c CARS] [-H HOURS] [-r ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acsp.h"
#include "acsp_build.h"

struct corpus {
	unsigned char	*p;
	size_t		 len, cap;
	size_t		*off;		/* n + 1 offsets */
	size_t		 n, ncap;
};

static void
add(struct corpus *c, struct dg *d)
{
	if (c->len + d->n > c->cap) {
		c->cap = (c->cap + d->n) * 2;
		if ((c->p = realloc(c->p, c->cap)) == NULL)
			exit(1);
	}
	if (c->n + 2 > c->ncap) {
		c->ncap = (c->ncap + 2) * 2;
		if ((c->off = realloc(c->off, c->ncap * sizeof(*c->off))) == NULL)
			exit(1);
	}
	memcpy(c->p + c->len, d->b, d->n);
	c->off[c->n++] = c->len;
	c->len += d->n;
	c->off[c->n] = c->len;
	d->n = 0;
}

/* A session of cars for hours: what a server sends its plugin. */
static void
generate(struct corpus *c, unsigned cars, double hours)
{
	struct dg	 d = { 0 };
	unsigned	 ticks = (unsigned)(hours * 3600 * 10);
	char		 name[32];

	dg_u8(&d, ACSP_VERSION);
	dg_u8(&d, 4);
	add(c, &d);
	dg_session(&d, ACSP_NEW_SESSION, 4, "Race", 3, -60000);
	add(c, &d);
	for (unsigned i = 0; i < cars; i++) {
		snprintf(name, sizeof(name), "Driver %u", i);
		dg_conn(&d, ACSP_NEW_CONNECTION, name, "76561198000000000", i);
		add(c, &d);
		dg_car_info(&d, i, 1, name);
		add(c, &d);
		dg_u8(&d, ACSP_CLIENT_LOADED);
		dg_u8(&d, i);
		add(c, &d);
	}
	for (unsigned t = 0; t < ticks; t++) {
		for (unsigned i = 0; i < cars; i++) {
			/* a lap of about 90 s, each car a little slower */
			double lap = 900 + i * 3, pos = (t % (unsigned)lap) / lap;
			dg_car_update(&d, i, (float)(t * 0.1 + i), (float)pos);
			add(c, &d);
			if (t > 0 && t % (unsigned)lap == 0) {
				dg_lap(&d, i, (uint32_t)(lap * 100), cars, 8);
				add(c, &d);
			}
		}
		if (t % 600 == 0) {
			dg_chat(&d, t % cars, "pit this lap");
			add(c, &d);
			dg_event(&d, ACSP_CE_COLLISION_WITH_CAR, t % cars, (t + 1) % cars);
			add(c, &d);
		}
		if (t % 3000 == 0) {
			dg_conn(&d, ACSP_CONNECTION_CLOSED, "Driver 0", "76561198000000000", 0);
			add(c, &d);
			dg_conn(&d, ACSP_NEW_CONNECTION, "Driver 0", "76561198000000000", 0);
			add(c, &d);
		}
	}
	dg_u8(&d, ACSP_END_SESSION);
	dg_w(&d, "results/2026_12_6_7_0_RACE.json");
	add(c, &d);
}

int
main(int argc, char *argv[])
{
	struct corpus	 c = { 0 };
	struct acsp_msg	*m = malloc(sizeof(*m));
	struct buf	 json = { 0 };
	unsigned	 cars = 24;
	double		 hours = 1, best = 0, best_json = 0;
	int		 rounds = 5, ch;

	while ((ch = getopt(argc, argv, "c:H:r:")) != -1)
		switch (ch) {
		case 'c': cars = (unsigned)atoi(optarg); break;
		case 'H': hours = atof(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: ac-decode [-c CARS] [-H HOURS] [-r ROUNDS]\n");
			return 2;
		}
	if (m == NULL || cars < 1 || cars > 255 || hours <= 0 || rounds < 1)
		return 2;
	generate(&c, cars, hours);
	printf("%zu datagrams, %.1f MB: %u cars, %.1f h, CAR_UPDATE at 10 Hz\n", c.n,
	    c.len / 1e6, cars, hours);
	for (int r = 0; r < rounds; r++) {
		struct acsp_dec d = { 0 };
		size_t bad = 0;
		double t0 = time_mono();
		for (size_t i = 0; i < c.n; i++)
			bad += acsp_decode(&d, c.p + c.off[i], c.off[i + 1] - c.off[i], m) != ACSP_OK;
		double dt = time_mono() - t0;
		if (bad) {
			fprintf(stderr, "ac-decode: %zu datagrams did not decode\n", bad);
			return 1;
		}
		if (best == 0 || dt < best)
			best = dt;
	}
	for (int r = 0; r < rounds; r++) {
		struct acsp_dec d = { 0 };
		double t0 = time_mono();
		for (size_t i = 0; i < c.n; i++) {
			const unsigned char *p = c.p + c.off[i];
			size_t len = c.off[i + 1] - c.off[i];
			if (i % 1000 == 0)
				buf_reset(&json);
			if (acsp_decode(&d, p, len, m) != ACSP_OK ||
			    acsp_json(&json, 1764995405123LL, m, p, len) < 0)
				return 1;
		}
		double dt = time_mono() - t0;
		if (best_json == 0 || dt < best_json)
			best_json = dt;
	}
	printf("decode:        %.0f datagrams/s, %.0f MB/s (best of %d rounds, %.3f s)\n",
	    c.n / best, c.len / best / 1e6, rounds, best);
	printf("decode + JSON: %.0f datagrams/s, %.0f MB/s (best of %d rounds, %.3f s)\n",
	    c.n / best_json, c.len / best_json / 1e6, rounds, best_json);
	buf_free(&json);
	free(m);
	free(c.p);
	free(c.off);
	return 0;
}
