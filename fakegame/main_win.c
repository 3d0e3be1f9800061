/*
 * trackside-fakegame.exe: the simulated Automobilista 2 of sim_pcars2.c on
 * Windows, publishing the `$pcars2$` shared memory as the game does: a
 * named file mapping of 20 700 bytes (version 14; --shm-size 20704 plays a
 * newer build that appended a field), rewritten at --pcars2-hz times a
 * second with mSequenceNumber odd while it is written and even after. The
 * player's car is race.c's first player's. Only --sim pcars2 --shm is
 * here; the Linux trackside-fakegame has the other games and the UDP.
 */
#include <windows.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "os.h"
#include "raceopt.h"
#include "sim_pcars2.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: trackside-fakegame --sim pcars2 --shm [--shm-size 20700|20704]\n"
	    "           [--pcars2-hz N] [--speed N] [--truth FILE] [sim options]\n"
	    "A simulated Automobilista 2 writing the $pcars2$ shared memory.\n\n"
	    "  --shm                        publish the $pcars2$ mapping (required)\n"
	    "  --shm-size BYTES             20700 (version 14, the default) or 20704\n"
	    "  --pcars2-hz N                updates per second of wall time (default 20, 5 to 60)\n"
	    "  --speed N                    game time runs N times faster than the wall clock\n"
	    "  --truth FILE                 write what was simulated as JSON at the end\n"
	    "  --cars N                     cars in the simulation (default 16, at most 64)\n"
	    "  --classes LIST               e.g. Hyper:6,LMP2:4,GT3:10 (default: a mix)\n"
	    "  --sessions LIST              P, Q and R in order, e.g. P,Q,R or R (default P,Q,R)\n"
	    "  --practice-minutes M, --qualify-minutes M, --race-minutes M   session lengths\n"
	    "  --track-length METRES        length of the generated circuit (default 5200)\n"
	    "  --seed N                     random seed (default 1)\n");
}

/*
 * Publishes the weekend in the mapping until Ctrl-C. Returns 0, or 1 after
 * a message.
 */
static int
shm_run(const struct p2sim_opts *o, unsigned size)
{
	struct p2sim		*p = NULL;
	struct p2_shm		*s = NULL;
	unsigned char		*block = NULL;
	volatile unsigned char	*view = NULL;
	HANDLE			 h = NULL;
	struct buf		 err = { 0 };
	uint32_t		 seq = 0;
	long long		 tick = 0;
	double			 start;
	int			 rc, status = 1, done = 0;

	if ((rc = p2sim_new(&p, o, &err)) <= 0) {
		fprintf(stderr, "trackside-fakegame: %s\n", rc < 0 ? "out of memory" :
		    err.p ? err.p : "cannot start the simulation");
		buf_free(&err);
		return rc < 0 ? 1 : 2;
	}
	buf_free(&err);
	if ((s = calloc(1, sizeof(*s))) == NULL || (block = calloc(1, P2_SHM_V14_SIZE)) == NULL) {
		fprintf(stderr, "trackside-fakegame: out of memory\n");
		goto out;
	}
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, P2_SHM_NAME);
	if (h != NULL && GetLastError() == ERROR_ALREADY_EXISTS) {
		/* two writers of one block would tear each other's copies */
		fprintf(stderr, "trackside-fakegame: %s exists already: is another game running?\n",
		    P2_SHM_NAME);
		goto out;
	}
	if (h == NULL || (view = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, size)) == NULL) {
		fprintf(stderr, "trackside-fakegame: cannot create the %s mapping: error %lu\n",
		    P2_SHM_NAME, (unsigned long)GetLastError());
		goto out;
	}
	printf("trackside-fakegame: Automobilista 2, car %d, shared memory %s (%u bytes) "
	    "at %g Hz\n", p2sim_slot(p, 0), P2_SHM_NAME, size, o->hz);
	fflush(stdout);
	start = time_mono();
	while (!os_stopping()) {
		double wait = start + (double)tick / o->hz - time_mono();
		if (wait > 0) {
			Sleep((DWORD)(wait * 1000.0) + 1);
			continue;
		}
		p2sim_shm(p, (double)tick * o->speed / o->hz, 0, s);
		tick++;
		/* odd while written, even once the block is whole */
		s->sequence = ++seq;
		p2_shm_encode(s, block);
		*(volatile uint32_t *)(view + P2_SHM_SEQ_OFF) = seq;
		MemoryBarrier();
		memcpy((void *)view, block, P2_SHM_V14_SIZE);
		if (size > P2_SHM_V14_SIZE) {
			/* the newer build's field past version 14's end */
			uint32_t extra = (uint32_t)tick;
			memcpy((void *)(view + P2_SHM_V14_SIZE), &extra, sizeof(extra));
		}
		MemoryBarrier();
		*(volatile uint32_t *)(view + P2_SHM_SEQ_OFF) = ++seq;
		if (p2sim_done(p) && !done) {
			done = 1;
			printf("trackside-fakegame: the weekend is over\n");
			fflush(stdout);
		}
	}
	status = 0;
