"""Small stand-ins shared by the test packages."""

from __future__ import annotations


class SleepRecorder:
    """Stands in for time.sleep: records every wait, spends none."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
