/*
 * lib/os.h on 64-bit Windows (Windows 8 and later, built with mingw-w64);
 * lib/os_posix.c is the POSIX side. Also the clocks and random bytes of
 * trackside.h.
 *
 * Paths arrive as UTF-8 and go to the wide (UTF-16) calls only, so a user
 * folder such as C:\Users\Zoë Ålund works whatever the ANSI code page is.
 * Files are opened with the Win32 API and then handed to the C runtime as a
 * descriptor, so the rest of the client keeps its ints.
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <windows.h>
#include <bcrypt.h>
#include <shellapi.h>
#include <shlobj.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "os.h"

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING	0x0004
#endif
#ifndef SIO_UDP_CONNRESET
#define SIO_UDP_CONNRESET	_WSAIOW(IOC_VENDOR, 12)
#endif

/* How long a console close, logoff or shutdown waits for os_stop_done(). */
#define STOP_WAIT_MS	4500

/* Win32 error to errno, for callers written against POSIX. */
static int
win_errno(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
	case ERROR_BAD_PATHNAME:
	case ERROR_ENVVAR_NOT_FOUND:
		return ENOENT;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return EEXIST;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_CURRENT_DIRECTORY:
	case ERROR_CANNOT_MAKE:
		return EACCES;
	case ERROR_WRITE_PROTECT:
		return EROFS;
	case ERROR_LOCK_VIOLATION:
	case ERROR_LOCK_FAILED:
		return EAGAIN;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return ENOSPC;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return ENOMEM;
	case ERROR_INVALID_HANDLE:
		return EBADF;
	case ERROR_DIR_NOT_EMPTY:
		return ENOTEMPTY;
	case ERROR_DIRECTORY:
		return ENOTDIR;
	case ERROR_FILENAME_EXCED_RANGE:
	case ERROR_BUFFER_OVERFLOW:
		return ENAMETOOLONG;
	case ERROR_TOO_MANY_OPEN_FILES:
		return EMFILE;
	case ERROR_INVALID_PARAMETER:
	case ERROR_INVALID_NAME:
	case ERROR_NO_UNICODE_TRANSLATION:
	case ERROR_NEGATIVE_SEEK:
		return EINVAL;
	default:
		return EIO;
	}
}

/* Sets errno from GetLastError() and returns -1. */
static int
win_fail(void)
{
	errno = win_errno(GetLastError());
	return -1;
}

/*
 * UTF-8 to a malloc'd UTF-16 string, or NULL with errno set (EINVAL for bytes
 * that are not UTF-8). With is_path, '/' becomes '\': most calls take both,
 * but not every one (nor \\?\ paths), and messages read better.
 */
wchar_t *
utf8_to_w(const char *s, int is_path)
{
	wchar_t	*w;
	int	 n;

	if ((n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0)) <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((w = malloc((size_t)n * sizeof(*w))) == NULL)
		return NULL;
	if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		errno = EINVAL;
		return NULL;
	}
	if (is_path)
		for (wchar_t *p = w; *p; p++)
			if (*p == L'/')
				*p = L'\\';
	return w;
}

/*
 * UTF-16 to a malloc'd UTF-8 string, or NULL. A lone surrogate (possible in
 * a Windows file name) becomes U+FFFD rather than failing.
 */
static char *
w_to_utf8(const wchar_t *w)
{
	char	*s;
	int	 n;

	if ((n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL)) <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = malloc((size_t)n)) == NULL)
		return NULL;
	if (WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
		free(s);
		errno = EINVAL;
		return NULL;
	}
	return s;
}

/* Wall-clock seconds since the epoch. */
double
time_now(void)
{
	FILETIME	 ft;
	ULARGE_INTEGER	 u;

	GetSystemTimePreciseAsFileTime(&ft);
	u.LowPart = ft.dwLowDateTime;
	u.HighPart = ft.dwHighDateTime;
	/* 100 ns ticks since 1601-01-01 */
	return (double)(long long)(u.QuadPart - 116444736000000000ULL) / 1e7;
}

/* Monotonic seconds, for intervals. */
double
time_mono(void)
{
	static LARGE_INTEGER	 freq;
	LARGE_INTEGER		 c;

	/* never fails on Windows XP and later */
	if (freq.QuadPart == 0)
		QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&c);
	return (double)(c.QuadPart / freq.QuadPart) +
	    (double)(c.QuadPart % freq.QuadPart) / (double)freq.QuadPart;
}

/* Fills p with n random bytes from the system's generator. Returns 1 or -1. */
int
rand_bytes(void *p, size_t n)
{
	unsigned char	*c = p;

	while (n > 0) {
		ULONG chunk = n > 0x10000000 ? 0x10000000 : (ULONG)n;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, c, chunk,
		    BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
			errno = EIO;
			return -1;
		}
		c += chunk;
		n -= chunk;
	}
	return 1;
}

