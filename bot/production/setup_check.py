"""What would stop update posts in one server, and the one-line fix for each (pure).

The cog reads the facts from discord.py's cache (channel, permissions, role, hierarchy) into
:class:`ChannelState` / :class:`RoleState`; this module decides. Each finding has a stable
``code`` the cogs map to catalogue texts ``setup.finding.<code>`` and ``setup.fix.<code>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .models import ChannelKind, GuildSettings

# blocking: no post arrives; warning: the post arrives but something (ping, /notify,
# publishing to followers) does not work; info: worth knowing, nothing is broken.
Severity = Literal["blocking", "warning", "info"]


@dataclass(frozen=True, slots=True)
class ChannelState:
    """The configured channel as the bot sees it (permissions are the bot's, in that channel)."""

    exists: bool
    name: str = ""
    kind: ChannelKind = "text"
    view: bool = False
    send: bool = False
    embed_links: bool = False
    manage_messages: bool = False
    mention_everyone: bool = False
    # Needed to look for a copy whose send answer was lost before posting it again; without
    # it Discord reads the channel as empty, so the bot does not post again (see worker).
    read_history: bool = True


@dataclass(frozen=True, slots=True)
class RoleState:
    exists: bool
    name: str = ""
    mentionable: bool = False
    below_bot: bool = False  # the bot's top role sits above it (needed to give it out)
    bot_manage_roles: bool = False
    # Elevated permissions it grants (role_safety names): /notify refuses to hand it out.
    elevated: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SetupFinding:
    code: str
    severity: Severity
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"


def _channel_findings(channel: ChannelState | None) -> list[SetupFinding]:
    if channel is None or not channel.exists:
        return [SetupFinding("channel_missing", "blocking")]
    where = {"channel": channel.name}
    if not channel.view:
        return [SetupFinding("no_view", "blocking", where)]
    findings: list[SetupFinding] = []
    if not channel.send:
        findings.append(SetupFinding("no_send", "blocking", where))
    if not channel.embed_links:
        findings.append(SetupFinding("no_embed", "blocking", where))
    if channel.kind == "announcement" and not channel.manage_messages:
        findings.append(SetupFinding("no_publish", "warning", where))
    if not channel.read_history:
        findings.append(SetupFinding("no_history", "warning", where))
    return findings


def _role_findings(
    role_id: int | None, role: RoleState | None, channel: ChannelState | None
) -> list[SetupFinding]:
    if role_id is None:
        return [SetupFinding("no_role", "info")]
    if role is None or not role.exists:
        return [SetupFinding("role_missing", "warning")]
    named = {"role": role.name}
    findings: list[SetupFinding] = []
    if role.elevated:
        # Listed first among the role's problems: it is the one that is not cosmetic.
        params = {**named, "permissions": ",".join(role.elevated)}
        findings.append(SetupFinding("role_elevated", "warning", params))
    can_mention_all = channel is not None and channel.exists and channel.mention_everyone
    if not role.mentionable and not can_mention_all:
        findings.append(SetupFinding("role_not_mentionable", "warning", named))
    if not role.bot_manage_roles:
        findings.append(SetupFinding("no_manage_roles", "warning", named))
    if not role.below_bot:
        findings.append(SetupFinding("role_above_bot", "warning", named))
    return findings


@dataclass(frozen=True, slots=True)
class TopicRoleState:
    """In a server with a role per topic: one topic (its name, for the reader), its role."""

    topic: str
    role_id: int | None
    role: RoleState | None


def _topic_findings(
    topics: Sequence[TopicRoleState], channel: ChannelState | None
) -> list[SetupFinding]:
    """Each topic role checked like the single one, every finding naming its topic."""
    findings: list[SetupFinding] = []
    for state in topics:
        if state.role_id is None:
            findings.append(SetupFinding("topic_no_role", "warning", {"topic": state.topic}))
            continue
        for finding in _role_findings(state.role_id, state.role, channel):
            params = {**finding.params, "topic": state.topic}
            findings.append(SetupFinding(finding.code, finding.severity, params))
    return findings


def check_setup(
    settings: GuildSettings | None,
    channel: ChannelState | None,
    role: RoleState | None,
    topics: Sequence[TopicRoleState] | None = None,
) -> list[SetupFinding]:
    """Every problem with the server's update setup, most serious first.

    ``topics`` (a server with a role per topic) replaces the single role's findings.

    A recorded 'needs attention' (Discord refused a post for good) is reported only while a
    blocking problem remains: once the live check finds none, the caller may resume posts.
    """
    if settings is None:
        return [SetupFinding("not_set_up", "blocking")]
    findings: list[SetupFinding] = []
    if not settings.enabled:
        findings.append(SetupFinding("switched_off", "blocking"))
    if topics is None:
        role_part = _role_findings(settings.role_id, role, channel)
    else:
        role_part = _topic_findings(topics, channel)
    live = _channel_findings(channel) + role_part
    if settings.needs_attention and any(f.blocking for f in live):
        findings.append(
            SetupFinding("attention", "blocking", {"reason": settings.attention_reason or ""})
        )
    if settings.ping_issue and not any(f.code == "role_not_mentionable" for f in live):
        findings.append(SetupFinding("last_ping", "info", {"issue": settings.ping_issue}))
    findings.extend(live)
    order: dict[Severity, int] = {"blocking": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def can_resume(settings: GuildSettings | None, findings: list[SetupFinding]) -> bool:
    """A server flagged after a refused post whose setup now looks right: posts may resume."""
    return (
        settings is not None
        and settings.enabled
        and settings.needs_attention
        and not any(f.blocking for f in findings)
    )
