/*
 * Replays a fuzz corpus through a harness's LLVMFuzzerTestOneInput, one
 * file at a time, so "make check" runs every corpus without libFuzzer. Under
 * --enable-sanitizers a crash or a leak fails the test. Prints TAP.
 *
 *	replay DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	const char	*src = getenv("top_srcdir");
	int		 n = 0;

	for (int i = 1; i < argc; i++) {
		char		 dir[1024], path[2048];
		DIR		*d;
		struct dirent	*de;

		snprintf(dir, sizeof(dir), "%s/%s", src ? src : ".", argv[i]);
		if ((d = opendir(dir)) == NULL) {
			printf("not ok %d - corpus %s cannot be opened\n", ++n, dir);
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			struct buf b = { 0 };
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (file_read(path, 64u << 20, &b) <= 0) {
				printf("not ok %d - %s cannot be read\n", ++n, path);
				continue;
			}
			LLVMFuzzerTestOneInput((const uint8_t *)(b.p ? b.p : ""), b.len);
			printf("ok %d - %s/%s\n", ++n, argv[i], de->d_name);
			buf_free(&b);
		}
		closedir(d);
	}
	printf("1..%d\n", n);
	return 0;
}
