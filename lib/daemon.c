/*
 * What the daemons share at start: sane file descriptors 0-2, the
 * configuration file with flags on top, dropping root.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trackside.h"

/*
 * Makes sure descriptors 0, 1 and 2 are open (on /dev/null), so no file the
 * program opens later becomes its stdout. Returns 1 or -1.
 */
int
daemon_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return -1;
	return 1;
}

/*
 * Switches to user (and its group) when running as root and user is set.
 * Returns 1, or 0 after logging why not.
 */
int
daemon_drop(const char *user)
{
	struct passwd *pw;

	if (getuid() != 0 || user == NULL)
		return 1;
	if ((pw = getpwnam(user)) == NULL) {
		log_err("user %s does not exist", user);
		return 0;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		log_err("cannot drop privileges to %s: %s", user, strerror(errno));
		return 0;
	}
	return 1;
}

/*
 * Loads the configuration file path into c, then the flags on top of it
 * (flags win). A missing file is fine unless required (the path was given
 * on the command line). flags is emptied. Returns 1, or 0 with a message in
 * err.
 */
int
daemon_conf(struct conf *c, const char *path, int required, struct conf *flags, struct buf *err)
{
	int rc = conf_load(c, path, err);

	if (rc == 0)
		return 0;
	if (rc < 0 && (required || errno != ENOENT)) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < flags->n; i++)
		if (conf_set(c, flags->ents[i].key, flags->ents[i].val) < 0) {
			buf_printf(err, "out of memory");
			return 0;
		}
	conf_free(flags);
	return 1;
}
