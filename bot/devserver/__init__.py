"""A local stand-in for Discord (gateway + REST) to run the unmodified bot against.

See `driver.DiscordDouble` for the test-facing API and `bot.discord_endpoints` for how
discord.py is pointed at it.
"""

from bot.devserver.config import DoubleConfig
from bot.devserver.driver import DiscordDouble
from bot.devserver.errors import Violation
from bot.devserver.interaction_payloads import CommandNotRegistered, DoubleUsageError
from bot.devserver.interactions import InteractionResult
from bot.devserver.models import Channel, Guild, Member, Message, Role, User
from bot.devserver.permissions import Permission

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
