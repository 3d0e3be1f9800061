/*
 * trackside-fcgi: handlers see a transport-neutral request and write a
 * response; only main.c knows FastCGI, so tests drive handlers in memory.
 */
#ifndef FCGI_H
#define FCGI_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "trackside.h"
#include "view.h"
#include "vocab.h"

struct tmpl_set;

enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD__MAX };
extern const char *const method_names[METHOD__MAX];

/* What every request may use: set up once, read-only afterwards. */
struct app {
	const char		*db_path;
	const char		*inbox;
	struct inbox_writer	*writer;	/* this process's inbox segment */
	const struct tmpl_set	*tmpl;
	size_t			 max_body;	/* compressed upload cap */
	size_t			 max_inflated;	/* inflated upload cap */
	long long		 min_free_mb;	/* 503 below this much free disk */
	int			 open_enrollment;
	double			 admin_idle;	/* s a sign-in lasts unused (0: 3600) */
	double			 admin_max_age;	/* s a sign-in lasts at most (0: 43200) */
	double			 admin_wait;	/* s an admin page waits for a command (0: 5) */
};

struct kv {
	char	*key;
	char	*val;
};

#define REQ_MAX_ARGS 4
#define REQ_FORM_MAX (1u << 20)	/* body of an admin form: a known-driver CSV import */

struct admin_who;

/* Statements a request prepares once per thread (hot paths only). */
enum req_stmt { RS_TOKEN, RS_APPLIED, RS_POS, RS__MAX };

struct req {
	const struct app	*app;
	sqlite3			*db;		/* this thread's read-only handle */
	sqlite3_stmt		**cache;	/* this thread's statements, or NULL */
	sqlite3_stmt		*own[RS__MAX];	/* prepared for this request alone */
	enum method		 method;
	const char		*path;
	const char		*query;
	const char		*content_type;
	const char		*content_encoding;
	const char		*authorization;
	const char		*sent_at;	/* Trackside-Sent-At, or NULL */
	const char		*remote_addr;
	const char		*cookie;	/* Cookie header, or NULL */
	const char		*origin;	/* Origin header, or NULL */
	const char		*host;		/* Host header, or NULL */
	const char		*if_none_match;	/* If-None-Match header, or NULL */
	int			 https;		/* came over https (HTTPS=on) */
	struct admin_who	*admin;		/* the signed-in admin, or NULL; req_free frees */
	char			 sent[33];	/* id of the command admin_send() put, or "" */
	const char		*body;
	size_t			 bodylen;
	size_t			 content_length;	/* as announced */
	struct kv		*params;	/* the query's, then the form's */
	size_t			 nparams;
	size_t			 form_at;	/* params[form_at..] came from a form body */
	int			 has_form;	/* a form body was parsed */
	char			*args[REQ_MAX_ARGS];	/* path pieces matched by '*' */
	size_t			 nargs;
};

struct resp {
	int		 status;
	int		 cache;		/* seconds nginx may keep a 200 answer */
	const char	*ctype;
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
};

/* A route: methods, pattern ('*' matches one path segment), handler. */
enum route_flag {
	ROUTE_BODY = 1 << 0,	/* takes a request body */
	ROUTE_JSON = 1 << 1,	/* errors answered as JSON */
	ROUTE_ADMIN = 1 << 2,	/* a signed-in admin only: admin_gate() first */
	ROUTE_FORM = 1 << 3,	/* takes a urlencoded form body (REQ_FORM_MAX) */
};
struct route {
	unsigned	 methods;	/* 1 << METHOD_x */
	const char	*pattern;
	unsigned	 flags;
	void		(*fn)(struct req *, struct resp *);
};

/* route.c */
void	 app_dispatch(struct req *, struct resp *);
size_t	 route_body_cap(const struct app *, const char *path, enum method);
const struct route *route_table(size_t *n);

/* req.c */
int	 req_parse_query(struct req *, const char *query);
int	 req_parse_form(struct req *, const char *body, size_t len);
void	 req_drop_form(struct req *);
const char *req_cookie(const struct req *, const char *name, char *out, size_t outsz);
const char *req_param(const struct req *, const char *key);
int	 req_etag_fresh(const struct req *, const char *etag);
int	 req_param_int(struct req *, struct resp *, const char *key, long long min,
	    long long max, long long dflt, long long *out);
int	 req_param_enum(struct req *, struct resp *, const char *key, const char *const *names,
	    size_t n, int *out);
int	 req_names(struct buf *, const char *const *names, size_t n);
int	 req_param_id(struct req *, struct resp *, const char *key, const char **out);
void	 req_free(struct req *);
void	 resp_init(struct resp *);
void	 resp_free(struct resp *);
void	 resp_error(struct resp *, int status, const char *code, const char *fmt, ...) PRINTF(4, 5);
void	 resp_json(struct resp *, int status, const cJSON *);
void	 resp_page(struct req *, struct resp *, const char *tmpl, cJSON *data);
void	 resp_header(struct resp *, const char *name, const char *fmt, ...) PRINTF(3, 4);
const char *status_text(int status);
void	 resp_cache_closed(struct resp *, const cJSON *session);
void	 page_error(struct req *, struct resp *);
long long req_inbox_pos(void *req, const char *seg);
sqlite3_stmt *req_stmt(struct req *, enum req_stmt);

