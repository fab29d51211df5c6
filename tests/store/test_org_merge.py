"""Local merges of suggested duplicates: what moves, what is remembered, and exact undo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact, OrgSuggestionRow
from pipedriven_desktop.store.org_merge import (
    MergeError,
    keep_separate,
    merge_suggestion,
    open_suggestions,
    undo_merge,
)
from pipedriven_desktop.store.organizations import (
    OrganizationFields,
    OrganizationResolver,
    record_suggestions,
    refresh_organization_stats,
)

NOW = datetime(2026, 11, 25, 12, 0, 0)


def _snapshot(db: Database) -> dict[str, list[Any]]:
    with db.engine.connect() as conn:
        return {
            table: list(conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all())
            for table in ("organizations", "organization_aliases", "contacts", "org_suggestions")
        }


def seed_acme(db: Database) -> tuple[str, str, str]:
    """Acme Corp (2 contacts, one linked locally only) ~ The ACME Corporation (3) ~ Acme Inc,
    and a suggestion of Acme Corp alone with Zeta (by hand), which follows the merge."""
    with db.session() as session:
        resolver = OrganizationResolver(session)
        corp, corporation, other = (
            resolver.resolve(fields, NOW)[0]
            for fields in (
                OrganizationFields("Acme Corp", pipedrive_org_id=1, city="Berlin"),
                OrganizationFields("The ACME Corporation", pipedrive_org_id=2, website="acme.io"),
                OrganizationFields("Acme Inc", pipedrive_org_id=3),
            )
        )
        people = [("a1", corp, 1), ("a2", corp, None)] + [
            (f"b{i}", corporation, 2) for i in (1, 2, 3)
        ]
        for index, (name, org, pid) in enumerate(people):
            session.add(
                Contact(
                    name=name,
                    pipedrive_person_id=100 + index,
                    organization_id=org,
                    pipedrive_org_id=pid,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.flush()
        refresh_organization_stats(session)
        record_suggestions(session, [corp, corporation, other], NOW)
        zeta = resolver.resolve(OrganizationFields("Zeta", pipedrive_org_id=4), NOW)[0]
        session.add(
            OrgSuggestionRow(
                organization_id=zeta,
                candidate_id=corp,
                score=80.0,
                reasons="by hand",
                created_at=NOW,
            )
        )
    return corp, corporation, other


def _pair(db: Database, first: str, second: str) -> str:
    return next(
        s.id
        for s in open_suggestions(db.reader())
        if {s.organization.id, s.candidate.id} == {first, second}
    )


def _org_of(db: Database, contact: str) -> str:
    (row,) = db.reader().execute("SELECT organization_id FROM contacts WHERE name = ?", (contact,))
    return str(row[0])


def test_merge_moves_every_id_and_contact_and_undo_restores_exactly(db: Database) -> None:
    corp, corporation, other = seed_acme(db)
    suggestion = _pair(db, corp, corporation)
    assert _pair(db, corp, other)  # a pair the survivor has too: gone, then back
    before = _snapshot(db)

    with db.session() as session:
        result = merge_suggestion(session, suggestion)

    assert (result.organization_id, result.absorbed_id) == (corporation, corp)  # more contacts
    reader = db.reader()
    aliases = reader.execute(
        "SELECT pipedrive_org_id FROM organization_aliases WHERE organization_id = ?",
        (corporation,),
    ).fetchall()
    assert sorted(a[0] for a in aliases) == [1, 2]
    assert {_org_of(db, c) for c in ("a1", "a2", "b1")} == {corporation}
    (count, city) = reader.execute(
        "SELECT contact_count, city FROM organizations WHERE id = ?", (corporation,)
    ).fetchone()
    assert (count, city) == (5, "Berlin")
    assert (
        reader.execute("SELECT count(*) FROM organizations WHERE id = ?", (corp,)).fetchone()[0]
        == 0
    )
    hits = reader.execute(
        "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'org_name:corporation'"
    ).fetchone()[0]
    assert hits == 5  # search by organization name follows the merge
    pairs = [{s.organization.id, s.candidate.id} for s in open_suggestions(reader)]
    assert all(corp not in pair for pair in pairs)
    assert sum(corporation in pair for pair in pairs) == 2  # with Acme Inc, and Zeta's moved

    with db.session() as session:
        assert undo_merge(session, corporation) == corp

    assert _snapshot(db) == before


def test_a_chosen_name_picks_the_survivor_or_is_kept_as_typed(db: Database) -> None:
    corp, corporation, _ = seed_acme(db)
    with db.session() as session:
        result = merge_suggestion(session, _pair(db, corp, corporation), name="Acme Corp")
    assert (result.organization_id, result.name) == (corp, "Acme Corp")
    with db.session() as session:
        undo_merge(session, corp)
    with db.session() as session:
        result = merge_suggestion(session, _pair(db, corp, corporation), name="ACME Group")
    with db.session() as session:  # Pipedrive's spelling of the survivor no longer renames it
        OrganizationResolver(session).resolve(
            OrganizationFields("The Acme Corporation Inc", pipedrive_org_id=2), NOW
        )
    (name,) = (
        db.reader()
        .execute("SELECT name FROM organizations WHERE id = ?", (result.organization_id,))
        .fetchone()
    )
    assert name == "ACME Group"


def test_keep_separate_is_never_suggested_again(db: Database) -> None:
    corp, corporation, other = seed_acme(db)
    suggestion = _pair(db, corp, corporation)
    with db.session() as session:
        keep_separate(session, suggestion)
        assert record_suggestions(session, [corp, corporation, other], NOW) == 0
    assert suggestion not in {s.id for s in open_suggestions(db.reader())}


def test_unknown_ids_are_refused_in_one_line(db: Database) -> None:
    seed_acme(db)
    with db.session() as session, pytest.raises(MergeError, match="no suggestion nope"):
        merge_suggestion(session, "nope")
    with db.session() as session, pytest.raises(MergeError, match="no merge to undo"):
        undo_merge(session, "nope")


def test_a_new_spelling_of_the_merged_away_one_joins_the_merge_and_leaves_with_undo(
    db: Database,
) -> None:
    corp, corporation, _ = seed_acme(db)
    with db.session() as session:
        merge_suggestion(session, _pair(db, corp, corporation))  # corp goes into corporation
    with db.session() as session:
        (joined, created) = OrganizationResolver(session).resolve(
            OrganizationFields("ACME Corp.", pipedrive_org_id=9), NOW
        )
    assert (joined, created) == (corporation, False)
    with db.session() as session:
        assert undo_merge(session, corporation) == corp
    aliases = db.reader().execute(
        "SELECT pipedrive_org_id FROM organization_aliases WHERE organization_id = ?", (corp,)
    )
    assert sorted(a[0] for a in aliases) == [1, 9]


def test_a_merge_whose_absorbed_organizations_pipedrive_deleted_cannot_be_undone(
    db: Database,
) -> None:
    corp, corporation, _ = seed_acme(db)
    with db.session() as session:
        merge_suggestion(session, _pair(db, corp, corporation))
    with db.session() as session:
        session.execute(text("DELETE FROM organization_aliases WHERE pipedrive_org_id = 1"))
    with db.session() as session, pytest.raises(MergeError, match="no merge to undo"):
        undo_merge(session, corporation)
