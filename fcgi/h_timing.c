/*
 * GET /sessions/{id}/timing: the standings with the columns a person
 * chose, among those the session's source reports. The choice comes from
 * the form (?c=pos&c=driver...), so it works without JavaScript;
 * static/live.js remembers it in the browser. Besides the standings'
 * columns, the strategy's compact ones (fcgi/h_strategy.c): laps left, the
 * pit window, tyre age and pace against the class, which static/strategy.js
 * keeps live.
 */
#include <string.h>

#include "fcgi.h"

/* The strategy columns, after the standings' (standings.html draws them last). */
#define TIMING_STRAT_COLS 4
static const struct standings_col timing_strat_cols[TIMING_STRAT_COLS] = {
	{ "sleft", "Laps left", 1, CAP_FUEL | CAP_VE },
	{ "swin", "Pit window", 1, CAP_FUEL | CAP_VE },
	{ "styre", "Tyre age", 0, CAP_PITS },
	{ "space", "Pace to class", 0, 0 },
};

/* Column k of the standings' then the strategy's. */
static const struct standings_col *
timing_col(size_t k)
{
	return k < STANDINGS_COLS ? &standings_cols[k] : &timing_strat_cols[k - STANDINGS_COLS];
}

void
h_timing_page(struct req *req, struct resp *resp)
{
	cJSON	*o, *show, *cols;
	int	 chosen = 0;
	size_t	 ncols = STANDINGS_COLS + TIMING_STRAT_COLS;

	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].key, "c") != 0)
			continue;
		size_t k;
		for (k = 0; k < ncols; k++)
			if (strcmp(timing_col(k)->key, req->params[i].val) == 0)
				break;
		if (k == ncols) {
			resp_error(resp, 400, "bad_column", "There is no column named that.");
			page_error(req, resp);
			return;
		}
		chosen = 1;
	}
	if ((o = session_page_load(req, resp, "Timing")) == NULL)
		return;
	if (strategy_rows(req->db, o) < 0) {
		log_err("timing: strategy: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
		page_error(req, resp);
		cJSON_Delete(o);
		return;
	}
	cJSON_AddTrueToObject(o, "strategy_cols");
	show = cJSON_AddObjectToObject(o, "show");
	cols = cJSON_AddArrayToObject(o, "columns");
	for (size_t k = 0; k < ncols; k++) {
		const struct standings_col *sc = timing_col(k);
		int on = !chosen && sc->dflt;
		if (!standings_col_has(sc, o)) {
			/* what the source does not report is neither shown nor offered */
			cJSON_AddFalseToObject(show, sc->key);
			continue;
		}
		for (size_t i = 0; chosen && i < req->nparams; i++)
			if (strcmp(req->params[i].key, "c") == 0 &&
			    strcmp(req->params[i].val, sc->key) == 0)
				on = 1;
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "key", sc->key);
		cJSON_AddStringToObject(c, "label", standings_col_label(sc, o));
		cJSON_AddBoolToObject(c, "on", on);
		cJSON_AddItemToArray(cols, c);
		cJSON_AddBoolToObject(show, sc->key, on);
	}
	resp_page(req, resp, "timing", o);
	cJSON_Delete(o);
}
