"""Organization names: the exact key that merges, and the loose key that only suggests.

Two organizations are merged automatically only when their normalized names are equal
(`normalize_org_name`). Everything looser (legal suffixes, accents, "&" versus "and", a
leading "The", small spelling differences, a shared company email domain) only produces
*suggestions* for the user to confirm, because a wrong merge is worse than a missed one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cleanco import basename
from rapidfuzz import fuzz, process

__all__ = [
    "FREE_MAIL_DOMAINS",
    "OrgCandidate",
    "OrgSuggestion",
    "email_domain",
    "is_free_mail_domain",
    "match_key",
    "normalize_org_name",
    "org_names_equal",
    "suggest_matches",
]

# --- Suggestion thresholds (scores are rapidfuzz 0..100 on `match_key`) --------------------

#: Spelling similarity that is a suggestion on its own (with the guards below).
SPELLING_SUGGEST_SCORE = 90.0
#: Spelling similarity that becomes a suggestion only when an email domain is shared.
BORDERLINE_SCORE = 80.0
#: Added to the score when a non-free email domain is shared; capped at 100.
SHARED_DOMAIN_BONUS = 10.0
#: Every word of one name must resemble some word of the other this much for a
#: spelling-only suggestion ("Deutsche Bank" is not "Deutsche Bahn").
WORD_SIMILARITY_MIN = 80.0
#: Keys shorter than this never become spelling-only suggestions: one letter in a short
#: name is too often a different company ("Globe" / "Globex").
SHORT_KEY_LENGTH = 7
#: Score reported for names that differ only by spacing ("Hewlett Packard" / "HewlettPackard").
SPACING_ONLY_SCORE = 98.0
#: Score reported for names whose match keys are identical.
SAME_KEY_SCORE = 100.0

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

_DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_COUNTRY_SUFFIX_LABEL = re.compile(r"^[a-z]{2,3}$")
_WHITESPACE = re.compile(r"\s+")
_COMMA_WITHOUT_SPACE = re.compile(r",(?=\S)")
_DIGITS = re.compile(r"\d+")
#: Dropped rather than turned into a space, so "O'Reilly"/"OReilly" and "A.B.C."/"ABC" agree.
_JOINING_PUNCTUATION = frozenset("'’‘`´.·")
_DANGLING_CONNECTORS = frozenset({"and", "&", "und", "et", "y"})


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


def _normalize_once(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    if text.isascii() and text.replace(" ", "").isalnum():
        return " ".join(text.split())
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


def _strip_legal_suffixes(text: str) -> str:
    """Remove legal forms repeatedly ("Globex Corporation Ltd" has two), never to nothing."""
    current = _COMMA_WITHOUT_SPACE.sub(", ", text).strip()
    while True:
        stripped = str(basename(current)).strip()
        words = stripped.split()
        # "Smith & Co" loses "Co" but keeps a dangling "&"; it belongs to the suffix.
        while len(words) > 1 and words[-1].casefold() in _DANGLING_CONNECTORS:
            words.pop()
        stripped = " ".join(words)
        if not stripped or stripped == current:
            return current
        current = stripped


def _fold_accents(text: str) -> str:
    """ "Müller" → "Muller": decompose and drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)
