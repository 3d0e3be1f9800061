/*
 * All SQL of the writer in one place: an enum-indexed table of statements,
 * prepared once per connection, ? bindings only.
 */
#include <string.h>

#include "ingest.h"

static const char *const stmt_sql[STMT__MAX] = {
	/* STMT_SEQ_GET */
	"SELECT last_seq, token_id FROM client_seqs WHERE client = ?1",
	/* STMT_SEQ_PUT */
	"INSERT INTO client_seqs (client, name, version, token_id, last_seq, last_at, session_id, "
	"frames, addr) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8) ON CONFLICT (client) DO UPDATE SET "
	"name = coalesce(excluded.name, name), version = coalesce(excluded.version, version), "
	"token_id = excluded.token_id, last_seq = max(last_seq, excluded.last_seq), "
	"last_at = excluded.last_at, session_id = excluded.session_id, frames = frames + 1, "
	"addr = coalesce(excluded.addr, addr)",
	/* STMT_RAW_PUT */
	"INSERT OR IGNORE INTO raw_frames (session_id, client, seq, captured_at, received_at, source, body, "
	"sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* STMT_RAW_EXISTS */
	"SELECT 1 FROM raw_frames WHERE client = ?1 AND seq = ?2",
	/* STMT_POS_GET */
	"SELECT offset FROM inbox_pos WHERE segment = ?1",
	/* STMT_POS_PUT */
	"INSERT INTO inbox_pos (segment, offset) VALUES (?1, ?2) "
	"ON CONFLICT (segment) DO UPDATE SET offset = excluded.offset",
	/* STMT_POS_DEL */
	"DELETE FROM inbox_pos WHERE segment = ?1",
	/* STMT_SESSION_INS */
	"INSERT INTO sessions (id, sim, track, type, online, server, server_port, owner, "
	"started_at, last_update, state, prev_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, "
	"'live', ?10)",
	/* STMT_SESSION_UPD */
	"UPDATE sessions SET last_update = ?2, et = ?3, phase = ?4, remaining = ?5, max_time = "
	"?6, max_laps = ?7, track_length = ?8, state = ?9, finished = ?10, air_temp = ?11, "
	"track_temp = ?12, raining = ?13, wetness = ?14, sector_flags = ?15, cars = ?16, laps = "
	"?17, clients = ?18, frames = ?19, frames_dropped = ?20, end_et = ?21, et_at = ?22, "
	"bound_n1 = ?23, bound_sum1 = ?24, bound_n2 = ?25, bound_sum2 = ?26 "
	"WHERE id = ?1",
	/* STMT_SESSION_NEXT */
	"UPDATE sessions SET next_id = ?2 WHERE id = ?1",
	/* STMT_SESSION_PREV */
	"UPDATE sessions SET prev_id = ?2 WHERE id = ?1",
	/* STMT_SESSION_DEL */
	"DELETE FROM sessions WHERE id = ?1",
	/* STMT_RAW_MOVE */
	"UPDATE raw_frames SET session_id = ?2 WHERE session_id = ?1",
	/* STMT_SCLIENT_UPS */
	"INSERT INTO session_clients (session_id, client, first_at, last_at, frames) VALUES (?1, "
	"?2, ?3, ?3, 1) ON CONFLICT (session_id, client) DO UPDATE SET last_at = max(last_at, "
	"excluded.last_at), frames = frames + 1",
	/* STMT_CAR_INS */
	"INSERT INTO cars (session_id, slot, vehicle, vehicle_name, number, team, class) VALUES "
	"(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* STMT_CAR_UPD */
	"UPDATE cars SET number = ?2, team = ?3, class = ?4, vehicle_name = ?5 WHERE id = ?1",
	/* STMT_STATE_INS */
	"INSERT INTO car_state (car_id, session_id) VALUES (?1, ?2)",
	/* STMT_STATE_UPD */
	"UPDATE car_state SET et = ?2, driver = ?3, position = ?4, class_position = ?5, laps = "
	"?6, gap = ?7, gap_laps = ?8, interval = ?9, interval_laps = ?10, best = ?11, last = ?12, "
	"s1 = ?13, s2 = ?14, s3 = ?15, pits = ?16, stint_laps = ?17, status = ?18, pit_state = "
	"?19, tyres = ?20, fuel = ?21, ve = ?22, finish = ?23, lap_dist = ?24, x = ?25, z = ?26, "
	"present = ?27, updated_at = ?28, penalties = ?29, in_garage = ?30, player = ?31, sector "
	"= ?32, lap_start_et = ?33, wear = ?34, swap_et = ?35, swap_from = ?36, pending_exit = "
	"?37, class_gap = ?38, class_gap_laps = ?39 WHERE car_id = ?1",
	/* STMT_LAP_UPS */
	"INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver, valid, pit, position, fuel, ve, "
	"tyres, start_et, seen_at, source, s1_driver, s2_driver, s3_driver) VALUES (?1, ?2, ?3, "
	"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT "
	"(car_id, lap) DO UPDATE SET time = excluded.time, s1 = excluded.s1, s2 = excluded.s2, s3 "
	"= excluded.s3, driver = excluded.driver, valid = excluded.valid, pit = excluded.pit, "
	"position = excluded.position, fuel = excluded.fuel, ve = excluded.ve, tyres = "
	"excluded.tyres, start_et = excluded.start_et, source = excluded.source, s1_driver = "
	"excluded.s1_driver, s2_driver = excluded.s2_driver, s3_driver = excluded.s3_driver",
	/* STMT_LAP_PIT */
	"UPDATE laps SET pit = 1 WHERE car_id = ?1 AND lap = ?2",
	/* STMT_PIT_INS */
	"INSERT INTO pits (car_id, lap, pit_time, stop_time, release_time, exit_time, garage_in, "
	"garage_out, swap, driver_in, driver_out, tyres, fuel, ve, duration, penalty, "
	"synthesised, garage, open, confirmed, swap_time, swap_sector, stop_sector, "
	"tyres_changed, strategy_lap) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	"?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
	/* STMT_PIT_UPD */
	"UPDATE pits SET lap = ?2, pit_time = ?3, stop_time = ?4, release_time = ?5, exit_time = "
	"?6, garage_in = ?7, garage_out = ?8, swap = ?9, driver_in = ?10, driver_out = ?11, tyres "
	"= ?12, fuel = ?13, ve = ?14, duration = ?15, penalty = ?16, synthesised = ?17, garage = "
	"?18, open = ?19, confirmed = ?20, swap_time = ?21, swap_sector = ?22, stop_sector = ?23, "
	"tyres_changed = ?24, strategy_lap = ?25 WHERE id = ?1",
	/* STMT_STINT_INS */
	"INSERT INTO stints (car_id, first_lap, last_lap, driver, compound, tyre_laps) VALUES "
	"(?1, ?2, ?3, ?4, ?5, ?6)",
	/* STMT_STINT_UPD */
	"UPDATE stints SET last_lap = ?2, driver = ?3, compound = ?4, tyre_laps = ?5 WHERE id = "
	"?1",
	/* STMT_BEST_UPS */
	"INSERT INTO bests (session_id, scope, kind, class, car_id, driver, time, lap, "
	"holder_car, holder_driver) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT "
	"(session_id, scope, kind, class, car_id, driver) DO UPDATE SET time = excluded.time, lap "
	"= excluded.lap, holder_car = excluded.holder_car, holder_driver = excluded.holder_driver",
	/* STMT_CHAT_INS */
	"INSERT OR IGNORE INTO chat (session_id, ts, text, seen_at) VALUES (?1, ?2, ?3, ?4)",
	/* STMT_COND_INS */
	"INSERT OR REPLACE INTO conditions (session_id, et, at, air_temp, track_temp, raining, "
	"wetness, phase) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* STMT_ENTRY_UPS */
	"INSERT INTO entries (session_id, utid, team_id, number, name, vehicle, car_id) VALUES "
	"(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (session_id, utid) DO UPDATE SET team_id = "
	"excluded.team_id, number = excluded.number, name = excluded.name, vehicle = "
	"excluded.vehicle, car_id = excluded.car_id",
	/* STMT_MEMBER_DEL */
	"DELETE FROM entry_members WHERE session_id = ?1 AND utid = ?2",
	/* STMT_MEMBER_INS */
	"INSERT OR REPLACE INTO entry_members (session_id, utid, name, badge, nationality, roles) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* STMT_TRACKMAP_UPS */
	"INSERT OR REPLACE INTO track_maps (track, points, updated_at) VALUES (?1, ?2, ?3)",
	/* STMT_BOUND_UPS */
	"INSERT OR IGNORE INTO sector_bounds (track, sector, lap_dist, learned_at) VALUES (?1, "
	"?2, ?3, ?4)",
	/* STMT_COUNTER_ADD */
	"INSERT INTO ingest_counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE "
	"SET value = value + excluded.value",
	/* STMT_R_SESSIONS */
	"SELECT id, sim, track, type, online, coalesce(server, ''), coalesce(server_port, 0), "
	"coalesce(owner, ''), started_at, last_update, coalesce(et, -1), coalesce(phase, -1), "
	"coalesce(remaining, -1), coalesce(max_time, -1), coalesce(max_laps, -1), "
	"coalesce(track_length, -1), state, finished, coalesce(prev_id, ''), coalesce(next_id, "
	"''), cars, laps, clients, frames, frames_dropped, coalesce(end_et, -1), "
	"coalesce(air_temp, -1e9), coalesce(track_temp, -1e9), coalesce(raining, -1), "
	"coalesce(wetness, -1), coalesce(sector_flags, ''), coalesce(et_at, last_update), "
	"coalesce(bound_n1, 0), coalesce(bound_sum1, 0), coalesce(bound_n2, 0), "
	"coalesce(bound_sum2, 0), (SELECT max(et) FROM conditions c WHERE c.session_id = sessions.id), "
	"EXISTS (SELECT 1 FROM track_maps m WHERE m.track = sessions.track) FROM sessions "
	"WHERE state <> 'closed' ORDER BY started_at",
	/* STMT_R_CARS */
	"SELECT c.id, c.slot, c.vehicle, coalesce(c.vehicle_name, ''), coalesce(c.number, ''), "
	"coalesce(c.team, ''), coalesce(c.class, ''), coalesce(s.et, -1e9), coalesce(s.driver, "
	"''), coalesce(s.position, 0), coalesce(s.laps, 0), coalesce(s.pit_state, 'NONE'), "
	"coalesce(s.in_garage, 0), coalesce(s.fuel, -1), coalesce(s.ve, -1), s.present, "
	"coalesce(s.best, -1), coalesce(s.sector, 0), coalesce(s.player, 0), "
	"coalesce(s.class_position, 0), coalesce(s.gap, -1), coalesce(s.gap_laps, 0), "
	"coalesce(s.interval, -1), coalesce(s.interval_laps, 0), coalesce(s.last, -1), "
	"coalesce(s.s1, -1), coalesce(s.s2, -1), coalesce(s.s3, -1), coalesce(s.pits, 0), "
	"coalesce(s.status, ''), coalesce(s.tyres, ''), coalesce(s.finish, ''), "
	"coalesce(s.lap_dist, 0), coalesce(s.x, 0), coalesce(s.z, 0), coalesce(s.updated_at, 0), "
	"coalesce(s.penalties, 0), coalesce(s.lap_start_et, -1), coalesce(s.wear, ''), "
	"coalesce(s.swap_et, -1), coalesce(s.swap_from, ''), coalesce(s.pending_exit, -1) FROM "
	"cars c JOIN car_state s ON s.car_id = c.id WHERE c.session_id = ?1 ORDER BY c.id",
	/* STMT_R_LAPS */
	"SELECT lap, coalesce(time, -1), coalesce(s1, -1), coalesce(s2, -1), coalesce(s3, -1), "
	"coalesce(driver, ''), valid, pit, coalesce(position, 0), coalesce(fuel, -1), "
	"coalesce(ve, -1), coalesce(start_et, -1), coalesce(seen_at, -1), coalesce(source, "
	"'live'), coalesce(tyres, ''), s1_driver, s2_driver, s3_driver, coalesce(cuts, -1), "
	"coalesce(collisions, -1), sectors_derived FROM laps WHERE car_id = ?1 ORDER BY lap",
	/* STMT_R_PITS */
	"SELECT id, lap, coalesce(pit_time, -1), coalesce(stop_time, -1), coalesce(release_time, "
	"-1), coalesce(exit_time, -1), coalesce(garage_in, -1), coalesce(garage_out, -1), "
	"coalesce(driver_in, ''), coalesce(driver_out, ''), synthesised, garage, open, confirmed, "
	"coalesce(swap_time, -1), coalesce(tyres, ''), coalesce(fuel, -1), coalesce(ve, -1), "
	"coalesce(duration, -1), penalty, coalesce(swap_sector, 0), coalesce(stop_sector, 0), "
	"coalesce(tyres_changed, 0), coalesce(strategy_lap, 0) FROM pits WHERE car_id = ?1 "
	"ORDER BY id",
	/* STMT_R_STINTS */
	"SELECT id, first_lap, last_lap, coalesce(driver, ''), coalesce(compound, ''), tyre_laps "
	"FROM stints WHERE car_id = ?1 ORDER BY id",
	/* STMT_R_CHAT */
	"SELECT ts, text FROM chat WHERE session_id = ?1",
	/* STMT_R_CLIENTS */
	"SELECT client, session_id, clock_offset, last_et, last_at, last_phase, last_key, "
	"source_state FROM tracker_clients WHERE session_id IN (SELECT id FROM sessions WHERE "
	"state <> 'closed')",
	/* STMT_R_TRACKMAP */
	"SELECT 1 FROM track_maps WHERE track = ?1",
	/* STMT_R_BESTS */
	"SELECT scope, kind, class, car_id, driver, time, lap, coalesce(holder_car, 0), "
	"coalesce(holder_driver, '') FROM bests WHERE session_id = ?1",
	/* STMT_R_ENTRIES */
	"SELECT utid, coalesce(team_id, ''), coalesce(number, ''), coalesce(name, ''), "
	"coalesce(vehicle, ''), coalesce(car_id, 0) FROM entries WHERE session_id = ?1",
	/* STMT_R_MEMBERS: as session_entries() writes them, name by name */
	"SELECT utid, name || char(9) || coalesce(badge, '') || char(9) || coalesce(nationality, "
	"'') || char(9) || coalesce(roles, '') || char(10) FROM entry_members WHERE session_id = "
	"?1 ORDER BY utid, name",
	/* STMT_R_CLIENT: as STMT_R_CLIENTS */
	"SELECT client, session_id, clock_offset, last_et, last_at, last_phase, last_key, "
	"source_state FROM tracker_clients WHERE client = ?1",
	/* STMT_CLIENT_PUT */
	"INSERT INTO tracker_clients (client, clock_offset, session_id, last_et, last_at, "
	"last_phase, last_key, source_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT "
	"(client) DO UPDATE SET clock_offset = excluded.clock_offset, session_id = "
	"excluded.session_id, last_et = excluded.last_et, last_at = excluded.last_at, "
	"last_phase = excluded.last_phase, last_key = excluded.last_key, source_state = "
	"excluded.source_state",
	/* STMT_R_ID_SEQ: the counter in the ids session_id() made (hex digits 13-16) */
	"SELECT coalesce(max(substr(id, 13, 4)), '') FROM sessions WHERE length(id) = 32",
	/* STMT_SESSION_AC: what sources such as AC add to a session (sql/008-ac.sql) */
	"UPDATE sessions SET et_zero = ?2, results_file = ?3 WHERE id = ?1",
	/* STMT_CAR_KEY: a car's identity whatever its slot, and its slot now */
	"UPDATE cars SET key = ?2, slot = ?3 WHERE id = ?1",
	/* STMT_LAP_AC */
	"UPDATE laps SET cuts = ?3, collisions = ?4, sectors_derived = ?5 WHERE car_id = ?1 AND "
	"lap = ?2",
	/* STMT_R_SESSION_AC */
	"SELECT coalesce(et_zero, started_at), coalesce(results_file, '') FROM sessions WHERE "
	"id = ?1",
	/* STMT_R_CAR_KEYS */
	"SELECT id, key FROM cars WHERE session_id = ?1 AND key IS NOT NULL",
	/* STMT_LOG_INS: a race control event, once (sql/010-pitwall.sql) */
	"INSERT OR IGNORE INTO race_log (session_id, et, at, kind, car_id, class, number, lap, "
	"driver, text, data, ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
};

/*
 * Prepares every statement on db. Returns 1, or 0 with a message in err.
 */
int
stmts_prepare(struct stmts *s, sqlite3 *db, struct buf *err)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	for (int i = 0; i < STMT__MAX; i++)
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->st[i], NULL) != SQLITE_OK) {
			buf_printf(err, "statement %d: %s", i, sqlite3_errmsg(db));
			stmts_finalize(s);
			return 0;
		}
	return 1;
}

/*
 * Statement i, reset and with its bindings cleared, ready to bind.
 */
sqlite3_stmt *
stmt(struct stmts *s, enum stmt i)
{
	sqlite3_reset(s->st[i]);
	sqlite3_clear_bindings(s->st[i]);
	return s->st[i];
}

void
stmts_finalize(struct stmts *s)
{
	for (int i = 0; i < STMT__MAX; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
}
