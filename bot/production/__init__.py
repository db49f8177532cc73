"""Production updates: maintainers post once, every subscribed server gets it, exactly once.

The ``repo_*`` modules hold the SQL, one per aggregate (``repo_settings``, ``repo_previews``,
``repo_updates``, ``repo_ledger``, and the outbox in ``repo_claims``, ``repo_results``,
``repo_deliveries``). Writes go through ``db.transaction()`` (BEGIN IMMEDIATE on the one
writer), so a check and the change it guards happen atomically, also against another process
on the same file; SQL uses placeholders only; times are Unix seconds passed in by the caller, so
tests control the clock. ``compose`` builds messages as plain data, ``policy`` decides retries,
``limiter`` paces requests, ``worker`` drains the outbox through a ``transport``
(``discord_transport`` is the discord.py one).
"""
