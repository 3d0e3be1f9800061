/*
 * The neutral vocabulary: the words the model, the database, the pages and
 * the exports speak, whatever the sim. Each source (ingest/src_*.c) maps its
 * game's words onto these; nothing past a source ever tests a game's string.
 *
 * Enums follow STYLE.md: UPPER_CASE, a __MAX sentinel and a parallel name
 * array. The names are what the database stores.
 */
#ifndef VOCAB_H
#define VOCAB_H

#include <stddef.h>

/* Where a frame came from: the "source" of spec/wire-protocol.md. */
enum source { SRC_LMU, SRC_AC, SRC_PCARS2, SRC__MAX };
extern const char *const source_names[SRC__MAX];	/* "lmu", "ac", "pcars2" */
extern const char *const source_labels[SRC__MAX];	/* "Le Mans Ultimate", ... */
int	 source_find(const char *name);			/* enum source, or -1 */

/* What a source reports; a page hides the columns its session's source lacks. */
#define CAP_FUEL	0x01	/* fuel level */
#define CAP_VE		0x02	/* virtual energy */
#define CAP_WEAR	0x04	/* tyre wear */
#define CAP_COMPOUND	0x08	/* tyre compounds */
#define CAP_SECTORS	0x10	/* the game reports sector times (else derived) */
#define CAP_PITS	0x20	/* pit lane and garage states */
#define CAP_ENTRIES	0x40	/* team entry list with members */
#define CAP_CLASSES	0x80	/* car classes */
#define CAP_TEAMS	0x100	/* team names */
#define CAP_CHAT	0x200	/* chat lines */
extern const unsigned source_caps[SRC__MAX];
unsigned source_caps_of(const char *name);	/* every cap for an unknown name */

/*
 * Session kind. A session's stored type is the kind's name, followed by its
 * number when the weekend has several of that kind: "race1", "practice3",
 * "warmup", "test".
 */
enum session_kind { SK_TEST, SK_PRACTICE, SK_QUALIFY, SK_WARMUP, SK_RACE, SK_OTHER, SK__MAX };
extern const char *const session_kind_names[SK__MAX];	/* "test", "practice", ... */
extern const char *const session_kind_labels[SK__MAX];	/* "Test day", "Practice", ... */
int	 session_type_format(enum session_kind, int n, char *out, size_t outsz);
int	 session_type_parse(const char *type, enum session_kind *kind, int *n);
int	 session_kind_find(const char *name);	/* a kind name, any case; -1 */
void	 session_type_label(const char *type, char *out, size_t outsz);

/* How a car's race ended. */
enum finish { FIN_NONE, FIN_FINISHED, FIN_DNF, FIN_DQ, FIN__MAX };
extern const char *const finish_names[FIN__MAX];	/* "none", "finished", "dnf", "dq" */
int	 finish_find(const char *name);			/* enum finish, or -1 */

/* What a car is doing, as the timing screen shows it. */
enum car_status { CST_RUNNING, CST_PIT, CST_GARAGE, CST_LEFT, CST_FINISHED, CST_DNF, CST_DQ,
	CST__MAX };
extern const char *const car_status_names[CST__MAX];	/* "running", "pit", ... */

/* The session's phase (stored as the enum's value). */
enum phase {
	PHASE_STARTING, PHASE_RECON, PHASE_GRID, PHASE_FORMATION, PHASE_COUNTDOWN,
	PHASE_GREEN, PHASE_FCY, PHASE_STOPPED, PHASE_CHECKERED, PHASE_PAUSED, PHASE__MAX
};
extern const char *const phase_names[PHASE__MAX];	/* "starting", ... "paused" */

#endif
