/*
 * SQLite helpers shared by the programs: opening with the project's
 * settings, migrations, bounded busy retries.
 */
#ifndef DB_H
#define DB_H

#include <sqlite3.h>

struct buf;

enum db_mode { DB_RO, DB_RW, DB__MAX };

/*
 * Checkpoints: SQLite's automatic one at each commit once the WAL holds
 * DB_AUTOCHECKPOINT pages, a passive one every DB_CHECKPOINT_S seconds, and
 * a truncating one when the WAL file has still grown past DB_WAL_LIMIT
 * bytes (readers held it).
 */
#define DB_AUTOCHECKPOINT	1000
#define DB_CHECKPOINT_S		10.0
#define DB_WAL_LIMIT		(8LL << 20)

int	 db_open(sqlite3 **out, const char *path, enum db_mode, struct buf *err);
int	 db_migrate(sqlite3 *, struct buf *err);
int	 db_version(sqlite3 *);
int	 db_latest_version(void);
int	 db_exec(sqlite3 *, const char *sql, struct buf *err);
int	 db_checkpoint(sqlite3 *, long long limit);
int	 db_step(sqlite3_stmt *);
int	 db_busy_stmts(sqlite3 *, struct buf *sql);
void	 db_close(sqlite3 *);

#endif
