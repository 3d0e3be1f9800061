/*
 * The admin pages (/admin/...): what they share. Every route flagged
 * ROUTE_ADMIN passes admin_gate() (route.c) before its handler runs: a
 * valid sign-in, and on POST the CSRF token and Origin. Changes are
 * commands (lib/cmd.h) put in the inbox; trackside-ingestd applies them.
 */
#ifndef FCGI_ADMIN_H
#define FCGI_ADMIN_H

#include "fcgi.h"
#include "cmd.h"

/* The signed-in admin of a request (req->admin), set by admin_gate(). */
struct admin_who {
	char	 account[CMD_NAME_MAX + 1];
	char	 id_hash[65];	/* sha256 hex of the cookie's id */
	char	 csrf[65];	/* the token every form of this sign-in carries */
};

/* Cookies: the sign-in's id, its CSRF token for the public pages, the login form's token. */
#define ADMIN_COOKIE		"ts_admin"
#define ADMIN_CSRF_COOKIE	"ts_csrf"
#define ADMIN_LOGIN_COOKIE	"ts_login"
#define ADMIN_WAIT		(-1.0)	/* admin_send: wait as long as the config says */

/* admin.c */
int	 admin_gate(struct req *, struct resp *);
int	 admin_send(struct req *, struct resp *, struct cmd *, double wait, int *ok,
	    struct buf *summary, cJSON **result);
void	 admin_page(struct req *, struct resp *, const char *tmpl, cJSON *data, const char *title);
void	 admin_done(struct req *, struct resp *, int ok, const struct buf *summary,
	    const char *back);
const char *admin_form(const struct req *, const char *key);
int	 admin_cmd(struct req *, struct resp *, struct cmd *, enum cmd_kind);
void	 admin_send_back(struct req *, struct resp *, struct cmd *, const char *back);
void	 admin_bad(struct req *, struct resp *, const char *what);
void	 admin_flash(struct req *, cJSON *data);
void	 admin_headers(const struct req *, struct resp *);
void	 admin_redirect(struct resp *, const char *location);
void	 admin_cookie(const struct req *, struct resp *, const char *name, const char *value,
	    const char *path, long long max_age);
int	 admin_cookie_hex(const struct req *, const char *name, char out[65]);
int	 admin_new_id(char out[65]);
void	 admin_csrf_of(const char *id, char out[65]);
int	 admin_origin_ok(const struct req *);
double	 admin_idle(const struct app *);
double	 admin_max_age(const struct app *);
double	 admin_wait(const struct app *);

/* handlers: h_admin.c (sign-in), h_admin_known.c, h_admin_clients.c,
 * h_admin_sessions.c, h_admin_log.c */
void	 h_admin_login_page(struct req *, struct resp *);
void	 h_admin_login(struct req *, struct resp *);
void	 h_admin_logout(struct req *, struct resp *);
void	 h_admin_home(struct req *, struct resp *);

/* h_admin_known.c, h_admin_clients.c, h_admin_log.c, h_clients.c */
#define ENROLL_CODE_LEN		10	/* letters of an enrollment code */
int	 admin_known_csrf(const struct req *, cJSON *data);
int	 admin_enroll_hash(const char *code, char hash[65]);
void	 h_admin_known_page(struct req *, struct resp *);
void	 h_admin_known_add(struct req *, struct resp *);
void	 h_admin_known_rename(struct req *, struct resp *);
void	 h_admin_known_remove(struct req *, struct resp *);
void	 h_admin_known_mark(struct req *, struct resp *);
void	 h_admin_known_csv(struct req *, struct resp *);
void	 h_admin_known_import_page(struct req *, struct resp *);
void	 h_admin_known_import(struct req *, struct resp *);
void	 h_admin_clients_page(struct req *, struct resp *);
void	 h_admin_clients_add(struct req *, struct resp *);
void	 h_admin_clients_revoke(struct req *, struct resp *);
void	 h_admin_clients_rebind(struct req *, struct resp *);
void	 h_admin_enroll_page(struct req *, struct resp *);
void	 h_admin_enroll_add(struct req *, struct resp *);
void	 h_admin_enroll_end(struct req *, struct resp *);
void	 h_admin_log_page(struct req *, struct resp *);
void	 h_clients_enroll(struct req *, struct resp *);

/* h_admin_sessions.c */
void	 h_admin_sessions_page(struct req *, struct resp *);
void	 h_admin_session_page(struct req *, struct resp *);
void	 h_admin_session_post(struct req *, struct resp *);

#endif
