/*
 * The source table: one row per sim (source.h). A row without a parser is
 * a source this server does not read yet: its frames are dropped and
 * counted (DROP_UNKNOWN_SOURCE).
 */
#include "source.h"

const struct source_ops sources[SRC__MAX] = {
	[SRC_LMU] = { "lmu", lmu_state_new, lmu_parse, lmu_state_save, lmu_state_load,
	    lmu_state_free },
	[SRC_AC] = { "ac", ac_state_new, ac_parse, ac_state_save, ac_state_load, ac_state_free },
	[SRC_PCARS2] = { "pcars2", pcars2_state_new, pcars2_parse, pcars2_state_save,
	    pcars2_state_load, pcars2_state_free },
};
