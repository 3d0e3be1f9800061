/*
 * libFuzzer harness for the recording reader (gzip or plain) and for the
 * poll summary the guards compute from each poll's responses; the same
 * bytes as an Assetto Corsa recording, each datagram through the decoder.
 */
#include <stdint.h>
#include <stdlib.h>

#include "client.h"
#include "acsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct rec_reader	*r = NULL;
	struct rec_poll		 poll;
	struct buf		 err = { 0 };
	struct guard		 g = { 0 };
	struct lmu_sched	 sched = { 0 };
	enum rec_result		 rc;
	int			 ok[EP__MAX] = { 0 }, lines = 0;

	log_init("fuzz_client_record", 1, LOG_LVL_ERR);
	if (rec_open_mem(&r, p, n, &err) == 1) {
		while ((rc = rec_next(r, &poll, &err)) == REC_OK || rc == REC_BAD) {
			struct poll_summary s;
			buf_reset(&err);
			if (rc != REC_OK || ++lines > 10000)
				continue;
			if (guard_summarize(poll.responses.p, poll.responses.len, &s) == 1) {
				guard_decide(&g, poll.t, &s);
				lmu_observe(&sched, poll.t, lmu_plan(&sched, poll.t, 0), ok, &s);
				guard_summary_free(&s);
			}
		}
		rec_close(r);
	}
	lmu_sched_free(&sched);
	if (rec_open_mem_format(&r, p, n, REC_AC, &err) == 1) {
		static struct acsp_msg m;
		struct acsp_dec d = { 0 };
		struct buf raw = { 0 };
		double t;
		lines = 0;
		while ((rc = rec_next_raw(r, &t, &raw, &err)) == REC_OK || rc == REC_BAD) {
			buf_reset(&err);
			if (rc == REC_OK && ++lines <= 10000)
				acsp_decode(&d, raw.p, raw.len, &m);
		}
		buf_free(&raw);
		rec_close(r);
	}
	buf_free(&err);
	return 0;
}
