"""Discord's message markdown, read into styled spans for the terminal.

Covers what the bot writes: masked links, **bold**, *italic*, __underline__, ~~strike~~,
`code`, ||spoilers||, headings, `-#` subtext, quotes, list bullets, `<t:…>` timestamps,
mentions and custom emoji. `to_text` gives a rich `Text`; `to_plain` readable plain text
with link targets spelled out (for pipes and tests).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

_INLINE = re.compile(
    r"""
    (?P<link>\[(?P<label>[^\]]+)\]\(<?(?P<url>[^)\s>]+)>?(?:\s+"[^"]*")?\))
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


def spans(text: str, names: Mapping[str, str]) -> list[Span]:
    """Inline markdown of one line → spans; `names` maps mention tokens to display names."""
    found: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            found.append(Span(text[position : match.start()]))
        found.extend(_span_for(match, names))
        position = match.end()
    if position < len(text):
        found.append(Span(text[position:]))
    return found


def _span_for(match: re.Match[str], names: Mapping[str, str]) -> list[Span]:
    if match.group("link"):
        url = match.group("url")
        return [
            Span(s.text, _combine(s.style, _LINK_STYLE), url)
            for s in spans(match.group("label"), names)
        ]
    for group, style in _STYLES.items():
        inner = match.group(group)
        if inner is not None:
            if group == "code":
                return [Span(inner, style)]
            return [Span(s.text, _combine(style, s.style), s.link) for s in spans(inner, names)]
    if match.group("unix") is not None:
        when = format_timestamp(int(match.group("unix")), match.group("tstyle") or "f")
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


def format_timestamp(unix: int, style: str, now: dt.datetime | None = None) -> str:
    """Render `<t:unix:style>` in the local time zone, as the Discord client would."""
    when = dt.datetime.fromtimestamp(unix, tz=dt.UTC).astimezone()
    if style == "R":
        return _relative(when, now or dt.datetime.now(tz=dt.UTC))
    formats = {
        "t": "%H:%M",
        "T": "%H:%M:%S",
        "d": "%Y-%m-%d",
        "D": "%d %B %Y",
        "f": "%d %B %Y %H:%M",
        "F": "%A, %d %B %Y %H:%M",
    }
    return when.strftime(formats.get(style, formats["f"]))


def _relative(when: dt.datetime, now: dt.datetime) -> str:
    seconds = (when - now).total_seconds()
    size = abs(seconds)
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if size >= length:
            count = int(size // length)
            amount = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {amount}" if seconds > 0 else f"{amount} ago"
    return "just now"


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


def to_text(markdown: str, names: Mapping[str, str], base: Style | None = None) -> Text:
    """Discord markdown → rich Text (links clickable in terminals that support them)."""
    text = Text(style=base or "")
    for index, line in enumerate(markdown.split("\n")):
        if index:
            text.append("\n")
        prefix, rest, line_style = _line_parts(line)
        if prefix:
            text.append(prefix, Style(dim=True))
        for span in spans(rest, names):
            style = _combine(line_style, span.style)
            if span.link:
                style = _combine(style, Style(link=span.link))
            text.append(span.text, style or "")
    return text


def to_plain(markdown: str, names: Mapping[str, str]) -> str:
    """Discord markdown → plain text; a link keeps its target: "label (https://…)"."""
    lines: list[str] = []
    for line in markdown.split("\n"):
        prefix, rest, _ = _line_parts(line)
        pieces: list[str] = []
        pending_link: str | None = None
        for span in spans(rest, names):
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