/*
 * Which descriptors were opened with OS_APPEND: the C runtime's own append
 * flag cannot be read back, and os_write() must know to go to the end.
 */
static unsigned char	*append_fd;
static size_t		 append_n;

static int
append_set(int fd, int on)
{
	if (fd < 0)
		return -1;
	if ((size_t)fd >= append_n) {
		size_t		 n = (size_t)fd + 64;
		unsigned char	*a;
		if (!on)
			return 0;
		if ((a = realloc(append_fd, n)) == NULL)
			return -1;
		memset(a + append_n, 0, n - append_n);
		append_fd = a;
		append_n = n;
	}
	append_fd[fd] = (unsigned char)on;
	return 0;
}

static HANDLE
fd_handle(int fd)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);

	if (h == INVALID_HANDLE_VALUE)
		errno = EBADF;
	return h;
}

/*
 * Opens path. All three share modes are given so that, as on POSIX, a file
 * one part of the program holds open can still be renamed over, deleted or
 * read elsewhere. OS_APPEND keeps write access (the spool truncates a torn
 * tail through the same descriptor) and os_write() seeks to the end instead.
 * The mode is for POSIX; a new file inherits its folder's permissions, which
 * under %LOCALAPPDATA% are the user's own.
 */
int
os_open(const char *path, int flags, unsigned mode)
{
	DWORD		 access = 0, disp;
	HANDLE		 h;
	wchar_t		*w;
	int		 fd, cflags = _O_BINARY | _O_NOINHERIT;

	(void)mode;
	switch (flags & OS_RDWR) {
	case OS_RDONLY:
		access = GENERIC_READ;
		cflags |= _O_RDONLY;
		break;
	case OS_WRONLY:
		access = GENERIC_WRITE;
		cflags |= _O_WRONLY;
		break;
	default:
		access = GENERIC_READ | GENERIC_WRITE;
		cflags |= _O_RDWR;
		break;
	}
	if ((flags & (OS_CREAT | OS_TRUNC)) == (OS_CREAT | OS_TRUNC))
		disp = CREATE_ALWAYS;
	else if (flags & OS_CREAT)
		disp = OPEN_ALWAYS;
	else if (flags & OS_TRUNC)
		disp = TRUNCATE_EXISTING;
	else
		disp = OPEN_EXISTING;
	if ((w = utf8_to_w(path, 1)) == NULL)
		return -1;
	h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
	    NULL, disp, FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		/* a folder opened for writing; POSIX says EISDIR */
		if (GetLastError() == ERROR_ACCESS_DENIED && os_is_dir(path)) {
			errno = EISDIR;
			return -1;
		}
		return win_fail();
	}
	if ((fd = _open_osfhandle((intptr_t)h, cflags)) < 0) {
		CloseHandle(h);
		errno = EMFILE;
		return -1;
	}
	if (append_set(fd, (flags & OS_APPEND) != 0) < 0) {
		_close(fd);
		errno = ENOMEM;
		return -1;
	}
	return fd;
}

int
os_close(int fd)
{
	append_set(fd, 0);
	return _close(fd);
}

long long
os_read(int fd, void *p, size_t n)
{
	HANDLE	 h;
	DWORD	 got;

	if ((h = fd_handle(fd)) == INVALID_HANDLE_VALUE)
		return -1;
	if (n > 0x40000000)
		n = 0x40000000;
	if (!ReadFile(h, p, (DWORD)n, &got, NULL)) {
		/* the writing end of a pipe has gone: end of file, as on POSIX */
		if (GetLastError() == ERROR_BROKEN_PIPE)
			return 0;
		return win_fail();
	}
	return got;
}

/*
 * Writes at the current position, or for an OS_APPEND descriptor at the end
 * of the file (one writer holds the spool's lock, so seeking first is as
 * good as O_APPEND).
 */
long long
os_write(int fd, const void *p, size_t n)
{
	HANDLE		 h;
	DWORD		 put;
	LARGE_INTEGER	 zero;

	if ((h = fd_handle(fd)) == INVALID_HANDLE_VALUE)
		return -1;
	if ((size_t)fd < append_n && append_fd[fd]) {
		zero.QuadPart = 0;
		if (!SetFilePointerEx(h, zero, NULL, FILE_END))
			return win_fail();
	}
	if (n > 0x40000000)
		n = 0x40000000;
	if (!WriteFile(h, p, (DWORD)n, &put, NULL))
		return win_fail();
	return put;
}

/*
 * Reads at off. ReadFile with an offset moves the file position of a
 * synchronous handle, which pread() does not, so it is put back.
 */
