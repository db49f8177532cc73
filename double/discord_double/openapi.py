"""Discord's own OpenAPI 3.1 description as a second set of rules, on top of the hand-written ones.

Every JSON request body the bot sends (and the `payload_json` of a multipart upload) is
validated against the operation's `requestBody` schema, and every JSON body the double serves
against the schema documented for its status code (Draft 2020-12, the dialect of OpenAPI 3.1):
`jsonschema_rs` decides, `jsonschema` + `referencing` explain a failure. The double ships the
part of the description it uses (`schema/discord-openapi.json`, see `openapi_trim`).

Validators are compiled once per schema and shared by every double in the process. For the
explanations, one semantics-preserving rewrite: a union (`anyOf`/`oneOf`) of object schemas told
apart by a single-valued `type` property (message components, command options, interaction
callbacks) becomes `if type == v then <that schema>` clauses, so an error points into the
branch the sender meant rather than listing every branch.
"""

from __future__ import annotations

import copy
import functools
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "schema"
SHIPPED_SCHEMA = SCHEMA_DIR / "discord-openapi.json"
_URI = "urn:discord-openapi"
_REF_PREFIX = "#/components/schemas/"
_JSON = "application/json"
_MAX_MESSAGE = 160  # jsonschema repeats the whole instance in some messages

PathPart = str | int


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One place where a body breaks the schema, worded like Discord's form errors."""

    path: tuple[PathPart, ...]
    code: str
    message: str

    def line(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<body>"
        return f"{where}: {self.message}"


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _pointer(*segments: str) -> str:
    return "/" + "/".join(_escape(s) for s in segments)


def _type_values(schema: dict[str, Any]) -> list[Any] | None:
    """The values a branch's required `type` property may take, or None if it is not that kind."""
    if schema.get("type") not in ("object", None) or "type" not in schema.get("required", ()):
        return None
    prop = schema.get("properties", {}).get("type", {})
    if "const" in prop:
        return [prop["const"]]
    values = prop.get("enum")
    return list(values) if isinstance(values, list) and values else None


def _discriminated(
    branches: list[Any], schemas: dict[str, Any]
) -> list[tuple[list[Any], str]] | None:
    """[(type values, $ref)] when every branch is a $ref told apart by its `type`, else None."""
    found: list[tuple[list[Any], str]] = []
    for branch in branches:
        ref = branch.get("$ref") if isinstance(branch, dict) and len(branch) == 1 else None
        if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
            return None
        values = _type_values(schemas.get(ref.removeprefix(_REF_PREFIX), {}))
        if values is None:
            return None
        found.append((values, ref))
    every = [v for values, _ in found for v in values]
    return found if len(found) > 1 and len(set(every)) == len(every) else None


def _rewrite_unions(node: Any, schemas: dict[str, Any]) -> None:
    """In place: discriminated unions become if/then clauses (same accepted instances)."""
    if isinstance(node, list):
        for item in node:
            _rewrite_unions(item, schemas)
        return
    if not isinstance(node, dict):
        return
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if not isinstance(branches, list):
            continue
        found = _discriminated(branches, schemas)
        if found is None:
            continue
        del node[key]
        clauses: list[Any] = [
            {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"enum": [v for values, _ in found for v in values]}},
            }
        ]
        clauses += [
            {"if": {"properties": {"type": {"enum": values}}}, "then": {"$ref": ref}}
            for values, ref in found
        ]
        node["allOf"] = [*node.get("allOf", []), *clauses]
    for value in node.values():
        _rewrite_unions(value, schemas)


def _bounds(schema: Any, low_key: str, high_key: str) -> tuple[Any, Any]:
    if not isinstance(schema, dict):
        return None, None
    return schema.get(low_key), schema.get(high_key)


def _discord_wording(error: ValidationError) -> tuple[str, str]:
    """(code, message) for a leaf error; Discord's own wording where the keyword has one."""
    keyword = str(error.validator)
    if keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        suffix = "Length" if keyword.endswith("Length") else "Items"
        low, high = _bounds(error.schema, f"min{suffix}", f"max{suffix}")
        if low is not None and high is not None and low > 0:
            return "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
        if keyword.startswith("max"):
            return "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length."
        return "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length."
    if keyword == "maximum":
        return (
            "NUMBER_TYPE_MAX",
            f"int value should be less than or equal to {error.validator_value}.",
        )
    if keyword == "minimum":
        return (
            "NUMBER_TYPE_MIN",
            f"int value should be greater than or equal to {error.validator_value}.",
        )
    if keyword == "required":
        return "BASE_TYPE_REQUIRED", error.message.split(" is a required")[0] + " is required."
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return f"SCHEMA_{keyword.upper()}", f"{message} (OpenAPI {keyword})"


