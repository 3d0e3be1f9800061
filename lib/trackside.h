/*
 * Code shared by trackside-fcgi, trackside-ingestd, trackside-client and the
 * trackside admin command: logging, buffers, escaping, bounded parsing,
 * configuration, compression, the inbox, the database and templates.
 */
#ifndef TRACKSIDE_H
#define TRACKSIDE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/*
 * mingw-w64 builds (the Windows client) take the C99 printf of mingw-w64,
 * not msvcrt's, so that %zu and %lld work: gnu_printf is its format.
 */
#ifdef __MINGW32__
#if !defined(__USE_MINGW_ANSI_STDIO) || !__USE_MINGW_ANSI_STDIO
#error "mingw-w64 builds need -D__USE_MINGW_ANSI_STDIO=1"
#endif
#define PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#else
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#endif

/* log.c */
enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG, LOG_LVL__MAX };
extern const char *const log_level_names[LOG_LVL__MAX];
void	 log_init(const char *prog, int foreground, enum log_level max);
int	 log_level_parse(const char *s, enum log_level *out);
void	 log_msg(enum log_level, const char *fmt, ...) PRINTF(2, 3);
#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* buf.c: a growable byte buffer, always NUL-terminated. */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
int	 buf_grow(struct buf *, size_t more);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, int);
int	 buf_printf(struct buf *, const char *fmt, ...) PRINTF(2, 3);
int	 buf_vprintf(struct buf *, const char *fmt, va_list);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);

/* esc.c: one escaping writer per output context. */
int	 esc_html(struct buf *, const char *, size_t);
int	 esc_xml(struct buf *, const char *, size_t);
int	 esc_url(struct buf *, const char *, size_t);
int	 esc_json(struct buf *, const char *, size_t);
int	 esc_csv(struct buf *, const char *, size_t);
size_t	 esc_log(char *dst, size_t dstsz, const char *src, size_t len);

/* b64.c */
int	 b64_encode(struct buf *, const void *, size_t);
int	 b64_decode(struct buf *, const char *, size_t);

/* util.c */
int	 num_parse_ll(const char *s, long long min, long long max, long long *out);
int	 num_parse_d(const char *s, double min, double max, double *out);
int	 num_to_ll(double d, long long min, long long max, long long *out);
double	 time_now(void);		/* os_posix.c, os_win.c */
double	 time_mono(void);
void	 time_iso(double t, char out[32]);
int	 time_iso_parse(const char *s, double *out);
struct utc {
	int	 year, month, day, hour, min, sec;
};
long long days_from_civil(long long y, long long m, long long d);
void	 time_utc(long long sec, struct utc *);
int	 rand_bytes(void *, size_t);	/* os_posix.c, os_win.c */
void	 hex_encode(const unsigned char *, size_t, char *out);
int	 uuid7(char out[33]);
int	 id_valid(const char *s, size_t min, size_t max);
int	 mkdir_p(const char *path, unsigned mode);
int	 file_read(const char *path, size_t max, struct buf *out);
int	 write_all(int fd, const void *, size_t);
int	 file_write_durable(const char *dir, const char *name, const void *, size_t);

/* trail.c: progress over time, for gaps between cars */
#define TRAIL_MAX	512
struct trail {
	double		 p[TRAIL_MAX], t[TRAIL_MAX];
	int		 head, n;
};
void	 trail_add(struct trail *, double p, double t);
double	 trail_at(const struct trail *, double p, double now_p, double now);

/* sha256.c */
void	 sha256(const void *, size_t, unsigned char out[32]);
void	 sha256_hex(const void *, size_t, char out[65]);

/* gz.c */
enum gz_result { GZ_ERR = -1, GZ_BAD = 0, GZ_OK = 1, GZ_TOO_LARGE = 2 };
enum gz_result gz_inflate(const void *in, size_t len, size_t max, struct buf *out);
int	 gz_deflate(const void *in, size_t len, int level, struct buf *out);
int	 gz_is_gzip(const void *in, size_t len);

/* conf.c: "key = value" files; every key may also come from a flag. */
struct conf_ent {
	char	*key;
	char	*val;
	int	 line;
};
struct conf {
	struct conf_ent	*ents;
	size_t		 n;
};
int	 conf_load(struct conf *, const char *path, struct buf *err);
const char *conf_get(const struct conf *, const char *key);
int	 conf_set(struct conf *, const char *key, const char *val);
void	 conf_free(struct conf *);

