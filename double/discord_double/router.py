"""Route templates of the REST API ("/channels/{channel_id}/messages") matched to handlers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from discord_double.models import JSON

Bucket = Literal["messages", "crosspost"] | None


@dataclass(slots=True)
class UploadedFile:
    field: str
    filename: str
    content_type: str
    size: int


@dataclass(slots=True)
class ApiRequest:
    method: str
    route: str  # "POST /channels/{channel_id}/messages"
    path: str
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    files: list[UploadedFile] = field(default_factory=list)

    def snowflake(self, name: str) -> int:
        value = self.params[name]
        return int(value) if value.isdigit() else 0

    def json_object(self) -> JSON:
        return self.body if isinstance(self.body, dict) else {}


@dataclass(slots=True)
class ApiReply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[ApiRequest], Awaitable[ApiReply]]


@dataclass(slots=True)
class RouteSpec:
    method: str
    template: str
    handler: Handler
    bot_auth: bool = True  # False for interaction callbacks and webhook routes
    bucket: Bucket = None
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        self.pattern = re.compile(f"^{regex}$")

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


class Router:
    def __init__(self) -> None:
        self._routes: dict[str, list[RouteSpec]] = {}

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        bot_auth: bool = True,
        bucket: Bucket = None,
    ) -> None:
        spec = RouteSpec(method, template, handler, bot_auth=bot_auth, bucket=bucket)
        routes = self._routes.setdefault(method, [])
        routes.append(spec)
        # Literal segments ("@me") must win over parameters ("{user_id}").
        routes.sort(key=lambda r: r.template.count("{"))

    def match(self, method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
        for spec in self._routes.get(method, ()):
            found = spec.pattern.match(path)
            if found is not None:
                return spec, found.groupdict()
        return None

    @property
    def routes(self) -> list[RouteSpec]:
        return [r for routes in self._routes.values() for r in routes]
