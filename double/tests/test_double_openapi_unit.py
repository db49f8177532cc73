"""The double's second set of rules: Discord's OpenAPI description (shipped trimmed copy).

One test per kind of body (a command definition, a message, a response the double serves),
and the check that the shipped copy is exactly the reference cut down to the double's routes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from discord_double.openapi import SCHEMA_DIR, SHIPPED_SCHEMA, OpenApiSchema
from discord_double.openapi_trim import served_operations, trim

REPO = Path(__file__).resolve().parents[2]
# /work/shared next to the project (../shared), or the machine-wide copy.
REFERENCE_DIRS = (REPO.parent / "shared" / "reference", Path("/work/shared/reference"))
GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"
MESSAGES = "/channels/{channel_id}/messages"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


@pytest.fixture(scope="module")
def schema() -> OpenApiSchema:
    return OpenApiSchema.shipped()


def _command(max_value: int) -> list[dict[str, Any]]:
    option = {"type": 4, "name": "id", "description": "Update id", "min_value": 1}
    option["max_value"] = max_value
    sub = {"type": 1, "name": "retract", "description": "Retract", "options": [option]}
    return [{"name": "production", "description": "Desk", "type": 1, "options": [sub]}]


def test_an_integer_option_bound_above_2_53_minus_1_is_caught(schema: OpenApiSchema) -> None:
    errors = schema.request_errors("PUT", GUILD_COMMANDS, _command(2**53))
    assert [e.line() for e in errors] == [
        "0.options.0.options.0.max_value: "
        "int value should be less than or equal to 9007199254740991."
    ]
    assert schema.request_errors("PUT", GUILD_COMMANDS, _command(2**53 - 1)) == []


def test_a_bad_message_body_is_caught(schema: OpenApiSchema) -> None:
    good = {"content": "hi", "allowed_mentions": {"parse": [], "roles": [123]}}
    assert schema.request_errors("POST", MESSAGES, good) == []  # int snowflakes are accepted
    bad = {"content": "hi", "embeds": [{"title": "t" * 257}], "tts": "yes"}
    lines = sorted(e.line() for e in schema.request_errors("POST", MESSAGES, bad))
    assert lines == [
        "embeds.0.title: Must be 256 or fewer in length.",
        "tts: 'yes' is not of type 'boolean', 'null' (OpenAPI type)",
    ]


def test_a_callback_is_checked_against_its_own_type(schema: OpenApiSchema) -> None:
    choices = [{"name": f"n{i}", "value": f"v{i}"} for i in range(26)]
    errors = schema.request_errors("POST", CALLBACK, {"type": 8, "data": {"choices": choices}})
    assert [e.line() for e in errors] == ["data.choices: Must be 25 or fewer in length."]
    errors = schema.request_errors("POST", CALLBACK, {"type": 3, "data": {}})
    assert errors and errors[0].path == ("type",)


def test_a_bad_response_from_the_double_is_caught(schema: OpenApiSchema) -> None:
    gateway = {
        "url": "ws://127.0.0.1/gateway",
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 1,
            "max_concurrency": 1,
        },
    }
    assert schema.response_errors("GET", "/gateway/bot", 200, gateway) == []
    broken = {**gateway, "shards": "1"}
    del broken["url"]
    lines = sorted(e.line() for e in schema.response_errors("GET", "/gateway/bot", 200, broken))
    assert lines[0] == "<body>: 'url' is required."
    assert lines[1].startswith("shards: '1' is not of type 'integer'")
    # A status Discord does not document, and a body where Discord sends none.
    assert schema.response_errors("GET", "/gateway/bot", 201, gateway)[0].code == "SCHEMA_STATUS"
    member_role = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
    assert schema.response_errors("PUT", member_role, 204, {})[0].code == "SCHEMA_BODY"
    # Error bodies are checked too (field errors keep Discord's string codes).
    error = {"code": 50035, "message": "Invalid Form Body", "errors": {"content": {"_errors": [
        {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
    ]}}}  # fmt: skip
    assert schema.response_errors("POST", MESSAGES, 400, error) == []
    assert schema.response_errors("POST", MESSAGES, 400, {"message": "x"}) != []


def test_every_route_of_the_double_has_its_operation(schema: OpenApiSchema) -> None:
    operations = served_operations()
    assert len(operations) >= 30
    assert all(schema.has_operation(method, template) for method, template in operations)


def test_the_shipped_copy_is_the_reference_cut_to_the_double_routes() -> None:
    reference_dir = next((d for d in REFERENCE_DIRS if (d / "discord-openapi.json").exists()), None)
    if reference_dir is None:
        pytest.skip("Discord's OpenAPI reference is not on this machine (only the shipped copy)")
    reference = json.loads((reference_dir / "discord-openapi.json").read_text(encoding="utf-8"))
    shipped = json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    assert shipped == trim(reference, served_operations()), (
        "regenerate: python -m discord_double.openapi_trim <reference>/discord-openapi.json"
    )
    licence = (SCHEMA_DIR / "discord-openapi.LICENSE").read_bytes()
    assert licence == (reference_dir / "discord-openapi.LICENSE").read_bytes()
