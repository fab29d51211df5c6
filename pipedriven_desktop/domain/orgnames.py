"""Organization names: the exact key that merges, and the loose key that only suggests.

Two organizations are merged automatically only when their normalized names are equal
(`normalize_org_name`). Everything looser (legal forms in many languages, accents, "&"
versus "and", a leading "The", qualifiers in brackets, "Group"/"Holdings", abbreviations,
small spelling differences) only produces *suggestions* for the user to confirm, weighed
with the evidence around the names (shared email domains and websites for, different
websites, countries and cities against), because a wrong merge is worse than a missed one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from pipedriven_desktop.domain.legal_forms import (
    ABBREVIATIONS,
    GENERIC_LEADING,
    GENERIC_TRAILING,
    fuzzy_legal_form,
    legal_form_length,
)

__all__ = [
    "BORDERLINE_SCORE",
    "FREE_MAIL_DOMAINS",
    "NameKey",
    "OrgCandidate",
    "OrgSuggestion",
    "compare",
    "email_domain",
    "is_free_mail_domain",
    "match_key",
    "name_key",
    "normalize_org_name",
    "org_names_equal",
    "site_name",
    "suggest_matches",
    "website_domain",
]

# --- Suggestion thresholds (scores are rapidfuzz 0..100 on the loose keys) -----------------

#: Spelling similarity that is a suggestion on its own (with the guards below).
SPELLING_SUGGEST_SCORE = 90.0
#: Spelling similarity that becomes a suggestion only with evidence (a shared email
#: domain or website); below it, names are never suggested.
BORDERLINE_SCORE = 80.0
#: Added to the score when an email domain or the website agrees; capped at 100.
EVIDENCE_BONUS = 10.0
#: Every word of one name must resemble some word of the other this much for a
#: spelling-only suggestion ("Deutsche Bank" is not "Deutsche Bahn").
WORD_SIMILARITY_MIN = 80.0
#: Keys shorter than this never become spelling-only suggestions by similarity: one
#: letter in a short name is too often a different company ("Globe" / "Globex")...
SHORT_KEY_LENGTH = 7
#: ... but one typo (a letter wrong, missing, extra, or two swapped) past the first letter
#: is, in keys at least this long ("Netflox", "Pifzer"; not "Loews" / "Lowes").
ONE_TYPO_KEY_LENGTH = 6
#: Score reported for names that differ only by spacing ("Hewlett Packard" / "HewlettPackard").
SPACING_ONLY_SCORE = 98.0
#: Score reported for names that differ only by umlauts written out ("Müller" / "Mueller").
TRANSLITERATED_SCORE = 97.0
#: Score reported for names whose loose keys are identical.
SAME_KEY_SCORE = 100.0
#: Taken off when both websites are known and name different companies.
DIFFERENT_WEBSITE_PENALTY = 15.0
#: Taken off when both countries are known and differ.
DIFFERENT_COUNTRY_PENALTY = 5.0
#: Taken off when both cities are known and differ.
DIFFERENT_CITY_PENALTY = 3.0

# --- Free-mail providers: their domain says nothing about the employer --------------------

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "passport.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "aim.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "t-online.de",
        "freenet.de",
        "arcor.de",
        "posteo.de",
        "posteo.net",
        "mailbox.org",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
        "tutanota.com",
        "tutanota.de",
        "tuta.io",
        "mail.com",
        "email.com",
        "zoho.com",
        "zohomail.com",
        "yandex.com",
        "yandex.ru",
        "ya.ru",
        "mail.ru",
        "inbox.ru",
        "list.ru",
        "bk.ru",
        "rambler.ru",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "naver.com",
        "daum.net",
        "hanmail.net",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "libero.it",
        "virgilio.it",
        "tiscali.it",
        "btinternet.com",
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "cox.net",
        "earthlink.net",
        "bigpond.com",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "onet.pl",
        "interia.pl",
        "bluewin.ch",
        "fastmail.com",
        "fastmail.fm",
        "hey.com",
        "hushmail.com",
        "rediffmail.com",
        "uol.com.br",
        "bol.com.br",
        "terra.com.br",
    }
)

#: Providers with one domain per country ("yahoo.co.uk", "gmx.at", "hotmail.fr", ...).
_FREE_MAIL_FAMILIES: frozenset[str] = frozenset(
    {"gmail", "yahoo", "ymail", "hotmail", "outlook", "live", "windowslive", "msn", "aol", "gmx"}
    | {"yandex", "icloud", "protonmail", "zoho", "libero", "orange"}
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: Two or more labels of letters, digits and inner hyphens.
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+{_LABEL}$")
_URL_END = re.compile(r"[/?#:\s]")
_COUNTRY_SUFFIX_LABEL = re.compile(r"^[a-z]{2,3}$")
_WHITESPACE = re.compile(r"\s+")
_COMMA_WITHOUT_SPACE = re.compile(r",(?=\S)")
_DIGITS = re.compile(r"\d+")
#: Dropped rather than turned into a space, so "O'Reilly"/"OReilly" and "A.B.C."/"ABC" agree.
_JOINING_PUNCTUATION = frozenset("'’‘`´.·")


# --- Exact key ------------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def normalize_org_name(name: str) -> str:
    """The key under which two spellings are the *same* organization and merge silently.

    NFKC, case-folded, punctuation (Unicode category P*) removed, whitespace collapsed and
    trimmed. Apostrophes and dots are deleted outright; other punctuation (dashes, commas,
    slashes, "&", brackets) becomes a space, so "AT&T" and "AT & T" get one key.

    Idempotent: deleting punctuation can bring a letter next to a combining mark that
    NFKC then composes, so the pass repeats until the key no longer changes.
    """
    key = _normalize_once(name)
    if key.isascii():  # letters, digits and single spaces: already stable
        return key
    for _ in range(_MAX_NORMALIZE_PASSES):
        again = _normalize_once(key)
        if again == key:
            break
        key = again
    return key


#: Passes after which a key is stable for every input seen (one is almost always enough).
_MAX_NORMALIZE_PASSES = 4


#: The per-character rule below as a table for ASCII text, where it is most of the work.
_ASCII_PUNCTUATION = {
    code: ("" if chr(code) in _JOINING_PUNCTUATION else " ")
    for code in range(128)
    if unicodedata.category(chr(code)).startswith("P")
}


def _normalize_once(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    if text.isascii():
        return " ".join(text.translate(_ASCII_PUNCTUATION).split())
    chars: list[str] = []
    for ch in text:
        if unicodedata.category(ch).startswith("P"):
            if ch not in _JOINING_PUNCTUATION:
                chars.append(" ")
        else:
            chars.append(ch)
    return " ".join("".join(chars).split())


def org_names_equal(a: str, b: str) -> bool:
    """Whether two names are one organization by the automatic-merge rule."""
    return normalize_org_name(a) == normalize_org_name(b)


# --- Loose key ------------------------------------------------------------------------------

#: Letters NFKD does not decompose, folded the way people type them without the key.
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"}
    | {"ß": "ss", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "ð": "d"}
)
#: German and Scandinavian transliteration ("Müller" → "Mueller", "Ørsted" → "Oersted").
_TRANSLITERATED = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ø": "oe", "Ø": "Oe"}
    | {"å": "aa", "Å": "Aa"}
)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SPACED_PLUS = re.compile(r"\s\+\s")
#: Words that join two names ("Smith & Sons", "Müller und Söhne"), in any of the languages.
_CONNECTORS = frozenset({"and", "und", "et"})


class NameKey(NamedTuple):
    """A name with everything that does not tell companies apart set aside.

    ``set_aside`` says what was set aside (legal form, accents, "The", ...) and how it
    was spelled, so a suggestion can say in what two names differ.
    """

    key: str
    #: the key without spaces: "Hewlett Packard" and "HewlettPackard" agree
    compact: str
    #: the key with umlauts written out ("mueller" for "Müller"); "" when there are none
    transliterated: str
    numbers: tuple[str, ...]
    set_aside: tuple[tuple[str, str], ...]

    @property
    def words(self) -> list[str]:
        return self.key.split()


_EMPTY_KEY = NameKey("", "", "", (), ())


def _fold_accents(text: str) -> str:
    """ "Müller" → "Muller": decompose and drop combining marks."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _key_words(text: str, set_aside: dict[str, list[str]]) -> list[str]:
    """The loose key's words of a name whose accents are already folded."""
    if "&" in text or " + " in text or _SPACED_PLUS.search(text):
        set_aside.setdefault("and", []).append("&")
        text = _SPACED_PLUS.sub(" and ", text.replace("&", " and "))
    words = normalize_org_name(text).split()
    if not _CONNECTORS.isdisjoint(words):
        set_aside.setdefault("and", ["and"])
        words = [word for word in words if word not in _CONNECTORS] or words
    if len(words) > 1 and words[0] == "the":
        set_aside.setdefault("the", []).append("the")
        words = words[1:]
    if len(words) > 1 and words[0] in GENERIC_LEADING:
        set_aside.setdefault("group", []).append(words[0])
        words = words[1:]
    if not ABBREVIATIONS.keys().isdisjoint(words):
        set_aside.setdefault("abbreviation", []).extend(
            word for word in words if word in ABBREVIATIONS
        )
        words = [ABBREVIATIONS.get(word, word) for word in words]
    while len(words) > 1:
        count = legal_form_length(words)
        if count:
            set_aside.setdefault("legal form", []).append(" ".join(words[-count:]))
            words = words[:-count]
        elif words[-1] in GENERIC_TRAILING:
            set_aside.setdefault("group", []).append(words[-1])
            words = words[:-1]
        elif fuzzy_legal_form(words[-1]):
            set_aside.setdefault("misspelt legal form", []).append(words[-1])
            words = words[:-1]
        else:
            break
    return words


