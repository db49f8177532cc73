"""Show what the bot answered: rich panels in a terminal, plain text in a pipe.

Embeds become titled panels (colour, fields, footer, links); buttons and select menus are
listed with the number that presses them; ephemeral messages are marked "(only you can see
this)"; a form the bot opened is listed with the `:submit` line that fills it in. Both
renderers walk the same `AnswerView`, so piped output (used by tests) shows what the
terminal shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from bot.console.answer import (
    BUTTON,
    LINK_STYLES,
    SELECT_TYPES,
    AnswerView,
    Form,
    Notice,
    Outcome,
    Quit,
    Shown,
)
from bot.console.markdown import Markup

JSON = dict[str, Any]

EPHEMERAL_NOTE = "(only you can see this)"
# What Discord's own client writes around messages, in the user's language.
CLIENT_TEXT: dict[str, dict[str, str]] = {
    "en": {"ephemeral": EPHEMERAL_NOTE, "edited": "(edited)", "disabled": "(disabled)"},
    "ko": {"ephemeral": "(회원님만 볼 수 있어요)", "edited": "(수정됨)", "disabled": "(비활성)"},
}


def client_text(locale: str, key: str) -> str:
    return CLIENT_TEXT.get(locale.split("-")[0], CLIENT_TEXT["en"])[key]


ROW, SECTION, TEXT_DISPLAY, THUMBNAIL, GALLERY, FILE, SEPARATOR, CONTAINER = (
    1, 9, 10, 11, 12, 13, 14, 17,
)  # fmt: skip
BUTTON_COLOURS = {1: "blue", 2: "white", 3: "green", 4: "red"}
SELECT_KINDS = {3: "choose", 5: "user", 6: "role", 7: "channel", 8: "user or role"}
INLINE_PER_ROW = 3


def _footer_text(embed: JSON) -> str:
    footer = str((embed.get("footer") or {}).get("text") or "")
    stamp = embed.get("timestamp")
    if stamp:
        with_time = dt.datetime.fromisoformat(str(stamp)).astimezone().strftime("%d %B %Y %H:%M")
        footer = f"{footer} · {with_time}" if footer else with_time
    return footer


def _select_options(component: JSON) -> list[tuple[str, str, str]]:
    return [
        (str(o.get("value")), str(o.get("label", "")), str(o.get("description") or ""))
        for o in component.get("options", [])
    ]


def _button_label(component: JSON) -> str:
    emoji = (component.get("emoji") or {}).get("name")
    return " ".join(p for p in (emoji, component.get("label")) if p) or "(no label)"


def form_hint(form: Form) -> str:
    example = " ".join(f"{f.key}:…" for f in form.fields if f.required) or "…"
    return f"fill it in with  :submit {example}  (\\n starts a new line)"


def _field_note(required: bool, multiline: bool, choices: Sequence[str]) -> str:
    notes = ["required" if required else "optional"]
    if multiline:
        notes.append("several lines")
    if choices:
        notes.append("one of: " + ", ".join(choices))
    return ", ".join(notes)


# -- plain text --------------------------------------------------------------------------


def render_plain(outcome: Outcome) -> str:
    if isinstance(outcome, Quit):
        return ""
    if isinstance(outcome, Notice):
        return f"error: {outcome.text}" if outcome.error else outcome.text
    blocks = [_plain_message(item, outcome) for item in outcome.shown]
    if outcome.form is not None:
        blocks.append(_plain_form(outcome.form))
    if outcome.problem:
        blocks.append(f"! {outcome.problem}")
    if not blocks:
        blocks.append("(the bot answered without a message)")
    return "\n\n".join(blocks)


def _plain_message(item: Shown, view: AnswerView) -> str:
    message = item.message
    markup = view.markup
    lines: list[str] = []
    if item.note:
        lines.append(f"[{item.note}]")
    if message.deleted:
        return "\n".join(lines)
    if message.ephemeral:
        lines.append(client_text(view.locale, "ephemeral"))
    if message.content:
        lines.append(markup.plain(message.content))
    for embed in message.embeds:
        lines.extend(_plain_embed(embed, markup))
    lines.extend(_plain_components(message.components, message.id, view))
    return "\n".join(lines)


def _plain_embed(embed: JSON, markup: Markup) -> Iterator[str]:
    author = (embed.get("author") or {}).get("name")
    if author:
        yield str(author)
    if embed.get("title"):
        yield f"== {markup.plain(str(embed['title']))} =="
    if embed.get("url"):
        yield str(embed["url"])
    if embed.get("description"):
        yield markup.plain(str(embed["description"]))
    for field in embed.get("fields", []):
        name = markup.plain(str(field.get("name", "")))
        value = markup.plain(str(field.get("value", "")))
        if "\n" in value:
            yield f"{name}:"
            yield from (f"  {line}" for line in value.split("\n"))
        else:
            yield f"{name}: {value}"
    for key in ("image", "thumbnail"):
        url = (embed.get(key) or {}).get("url")
        if url:
            yield f"{key}: {url}"
    footer = _footer_text(embed)
    if footer:
        yield f"-- {footer}"


def _plain_components(components: Sequence[JSON], message_id: int, view: AnswerView) -> list[str]:
    lines: list[str] = []
    for component in components:
        kind = component.get("type")
        if kind == ROW:
            lines.extend(_plain_row(component.get("components", []), message_id, view))
        elif kind == TEXT_DISPLAY:
            lines.append(view.markup.plain(str(component.get("content", ""))))
        elif kind == SECTION:
            lines.extend(_plain_components(component.get("components", []), message_id, view))
            accessory = component.get("accessory")
            if accessory:
                lines.extend(_plain_row([accessory], message_id, view))
        elif kind == CONTAINER:
            inner = _plain_components(component.get("components", []), message_id, view)
            lines.extend(f"| {line}" for line in inner)
        elif kind == SEPARATOR:
            lines.append("---")
        elif kind in (GALLERY, FILE, THUMBNAIL):
            lines.extend(f"media: {url}" for url in _media_urls(component))
    return lines


def _media_urls(component: JSON) -> list[str]:
    items = component.get("items") or [component]
    urls = [((i.get("media") or i.get("file") or {}).get("url")) for i in items]
    return [str(u) for u in urls if u]


def _plain_row(components: Sequence[JSON], message_id: int, view: AnswerView) -> list[str]:
    buttons: list[str] = []
    lines: list[str] = []
    for component in components:
        number = view.number_of(message_id, str(component.get("custom_id", "")))
        kind = component.get("type")
        if kind == BUTTON and component.get("style") in LINK_STYLES:
            buttons.append(f"[link] {_button_label(component)}: {component.get('url', '')}")
        elif kind == BUTTON:
            mark = f"[{number}]" if number is not None else "[-]"
            off = client_text(view.locale, "disabled")
            disabled = f" {off}" if component.get("disabled") else ""
            buttons.append(f"{mark} {_button_label(component)}{disabled}")
        elif kind in SELECT_TYPES:
            mark = f"[{number}]" if number is not None else "[-]"
            placeholder = component.get("placeholder") or SELECT_KINDS.get(int(kind), "choose")
            lines.append(f"{mark} {placeholder} (menu: type {number or 'N'} <value>)")
            for value, label, description in _select_options(component):
                extra = f" - {description}" if description else ""
                lines.append(f"    {value}: {label}{extra}")
    if buttons:
        lines.insert(0, "   ".join(buttons))
    return lines


def _plain_form(form: Form) -> str:
    lines = [f"The bot opened a form: {form.title}"]
    for field in form.fields:
        note = _field_note(field.required, field.multiline, field.choices)
        lines.append(f"  {field.key}: {field.label} ({note})")
    lines.append(form_hint(form))
    return "\n".join(lines)


# -- rich --------------------------------------------------------------------------------


def render_rich(outcome: Outcome) -> RenderableType:
    if isinstance(outcome, Quit):
        return Text("")
    if isinstance(outcome, Notice):
        style = Style(color="red") if outcome.error else Style(color="bright_black")
        return Text(outcome.text, style)
    parts: list[RenderableType] = [_rich_message(item, outcome) for item in outcome.shown]
    if outcome.form is not None:
        parts.append(_rich_form(outcome.form))
    if outcome.problem:
        parts.append(Text(f"! {outcome.problem}", Style(color="yellow", bold=True)))
    if not parts:
        parts.append(Text("(the bot answered without a message)", Style(dim=True)))
    return Group(*parts)


def _rich_message(item: Shown, view: AnswerView) -> RenderableType:
    message = item.message
    parts: list[RenderableType] = []
    header = Text()
    if item.note:
        header.append(f"{item.note} ", Style(color="bright_black"))
    if message.ephemeral and not message.deleted:
        header.append(
            client_text(view.locale, "ephemeral"), Style(color="bright_black", italic=True)
        )
    if header.plain:
        parts.append(header)
    if message.deleted:
        return Group(*parts)
    if message.content:
        parts.append(view.markup.rich(message.content))
    parts.extend(_rich_embed(embed, view.markup) for embed in message.embeds)
    parts.extend(_rich_components(message.components, message.id, view))
    return Group(*parts)


def _colour(value: Any) -> Style:
    if isinstance(value, int) and value > 0:
        return Style(color=f"#{value:06x}")
    return Style(color="bright_black")


def _rich_embed(embed: JSON, markup: Markup) -> Panel:
    body: list[RenderableType] = []
    author = (embed.get("author") or {}).get("name")
    if author:
        body.append(Text(str(author), Style(bold=True, dim=True)))
    if embed.get("description"):
        body.append(markup.rich(str(embed["description"])))
    inline: list[JSON] = []
    for field in embed.get("fields", []):
        if field.get("inline"):
            inline.append(field)
            if len(inline) == INLINE_PER_ROW:
                body.append(_inline_fields(inline, markup))
                inline = []
            continue
        if inline:
            body.append(_inline_fields(inline, markup))
            inline = []
        body.append(_field_block(field, markup))
    if inline:
        body.append(_inline_fields(inline, markup))
    for key in ("image", "thumbnail"):
        url = (embed.get(key) or {}).get("url")
        if url:
            body.append(Text(f"{key}: {url}", Style(dim=True, link=str(url))))
    footer = _footer_text(embed)
    if footer:
        body.append(Text(footer, Style(dim=True)))
    title = None
    if embed.get("title"):
        link = Style(link=str(embed["url"])) if embed.get("url") else Style()
        title = markup.rich(str(embed["title"]), Style(bold=True) + link)
    return Panel(
        Group(*body),
        title=title,
        title_align="left",
        border_style=_colour(embed.get("color")),
        padding=(0, 1),
    )


def _field_block(field: JSON, markup: Markup) -> RenderableType:
    name = markup.rich(str(field.get("name", "")), Style(bold=True))
    return Group(name, markup.rich(str(field.get("value", ""))))


def _inline_fields(fields: Sequence[JSON], markup: Markup) -> Table:
    grid = Table.grid(expand=True, padding=(0, 2))
    for _ in fields:
        grid.add_column(ratio=1)
    grid.add_row(*(_field_block(f, markup) for f in fields))
    return grid


def _rich_components(
    components: Sequence[JSON], message_id: int, view: AnswerView
) -> list[RenderableType]:
    parts: list[RenderableType] = []
    for component in components:
        kind = component.get("type")
        if kind == ROW:
            parts.extend(_rich_row(component.get("components", []), message_id, view))
        elif kind == TEXT_DISPLAY:
            parts.append(view.markup.rich(str(component.get("content", ""))))
        elif kind == SECTION:
            parts.extend(_rich_components(component.get("components", []), message_id, view))
            accessory = component.get("accessory")
            if accessory:
                parts.extend(_rich_row([accessory], message_id, view))
        elif kind == CONTAINER:
            inner = _rich_components(component.get("components", []), message_id, view)
            accent = component.get("accent_color")
            parts.append(Panel(Group(*inner), border_style=_colour(accent), padding=(0, 1)))
        elif kind == SEPARATOR:
            parts.append(Text("─" * 20, Style(dim=True)))
        elif kind in (GALLERY, FILE, THUMBNAIL):
            parts.extend(
                Text(f"media: {u}", Style(dim=True, link=u)) for u in _media_urls(component)
            )
    return parts


def _rich_row(
    components: Sequence[JSON], message_id: int, view: AnswerView
) -> list[RenderableType]:
    buttons = Text()
    parts: list[RenderableType] = []
    for component in components:
        number = view.number_of(message_id, str(component.get("custom_id", "")))
        kind = component.get("type")
        label = _button_label(component)
        if buttons.plain:
            buttons.append("  ")
        if kind == BUTTON and component.get("style") in LINK_STYLES:
            url = str(component.get("url", ""))
            buttons.append(f"🔗 {label} ↗", Style(color="bright_blue", underline=True, link=url))
        elif kind == BUTTON:
            colour = BUTTON_COLOURS.get(int(component.get("style", 2)), "white")
            if component.get("disabled"):
                buttons.append(f"[{number}]", Style(dim=True))
                buttons.append(f" {label} ", Style(color="bright_black", strike=True))
            else:
                buttons.append(f"[{number}]", Style(bold=True))
                buttons.append(f" {label} ", Style(color="black", bgcolor=colour))
        elif kind in SELECT_TYPES:
            placeholder = component.get("placeholder") or SELECT_KINDS.get(int(kind), "choose")
            menu = Text()
            menu.append(f"[{number if number is not None else '-'}]", Style(bold=True))
            menu.append(f" ▾ {placeholder}", Style(color="cyan"))
            menu.append(f"   type {number or 'N'} <value>", Style(dim=True))
            for value, option_label, description in _select_options(component):
                menu.append(f"\n    {value}", Style(bold=True))
                menu.append(f"  {option_label}")
                if description:
                    menu.append(f" · {description}", Style(dim=True))
            parts.append(menu)
    if buttons.plain.strip():
        parts.insert(0, buttons)
    return parts


def _rich_form(form: Form) -> Panel:
    lines = Text()
    for field in form.fields:
        if lines.plain:
            lines.append("\n")
        lines.append(field.key, Style(bold=True))
        lines.append(f"  {field.label}  ")
        note = _field_note(field.required, field.multiline, field.choices)
        lines.append(f"({note})", Style(dim=True))
    lines.append(f"\n{form_hint(form)}", Style(color="cyan"))
    return Panel(lines, title=Text(f"form: {form.title}", Style(bold=True)), title_align="left")
