/*
 * Helpers of the tracking tests and the tracking benchmark: read LMU
 * recordings (spec/lmu-recording.md) poll by poll, wrap polls as inbox
 * records, build small observations in C.
 */
#ifndef T_TRACK_UTIL_H
#define T_TRACK_UTIL_H

#include <zlib.h>

#include "trackside.h"

struct rec_reader {
	gzFile		 gz;
	struct buf	 line;
	double		 created;	/* epoch seconds of the header's "created" */
	double		 t;		/* t of the current poll */
	const char	*responses;	/* the current poll's responses object */
	size_t		 rlen;
	int		 eof;
};

int	 rec_open(struct rec_reader *, const char *path);
int	 rec_next(struct rec_reader *);
void	 rec_close(struct rec_reader *);
void	 rec_frame(struct buf *out, const char *client, long long seq, double at,
	    const char *responses, size_t rlen);
const char *data_dir(void);
void	 db_remove(const char *path);
struct sqlite3;
int	 rec_load(struct sqlite3 **ro, const char *dir, const char *name, const char *file,
	    void (*each)(void *, const struct rec_reader *), void *arg);
void	 rec_skip(const char *name, int tests);
void	 grid_responses(struct buf *out, int ncars, double et);

/* Comparison of a database with a recording's .truth.json. */
struct score {
	long long laps, laps_ok, laps_extra;
	long long pits, pits_ok, pits_extra;
	long long log_cars, log_ok;	/* cars whose race log has every visit of the truth once */
	int sessions_ok, transitions_ok, chat_ok, positions_ok;
	int shown;
};

long long db_count(struct sqlite3 *, const char *sql);
void	 truth_compare(struct sqlite3 *, const char *truth_path, struct score *);
struct cJSON;
struct cJSON	*truth_load(const char *file);
const struct cJSON *truth_race(const struct cJSON *truth);

/* Observations built in C for the unit tests of the pure tracker. */
#include "track.h"

#define TOBS_CARS 16
struct tobs {
	struct obs	 o;
	struct obs_car	 cars[TOBS_CARS];
	struct obs_entry entries[TOBS_CARS];
	struct obs_member members[TOBS_CARS * 2];
	struct obs_chat	 chat[16];
	struct obs_stop	 stops[8];
	struct obs_usage usage[8];
	struct obs_hist	 hist[16];
};
void		 tobs_session(struct tobs *, const char *type, double et, int online);
struct obs_car	*tobs_car(struct tobs *, int slot, const char *veh, const char *driver, int laps);
struct obs_entry *tobs_entry(struct tobs *, int id, const char *veh, const char *name,
		    const char *member);
void		 tobs_chat(struct tobs *, long long ts, const char *text);
enum drop	 tfeed(struct track *, const char *client, double at, struct tobs *,
		    struct tsession **);
int		 tcount(const struct track *, enum change_type);

#endif
