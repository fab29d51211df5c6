"""The headless ``log``, ``note`` and ``outbox`` commands: work the list without the window.

``log`` and ``note`` queue an action on a contact (found by its Pipedrive person id) in
the mirror's outbox, with no network: it shows in the mirror at once and goes to
Pipedrive with the next ``sync``. ``outbox`` lists what waits and what Pipedrive refused.
Every refusal is one line on stderr, with exit code 2, as the other commands.

Only ``argparse`` and the shared options are imported at the top: the parser is built
on every start.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pipedriven_desktop.cli_options import add_db_option

if TYPE_CHECKING:
    from pipedriven_desktop.store.actions import OutboxEntry

__all__ = ["COMMANDS", "OUTBOX_FIELDS", "add_parsers", "run_command"]

COMMANDS = ("log", "note", "outbox")
OUTBOX_FIELDS = (
    "id",
    "kind",
    "state",
    "contact_name",
    "summary",
    "error",
    "created_at",
    "attempts",
)
EXIT_OK = 0
EXIT_USAGE = 2


def add_parsers(commands: Any) -> None:
    """Register ``log``, ``note`` and ``outbox`` on the CLI's subparsers."""
    log = commands.add_parser(
        "log", help="log a done activity or schedule one for a person (sent at the next sync)"
    )
    add_db_option(log)
    log.add_argument("--person", type=_person_id, required=True, help="Pipedrive person id")
    log.add_argument("--type", choices=("call", "meeting", "email", "task"), required=True)
    log.add_argument("--subject", default="", help="default: the type's name")
    log.add_argument("--note", default=None)
    when = log.add_mutually_exclusive_group()
    when.add_argument("--done", action="store_true", help="it happened now (the default)")
    when.add_argument("--due", type=_day, help="schedule it for this day (YYYY-MM-DD)")
    log.add_argument("--time", help="with --due: the time, HH:MM (UTC)")

    note = commands.add_parser("note", help="add a note to a person (sent at the next sync)")
    add_db_option(note)
    note.add_argument("--person", type=_person_id, required=True, help="Pipedrive person id")
    note.add_argument("--text", required=True)

    outbox = commands.add_parser("outbox", help="list the changes waiting for Pipedrive")
    add_db_option(outbox)
    outbox.add_argument("--format", choices=("json", "text"), default="text")


def run_command(args: argparse.Namespace, db_path: Path, out: TextIO) -> int:
    """Run ``args.command`` (one of ``COMMANDS``) on the mirror at ``db_path``."""
    from pipedriven_desktop.store.actions import ActionError
    from pipedriven_desktop.store.database import DatabaseError, open_database

    if args.command == "log" and args.time is not None and args.due is None:
        return _fail("--time needs --due (a logged activity happens now)")
    if args.command == "log" and args.due is not None:
        problem = _due_problem(args.due, args.time)
        if problem is not None:
            when = f"{args.due} {args.time} UTC" if args.time else str(args.due)
            return _fail(f"--due {when}: {problem[0].lower()}{problem[1:]}")
    try:
        db = open_database(db_path)
    except DatabaseError as exc:
        return _fail(str(exc))
    try:
        if args.command == "outbox":
            return _list(db, args.format, out)
        return _queue(db, args, out)
    except ActionError as exc:
        return _fail(str(exc))
    except DatabaseError as exc:
        return _fail(str(exc))
    finally:
        db.close()


def _queue(db: Any, args: argparse.Namespace, out: TextIO) -> int:
    from pipedriven_desktop.store import actions, outbox
    from pipedriven_desktop.store.meta import OWNER_KEY, get_meta
    from pipedriven_desktop.sync.scoring import score_contacts

    now = datetime.now(UTC)
    with actions.writing(db) as conn:
        found = conn.exec_driver_sql(
            "SELECT id, name FROM contacts WHERE pipedrive_person_id = ?", (args.person,)
        ).fetchone()
        if found is None:
            raise actions.ActionError(
                f"no contact with Pipedrive person id {args.person} in the mirror; sync first"
            )
        contact_id, name = found
        if args.command == "note":
            action_id = actions.add_note(conn, contact_id, text=args.text, now=now)
        else:
            owner = get_meta(conn, OWNER_KEY)
            owner_id = int(owner) if owner and owner.isdigit() else None
            if args.due is None:
                action_id = actions.log_activity(
                    conn,
                    contact_id,
                    kind=args.type,
                    subject=args.subject,
                    note=args.note,
                    done_at=now,
                    owner_id=owner_id,
                    now=now,
                    rescore=score_contacts,
                )
            else:
                action_id = actions.schedule_activity(
                    conn,
                    contact_id,
                    kind=args.type,
                    subject=args.subject,
                    due_date=args.due,
                    due_time=args.time,
                    note=args.note,
                    owner_id=owner_id,
                    now=now,
                    rescore=score_contacts,
                )
        (queued,) = outbox.rows(conn, "action_id = ?", (action_id,))
        waiting = actions.waiting_count(conn)
    out.write(
        f"queued: {actions.summary(queued)} for {name or 'the contact'}; "
        f"{waiting} {'change waits' if waiting == 1 else 'changes wait'} for the next sync\n"
    )
    return EXIT_OK


def _list(db: Any, fmt: str, out: TextIO) -> int:
    from pipedriven_desktop.store import actions

    with db.engine.connect() as conn:
        entries = actions.outbox_entries(conn)
    records = [_record(entry) for entry in entries]
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    if not records:
        out.write("Nothing waits: Pipedrive has every change.\n")
        return EXIT_OK
    for record in records:
        line = f"{record['id']}\t{record['state']}\t{record['contact_name']}\t{record['summary']}"
        if record["error"]:
            line += f"\t{record['error']}"
        out.write(line + "\n")
    return EXIT_OK


def _record(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "state": entry.state,
        "contact_name": entry.contact_name,
        "summary": entry.summary,
        "error": entry.error,
        "created_at": entry.created_at.isoformat(sep=" "),
        "attempts": entry.attempts,
    }


def _person_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a Pipedrive person id (a whole number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be a Pipedrive person id (a whole number)")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date, YYYY-MM-DD") from None


def _due_problem(day: date, utc_time: str | None) -> str | None:
    """The schedule dialog's rule for a next step (not in the past), on the local clock;
    ``utc_time`` is the ``--time`` as given (a malformed one is refused when queued)."""
    from pipedriven_desktop.domain.next_step import due_problem

    now = datetime.now().astimezone()
    if utc_time is None:
        return due_problem(day, None, now)
    try:
        at = time.fromisoformat(utc_time)
    except ValueError:
        return None
    moment = datetime.combine(day, at, tzinfo=UTC).astimezone()
    return due_problem(moment.date(), moment.time().replace(tzinfo=None), now)


def _fail(line: str) -> int:
    print(f"error: {line}", file=sys.stderr)
    return EXIT_USAGE
