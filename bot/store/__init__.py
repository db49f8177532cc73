"""The store (SQLite or PostgreSQL): connections (:mod:`.database`), schema migrations
(:mod:`.migrate`), the data pack's fact tables (:mod:`.facts`, :mod:`.seeding`) and small
key/value state (:mod:`.meta`)."""