out:
	if (view)
		UnmapViewOfFile((const void *)view);
	if (h)
		CloseHandle(h);
	free(block);
	free(s);
	p2sim_free(p);
	os_stop_done();
	return status;
}

enum {
	OPT_SIM = 256, OPT_SHM, OPT_SHM_SIZE, OPT_HZ, OPT_TRUTH, OPT_RACE,
};

#define BAD(...) do { fprintf(stderr, "trackside-fakegame: " __VA_ARGS__); \
	fputc('\n', stderr); return 2; } while (0)

int
main(int argc, char *argv[])
{
	static struct option lo[] = {
		{ "sim", required_argument, NULL, OPT_SIM },
		{ "shm", no_argument, NULL, OPT_SHM },
		{ "shm-size", required_argument, NULL, OPT_SHM_SIZE },
		{ "pcars2-hz", required_argument, NULL, OPT_HZ },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		RACEOPT_LONG(OPT_RACE),
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct p2sim_opts	 o;
	unsigned		 size = P2_SHM_V14_SIZE;
	int			 ch, shm = 0;
	long long		 n;
	double			 d;

	if (os_args(&argc, &argv) < 0)
		return 1;
	memset(&o, 0, sizeof(o));
	o.rev = P2_LATER;
	o.views = 1;
	o.shm = 1;
	o.hz = 20;
	o.speed = 1;
	raceopt_defaults(&o.race, 16);
	o.race.max_drivers = 2;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (ch >= OPT_RACE && ch < OPT_RACE + RACEOPT__MAX) {
			if (!raceopt_parse(ch - OPT_RACE, optarg, P2_SHM_CARS, &o.race, &o.speed))
				return 2;
			continue;
		}
		switch (ch) {
		case OPT_SIM:
			if (strcmp(optarg, "pcars2") != 0)
				BAD("this build plays --sim pcars2 only, not \"%s\"", optarg);
			break;
		case OPT_SHM:
			shm = 1;
			break;
		case OPT_SHM_SIZE:
			if (!num_parse_ll(optarg, P2_SHM_V14_SIZE, P2_SHM_V14_SIZE + 4, &n) ||
			    (n != P2_SHM_V14_SIZE && n != P2_SHM_V14_SIZE + 4))
				BAD("--shm-size is 20700 or 20704, not \"%s\"", optarg);
			size = (unsigned)n;
			break;
		case OPT_HZ:
			if (!num_parse_d(optarg, 5, 60, &d))
				BAD("--pcars2-hz must be a number from 5 to 60, not \"%s\"", optarg);
			o.hz = d;
			break;
		case OPT_TRUTH:
			o.truth = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		BAD("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (!shm)
		BAD("this build publishes the $pcars2$ shared memory: --sim pcars2 --shm");
	if (os_on_stop() <= 0)
		BAD("cannot catch Ctrl-C");
	return shm_run(&o, size);
}