@lru_cache(maxsize=131_072)
def name_key(name: str) -> NameKey:
    """The loose key of a name, used only to *suggest* duplicates, never to merge.

    Set aside: a bracketed qualifier ("PTC (software company)"), accents, "&" / "and", a
    leading "The" or "Groupe", legal forms at the end in many languages (also misspelt:
    "Corproation"), a trailing "Group", "Holdings" or "International"; common
    abbreviations ("Intl", "Mfg", "Bros", "Hldgs", ...) are read as their words. A name
    that is nothing but such words keeps its first one rather than becoming empty.
    """
    text = (name if name.isascii() else unicodedata.normalize("NFKC", name)).strip()
    if not text:
        return _EMPTY_KEY
    set_aside: dict[str, list[str]] = {}
    if "(" in text or "[" in text:
        unbracketed = " ".join(_BRACKETED.sub(" ", text).split())
        if unbracketed and unbracketed != text and normalize_org_name(unbracketed):
            set_aside.setdefault("qualifier", []).append(normalize_org_name(text))
            text = unbracketed
    folded = _fold_accents(text)
    if folded != text:
        set_aside.setdefault("accents", []).append(normalize_org_name(text))
    words = _key_words(folded, set_aside)
    key = " ".join(words)
    transliterated = ""
    if "accents" in set_aside and text != text.translate(_TRANSLITERATED):
        written_out = _fold_accents(text.translate(_TRANSLITERATED))
        spelled = " ".join(_key_words(written_out, {}))
        transliterated = spelled if spelled != key else ""
    return NameKey(
        key=key,
        compact=key.replace(" ", ""),
        transliterated=transliterated,
        numbers=tuple(_DIGITS.findall(key)),
        set_aside=tuple((step, " ".join(found)) for step, found in set_aside.items()),
    )


