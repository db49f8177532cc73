-- PostgreSQL translation of ../0003_delivery_reconcile.sql: when the first send of a copy
-- went out (Unix seconds; NULL: no send was ever attempted).
ALTER TABLE production_deliveries ADD COLUMN send_attempted_at DOUBLE PRECISION;
