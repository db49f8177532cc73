"""The interactive prompt: prompt_toolkit line editing with Tab completion, rich output.

Completion offers command, subcommand and option names from the registered schemas, and
for autocomplete options the bot's own suggestions, fetched through the Discord double as
an autocomplete interaction while the user types (as Discord's client does).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable
from html import escape

from discord_double import DoubleUsageError
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import HTML
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console
from rich.text import Text

from bot.console.answer import Form, Quit
from bot.console.complete import CompletionPlan, Suggestion, plan_completions, quote_if_needed
from bot.console.interpreter import LOCALE_ALIASES, META_COMMANDS, Interpreter
from bot.console.render import render_rich
from bot.console.session import PERSONAS, ConsoleError, ConsoleSession

log = logging.getLogger(__name__)

TOOLBAR = " Tab completes · N presses button N · :help · :quit "
FORM_TOOLBAR = " a form from the bot · Ctrl-C closes it "
FORM_MULTILINE_HINT = " (several lines: Esc then Enter to finish)"
EDIT_POLL = 0.3


def _meta_suggestions(text: str, session: ConsoleSession) -> list[Suggestion]:
    word, space, rest = text.partition(" ")
    if not space:
        return [
            Suggestion(name, len(text), name, what)
            for name, what in META_COMMANDS.items()
            if name.startswith(text)
        ]
    choices: list[str] = []
    if word == ":as":
        choices = list(PERSONAS)
    elif word == ":locale":
        choices = sorted(set(LOCALE_ALIASES) - {"kr", "kor", "ko-kr"})
    elif word == ":submit" and session.open_form is not None:
        last = rest.split(" ")[-1]
        return [
            Suggestion(f"{f.key}:", len(last), f"{f.key}:", f.label)
            for f in session.open_form.fields
            if f.key.startswith(last)
        ]
    return [Suggestion(c, len(rest), c) for c in choices if c.startswith(rest)]


def _completion(suggestion: Suggestion) -> Completion:
    return Completion(
        suggestion.text,
        start_position=-suggestion.replace,
        display=suggestion.display,
        display_meta=suggestion.meta,
    )


class ConsoleCompleter(Completer):
    def __init__(self, session: ConsoleSession) -> None:
        self.session = session

    def _plan(self, text: str) -> CompletionPlan:
        session = self.session
        if text.startswith(":"):
            return CompletionPlan(static=_meta_suggestions(text, session))
        plan = plan_completions(text, session.command_schemas(), session.locale)
        if plan.mention is not None:
            wanted = plan.mention.prefix.lower()
            for name in session.mention_candidates(plan.mention.kind):
                if name[1:].lower().startswith(wanted):
                    plan.static.append(Suggestion(name, plan.mention.replace, name))
        return plan

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """Without an event loop only the static part can be offered."""
        return [_completion(s) for s in self._plan(document.text_before_cursor).static]

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        plan = self._plan(document.text_before_cursor)
        for suggestion in plan.static:
            yield _completion(suggestion)
        request = plan.autocomplete
        if request is None:
            return
        try:
            choices = await self.session.suggestions(request)
        except (ConsoleError, DoubleUsageError):
            return  # the client shows nothing when the bot gives no choices
        except Exception:
            # Completion runs on every keystroke: a failure must never break typing.
            log.debug("autocomplete failed for %r", request, exc_info=True)
            return
        for choice in choices:
            # As in Discord's client: the box shows the choice's name, the value is sent.
            name = str(choice.get("name", ""))
            self.session.remember_choice(request.command, request.option, name, choice["value"])
            yield Completion(quote_if_needed(name), start_position=-request.replace, display=name)


def _prompt_text(session: ConsoleSession) -> HTML:
    locale = "" if session.locale == "en-US" else f" <i>{session.locale}</i>"
    return HTML(f"<b>@{session.persona}</b>{locale} in #{session.channel.name} ❯ ")


async def _watch_edits(session: ConsoleSession, console: Console) -> None:
    """Redraw a message the user saw when the bot edits it (a delivery's progress …)."""
    while True:
        await asyncio.sleep(EDIT_POLL)
        update = session.updates()
        if update is not None:
            console.print(render_rich(update))


async def fill_form(prompt: PromptSession[str], form: Form) -> dict[str, str] | None:
    """Ask for each field of the form the bot opened, as Discord's modal does; None when
    the user closes it (Ctrl-C)."""
    values: dict[str, str] = {}
    for field in form.fields:
        multiline = field.multiline and not field.choices
        hint = FORM_MULTILINE_HINT if multiline else ""
        need = "" if field.required else " (optional)"
        try:
            value = await prompt.prompt_async(
                HTML(f"<b>{escape(field.label)}</b>{need}{hint}: "),
                multiline=multiline,
                completer=None,
                bottom_toolbar=FORM_TOOLBAR,
            )
        except KeyboardInterrupt:
            return None
        if value.strip() or field.required:
            values[field.custom_id] = value
    return values


async def interactive_loop(interpreter: Interpreter, console: Console) -> None:
    session = interpreter.session
    console.print(Text(interpreter.help_text(), style="bright_black"))
    prompt: PromptSession[str] = PromptSession(
        completer=ConsoleCompleter(session),
        complete_while_typing=True,
        history=InMemoryHistory(),
        bottom_toolbar=TOOLBAR,
    )
    watcher = asyncio.create_task(_watch_edits(session, console))
    try:
        while True:
            try:
                with patch_stdout(raw=True):
                    line = await prompt.prompt_async(lambda: _prompt_text(session))
                    outcome = await interpreter.handle(line)
                    if outcome is None:
                        continue
                    if isinstance(outcome, Quit):
                        return
                    console.print(render_rich(outcome))
                    form = session.open_form
                    while form is not None:
                        values = await fill_form(prompt, form)
                        if values is None:
                            console.print(Text("form closed", style="bright_black"))
                            break
                        outcome = await interpreter.submit(values)
                        console.print(render_rich(outcome))
                        form = session.open_form
            except KeyboardInterrupt:
                continue
            except EOFError:
                return
    finally:
        watcher.cancel()
