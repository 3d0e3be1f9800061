/*
 * One log API with two sinks: stderr in the foreground (-d), syslog otherwise.
 * Control characters in messages are escaped: messages often quote what a
 * client sent.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "trackside.h"

const char *const log_level_names[LOG_LVL__MAX] = { "error", "warn", "info", "debug" };
static const int log_syslog_prio[LOG_LVL__MAX] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

static const char	*log_prog = "trackside";
static int		 log_fg = 1;
static enum log_level	 log_max = LOG_LVL_INFO;

/*
 * Chooses the sink (foreground: stderr) and the most verbose level written.
 */
void
log_init(const char *prog, int foreground, enum log_level max)
{
	log_prog = prog;
	log_fg = foreground;
	log_max = max;
	if (!foreground)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * Parses a level name. Returns 1 and sets *out, or 0 for an unknown name.
 */
int
log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < LOG_LVL__MAX; i++)
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 1;
		}
	return 0;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char	 raw[2048], clean[4096];
	va_list	 ap;
	int	 n;

	if (lvl > log_max)
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	esc_log(clean, sizeof(clean), raw, strlen(raw));
	if (!log_fg) {
		syslog(log_syslog_prio[lvl], "%s", clean);
		return;
	}
	char		 ts[32];
	struct timespec	 now;
	struct tm	 tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s %s: %s\n", ts, now.tv_nsec / 1000000,
	    log_prog, log_level_names[lvl], clean);
}
