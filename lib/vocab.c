/*
 * The neutral vocabulary's names and the helpers over stored session types.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vocab.h"

const char *const source_names[SRC__MAX] = { "lmu", "ac", "pcars2" };
const char *const source_labels[SRC__MAX] = { "Le Mans Ultimate", "Assetto Corsa",
	"Automobilista 2 / Project CARS 2" };
const unsigned source_caps[SRC__MAX] = {
	CAP_FUEL | CAP_VE | CAP_WEAR | CAP_COMPOUND | CAP_SECTORS | CAP_PITS | CAP_ENTRIES |
	    CAP_CLASSES | CAP_TEAMS | CAP_CHAT,
	CAP_TEAMS | CAP_CHAT,
	/* fuel of the car whose own client sends its telemetry; no teams, no chat */
	CAP_FUEL | CAP_SECTORS | CAP_PITS | CAP_CLASSES,
};

const char *const session_kind_names[SK__MAX] = { "test", "practice", "qualify", "warmup", "race",
	"other" };
const char *const session_kind_labels[SK__MAX] = { "Test day", "Practice", "Qualifying",
	"Warm-up", "Race", "Session" };

const char *const finish_names[FIN__MAX] = { "none", "finished", "dnf", "dq" };

const char *const car_status_names[CST__MAX] = { "running", "pit", "garage", "left",
	"finished", "dnf", "dq" };

const char *const phase_names[PHASE__MAX] = { "starting", "reconnaissance", "grid", "formation",
	"countdown", "green", "fcy", "stopped", "checkered", "paused" };

/* The index of name in names[n], or -1. */
static int
vocab_find(const char *const *names, int n, const char *name)
{
	for (int i = 0; name != NULL && i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int
source_find(const char *name)
{
	return vocab_find(source_names, SRC__MAX, name);
}

unsigned
source_caps_of(const char *name)
{
	int i = source_find(name);

	return i < 0 ? ~0u : source_caps[i];
}

int
session_kind_find(const char *name)
{
	for (int i = 0; name != NULL && i < SK__MAX; i++)
		if (strcasecmp(name, session_kind_names[i]) == 0)
			return i;
	return -1;
}

int
finish_find(const char *name)
{
	return vocab_find(finish_names, FIN__MAX, name);
}

/* Writes the stored type of kind number n (0 = the only one). Returns 0, -1 too long. */
int
session_type_format(enum session_kind kind, int n, char *out, size_t outsz)
{
	int w;

	if ((unsigned)kind >= SK__MAX)
		kind = SK_OTHER;
	if (n > 0 && n <= 9)
		w = snprintf(out, outsz, "%s%d", session_kind_names[kind], n);
	else
		w = snprintf(out, outsz, "%s", session_kind_names[kind]);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

/* Splits a stored type into kind and number. Returns 0, or -1 when it is none of ours. */
int
session_type_parse(const char *type, enum session_kind *kind, int *n)
{
	size_t len;

	if (type == NULL)
		return -1;
	for (int i = 0; i < SK__MAX; i++) {
		len = strlen(session_kind_names[i]);
		if (strncmp(type, session_kind_names[i], len) != 0)
			continue;
		if (type[len] == '\0')
			*n = 0;
		else if (type[len] >= '1' && type[len] <= '9' && type[len + 1] == '\0')
			*n = type[len] - '0';
		else
			continue;
		*kind = i;
		return 0;
	}
	return -1;
}

/*
 * The type as a person reads it: "race1" → "Race", "race2" → "Race 2",
 * "qualify1" → "Qualifying", "practice3" → "Practice 3", "warmup" →
 * "Warm-up"; anything else as it is.
 */
void
session_type_label(const char *type, char *out, size_t outsz)
{
	enum session_kind	 k;
	int			 n;

	if (session_type_parse(type, &k, &n) < 0)
		snprintf(out, outsz, "%s", type != NULL ? type : "");
	else if (n >= 2)
		snprintf(out, outsz, "%s %d", session_kind_labels[k], n);
	else
		snprintf(out, outsz, "%s", session_kind_labels[k]);
}
