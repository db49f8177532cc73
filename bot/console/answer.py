"""What the user saw after one command or click, as the console shows it.

An `AnswerView` gathers the bot's reply (the original response, follow-ups, and any other
message the bot posted, edited or deleted in the demo server meanwhile), numbers every
usable button and select menu so the user can type `N` to press it, and carries a form
(modal) if the bot opened one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from discord_double import InteractionResult, Message

from bot.console.markdown import Markup

JSON = dict[str, Any]

BUTTON, STRING_SELECT, TEXT_INPUT, LABEL = 2, 3, 4, 18
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
LINK_STYLES = frozenset({5, 6})  # link and premium buttons send no interaction
NOT_ANSWERED = (
    "The bot did not answer within 3 seconds: Discord would show “The application did not respond”."
)
STILL_THINKING = "The bot acknowledged but is still “thinking…” (no content yet)."


@dataclass(frozen=True, slots=True)
class Shown:
    """One message, and why it is shown (None = the answer itself)."""

    message: Message
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """A button or select menu the user can use by its number."""

    number: int
    message_id: int
    custom_id: str
    component: JSON

    @property
    def is_select(self) -> bool:
        return int(self.component.get("type", 0)) in SELECT_TYPES

    @property
    def label(self) -> str:
        component = self.component
        text = component.get("label") or component.get("placeholder") or ""
        emoji = (component.get("emoji") or {}).get("name")
        return " ".join(p for p in (emoji, text) if p) or self.custom_id


@dataclass(frozen=True, slots=True)
class FormField:
    key: str  # what the user types: `:submit key:value`
    custom_id: str
    label: str
    required: bool
    multiline: bool
    choices: tuple[str, ...] = ()  # a select inside the form: its option values


@dataclass(frozen=True, slots=True)
class Form:
    """A modal the bot opened; `:submit field:value …` fills it in."""

    title: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True, slots=True)
class AnswerView:
    shown: tuple[Shown, ...]
    actions: tuple[Action, ...] = ()
    form: Form | None = None
    problem: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)  # mention token → "@name"
    locale: str = "en-US"  # the language of the user's Discord client

    @property
    def markup(self) -> Markup:
        return Markup(self.names, self.locale)

    def number_of(self, message_id: int, custom_id: str) -> int | None:
        for action in self.actions:
            if action.message_id == message_id and action.custom_id == custom_id:
                return action.number
        return None

    def action(self, number: int) -> Action | None:
        return next((a for a in self.actions if a.number == number), None)


def numbered(component: JSON) -> bool:
    """Buttons and menus that send an interaction get a number, disabled ones too, so a
    number names the same control on every page (◀ stays 1 whether or not it is enabled)."""
    kind = int(component.get("type", 0))
    if not component.get("custom_id"):
        return False
    if kind == BUTTON:
        return int(component.get("style", 1)) not in LINK_STYLES
    return kind in SELECT_TYPES


def number_actions(shown: Sequence[Shown]) -> tuple[Action, ...]:
    """Number the interactive components, message by message, in reading order."""
    actions: list[Action] = []
    for item in shown:
        if item.message.deleted:
            continue
        for component in item.message.iter_components():
            if numbered(component):
                actions.append(
                    Action(
                        len(actions) + 1, item.message.id, str(component["custom_id"]), component
                    )
                )
    return tuple(actions)


def form_of(modal: JSON) -> Form:
    found: list[tuple[JSON, str]] = []
    for top in modal.get("components", []):
        if top.get("type") == LABEL:
            inner = top.get("component") or {}
            found.append((inner, str(top.get("label") or inner.get("custom_id"))))
        else:
            found.extend(
                (inner, str(inner.get("label") or inner.get("custom_id")))
                for inner in top.get("components", [])
            )
    fields: list[FormField] = []
    for component, label in found:
        fields.append(_field(component, label, _field_key(component, [f.key for f in fields])))
    return Form(str(modal.get("title", "")), tuple(fields))


def _field_key(component: JSON, taken: Sequence[str]) -> str:
    """A short typeable name: the last word of the custom id ("gh:post:title" → "title")."""
    words = re.findall(r"[a-z][a-z0-9_-]*", str(component.get("custom_id", "")).lower())
    key = words[-1] if words else "field"
    if key in taken:
        key = f"{key}{len(taken) + 1}"
    return key


def _field(component: JSON, label: str, key: str) -> FormField:
    choices = tuple(str(o.get("value")) for o in component.get("options", []))
    return FormField(
        key=key,
        custom_id=str(component.get("custom_id")),
        label=label,
        required=bool(component.get("required", True)),
        multiline=component.get("style") == 2,
        choices=choices if component.get("type") == STRING_SELECT else (),
    )


def build_answer(
    result: InteractionResult | None,
    elsewhere: Sequence[Shown],
    names: Mapping[str, str],
    locale: str = "en-US",
) -> AnswerView:
    """The view of an interaction's outcome plus what happened elsewhere in the server."""
    shown: list[Shown] = []
    problem: str | None = None
    form: Form | None = None
    if result is not None:
        if not result.answered:
            problem = NOT_ANSWERED
        elif result.loading:
            problem = STILL_THINKING
        original = result.message
        if original is not None:
            updated = result.response_type in (6, 7)
            shown.append(Shown(original, "updated the message" if updated else None))
        shown.extend(Shown(m, "follow-up") for m in result.followups)
        if result.modal is not None:
            form = form_of(result.modal)
    answer_ids = {s.message.id for s in shown}
    shown.extend(s for s in elsewhere if s.message.id not in answer_ids)
    return AnswerView(tuple(shown), number_actions(shown), form, problem, dict(names), locale)


@dataclass(frozen=True, slots=True)
class Notice:
    """A line from the console itself (not the bot): help, confirmations, mistakes."""

    text: str
    error: bool = False


@dataclass(frozen=True, slots=True)
class Quit:
    pass


Outcome = AnswerView | Notice | Quit