def _branch_score(errors: list[ValidationError]) -> tuple[bool, bool, int, int]:
    """Lower is likelier the branch the sender meant: no discriminator or root type clash,
    then the fewest errors, then the one whose errors lie deepest."""
    clash = any(
        e.validator in ("enum", "const") and list(e.relative_path) == ["type"] for e in errors
    )
    wrong_type = any(e.validator == "type" and not e.relative_path for e in errors)
    depth = max((len(e.relative_path) for e in errors), default=0)
    return clash, wrong_type, len(errors), -depth


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that explain `error`: for a failed union, those of the likeliest branch."""
    if not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0] if sub.relative_schema_path else None].append(sub)
    if all(
        len(errors) == 1 and errors[0].validator == "type" and not errors[0].relative_path
        for errors in branches.values()
    ):
        # No branch takes this kind of value at all: one error naming every allowed type.
        allowed = [str(errors[0].validator_value) for errors in branches.values()]
        error.message = f"{error.instance!r} is not of type {' or '.join(allowed)}"
        error.validator = "type"
        yield error
        return
    best = min(branches.values(), key=_branch_score)
    for sub in best:
        yield from _leaves(sub)


def _schema_errors(validator: Draft202012Validator, instance: Any) -> list[SchemaError]:
    found: dict[tuple[tuple[PathPart, ...], str], SchemaError] = {}
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            path = tuple(leaf.absolute_path)
            code, message = _discord_wording(leaf)
            found.setdefault((path, message), SchemaError(path, code, message))
    return list(found.values())


# Where the description disagrees with what Discord sends and discord.py reads, the double
# follows Discord and says so here. Field errors carry string codes ("BASE_TYPE_MAX_LENGTH",
# see reference.mdx "Error Messages"); the description types every error code as an integer.
_FIELD_ERROR = {
    "type": "object",
    "properties": {"code": {"type": ["string", "integer"]}, "message": {"type": "string"}},
    "required": ["code", "message"],
}


def _apply_errata(document: dict[str, Any], *, requests: bool) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    inner = schemas.get("InnerErrors")
    if inner is not None:
        inner["properties"]["_errors"]["items"] = _FIELD_ERROR
    if requests and "SnowflakeType" in schemas:
        # Discord reads a snowflake sent as a JSON integer as well (discord.py sends
        # allowed_mentions ids that way); what the double serves must still be strings.
        schemas["SnowflakeType"] = {
            "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
        }
    role_request = schemas.get("CreateRoleRequest")
    if requests and role_request is not None and "permissions" in role_request["properties"]:
        # Discord documents a role's permissions as a string of digits (resources/guild.mdx
        # "Create Guild Role": "permissions: string"), which is what discord.py sends; the
        # description only types the integer form.
        role_request["properties"]["permissions"] = {
            "anyOf": [
                role_request["properties"]["permissions"],
                {"type": "string", "pattern": "^[0-9]{1,20}$"},
            ]
        }


class _Prepared:
    """One copy of the document (requests or responses) and its compiled validators.

    `jsonschema_rs` (compiled, Draft 2020-12) decides pass or fail on the document as Discord
    wrote it, in microseconds; only a failing body goes through `jsonschema` again, on the
    union-rewritten copy, for errors that point at the field and the branch that was meant.
    """

    def __init__(self, document: dict[str, Any], *, requests: bool) -> None:
        self.document = copy.deepcopy(document)
        _apply_errata(self.document, requests=requests)
        self._explained = copy.deepcopy(self.document)
        schemas = self._explained.get("components", {}).get("schemas", {})
        _rewrite_unions(self._explained, schemas)
        resource = Resource.from_contents(self._explained, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self._deciders: dict[str, jsonschema_rs.Draft202012Validator] = {}
        self._explainers: dict[str, Draft202012Validator] = {}

    def errors(self, pointer: str, instance: Any) -> list[SchemaError]:
        decider = self._deciders.get(pointer)
        if decider is None:
            # The whole document rides along so that its "#/components/..." refs resolve.
            root = {"$ref": "#" + quote(pointer, safe="/~"), **self.document}
            decider = jsonschema_rs.Draft202012Validator(root)
            self._deciders[pointer] = decider
        if decider.is_valid(instance):
            return []
        explainer = self._explainers.get(pointer)
        if explainer is None:
            explainer = Draft202012Validator(
                {"$ref": _URI + "#" + pointer}, registry=self._registry
            )
            self._explainers[pointer] = explainer
        found = _schema_errors(explainer, instance)
        if found:
            return found
        first = next(iter(decider.iter_errors(instance)))  # the two engines disagree: say so
        where = tuple(first.instance_path)
        return [SchemaError(where, "SCHEMA", f"{first.message[:_MAX_MESSAGE]} (OpenAPI)")]


class OpenApiSchema:
    """The operations of one OpenAPI document, with a compiled validator per body schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._requests = _Prepared(document, requests=True)
        self._responses = _Prepared(document, requests=False)

    @classmethod
    @functools.cache
    def shipped(cls) -> OpenApiSchema:
        """The copy shipped with the double, loaded and prepared once per process."""
        return cls(json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8")))

    def has_operation(self, method: str, template: str) -> bool:
        return method.lower() in self.document.get("paths", {}).get(template, {})

    def request_errors(self, method: str, template: str, body: Any) -> list[SchemaError]:
        """Errors of a request body (JSON, or a multipart upload's payload_json)."""
        if body is None:
            return []
        op = method.lower()
        content = self.document["paths"][template][op].get("requestBody", {}).get("content", {})
        if content.get(_JSON, {}).get("schema") is None:
            return []  # Discord ignores a body where it expects none
        pointer = _pointer("paths", template, op, "requestBody", "content", _JSON, "schema")
        return self._requests.errors(pointer, body)

    def response_errors(
        self, method: str, template: str, status: int, body: Any
    ) -> list[SchemaError]:
        """Errors of a response the double serves; an undocumented status is one too."""
        op = method.lower()
        responses = self.document["paths"][template][op]["responses"]
        key = str(status) if str(status) in responses else f"{status // 100}XX"
        response = responses.get(key)
        if response is None:
            return [SchemaError((), "SCHEMA_STATUS", f"status {status} is not documented")]
        base: tuple[str, ...] = ("paths", template, op, "responses", key)
        ref = response.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            response = self.document["components"]["responses"][name]
            base = ("components", "responses", name)
        schema = response.get("content", {}).get(_JSON, {}).get("schema")
        if schema is None:
            if body is None:
                return []
            return [SchemaError((), "SCHEMA_BODY", f"status {status} has no body in the schema")]
        if body is None:
            return [SchemaError((), "SCHEMA_BODY", f"status {status} needs a JSON body")]
        return self._responses.errors(_pointer(*base, "content", _JSON, "schema"), body)
