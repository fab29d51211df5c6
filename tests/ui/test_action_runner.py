"""A write that lands after its window went away ends quietly: it is in the mirror anyway."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6

from pipedriven_desktop.ui.action_runner import ActionTicket, _Outcome, _Run


@pytest.mark.parametrize("work_fails", [False, True])
def test_an_outcome_for_a_deleted_window_is_dropped_without_an_error(
    qtbot: Any, work_fails: bool
) -> None:
    outcome = _Outcome()
    shiboken6.delete(outcome)
    ran: list[bool] = []

    def work() -> object:
        ran.append(True)
        if work_fails:
            raise ValueError("the mirror is locked")
        return "saved"

    _Run(outcome, ActionTicket(1, "Call logged", None), work).run()  # raises nothing
    assert ran == [True]


def test_an_outcome_reaches_a_living_window(qtbot: Any) -> None:
    outcome = _Outcome()
    ticket = ActionTicket(2, "Note added", "c1")
    with qtbot.waitSignal(outcome.done) as blocker:
        _Run(outcome, ticket, lambda: "saved").run()
    assert blocker.args == [ticket, "saved"]
