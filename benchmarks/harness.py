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
    lines = [
        "| figure | value | min–max | target | naive | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fig in figures:
        spread = f"{_num(fig.minimum)}–{_num(fig.maximum)}" if fig.minimum is not None else ""
        target = (
            ""
            if fig.target is None
            else f"{'≥' if fig.higher_is_better else '<'} {_num(fig.target)}"
        )
        mark = {True: " ✓", False: " ✗", None: ""}[fig.meets_target]
        naive = "" if fig.naive is None else f"{_num(fig.naive)} {fig.unit}"
        ratio = "" if fig.ratio is None else f"{fig.ratio:,.1f}×"
        lines.append(
            f"| {fig.figure} | {_num(fig.value)} {fig.unit} | {spread} | {target}{mark} "
            f"| {naive} | {ratio} |"
        )
    return "\n".join(lines)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
