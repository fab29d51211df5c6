"""The ``orgs`` listing gives the industry's label, as the card does, not Pipedrive's id."""

from __future__ import annotations

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_labels import set_industry_labels
from pipedriven_desktop.store.org_listing import organization_listing
from tests.store.org_fixture import ACME, ACME_CORPORATION, LONELY, build_org_mirror


def test_the_listing_shows_industry_labels(db: Database) -> None:
    build_org_mirror(db)  # Acme Corp's industry is the text "Software"
    with db.session() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE organizations SET industry = '27' WHERE id = ?", (LONELY,))
        conn.exec_driver_sql(
            "UPDATE organizations SET industry = '99' WHERE id = ?", (ACME_CORPORATION,)
        )
        set_industry_labels(conn, {27: "Technology"})
    industries = {o["id"]: o["industry"] for o in organization_listing(db.reader())}
    assert industries == {ACME: "Software", LONELY: "Technology", ACME_CORPORATION: "99"}
