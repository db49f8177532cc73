"""Production updates: maintainers post once, every subscribed server gets it, exactly once.

``repository`` holds the SQL (settings, updates, the delivery outbox), ``compose`` builds
messages as plain data, ``policy`` decides retries, ``limiter`` paces requests, ``worker``
drains the outbox through a ``transport`` (``discord_transport`` is the discord.py one).
"""
