"""One console line → what to show: slash commands, button numbers, `:` meta-commands.

The same interpreter serves the interactive prompt and piped stdin, so scripts and tests
exercise exactly what a person at the prompt does.
"""

from __future__ import annotations

import logging
import re

from discord_double.locales import DISCORD_LOCALES

from bot.console.answer import Form, Notice, Outcome, Quit
from bot.console.parse import (
    STRING,
    ParseError,
    parse_command,
    shown_description,
    shown_name,
)
from bot.console.session import PERSONAS, ConsoleError, ConsoleSession

log = logging.getLogger(__name__)

LOCALE_ALIASES = {"en": "en-US", "ko": "ko", "ko-kr": "ko", "kr": "ko", "kor": "ko"}
META_COMMANDS: dict[str, str] = {
    ":help": "this help",
    ":quit": "leave the console (also Ctrl-D)",
    ":locale": "ko | en: the language your Discord client uses",
    ":as": "fan | admin | maintainer: who you are in the server",
    ":submit": "field:value …: fill in the form the bot opened (\\n starts a new line)",
}
_PRESS = re.compile(r"^(\d+)(?:\s+(.+))?$")


def normalize_locale(text: str) -> str:
    """ "ko", "en", or any Discord locale code ("en-GB", "ja") → Discord's spelling."""
    wanted = text.strip()
    alias = LOCALE_ALIASES.get(wanted.lower())
    if alias is not None:
        return alias
    for locale in DISCORD_LOCALES:
        if locale.lower() == wanted.lower():
            return locale
    raise ConsoleError(f"unknown locale {text!r}; try ko or en (or a Discord locale like en-GB)")


def unescape_lines(value: str) -> str:
    """A typed `\\n` is a line break in a form's field (a pipe has one line per command)."""
    return value.replace("\\n", "\n")


def _form_schema(form: Form) -> dict[str, object]:
    """The open form as if it were a command, so `:submit` parses like one."""
    options = [
        {
            "type": STRING,
            "name": field.key,
            "description": field.label,
            "required": field.required,
            **(
                {"choices": [{"name": c, "value": c} for c in field.choices]}
                if field.choices
                else {}
            ),
        }
        for field in form.fields
    ]
    return {"type": 1, "name": "submit", "description": form.title, "options": options}


class Interpreter:
    def __init__(self, session: ConsoleSession) -> None:
        self.session = session

    async def handle(self, line: str) -> Outcome | None:
        """Run one line; None for blank lines and `#` comments."""
        text = line.strip()
        if not text or text.startswith("#"):
            return None
        try:
            if text.startswith("/"):
                session = self.session
                hidden = session.hidden_command_note(text[1:].split(" ", 1)[0])
                if hidden is not None:
                    return Notice(hidden, error=True)
                command = parse_command(text, session.command_schemas(), session.locale)
                return await session.run(command)
            if text.startswith(":"):
                return await self._meta(text)
            press = _PRESS.match(text)
            if press:
                values = [v.strip() for v in (press.group(2) or "").split(",") if v.strip()]
                return await self.session.press(int(press.group(1)), values)
        except (ParseError, ConsoleError) as exc:
            return Notice(str(exc), error=True)
        except Exception as exc:
            # A console bug must not end the session the user has built up; it is logged.
            log.exception("console error while running %r", text)
            return Notice(f"the console failed on this line ({exc!r}); see the log", error=True)
        return Notice(
            "type a slash command like /cast name:Baek, a number to press a button, or :help",
            error=True,
        )

    async def _meta(self, text: str) -> Outcome:
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        if word in (":quit", ":q", ":exit"):
            return Quit()
        if word in (":help", ":h", ":?"):
            return Notice(self.help_text())
        if word == ":locale":
            if not rest:
                return Notice(f"your locale is {self.session.locale}")
            self.session.locale = normalize_locale(rest)
            return Notice(f"your Discord client now uses {self.session.locale}")
        if word == ":as":
            if rest not in PERSONAS:
                raise ConsoleError(f"choose who you are: {' | '.join(PERSONAS)}")
            self.session.persona = rest
            return Notice(f"you are now @{rest} ({_persona_note(rest)})")
        if word == ":submit":
            form = self.session.open_form
            if form is None:
                raise ConsoleError("no form is open (a button or command opens one)")
            parsed = parse_command(f"/submit {rest}", [_form_schema(form)], "en-US")
            keys = {field.key: field.custom_id for field in form.fields}
            values = {keys[key]: unescape_lines(str(v)) for key, v in parsed.options.items()}
            return await self.session.submit(values)
        raise ConsoleError(f"unknown console command {word}; try :help")

    async def submit(self, values: dict[str, str]) -> Outcome:
        """Send a filled-in form (from the interactive prompt's field-by-field questions)."""
        try:
            return await self.session.submit(values)
        except ConsoleError as exc:
            return Notice(str(exc), error=True)

    def help_text(self) -> str:
        session = self.session
        lines = [
            f"You are @{session.persona} in #{session.channel.name} of "
            f"“{session.guild.name}”, Discord language {session.locale}.",
            "",
            "Bot commands (Tab completes names, options and the bot's own suggestions):",
        ]
        for schema in sorted(session.command_schemas(), key=lambda s: str(s["name"])):
            name = shown_name(schema, session.locale)
            lines.append(f"  /{name}  {shown_description(schema, session.locale)}")
        lines += [
            "",
            "  /cast name:Yang Jae-won     options as name:value; values may have spaces",
            "  N  /  N value               press button N / choose value in menu N",
            "",
            "Console commands:",
        ]
        lines += [
            f"  {name:<8} {what}"
            for name, what in META_COMMANDS.items()
            if name != ":submit" or session.open_form is not None
        ]
        return "\n".join(lines)


def _persona_note(persona: str) -> str:
    return {
        "fan": "a member without special permissions",
        "admin": "has Manage Server: can use /setup",
        "maintainer": "a maintainer of the bot, in the newsroom server: can use /production",
    }[persona]
