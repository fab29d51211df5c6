"""Command line: the GUI by default, plus headless ``sync``, ``export``, ``orgs``, ``config``,
``duplicates``, ``stats`` and the actions on contacts, ``log``, ``note`` and ``outbox``.

Heavy modules (Qt, the HTTP client) are imported only by the command that needs
them, so ``export`` stays quick and the GUI starts fast. Every refusal is one line on
stderr; an address is checked before anything else, and never repeated.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from pipedriven_desktop import __version__, actions_command
from pipedriven_desktop.cli_options import (
    BASE_URL_HELP,
    DB_HELP,
    add_base_url_option,
    add_db_option,
)
from pipedriven_desktop.paths import DEFAULT_BASE_URL, default_db_path

EXPORT_BATCH = 1000
EXPORT_FIELDS = (
    "id",
    "pipedrive_person_id",
    "name",
    "email",
    "phone",
    "job_title",
    "organization",
    "organization_id",
    "pipedrive_org_id",
    "warmness_score",
    "warmness_breakdown",
    "last_contacted",
    "added_to_campaign",
    "lead_status",
    "created_at",
)
#: A CSV cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipedriven-desktop",
        description="My-500: your Pipedrive contacts, mirrored locally, in the order to work them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", type=Path, metavar="PATH", help=DB_HELP)
    parser.add_argument("--demo", action="store_true", help="run on the bundled demo account")
    parser.add_argument(
        "--demo-if-no-token",
        action="store_true",
        help="use the demo account unless a Pipedrive token is configured",
    )
    parser.add_argument("--base-url", metavar="URL", help=BASE_URL_HELP)
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="save a PNG of the window once it shows data, then exit",
    )
    commands = parser.add_subparsers(dest="command")

    sync = commands.add_parser("sync", help="pull changes from Pipedrive without the GUI")
    add_db_option(sync)
    add_base_url_option(sync)
    sync.add_argument(
        "--full",
        action="store_true",
        help="list every record again, not only what changed since the last sync, and "
        "remove from the mirror what was deleted in Pipedrive",
    )

    export = commands.add_parser("export", help="print My-500 in order")
    add_db_option(export)
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--limit", type=_positive_int, default=None)

    orgs = commands.add_parser("orgs", help="print the organization store")
    add_db_option(orgs)
    orgs.add_argument("--format", choices=("json", "csv"), default="json")

    duplicates = commands.add_parser(
        "duplicates", help="list possible duplicate organizations; merge them locally or not"
    )
    add_db_option(duplicates)
    duplicates.add_argument("--format", choices=("json", "csv"), default="json")
    actions = duplicates.add_subparsers(dest="action")
    for action, target, text in (
        ("merge", "suggestion_id", "merge a suggested pair into one organization (locally)"),
        ("keep-separate", "suggestion_id", "keep a suggested pair apart; never suggest it again"),
        ("undo", "organization_id", "undo the merge of an organization"),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument(target)
        add_db_option(sub, nested=True)
        if action == "merge":
            sub.add_argument("--name", help="the name to keep (default: the larger one's)")

    stats = commands.add_parser(
        "stats", help="print the Insights figures: warmness, organizations, sync, queries"
    )
    add_db_option(stats)
    stats.add_argument("--format", choices=("json", "text"), default="text")

    actions_command.add_parsers(commands)

    config = commands.add_parser("config", help="show or change the lead status settings")
    add_db_option(config)
    add_base_url_option(config)
    settings = config.add_subparsers(dest="setting")
    field = settings.add_parser(
        "lead-status-field", help="the person field holding the lead status ('none' clears it)"
    )
    field.add_argument("key", help="the field's key, as `config lead-status-fields` lists it")
    add_db_option(field, nested=True)
    add_base_url_option(field, nested=True)
    fields = settings.add_parser(
        "lead-status-fields", help="list the person fields that can hold the lead status"
    )
    add_db_option(fields, nested=True)
    add_base_url_option(fields, nested=True)
    values = settings.add_parser(
        "lead-status-values", help="the values counting as qualified / contacted"
    )
    values.add_argument("--qualified", help="comma-separated values (default: qualified)")
    values.add_argument("--contacted", help="comma-separated values (default: contacted)")
    add_db_option(values, nested=True)
    return parser


def _say_upgrading(path: Path, revision: str) -> None:
    """One line before a command upgrades a mirror made by an earlier version: on a large
    mirror that takes minutes, and the command would otherwise seem to hang."""
    print(
        f"Upgrading the mirror {path} made by an earlier version (schema {revision}); "
        "a copy is kept next to it. On a large mirror this takes a few minutes…",
        file=sys.stderr,
        flush=True,
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    explicit: Path | None = getattr(args, "sub_db", None) or args.db
    db_path: Path = explicit or default_db_path()
    headless = (
        "sync",
        "export",
        "orgs",
        "config",
        "duplicates",
        "stats",
        *actions_command.COMMANDS,
    )
    if args.command in headless:
        from pipedriven_desktop.store.database import announce_upgrades

        announce_upgrades(_say_upgrading)
    if args.command in headless and explicit is None:
        # The default folder is ours to make (a fresh machine has none until the GUI ran);
        # a folder named with --db is the user's, and its absence is reported instead.
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            print(
                f"error: cannot create the data folder {db_path.parent}: {reason}", file=sys.stderr
            )
            return EXIT_USAGE
    if args.command in headless:
        return _guarded(lambda: _headless(args, db_path))
    if args.base_url is not None:
        from pipedriven_desktop.pipedrive.address import checked_base_url

        try:
            checked_base_url(args.base_url)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return _gui(args)


def _headless(args: argparse.Namespace, db_path: Path) -> int:
    """Run one of the commands without the window; returns its exit code."""
    if args.command == "sync":
        return _sync(args, db_path)
    if args.command == "export":
        _export(db_path, args.format, args.limit, sys.stdout)
    elif args.command == "orgs":
        _orgs(db_path, args.format, sys.stdout)
    elif args.command == "duplicates":
        return _duplicates(args, db_path)
    elif args.command == "config":
        return _config(args, db_path)
    elif args.command in actions_command.COMMANDS:
        return actions_command.run_command(args, db_path, sys.stdout)
    elif args.command == "stats":
        from pipedriven_desktop.stats_command import print_stats

        print_stats(db_path, args.format, sys.stdout)
    return 0


def _guarded(action: Callable[[], int]) -> int:
    """``action``'s exit code, with the failures every command shares as one line (2), and
    a reader that left early (``| head``) as a quiet end."""
    import sqlite3

    from pipedriven_desktop.store.database import DatabaseError
    from pipedriven_desktop.store.errors import user_error

    try:
        code = action()
        sys.stdout.flush()  # a pipe closed early breaks here, not in the interpreter's exit
    except DatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:  # e.g. damaged pages met while reading
        print(f"error: {user_error(None, exc, 'read')}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        _discard_stdout()
        return 0
    return code


def _discard_stdout() -> None:
    """Point stdout at nothing: what is still buffered for the reader that left would
    otherwise break the pipe again in the interpreter's last flush, with a warning."""
    try:
        target = sys.stdout.fileno()
    except (OSError, ValueError):  # not a file descriptor (an in-process caller's stream)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, target)
    os.close(devnull)


