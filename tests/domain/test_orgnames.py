"""Organization names: exact keys merge, loose keys only suggest, and traps stay apart."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipedriven_desktop.domain.orgnames import (
    OrgCandidate,
    OrgSuggestion,
    email_domain,
    is_free_mail_domain,
    match_key,
    normalize_org_name,
    org_names_equal,
    site_name,
    suggest_matches,
    website_domain,
)


def cands(*names: str) -> list[OrgCandidate]:
    return [OrgCandidate(id=f"org-{i}", name=name) for i, name in enumerate(names)]


# --- normalize_org_name ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme Corp.", "acme corp"),
        ("ACME CORPORATION", "acme corporation"),
        ("Acme Corp Ltd.", "acme corp ltd"),
        ("", ""),
        ("   \t\n ", ""),
        ("  Acme    Corp  ", "acme corp"),
        ("Acme\u00a0Corp", "acme corp"),  # no-break space
        ("ＡＣＭＥ Corp", "acme corp"),  # full-width letters (NFKC)
        ("Straße GmbH", "strasse gmbh"),  # casefold, not lower
        ("Müller GmbH", "müller gmbh"),  # accents kept: they only loosen suggestions
        ("AT&T", "at t"),
        ("AT & T", "at t"),
        ("O'Reilly Media", "oreilly media"),
        ("O’Reilly Media", "oreilly media"),
        ("A.B.C. Holdings", "abc holdings"),
        ("Hewlett-Packard", "hewlett packard"),
        ("Acme (Europe), Inc.", "acme europe inc"),
        ("Acme Corp.,Ltd", "acme corp ltd"),
        ("Acme+", "acme+"),  # symbols are not punctuation
    ],
)
def test_normalize_org_name(name: str, expected: str) -> None:
    assert normalize_org_name(name) == expected


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("Acme Corp.", "ACME Corp", True),
        ("Acme Corp.", "Acme Corp", True),
        ("Acme Corp", "ACME CORPORATION", False),
        ("Müller", "Muller", False),
        ("", "  ", True),
    ],
)
def test_org_names_equal(a: str, b: str, equal: bool) -> None:
    assert org_names_equal(a, b) is equal


# --- match_key ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Acme Corporation", "acme"),
        ("ACME Corp.", "acme"),
        ("Acmé, Inc.", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Globex Corporation Ltd", "globex"),
        ("Müller GmbH", "muller"),
        ("Johnson & Johnson", "johnson johnson"),
        ("Johnson and Johnson Inc", "johnson johnson"),
        ("Smith & Co", "smith"),
        ("Société Générale S.A.", "societe generale"),
        ("Theranos", "theranos"),  # only a whole leading word "the"
        ("Inc.", "inc"),  # nothing but a suffix: kept, never empty
        ("", ""),
    ],
)
def test_match_key(name: str, expected: str) -> None:
    assert match_key(name) == expected


# --- suggest_matches: what must be suggested ------------------------------------------------


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("Acme Corp.", "The ACME Corporation"),
        ("Müller GmbH", "Muller"),
        ("Johnson & Johnson", "Johnson and Johnson Inc"),
        ("Globex Corp", "Globex Corporation Ltd"),
        ("Acmé, Inc.", "ACME Corp."),
        ("Apple", "Apple Inc."),
        ("Microsoft Corporation", "Microsft Corp"),  # one typo in a long name
        ("United Airlines", "United Airline Inc."),
        ("Hewlett Packard", "HewlettPackard"),
        ("Société Générale", "Societe Generale SA"),
    ],
)
def test_near_matches_are_suggested(query: str, stored: str) -> None:
    suggestions = suggest_matches(query, cands(stored))
    assert [s.name for s in suggestions] == [stored]
    # and the other way round
    assert [s.name for s in suggest_matches(stored, cands(query))] == [query]


def test_suggestion_fields_and_reason() -> None:
    [suggestion] = suggest_matches("Acme Corp.", cands("The ACME Corporation"))
    assert suggestion == OrgSuggestion(
        id="org-0",
        name="The ACME Corporation",
        score=100.0,
        reasons=("same name apart from 'The', legal form",),
    )


def test_spelling_reason_carries_the_score() -> None:
    [suggestion] = suggest_matches("Microsoft", cands("Microsft"))
    assert suggestion.reasons == ("similar spelling 94",)
    assert suggestion.score == pytest.approx(94.1, abs=0.1)


# --- suggest_matches: what must not be suggested --------------------------------------------


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("General Motors", "General Mills"),
        ("Apple", "Apple Hospitality REIT"),
        ("IBM", "International Business Machines"),
        ("Deutsche Bank", "Deutsche Bahn"),
        ("American Airlines", "American Express"),
        ("Globe", "Globex"),  # one letter in a short name
        ("Acme", "Acne"),
        ("Studio 54", "Studio 45"),
        ("Acme 1", "Acme 2"),
        ("Siemens", "Siemens Healthineers"),
        ("Initech", "Initrode"),
    ],
)
def test_traps_are_not_suggested(query: str, stored: str) -> None:
    assert suggest_matches(query, cands(stored)) == []
    assert suggest_matches(stored, cands(query)) == []


def test_exact_normalized_equals_are_merges_not_suggestions() -> None:
    stored = cands("Acme Corp", "ACME CORPORATION")
    suggestions = suggest_matches("Acme Corp.", stored)
    assert [s.name for s in suggestions] == ["ACME CORPORATION"]


@pytest.mark.parametrize("name", ["", "   ", "..."])
def test_empty_names_suggest_nothing(name: str) -> None:
    assert suggest_matches(name, cands("Acme", "Globex")) == []


def test_limit_and_order() -> None:
    stored = cands("Acme Inc", "Acme GmbH", "Acme Ltd", "Acmee Corporation", "Globex")
    ranked = suggest_matches(
        "Acme Corp.",
        [*stored, OrgCandidate("dom", "Acme SA", frozenset({"acme.com"}))],
        email_domains=frozenset({"acme.com"}),
    )
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranked[0].id == "dom"  # same score, more evidence first
    assert "Globex" not in [s.name for s in ranked]
    assert len(suggest_matches("Acme Corp.", stored, limit=2)) == 2
    assert suggest_matches("Acme Corp.", stored, limit=0) == []


# --- suggest_matches: email domain evidence -------------------------------------------------


def with_domains(name: str, *domains: str) -> OrgCandidate:
    return OrgCandidate(id="org-x", name=name, email_domains=frozenset(domains))


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("Northwind Traders", "Northwind Trading"),  # 82: borderline
        ("Amgen", "Amgem"),  # 80 but short
        ("Globe", "Globex"),
        ("Bayer", "Beyer"),
    ],
)
def test_shared_domain_lifts_borderline_to_suggestion(query: str, stored: str) -> None:
    assert suggest_matches(query, [with_domains(stored, "example-corp.com")]) == []
    [suggestion] = suggest_matches(
        query,
        [with_domains(stored, "example-corp.com", "other.org")],
        email_domains=frozenset({"Example-Corp.com"}),
    )
    assert "same email domain example-corp.com" in suggestion.reasons
    assert suggestion.reasons[0].startswith("similar spelling")


def test_shared_domain_raises_the_score() -> None:
    stored = [with_domains("Microsft", "microsoft.com")]
    [alone] = suggest_matches("Microsoft", stored)
    [backed] = suggest_matches("Microsoft", stored, email_domains=frozenset({"microsoft.com"}))
    assert backed.score > alone.score
    assert backed.score <= 100.0


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("General Motors", "General Mills"),
        ("Acme", "Globex"),
        ("IBM", "International Business Machines"),
        ("Studio 54", "Studio 45"),
    ],
)
def test_shared_domain_alone_is_not_enough(query: str, stored: str) -> None:
    result = suggest_matches(
        query, [with_domains(stored, "shared.com")], email_domains=frozenset({"shared.com"})
    )
    assert result == []


@pytest.mark.parametrize("domain", ["gmail.com", "yahoo.co.uk", "outlook.com", "gmx.de", "web.de"])
def test_free_mail_domains_are_not_evidence(domain: str) -> None:
    result = suggest_matches(
        "Northwind Traders",
        [with_domains("Northwind Trading", domain)],
        email_domains=frozenset({domain}),
    )
    assert result == []


# --- email_domain ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("jane@acme.com", "acme.com"),
        ("Jane.Doe@ACME.Co.UK", "acme.co.uk"),
        ("  jane@acme.com  ", "acme.com"),
        ("jane@sales.acme.com", "sales.acme.com"),
        ('"odd@local"@acme.com', "acme.com"),
        ("jane@gmail.com", None),
        ("jane@googlemail.com", None),
        ("jane@yahoo.com", None),
        ("jane@yahoo.co.uk", None),
        ("jane@yahoo.de", None),
        ("jane@hotmail.com", None),
        ("jane@hotmail.fr", None),
        ("jane@outlook.com", None),
        ("jane@icloud.com", None),
        ("jane@gmx.de", None),
        ("jane@gmx.net", None),
        ("jane@web.de", None),
        ("jane@proton.me", None),
        ("jane@protonmail.com", None),
        ("jane@aol.com", None),
        ("jane@live.com", None),
        ("jane@mail.ru", None),
        ("jane@livenation.com", "livenation.com"),
        ("jane@live.nation.com", "live.nation.com"),
        (None, None),
        ("", None),
        ("jane", None),
        ("@acme.com", None),
        ("jane@", None),
        ("jane@acme", None),
        ("jane@acme..com", None),
        ("jane@-acme.com", None),
        ("jane@10.0.0.1", None),
        ("ja ne@acme.com", None),
    ],
)
def test_email_domain(email: str | None, expected: str | None) -> None:
    assert email_domain(email) == expected


@pytest.mark.parametrize(
    ("domain", "free"),
    [("GMAIL.COM", True), ("yahoo.com.br", True), ("acme.com", False), ("gmx.example.com", False)],
)
def test_is_free_mail_domain(domain: str, free: bool) -> None:
    assert is_free_mail_domain(domain) is free


# --- idempotence ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["'\u2754\u1f9f\u0301'", "\u1dd5\u2019\u0319", "e'\u0301 Corp"])
def test_normalizing_twice_gives_the_same_key_when_punctuation_joins_combining_marks(
    name: str,
) -> None:
    once = normalize_org_name(name)
    assert normalize_org_name(once) == once


@settings(max_examples=2000, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=12))
def test_normalize_org_name_is_idempotent(name: str) -> None:
    once = normalize_org_name(name)
    assert normalize_org_name(once) == once


# --- The spellings salespeople and imports produce ------------------------------------------


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("Acme Corproation", "Acme Corporation"),  # typo in the legal form
        ("Globex Limted", "Globex"),
        ("Acme Intl", "Acme International"),
        ("Acme Mfg Co", "Acme Manufacturing Company"),
        ("Zenith Tech Inc", "Zenith Technologies"),
        ("Warner Bros", "Warner Brothers"),
        ("Stark Hldgs", "Stark Holdings"),
        ("Stark Inds", "Stark Industries"),
        ("Vertex Comms", "Vertex Communications"),
        ("PTC (software company)", "PTC"),
        ("Acme Group", "Acme"),
        ("Acme Holdings plc", "Acme Ltd"),
        ("Groupe SEB", "SEB SA"),
        ("Coca-Cola", "Coca Cola Company"),
        ("Coca-Cola", "CocaCola"),
        ("Müller & Söhne", "Müller und Söhne GmbH"),
        ("Kühne + Nagel", "Kuehne & Nagel AG"),  # '+', umlaut written out
        ("Nestlé S.A.", "Nestle"),
        ("Netflox", "Netflix Inc."),  # one letter wrong
        ("Pifzer", "Pfizer"),  # two letters swapped
        ("Zoom Video Communicatiosn", "Zoom Video Communications Inc."),
        ("Acme S.A. de C.V.", "Acme SA"),
        ("Ørsted A/S", "Oersted"),
    ],
)
def test_realistic_variants_are_suggested(query: str, stored: str) -> None:
    assert [s.name for s in suggest_matches(query, cands(stored))] == [stored]
    assert [s.name for s in suggest_matches(stored, cands(query))] == [query]


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("Aldi Süd", "Aldi Nord"),
        ("Siemens AG", "Siemens Energy AG"),
        ("Loews", "Lowe's"),  # one swap in a short name
        ("Valero", "Valeo"),
        ("Volvo AB", "Volvo Car AB"),
        ("Tata Motors", "Tata Steel"),
        ("Lenovo Group", "Lenovo PC International"),
        ("Stadtwerke München GmbH", "Stadtwerke Köln GmbH"),
    ],
)
def test_more_traps_stay_apart(query: str, stored: str) -> None:
    assert suggest_matches(query, cands(stored)) == []
    assert suggest_matches(stored, cands(query)) == []


def test_the_reason_names_what_differs() -> None:
    [suggestion] = suggest_matches("The Acme Intl Corp.", cands("Acme International"))
    assert suggestion.reasons == ("same name apart from 'The', abbreviations, legal form",)
    [spacing] = suggest_matches("Coca-Cola", cands("CocaCola"))
    assert spacing.reasons == ("same name apart from spacing or hyphens",)
    [umlaut] = suggest_matches("Müller", cands("Mueller"))
    assert umlaut.reasons == ("same name apart from umlauts written out",)


# --- Websites, countries and cities as evidence ---------------------------------------------


@pytest.mark.parametrize(
    ("website", "expected"),
    [
        ("https://www.Acme.com/de", "acme.com"),
        ("acme.co.uk", "acme.co.uk"),
        ("http://shop.acme.com:8080?x=1", "shop.acme.com"),
        ("www.acme.de", "acme.de"),
        ("not a website", None),
        ("", None),
        (None, None),
    ],
)
def test_website_domain(website: str | None, expected: str | None) -> None:
    assert website_domain(website) == expected


@pytest.mark.parametrize(
    ("domain", "name"),
    [("acme.com", "acme"), ("shop.acme.co.uk", "acme"), ("acme.de", "acme"), ("acme", "acme")],
)
def test_site_name(domain: str, name: str) -> None:
    assert site_name(domain) == name


def org(name: str, **evidence: object) -> OrgCandidate:
    return OrgCandidate(id="org-x", name=name, **evidence)  # type: ignore[arg-type]


def test_the_same_website_lifts_a_borderline_spelling() -> None:
    assert suggest_matches("Northwind Traders", [org("Northwind Trading")]) == []
    [suggestion] = suggest_matches(
        "Northwind Traders",
        [org("Northwind Trading", website="https://northwind.com")],
        website="www.northwind.de",  # the same company's site in another country
    )
    assert "same website northwind.com" in suggestion.reasons


def test_a_website_that_is_the_others_email_domain_is_evidence() -> None:
    [suggestion] = suggest_matches(
        "Northwind Traders",
        [org("Northwind Trading", email_domains=frozenset({"northwind.com"}))],
        website="northwind.com",
    )
    assert "website northwind.com is their email domain" in suggestion.reasons


def test_different_websites_drop_a_spelling_match_and_lower_an_equal_name() -> None:
    typo = suggest_matches("Netflox", [org("Netflix", website="netflix.com")], website="netflox.io")
    assert typo == []
    [same] = suggest_matches(
        "Acme Inc", [org("Acme GmbH", website="acme.de")], website="acme-tools.com"
    )
    [plain] = suggest_matches("Acme Inc", [org("Acme GmbH")])
    assert same.score < plain.score
    assert "different websites acme-tools.com / acme.de" in same.reasons


def test_different_countries_drop_a_spelling_match_without_other_evidence() -> None:
    assert (
        suggest_matches("Netflox", [org("Netflix", country="United States")], country="Germany")
        == []
    )
    [backed] = suggest_matches(
        "Netflox",
        [org("Netflix", country="United States", email_domains=frozenset({"netflix.com"}))],
        email_domains=frozenset({"netflix.com"}),
        country="Germany",
    )
    assert "different countries Germany / United States" in backed.reasons
    [same] = suggest_matches("Acme Inc", [org("Acme GmbH", country="Germany")], country="France")
    assert same.score == pytest.approx(95.0)


def test_a_different_city_lowers_the_score_a_little() -> None:
    [moved] = suggest_matches("Acme Inc", [org("Acme GmbH", city="Köln")], city="Berlin")
    assert moved.score == pytest.approx(97.0)
    assert "different cities Berlin / Köln" in moved.reasons
    [same] = suggest_matches("Acme Inc", [org("Acme GmbH", city="Koln")], city="Köln")
    assert same.score == pytest.approx(100.0)
