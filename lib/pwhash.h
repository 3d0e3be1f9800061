/*
 * Admin passwords: Argon2id (libargon2), encoded with its parameters and
 * salt, so a stored hash still verifies after the defaults change.
 */
#ifndef PWHASH_H
#define PWHASH_H

#include <stddef.h>

#define PWHASH_MAX	128	/* an encoded hash, NUL included */
#define PWHASH_PW_MIN	10	/* characters of a new password */
#define PWHASH_PW_MAX	1024

int	 pwhash_make(const char *pw, char out[PWHASH_MAX]);
int	 pwhash_check(const char *encoded, const char *pw);
void	 pwhash_dummy(const char *pw);
int	 pwhash_equal(const char *a, const char *b, size_t n);

#endif