def match_key(name: str) -> str:
    """The loose key used only to *suggest* duplicates, never to merge.

    Legal suffixes set aside (cleanco), accents folded, "&" read as "and", a leading "the"
    dropped, then normalized. "The Acme Corporation", "ACME Corp." and "Acmé, Inc." all
    give "acme". A name that is nothing but a suffix keeps it rather than becoming empty.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        return ""
    # cleanco knows "GmbH & Co. KG" with its "&", so suffixes go before "&" becomes "and".
    text = _strip_legal_suffixes(text)
    text = _fold_accents(text).replace("&", " and ")
    key = normalize_org_name(text)
    if key.startswith("the ") and len(key) > 4:
        key = key[4:]
    # Folding and dropping the article can uncover a suffix cleanco did not see before.
    restripped = normalize_org_name(_strip_legal_suffixes(key)) if key else ""
    return restripped or key


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
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None
    if is_free_mail_domain(domain):
        return None
    return domain


# --- Matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgCandidate:
    """An organization already in the store, as the matcher needs to see it."""

    id: str
    name: str
    email_domains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OrgSuggestion:
    """A possible duplicate for the user to confirm; score is 0..100."""

    id: str
    name: str
    score: float
    reasons: tuple[str, ...]


def _words_agree(a: str, b: str) -> bool:
    """Every word on each side has a close counterpart on the other side."""
    words_a, words_b = a.split(), b.split()
    for left, right in ((words_a, words_b), (words_b, words_a)):
        for word in left:
            if max(fuzz.ratio(word, other) for other in right) < WORD_SIMILARITY_MIN:
                return False
    return True


def _spelling_suggests(query_key: str, key: str, similarity: float) -> bool:
    """Spelling alone is enough only when it is close in every word and not too short."""
    return (
        similarity >= SPELLING_SUGGEST_SCORE
        and min(len(query_key), len(key)) >= SHORT_KEY_LENGTH
        and _words_agree(query_key, key)
    )


def _free_of_free_mail(domains: Iterable[str]) -> frozenset[str]:
    return frozenset(
        d.strip().rstrip(".").lower()
        for d in domains
        if d and d.strip() and not is_free_mail_domain(d)
    )


def suggest_matches(
    name: str,
    candidates: Iterable[OrgCandidate],
    email_domains: frozenset[str] = frozenset(),
    limit: int = 5,
) -> list[OrgSuggestion]:
    """Near matches of `name` among `candidates`, best first, for the user to confirm.

    Exact normalized equals are left out: those are merges, not suggestions. Scores come
    from rapidfuzz on `match_key` (the processor). A shared company email domain lifts a
    borderline spelling score into a suggestion and is given as a reason; it never makes
    dissimilar names a suggestion on its own. Different numbers ("Studio 54" / "Studio
    45") are never suggested.
    """
    if limit <= 0:
        return []
    exact = normalize_org_name(name)
    query_key = match_key(name)
    if not exact or not query_key:
        return []
    pool = [c for c in candidates if normalize_org_name(c.name) != exact]
    if not pool:
        return []
    our_domains = _free_of_free_mail(email_domains)
    query_compact = query_key.replace(" ", "")
    query_numbers = _DIGITS.findall(query_key)

    scored: dict[int, float] = {
        index: similarity
        for _, similarity, index in process.extract(
            name,
            [c.name for c in pool],
            scorer=fuzz.token_sort_ratio,
            processor=match_key,
            score_cutoff=BORDERLINE_SCORE,
            limit=None,
        )
    }
    for index, candidate in enumerate(pool):
        if index not in scored and match_key(candidate.name).replace(" ", "") == query_compact:
            scored[index] = SPACING_ONLY_SCORE

    suggestions: list[OrgSuggestion] = []
    for index, similarity in scored.items():
        candidate = pool[index]
        key = match_key(candidate.name)
        if not key or _DIGITS.findall(key) != query_numbers:
            continue
        reasons: list[str] = []
        if key == query_key:
            score = SAME_KEY_SCORE
            reasons.append("same name without legal suffix, accents, '&' or 'The'")
        elif key.replace(" ", "") == query_compact:
            score = SPACING_ONLY_SCORE
            reasons.append("same name apart from spacing")
        else:
            score = similarity
            reasons.append(f"similar spelling {round(similarity)}")
        shared = sorted(our_domains & _free_of_free_mail(candidate.email_domains))
        strong = score >= SPACING_ONLY_SCORE or _spelling_suggests(query_key, key, similarity)
        if shared:
            reasons.append(f"same email domain {', '.join(shared)}")
            score = min(100.0, score + SHARED_DOMAIN_BONUS)
        elif not strong:
            continue
        suggestions.append(
            OrgSuggestion(id=candidate.id, name=candidate.name, score=score, reasons=tuple(reasons))
        )
    suggestions.sort(key=lambda s: (-s.score, -len(s.reasons), normalize_org_name(s.name), s.id))
    return suggestions[:limit]
