"""The options the headless commands share, declared once so that each command takes
them the same way: ``--db`` after the command and after its sub-command alike (``config
lead-status-values … --db PATH``, ``duplicates merge ID --db PATH``), ``--base-url``
wherever Pipedrive is asked. Only ``argparse`` is imported: the parser is built on every
start.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipedriven_desktop.paths import DEFAULT_BASE_URL

__all__ = ["BASE_URL_HELP", "DB_HELP", "add_base_url_option", "add_db_option"]

DB_HELP = "the mirror's database file (default: mirror.sqlite3 in the user data directory)"
BASE_URL_HELP = f"the Pipedrive API address (default: {DEFAULT_BASE_URL})"


def add_db_option(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--db PATH`` on a command, or (``nested``) on one of its sub-commands, where it
    leaves a ``--db`` given before the sub-command in place when it is not repeated."""
    parser.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS if nested else None,
        dest="sub_db",
        metavar="PATH",
        help=DB_HELP,
    )


def add_base_url_option(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--base-url URL``, placed as ``add_db_option`` places ``--db``."""
    parser.add_argument(
        "--base-url",
        default=argparse.SUPPRESS if nested else None,
        dest="sub_base_url",
        metavar="URL",
        help=BASE_URL_HELP,
    )
