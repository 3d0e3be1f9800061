/*
 * The source table: one entry per sim, each turning one client's frames into
 * neutral observations (struct obs, track.h). A source keeps state per
 * client (an event stream such as Assetto Corsa's needs what earlier frames
 * said); the state is saved with the tracker's client row after each frame
 * and loaded when the worker starts again, so a restart derives what an
 * uninterrupted run derives.
 *
 * Everything a game calls by its own words stops here: an observation
 * speaks lib/vocab.h.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include "vocab.h"

struct cJSON;
struct buf;
struct obs;

/* What a parser knows of the frame besides its data. */
struct src_in {
	const char	*client;
	long long	 seq;
	double		 captured_at;	/* client clock, s */
};

struct source_ops {
	const char	*name;			/* source_names[] */
	void		*(*state_new)(void);	/* NULL when out of memory */
	/* 1 an observation, 0 nothing to observe, -1 out of memory */
	int		 (*parse)(void *state, const struct src_in *, const struct cJSON *data,
			    struct obs *);
	/* the state as a JSON text (appended to out); 1 or -1 */
	int		 (*state_save)(const void *state, struct buf *out);
	/* restores a saved state; 1, 0 unreadable (state left new), -1 out of memory */
	int		 (*state_load)(void *state, const char *json);
	void		 (*state_free)(void *);
};

extern const struct source_ops sources[SRC__MAX];

/* src_lmu.c: Le Mans Ultimate's REST responses. */
void	*lmu_state_new(void);
int	 lmu_parse(void *, const struct src_in *, const struct cJSON *, struct obs *);
int	 lmu_state_save(const void *, struct buf *);
int	 lmu_state_load(void *, const char *);
void	 lmu_state_free(void *);
int	 lmu_session_type(const char *word, enum session_kind *, int *n);

/* src_ac.c: Assetto Corsa (docs/ac.md) */
void	*ac_state_new(void);
int	 ac_parse(void *, const struct src_in *, const struct cJSON *, struct obs *);
int	 ac_state_save(const void *, struct buf *);
int	 ac_state_load(void *, const char *);
void	 ac_state_free(void *);
int	 ac_sectors_conf(const char *spec, struct buf *err);

/* src_pcars2.c: Project CARS 2 / Automobilista 2 (spec/pcars2.md) */
void	*pcars2_state_new(void);
int	 pcars2_parse(void *, const struct src_in *, const struct cJSON *, struct obs *);
int	 pcars2_state_save(const void *, struct buf *);
int	 pcars2_state_load(void *, const char *);
void	 pcars2_state_free(void *);

#endif