def _sync(args: argparse.Namespace, db_path: Path) -> int:
    # A Ctrl+C while the modules load waits for them: a half-imported module would turn
    # the one line into a traceback.
    with _ctrl_c_deferred() as interrupted:
        from pipedriven_desktop.secrets import KeyringLockedError, get_token
        from pipedriven_desktop.sync.command import CANCELLED_LINE, sync_command

    base_url = args.sub_base_url or args.base_url or DEFAULT_BASE_URL
    try:
        if interrupted:
            raise KeyboardInterrupt
        try:
            token = get_token()
        except KeyringLockedError:
            print(
                "error: the system keychain is locked or refused access to the Pipedrive "
                "token; unlock it, or set PIPEDRIVE_API_TOKEN",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return sync_command(db_path, base_url, args.full, token)
    except KeyboardInterrupt:  # before the sync took Ctrl+C over
        print(CANCELLED_LINE, file=sys.stderr)
        return EXIT_INTERRUPTED


def _config(args: argparse.Namespace, db_path: Path) -> int:
    """Show (no setting named) or change the lead status settings, one line per fact."""
    from pipedriven_desktop.pipedrive.errors import PipedriveError
    from pipedriven_desktop.store.database import open_database
    from pipedriven_desktop.sync import lead_status

    setting = args.setting
    if setting in ("lead-status-field", "lead-status-fields"):
        client = _config_client(args)
        if client is None:
            return EXIT_USAGE
    else:
        client = None
    db = None
    try:
        if setting == "lead-status-fields":
            assert client is not None
            for field in lead_status.candidate_fields(client.person_fields()):
                kind = (
                    "options: " + ", ".join(label for _, label in field.options)
                    if field.is_option
                    else "text"
                )
                print(f"{field.key}\t{field.name}\t({kind})")
            return 0
        db = open_database(db_path)
        if setting == "lead-status-field":
            key = None if args.key.strip().lower() in ("", "none") else args.key.strip()
            chosen = lead_status.choose_field(db, client, key)
            if chosen is None:
                print("lead status field: none (no contact earns the lead status point)")
            else:
                print(f"lead status field: {chosen.name} ({chosen.key}); the next sync reads it")
        elif setting == "lead-status-values":
            current = lead_status.current_settings(db).values
            qualified = (
                lead_status.parse_values(args.qualified)
                if args.qualified is not None
                else list(current.qualified)
            )
            contacted = (
                lead_status.parse_values(args.contacted)
                if args.contacted is not None
                else list(current.contacted)
            )
            lead_status.save_values(db, qualified, contacted)
        settings = lead_status.current_settings(db)
        print(f"lead-status-field: {settings.field_key or 'none'}")
        print(f"qualified: {', '.join(settings.values.qualified)}")
        print(f"contacted: {', '.join(settings.values.contacted)}")
        return 0
    except lead_status.UnknownFieldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipedriveError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if client is not None:
            client.close()
        if db is not None:
            db.close()


def _config_client(args: argparse.Namespace) -> Any:
    """A Pipedrive client for the person fields, or None after saying why not."""
    from pipedriven_desktop.pipedrive.client import PipedriveClient
    from pipedriven_desktop.secrets import KeyringLockedError, get_token

    base_url = args.sub_base_url or args.base_url or DEFAULT_BASE_URL
    try:
        token = get_token()
    except KeyringLockedError:
        token = None
    if not token:
        print(
            "error: the person fields come from Pipedrive: sign in first, or set "
            "PIPEDRIVE_API_TOKEN",
            file=sys.stderr,
        )
        return None
    try:
        return PipedriveClient(base_url, token)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


@contextmanager
def _ctrl_c_deferred() -> Iterator[list[int]]:
    """Inside, SIGINT is only noted (in the yielded list); outside, it interrupts again."""
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def _gui(args: argparse.Namespace) -> int:
    from pipedriven_desktop.app import GuiOptions, run_gui

    return run_gui(GuiOptions.from_namespace(args))


def _export(db_path: Path, fmt: str, limit: int | None, out: TextIO) -> None:
    from pipedriven_desktop.store.contact_query import ContactFilter
    from pipedriven_desktop.store.contact_service import ContactService
    from pipedriven_desktop.store.database import open_database
    from pipedriven_desktop.store.rows import contact_to_json

    db = open_database(db_path)
    try:
        service = ContactService(db)
        contact_filter = ContactFilter(owner_id=service.owner_id())

        def records() -> Iterator[dict[str, Any]]:
            offset = 0
            while limit is None or offset < limit:
                size = EXPORT_BATCH if limit is None else min(EXPORT_BATCH, limit - offset)
                rows = service.window(contact_filter, offset, size, with_next=False)
                for row in rows:
                    record = contact_to_json(row)
                    del record["recent_activities"], record["next_activity"]
                    yield record
                if len(rows) < size:
                    return
                offset += size

        _write(records(), fmt, out, EXPORT_FIELDS)
    finally:
        db.close()


def _orgs(db_path: Path, fmt: str, out: TextIO) -> None:
    from pipedriven_desktop.store.database import open_database
    from pipedriven_desktop.store.org_listing import ORG_LISTING_FIELDS, organization_listing

    db = open_database(db_path)
    try:
        _write(organization_listing(db.reader()), fmt, out, ORG_LISTING_FIELDS)
    finally:
        db.close()


def _duplicates(args: argparse.Namespace, db_path: Path) -> int:
    from pipedriven_desktop.duplicates_command import (
        DUPLICATE_FIELDS,
        change_duplicates,
        duplicate_records,
    )

    if args.action is None:
        _write(duplicate_records(db_path), args.format, sys.stdout, DUPLICATE_FIELDS)
        return 0
    target = args.organization_id if args.action == "undo" else args.suggestion_id
    return change_duplicates(db_path, args.action, target, getattr(args, "name", None), sys.stdout)


def _write(records: Iterator[dict[str, Any]], fmt: str, out: TextIO, fields: Sequence[str]) -> None:
    """Stream records as a JSON list or CSV, without holding them all in memory."""
    if fmt == "json":
        out.write("[")
        count = 0
        for record in records:
            out.write(",\n  " if count else "\n  ")
            out.write(json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({key: csv_cell(value) for key, value in record.items()})


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading single
    quote, as OWASP recommends; numbers stay numbers, lists and objects become JSON.
    """
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
