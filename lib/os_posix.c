/*
 * lib/os.h on Linux and the other POSIX systems (lib/os_win.c is the
 * Windows side). Also the clocks and random bytes of trackside.h.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "os.h"

/* Wall-clock seconds since the epoch. */
double
time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Monotonic seconds, for intervals. */
double
time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fills p with n random bytes from the kernel. Returns 1 or -1. */
int
rand_bytes(void *p, size_t n)
{
	unsigned char	*c = p;

	while (n > 0) {
		ssize_t r = getrandom(c, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 1;
}

int
os_open(const char *path, int flags, unsigned mode)
{
	int f = O_CLOEXEC;

	switch (flags & OS_RDWR) {
	case OS_RDONLY:
		f |= O_RDONLY;
		break;
	case OS_WRONLY:
		f |= O_WRONLY;
		break;
	default:
		f |= O_RDWR;
		break;
	}
	if (flags & OS_CREAT)
		f |= O_CREAT;
	if (flags & OS_TRUNC)
		f |= O_TRUNC;
	if (flags & OS_APPEND)
		f |= O_APPEND;
	return open(path, f, (mode_t)mode);
}

int
os_close(int fd)
{
	return close(fd);
}

long long
os_read(int fd, void *p, size_t n)
{
	ssize_t r;

	while ((r = read(fd, p, n)) < 0 && errno == EINTR)
		;
	return r;
}

long long
os_write(int fd, const void *p, size_t n)
{
	ssize_t r;

	while ((r = write(fd, p, n)) < 0 && errno == EINTR)
		;
	return r;
}

long long
os_pread(int fd, void *p, size_t n, long long off)
{
	ssize_t r;

	while ((r = pread(fd, p, n, (off_t)off)) < 0 && errno == EINTR)
		;
	return r;
}

int
os_fsync(int fd)
{
	return fdatasync(fd);
}

int
os_ftruncate(int fd, long long len)
{
	return ftruncate(fd, (off_t)len);
}

int
os_fsize(int fd, long long *len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	*len = (long long)st.st_size;
	return 0;
}

int
os_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		if (errno == EACCES)
			errno = EAGAIN;
		return -1;
	}
	return 0;
}

int
os_rename(const char *from, const char *to)
{
	return rename(from, to);
}

int
os_unlink(const char *path)
{
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int
os_mkdir(const char *path, unsigned mode)
{
	return mkdir(path, (mode_t)mode) < 0 && errno != EEXIST ? -1 : 0;
}

int
os_sync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
os_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct os_dir {
	DIR	*d;
};

struct os_dir *
os_dir_open(const char *path)
{
	struct os_dir *d;

	if ((d = malloc(sizeof(*d))) == NULL)
		return NULL;
	if ((d->d = opendir(path)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

const char *
os_dir_next(struct os_dir *d)
{
	struct dirent *de;

	while ((de = readdir(d->d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return de->d_name;
	return NULL;
}

void
os_dir_close(struct os_dir *d)
{
	if (d == NULL)
		return;
	closedir(d->d);
	free(d);
}

/*
 * $VAR/trackside when VAR is an absolute path, else ~/home_rel/trackside
 * (the XDG base directories).
 */
static char *
xdg_home(const char *var, const char *home_rel)
{
	const char	*x;
	char		*p = NULL;

	if ((x = getenv(var)) != NULL && *x == '/') {
		if (asprintf(&p, "%s/trackside", x) < 0)
			return NULL;
	} else if ((x = getenv("HOME")) != NULL && *x) {
		if (asprintf(&p, "%s/%s/trackside", x, home_rel) < 0)
			return NULL;
	} else
		p = strdup("trackside");
	return p;
}

char *
os_config_home(void)
{
	return xdg_home("XDG_CONFIG_HOME", ".config");
}

char *
os_state_home(void)
{
	return xdg_home("XDG_STATE_HOME", ".local/state");
}

char *
os_exe_dir(void)
{
	char	 path[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) <= 0)
		return NULL;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return strdup(path[0] ? path : "/");
}

char *
os_getenv(const char *name)
{
	const char *x = getenv(name);

	return x != NULL && *x ? strdup(x) : NULL;
}

int
os_hostname(char *out, size_t outsz)
{
	if (outsz == 0 || gethostname(out, outsz - 1) < 0)
		return -1;
	out[outsz - 1] = '\0';
	return 0;
}

static const int syslog_prio[LOG_LVL__MAX] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

int
os_syslog_open(const char *prog)
{
	openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 1;
}

void
os_syslog(enum log_level lvl, const char *msg)
{
	syslog(syslog_prio[lvl], "%s", msg);
}

int
os_stderr_tty(void)
{
	return isatty(STDERR_FILENO);
}

/* A terminal outlives the programs started in it. */
int
os_own_console(void)
{
	return 0;
}

void
os_wait_key(const char *prompt)
{
	(void)prompt;
}

int
os_args(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

static volatile sig_atomic_t stop_flag;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int
os_on_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 1;
}

int
os_stopping(void)
{
	return stop_flag != 0;
}

/* Nothing waits for the program on POSIX: a signal only sets the flag. */
void
os_stop_done(void)
{
}

int
os_net_init(void)
{
	return 1;
}

int
os_resolve(const char *host, const char *port, struct os_addr *a, char *err, size_t errsz)
{
	struct addrinfo	 hints, *res = NULL;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (host == NULL ? AI_PASSIVE : 0);
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0 || res == NULL) {
		snprintf(err, errsz, "%s", rc ? gai_strerror(rc) : "no address");
		return 0;
	}
	if (res->ai_addrlen > sizeof(a->sa.raw)) {
		freeaddrinfo(res);
		snprintf(err, errsz, "address too long");
		return 0;
	}
	memset(&a->sa, 0, sizeof(a->sa));
	memcpy(a->sa.raw, res->ai_addr, res->ai_addrlen);
	a->len = (unsigned)res->ai_addrlen;
	freeaddrinfo(res);
	return 1;
}

os_sock
os_udp_open(const struct os_addr *a, int bind_it, int rcvbuf)
{
	const struct sockaddr	*sa = (const void *)a->sa.raw;
	int			 fd, one = 1;

	if ((fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return OS_SOCK_NONE;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind_it && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, sa, a->len) < 0)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return OS_SOCK_NONE;
	}
	return fd;
}

long
os_udp_recv(os_sock s, void *p, size_t n, struct os_addr *from)
{
	socklen_t	 flen = sizeof(from->sa.raw);
	ssize_t		 r;

	while ((r = recvfrom(s, p, n, 0, (struct sockaddr *)(void *)from->sa.raw, &flen)) < 0 &&
	    errno == EINTR)
		;
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? OS_UDP_NONE : OS_UDP_ERROR;
	from->len = (unsigned)flen;
	from->text[0] = '\0';
	return (long)r;
}

int
os_udp_send(os_sock s, const void *p, size_t n, const struct os_addr *to)
{
	return sendto(s, p, n, 0, (const struct sockaddr *)(const void *)to->sa.raw, to->len) < 0 ?
	    -1 : 0;
}

int
os_addr_same(const struct os_addr *a, const struct os_addr *b)
{
	return a->len == b->len && memcmp(a->sa.raw, b->sa.raw, a->len) == 0;
}

void
os_udp_close(os_sock s)
{
	if (s != OS_SOCK_NONE)
		close(s);
}

const char *
os_sock_error(void)
{
	return strerror(errno);
}
