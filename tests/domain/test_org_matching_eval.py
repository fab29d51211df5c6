"""The matcher on the committed labelled set of real company names keeps the issue's floors."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.domain.org_matching_eval import LabelledPair, evaluate, load_pairs, without_evidence

PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.95


@pytest.fixture(scope="module")
def pairs() -> list[LabelledPair]:
    return load_pairs()


def test_the_set_is_a_few_hundred_of_each_label_across_every_kind(
    pairs: list[LabelledPair],
) -> None:
    labels = Counter(pair.duplicate for pair in pairs)
    assert labels[True] >= 300
    assert labels[False] >= 300
    kinds = {pair.kind.split(",")[0].split(" + ")[0] for pair in pairs if pair.duplicate}
    assert {"legal form", "typo", "abbreviation", "qualifier", "group word"} <= kinds
    assert {"hyphen or space", "accents", "the", "& or and"} <= kinds


def test_precision_and_recall_with_the_evidence_a_crm_has(pairs: list[LabelledPair]) -> None:
    scores = evaluate(pairs)
    assert scores.precision >= PRECISION_FLOOR, scores.wrong
    assert scores.recall >= RECALL_FLOOR, scores.missed


def test_precision_and_recall_by_names_alone(pairs: list[LabelledPair]) -> None:
    scores = evaluate(without_evidence(pair) for pair in pairs)
    assert scores.precision >= PRECISION_FLOOR, scores.wrong
    assert scores.recall >= RECALL_FLOOR, scores.missed


def test_no_distinct_companies_merge_automatically(pairs: list[LabelledPair]) -> None:
    assert evaluate(pairs).automatic_merges_of_distinct == 0
