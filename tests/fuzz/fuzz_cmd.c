/*
 * libFuzzer harness for the admin command parser (lib/cmd.c): the input is
 * the JSON of a command record as the worker reads it from the inbox. A
 * command cmd_parse takes must come back the same through cmd_json and
 * cmd_parse (kind, id, time, author, address), and still pass cmd_check.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	struct cmd	 c, d;
	struct buf	 err = { 0 };
	char		*json;

	if (!init) {
		log_init("fuzz_cmd", 1, LOG_LVL_ERR);
		init = 1;
	}
	if (cmd_parse(&c, (const char *)data, size, &err) != 1) {
		buf_free(&err);
		return 0;
	}
	if ((json = cmd_json(&c)) == NULL)
		abort();
	buf_reset(&err);
	if (cmd_parse(&d, json, strlen(json), &err) != 1 || d.kind != c.kind ||
	    strcmp(d.id, c.id) != 0 || strcmp(d.by, c.by) != 0 || strcmp(d.addr, c.addr) != 0 ||
	    d.at != c.at || !isfinite(d.at))
		__builtin_trap();
	buf_reset(&err);
	if (!cmd_check(&d, &err))
		__builtin_trap();
	free(json);
	cmd_free(&d);
	cmd_free(&c);
	buf_free(&err);
	return 0;
}
