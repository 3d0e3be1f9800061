/*
 * Admin passwords: Argon2id with RFC 9106's second recommended set scaled
 * to a small server (19 MiB, 2 passes, 1 lane: OWASP's minimum), about
 * 70 ms and 19 MiB a check on one core of the machines we test on.
 */
#include <string.h>

#include <argon2.h>

#include "trackside.h"
#include "pwhash.h"

#define PW_T_COST	2
#define PW_M_COST	19456	/* KiB */
#define PW_LANES	1
#define PW_SALT		16
#define PW_HASH		32

/*
 * Hashes a new password into out (NUL-terminated encoded form). Returns 1,
 * 0 when the password is too short or too long, -1 on failure (no
 * randomness, no memory).
 */
int
pwhash_make(const char *pw, char out[PWHASH_MAX])
{
	unsigned char	 salt[PW_SALT];
	size_t		 n = strlen(pw);

	if (n < PWHASH_PW_MIN || n > PWHASH_PW_MAX)
		return 0;
	if (rand_bytes(salt, sizeof(salt)) < 0)
		return -1;
	if (argon2id_hash_encoded(PW_T_COST, PW_M_COST, PW_LANES, pw, n, salt, sizeof(salt),
	    PW_HASH, out, PWHASH_MAX) != ARGON2_OK)
		return -1;
	return 1;
}

/*
 * Whether pw matches the encoded hash. Returns 1 yes, 0 no (or a hash that
 * is not Argon2id), -1 out of memory.
 */
int
pwhash_check(const char *encoded, const char *pw)
{
	int rc;

	if (strncmp(encoded, "$argon2id$", 10) != 0 || strlen(pw) > PWHASH_PW_MAX)
		return 0;
	rc = argon2id_verify(encoded, pw, strlen(pw));
	if (rc == ARGON2_OK)
		return 1;
	return rc == ARGON2_MEMORY_ALLOCATION_ERROR ? -1 : 0;
}

/*
 * Spends the time of a check on a name that has no account, so a failed
 * sign-in takes as long whether the name exists or not.
 */
void
pwhash_dummy(const char *pw)
{
	static const char dummy[] =
	    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
	    "3ZqPzY5v0m0wZ3dqWg5o6bXb6kq5cX0c8G1s9Vq8lQk";

	(void)pwhash_check(dummy, pw);
}

/* Compares n bytes in time that does not depend on where they differ. */
int
pwhash_equal(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return d == 0;
}
