"""Sending the outbox to Pipedrive, in order, without ever creating a record twice.

The unknown-outcome strategy
----------------------------
A write that went out and got no usable answer (a 5xx, a dropped connection, a
timeout, or the app killed mid-request) may or may not have been done by Pipedrive.
Resending it blindly could log the same call twice; dropping it could lose it. So:

1. Before a request goes out, its row is marked ``state = 'sending'`` with
   ``sending_since = now`` and that is COMMITTED. A row found in this state later
   (after a crash, a kill, a cancel) is known to have an unknown outcome.
2. Success: in one transaction the local activity or note takes the Pipedrive id the
   answer gave, and the row is deleted. The next pull then updates that same row.
3. 429: Pipedrive did nothing. The client waits as told (``Retry-After``) and tries
   again a bounded number of times; if still limited, the row goes back to waiting
   and sending stops for this run (order is kept: later rows never overtake it).
4. A refusal (400, 403, 404, 410, 422...): the row stays, ``state = 'refused'`` with
   the reason in words, for the user to edit, retry or discard. Later actions on an
   activity whose creation was refused wait behind it; other rows go on.
5. Unknown outcome (5xx, dropped connection, timeout, or a row found 'sending'):
   before anything is sent again, Pipedrive is asked. A created activity is looked
   for among the person's activities updated since ``sending_since`` (less a margin
   for clock skew), matching type, subject, due date and time, done, owner and note,
   added since then too, and not already held by another row of the mirror; a note
   among the person's notes added since then, by its content. An update is checked by
   reading the activity: if it already has the new values, it is adopted. Found: it
   is adopted exactly as a success. Not found: the request did not take effect; the
   row goes back to waiting and is sent again (at once for a row found 'sending' at
   the start, at the next sync after a failure in this run). If Pipedrive cannot be
   asked (offline), the row stays 'sending' and the error ends the sync before its
   pull, so no record the action may have created is pulled in as a stranger.
6. No connection at all (the request never left): back to waiting; the sync fails
   with the usual "could not reach Pipedrive" line.

Writes go through the client's single ``x-api-token`` header; nothing here logs a
request, a header or the token.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.errors import (
    OutcomeUnknownError,
    RateLimitError,
    RequestCancelledError,
    RequestRejectedError,
)
from pipedriven_desktop.pipedrive.records import html_text, parse_api_time
from pipedriven_desktop.store import outbox
from pipedriven_desktop.store.clock import to_store
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.outbox import CREATES_ACTIVITY, UPDATES_ACTIVITY, OutboxRow
from pipedriven_desktop.store.writer_lock import writer_lock

__all__ = ["CLOCK_SKEW", "SendReport", "reapply_pending", "send_now", "send_outbox"]

log = logging.getLogger(__name__)

#: How far Pipedrive's clock may be behind ours when looking for a record we may have made.
CLOCK_SKEW: Final = timedelta(minutes=10)


@dataclass
class SendReport:
    """What a send did: delivered (sent or found in Pipedrive), refused, and still waiting."""

    sent: int = 0
    refused: int = 0
    left: int = 0


class _Stop(Exception):  # noqa: N818 - ends the walk through the outbox, not an error
    """Sending ends for this run; the rows from here on wait for the next one."""


def send_outbox(
    db: Database,
    client: PipedriveClient,
    *,
    now: Callable[[], datetime],
    should_cancel: Callable[[], bool] | None = None,
) -> SendReport:
    """Send every waiting action in order, checking unknown outcomes first.

    Raises the client's PipedriveError when Pipedrive cannot be reached or asked (the
    rows concerned keep a state saying what is known); returns what was done otherwise.
    """
    return _Sender(db, client, now, should_cancel).run()


def send_now(
    db: Database,
    client: PipedriveClient,
    *,
    now: Callable[[], datetime],
    should_cancel: Callable[[], bool] | None = None,
) -> SendReport:
    """Send the outbox alone (the network came back), holding the mirror's writer lock.

    Raises SyncBusyError at once while a sync runs (that sync sends the outbox itself).
    """
    with writer_lock(db.path):
        return send_outbox(db, client, now=now, should_cancel=should_cancel)


def reapply_pending(db: Database) -> set[str]:
    """After a pull: undelivered mark-done and reschedule actions show again in the mirror.

    Returns the contacts concerned (their score is marked for the next scoring pass).
    """
    with db.engine.begin() as conn:
        return outbox.reapply_updates(conn)


class _Sender:
    def __init__(
        self,
        db: Database,
        client: PipedriveClient,
        now: Callable[[], datetime],
        should_cancel: Callable[[], bool] | None,
    ) -> None:
        self.db = db
        self.client = client
        self.now = now
        self.should_cancel = should_cancel
        self.report = SendReport()
        #: Local activities whose creation Pipedrive does not have: updates wait behind it.
        self.blocked: set[str] = set()

    def run(self) -> SendReport:
        with self.db.engine.connect() as conn:
            rows = outbox.pending_rows(conn)
            refused = outbox.rows(conn, "state = 'refused' AND kind IN ('log', 'schedule')")
        self.blocked = {row.activity_id for row in refused if row.activity_id is not None}
        try:
            for row in rows:
                if self.should_cancel is not None and self.should_cancel():
                    break
                self._one(row)
        except _Stop:
            pass
        with self.db.engine.connect() as conn:
            self.report.left = len(outbox.pending_rows(conn))
        return self.report

    # --- One row ------------------------------------------------------------------------------

    def _one(self, row: OutboxRow) -> None:
        if row.activity_id in self.blocked and row.kind in UPDATES_ACTIVITY:
            return
        if row.state == "sending":
            # The last attempt's outcome is unknown: look before sending again.
            if self._adopt_if_found(row):
                return
            self._release(row)
        target = None
        if row.kind in UPDATES_ACTIVITY:
            target = self._target(row)
            if target is None:
                return
        claimed = self._claim(row)
        if claimed is None:
            return  # discarded (or refused) since the walk began: not to be sent
        row = claimed
        try:
            pipedrive_id = self._send(row, target)
        except RateLimitError:
            self._release(row, "Pipedrive was limiting requests; it is sent at the next sync.")
            raise _Stop from None
        except OutcomeUnknownError as exc:
            log.warning("outbox action %s: outcome unknown (%s)", row.id, exc.message)
            if not self._adopt_if_found(row):
                self._release(row, f"{exc.message} It was not found there; it is sent again.")
            raise _Stop from None
        except RequestRejectedError as exc:
            self._refuse(row, refusal_words(exc, row))
            return
        except RequestCancelledError:
            raise  # cancelled in flight: its fate is unknown, the row stays 'sending'
        except Exception:
            # The request never took effect: no connection, a bad token (401) or a ban
            # (an HTML 403), a redirect. Back to waiting; the sync reports the error.
            self._release(row)
            raise
        self._delivered(row, pipedrive_id)

    def _target(self, row: OutboxRow) -> int | None:
        """The Pipedrive id of the activity an update changes (None: it waits or is refused)."""
        assert row.activity_id is not None
        with self.db.engine.connect() as conn:
            pipedrive_id = outbox.activity_pipedrive_id(conn, row.activity_id)
            creating = outbox.rows(
                conn, "activity_id = ? AND kind IN ('log', 'schedule')", (row.activity_id,)
            )
        if pipedrive_id is not None:
            return pipedrive_id
        if creating:
            self.blocked.add(row.activity_id)  # its creation has not arrived: wait behind it
            return None
        self._refuse(row, "The activity is no longer in the mirror, so it cannot be changed.")
        return None

    def _send(self, row: OutboxRow, target: int | None) -> int:
        body = row.body
        if row.kind in CREATES_ACTIVITY:
            return int(self.client.create_activity(wire_activity(body))["id"])
        if row.kind in UPDATES_ACTIVITY:
            assert target is not None
            return int(self.client.update_activity(target, wire_activity(body))["id"])
        return int(self.client.add_note(wire_note(body))["id"])

    # --- The unknown-outcome check ------------------------------------------------------------

    def _adopt_if_found(self, row: OutboxRow) -> bool:
        """Look in Pipedrive for what ``row`` may have done; adopt it if there."""
        since = (row.sending_since or to_store(self.now()) or datetime.min).replace(tzinfo=UTC)
        since -= CLOCK_SKEW
        found: int | None
        if row.kind in CREATES_ACTIVITY:
            found = self._find_activity(row, since)
        elif row.kind in UPDATES_ACTIVITY:
            found = self._find_update(row)
        else:
            found = self._find_note(row, since)
        if found is None:
            return False
        log.info("outbox action %s was already in Pipedrive; adopted", row.id)
        self._delivered(row, found)
        return True

    def _find_activity(self, row: OutboxRow, since: datetime) -> int | None:
        if row.pipedrive_person_id is None:
            return None
        body = row.body
        items = self.client.person_activities(row.pipedrive_person_id, updated_since=since)
        candidates = sorted(
            item["id"]
            for item in items
            if isinstance(item.get("id"), int)
            and _added_since(item.get("add_time"), since)
            and _same_activity(item, body)
        )
        with self.db.engine.connect() as conn:
            taken = outbox.known_activity_ids(conn, candidates)
        return next((pid for pid in candidates if pid not in taken), None)

    def _find_update(self, row: OutboxRow) -> int | None:
        target = self._target(row)
        if target is None:
            return None
        current = self.client.activity(target)
        if current is None:
            return None  # sent again, it is refused with Pipedrive's own reason
        body = row.body
        if all(_same_value(key, current.get(key), value) for key, value in body.items()):
            return target
        return None

    def _find_note(self, row: OutboxRow, since: datetime) -> int | None:
        if row.pipedrive_person_id is None:
            return None
        wanted = _plain(as_html(str(row.body.get("content", ""))))
        # `start_date` is a day in the company's time zone: a day earlier covers any zone;
        # the add time (UTC) then decides.
        day = (since - timedelta(days=1)).date()
        notes = self.client.person_notes(row.pipedrive_person_id, since=day)
        candidates = sorted(
            note["id"]
            for note in notes
            if isinstance(note.get("id"), int)
            and _added_since(note.get("add_time"), since)
            and _plain(str(note.get("content") or "")) == wanted
        )
        with self.db.engine.connect() as conn:
            taken = outbox.known_note_ids(conn, candidates)
        return next((pid for pid in candidates if pid not in taken), None)

    # --- State changes, each committed on its own ---------------------------------------------

    def _claim(self, row: OutboxRow) -> OutboxRow | None:
        with self.db.engine.begin() as conn:
            return outbox.claim(conn, row.id, self._stamp())

    def _release(self, row: OutboxRow, note: str | None = None) -> None:
        with self.db.engine.begin() as conn:
            outbox.release(conn, row.id, self._stamp(), note)

    def _refuse(self, row: OutboxRow, reason: str) -> None:
        with self.db.engine.begin() as conn:
            outbox.refuse(conn, row.id, reason, self._stamp())
        self.report.refused += 1
        if row.kind in CREATES_ACTIVITY and row.activity_id is not None:
            self.blocked.add(row.activity_id)

    def _delivered(self, row: OutboxRow, pipedrive_id: int) -> None:
        with self.db.engine.begin() as conn:
            outbox.delivered(conn, row, pipedrive_id)
        self.report.sent += 1

    def _stamp(self) -> datetime:
        moment = self.now()
        return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


# --- The wire form ------------------------------------------------------------------------------


def wire_activity(body: Mapping[str, Any]) -> dict[str, Any]:
    """An activity body as sent: the note in HTML, as Pipedrive keeps notes."""
    sent = dict(body)
    if isinstance(sent.get("note"), str):
        sent["note"] = as_html(sent["note"])
    return sent


def wire_note(body: Mapping[str, Any]) -> dict[str, Any]:
    return {"content": as_html(str(body.get("content", ""))), "person_id": body.get("person_id")}


def as_html(text: str) -> str:
    """Plain text as the HTML Pipedrive keeps in notes: escaped, lines kept."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


