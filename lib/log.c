/*
 * One log API with two sinks: stderr in the foreground (-d), syslog otherwise.
 * Control characters in messages are escaped: messages often quote what a
 * client sent.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "os.h"

const char *const log_level_names[LOG_LVL__MAX] = { "error", "warn", "info", "debug" };

static const char	*log_prog = "trackside";
static int		 log_fg = 1;
static enum log_level	 log_max = LOG_LVL_INFO;

/*
 * Chooses the sink (foreground: stderr; stderr too where there is no syslog)
 * and the most verbose level written.
 */
void
log_init(const char *prog, int foreground, enum log_level max)
{
	log_prog = prog;
	log_fg = foreground || !os_syslog_open(prog);
	log_max = max;
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
		os_syslog(lvl, clean);
		return;
	}
	double		 now = time_now();
	long long	 sec = (long long)floor(now);
	struct utc	 u;
	time_utc(sec, &u);
	fprintf(stderr, "%02d:%02d:%02d.%03d %s %s: %s\n", u.hour, u.min, u.sec,
	    (int)((now - (double)sec) * 1000) % 1000, log_prog, log_level_names[lvl], clean);
}
