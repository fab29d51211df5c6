from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import (
    Activity,
    Contact,
    Organization,
    OrganizationAlias,
    OrgSuggestionRow,
)
from pipedriven_desktop.store.organizations import (
    OrganizationFields,
    OrganizationResolver,
    record_suggestions,
    refresh_organization_stats,
    set_suggestion_status,
)

NOW = datetime(2026, 11, 25, 12, 0, 0)


def resolve_all(db: Database, *fields: OrganizationFields) -> list[str]:
    with db.session() as session:
        resolver = OrganizationResolver(session)
        return [resolver.resolve(f, NOW)[0] for f in fields]


def test_same_normalized_name_becomes_one_organization(db: Database) -> None:
    ids = resolve_all(
        db,
        OrganizationFields("Acme Corp", pipedrive_org_id=1),
        OrganizationFields("ACME Corp.", pipedrive_org_id=2),
        OrganizationFields("acme  corp", pipedrive_org_id=3),
    )
    assert len(set(ids)) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 1
        aliases = session.scalars(select(OrganizationAlias.pipedrive_org_id)).all()
    assert sorted(aliases) == [1, 2, 3]


def test_an_exact_normalized_match_beats_a_closer_looking_fuzzy_one(db: Database) -> None:
    acme, corporation = resolve_all(
        db,
        OrganizationFields("ACME CORPORATION", pipedrive_org_id=1),
        OrganizationFields("Acme Corp", pipedrive_org_id=2),
    )
    assert acme != corporation
    assert resolve_all(db, OrganizationFields("Acme Corp.", pipedrive_org_id=3)) == [corporation]


def test_different_companies_never_merge(db: Database) -> None:
    ids = resolve_all(
        db,
        OrganizationFields("General Motors", pipedrive_org_id=1),
        OrganizationFields("General Mills", pipedrive_org_id=2),
        OrganizationFields("Apple", pipedrive_org_id=3),
        OrganizationFields("Apple Hospitality REIT", pipedrive_org_id=4),
    )
    assert len(set(ids)) == 4


def test_pipedrive_id_wins_over_name_and_survives_a_rename(db: Database) -> None:
    first = resolve_all(db, OrganizationFields("Initech", pipedrive_org_id=7))[0]
    renamed = resolve_all(db, OrganizationFields("Initrode", pipedrive_org_id=7))[0]
    assert renamed == first
    with db.session() as session:
        org = session.get(Organization, first)
        assert org is not None
        assert (org.name, org.normalized_name) == ("Initrode", "initrode")


def test_resolver_lookups_persist_across_sessions(db: Database) -> None:
    first = resolve_all(db, OrganizationFields("Globex", pipedrive_org_id=1))[0]
    with db.session() as session:
        resolver = OrganizationResolver(session)
        assert resolver.local_id_for(1) == first
        assert resolver.resolve(OrganizationFields("GLOBEX."), NOW) == (first, False)


def test_counts_and_last_activity_follow_contacts(db: Database) -> None:
    org_id = resolve_all(db, OrganizationFields("Hooli", pipedrive_org_id=1))[0]
    with db.session() as session:
        for index in range(3):
            session.add(
                Contact(
                    name=f"p{index}",
                    organization_id=org_id,
                    created_at=NOW,
                    updated_at=NOW,
                    last_contacted=NOW - timedelta(days=index),
                )
            )
        session.add(
            Activity(
                organization_id=org_id, type="call", done=True, add_time=NOW + timedelta(hours=1)
            )
        )
        session.flush()
        refresh_organization_stats(session, [org_id])
    with db.session() as session:
        org = session.get(Organization, org_id)
        assert org is not None
        assert org.contact_count == 3
        assert org.last_activity == NOW + timedelta(hours=1)
        session.execute(Contact.__table__.delete().where(Contact.name == "p0"))  # type: ignore[attr-defined]
        refresh_organization_stats(session)
    with db.session() as session:
        org = session.get(Organization, org_id)
        assert org is not None
        assert org.contact_count == 2


def test_near_matches_become_suggestions_and_dismissals_are_remembered(db: Database) -> None:
    ids = resolve_all(
        db,
        OrganizationFields("Acme Corp", pipedrive_org_id=1),
        OrganizationFields("The ACME Corporation", pipedrive_org_id=2),
        OrganizationFields("General Mills", pipedrive_org_id=3),
        OrganizationFields("General Motors", pipedrive_org_id=4),
    )
    with db.session() as session:
        assert record_suggestions(session, ids, NOW) == 1
        suggestion = session.scalars(select(OrgSuggestionRow)).one()
        assert {suggestion.organization_id, suggestion.candidate_id} == {ids[0], ids[1]}
        set_suggestion_status(session, suggestion.id, "dismissed")
    with db.session() as session:
        assert record_suggestions(session, ids, NOW) == 0
        assert session.scalars(select(OrgSuggestionRow.status)).all() == ["dismissed"]


def test_a_page_reads_only_the_rows_it_names(db: Database) -> None:
    """The resolver looks up the page's ids and names, never whole tables."""
    from sqlalchemy import event

    resolve_all(db, *(OrganizationFields(f"Org {i}", pipedrive_org_id=i) for i in range(1, 51)))
    page = [
        OrganizationFields("Org 7 renamed", pipedrive_org_id=7),
        OrganizationFields("ORG 8", pipedrive_org_id=1008),  # joins "Org 8" by name
        OrganizationFields("Brand new", pipedrive_org_id=2000),
    ]
    selects: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.session() as session:
            ids = [local for local, _ in OrganizationResolver(session).resolve_many(page, NOW)]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    reads = [sql for sql in selects if "organization" in sql]
    assert reads
    assert all(" WHERE " in sql and " IN (" in sql for sql in reads), reads
    assert ids[1] == resolve_all(db, OrganizationFields("Org 8", pipedrive_org_id=8))[0]
    assert len(set(ids)) == 3
