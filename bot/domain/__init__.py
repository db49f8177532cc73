"""Domain logic: pure answers computed from the data pack (no Discord imports)."""