/* daemon.c */
int	 daemon_fds(void);
int	 daemon_drop(const char *user);
int	 daemon_conf(struct conf *, const char *path, int required, struct conf *flags,
	    struct buf *err);

/* jscan.c: a validating JSON scanner that allocates nothing. */
enum jtype { JT_NONE, JT_OBJECT, JT_ARRAY, JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL, JT__MAX };
struct jspan {
	enum jtype	 type;
	const char	*p;	/* first byte of the value */
	size_t		 len;	/* bytes of the value */
};
#define JSCAN_MAX_DEPTH 64
int	 jscan_value(const char *p, size_t len, struct jspan *out, size_t *used);
int	 jscan_document(const char *p, size_t len, struct jspan *out);
int	 jscan_member(const struct jspan *obj, const char *key, struct jspan *out);
int	 jscan_fields(const char *p, size_t len, const char *const *keys, size_t n,
	    struct jspan *vals, struct jspan *obj, size_t *used);
int	 jscan_next(const struct jspan *arr, size_t *off, struct jspan *out);
int	 jscan_string(const struct jspan *, char *out, size_t outsz);
int	 jscan_int(const struct jspan *, long long min, long long max, long long *out);
int	 jscan_utf8_valid(const char *, size_t);

/* inbox.c: durable frames on their way from trackside-fcgi to trackside-ingestd. */
#define INBOX_CLIENT_MAX 64
struct inbox_writer;
struct inbox_rec {
	char		 seg[64];	/* segment file name */
	long long	 off;		/* where the record starts */
	long long	 end;		/* where the next one starts */
	char		 client[INBOX_CLIENT_MAX + 1];
	long long	 seq;
	int		 bad;		/* not a record of this format */
	const char	*body;		/* header line \n frame JSON, NUL-terminated */
	size_t		 at;
	size_t		 len;
};
struct inbox_reader {
	char		 dir[4096];
	struct buf	 data;
	struct inbox_rec *recs;
	size_t		 n, cap;
	char		(*done)[64];	/* segments finished with this batch */
	size_t		 ndone;
};
typedef long long (*inbox_pos_fn)(void *arg, const char *seg);
int	 inbox_init(const char *dir);
int	 inbox_writer_open(struct inbox_writer **, const char *dir);
void	 inbox_writer_close(struct inbox_writer *);
int	 inbox_append(struct inbox_writer *, const char *client, long long seq, const char *head,
	    size_t hlen, const char *frame, size_t flen, unsigned long *ticket);
int	 inbox_sync(struct inbox_writer *, unsigned long ticket);
int	 inbox_reader_open(struct inbox_reader **, const char *dir);
void	 inbox_reader_free(struct inbox_reader *);
int	 inbox_read(struct inbox_reader *, inbox_pos_fn, void *arg, size_t max, size_t max_bytes);
int	 inbox_remove(const char *dir, const char *seg);
long long inbox_pending(const char *dir, inbox_pos_fn, void *arg);
long long inbox_pos_zero(void *arg, const char *seg);
long long inbox_set_aside_count(const char *dir);
/* The in-flight note: the frame the worker applies (see inbox.c). */
struct inbox_note {
	char		 state;		/* 'A' applying, 'C' crashed */
	int		 strikes;	/* earlier runs that crashed on this frame */
	char		 seg[64];
	long long	 off;
	char		 client[INBOX_CLIENT_MAX + 1];
	long long	 seq;
};
int	 inbox_note_open(const char *dir);
int	 inbox_note_read(int fd, struct inbox_note *);
int	 inbox_note_write(int fd, const struct inbox_note *);
int	 inbox_note_clear(int fd);
void	 inbox_note_crashed(int fd);
int	 inbox_client_bind(const char *dir, const char *client, long long token, long long known,
	    long long *owner);
int	 inbox_client_rebind(const char *dir, const char *client, long long token);
int	 inbox_writable(const char *dir, long long min_free_mb, int probe, const char **why);
int	 inbox_lock(const char *dir, int wait);

#endif
