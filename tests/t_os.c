/*
 * The platform layer (lib/os.h) as the client uses it: files, folders,
 * locks, UDP, clocks. The same test runs natively against os_posix.c and,
 * cross-built, under Windows or Wine against os_win.c.
 */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os.h"
#include "tap.h"

static char	root[1024];

/* root/name in a static buffer (one of two, so two can be used at once). */
static const char *
at(const char *name)
{
	static char	 p[2][1400];
	static int	 i;

	i = !i;
	snprintf(p[i], sizeof(p[i]), "%s/%s", root, name);
	return p[i];
}

/* Removes an empty folder: not in os.h, the client never needs it. */
static void
rmdir_utf8(const char *path)
{
#ifdef _WIN32
	wchar_t w[1024];

	if (MultiByteToWideChar(CP_UTF8, 0, path, -1, w, 1024) > 0)
		RemoveDirectoryW(w);
#else
	rmdir(path);
#endif
}

/* Gives the CPU away briefly while a loop waits for a condition. */
static void
nap(void)
{
#ifdef _WIN32
	Sleep(1);
#else
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
#endif
}

/* Removes a folder and the files in it, then the folder's own sub-folders. */
static void
rm_tree(const char *dir)
{
	struct os_dir	*d;
	const char	*n;
	char		 p[1400];

	if ((d = os_dir_open(dir)) == NULL)
		return;
	while ((n = os_dir_next(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", dir, n);
		if (os_is_dir(p))
			rm_tree(p);
		else
			os_unlink(p);
	}
	os_dir_close(d);
	rmdir_utf8(dir);
}

/* Writes the whole string to a new file. Returns 1 or 0. */
static int
put_file(const char *path, const char *s)
{
	int	fd, good;

	if ((fd = os_open(path, OS_WRONLY | OS_CREAT | OS_TRUNC, 0600)) < 0)
		return 0;
	good = os_write(fd, s, strlen(s)) == (long long)strlen(s) && os_fsync(fd) == 0;
	return os_close(fd) == 0 && good;
}

/* Whether the file holds exactly s. */
static int
file_is(const char *path, const char *s)
{
	char		 b[256];
	long long	 n;
	int		 fd;

	if ((fd = os_open(path, OS_RDONLY, 0)) < 0)
		return 0;
	n = os_pread(fd, b, sizeof(b) - 1, 0);
	os_close(fd);
	if (n < 0)
		return 0;
	b[n] = '\0';
	return strcmp(b, s) == 0;
}

/*
 * Whether another holder's os_lock() on path fails with EAGAIN: a child
 * process on POSIX, where fcntl() locks belong to the process; a second
 * handle on Windows, where the handle holds the lock.
 */
static int
lock_refused(const char *path)
{
#ifdef _WIN32
	int fd, r, e;

	if ((fd = os_open(path, OS_RDWR, 0)) < 0)
		return -1;
	r = os_lock(fd);
	e = errno;
	os_close(fd);
	return r < 0 ? (e == EAGAIN) : 0;
#else
	pid_t	pid;
	int	st;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int fd = os_open(path, OS_RDWR, 0);
		if (fd < 0)
			_exit(3);
		if (os_lock(fd) == 0)
			_exit(0);
		_exit(errno == EAGAIN ? 1 : 2);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st) == 1;
#endif
}

static void
t_files(void)
{
	char		 b[64];
	long long	 size = -1, n;
	int		 fd, ap;

	fd = os_open(at("Zoë Ålund/state 1/data"), OS_RDWR | OS_CREAT | OS_TRUNC, 0600);
	ok(fd >= 0, "a file opens in a folder with spaces and accents");
	ok(os_write(fd, "hello", 5) == 5, "write");
	ok(os_fsize(fd, &size) == 0 && size == 5, "its size is 5 (%lld)", size);
	n = os_pread(fd, b, 3, 1);
	ok(n == 3 && memcmp(b, "ell", 3) == 0, "pread at an offset");
	ok(os_write(fd, " world", 6) == 6, "pread leaves the position where it was");
	n = os_pread(fd, b, sizeof(b), 0);
	ok(n == 11 && memcmp(b, "hello world", 11) == 0, "the file is \"hello world\"");
	n = os_pread(fd, b, sizeof(b), 100);
	ok(n == 0, "pread past the end reads nothing (%lld)", n);

	ap = os_open(at("Zoë Ålund/state 1/data"), OS_RDWR | OS_APPEND, 0);
	ok(ap >= 0, "the same file opens again for appending while open");
	ok(os_read(ap, b, 2) == 2 && memcmp(b, "he", 2) == 0, "read from the start");
	ok(os_write(ap, "!", 1) == 1, "append after a read");
	n = os_pread(fd, b, sizeof(b), 0);
	ok(n == 12 && memcmp(b, "hello world!", 12) == 0, "the append went to the end");
	ok(os_write(fd, "?", 1) == 1 && os_write(ap, "#", 1) == 1,
	    "a write at the other descriptor's position, then an append");
	n = os_pread(fd, b, sizeof(b), 0);
	ok(n == 13 && memcmp(b, "hello world?#", 13) == 0,
	    "the append follows the end another descriptor moved");
	ok(os_ftruncate(ap, 5) == 0 && os_fsize(ap, &size) == 0 && size == 5,
	    "ftruncate through the append descriptor (%lld)", size);
	ok(os_write(ap, "!", 1) == 1 && os_fsync(ap) == 0, "append and fsync after truncating");
	n = os_pread(fd, b, sizeof(b), 0);
	ok(n == 6 && memcmp(b, "hello!", 6) == 0, "the append lands at the new end");
	ok(os_close(ap) == 0 && os_close(fd) == 0, "both close");

	errno = 0;
	fd = os_open(at("Zoë Ålund/state 1/missing"), OS_RDONLY, 0);
	ok(fd < 0 && errno == ENOENT, "a missing file: ENOENT");
	errno = 0;
	fd = os_open(at("nowhere/data"), OS_RDWR | OS_CREAT, 0600);
	ok(fd < 0 && errno == ENOENT, "a file in a missing folder: ENOENT");
}

static void
t_rename_unlink(void)
{
	int	held;

	ok(put_file(at("Zoë Ålund/state 1/state"), "old"), "a file to replace");
	held = os_open(at("Zoë Ålund/state 1/state"), OS_RDONLY, 0);
	ok(held >= 0, "held open");
	ok(put_file(at("Zoë Ålund/state 1/state.tmp"), "new"), "its replacement");
	ok(os_rename(at("Zoë Ålund/state 1/state.tmp"), at("Zoë Ålund/state 1/state")) == 0,
	    "rename over the file that is still open");
	ok(file_is(at("Zoë Ålund/state 1/state"), "new"), "the new content is in place");
	ok(!file_is(at("Zoë Ålund/state 1/state.tmp"), "new"), "the old name is gone");
	ok(os_sync_dir(at("Zoë Ålund/state 1")) == 0, "sync the folder");
	os_close(held);

	ok(os_unlink(at("Zoë Ålund/state 1/state")) == 0, "unlink");
	errno = 0;
	ok(os_open(at("Zoë Ålund/state 1/state"), OS_RDONLY, 0) < 0 && errno == ENOENT,
	    "the unlinked file is gone");
	ok(os_unlink(at("Zoë Ålund/state 1/state")) == 0, "unlinking a missing file is no error");
	errno = 0;
	ok(os_rename(at("Zoë Ålund/state 1/none"), at("Zoë Ålund/state 1/x")) < 0 &&
	    errno == ENOENT, "renaming a missing file: ENOENT");
}

static void
t_folders(void)
{
	struct os_dir	*d;
	const char	*n;
	int		 seen = 0, other = 0;

	ok(os_mkdir(at("Zoë Ålund"), 0700) == 0 && os_mkdir(at("Zoë Ålund/state 1"), 0700) == 0,
	    "mkdir with spaces and accents");
	ok(os_mkdir(at("Zoë Ålund/state 1"), 0700) == 0, "mkdir of an existing folder is no error");
	ok(os_is_dir(at("Zoë Ålund/state 1")) == 1, "is_dir: a folder");
	ok(os_is_dir(at("Zoë Ålund/none")) == 0, "is_dir: nothing");

	ok(os_mkdir(at("list"), 0700) == 0 && put_file(at("list/a b"), "1") &&
	    put_file(at("list/é ü 2"), "2") && os_mkdir(at("list/sub"), 0700) == 0,
	    "a folder with two files and a folder");
	ok(os_is_dir(at("list/a b")) == 0, "is_dir: a file");
	if ((d = os_dir_open(at("list"))) == NULL) {
		ok(0, "os_dir_open");
		return;
	}
	while ((n = os_dir_next(d)) != NULL) {
		if (strcmp(n, "a b") == 0)
			seen |= 1;
		else if (strcmp(n, "é ü 2") == 0)
			seen |= 2;
		else if (strcmp(n, "sub") == 0)
			seen |= 4;
		else {
			diag("unexpected name \"%s\"", n);
			other++;
		}
	}
	ok(os_dir_next(d) == NULL, "the end stays the end");
	os_dir_close(d);
	ok(seen == 7 && other == 0, "the listing has the three names in UTF-8, no . or ..");
	errno = 0;
	ok(os_dir_open(at("none")) == NULL && errno == ENOENT, "listing a missing folder: ENOENT");
	d = os_dir_open(at("list/sub"));
	ok(d != NULL && os_dir_next(d) == NULL, "an empty folder lists nothing");
	os_dir_close(d);
}

static void
t_lock(void)
{
	int fd, again;

	fd = os_open(at("Zoë Ålund/state 1/lock"), OS_RDWR | OS_CREAT, 0600);
	ok(fd >= 0 && os_lock(fd) == 0, "lock");
	ok(lock_refused(at("Zoë Ålund/state 1/lock")) == 1, "a second lock fails with EAGAIN");
	ok(os_write(fd, "pid", 3) == 3 && file_is(at("Zoë Ålund/state 1/lock"), "pid"),
	    "the locked file is still written and read");
	os_close(fd);
	ok(lock_refused(at("Zoë Ålund/state 1/lock")) == 0, "closing releases the lock");
	again = os_open(at("Zoë Ålund/state 1/lock"), OS_RDWR, 0);
	ok(again >= 0 && os_lock(again) == 0, "lock again");
	os_close(again);
}

/* Waits up to 5 s for a datagram. */
static long
recv_wait(os_sock s, void *p, size_t n, struct os_addr *from)
{
	double	 end = time_mono() + 5;
	long	 r;

	while ((r = os_udp_recv(s, p, n, from)) == OS_UDP_NONE && time_mono() < end)
		nap();
	return r;
}

static void
t_udp(void)
{
	struct os_addr	 srv, from, from2, any;
	char		 err[256], port[16], b[64];
	unsigned char	 r[2];
	os_sock		 ls = OS_SOCK_NONE, cs;
	long		 n;

	ok(os_net_init() == 1, "net init");
	/* a free port: try a few at random */
	for (int i = 0; i < 50 && ls == OS_SOCK_NONE; i++) {
		if (rand_bytes(r, sizeof(r)) < 0)
			break;
		snprintf(port, sizeof(port), "%d", 20000 + (r[0] << 8 | r[1]) % 40000);
		if (os_resolve("127.0.0.1", port, &srv, err, sizeof(err)) != 1)
			break;
		ls = os_udp_open(&srv, 1, 1 << 16);
	}
	if (!ok(ls != OS_SOCK_NONE, "a socket bound on 127.0.0.1:%s", port))
		return;
	ok(os_resolve(NULL, port, &any, err, sizeof(err)) == 1, "resolve the any address");
	ok(os_resolve("no-such-host.invalid", "1", &from, err, sizeof(err)) == 0 && err[0],
	    "a bad name: %s", err);
	cs = os_udp_open(&srv, 0, 0);
	ok(cs != OS_SOCK_NONE, "an unbound socket");
	ok(os_udp_recv(ls, b, sizeof(b), &from) == OS_UDP_NONE, "nothing waiting: OS_UDP_NONE");
	ok(os_udp_recv(cs, b, sizeof(b), &from) == OS_UDP_NONE,
	    "nothing waiting on the unbound socket: OS_UDP_NONE");
	ok(os_udp_send(cs, "ping", 4, &srv) == 0, "send");
	n = recv_wait(ls, b, sizeof(b), &from);
	ok(n == 4 && memcmp(b, "ping", 4) == 0, "received (%ld)", n);
	ok(!os_addr_same(&from, &srv), "the sender is not the listener");
	ok(os_udp_send(ls, "pong", 4, &from) == 0, "answer the sender");
	n = recv_wait(cs, b, sizeof(b), &from2);
	ok(n == 4 && memcmp(b, "pong", 4) == 0, "the answer arrives (%ld)", n);
	ok(os_addr_same(&from2, &srv), "from the listener's address");
	ok(os_udp_send(cs, "", 0, &srv) == 0 && recv_wait(ls, b, sizeof(b), &from2) == 0,
	    "an empty datagram reads as 0 bytes");
	ok(os_addr_same(&from, &from2), "from the same sender");
	ok(os_udp_recv(ls, b, sizeof(b), &from) == OS_UDP_NONE, "then nothing again");
	os_udp_close(cs);
#ifdef _WIN32
	/* SO_EXCLUSIVEADDRUSE; Linux shares a port bound with SO_REUSEADDR */
	cs = os_udp_open(&srv, 1, 0);
	ok(cs == OS_SOCK_NONE, "a second socket cannot take the bound port");
	os_udp_close(cs);
#else
	skip("a second socket cannot take the bound port: Windows only");
#endif
	/* TEST-NET-1 (RFC 5737) is on no interface here */
	ok(os_resolve("192.0.2.1", port, &from, err, sizeof(err)) == 1 &&
	    (cs = os_udp_open(&from, 1, 0)) == OS_SOCK_NONE, "binding a foreign address fails");
	os_udp_close(cs);
	n = (long)strlen(os_sock_error());
	ok(n > 0 && os_sock_error()[n - 1] != '\n' && os_sock_error()[n - 1] != '\r',
	    "its error in words: %s", os_sock_error());
	os_udp_close(ls);
}

static void
t_clocks(void)
{
	double		 m0, m, prev, end, now;
	unsigned char	 a[16], b[16];
	int		 backwards = 0;

	m0 = prev = time_mono();
	end = m0 + 5;
	while ((m = time_mono()) == m0 && m < end + 1)
		;
	ok(m > m0, "time_mono moves on");
	for (int i = 0; i < 100000; i++) {
		m = time_mono();
		if (m < prev)
			backwards++;
		prev = m;
	}
	ok(backwards == 0, "time_mono never goes back");
	now = time_now();
	ok(now > (double)time(NULL) - 2 && now < (double)time(NULL) + 2,
	    "time_now is the time of day (%.3f, %lld)", now, (long long)time(NULL));
	ok(rand_bytes(a, sizeof(a)) == 1 && rand_bytes(b, sizeof(b)) == 1 &&
	    memcmp(a, b, sizeof(a)) != 0, "rand_bytes: two draws differ");
}

static void
t_places(void)
{
	char	 host[256], *s;

	ok(os_hostname(host, sizeof(host)) == 0 && host[0] != '\0', "hostname: %s", host);
	s = os_state_home();
	ok(s != NULL && *s, "state home: %s", s ? s : "(none)");
	free(s);
	s = os_config_home();
	ok(s != NULL && *s, "config home: %s", s ? s : "(none)");
	free(s);
	s = os_exe_dir();
	ok(s != NULL && os_is_dir(s), "exe dir: %s", s ? s : "(none)");
	free(s);
	ok(os_getenv("TRACKSIDE_T_OS_UNSET_VARIABLE") == NULL, "an unset variable: NULL");
	s = os_getenv("PATH");
	ok(s != NULL && *s, "PATH is set");
	free(s);
}

/* A stop request reaches os_stopping(): SIGTERM, or Ctrl-Break in a console. */
static void
t_stop(void)
{
	double end;

	ok(os_on_stop() == 1 && !os_stopping(), "the stop handler is in place");
#ifdef _WIN32
	if (!GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0)) {
		skip("no console to send Ctrl-Break in");
		return;
	}
#else
	raise(SIGTERM);
#endif
	end = time_mono() + 5;
	while (!os_stopping() && time_mono() < end)
		nap();
	ok(os_stopping(), "a stop request sets the flag, the program lives on");
	os_stop_done();
}

int
main(int argc, char **argv)
{
	unsigned char	 r[6];
	char		 hex[13], *tmp;

	if (os_args(&argc, &argv) != 1)
		return 1;
	tap_plan(79);
	ok(argc >= 1 && argv[0] != NULL && argv[argc] == NULL, "os_args: %d, \"%s\"", argc,
	    argv[0]);
	/* a fresh folder under the system's temporary one */
	if ((tmp = os_getenv("TMPDIR")) == NULL && (tmp = os_getenv("TEMP")) == NULL &&
	    (tmp = strdup("/tmp")) == NULL)
		return 1;
	if (rand_bytes(r, sizeof(r)) != 1)
		return 1;
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	snprintf(root, sizeof(root), "%s/t_os.%s", tmp, hex);
	free(tmp);
	ok(os_mkdir(root, 0700) == 0 && os_is_dir(root), "a test folder: %s", root);

	t_folders();
	t_files();
	t_rename_unlink();
	t_lock();
	t_udp();
	t_clocks();
	t_places();
	t_stop();

	rm_tree(root);
	ok(!os_is_dir(root), "the test folder is gone");
	return tap_done();
}
