/*
 * trackside: the admin command. Its subcommands read the database directly
 * and change it only through admin commands (lib/cmd.h), applied by
 * trackside-ingestd when it runs, else here (admin_run).
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <sqlite3.h>

#include "trackside.h"
#include "cmd.h"

struct admin {
	sqlite3		*db;
	const char	*db_path;
	struct conf	*conf;
	const char	*inbox;
	char		 by[CMD_BY_MAX + 1];	/* "cli:<user>" */
	double		 wait;			/* seconds to wait for trackside-ingestd */
	int		 dry_run;		/* --dry-run: print the preview only */
};
struct admin_cmd {
	const char	*name;		/* "client add" */
	const char	*args;		/* usage of the arguments */
	const char	*help;
	int		 min_args;
	int		 max_args;
	int		(*fn)(struct admin *, int argc, char *argv[]);
};

/* main.c */
int	 admin_run(struct admin *, struct cmd *);

/* known.c: trackside known add|rename|remove|list|import|export. */
int	 admin_known_add(struct admin *, int argc, char *argv[]);
int	 admin_known_rename(struct admin *, int argc, char *argv[]);
int	 admin_known_remove(struct admin *, int argc, char *argv[]);
int	 admin_known_list(struct admin *, int argc, char *argv[]);
int	 admin_known_import(struct admin *, int argc, char *argv[]);
int	 admin_known_export(struct admin *, int argc, char *argv[]);

/* account.c: trackside admin add|passwd|list|remove. */
int	 admin_account_add(struct admin *, int argc, char *argv[]);
int	 admin_account_passwd(struct admin *, int argc, char *argv[]);
int	 admin_account_list(struct admin *, int argc, char *argv[]);
int	 admin_account_remove(struct admin *, int argc, char *argv[]);

/* session.c: trackside session list|show|rename|hide|unhide|delete|merge|split, reprocess. */
int	 admin_session_list(struct admin *, int argc, char *argv[]);
int	 admin_session_show(struct admin *, int argc, char *argv[]);
int	 admin_session_rename(struct admin *, int argc, char *argv[]);
int	 admin_session_hide(struct admin *, int argc, char *argv[]);
int	 admin_session_unhide(struct admin *, int argc, char *argv[]);
int	 admin_session_delete(struct admin *, int argc, char *argv[]);
int	 admin_session_merge(struct admin *, int argc, char *argv[]);
int	 admin_session_split(struct admin *, int argc, char *argv[]);
int	 admin_reprocess(struct admin *, int argc, char *argv[]);

#endif
