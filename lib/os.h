/*
 * What differs between the platforms trackside-client runs on, in one
 * interface: lib/os_posix.c (Linux and the other POSIX systems) and
 * lib/os_win.c (64-bit Windows, built with mingw-w64) implement it, and
 * nothing else in the client calls the system directly. The clocks and
 * random bytes (time_now(), time_mono(), rand_bytes() in trackside.h) come
 * from the same two files.
 *
 * Paths are UTF-8 everywhere; os_win.c turns them into UTF-16 for the wide
 * Windows calls, so a user name with spaces or accents works. '/' separates
 * folders on both (Windows takes it as well as '\').
 *
 * Files are C runtime descriptors (an int) on both platforms: read and write
 * them with os_read()/os_write(), make them durable with os_fsync().
 * Every call returns -1 (or NULL) with errno set on failure.
 */
#ifndef OS_H
#define OS_H

#include <stddef.h>
#include <stdint.h>

#include "trackside.h"

/* os_open() flags */
#define OS_RDONLY	0x01
#define OS_WRONLY	0x02
#define OS_RDWR		0x03
#define OS_CREAT	0x10	/* with mode (POSIX permissions; Windows ignores it) */
#define OS_TRUNC	0x20
#define OS_APPEND	0x40

/* Files. */
int	 os_open(const char *path, int flags, unsigned mode);
int	 os_close(int fd);
long long os_read(int fd, void *, size_t);
long long os_write(int fd, const void *, size_t);
long long os_pread(int fd, void *, size_t, long long off);
int	 os_fsync(int fd);			/* data and size reach the disk */
int	 os_ftruncate(int fd, long long len);
int	 os_fsize(int fd, long long *len);
int	 os_lock(int fd);			/* exclusive, never waits; EAGAIN: held */
int	 os_rename(const char *from, const char *to);	/* replaces to, durably */
int	 os_unlink(const char *path);		/* a missing file is not an error */
int	 os_mkdir(const char *path, unsigned mode);	/* an existing folder is no error */
int	 os_sync_dir(const char *dir);		/* a rename in dir reaches the disk */
int	 os_is_dir(const char *path);		/* 1, 0 */

/* Folders: the names in one, without "." and "..". */
struct os_dir;
struct os_dir *os_dir_open(const char *path);
const char *os_dir_next(struct os_dir *);	/* NULL at the end */
void	 os_dir_close(struct os_dir *);

/*
 * Where things live: the configuration folder (~/.config/trackside) and the
 * state folder (~/.local/state/trackside); on Windows both are
 * %LOCALAPPDATA%\Trackside, as the configuration names this machine's
 * games and folders and should not roam. Return malloc'd strings, or NULL.
 */
char	*os_config_home(void);
char	*os_state_home(void);
/* The folder of the running program, malloc'd, or NULL. */
char	*os_exe_dir(void);
/* An environment variable as UTF-8, malloc'd, or NULL when unset or empty. */
char	*os_getenv(const char *name);
int	 os_hostname(char *, size_t);

/* The system log (syslog; none on Windows, where log_msg() keeps to stderr). */
int	 os_syslog_open(const char *prog);	/* 1, or 0 when there is none */
void	 os_syslog(enum log_level, const char *msg);

/* The console. */
int	 os_stderr_tty(void);		/* stderr is a terminal that takes ANSI codes */
int	 os_own_console(void);		/* started by a double-click: the console goes away with us */
void	 os_wait_key(const char *prompt);
/* Program arguments as UTF-8 (Windows: from the wide command line). */
int	 os_args(int *argc, char ***argv);

/*
 * Stopping: Ctrl-C, SIGTERM, closing the console window, logoff and shutdown
 * all set the flag os_stopping() reads. os_stop_done() tells a platform that
 * waits for the program to finish (Windows' console close) that it has.
 */
int	 os_on_stop(void);
int	 os_stopping(void);
void	 os_stop_done(void);

/* UDP sockets (Winsock on Windows), non-blocking. */
#ifdef _WIN32
typedef uintptr_t os_sock;
#define OS_SOCK_NONE	((os_sock)~(uintptr_t)0)
#else
typedef int os_sock;
#define OS_SOCK_NONE	(-1)
#endif
struct os_addr {
	union {
		unsigned char	 raw[128];	/* a struct sockaddr_storage */
		uint64_t	 align;
	} sa;
	unsigned	 len;
	char		 text[300];	/* host:port as given, for messages */
};
int	 os_net_init(void);
/* host NULL: any address (for listening). Returns 1, or 0 with err filled. */
int	 os_resolve(const char *host, const char *port, struct os_addr *, char *err,
	    size_t errsz);
os_sock	 os_udp_open(const struct os_addr *, int bind_it, int rcvbuf);
#define OS_UDP_NONE	(-1)	/* nothing waiting */
#define OS_UDP_ERROR	(-2)	/* errno set */
long	 os_udp_recv(os_sock, void *, size_t, struct os_addr *from);
int	 os_udp_send(os_sock, const void *, size_t, const struct os_addr *to);
int	 os_addr_same(const struct os_addr *, const struct os_addr *);
void	 os_udp_close(os_sock);
const char *os_sock_error(void);	/* the last socket error in words */

#ifdef _WIN32
#include <wchar.h>
/* UTF-8 to malloc'd UTF-16 for the wide calls ('/' becomes '\' in a path). */
wchar_t	*utf8_to_w(const char *, int is_path);
#endif

#endif
