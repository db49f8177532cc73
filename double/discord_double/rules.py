"""Discord's documented payload limits for messages, embeds, components, modals and choices.

Each validator adds to an `ErrorTree` using the paths and messages Discord uses in its
50035 "Invalid Form Body" answers; the caller raises if the tree is not empty.
Limits: resources/message.mdx (content, embeds, allowed_mentions), components reference,
interactions/receiving-and-responding.mdx (autocomplete, modals).
"""

from __future__ import annotations

from typing import Any

from discord_double.errors import ErrorTree, PathPart
from discord_double.locales import validate_localizations
from discord_double.models import JSON

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
NONCE_MAX = 25
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150
SELECT_OPTION_TEXT_MAX = 100
V2_COMPONENTS_MAX = 40
V2_TEXT_TOTAL_MAX = 4000
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
TEXT_INPUT_PLACEHOLDER_MAX = 100
ALLOWED_MENTIONS_IDS_MAX = 100

IS_COMPONENTS_V2 = 1 << 15
BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
AUTO_SELECTS = (5, 6, 7, 8)  # user, role, mentionable, channel
SELECTS = (STRING_SELECT, *AUTO_SELECTS)
LABEL = 18
TEXT_DISPLAY = 10
V2_TOP_LEVEL = (1, 9, 10, 12, 13, 14, 17)

Path = tuple[PathPart, ...]


def _text_len(value: Any) -> int:
    # Discord measures after trimming surrounding whitespace.
    return len(value.strip()) if isinstance(value, str) else 0


def _check_max(errors: ErrorTree, path: Path, value: Any, limit: int) -> int:
    length = _text_len(value)
    if length > limit:
        errors.max_length(path, limit)
    return length


def is_empty_message(payload: JSON) -> bool:
    """True when nothing visible would be posted (Discord answers 50006)."""
    return not (
        _text_len(payload.get("content"))
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("attachments")
        or payload.get("poll")
    )


def validate_message(payload: JSON, errors: ErrorTree, base: Path = ()) -> None:
    """Limits shared by channel messages, interaction responses, follow-ups and edits."""
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        errors.add(
            (*base, "content"), "STRING_TYPE_CONVERT", "Could not interpret value as string."
        )
    else:
        _check_max(errors, (*base, "content"), content, CONTENT_MAX)

    nonce = payload.get("nonce")
    if nonce is not None and len(str(nonce)) > NONCE_MAX:
        errors.max_length((*base, "nonce"), NONCE_MAX)

    embeds = payload.get("embeds")
    if embeds:
        validate_embeds(embeds, errors, (*base, "embeds"))

    flags = int(payload.get("flags") or 0)
    components = payload.get("components")
    if components:
        validate_components(
            components, errors, (*base, "components"), v2=bool(flags & IS_COMPONENTS_V2)
        )
    if flags & IS_COMPONENTS_V2 and (_text_len(content) or embeds):
        errors.add(
            (*base, "content") if _text_len(content) else (*base, "embeds"),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used "
            "when using MessageFlags.IS_COMPONENTS_V2",
        )

    mentions = payload.get("allowed_mentions")
    if mentions is not None:
        validate_allowed_mentions(mentions, errors, (*base, "allowed_mentions"))


