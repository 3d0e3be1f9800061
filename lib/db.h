/*
 * SQLite helpers shared by the programs: opening with the project's
 * settings, migrations, bounded busy retries.
 */
#ifndef DB_H
#define DB_H

#include <sqlite3.h>

struct buf;

enum db_mode { DB_RO, DB_RW, DB__MAX };

int	 db_open(sqlite3 **out, const char *path, enum db_mode, struct buf *err);
int	 db_migrate(sqlite3 *, struct buf *err);
int	 db_version(sqlite3 *);
int	 db_latest_version(void);
int	 db_exec(sqlite3 *, const char *sql, struct buf *err);
int	 db_checkpoint(sqlite3 *, long long limit);
void	 db_close(sqlite3 *);

#endif
