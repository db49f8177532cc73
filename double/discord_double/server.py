"""The HTTP side of the double: one aiohttp app serving REST under /api/v10 and the gateway.

Every REST request goes through the same pipeline: route match → bot auth → armed
faults → rate limits → handler → rate-limit headers; errors become Discord's JSON bodies,
rule breaks are filed as violations, and each request is recorded with its timing.
"""

from __future__ import annotations

import asyncio
import json
import time
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from aiohttp import web

from discord_double.backend import Backend, RecordedRequest
from discord_double.errors import (
    RESPONSE_SCHEMA,
    UNAUTHORIZED,
    DiscordAPIError,
    invalid_form_body,
)
from discord_double.faults import Fault
from discord_double.openapi import OpenApiSchema, SchemaError
from discord_double.ratelimit import BucketState, too_many_requests_body, too_many_requests_headers
from discord_double.route_rules import hand_written_errors
from discord_double.router import ApiReply, ApiRequest, Router, RouteSpec, UploadedFile

API_PREFIX = "/api/v10"
_JSON_HEADERS = {"Content-Type": "application/json"}  # exactly this: discord.py compares it
_BAD_GATEWAY_HTML = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>cloudflare</center></body></html>"
)


def parse_body(content_type: str, raw: bytes) -> tuple[Any, list[UploadedFile]]:
    """JSON bodies, or multipart with `payload_json` + files (how discord.py sends uploads)."""
    if not raw:
        return None, []
    if content_type.startswith("multipart/"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        body: Any = None
        files: list[UploadedFile] = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if name == "payload_json":
                body = json.loads(bytes(data) if isinstance(data, bytes) else str(data))
            else:
                files.append(
                    UploadedFile(
                        field=str(name),
                        filename=str(part.get_filename() or name),
                        content_type=part.get_content_type(),
                        size=len(data),
                    )
                )
        return body, files
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode("utf-8", "replace"), []


def _json_response(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    if body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(
        status=status,
        body=json.dumps(body, separators=(",", ":")).encode(),
        headers={**headers, **_JSON_HEADERS},
    )


class DropConnection(Exception):
    """Close the client's connection without sending a response."""


class ApiServer:
    def __init__(self, backend: Backend, router: Router, schema: OpenApiSchema) -> None:
        self._b = backend
        self._router = router
        self._schema = schema
        unknown = [r.name for r in router.routes if not schema.has_operation(r.method, r.template)]
        if unknown:
            # A route the schema lacks could never be checked: regenerate the shipped copy.
            raise RuntimeError(
                f"routes missing from the shipped OpenAPI schema: {unknown}; "
                "run python -m discord_double.openapi_trim <discord-openapi.json>"
            )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        cpu_start = time.thread_time()
        started = time.monotonic()
        path = "/" + request.match_info.get("tail", "")
        method = request.method
        # The full header: multipart bodies need its boundary parameter.
        body, files = parse_body(request.headers.get("Content-Type", ""), raw)
        matched = self._router.match(method, path)
        route = f"{method} {matched[0].template}" if matched else f"{method} {path}"
        error_code: int | None = None
        drop = False
        try:
            reply = await self._run(request, matched, method, path, route, body, files)
        except DiscordAPIError as error:
            error_code = error.code
            # Discord's proxy answers 502 with an HTML page, not JSON.
            bad_gateway = error.status == 502
            reply = ApiReply(error.status, None if bad_gateway else error.body(), error.headers)
            if error.violation:
                violation = self._b.record_violation(error, method, path, body)
                if error.interaction_id is not None:
                    record = self._b.state.interactions.get(error.interaction_id)
                    if record is not None:
                        record.violations.append(violation)
                        record.notify()
        except DropConnection:
            drop = True
            reply = ApiReply(status=0)
        if matched is not None and not drop and reply.status < 500:
            self._check_response(matched[0], method, path, reply)
        self._account(method, path, route, request, body, reply, started, cpu_start, error_code)
        if drop:
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError  # aiohttp then gives up on this request quietly
        if reply.status == 502 and reply.body is None:
            return web.Response(status=502, body=_BAD_GATEWAY_HTML, content_type="text/html")
        return _json_response(reply.status, reply.body, reply.headers)

    def _check_response(self, spec: RouteSpec, method: str, path: str, reply: ApiReply) -> None:
        """The double's own answer must match Discord's schema too: a mismatch is a bug in
        the double, filed as a violation so that the test that met it fails."""
        errors = self._schema.response_errors(method, spec.template, reply.status, reply.body)
        if errors:
            self._b.record_violation(
                DiscordAPIError(
                    reply.status,
                    RESPONSE_SCHEMA,
                    "the double's response does not match Discord's OpenAPI schema",
                ),
                method,
                path,
                reply.body,
                errors=[e.line() for e in errors],
            )

    @staticmethod
    def _schema_refusal(
        spec: RouteSpec, body: Any, errors: list[SchemaError], params: dict[str, str]
    ) -> DiscordAPIError:
        # The hand-written rules word errors as Discord does; the schema adds what they miss.
        tree = hand_written_errors(spec.method, spec.template, body)
        covered = set(tree.paths())
        for error in errors:
            if tuple(str(p) for p in error.path) not in covered:
                tree.add(error.path, error.code, error.message)
        refusal = invalid_form_body(tree)
        interaction = params.get("interaction_id", "")
        if interaction.isdigit():
            refusal.interaction_id = int(interaction)
        return refusal

    def _account(
        self,
        method: str,
        path: str,
        route: str,
        request: web.Request,
        body: Any,
        reply: ApiReply,
        started: float,
        cpu_start: float,
        error_code: int | None,
    ) -> None:
        stats = self._b.stats
        stats.requests += 1
        stats.handler_seconds += time.thread_time() - cpu_start
        status = reply.status
        if status == 429:
            stats.rate_limited += 1
            stats.rate_limited_by_route[route] = stats.rate_limited_by_route.get(route, 0) + 1
        shared = reply.headers.get("X-RateLimit-Scope") == "shared"
        if status in (401, 403) or (status == 429 and not shared):
            stats.invalid_requests += 1
        self._b.requests.append(
            RecordedRequest(
                method=method,
                path=path,
                route=route,
                query=dict(request.query),
                json=body,
                status=status,
                started=started,
                duration=time.monotonic() - started,
                error_code=error_code,
            )
        )

    async def _run(
        self,
        request: web.Request,
        matched: tuple[RouteSpec, dict[str, str]] | None,
        method: str,
        path: str,
        route: str,
        body: Any,
        files: list[UploadedFile],
    ) -> ApiReply:
        if matched is None:
            # Either the bot calls something Discord does not have, or the double lacks it:
            # both deserve a loud failure.
            raise DiscordAPIError(404, 0, f"404: Not Found ({route})", violation=True)
        spec, params = matched
        if spec.bot_auth and request.headers.get("Authorization") != f"Bot {self._b.config.token}":
            raise DiscordAPIError(401, UNAUTHORIZED, "401: Unauthorized", violation=True)

        channel_id = int(params["channel_id"]) if params.get("channel_id", "").isdigit() else None
        fault = self._b.faults.take(route, channel_id)
        if fault is not None and not (fault.kind == "drop" and fault.after_commit):
            self._fire(fault)

        limit_headers = self._rate_limit(spec, channel_id)
        schema_errors = self._schema.request_errors(method, spec.template, body)
        if schema_errors:
            raise self._schema_refusal(spec, body, schema_errors, params)
        reply = await spec.handler(
            ApiRequest(method, route, path, params, request.query, body, files)
        )
        if fault is not None and fault.kind == "drop":
            raise DropConnection  # after commit: the work is done, the answer is lost
        if limit_headers and 200 <= reply.status < 300:
            reply.headers = {**limit_headers, **reply.headers}
        return reply

    @staticmethod
    def _fire(fault: Fault) -> None:
        if fault.kind == "drop":
            raise DropConnection
        if fault.kind == "ratelimit":
            state = BucketState(
                False, 1, 0, fault.retry_after, "injected-" + str(id(fault)), fault.scope
            )
            is_global = fault.scope == "global"
            body = too_many_requests_body(fault.retry_after, is_global=is_global)
            raise DiscordAPIError(
                429,
                0,
                str(body["message"]),
                headers=too_many_requests_headers(state),
                extra={"retry_after": body["retry_after"], "global": is_global},
            )
        if fault.status == 502:
            raise DiscordAPIError(502, 0, "Bad Gateway")
        if fault.status >= 500:
            raise DiscordAPIError(fault.status, 0, f"{fault.status}: Internal Server Error")
        raise DiscordAPIError(fault.status, fault.code, fault.message)

    def _rate_limit(self, spec: RouteSpec, channel_id: int | None) -> dict[str, str]:
        """Apply the global and route buckets; the headers to advertise on success."""
        limiter = self._b.limiter
        now = time.monotonic()
        advertised: BucketState | None = None
        if spec.bot_auth:
            global_state = limiter.hit_global(now)
            if global_state is not None and not global_state.allowed:
                self._too_many(global_state, is_global=True)
            advertised = global_state
        route_state: BucketState | None = None
        if spec.bucket == "messages" and channel_id is not None:
            route_state = limiter.hit_channel_message(channel_id, now)
        elif spec.bucket == "crosspost" and channel_id is not None:
            route_state = limiter.hit_crosspost(channel_id, now)
        if route_state is not None:
            if not route_state.allowed:
                if spec.bucket == "crosspost":
                    self._too_many_crossposts(route_state)
                self._too_many(route_state, is_global=False)
            if spec.bucket != "crosspost":
                # Discord does not advertise the hourly crosspost cap on success.
                advertised = route_state
        return advertised.headers() if advertised is not None else {}

    @staticmethod
    def _too_many_crossposts(state: BucketState) -> None:
        """Observed on Discord: the body says wait ~an hour, the bucket headers say ~1 s."""
        body = too_many_requests_body(state.reset_after, is_global=False)
        short = BucketState(
            False, state.limit, 0, min(state.reset_after, 1.0), state.bucket, "user"
        )
        raise DiscordAPIError(
            429,
            0,
            str(body["message"]),
            headers=too_many_requests_headers(short),
            extra={"retry_after": body["retry_after"], "global": False},
        )

    @staticmethod
    def _too_many(state: BucketState, *, is_global: bool) -> None:
        body = too_many_requests_body(state.reset_after, is_global=is_global)
        raise DiscordAPIError(
            429,
            0,
            str(body["message"]),
            headers=too_many_requests_headers(state),
            extra={"retry_after": body["retry_after"], "global": is_global},
        )
