"""The send windows the dispatcher paces each provider with."""

from __future__ import annotations

from notifications.policy import SlidingWindow


def test_a_send_counts_from_when_its_answer_came_back_so_a_late_arrival_cannot_overflow_the_next_window() -> None:
    window = SlidingWindow(2, 1.0)
    first = window.take(0.0)
    window.take(0.1)
    window.restamp(first, 0.4)  # the first request reached the provider late

    assert round(window.wait(1.05), 6) == 0.05  # the second's slot frees first
    window.take(1.1)
    assert round(window.wait(1.2), 6) == 0.2  # the late one holds its slot until 1.4, not 1.0


def test_a_refused_attempt_gives_its_slot_back() -> None:
    window = SlidingWindow(1, 1.0)
    stamp = window.take(0.0)

    window.give_back(stamp)

    assert window.wait(0.1) == 0.0
