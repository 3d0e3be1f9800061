/*
 * The client's sources: one row per game in sources[] (spec DESIGN: a source
 * is a row in a table, not an if). main.c drives every source the same way:
 *
 *	open()		once, with the configuration, main's HTTP engine and the
 *			queue its frames go to
 *	wait()		the sockets to wait on and how long at most
 *	ready()		after the wait: do what is due (poll, read, replay)
 *	done()		an HTTP request the source started finished
 *	finished()	nothing more will come (--once, end of a replay)
 *	leave()		the client stops: a last frame, if the source sends one
 *	status()	the game's half of the status line
 *	close()		free everything
 *
 * main takes the next frame from the queue (srcq_take()) after each call.
 * backlog is how many frames main holds that the server has not taken (0
 * when there is no server): a replay at --speed max waits while it is large.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include "client.h"
#include "http.h"

#define SRC_AHEAD	1000	/* frames held before a replay at --speed max waits */
#define SRC_MAX_SOCKS	4

/* A frame's captured_at and data object, owned by the source. */
struct src_frame {
	double		 captured_at;
	struct buf	 data;
};

struct src_queue;

struct source {
	const char	*name;		/* the frames' "source" */
	int	 (*open)(void **, const struct config *, const struct client_ident *,
		    struct http *, struct src_queue *);
	unsigned (*wait)(void *, double now, long long backlog, os_sock *, unsigned max,
		    double *timeout);
	void	 (*ready)(void *, double now, long long backlog);
	void	 (*done)(void *, struct http_req *);
	int	 (*finished)(void *, int *status);
	void	 (*leave)(void *, double now);
	void	 (*status)(void *, char *, size_t);
	void	 (*close)(void *);
};

extern const struct source src_lmu;
extern const struct source src_ac;
extern const struct source src_pcars2;
extern const struct source src_pcars2_shm;
extern const struct source *const sources[SRC__MAX];

int	 src_resolve(const char *what, const char *spec, const char *host_default,
	    struct os_addr *);
void	 src_no_done(void *, struct http_req *);

/*
 * source.c: the frames a source made and main has not taken yet, in order.
 */
struct src_queue {
	struct src_frame *v;
	size_t		 head;
	size_t		 n;
	size_t		 cap;
	struct src_frame taken;		/* what the last srcq_take() returned */
};
int	 srcq_push(struct src_queue *, double captured_at, const char *, size_t);
int	 srcq_take(struct src_queue *, struct src_frame **);
long long srcq_len(const struct src_queue *);
void	 srcq_free(struct src_queue *);

/*
 * source.c: the recording a source writes (--record) and the one it reads
 * (--replay), on the clocks every source keeps the same way.
 */
struct src_rec {
	struct rec_writer *w;		/* NULL: not recording */
	double		 mono0;
};
int	 srcrec_open(struct src_rec *, const char *path, const char *format, const char *note);
double	 srcrec_t(const struct src_rec *);
void	 srcrec_failed(struct src_rec *);
void	 srcrec_close(struct src_rec *);

struct src_replay {
	struct rec_reader *rr;
	int		 started;	/* the first item was read */
	int		 done;
	int		 error;
	int		 original;	/* --replay-clock original */
	double		 created;	/* the recording's start, wall seconds */
	double		 epoch;		/* recording time that maps to mono0 */
	double		 mono0;
};
int	 srcrp_open(struct src_replay *, const struct config *, const char *format);
int	 srcrp_result(struct src_replay *, const char *path, enum rec_result,
	    const struct buf *err);
void	 srcrp_start(struct src_replay *, double t);
int	 srcrp_finished(const struct src_replay *, int *status);
double	 srcrp_due(const struct src_replay *, double speed, double t);
double	 srcrp_wall(const struct src_replay *, double t);
void	 srcrp_close(struct src_replay *);

/*
 * source.c: what the sources of UDP datagrams (ac, pcars2) share. Live, each
 * datagram is recorded and sent on as it came (--record, the source's
 * forward option) and the source makes a frame a second of what it kept;
 * with --replay the datagrams of the recording come at their pace into
 * frames, or go as they came to --replay-to. The source gives
 * srcudp_init() its flush() (the datagrams gathered become a frame captured
 * at captured_at) and take() (one datagram, at wall time at, recorded at
 * t), and opens fwd_fd and forward itself.
 */
#define SRC_FRAME_EVERY	1.0		/* s */

struct src_udp {
	const struct config *cfg;
	struct src_queue *q;		/* main's */
	void		*arg;		/* the source's, for flush() and take() */
	void	 (*flush)(void *, double captured_at);
	void	 (*take)(void *, const unsigned char *, size_t, double at, double t);
	os_sock		 fwd_fd;	/* the forward option's socket */
	os_sock		 out_fd;	/* --replay-to */
	struct os_addr	 forward, replay_to;
	double		 next_frame;	/* mono (live) or recording time (replay) */
	struct src_rec	 rec;		/* --record */
	struct src_replay rp;		/* --replay */
	struct buf	 raw;		/* the next datagram of the recording */
	double		 raw_t;		/* ... its recording time */
	int		 have;		/* ... read and not yet due */
	long long	 taken;		/* datagrams of the recording taken */
	long long	 forwarded;	/* datagrams sent on, or to --replay-to */
};
void	 srcudp_init(struct src_udp *, const struct config *, struct src_queue *, void *arg,
	    void (*flush)(void *, double),
	    void (*take)(void *, const unsigned char *, size_t, double, double));
int	 srcudp_replay_open(struct src_udp *, const char *format);
void	 srcudp_pass(struct src_udp *, double t, const unsigned char *, size_t);
void	 srcudp_tick(struct src_udp *, double now);
void	 srcudp_replay(struct src_udp *, double now, long long backlog, const char *what);
int	 srcudp_wait(struct src_udp *, double now, long long backlog, double *timeout);
int	 srcudp_status(const struct src_udp *, const char *name, const char *what, char *,
	    size_t);
void	 srcudp_close(struct src_udp *);

#endif
