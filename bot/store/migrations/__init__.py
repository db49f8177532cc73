"""The SQL migration files (read with importlib.resources by bot.store.migrate)."""
