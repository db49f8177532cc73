"""The console reads `/command option:value` lines the way Discord's client would send them,
and Tab offers what the client would offer. Schemas here are shaped like the ones the bot
registers (name, type, options, choices, localizations)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.complete import plan_completions, quote_if_needed
from bot.console.parse import (
    ChannelRef,
    MentionableRef,
    ParseError,
    RoleRef,
    UserRef,
    parse_command,
    tokenize,
)

CAST: dict[str, Any] = {
    "type": 1,
    "name": "cast",
    "description": "Look up a character or actor",
    "description_localizations": {"ko": "등장인물이나 배우를 찾아요"},
    "options": [
        {"type": 3, "name": "name", "description": "Character or actor", "autocomplete": True}
    ],
}
AWARDS: dict[str, Any] = {
    "type": 1,
    "name": "awards",
    "description": "Awards",
    "options": [
        {"type": 3, "name": "who", "description": "A person", "autocomplete": True},
        {"type": 3, "name": "ceremony", "description": "One ceremony", "autocomplete": True},
        {
            "type": 3,
            "name": "result",
            "description": "Wins, nominations or all",
            "choices": [
                {"name": "Won", "value": "won", "name_localizations": {"ko": "수상"}},
                {"name": "Nominated", "value": "nominated", "name_localizations": {"ko": "후보"}},
                {"name": "All", "value": "all"},
            ],
        },
    ],
}
RENEWAL: dict[str, Any] = {
    "type": 1,
    "name": "renewal",
    "description": "Renewal status",
    "name_localizations": {"ko": "시즌"},
    "options": [{"type": 4, "name": "season", "description": "Season number"}],
}
HELP: dict[str, Any] = {"type": 1, "name": "help", "description": "Commands", "options": []}
SETUP: dict[str, Any] = {
    "type": 1,
    "name": "setup",
    "description": "Server settings",
    "options": [
        {
            "type": 1,
            "name": "announcements",
            "description": "Where updates go",
            "options": [
                {"type": 7, "name": "channel", "description": "Channel", "required": True},
                {"type": 8, "name": "role", "description": "Ping role"},
                {"type": 5, "name": "silent", "description": "No ping"},
                {"type": 9, "name": "notify", "description": "Someone"},
                {"type": 6, "name": "owner", "description": "A member"},
            ],
        },
        {"type": 1, "name": "check", "description": "What is broken"},
    ],
}
MENU: dict[str, Any] = {"type": 3, "name": "Report message"}  # a context menu, not a slash command
COMMANDS = [CAST, AWARDS, RENEWAL, HELP, SETUP, MENU]


def parse(line: str, locale: str = "en-US") -> tuple[str, dict[str, Any]]:
    parsed = parse_command(line, COMMANDS, locale)
    return parsed.qualified_name, parsed.options


def error_of(line: str, locale: str = "en-US") -> str:
    with pytest.raises(ParseError) as caught:
        parse_command(line, COMMANDS, locale)
    return str(caught.value)


# -- parsing -------------------------------------------------------------------------------


def test_multi_word_value_needs_no_quotes() -> None:
    assert parse("/cast name:Yang Jae-won") == ("cast", {"name": "Yang Jae-won"})


def test_value_runs_until_the_next_option() -> None:
    assert parse("/awards who:Ju Ji-hoon result:won ceremony:Blue Dragon") == (
        "awards",
        {"who": "Ju Ji-hoon", "result": "won", "ceremony": "Blue Dragon"},
    )


def test_words_before_any_option_fill_the_first_option() -> None:
    assert parse("/cast Yang Jae-won") == ("cast", {"name": "Yang Jae-won"})
    assert parse("/renewal 2") == ("renewal", {"season": 2})


def test_hangul_values_pass_through_unchanged() -> None:
    assert parse("/cast name:양재원") == ("cast", {"name": "양재원"})
    assert parse("/cast ㅇㅈㅇ") == ("cast", {"name": "ㅇㅈㅇ"})


def test_quotes_keep_a_colon_word_inside_the_value() -> None:
    assert parse('/cast name:"who: Baek"') == ("cast", {"name": "who: Baek"})
    assert parse("/cast Baek's team") == ("cast", {"name": "Baek's team"})


def test_a_link_inside_a_value_is_not_an_option() -> None:
    assert parse("/cast name:see https://example.com/a") == (
        "cast",
        {"name": "see https://example.com/a"},
    )


def test_autocomplete_value_with_colons_is_kept_whole() -> None:
    assert parse("/cast name:character:yang-jae-won") == (
        "cast",
        {"name": "character:yang-jae-won"},
    )


def test_integer_option_is_typed() -> None:
    assert parse("/renewal season:3") == ("renewal", {"season": 3})


def test_integer_option_rejects_words_naming_option_and_value() -> None:
    message = error_of("/renewal season:two")
    assert "season" in message and "whole number" in message and "'two'" in message


@pytest.mark.parametrize(("typed", "expected"), [("yes", True), ("false", False), ("ON", True)])
def test_boolean_words(typed: str, expected: bool) -> None:
    assert parse(f"/setup announcements channel:#general silent:{typed}")[1]["silent"] is expected


def test_boolean_rejects_other_words() -> None:
    assert "true or false" in error_of("/setup announcements channel:#general silent:maybe")


def test_choice_by_value_or_by_its_shown_name() -> None:
    assert parse("/awards result:won")[1] == {"result": "won"}
    assert parse("/awards result:Nominated")[1] == {"result": "nominated"}
    assert parse("/awards result:수상", locale="ko")[1] == {"result": "won"}


def test_wrong_choice_lists_the_choices() -> None:
    message = error_of("/awards result:lost")
    assert "'lost'" in message
    assert all(choice in message for choice in ("won", "nominated", "all"))


def test_subcommand_path_and_references() -> None:
    name, options = parse(
        "/setup announcements channel:#general role:@Fans notify:@fan owner:admin"
    )
    assert name == "setup announcements"
    assert options == {
        "channel": ChannelRef("general"),
        "role": RoleRef("Fans"),
        "notify": MentionableRef("fan"),
        "owner": UserRef("admin"),
    }


def test_missing_subcommand_lists_them() -> None:
    message = error_of("/setup")
    assert "needs a subcommand" in message and "announcements" in message and "check" in message


def test_unknown_subcommand_is_named() -> None:
    message = error_of("/setup language")
    assert "'language'" in message and "announcements, check" in message


def test_unknown_option_lists_the_valid_ones_with_types() -> None:
    message = error_of("/awards who:Ju ceremnoy:Baeksang")
    assert "'ceremnoy'" in message
    assert "who" in message and "ceremony" in message and "result" in message
    assert "one of: Won, Nominated, All" in message  # choice names, as Discord shows them
    assert "result: Wins, nominations or all" in message  # the bot's own description


def test_option_help_is_in_the_clients_language() -> None:
    korean = error_of("/awards who:Ju ceremnoy:Baeksang", locale="ko")
    assert "one of: 수상, 후보, All" in korean


def test_missing_required_option_is_named() -> None:
    message = error_of("/setup announcements role:@Fans")
    assert "missing required option 'channel'" in message


def test_option_given_twice() -> None:
    assert "given twice" in error_of("/cast name:Baek name:Yang")


def test_option_without_value() -> None:
    assert "no value" in error_of("/cast name:")


def test_unknown_command_lists_slash_commands_only() -> None:
    message = error_of("/cats name:Baek")
    assert "/cats" in message and "/cast" in message and "/awards" in message
    assert "Report message" not in message


def test_command_without_options_rejects_extra_words() -> None:
    assert "takes no options" in error_of("/help me")


def test_localized_command_name_for_that_locale_only() -> None:
    assert parse("/시즌 2", locale="ko") == ("renewal", {"season": 2})
    assert "unknown command" in error_of("/시즌 2", locale="en-US")


def test_a_line_must_start_with_a_slash_and_close_its_quotes() -> None:
    assert "starts with /" in error_of("cast name:Baek")
    assert "quote" in error_of('/cast name:"Baek')


def test_tokenize_keeps_positions_and_open_quote() -> None:
    tokens, open_quote = tokenize('/cast name:"Yang Jae')
    assert [t.text for t in tokens] == ["/cast", "name:Yang Jae"]
    assert tokens[1].start == 6 and open_quote


# -- completion ----------------------------------------------------------------------------


def texts(line: str, locale: str = "en-US") -> list[str]:
    return [s.text for s in plan_completions(line, COMMANDS, locale).static]


def test_command_names_complete_from_the_prefix() -> None:
    assert texts("/ca") == ["/cast"]
    assert texts("/") == ["/awards", "/cast", "/help", "/renewal", "/setup"]


def test_option_names_complete_and_used_ones_are_left_out() -> None:
    assert texts("/awards ") == ["who:", "ceremony:", "result:"]
    assert texts("/awards result:won ") == ["who:", "ceremony:"]
    assert texts("/awards c") == ["ceremony:"]


def test_subcommands_complete() -> None:
    assert texts("/setup ") == ["announcements", "check"]
    assert texts("/setup an") == ["announcements"]
    assert texts("/setup announcements ch") == ["channel:"]


def test_choices_and_booleans_complete() -> None:
    # Discord's client puts the choice's name in the box, never its value.
    assert texts("/awards result:") == ["Won", "Nominated", "All"]
    assert texts("/awards result:수", locale="ko") == ["수상"]
    assert texts("/awards result:", locale="ko") == ["수상", "후보", "All"]
    assert texts("/setup announcements channel:#general silent:f") == ["false"]


def test_autocomplete_option_asks_the_bot_with_the_other_options() -> None:
    plan = plan_completions("/awards result:won who:Ju Ji", COMMANDS)
    request = plan.autocomplete
    assert request is not None
    assert (request.command, request.option, request.value) == ("awards", "who", "Ju Ji")
    assert request.filled == {"result": "won"}
    assert request.replace == len("Ju Ji")  # the whole multi-word value is replaced


def test_autocomplete_right_after_the_colon() -> None:
    request = plan_completions("/cast name:", COMMANDS).autocomplete
    assert request is not None and request.value == "" and request.replace == 0


def test_reference_options_ask_for_names() -> None:
    mention = plan_completions("/setup announcements channel:#ge", COMMANDS).mention
    assert mention is not None
    assert (mention.kind, mention.prefix, mention.replace) == ("channel", "ge", 3)


def test_no_completion_for_unknown_commands_or_plain_text() -> None:
    assert texts("/nothing ") == []
    assert texts("hello") == []


def test_quote_if_needed_only_when_a_later_word_looks_like_an_option() -> None:
    assert quote_if_needed("character:yang-jae-won") == "character:yang-jae-won"
    assert quote_if_needed("Yang Jae-won") == "Yang Jae-won"
    assert quote_if_needed("a who:b") == '"a who:b"'
    completed = f"/cast name:{quote_if_needed('a who:b')}"
    assert parse_command(completed, COMMANDS).options == {"name": "a who:b"}
