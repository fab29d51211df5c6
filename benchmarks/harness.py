"""Timing helpers and the figure record that ``results.json`` is made of."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured figure beside its target and the naive approach's figure."""

    figure: str
    value: float
    unit: str
    target: float | None = None
    naive: float | None = None
    higher_is_better: bool = False
    minimum: float | None = None
    maximum: float | None = None
    runs: int = 1
    note: str = ""
    #: How the naive figure was extrapolated ("": it was measured whole).
    naive_extrapolated: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """How many times better than naive (>1 means better)."""
        if self.naive is None or not self.value:
            return None
        return self.value / self.naive if self.higher_is_better else self.naive / self.value

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 2)
        data["meets_target"] = self.meets_target
        return data


@dataclass(frozen=True)
class Timing:
    median: float
    minimum: float
    maximum: float
    samples: tuple[float, ...]

    def percentile(self, pct: float) -> float:
        ordered = sorted(self.samples)
        index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
        return ordered[index]


def time_ms(action: Callable[[], object], repeat: int = 7, warmup: int = 1) -> Timing:
    """Run ``action`` repeatedly; milliseconds as median, min and max."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(
        median=statistics.median(samples),
        minimum=min(samples),
        maximum=max(samples),
        samples=tuple(samples),
    )


def markdown_table(figures: list[Figure]) -> str:
    """The figures as a Markdown table; extrapolated naive figures are marked ≈ and
    explained under the table."""
    lines = [
        "| figure | value | min–max | target | naive | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fig in figures:
        lines.append(
            f"| {fig.figure} | {_num(fig.value)} {fig.unit} | {_spread(fig)} | {_target(fig)} "
            f"| {_naive(fig)} | {_ratio(fig)} |"
        )
    return "\n".join(lines) + extrapolation_notes(figures)


def scale_table(pairs: list[tuple[str, Figure | None, Figure | None]], sizes: str) -> str:
    """Each figure at two sizes from the same run, side by side; the target is the larger's.

    ``pairs``: (figure without its size, smaller, larger); None where it was not measured.
    """
    small_label, large_label = sizes.split("/")
    lines = [
        f"| figure | {small_label} | min–max | {large_label} | min–max | target "
        f"| naive ({large_label}) | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, small, large in pairs:
        cells = [name]
        for fig in (small, large):
            cells += (
                ["not measured", ""] if fig is None else [_value(fig, marked=True), _spread(fig)]
            )
        target = next((fig for fig in (large, small) if fig is not None and fig.target), None)
        cells.append("" if target is None else _target(target, marked=False))
        cells += ["", ""] if large is None else [_naive(large), _ratio(large)]
        lines.append("| " + " | ".join(cells) + " |")
    measured = [fig for _name, small, large in pairs for fig in (small, large) if fig is not None]
    return "\n".join(lines) + extrapolation_notes(measured)


def extrapolation_notes(figures: list[Figure]) -> str:
    """One line per extrapolated naive figure, saying how it was extrapolated."""
    notes = list(
        dict.fromkeys(
            f"- {fig.figure}: {fig.naive_extrapolated}" for fig in figures if fig.naive_extrapolated
        )
    )
    if not notes:
        return ""
    return "\n\n≈ naive figure extrapolated, not measured whole:\n" + "\n".join(notes)


def _value(fig: Figure, *, marked: bool = False) -> str:
    """The value; ``marked``: with ✓ or ✗ against its own target, when it has one."""
    mark = {True: " ✓", False: " ✗", None: ""}[fig.meets_target] if marked else ""
    return f"{_num(fig.value)} {fig.unit}{mark}"


def _spread(fig: Figure) -> str:
    return f"{_num(fig.minimum)}–{_num(fig.maximum)}" if fig.minimum is not None else ""


def _target(fig: Figure, *, marked: bool = True) -> str:
    if fig.target is None:
        return ""
    mark = (" ✓" if fig.meets_target else " ✗") if marked else ""
    return f"{'≥' if fig.higher_is_better else '≤'} {_num(fig.target)}{mark}"


def _naive(fig: Figure) -> str:
    if fig.naive is None:
        return ""
    return f"{'≈ ' if fig.naive_extrapolated else ''}{_num(fig.naive)} {fig.unit}"


def _ratio(fig: Figure) -> str:
    if fig.ratio is None:
        return ""
    return f"{'≈ ' if fig.naive_extrapolated else ''}{fig.ratio:,.1f}×"


def _num(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
