"""The ticket state machine, as a table."""

from __future__ import annotations

import itertools

import pytest

from counter.queue.errors import IllegalTransition
from counter.queue.states import TRANSITIONS, Action, TicketStatus, advance

S = TicketStatus
A = Action

LEGAL = [
    (S.WAITING, A.CALL, S.CALLED),
    (S.CALLED, A.RECALL, S.CALLED),
    (S.CALLED, A.START, S.SERVING),
    (S.SERVING, A.FINISH, S.DONE),
    (S.CALLED, A.NO_SHOW, S.NO_SHOW),
    (S.NO_SHOW, A.REACTIVATE, S.WAITING),
    (S.WAITING, A.CANCEL, S.CANCELLED),
    (S.SERVING, A.TRANSFER, S.WAITING),
    (S.CALLED, A.HOLD, S.HELD),
    (S.SERVING, A.HOLD, S.HELD),
    (S.HELD, A.UNHOLD, S.CALLED),
    (S.HELD, A.RELEASE, S.WAITING),
    (S.WAITING, A.CLOSE_UNSERVED, S.UNSERVED),
    (S.CALLED, A.CLOSE_UNSERVED, S.UNSERVED),
    (S.SERVING, A.CLOSE_UNSERVED, S.UNSERVED),
    (S.HELD, A.CLOSE_UNSERVED, S.UNSERVED),
]


@pytest.mark.parametrize(("state", "action", "expected"), LEGAL)
def test_a_legal_action_moves_the_ticket(state: S, action: A, expected: S) -> None:
    assert advance("B015", state, action) is expected


def test_the_table_holds_exactly_the_legal_transitions() -> None:
    assert {(s, a): e for s, a, e in LEGAL} == TRANSITIONS


ILLEGAL = [
    (s, a)
    for s, a in itertools.product(TicketStatus, Action)
    if (s, a) not in {(x, y) for x, y, _ in LEGAL}
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_an_illegal_action_names_the_ticket_its_state_and_the_action(state: S, action: A) -> None:
    with pytest.raises(IllegalTransition) as err:
        advance("B015", state, action)
    assert err.value.number == "B015"
    assert err.value.status is state
    assert err.value.action is action
    assert "B015" in err.value.th and "B015" in err.value.en
    assert state.value in err.value.en


@pytest.mark.parametrize("final", [S.DONE, S.CANCELLED, S.UNSERVED])
def test_final_states_accept_no_action(final: S) -> None:
    for action in Action:
        with pytest.raises(IllegalTransition):
            advance("A001", final, action)
