"""The client's steps have one source: every step the journey records, in its order."""

from formaliza.journeys.models import STEP_DONE_FIELD, Step
from formaliza.journeys.progress import CLIENT_STEPS, TOTAL_STEPS, step_number


def test_the_listed_steps_are_the_journeys_steps_in_order():
    assert [s.step for s in CLIENT_STEPS] == list(STEP_DONE_FIELD)
    assert [s.number for s in CLIENT_STEPS] == list(range(1, TOTAL_STEPS + 1))
    assert all(s.does for s in CLIENT_STEPS)


def test_done_has_no_number_in_the_header():
    assert step_number(Step.DONE) is None
    assert step_number(Step.SELFIE) == 7