long long
os_pread(int fd, void *p, size_t n, long long off)
{
	HANDLE		 h;
	OVERLAPPED	 ov;
	LARGE_INTEGER	 zero, pos;
	DWORD		 got;
	int		 ok;

	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((h = fd_handle(fd)) == INVALID_HANDLE_VALUE)
		return -1;
	zero.QuadPart = 0;
	if (!SetFilePointerEx(h, zero, &pos, FILE_CURRENT))
		return win_fail();
	if (n > 0x40000000)
		n = 0x40000000;
	memset(&ov, 0, sizeof(ov));
	ov.Offset = (DWORD)((unsigned long long)off & 0xffffffff);
	ov.OffsetHigh = (DWORD)((unsigned long long)off >> 32);
	ok = ReadFile(h, p, (DWORD)n, &got, &ov);
	if (!ok && GetLastError() == ERROR_HANDLE_EOF) {
		got = 0;
		ok = 1;
	}
	if (!ok) {
		int e = win_errno(GetLastError());
		SetFilePointerEx(h, pos, NULL, FILE_BEGIN);
		errno = e;
		return -1;
	}
	SetFilePointerEx(h, pos, NULL, FILE_BEGIN);
	return got;
}

int
os_fsync(int fd)
{
	HANDLE h;

	if ((h = fd_handle(fd)) == INVALID_HANDLE_VALUE)
		return -1;
	return FlushFileBuffers(h) ? 0 : win_fail();
}

