"""Target states move only through `transition`, and only along allowed edges."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.models import Target, TargetEvent, TargetState
from outreach.campaign.targets import ALLOWED, IllegalTransition, transition
from outreach.db.session import transaction
from tests.conftest import NOW
from tests.helpers import load_example


def test_every_state_has_its_allowed_moves() -> None:
    assert set(ALLOWED) == set(TargetState)
    assert TargetState.ASKED in ALLOWED[TargetState.QUEUED]
    assert TargetState.QUEUED not in ALLOWED[TargetState.SIGNED]


def test_illegal_moves_are_refused_and_legal_ones_recorded(app: App) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    with transaction(app.factory) as session:
        target = session.scalars(select(Target).where(Target.state == TargetState.ASKED)).first()
        assert target is not None
        transition(session, target, TargetState.SIGNED, now=NOW, reason="yes by phone",
                   actor="maria")
        with pytest.raises(IllegalTransition, match="cannot go from signed to asked"):
            transition(session, target, TargetState.ASKED, now=NOW, reason="ask again")
        target_id = target.id
    with app.factory() as session:
        events = session.scalars(select(TargetEvent).where(TargetEvent.target_id == target_id)
                                 .order_by(TargetEvent.id)).all()
        assert [(e.to_state, e.actor) for e in events] == [
            (TargetState.ASKED, "outreach"), (TargetState.SIGNED, "maria")]
        target = session.get(Target, target_id)
        assert target is not None and target.next_action_at is None
