"""The double's own tests drive it with unmodified discord.py clients only; the `double`
fixture comes from `discord_double.pytest_plugin` (loaded with `-p` in pytest's options)."""