def match_key(name: str) -> str:
    """The loose key of ``name`` as text ("The Acme Corporation" → "acme")."""
    return name_key(name).key


# --- Websites -------------------------------------------------------------------------------

#: Second-level labels under which companies register in some countries ("acme.co.uk").
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "ne", "or", "gen", "ltd"})


@lru_cache(maxsize=65_536)
def website_domain(website: str | None) -> str | None:
    """The host of a website as people type it ("https://www.Acme.com/de" → "acme.com")."""
    if not website:
        return None
    text = website.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    host = _URL_END.split(text, maxsplit=1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host if _DOMAIN.match(host) else None


@lru_cache(maxsize=65_536)
def site_name(domain: str) -> str:
    """The label that names the company in a domain: "acme" for "shop.acme.co.uk"."""
    labels = domain.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


# --- Email domains --------------------------------------------------------------------------


def is_free_mail_domain(domain: str) -> bool:
    """Whether the domain belongs to a mail provider anyone can sign up to."""
    domain = domain.strip().rstrip(".").lower()
    if domain in FREE_MAIL_DOMAINS:
        return True
    first, _, rest = domain.partition(".")
    if first not in _FREE_MAIL_FAMILIES or not rest:
        return False
    # "yahoo.co.uk", "gmx.at": the provider name followed only by a country-style suffix.
    return all(_COUNTRY_SUFFIX_LABEL.match(label) for label in rest.split("."))


def email_domain(email: str | None) -> str | None:
    """The employer-identifying domain of an address; None for free-mail or invalid input."""
    if not email:
        return None
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or any(ch.isspace() for ch in local):
        return None
    domain = domain.rstrip(".").lower()
    if not _DOMAIN.match(domain) or domain.rpartition(".")[2].isdigit():
        return None
    if is_free_mail_domain(domain):
        return None
    return domain


# --- Matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgCandidate:
    """An organization as the matcher sees it: its name and the evidence around it.

    ``email_domains``: its contacts' company email domains; ``website``, ``country`` and
    ``city``: Pipedrive's fields, each optional.
    """

    id: str
    name: str
    email_domains: frozenset[str] = frozenset()
    website: str | None = None
    country: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class OrgSuggestion:
    """A possible duplicate for the user to confirm; score is 0..100."""

    id: str
    name: str
    score: float
    reasons: tuple[str, ...]


#: How each thing set aside reads in a suggestion's reason.
_SET_ASIDE_WORDS = {
    "qualifier": "a bracketed qualifier",
    "accents": "accents",
    "and": "'&' or 'and'",
    "the": "'The'",
    "abbreviation": "abbreviations",
    "legal form": "legal form",
    "misspelt legal form": "a misspelt legal form",
    "group": "'Group' or 'Holdings'",
}


def _same_name_reason(a: NameKey, b: NameKey) -> str:
    ours, theirs = dict(a.set_aside), dict(b.set_aside)
    differing = [
        words for step, words in _SET_ASIDE_WORDS.items() if ours.get(step) != theirs.get(step)
    ]
    return "same name apart from " + (", ".join(differing) or "case and punctuation")


def _words_agree(a: str, b: str) -> bool:
    """Every word on each side has a close counterpart on the other side."""
    words_a, words_b = a.split(), b.split()
    for left, right in ((words_a, words_b), (words_b, words_a)):
        for word in left:
            if max(fuzz.ratio(word, other) for other in right) < WORD_SIMILARITY_MIN:
                return False
    return True


def _spelling_suggests(a: str, b: str, similarity: float) -> bool:
    """Spelling alone is enough for one typo, or when close in every word of a long name.

    The typo is counted with the words in sorted order, as the similarity is: a typo that
    moves a word in that order is no longer "one typo" there.
    """
    shorter = min(len(a), len(b))
    sorted_a, sorted_b = _sorted_words(a), _sorted_words(b)
    if (
        shorter >= ONE_TYPO_KEY_LENGTH
        and sorted_a[0] == sorted_b[0]
        and OSA.distance(sorted_a, sorted_b, score_cutoff=1) <= 1
    ):
        return True
    return (
        shorter >= SHORT_KEY_LENGTH and similarity >= SPELLING_SUGGEST_SCORE and _words_agree(a, b)
    )


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


@lru_cache(maxsize=65_536)
def _company_domains(domains: frozenset[str]) -> frozenset[str]:
    return frozenset(
        d.strip().rstrip(".").lower()
        for d in domains
        if d and d.strip() and not is_free_mail_domain(d)
    )


@lru_cache(maxsize=8192)
def _fold_place(place: str | None) -> str:
    return normalize_org_name(_fold_accents(place)) if place else ""


@dataclass(frozen=True)
class NameMatch:
    """How two names compare, before any evidence."""

    score: float
    reason: str
    #: equal once everything that does not tell companies apart is set aside
    alike: bool
    #: a suggestion on the names alone (unless counter-evidence drops it)
    strong: bool


@lru_cache(maxsize=65_536)
def name_match(name: str, other: str) -> NameMatch | None:
    """How ``other`` compares with ``name``; None when no evidence could make it a suggestion.

    Names equal once normalized are merges, not suggestions, so they are None too, and so
    are names with different numbers ("Studio 54" / "Studio 45").
    """
    if normalize_org_name(name) == normalize_org_name(other):
        return None
    ours, theirs = name_key(name), name_key(other)
    if not ours.key or not theirs.key or ours.numbers != theirs.numbers:
        return None
    if ours.key == theirs.key:
        return NameMatch(SAME_KEY_SCORE, _same_name_reason(ours, theirs), True, True)
    if ours.compact == theirs.compact:
        return NameMatch(SPACING_ONLY_SCORE, "same name apart from spacing or hyphens", True, True)
    if ours.key in (theirs.transliterated, theirs.key) or theirs.key == ours.transliterated:
        reason = "same name apart from umlauts written out"
        return NameMatch(TRANSLITERATED_SCORE, reason, True, True)
    similarity = fuzz.token_sort_ratio(ours.key, theirs.key)
    if similarity < BORDERLINE_SCORE:
        return None
    strong = _spelling_suggests(ours.key, theirs.key, similarity)
    return NameMatch(similarity, f"similar spelling {round(similarity)}", False, strong)


def compare(query: OrgCandidate, candidate: OrgCandidate) -> OrgSuggestion | None:
    """Whether ``candidate`` is a possible duplicate of ``query``, and why; None if not.

    Names alike once legal forms, accents, "&", "The", qualifiers and abbreviations are set
    aside are suggested; so are close spellings of long enough names (``name_match``).
    Evidence lifts the score: a shared company email domain, the same website, one's
    website the other's email domain (a borderline spelling becomes a suggestion).
    Counter-evidence lowers it: different websites or countries drop a spelling-only
    match, and lower an equal one; a different city lowers it.
    """
    match = name_match(query.name, candidate.name)
    if match is None:
        return None
    score, alike, strong = match.score, match.alike, match.strong
    reasons = [match.reason]
    evidence = False
    our_mail, their_mail = (
        _company_domains(query.email_domains),
        _company_domains(candidate.email_domains),
    )
    shared = sorted(our_mail & their_mail)
    if shared:
        reasons.append(f"same email domain {', '.join(shared)}")
        evidence = True
    our_site, their_site = website_domain(query.website), website_domain(candidate.website)
    if our_site and their_site:
        if site_name(our_site) == site_name(their_site):
            reasons.append(f"same website {their_site}")
            evidence = True
        else:
            reasons.append(f"different websites {our_site} / {their_site}")
            if not alike:
                return None
            score -= DIFFERENT_WEBSITE_PENALTY
    for site, mail in ((our_site, their_mail), (their_site, our_mail)):
        if site and not evidence and any(site_name(site) == site_name(d) for d in mail):
            reasons.append(f"website {site} is their email domain")
            evidence = True
    if evidence:
        score = min(100.0, score + EVIDENCE_BONUS)
    elif not strong:
        return None
    our_country, their_country = _fold_place(query.country), _fold_place(candidate.country)
    if our_country and their_country and our_country != their_country:
        reasons.append(f"different countries {query.country} / {candidate.country}")
        if not alike and not evidence:
            return None
        score -= DIFFERENT_COUNTRY_PENALTY
    elif (
        _fold_place(query.city)
        and _fold_place(candidate.city)
        and _fold_place(query.city) != _fold_place(candidate.city)
    ):
        reasons.append(f"different cities {query.city} / {candidate.city}")
        score -= DIFFERENT_CITY_PENALTY
    return OrgSuggestion(
        id=candidate.id, name=candidate.name, score=round(score, 1), reasons=tuple(reasons)
    )


def suggest_matches(
    name: str,
    candidates: Iterable[OrgCandidate],
    email_domains: frozenset[str] = frozenset(),
    limit: int = 5,
    *,
    website: str | None = None,
    country: str | None = None,
    city: str | None = None,
) -> list[OrgSuggestion]:
    """Near matches of ``name`` among ``candidates``, best first, for the user to confirm.

    The rules are ``compare``'s; this is its convenience for one name against a few
    candidates (``org_index`` narrows thousands first).
    """
    if limit <= 0:
        return []
    query = OrgCandidate("", name, email_domains, website, country, city)
    found = [s for c in candidates if (s := compare(query, c)) is not None]
    found.sort(key=lambda s: (-s.score, -len(s.reasons), normalize_org_name(s.name), s.id))
    return found[:limit]