def refusal_words(exc: RequestRejectedError, row: OutboxRow) -> str:
    """Why Pipedrive refused the action, for the user."""
    status = exc.status
    said = exc.message.strip().rstrip(".") or "no details"
    what = "the note" if row.kind == "note" else "the activity"
    if status in (404, 410):
        return f"Pipedrive no longer has the person or activity (it may have been deleted): {said}."
    if status == 403:
        return f"Pipedrive refused {what}: no permission ({said})."
    if status in (400, 422):
        return f"Pipedrive found {what} invalid: {said}. Edit it and try again."
    if status == 402:
        return f"The Pipedrive account cannot take changes now ({said})."
    return f"Pipedrive refused {what} (HTTP {status}): {said}."


def _plain(text: str) -> str:
    """Pipedrive's HTML as words only: tags, entities and spacing dropped."""
    return " ".join(html_text(text).split())


def _added_since(value: object, since: datetime) -> bool:
    try:
        moment = parse_api_time(value)
    except ValueError:
        return False
    return moment is None or moment >= since


def _same_activity(item: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    return all(
        _same_value(key, item.get(key), body.get(key))
        for key in ("type", "subject", "due_date", "due_time", "done", "owner_id", "note")
        if key in body or key in ("note", "due_time")
    )


def _same_value(key: str, found: object, sent: object) -> bool:
    if key == "due_time":
        return str(found or "")[:5] == str(sent or "")[:5]
    if key == "note":
        return _plain(str(found or "")) == _plain(as_html(str(sent or "")))
    if key == "done":
        return bool(found) == bool(sent)
    if key == "participants":
        return True  # Pipedrive may add participants; the person is matched by the listing
    if key == "person_id":
        return found is None or found == sent
    return found == sent