def validate_embeds(embeds: Any, errors: ErrorTree, path: Path) -> None:
    if not isinstance(embeds, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    if len(embeds) > EMBEDS_MAX:
        errors.max_length(path, EMBEDS_MAX)
    total = 0
    for index, embed in enumerate(embeds):
        total += _validate_embed(embed, errors, (*path, index))
    if total > EMBED_TOTAL_MAX:
        errors.add(path, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _validate_embed(embed: JSON, errors: ErrorTree, path: Path) -> int:
    """Validate one embed and return its character count toward the 6000 total."""
    size = _check_max(errors, (*path, "title"), embed.get("title"), EMBED_TITLE_MAX)
    size += _check_max(
        errors, (*path, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX
    )
    footer = embed.get("footer") or {}
    size += _check_max(errors, (*path, "footer", "text"), footer.get("text"), EMBED_FOOTER_MAX)
    author = embed.get("author") or {}
    size += _check_max(errors, (*path, "author", "name"), author.get("name"), EMBED_AUTHOR_MAX)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        errors.max_length((*path, "fields"), EMBED_FIELDS_MAX)
    for index, fld in enumerate(fields):
        fpath = (*path, "fields", index)
        for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
            if not _text_len(fld.get(key)):
                errors.add((*fpath, key), "BASE_TYPE_REQUIRED", "This field is required")
            size += _check_max(errors, (*fpath, key), fld.get(key), limit)
    color = embed.get("color")
    if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
        errors.add((*path, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
    return size


def validate_components(components: Any, errors: ErrorTree, path: Path, *, v2: bool) -> None:
    if not isinstance(components, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    seen_ids: set[str] = set()
    if v2:
        counter = _V2Counter()
        for index, comp in enumerate(components):
            if comp.get("type") not in V2_TOP_LEVEL:
                errors.add(
                    (*path, index, "type"), "COMPONENT_TYPE_INVALID", "Invalid component type"
                )
            _validate_any_component(comp, errors, (*path, index), seen_ids, counter)
        if counter.count > V2_COMPONENTS_MAX:
            errors.add(
                path,
                "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
                f"Maximum number of components exceeded ({V2_COMPONENTS_MAX}).",
            )
        if counter.text > V2_TEXT_TOTAL_MAX:
            errors.add(path, "MAX_TEXT_SIZE_EXCEEDED", "Text size exceeds maximum of 4000")
        return
    if len(components) > ACTION_ROWS_MAX:
        errors.max_length(path, ACTION_ROWS_MAX)
    for index, row in enumerate(components):
        rpath = (*path, index)
        if row.get("type") != 1:
            errors.add((*rpath, "type"), "COMPONENT_TYPE_INVALID", "Invalid component type")
            continue
        _validate_row(row, errors, rpath, seen_ids, None)


class _V2Counter:
    def __init__(self) -> None:
        self.count = 0
        self.text = 0


def _validate_row(
    row: JSON, errors: ErrorTree, path: Path, seen_ids: set[str], counter: _V2Counter | None
) -> None:
    children = row.get("components") or []
    kinds = {c.get("type") for c in children}
    if not children:
        errors.bad_length((*path, "components"), 1, ROW_BUTTONS_MAX)
    if kinds & set(SELECTS) and len(children) > 1:
        errors.add(
            (*path, "components"),
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
            "The specified component exceeds the maximum width",
        )
    elif len(children) > ROW_BUTTONS_MAX:
        errors.max_length((*path, "components"), ROW_BUTTONS_MAX)
    for index, child in enumerate(children):
        if child.get("type") not in (BUTTON, *SELECTS, TEXT_INPUT):
            errors.add(
                (*path, "components", index, "type"),
                "COMPONENT_TYPE_INVALID",
                "Invalid component type",
            )
        _validate_any_component(child, errors, (*path, "components", index), seen_ids, counter)


def _validate_any_component(
    comp: JSON, errors: ErrorTree, path: Path, seen_ids: set[str], counter: _V2Counter | None
) -> None:
    if counter is not None:
        counter.count += 1
    kind = comp.get("type")
    custom_id = comp.get("custom_id")
    if custom_id is not None:
        if not 1 <= len(str(custom_id)) <= CUSTOM_ID_MAX:
            errors.bad_length((*path, "custom_id"), 1, CUSTOM_ID_MAX)
        if custom_id in seen_ids:
            errors.add(
                (*path, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen_ids.add(custom_id)
    if kind == 1:
        _validate_row(comp, errors, path, seen_ids, counter)
    elif kind == BUTTON:
        _validate_button(comp, errors, path)
    elif kind in SELECTS:
        _validate_select(comp, errors, path)
    elif kind == TEXT_DISPLAY and counter is not None:
        counter.text += _text_len(comp.get("content"))
    if kind != 1:  # rows validated their children above; containers and sections here
        for index, child in enumerate(comp.get("components") or []):
            _validate_any_component(child, errors, (*path, "components", index), seen_ids, counter)
    if isinstance(comp.get("accessory"), dict):
        _validate_any_component(comp["accessory"], errors, (*path, "accessory"), seen_ids, counter)


def _validate_button(button: JSON, errors: ErrorTree, path: Path) -> None:
    _check_max(errors, (*path, "label"), button.get("label"), BUTTON_LABEL_MAX)
    style = button.get("style")
    if style == 5:
        if not button.get("url"):
            errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
    elif style in (1, 2, 3, 4):
        if button.get("custom_id") is None:
            errors.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    elif style != 6:
        errors.add(
            (*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}."
        )


def _validate_select(select: JSON, errors: ErrorTree, path: Path) -> None:
    if select.get("custom_id") is None:
        errors.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    _check_max(errors, (*path, "placeholder"), select.get("placeholder"), SELECT_PLACEHOLDER_MAX)
    min_values = select.get("min_values", 1)
    max_values = select.get("max_values", 1)
    if not 0 <= min_values <= SELECT_OPTIONS_MAX:
        errors.add((*path, "min_values"), "NUMBER_TYPE_MAX", "int value should be <= 25.")
    if not 1 <= max_values <= SELECT_OPTIONS_MAX:
        errors.add((*path, "max_values"), "NUMBER_TYPE_MAX", "int value should be <= 25.")
    if select.get("type") != STRING_SELECT:
        return
    options = select.get("options") or []
    if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
        errors.bad_length((*path, "options"), 1, SELECT_OPTIONS_MAX)
    if max_values > max(len(options), 1):
        errors.add(
            (*path, "max_values"),
            "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH",
            "max_values must be less than or equal to the number of options",
        )
    values: set[str] = set()
    for index, option in enumerate(options):
        opath = (*path, "options", index)
        for key in ("label", "value"):
            text = option.get(key)
            if not isinstance(text, str) or not 1 <= len(text) <= SELECT_OPTION_TEXT_MAX:
                errors.bad_length((*opath, key), 1, SELECT_OPTION_TEXT_MAX)
        _check_max(errors, (*opath, "description"), option.get("description"), 100)
        if option.get("value") in values:
            errors.add(
                (*opath, "value"),
                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                "Select component option values must be unique",
            )
        values.add(option.get("value"))


def validate_allowed_mentions(mentions: Any, errors: ErrorTree, path: Path) -> None:
    if not isinstance(mentions, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    parse = mentions.get("parse", [])
    for index, item in enumerate(parse):
        if item not in ("users", "roles", "everyone"):
            errors.add(
                (*path, "parse", index),
                "BASE_TYPE_CHOICES",
                "Value must be one of ('roles', 'users', 'everyone').",
            )
    for kind in ("users", "roles"):
        ids = mentions.get(kind) or []
        if len(ids) > ALLOWED_MENTIONS_IDS_MAX:
            errors.max_length((*path, kind), ALLOWED_MENTIONS_IDS_MAX)
        if ids and kind in parse:
            errors.add(
                path,
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def validate_choices(choices: Any, option_type: int, errors: ErrorTree, path: Path) -> None:
    """Autocomplete results (callback type 8): ≤ 25 choices, name 1–100, value ≤ 100."""
    if not isinstance(choices, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    if len(choices) > CHOICES_MAX:
        errors.max_length(path, CHOICES_MAX)
    for index, choice in enumerate(choices):
        cpath = (*path, index)
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            errors.bad_length((*cpath, "name"), 1, CHOICE_NAME_MAX)
        validate_choice_value(choice.get("value"), option_type, errors, (*cpath, "value"))
        validate_localizations(
            choice.get("name_localizations"), errors, (*cpath, "name_localizations"), 1, 100
        )


def validate_choice_value(value: Any, option_type: int, errors: ErrorTree, path: Path) -> None:
    if option_type == 3:
        if not isinstance(value, str):
            errors.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        elif len(value) > CHOICE_VALUE_MAX:
            errors.max_length(path, CHOICE_VALUE_MAX)
    elif option_type == 4:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        elif not -(2**53) <= value <= 2**53:
            errors.add(path, "NUMBER_TYPE_MAX", "int value should be <= 9007199254740992.")
    elif option_type == 10 and (isinstance(value, bool) or not isinstance(value, int | float)):
        errors.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not a number.')


def validate_modal(data: Any, errors: ErrorTree, path: Path) -> None:
    """A modal (callback type 9): title ≤ 45, 1–5 top-level components, text inputs' limits."""
    if not isinstance(data, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        errors.bad_length((*path, "custom_id"), 1, CUSTOM_ID_MAX)
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= MODAL_TITLE_MAX:
        errors.bad_length((*path, "title"), 1, MODAL_TITLE_MAX)
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        errors.bad_length((*path, "components"), 1, MODAL_COMPONENTS_MAX)
    seen: set[str] = set()
    for index, top in enumerate(components):
        tpath = (*path, "components", index)
        inner: list[tuple[JSON, Path]] = []
        if top.get("type") == 1:
            inner = [
                (c, (*tpath, "components", i)) for i, c in enumerate(top.get("components", []))
            ]
        elif top.get("type") == LABEL:
            _check_max(errors, (*tpath, "label"), top.get("label"), TEXT_INPUT_LABEL_MAX)
            _check_max(errors, (*tpath, "description"), top.get("description"), 100)
            inner = [(top.get("component") or {}, (*tpath, "component"))]
        elif top.get("type") != TEXT_DISPLAY:
            errors.add((*tpath, "type"), "COMPONENT_TYPE_INVALID", "Invalid component type")
        for comp, cpath in inner:
            _validate_modal_field(comp, errors, cpath, seen)


def _validate_modal_field(comp: JSON, errors: ErrorTree, path: Path, seen: set[str]) -> None:
    custom_id = comp.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        errors.bad_length((*path, "custom_id"), 1, CUSTOM_ID_MAX)
    elif custom_id in seen:
        errors.add(
            (*path, "custom_id"),
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )
    else:
        seen.add(custom_id)
    if comp.get("type") == TEXT_INPUT:
        _check_max(errors, (*path, "label"), comp.get("label"), TEXT_INPUT_LABEL_MAX)
        _check_max(errors, (*path, "value"), comp.get("value"), TEXT_INPUT_VALUE_MAX)
        _check_max(
            errors, (*path, "placeholder"), comp.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX
        )
        low, high = comp.get("min_length"), comp.get("max_length")
        if low is not None and not 0 <= low <= TEXT_INPUT_VALUE_MAX:
            errors.add((*path, "min_length"), "NUMBER_TYPE_MAX", "int value should be <= 4000.")
        if high is not None and not 1 <= high <= TEXT_INPUT_VALUE_MAX:
            errors.add((*path, "max_length"), "NUMBER_TYPE_MAX", "int value should be <= 4000.")
    elif comp.get("type") in SELECTS:
        _validate_select(comp, errors, path)
    else:
        errors.add((*path, "type"), "COMPONENT_TYPE_INVALID", "Invalid component type")
