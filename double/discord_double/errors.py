"""Discord's error bodies, and the record of rule breaks (violations) the double keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from discord_double.models import JSON

# JSON error codes (topics/opcodes-and-status-codes.mdx) the double produces.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_ROLE = 10011
UNKNOWN_WEBHOOK = 10015
UNKNOWN_USER = 10013
UNKNOWN_APPLICATION_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
MAX_DAILY_COMMAND_CREATES = 30034
ALREADY_CROSSPOSTED = 40033
INTERACTION_ALREADY_ACKNOWLEDGED = 40060
MISSING_ACCESS = 50001
CANNOT_EDIT_OTHERS_MESSAGE = 50005
EMPTY_MESSAGE = 50006
MISSING_PERMISSIONS = 50013
INVALID_WEBHOOK_TOKEN = 50027
WRONG_CHANNEL_TYPE = 50024
INVALID_FORM_BODY = 50035
UNAUTHORIZED = 40001
# Gateway rule breaks carry the close code (4011 sharding required) or, for an IDENTIFY
# beyond max_concurrency (which Discord answers with op 9), this code.
SHARDING_REQUIRED = 4011
IDENTIFY_TOO_FAST = 9
# The double's own response broke Discord's OpenAPI schema (a bug in the double).
RESPONSE_SCHEMA = 0

PathPart = str | int


class ErrorTree:
    """Collects field errors into Discord's nested `errors` object.

    Shape: `{"embeds": {"0": {"title": {"_errors": [{"code": ..., "message": ...}]}}}}`.
    """

    def __init__(self) -> None:
        self._root: JSON = {}

    def add(self, path: tuple[PathPart, ...], code: str, message: str) -> None:
        node = self._root
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: tuple[PathPart, ...], limit: int) -> None:
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_length(self, path: tuple[PathPart, ...], low: int, high: int) -> None:
        self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def paths(self) -> list[tuple[str, ...]]:
        """Every field path that holds errors."""
        found: list[tuple[str, ...]] = []

        def walk(node: JSON, prefix: tuple[str, ...]) -> None:
            for key, value in node.items():
                if key == "_errors":
                    found.append(prefix)
                else:
                    walk(value, (*prefix, key))

        walk(self._root, ())
        return found

    @property
    def empty(self) -> bool:
        return not self._root

    def to_dict(self) -> JSON:
        return self._root

    def flat(self) -> list[str]:
        """`path: message` lines, handy in assertion messages."""
        lines: list[str] = []

        def walk(node: JSON, prefix: str) -> None:
            for key, value in node.items():
                if key == "_errors":
                    lines.extend(f"{prefix or '<body>'}: {e['message']}" for e in value)
                else:
                    walk(value, f"{prefix}.{key}" if prefix else key)

        walk(self._root, "")
        return lines


class DiscordAPIError(Exception):
    """Raised inside handlers; the server turns it into Discord's JSON error response."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: ErrorTree | None = None,
        violation: bool = False,
        headers: dict[str, str] | None = None,
        extra: JSON | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        # True when Discord would refuse this because the *bot* broke a rule.
        self.violation = violation
        self.headers = headers or {}
        self.extra = extra or {}
        # Set when the error concerns a dispatched interaction, to file the violation there.
        self.interaction_id: int | None = None

    def body(self) -> JSON:
        data: JSON = {"message": self.message, "code": self.code, **self.extra}
        if self.errors is not None and not self.errors.empty:
            data["errors"] = self.errors.to_dict()
        return data


def invalid_form_body(errors: ErrorTree) -> DiscordAPIError:
    return DiscordAPIError(
        400, INVALID_FORM_BODY, "Invalid Form Body", errors=errors, violation=True
    )


def not_found(code: int, what: str) -> DiscordAPIError:
    return DiscordAPIError(404, code, f"Unknown {what}")


def missing_access() -> DiscordAPIError:
    return DiscordAPIError(403, MISSING_ACCESS, "Missing Access")


def missing_permissions() -> DiscordAPIError:
    return DiscordAPIError(403, MISSING_PERMISSIONS, "Missing Permissions")


@dataclass(slots=True)
class Violation:
    """A request Discord would have refused because the bot broke one of its rules."""

    code: int
    message: str
    method: str
    path: str
    status: int
    errors: list[str] = field(default_factory=list)
    body: Any = None
    expected: bool = False

    def describe(self) -> str:
        detail = "; ".join(self.errors)
        return f"{self.method} {self.path} -> {self.status} ({self.code}) {self.message}" + (
            f": {detail}" if detail else ""
        )
