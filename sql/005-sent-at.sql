-- The client's wall clock when it sent the upload that carried the frame
-- (Trackside-Sent-At, spec/wire-protocol.md): received_at - sent_at is the
-- client's clock offset, exact for spooled and replayed frames too. NULL
-- for frames of clients that do not send it.
ALTER TABLE raw_frames ADD COLUMN sent_at REAL;
