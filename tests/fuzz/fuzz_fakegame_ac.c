/*
 * libFuzzer harness for the requests the simulated Assetto Corsa server
 * (fakegame/sim_ac.c) takes from its plugin port. The first byte sets how
 * far into the weekend it is (4 s of game time a unit: the empty server,
 * practice, later sessions); the rest is requests, each a length byte and
 * that many bytes. Its answers go nowhere: the server has no socket here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakegame.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct sim_ac_opts	 o;
	struct ac		*a;
	struct buf		 err = { 0 };
	size_t			 off = 1;

	if (n == 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.race.cars = 4;
	snprintf(o.race.classes, sizeof(o.race.classes), "GT3:4");
	snprintf(o.race.sessions, sizeof(o.race.sessions), "P,Q,R");
	o.race.minutes[0] = o.race.minutes[1] = o.race.minutes[2] = 2;
	o.race.seed = 1;
	o.race.track_m = 2000;
	o.speed = 1;
	if (sim_ac_new(&a, &o, &err) <= 0) {
		buf_free(&err);
		return 0;
	}
	sim_ac_advance(a, 4.0 * p[0]);
	while (off < n) {
		size_t len = p[off++];
		if (len > n - off)
			len = n - off;
		sim_ac_request(a, p + off, len);
		off += len;
	}
	sim_ac_free(a);
	buf_free(&err);
	return 0;
}
