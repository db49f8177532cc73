"""A local stand-in for Discord (gateway + REST) to run the unmodified bot against.

See `driver.DiscordDouble` for the test-facing API and `bot.discord_endpoints` for how
discord.py is pointed at it.
"""

from discord_double.config import DoubleConfig
from discord_double.driver import DiscordDouble
from discord_double.errors import Violation
from discord_double.interaction_payloads import CommandNotRegistered, DoubleUsageError
from discord_double.interactions import InteractionResult
from discord_double.models import Channel, Guild, Member, Message, Role, User
from discord_double.permissions import Permission

__all__ = [
    "Channel",
    "CommandNotRegistered",
    "DiscordDouble",
    "DoubleConfig",
    "DoubleUsageError",
    "Guild",
    "InteractionResult",
    "Member",
    "Message",
    "Permission",
    "Role",
    "User",
    "Violation",
]
