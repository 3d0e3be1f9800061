-- The order of a session as ingest/order.c derives it from the positions:
-- the gap to the first car of the car's class, in time and in whole laps.
-- (gap, gap_laps, interval and interval_laps are derived the same way.)

ALTER TABLE car_state ADD COLUMN class_gap REAL;        -- s, NULL unknown
ALTER TABLE car_state ADD COLUMN class_gap_laps INTEGER;
