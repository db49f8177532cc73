"""Golden Hour: a Discord bot for the fans of The Trauma Code: Heroes on Call."""
