/*
 * Views: a session as the pages, the JSON API and the live events show it,
 * built from SQLite in one place. trackside-fcgi renders them; trackside-
 * ingestd sends the same objects as server-sent-event snapshots and diffs
 * them into deltas.
 *
 * Every loader returns 1 with a new object in *out (the caller frees it
 * with cJSON_Delete), 0 when the thing does not exist, -1 on an SQLite
 * error (sqlite3_errmsg tells which).
 */
#ifndef VIEW_H
#define VIEW_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "vocab.h"

/* Statements of the views, prepared on first use and kept. */
enum view_sql {
	VIEW_SQL_HEADER,
	VIEW_SQL_ROWS,
	VIEW_SQL_ROW,
	VIEW_SQL_CAR_BESTS,
	VIEW_SQL_SESSION_BESTS,
	VIEW_SQL_LAP,
	VIEW_SQL_PIT,
	VIEW_SQL_CHAT,
	VIEW_SQL_LIVE,
	VIEW_SQL_SUMMARY,
	VIEW_SQL_MAP,
	VIEW_SQL_ENTRIES,
	VIEW_SQL_MEMBERS,
	VIEW_SQL_LOG,
	VIEW_SQL__MAX
};

struct view {
	sqlite3		*db;
	sqlite3_stmt	*st[VIEW_SQL__MAX];
};

/* What the pages call each phase of lib/vocab.h's enum phase (stored as its value). */
#define VIEW_PHASE_N	PHASE__MAX
extern const char *const view_phase_names[VIEW_PHASE_N];
void	 view_add_phase(cJSON *);
void	 view_add_source(cJSON *);
void	 view_bools(cJSON *, const char *const *keys, size_t n);
double	 view_num(const cJSON *, const char *key);
const char *view_str(const cJSON *, const char *key);

/* Chat lines a session view carries (the chat page shows them all). */
#define VIEW_CHAT_RECENT	50
/* Race control log entries a session view carries (the log page shows them all). */
#define VIEW_LOG_RECENT		30

void	 view_init(struct view *, sqlite3 *);
void	 view_free(struct view *);

int	 view_session(struct view *, const char *id, cJSON **out);
int	 view_header(struct view *, const char *id, cJSON **out);
int	 view_row(struct view *, long long car, cJSON **out);
int	 view_car_bests(struct view *, long long car, cJSON *row);
int	 view_lap(struct view *, long long car, int lap, cJSON **out);
int	 view_pit(struct view *, long long pit, cJSON **out);
int	 view_chat(struct view *, const char *id, int limit, cJSON **out);
int	 view_log(struct view *, const char *id, int limit, cJSON **out);
void	 view_log_entry(cJSON *entry);
int	 view_summary(struct view *, const char *id, cJSON **out);
int	 view_live_sessions(struct view *, cJSON **out);
int	 view_map(struct view *, const char *id, cJSON **out);
int	 view_entries(struct view *, const char *id, cJSON **out);

void	 view_marks(cJSON *session);
void	 view_mark_row(cJSON *row, const cJSON *bests);
cJSON	*view_row_json(sqlite3_stmt *);

#endif
