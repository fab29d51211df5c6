"""The agenda lists the signed-in user's open activities: overdue, today, the next 7 days."""

from __future__ import annotations

from datetime import timedelta

from pipedriven_desktop.store.agenda import (
    Section,
    agenda_owner,
    overdue_count,
    read_agenda,
)
from pipedriven_desktop.store.database import Database
from tests.store.agenda_fixture import (
    COMING,
    LEFT_OUT,
    ME,
    OVERDUE,
    SOMEONE_ELSE,
    TODAY,
    TODAY_ITEMS,
    add_agenda_fixture,
)


def subjects(items: tuple[object, ...]) -> list[str | None]:
    return [getattr(item, "subject", None) for item in items]


def test_the_agenda_lists_my_open_activities_by_section_in_order(db: Database) -> None:
    add_agenda_fixture(db)
    agenda = read_agenda(db.reader(), ME, TODAY)
    assert subjects(agenda.in_section(Section.OVERDUE)) == OVERDUE
    assert subjects(agenda.in_section(Section.TODAY)) == TODAY_ITEMS
    assert subjects(agenda.in_section(Section.COMING)) == COMING
    listed = set(subjects(agenda.items))
    assert listed.isdisjoint(LEFT_OUT)
    assert agenda.overdue_total == len(OVERDUE)


def test_each_item_names_its_contact_and_organization(db: Database) -> None:
    add_agenda_fixture(db)
    by_subject = {item.subject: item for item in read_agenda(db.reader(), ME, TODAY).items}
    morning = by_subject["Morning call"]
    assert (morning.contact_name, morning.organization_name) == ("Ada Lovelace", "Acme Corp")
    assert morning.due_time == "09:30"
    bob = by_subject["Missed call yesterday"]
    assert (bob.contact_name, bob.organization_name) == ("Bob Ömer", None)
    org_only = by_subject["Org review"]
    assert (org_only.contact_name, org_only.organization_name) == (None, "Globex GmbH")


def test_activities_not_yet_in_pipedrive_are_marked_waiting(db: Database) -> None:
    add_agenda_fixture(db)
    waiting = {item.subject for item in read_agenda(db.reader(), ME, TODAY).items if item.waiting}
    # One made here (no Pipedrive id yet), one with a change still in the outbox.
    assert waiting == {"Local follow-up", "Demo prepared"}


def test_someone_elses_agenda_is_theirs_alone(db: Database) -> None:
    add_agenda_fixture(db)
    agenda = read_agenda(db.reader(), SOMEONE_ELSE, TODAY)
    assert subjects(agenda.items) == ["Their call today"]


def test_the_overdue_count_counts_beyond_the_listed_ones(db: Database) -> None:
    add_agenda_fixture(db)
    conn = db.reader()
    assert overdue_count(conn, ME, TODAY) == 2
    capped = read_agenda(conn, ME, TODAY, overdue_limit=1)
    # The most recently missed is the one kept; the total still says two.
    assert subjects(capped.in_section(Section.OVERDUE)) == ["Missed call yesterday"]
    assert capped.overdue_total == 2
    # A day later, yesterday's all-day and timed activities are overdue too.
    assert overdue_count(conn, ME, TODAY + timedelta(days=1)) == 4


def test_the_coming_days_are_capped_in_due_order(db: Database) -> None:
    add_agenda_fixture(db)
    capped = read_agenda(db.reader(), ME, TODAY, coming_limit=3)
    assert subjects(capped.in_section(Section.TODAY)) == TODAY_ITEMS
    assert subjects(capped.in_section(Section.COMING)) == COMING[:1]


def test_the_owner_is_the_signed_in_user(db: Database) -> None:
    assert agenda_owner(db.reader()) is None
    add_agenda_fixture(db)
    assert agenda_owner(db.reader()) == ME


def test_both_reads_use_the_owner_done_due_date_index(db: Database) -> None:
    from pipedriven_desktop.store import agenda as agenda_module

    add_agenda_fixture(db)
    conn = db.reader()
    conn.execute("ANALYZE")
    params = {"owner": ME, "today": TODAY.isoformat(), "last_day": "2026-12-07"}
    plan = conn.execute(
        "EXPLAIN QUERY PLAN " + agenda_module._AGENDA_SQL,
        {**params, "overdue_limit": 10, "coming_limit": 10},
    ).fetchall()
    activity_steps = [row[3] for row in plan if row[3].startswith(("SEARCH a ", "SCAN a"))]
    assert len(activity_steps) == 2, plan
    assert all("ix_activities_owner_id_done_due_date" in step for step in activity_steps), plan
    count_plan = conn.execute(
        "EXPLAIN QUERY PLAN " + agenda_module._OVERDUE_COUNT_SQL, (ME, TODAY.isoformat())
    ).fetchall()
    assert any("COVERING INDEX ix_activities_owner_id_done_due_date" in r[3] for r in count_plan)
