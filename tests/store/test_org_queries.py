"""Organization reads: scoped sidebar counts, an organization's card, open suggestions."""

from __future__ import annotations

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_queries import DealTotal, OrgQueries, Spelling
from tests.store.org_fixture import (
    ACME,
    ACME_CORPORATION,
    LONELY,
    OWNER,
    SUGGESTION,
    build_org_mirror,
)


def counts_by_id(db: Database, owner_id: int | None, search: str = "") -> dict[str, int]:
    sidebar = OrgQueries(db).sidebar(owner_id, search)
    return {org.id: org.contact_count for org in sidebar.organizations}


def test_my500_counts_only_the_users_contacts_and_hides_the_rest(db: Database) -> None:
    build_org_mirror(db)
    sidebar = OrgQueries(db).sidebar(OWNER)
    assert (sidebar.all_count, sidebar.no_organization) == (5, 1)
    assert sidebar.no_organization_share == 0.2
    # Acme Corp has 5 contacts in all, 3 of them the user's; Lonely Ltd none of theirs.
    assert [(org.id, org.contact_count) for org in sidebar.organizations] == [
        (ACME, 3),
        (ACME_CORPORATION, 1),
    ]


def test_all_contacts_counts_everyones(db: Database) -> None:
    build_org_mirror(db)
    sidebar = OrgQueries(db).sidebar(None)
    assert (sidebar.all_count, sidebar.no_organization) == (10, 2)
    assert counts_by_id(db, None) == {ACME: 5, LONELY: 2, ACME_CORPORATION: 1}


def test_search_narrows_the_organizations_not_the_fixed_counts(db: Database) -> None:
    build_org_mirror(db)
    sidebar = OrgQueries(db).sidebar(OWNER, "corporation")
    assert [org.id for org in sidebar.organizations] == [ACME_CORPORATION]
    assert sidebar.all_count == 5


def test_counts_follow_a_write(db: Database) -> None:
    build_org_mirror(db)
    queries = OrgQueries(db)
    assert queries.sidebar(OWNER).no_organization == 1
    db.reader().execute("UPDATE contacts SET organization_id = NULL WHERE id = 'contact-6'")
    assert queries.sidebar(OWNER).no_organization == 2


def test_card_of_a_known_organization(db: Database) -> None:
    build_org_mirror(db)
    card = OrgQueries(db).card(ACME, OWNER)
    assert card is not None
    assert card.name == "Acme Corp"
    assert card.spellings == (Spelling(1, "Acme Corp"), Spelling(6, "ACME Corp."))
    assert (card.industry, card.size, card.website) == ("Software", 120, "acme.com")
    assert (card.address, card.city, card.country) == ("Königsallee 1", "Düsseldorf", "Germany")
    assert (card.contacts_mine, card.contacts_all) == (3, 5)
    assert card.warmness_mix == {WarmnessBand.COLD: 1, WarmnessBand.WARM: 1, WarmnessBand.HOT: 1}
    assert card.open_deals == (DealTotal("EUR", 2, 350.0),)  # the won deal is not open
    assert card.last_activity is not None
    assert card.last_activity.day == 20


def test_card_mix_counts_everyone_in_all_contacts(db: Database) -> None:
    build_org_mirror(db)
    card = OrgQueries(db).card(ACME, None)
    assert card is not None
    assert sum(card.warmness_mix.values()) == 5
    assert card.warmness_mix[WarmnessBand.HOT] == 2


def test_card_falls_back_to_the_latest_activity(db: Database) -> None:
    build_org_mirror(db)
    card = OrgQueries(db).card(ACME_CORPORATION, OWNER)
    assert card is not None
    assert card.last_activity is not None
    assert card.last_activity.month == 10
    assert OrgQueries(db).card("no-such-org", OWNER) is None


def test_open_suggestions_summarize_both_sides(db: Database) -> None:
    build_org_mirror(db)
    queries = OrgQueries(db)
    assert queries.open_suggestion_count() == 1
    (suggestion,) = queries.open_suggestions(OWNER)
    assert suggestion.id == SUGGESTION
    assert (suggestion.left.id, suggestion.right.id) == (ACME, ACME_CORPORATION)
    assert suggestion.reasons == ("same name without legal suffix", "same email domain acme.com")
    assert suggestion.shared_domains == ("acme.com",)  # gmail.com is nobody's company
    assert (suggestion.left.contacts_mine, suggestion.left.contacts_all) == (3, 5)
    assert suggestion.right.open_deals == (DealTotal("USD", 1, 40.0),)
    assert [s.pipedrive_org_id for s in suggestion.left.spellings] == [1, 6]
    db.reader().execute("UPDATE org_suggestions SET status = 'kept_separate'")
    assert queries.open_suggestions(OWNER) == ()
    assert queries.open_suggestion_count() == 0
