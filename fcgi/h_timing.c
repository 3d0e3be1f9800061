/*
 * GET /sessions/{id}/timing: the standings with the columns a person
 * chose, among those the session's source reports. The choice comes from
 * the form (?c=pos&c=driver...), so it works without JavaScript;
 * static/live.js remembers it in the browser.
 */
#include <string.h>

#include "fcgi.h"

void
h_timing_page(struct req *req, struct resp *resp)
{
	cJSON	*o, *show, *cols;
	int	 chosen = 0;

	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].key, "c") != 0)
			continue;
		size_t k;
		for (k = 0; k < STANDINGS_COLS; k++)
			if (strcmp(standings_cols[k].key, req->params[i].val) == 0)
				break;
		if (k == STANDINGS_COLS) {
			resp_error(resp, 400, "bad_column", "There is no column named that.");
			page_error(req, resp);
			return;
		}
		chosen = 1;
	}
	if ((o = session_page_load(req, resp, "Timing")) == NULL)
		return;
	show = cJSON_AddObjectToObject(o, "show");
	cols = cJSON_AddArrayToObject(o, "columns");
	for (size_t k = 0; k < STANDINGS_COLS; k++) {
		int on = !chosen && standings_cols[k].dflt;
		if (!standings_col_has(&standings_cols[k], o)) {
			/* what the source does not report is neither shown nor offered */
			cJSON_AddFalseToObject(show, standings_cols[k].key);
			continue;
		}
		for (size_t i = 0; chosen && i < req->nparams; i++)
			if (strcmp(req->params[i].key, "c") == 0 &&
			    strcmp(req->params[i].val, standings_cols[k].key) == 0)
				on = 1;
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "key", standings_cols[k].key);
		cJSON_AddStringToObject(c, "label", standings_col_label(&standings_cols[k], o));
		cJSON_AddBoolToObject(c, "on", on);
		cJSON_AddItemToArray(cols, c);
		cJSON_AddBoolToObject(show, standings_cols[k].key, on);
	}
	resp_page(req, resp, "timing", o);
	cJSON_Delete(o);
}