int
os_ftruncate(int fd, long long len)
{
	errno_t e;

	if ((e = _chsize_s(fd, len)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

int
os_fsize(int fd, long long *len)
{
	HANDLE		 h;
	LARGE_INTEGER	 sz;

	if ((h = fd_handle(fd)) == INVALID_HANDLE_VALUE)
		return -1;
	if (!GetFileSizeEx(h, &sz))
		return win_fail();
	*len = sz.QuadPart;
	return 0;
}

/*
 * Takes an exclusive lock, or fails at once with EAGAIN. Windows locks are
 * mandatory: a lock over the data would stop other handles reading it. So
 * the lock is on one byte far past any real end of file, which only other
 * lockers ever touch, and behaves like the advisory POSIX lock. Unlike an
 * fcntl() lock it is held by the handle, so a second handle in the same
 * process is refused too; the lock goes when the descriptor is closed.
 */
int
os_lock(int fd)
{
	HANDLE		 h;
	OVERLAPPED	 ov;

	if ((h = fd_handle(fd)) == INVALID_HANDLE_VALUE)
		return -1;
	memset(&ov, 0, sizeof(ov));
	ov.Offset = 0xfffffffe;
	ov.OffsetHigh = 0x7fffffff;
	if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov)) {
		DWORD e = GetLastError();
		errno = e == ERROR_LOCK_VIOLATION || e == ERROR_IO_PENDING ? EAGAIN : win_errno(e);
		return -1;
	}
	return 0;
}

#ifndef FILE_RENAME_FLAG_REPLACE_IF_EXISTS
#define FILE_RENAME_FLAG_REPLACE_IF_EXISTS	0x00000001
#endif
/* FILE_INFO_BY_HANDLE_CLASS of Windows 10 1607, not declared for Windows 8 */
#define FILE_RENAME_INFO_EX	((FILE_INFO_BY_HANDLE_CLASS)22)
#ifndef FILE_RENAME_FLAG_POSIX_SEMANTICS
#define FILE_RENAME_FLAG_POSIX_SEMANTICS	0x00000002
#endif

/*
 * The rename of POSIX (Windows 10 1607 and later, on NTFS): to is replaced
 * even while another handle holds it open. Returns 1, 0 where the system or
 * the file system does not have it, or -1 with the error left in
 * GetLastError().
 */
static int
rename_posix(const wchar_t *wf, const wchar_t *wt)
{
	FILE_RENAME_INFO	*ri;
	HANDLE			 h;
	size_t			 n = wcslen(wt) * sizeof(wchar_t), sz;
	DWORD			 flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS |
				    FILE_RENAME_FLAG_POSIX_SEMANTICS, e;
	BOOL			 ok;

	sz = offsetof(FILE_RENAME_INFO, FileName) + n + sizeof(wchar_t);
	if ((ri = calloc(1, sz)) == NULL) {
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return -1;
	}
	/* Flags shares its place with ReplaceIfExists, which older headers have */
	memcpy(ri, &flags, sizeof(flags));
	ri->FileNameLength = (DWORD)n;
	memcpy(ri->FileName, wt, n);
	h = CreateFileW(wf, DELETE | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		free(ri);
		return -1;
	}
	ok = SetFileInformationByHandle(h, FILE_RENAME_INFO_EX, ri, (DWORD)sz);
	e = GetLastError();
	CloseHandle(h);
	free(ri);
	if (ok)
		return 1;
	SetLastError(e);
	return e == ERROR_INVALID_PARAMETER || e == ERROR_NOT_SUPPORTED ||
	    e == ERROR_INVALID_FUNCTION || e == ERROR_CALL_NOT_IMPLEMENTED ? 0 : -1;
}

/*
 * Renames from over to, replacing it even while it is open elsewhere (os_open()
 * always shares delete access), as rename() does on POSIX. Without the POSIX
 * rename (Windows 8, FAT, Wine) a file that is open cannot be replaced, only
 * renamed: it is moved aside under a name of its own and deleted, which
 * Windows finishes when its last handle closes. MOVEFILE_WRITE_THROUGH
 * returns once the move is on the disk, which os_sync_dir() does on POSIX.
 */
int
os_rename(const char *from, const char *to)
{
	wchar_t		*wf, *wt, *aside = NULL;
	unsigned char	 r[8];
	DWORD		 e;
	size_t		 n;
	int		 rc = -1;

	if ((wf = utf8_to_w(from, 1)) == NULL)
		return -1;
	if ((wt = utf8_to_w(to, 1)) == NULL) {
		free(wf);
		return -1;
	}
	if (rename_posix(wf, wt) == 1 ||
	    MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		rc = 0;
		goto out;
	}
	e = GetLastError();
	if (e != ERROR_ACCESS_DENIED || GetFileAttributesW(wt) == INVALID_FILE_ATTRIBUTES ||
	    GetFileAttributesW(wf) == INVALID_FILE_ATTRIBUTES || rand_bytes(r, sizeof(r)) < 0) {
		errno = win_errno(e);
		goto out;
	}
	n = wcslen(wt);
	if ((aside = malloc((n + 32) * sizeof(*aside))) == NULL)
		goto out;
	swprintf(aside, n + 32, L"%ls.%02x%02x%02x%02x%02x%02x%02x%02x.gone", wt,
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	if (!MoveFileExW(wt, aside, MOVEFILE_WRITE_THROUGH)) {
		errno = win_errno(e);
		goto out;
	}
	if (!MoveFileExW(wf, wt, MOVEFILE_WRITE_THROUGH)) {
		e = GetLastError();
		MoveFileExW(aside, wt, MOVEFILE_WRITE_THROUGH);
		errno = win_errno(e);
		goto out;
	}
	DeleteFileW(aside);
	rc = 0;
out:
	free(aside);
	free(wf);
	free(wt);
	return rc;
}

int
os_unlink(const char *path)
{
	wchar_t	*w;
	DWORD	 e;

	if ((w = utf8_to_w(path, 1)) == NULL)
		return -1;
	if (DeleteFileW(w)) {
		free(w);
		return 0;
	}
	e = GetLastError();
	free(w);
	if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
		return 0;
	errno = win_errno(e);
	return -1;
}

int
os_mkdir(const char *path, unsigned mode)
{
	wchar_t	*w;
	DWORD	 e;

	(void)mode;
	if ((w = utf8_to_w(path, 1)) == NULL)
		return -1;
	if (CreateDirectoryW(w, NULL)) {
		free(w);
		return 0;
	}
	e = GetLastError();
	free(w);
	if (e == ERROR_ALREADY_EXISTS) {
		if (os_is_dir(path))
			return 0;
		errno = EEXIST;
		return -1;
	}
	errno = win_errno(e);
	return -1;
}

/* A directory cannot be flushed on Windows; os_rename() wrote through. */
int
os_sync_dir(const char *dir)
{
	(void)dir;
	return 0;
}

/* The attributes of what path names, INVALID_FILE_ATTRIBUTES when nothing. */
static DWORD
path_attrs(const char *path)
{
	wchar_t	*w;
	DWORD	 a;

	if ((w = utf8_to_w(path, 1)) == NULL)
		return INVALID_FILE_ATTRIBUTES;
	a = GetFileAttributesW(w);
	free(w);
	return a;
}

int
os_is_dir(const char *path)
{
	DWORD a = path_attrs(path);

	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

struct os_dir {
	HANDLE			 h;	/* INVALID_HANDLE_VALUE: an empty folder */
	WIN32_FIND_DATAW	 fd;
	int			 have;	/* fd holds a name not yet returned */
	char			*name;	/* the last one returned */
};

struct os_dir *
os_dir_open(const char *path)
{
	struct os_dir	*d;
	wchar_t		*w, *pat;
	size_t		 n;
	DWORD		 e;

	if ((w = utf8_to_w(path, 1)) == NULL)
		return NULL;
	n = wcslen(w);
	if ((pat = malloc((n + 3) * sizeof(*pat))) == NULL) {
		free(w);
		return NULL;
	}
	memcpy(pat, w, n * sizeof(*pat));
	if (n > 0 && pat[n - 1] != L'\\' && pat[n - 1] != L':')
		pat[n++] = L'\\';
	pat[n++] = L'*';
	pat[n] = L'\0';
	free(w);
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		free(pat);
		return NULL;
	}
	d->h = FindFirstFileExW(pat, FindExInfoBasic, &d->fd, FindExSearchNameMatch, NULL, 0);
	free(pat);
	if (d->h == INVALID_HANDLE_VALUE) {
		e = GetLastError();
		/* no match at all, not even "." (a drive's root): empty */
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_NO_MORE_FILES)
			return d;
		free(d);
		/* "file\*": the path is not a folder */
		if (e == ERROR_DIRECTORY || (e == ERROR_PATH_NOT_FOUND && path_attrs(path) != INVALID_FILE_ATTRIBUTES))
			errno = ENOTDIR;
		else
			errno = win_errno(e);
		return NULL;
	}
	d->have = 1;
	return d;
}

const char *
os_dir_next(struct os_dir *d)
{
	for (;;) {
		if (d->h == INVALID_HANDLE_VALUE)
			return NULL;
		if (!d->have && !FindNextFileW(d->h, &d->fd)) {
			FindClose(d->h);
			d->h = INVALID_HANDLE_VALUE;
			return NULL;
		}
		d->have = 0;
		if (wcscmp(d->fd.cFileName, L".") == 0 || wcscmp(d->fd.cFileName, L"..") == 0)
			continue;
		free(d->name);
		if ((d->name = w_to_utf8(d->fd.cFileName)) == NULL)
			continue;
		return d->name;
	}
}

void
os_dir_close(struct os_dir *d)
{
	if (d == NULL)
		return;
	if (d->h != INVALID_HANDLE_VALUE)
		FindClose(d->h);
	free(d->name);
	free(d);
}

/*
 * %LOCALAPPDATA%\Trackside for both the configuration and the state: the
 * client's configuration names this machine's games and folders, so it does
 * not roam with the profile.
 */
static char *
local_home(void)
{
	const wchar_t	*env;
	wchar_t		*known = NULL, *w;
	char		*s;
	size_t		 n;

	if ((env = _wgetenv(L"LOCALAPPDATA")) == NULL || *env == L'\0') {
		if (SHGetKnownFolderPath(&FOLDERID_LocalAppData, 0, NULL, &known) != S_OK) {
			CoTaskMemFree(known);
			errno = ENOENT;
			return NULL;
		}
		env = known;
	}
	n = wcslen(env);
	if ((w = malloc((n + 11) * sizeof(*w))) == NULL) {
		CoTaskMemFree(known);
		return NULL;
	}
	memcpy(w, env, n * sizeof(*w));
	wcscpy(w + n, L"\\Trackside");
	CoTaskMemFree(known);
	s = w_to_utf8(w);
	free(w);
	return s;
}

char *
os_config_home(void)
{
	return local_home();
}

char *
os_state_home(void)
{
	return local_home();
}

char *
os_exe_dir(void)
{
	wchar_t		*w = NULL, *nw, *slash;
	DWORD		 cap = MAX_PATH, n;
	char		*s;

	for (;;) {
		if ((nw = realloc(w, cap * sizeof(*w))) == NULL) {
			free(w);
			return NULL;
		}
		w = nw;
		n = GetModuleFileNameW(NULL, w, cap);
		if (n == 0) {
			free(w);
			win_fail();
			return NULL;
		}
		if (n < cap)
			break;
		if (cap >= 32768) {
			free(w);
			errno = ENAMETOOLONG;
			return NULL;
		}
		cap *= 2;
	}
	if ((slash = wcsrchr(w, L'\\')) != NULL)
		*slash = L'\0';
	s = w_to_utf8(w);
	free(w);
	return s;
}

char *
os_getenv(const char *name)
{
	const wchar_t	*v;
	wchar_t		*w;

	if ((w = utf8_to_w(name, 0)) == NULL)
		return NULL;
	v = _wgetenv(w);
	free(w);
	if (v == NULL || *v == L'\0')
		return NULL;
	return w_to_utf8(v);
}

/* The DNS host name (the computer name's first label); 0 or -1. */
int
os_hostname(char *out, size_t outsz)
{
	wchar_t	 w[256];
	DWORD	 n = sizeof(w) / sizeof(w[0]);
	char	*s;

	if (outsz == 0) {
		errno = EINVAL;
		return -1;
	}
	if (!GetComputerNameExW(ComputerNameDnsHostname, w, &n)) {
		n = sizeof(w) / sizeof(w[0]);
		if (!GetComputerNameW(w, &n))
			return win_fail();
	}
	if ((s = w_to_utf8(w)) == NULL)
		return -1;
	snprintf(out, outsz, "%s", s);
	free(s);
	return 0;
}

/* There is no syslog: log_msg() keeps to stderr. */
int
os_syslog_open(const char *prog)
{
	(void)prog;
	return 0;
}

void
os_syslog(enum log_level lvl, const char *msg)
{
	(void)lvl;
	(void)msg;
}

/* UTF-8 output on the console, once: what the client prints is UTF-8. */
static void
console_utf8(void)
{
	static int done;

	if (!done) {
		done = 1;
		SetConsoleOutputCP(CP_UTF8);
	}
}

/*
 * stderr is a console that takes ANSI colour codes: Windows 10 and later
 * once asked to; older consoles (and redirected stderr) get plain text.
 */
int
os_stderr_tty(void)
{
	HANDLE	 h = GetStdHandle(STD_ERROR_HANDLE);
	DWORD	 mode;

	console_utf8();
	if (h == NULL || h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
		return 0;
	if (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING)
		return 1;
	return SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) ? 1 : 0;
}

/*
 * Started by a double-click in Explorer: Windows made the console for us
 * alone, it lists only this process, and it closes when we exit.
 */
int
os_own_console(void)
{
	DWORD pids[2];

	return GetConsoleProcessList(pids, 2) == 1;
}

/*
 * Prints prompt and waits for a key, so that a console of our own stays
 * open long enough to read the last message. Returns at once when stdin is
 * not a console (redirected, or run by a service or a test).
 */
void
os_wait_key(const char *prompt)
{
	HANDLE		 in = GetStdHandle(STD_INPUT_HANDLE);
	INPUT_RECORD	 rec;
	DWORD		 mode, got;

	if (in == NULL || in == INVALID_HANDLE_VALUE || !GetConsoleMode(in, &mode))
		return;
	console_utf8();
	if (prompt != NULL) {
		fputs(prompt, stderr);
		fflush(stderr);
	}
	FlushConsoleInputBuffer(in);
	while (ReadConsoleInputW(in, &rec, 1, &got))
		if (got == 1 && rec.EventType == KEY_EVENT && rec.Event.KeyEvent.bKeyDown)
			break;
	fputc('\n', stderr);
}

/*
 * The arguments from the wide command line in UTF-8: main()'s argv is in
 * the ANSI code page and loses what it cannot spell. The strings are kept
 * for the program's life. Returns 1, or -1 (argc and argv unchanged).
 */
int
os_args(int *argc, char ***argv)
{
	wchar_t	**wv;
	char	**v;
	int	  n;

	console_utf8();
	if ((wv = CommandLineToArgvW(GetCommandLineW(), &n)) == NULL)
		return win_fail();
	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL) {
		LocalFree(wv);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if ((v[i] = w_to_utf8(wv[i])) == NULL) {
			while (i-- > 0)
				free(v[i]);
			free(v);
			LocalFree(wv);
			return -1;
		}
	LocalFree(wv);
	*argc = n;
	*argv = v;
	return 1;
}

static volatile LONG	 stop_flag;
static HANDLE		 stop_done_ev;

/*
 * Runs on a thread of its own that Windows starts. Ctrl-C and Ctrl-Break
 * only ask. Closing the console, logoff and shutdown end the process as soon
 * as this returns (and in any case after 5 s), so it waits for the main loop
 * to have closed the spool and says so with os_stop_done(). (A process that
 * loads user32.dll gets no logoff or shutdown event; the client does not.)
 */
static BOOL WINAPI
on_ctrl(DWORD type)
{
	InterlockedExchange(&stop_flag, 1);
	switch (type) {
	case CTRL_C_EVENT:
	case CTRL_BREAK_EVENT:
		return TRUE;
	case CTRL_CLOSE_EVENT:
	case CTRL_LOGOFF_EVENT:
	case CTRL_SHUTDOWN_EVENT:
		if (stop_done_ev != NULL)
			WaitForSingleObject(stop_done_ev, STOP_WAIT_MS);
		return TRUE;
	default:
		return FALSE;
	}
}

int
os_on_stop(void)
{
	if (stop_done_ev == NULL &&
	    (stop_done_ev = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
		return win_fail();
	if (!SetConsoleCtrlHandler(on_ctrl, TRUE))
		return win_fail();
	return 1;
}

int
os_stopping(void)
{
	return InterlockedCompareExchange(&stop_flag, 0, 0) != 0;
}

void
os_stop_done(void)
{
	if (stop_done_ev != NULL)
		SetEvent(stop_done_ev);
}

/* Socket error to errno, for the callers that look (EAGAIN mostly). */
static int
wsa_errno(int e)
{
	switch (e) {
	case WSAEWOULDBLOCK:
		return EAGAIN;
	case WSAEINTR:
		return EINTR;
	case WSAEACCES:
		return EACCES;
	case WSAEADDRINUSE:
		return EADDRINUSE;
	case WSAEADDRNOTAVAIL:
		return EADDRNOTAVAIL;
	case WSAEAFNOSUPPORT:
		return EAFNOSUPPORT;
	case WSAEMSGSIZE:
		return EMSGSIZE;
	case WSAENETUNREACH:
		return ENETUNREACH;
	case WSAEHOSTUNREACH:
		return EHOSTUNREACH;
	case WSAECONNRESET:
		return ECONNRESET;
	case WSAENOBUFS:
		return ENOBUFS;
	case WSAEMFILE:
		return EMFILE;
	case WSAEINVAL:
		return EINVAL;
	case WSAENOTSOCK:
		return EBADF;
	default:
		return EIO;
	}
}

/* Sets errno from WSAGetLastError(), leaving that for os_sock_error(). */
static void
wsa_fail(void)
{
	errno = wsa_errno(WSAGetLastError());
}

int
os_net_init(void)
{
	WSADATA wd;
	int	e;

	if ((e = WSAStartup(MAKEWORD(2, 2), &wd)) != 0) {
		WSASetLastError(e);
		errno = wsa_errno(e);
		return -1;
	}
	return 1;
}

/* Error code in words, UTF-8, without the trailing CR LF. */
static void
win_message(DWORD e, char *out, size_t outsz)
{
	wchar_t	 w[256];
	char	*s;
	size_t	 n;

	if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e,
	    0, w, sizeof(w) / sizeof(w[0]), NULL) == 0 || (s = w_to_utf8(w)) == NULL) {
		snprintf(out, outsz, "error %lu", (unsigned long)e);
		return;
	}
	/* Wine has no texts for Winsock's codes and says so with a template */
	if (strstr(s, "%1") != NULL) {
		free(s);
		snprintf(out, outsz, "error %lu", (unsigned long)e);
		return;
	}
	snprintf(out, outsz, "%s", s);
	free(s);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
		out[--n] = '\0';
}

/*
 * Resolves host and port. With host NULL, the any address to listen on: the
 * IPv4 one when there is one, since an IPv6 socket on Windows is IPv6-only
 * and the games send to 127.0.0.1. Returns 1, or 0 with err filled.
 */
int
os_resolve(const char *host, const char *port, struct os_addr *a, char *err, size_t errsz)
{
	ADDRINFOW	 hints, *res = NULL, *pick;
	wchar_t		*wh = NULL, *wp;
	int		 rc;

	if (host != NULL && (wh = utf8_to_w(host, 0)) == NULL) {
		snprintf(err, errsz, "not a host name");
		return 0;
	}
	if ((wp = utf8_to_w(port, 0)) == NULL) {
		free(wh);
		snprintf(err, errsz, "not a port");
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV | (host == NULL ? AI_PASSIVE : 0);
	rc = GetAddrInfoW(wh, wp, &hints, &res);
	free(wh);
	free(wp);
	if (rc != 0 || res == NULL) {
		win_message(rc ? (DWORD)rc : (DWORD)WSAHOST_NOT_FOUND, err, errsz);
		if (res != NULL)
			FreeAddrInfoW(res);
		return 0;
	}
	pick = res;
	if (host == NULL)
		for (ADDRINFOW *r = res; r != NULL; r = r->ai_next)
			if (r->ai_family == AF_INET) {
				pick = r;
				break;
			}
	if (pick->ai_addrlen > sizeof(a->sa.raw)) {
		FreeAddrInfoW(res);
		snprintf(err, errsz, "address too long");
		return 0;
	}
	memset(&a->sa, 0, sizeof(a->sa));
	memcpy(a->sa.raw, pick->ai_addr, pick->ai_addrlen);
	a->len = (unsigned)pick->ai_addrlen;
	FreeAddrInfoW(res);
	return 1;
}

/*
 * A non-blocking UDP socket for a's family; bound to a when bind_it, else to
 * the any address on a port of the system's choosing: Winsock refuses
 * recvfrom() on a socket that was never bound (WSAEINVAL), where POSIX
 * waits for the first send to bind it.
 */
os_sock
os_udp_open(const struct os_addr *a, int bind_it, int rcvbuf)
{
	const struct sockaddr	*sa = (const void *)a->sa.raw;
	struct sockaddr_storage	 any;
	SOCKET			 s;
	u_long			 one = 1;
	BOOL			 yes = TRUE, no = FALSE;
	DWORD			 got;
	int			 alen, e;

	s = WSASocketW(sa->sa_family, SOCK_DGRAM, IPPROTO_UDP, NULL, 0,
	    WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
	if (s == INVALID_SOCKET) {
		wsa_fail();
		return OS_SOCK_NONE;
	}
	if (ioctlsocket(s, FIONBIO, &one) != 0)
		goto fail;
	if (rcvbuf > 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *)&rcvbuf, sizeof(rcvbuf));
	/*
	 * An ICMP port unreachable (the game not listening yet) would otherwise
	 * fail the next recvfrom() with WSAECONNRESET.
	 */
	WSAIoctl(s, SIO_UDP_CONNRESET, &no, sizeof(no), NULL, 0, &got, NULL, NULL);
	if (bind_it) {
		/* SO_REUSEADDR on Windows would let another program take the port */
		if (setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&yes,
		    sizeof(yes)) != 0 || bind(s, sa, (int)a->len) != 0)
			goto fail;
	} else {
		memset(&any, 0, sizeof(any));
		any.ss_family = sa->sa_family;
		alen = sa->sa_family == AF_INET6 ? (int)sizeof(struct sockaddr_in6) :
		    (int)sizeof(struct sockaddr_in);
		if (bind(s, (struct sockaddr *)&any, alen) != 0)
			goto fail;
	}
	return (os_sock)s;
fail:
	e = WSAGetLastError();
	closesocket(s);
	WSASetLastError(e);
	errno = wsa_errno(e);
	return OS_SOCK_NONE;
}

/*
 * The next datagram: its length (0 for an empty one), OS_UDP_NONE when none
 * waits, OS_UDP_ERROR. A WSAECONNRESET (the ICMP report of an earlier send
 * to a closed port, should SIO_UDP_CONNRESET not have been honoured) and a
 * datagram larger than the buffer (WSAEMSGSIZE: truncated, which no parser
 * would take) say nothing about the datagrams behind them: skip to the next.
 */
long
os_udp_recv(os_sock s, void *p, size_t n, struct os_addr *from)
{
	int	 flen, r, e;

	if (n > 0x7fffffff)
		n = 0x7fffffff;
	for (int tries = 0; tries < 64; tries++) {
		flen = (int)sizeof(from->sa.raw);
		r = recvfrom((SOCKET)s, p, (int)n, 0, (struct sockaddr *)(void *)from->sa.raw,
		    &flen);
		if (r >= 0) {
			from->len = (unsigned)flen;
			from->text[0] = '\0';
			return r;
		}
		e = WSAGetLastError();
		if (e == WSAECONNRESET || e == WSAEMSGSIZE)
			continue;
		errno = wsa_errno(e);
		return e == WSAEWOULDBLOCK ? OS_UDP_NONE : OS_UDP_ERROR;
	}
	return OS_UDP_NONE;
}

int
os_udp_send(os_sock s, const void *p, size_t n, const struct os_addr *to)
{
	if (n > 0x7fffffff) {
		errno = EMSGSIZE;
		return -1;
	}
	if (sendto((SOCKET)s, p, (int)n, 0, (const struct sockaddr *)(const void *)to->sa.raw,
	    (int)to->len) == SOCKET_ERROR) {
		wsa_fail();
		return -1;
	}
	return 0;
}

/* The same family, address and port (and scope, for IPv6). */
int
os_addr_same(const struct os_addr *a, const struct os_addr *b)
{
	const struct sockaddr *x = (const void *)a->sa.raw, *y = (const void *)b->sa.raw;

	if (x->sa_family != y->sa_family)
		return 0;
	if (x->sa_family == AF_INET) {
		const struct sockaddr_in *u = (const void *)x, *v = (const void *)y;
		return u->sin_port == v->sin_port && u->sin_addr.s_addr == v->sin_addr.s_addr;
	}
	if (x->sa_family == AF_INET6) {
		const struct sockaddr_in6 *u = (const void *)x, *v = (const void *)y;
		return u->sin6_port == v->sin6_port && u->sin6_scope_id == v->sin6_scope_id &&
		    memcmp(&u->sin6_addr, &v->sin6_addr, sizeof(u->sin6_addr)) == 0;
	}
	return a->len == b->len && memcmp(a->sa.raw, b->sa.raw, a->len) == 0;
}

void
os_udp_close(os_sock s)
{
	if (s != OS_SOCK_NONE)
		closesocket((SOCKET)s);
}

/* The last socket error in words; the string lasts until the next call. */
const char *
os_sock_error(void)
{
	static char	 msg[256];
	int		 e = WSAGetLastError();

	win_message((DWORD)e, msg, sizeof(msg));
	/* FormatMessageW() may have set its own; the error is still the last */
	WSASetLastError(e);
	return msg;
}
