-- When the first send of a copy went out (written before the request, so a crash, a lost answer
-- or a write that failed after the post all leave it set). A retry past Discord's nonce window
-- first looks in the channel for the copy (its Notify button carries the update id) instead of
-- trusting the nonce; NULL means no send was ever attempted, so nothing can be there.
ALTER TABLE production_deliveries ADD COLUMN send_attempted_at REAL;