/* json.c: SQLite rows as JSON. */
int	 json_rows(sqlite3_stmt *, cJSON *array);
void	 json_add_time(cJSON *, const char *key, double t);

/* handlers */
void	 h_frames(struct req *, struct resp *);
void	 h_healthz(struct req *, struct resp *);
void	 h_sessions_page(struct req *, struct resp *);
void	 h_sessions_api(struct req *, struct resp *);
void	 h_session_page(struct req *, struct resp *);
void	 h_session_api(struct req *, struct resp *);
void	 h_laps_api(struct req *, struct resp *);
cJSON	*session_list(struct req *, struct resp *);
cJSON	*session_load(struct req *, struct resp *, const char *id);

/* hist.c: what the history pages share. */
const char *hist_session_arg(struct req *, struct resp *);
cJSON	*hist_session(struct req *, struct resp *, const char *id);
int	 hist_car(struct req *, struct resp *, const char *id, cJSON **out);
int	 hist_known_mark(sqlite3 *, cJSON *arr, const char *key);
int	 hist_echo_filters(struct req *, cJSON *);
int	 hist_options(struct req *, cJSON *, const char *name, const char *key,
	    const char *const *values, const char *const *labels, size_t n);
int	 hist_param_bool(struct req *, struct resp *, const char *key, int *out);
int	 hist_param_date(struct req *, struct resp *, const char *key, int end, double *out);
int	 hist_param_text(struct req *, struct resp *, const char *key, size_t max, const char **out);
void	 hist_decorate(cJSON *, int depth);
void	 hist_title(cJSON *, const char *what);
enum session_kind hist_kind(const char *type);
void	 hist_answer(struct req *, struct resp *, cJSON *, int api, const char *tmpl,
	    const char *title);
cJSON	*results_load(struct req *, struct resp *, const char *id, const char *type);
const char *results_finish(const cJSON *res);
int	 pits_load(sqlite3 *, const char *id, long long car, cJSON *arr);
/* A pit row p that is a stop (or drive-through), not a visit ending in the garage. */
#define PITS_STOP_SQL \
	"((p.pit_time IS NOT NULL OR p.stop_time IS NOT NULL OR p.synthesised) " \
	"AND p.garage_in IS NULL)"
void	 h_car_page(struct req *, struct resp *);
void	 h_car_api(struct req *, struct resp *);
void	 h_pits_page(struct req *, struct resp *);
void	 h_pits_api(struct req *, struct resp *);
void	 h_best_laps_page(struct req *, struct resp *);
void	 h_best_laps_api(struct req *, struct resp *);
void	 h_results_csv(struct req *, struct resp *);
void	 h_results_xml(struct req *, struct resp *);
void	 h_laps_csv(struct req *, struct resp *);
void	 h_export_api(struct req *, struct resp *);

/* Live session pages: standings.c, h_map.c, h_timing.c, h_entries.c, h_chat.c. */
struct standings_col {
	const char	*key;
	const char	*label;
	int		 dflt;		/* shown on the timing page by default */
	unsigned	 caps;		/* CAP_* it shows, one of them enough; 0: none needed */
};
#define STANDINGS_COLS 21
extern const struct standings_col standings_cols[STANDINGS_COLS];
void	 standings_decorate(cJSON *session);
void	 standings_class_key(const char *cls, char *out, size_t outsz);
void	 standings_show_all(cJSON *session);
int	 standings_col_has(const struct standings_col *, const cJSON *session);
const char *standings_col_label(const struct standings_col *, const cJSON *session);
cJSON	*session_page_load(struct req *, struct resp *, const char *what);
cJSON	*session_api_load(struct req *, struct resp *);
void	 chat_decorate(cJSON *lines);
int	 map_add(struct req *, cJSON *session);
void	 h_map_api(struct req *, struct resp *);
void	 h_timing_page(struct req *, struct resp *);
void	 h_entries_page(struct req *, struct resp *);
void	 h_entries_api(struct req *, struct resp *);
void	 h_chat_page(struct req *, struct resp *);
void	 h_chat_api(struct req *, struct resp *);
/* h_charts.c: race charts of a class (lap chart, gaps, lap times). */
void	 h_charts_page(struct req *, struct resp *);
void	 h_charts_api(struct req *, struct resp *);
/* h_log.c: the race control log and the My team panel. */
void	 h_log_page(struct req *, struct resp *);
void	 h_log_api(struct req *, struct resp *);
void	 h_pins_api(struct req *, struct resp *);
int	 log_session_add(struct req *, cJSON *session);

/* h_strategy.c: strategy per car and the timing page's compact figures. */
void	 h_strategy_page(struct req *, struct resp *);
void	 h_strategy_api(struct req *, struct resp *);
void	 h_strategy_cars_api(struct req *, struct resp *);
int	 strategy_rows(sqlite3 *, cJSON *session);

/* h_admin_hooks.c: the webhooks and their deliveries (/admin/hooks). */
void	 h_admin_hooks_page(struct req *, struct resp *);
void	 h_admin_hooks_add(struct req *, struct resp *);
void	 h_admin_hooks_remove(struct req *, struct resp *);

#endif
