"""A warmness breakdown as the JSON text stored in ``contacts.warmness_breakdown``.

Byte for byte what ``json.dumps(warmness.to_json(), separators=(",", ":"),
ensure_ascii=False)`` gives, so stored rows compare equal across passes, but built
from cached pieces: most contacts share their components' items (the same base
fields, the same recency bracket), and a full pass serialises every contact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final

from pipedriven_desktop.domain.warmness import ScoreComponent, Warmness

#: Serialised components by (name, items); emptied when it grows past this.
_CACHE_LIMIT: Final = 100_000
_components: dict[tuple[str, tuple[ScoreComponent, ...]], str] = {}


def breakdown_text(warmness: Warmness) -> str:
    """The stored JSON text of ``warmness``'s breakdown."""
    parts = [component_text(name, items) for name, items in warmness.breakdown.items()]
    return assembled(warmness.score, warmness.raw, parts)


def assembled(score: int, raw: int, components: Iterable[str]) -> str:
    """The stored JSON text from the score, the unclamped sum and each component's text
    (`component_text`), in the breakdown's order."""
    return f'{{"score":{score},"raw":{raw},"components":{{{",".join(components)}}}}}'


def component_text(name: str, items: tuple[ScoreComponent, ...]) -> str:
    """One component of the stored JSON text: ``"name":{"points":…,"items":[…]}``."""
    key = (name, items)
    text = _components.get(key)
    if text is None:
        text = _component_text(name, items)
        if len(_components) >= _CACHE_LIMIT:
            _components.clear()
        _components[key] = text
    return text


def _component_text(name: str, items: tuple[ScoreComponent, ...]) -> str:
    body = {
        "points": sum(item.points for item in items),
        "items": [{"points": item.points, "reason": item.reason} for item in items],
    }
    return json.dumps(name, ensure_ascii=False) + ":" + _dumps(body)


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
