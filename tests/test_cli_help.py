"""The commands' help: every shared option named the same way, with a word on what it is."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from pipedriven_desktop.cli import build_parser


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


def test_every_command_takes_db_as_a_path_with_its_help() -> None:
    commands = dict(_commands(build_parser()))
    assert {("config", "lead-status-values"), ("duplicates", "merge"), ("log",)} <= set(commands)
    for path, parser in commands.items():
        text = parser.format_help()
        assert "--db PATH" in text, path
        assert "database file" in text, path
        assert "SUB_" not in text, path


def test_base_url_is_a_url_with_its_help_wherever_pipedrive_is_asked() -> None:
    commands = dict(_commands(build_parser()))
    for path in (
        ("sync",),
        ("config",),
        ("config", "lead-status-field"),
        ("config", "lead-status-fields"),
    ):
        text = commands[path].format_help()
        assert "--base-url URL" in text, path
        assert "Pipedrive API address" in text, path


def test_the_full_sync_says_what_it_does() -> None:
    text = dict(_commands(build_parser()))[("sync",)].format_help()
    assert "list every record again" in " ".join(text.split())
    assert "deleted in Pipedrive" in " ".join(text.split())
