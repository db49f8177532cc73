"""What the console prints for an answer: embeds with their fields and links, buttons with
the numbers that press them, ephemeral answers marked, forms with the line that fills them."""

from __future__ import annotations

from typing import Any

from discord_double import Message, User
from rich.console import Console

from bot.console.answer import AnswerView, Shown, form_of, number_actions
from bot.console.markdown import to_plain
from bot.console.render import EPHEMERAL_NOTE, render_plain, render_rich

BOT = User(1, "Golden Hour", bot=True)
EMBED: dict[str, Any] = {
    "title": "Yang Jae-won (양재원)",
    "url": "https://example.org/yang",
    "description": "A **fellow** who joins the trauma team.",
    "color": 0x7F8C8D,
    "fields": [
        {"name": "Billing", "value": "Main cast", "inline": True},
        {
            "name": "Sources",
            "value": "[Sports Donga](https://example.org/a)\n[OSEN](https://example.org/b)",
        },
    ],
    "footer": {"text": "Golden Hour · facts as of 22 June 2026"},
}
ROW: dict[str, Any] = {
    "type": 1,
    "components": [
        {"type": 2, "style": 2, "label": "Previous", "custom_id": "page:0", "disabled": True},
        {"type": 2, "style": 1, "label": "Next", "custom_id": "page:2"},
        {"type": 2, "style": 5, "label": "Netflix", "url": "https://netflix.com/title/1"},
    ],
}
MENU: dict[str, Any] = {
    "type": 1,
    "components": [
        {
            "type": 3,
            "custom_id": "pick",
            "placeholder": "Pick a season",
            "options": [{"label": "Season 2", "value": "2"}, {"label": "Season 3", "value": "3"}],
        }
    ],
}


def message(
    message_id: int, *, ephemeral: bool = False, components: list[dict[str, Any]] | None = None
) -> Message:
    return Message(
        message_id,
        10,
        20,
        BOT,
        content="Hi <@5>, see <#6>",
        embeds=[EMBED],
        components=components or [],
        flags=Message.EPHEMERAL if ephemeral else 0,
    )


def view_of(*shown: Shown) -> AnswerView:
    return AnswerView(shown, number_actions(shown), names={"<@5>": "@fan", "<#6>": "#general"})


def test_plain_embed_shows_title_fields_links_and_footer() -> None:
    text = render_plain(view_of(Shown(message(100))))
    assert "== Yang Jae-won (양재원) ==" in text
    assert "A fellow who joins the trauma team." in text  # markdown markers are gone
    assert "Billing: Main cast" in text
    assert "Sports Donga (https://example.org/a)" in text
    assert "-- Golden Hour · facts as of 22 June 2026" in text
    assert "Hi @fan, see #general" in text


def test_ephemeral_answers_are_marked_and_public_ones_are_not() -> None:
    assert EPHEMERAL_NOTE in render_plain(view_of(Shown(message(100, ephemeral=True))))
    assert EPHEMERAL_NOTE not in render_plain(view_of(Shown(message(100))))


def test_buttons_are_numbered_across_messages_in_reading_order() -> None:
    first = Shown(message(100, components=[ROW]))
    second = Shown(message(101, components=[MENU]), "follow-up")
    view = view_of(first, second)
    # Disabled buttons keep their number, so a number names the same button on every page.
    assert [(a.number, a.custom_id) for a in view.actions] == [
        (1, "page:0"),
        (2, "page:2"),
        (3, "pick"),
    ]
    text = render_plain(view)
    assert "[1] Previous (disabled)" in text and "[2] Next" in text
    assert "[link] Netflix: https://netflix.com/title/1" in text
    assert "[3] Pick a season" in text and "2: Season 2" in text
    assert "[follow-up]" in text


def test_rich_rendering_carries_the_same_text() -> None:
    view = view_of(Shown(message(100, ephemeral=True, components=[ROW])))
    console = Console(width=100, record=True, color_system=None)
    console.print(render_rich(view))
    shown = console.export_text()
    assert "Yang Jae-won (양재원)" in shown and "Billing" in shown and "Main cast" in shown
    assert EPHEMERAL_NOTE in shown and "[1]" in shown and "Next" in shown
    assert "Sports Donga" in shown and "facts as of 22 June 2026" in shown


def test_form_lists_fields_with_typeable_keys() -> None:
    modal = {
        "title": "Post an update",
        "custom_id": "gh:post",
        "components": [
            {"type": 1, "components": [
                {"type": 4, "custom_id": "gh:post:title", "label": "Title", "style": 1},
            ]},
            {"type": 18, "label": "Body", "component": {
                "type": 4, "custom_id": "gh:post:body", "style": 2, "required": False,
            }},
        ],
    }  # fmt: skip
    form = form_of(modal)
    assert [(f.key, f.label, f.required) for f in form.fields] == [
        ("title", "Title", True),
        ("body", "Body", False),
    ]
    text = render_plain(AnswerView((), (), form))
    assert "Post an update" in text and ":submit title:…" in text


def test_markdown_timestamps_and_subtext() -> None:
    plain = to_plain("-# as of <t:0:d>\n> quoted\n- item", {})
    lines = plain.split("\n")
    assert lines[0].startswith(("as of 1/1/70", "as of 12/31/69"))  # CLDR short date, local
    assert lines[1] == "│ quoted" and lines[2] == "• item"
