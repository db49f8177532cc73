"""Discord's message markdown, read into styled spans for the terminal.

Covers what the bot writes: backslash escapes, masked links, **bold**, *italic*, __underline__,
~~strike~~, `code`, ||spoilers||, headings, `-#` subtext, quotes, list bullets, `<t:…>` timestamps,
mentions and custom emoji. `to_text` gives a rich `Text`; `to_plain` readable plain text
with link targets spelled out (for pipes and tests).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from babel.dates import format_date, format_time, format_timedelta
from rich.style import Style
from rich.text import Text

_INLINE = re.compile(
    r"""
    \\(?P<escaped>[^\sA-Za-z0-9])
    |(?P<link>\[(?P<label>[^\]]+)\]\(<?(?P<url>[^)\s>]+)>?(?:\s+"[^"]*")?\))
    |\*\*(?P<bold>.+?)\*\*
    |__(?P<underline>.+?)__
    |~~(?P<strike>.+?)~~
    |\|\|(?P<spoiler>.+?)\|\|
    |`(?P<code>[^`]+)`
    |(?<![\w*])\*(?P<italic>[^*\s](?:[^*]*[^*\s])?)\*(?!\*)
    |(?<![\w_])_(?P<italic2>[^_\s](?:[^_]*[^_\s])?)_(?![\w_])
    |<t:(?P<unix>-?\d+)(?::(?P<tstyle>[tTdDfFR]))?>
    |(?P<mention><(?:@!?|@&|\#)\d+>)
    |<a?:(?P<emoji>\w+):\d+>
    |<(?P<bare>https?://[^>\s]+)>
    """,
    re.VERBOSE,
)
_STYLES = {
    "bold": Style(bold=True),
    "underline": Style(underline=True),
    "strike": Style(strike=True),
    "spoiler": Style(reverse=True),
    "code": Style(color="cyan"),
    "italic": Style(italic=True),
    "italic2": Style(italic=True),
}
_LINK_STYLE = Style(color="bright_blue", underline=True)


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style | None = None
    link: str | None = None


def spans(text: str, names: Mapping[str, str], locale: str = "en-US") -> list[Span]:
    """Inline markdown of one line → spans; `names` maps mention tokens to display names."""
    found: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            found.append(Span(text[position : match.start()]))
        found.extend(_span_for(match, names, locale))
        position = match.end()
    if position < len(text):
        found.append(Span(text[position:]))
    return found


def _span_for(match: re.Match[str], names: Mapping[str, str], locale: str) -> list[Span]:
    if match.group("escaped") is not None:
        # Discord shows `\~` as `~`: the backslash only stops the markup.
        return [Span(match.group("escaped"))]
    if match.group("link"):
        url = match.group("url")
        return [
            Span(s.text, _combine(s.style, _LINK_STYLE), url)
            for s in spans(match.group("label"), names, locale)
        ]
    for group, style in _STYLES.items():
        inner = match.group(group)
        if inner is not None:
            if group == "code":
                return [Span(inner, style)]
            return [
                Span(s.text, _combine(style, s.style), s.link) for s in spans(inner, names, locale)
            ]
    if match.group("unix") is not None:
        when = format_timestamp(
            int(match.group("unix")), match.group("tstyle") or "f", locale=locale
        )
        return [Span(when, Style(color="magenta"))]
    if match.group("mention"):
        token = match.group("mention").replace("<@!", "<@")
        return [Span(names.get(token, token), Style(color="blue", bold=True))]
    if match.group("emoji"):
        return [Span(f":{match.group('emoji')}:")]
    return [Span(match.group("bare"), _LINK_STYLE, match.group("bare"))]


def _combine(outer: Style | None, inner: Style | None) -> Style | None:
    if outer is None:
        return inner
    return outer if inner is None else outer + inner


def babel_locale(locale: str) -> str:
    """Discord's locale code ("en-US", "ko") → Babel's ("en_US", "ko")."""
    return locale.replace("-", "_")


def format_timestamp(
    unix: int, style: str, now: dt.datetime | None = None, locale: str = "en-US"
) -> str:
    """Render `<t:unix:style>` in the local time zone and the client's language, with CLDR
    formats as Discord's client does (t/T short/medium time, d/D short/long date, f/F long/full
    date with the time, R relative)."""
    when = dt.datetime.fromtimestamp(unix, tz=dt.UTC).astimezone()
    loc = babel_locale(locale)
    if style == "R":
        delta = when - (now or dt.datetime.now(tz=dt.UTC))
        return format_timedelta(delta, add_direction=True, locale=loc)
    if style in ("t", "T"):
        return format_time(when, "short" if style == "t" else "medium", locale=loc)
    if style in ("d", "D"):
        return format_date(when, "short" if style == "d" else "long", locale=loc)
    date = format_date(when, "full" if style == "F" else "long", locale=loc)
    return f"{date} {format_time(when, 'short', locale=loc)}"


def _line_parts(line: str) -> tuple[str, str, Style | None]:
    """Block syntax at the start of a line: (prefix to show, rest, style for the line)."""
    if line.startswith("-# "):
        return "", line[3:], Style(dim=True)
    heading = re.match(r"^(#{1,3}) ", line)
    if heading:
        return "", line[heading.end() :], Style(bold=True)
    if line.startswith(("> ", ">>> ")):
        return "│ ", line.split(" ", 1)[1], Style(italic=True)
    bullet = re.match(r"^(\s*)[-*] ", line)
    if bullet:
        return bullet.group(1) + "• ", line[bullet.end() :], None
    return "", line, None


def to_text(
    markdown: str, names: Mapping[str, str], base: Style | None = None, locale: str = "en-US"
) -> Text:
    """Discord markdown → rich Text (links clickable in terminals that support them)."""
    text = Text(style=base or "")
    for index, line in enumerate(markdown.split("\n")):
        if index:
            text.append("\n")
        prefix, rest, line_style = _line_parts(line)
        if prefix:
            text.append(prefix, Style(dim=True))
        for span in spans(rest, names, locale):
            style = _combine(line_style, span.style)
            if span.link:
                style = _combine(style, Style(link=span.link))
            text.append(span.text, style or "")
    return text


def to_plain(markdown: str, names: Mapping[str, str], locale: str = "en-US") -> str:
    """Discord markdown → plain text; a link keeps its target: "label (https://…)"."""
    lines: list[str] = []
    for line in markdown.split("\n"):
        prefix, rest, _ = _line_parts(line)
        pieces: list[str] = []
        pending_link: str | None = None
        for span in spans(rest, names, locale):
            if pending_link is not None and span.link != pending_link:
                pieces.append(f" ({pending_link})")
                pending_link = None
            pieces.append(span.text)
            if span.link and span.link != span.text:
                pending_link = span.link
        if pending_link is not None:
            pieces.append(f" ({pending_link})")
        lines.append(prefix + "".join(pieces))
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Markup:
    """How the client reads markdown here: mention display names and the user's language."""

    names: Mapping[str, str]
    locale: str = "en-US"

    def plain(self, markdown: str) -> str:
        return to_plain(markdown, self.names, self.locale)

    def rich(self, markdown: str, base: Style | None = None) -> Text:
        return to_text(markdown, self.names, base, self.locale)
