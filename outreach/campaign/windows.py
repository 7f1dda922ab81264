"""The campaign's send window, applied when mail goes out, and when its next mail will.

Asks and the cadence's steps go out only inside `[send_window]` (and never on a quiet
day). The window is the one the campaign's file says when the outbox claims the row, not
the one it said when the row was queued: widen the window, restart the daemon, and the
mail waiting for the old one goes out in the new one. Replies to a person (confirmations,
notices) keep going out whenever they are due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from outreach.campaign.asks import ASK
from outreach.campaign.cadence import STEP_KINDS
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign, Target
from outreach.campaign.targets import TARGET, target_id_of
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.mail.outbox import WAITING
from outreach.sendwindow import SendWindow

WINDOWED = frozenset({ASK, *STEP_KINDS})


class CampaignWindow:
    """The outbox's `WindowOf` for the windowed kinds: the window of the campaign the row's
    target is in, as its loaded config says now (None when its config is not loaded)."""

    def __init__(self, campaigns: Mapping[str, CampaignConfig]) -> None:
        self.campaigns = campaigns

    def __call__(self, session: Session, row: OutboxMessage) -> SendWindow | None:
        target_id = target_id_of(row)
        if target_id is None:
            return None
        target = session.get(Target, target_id)  # preloaded with its campaign when claimed
        config = self.campaigns.get(target.campaign.slug) if target is not None else None
        return config.window if config is not None else None


@dataclass(frozen=True)
class NextMail:
    """When a campaign's next message may go out, and why not sooner."""

    at: datetime
    waiting: int  # messages not yet sent
    # Why not now, ending with when: "outside the send window: ...; next at Mon 09:00".
    # None: due now (the daemon sends it while it runs).
    reason: str | None

    @property
    def due_now(self) -> bool:
        return self.reason is None

    def describe(self) -> str:
        """"21 waiting: outside the send window: Mon-Thu 9-16:30 America/Los_Angeles; next
        at Mon 09:00", or "21 waiting: due now (`outreach run` sends them)"."""
        return f"{self.waiting} waiting: " + (
            self.reason or "due now (`outreach run` sends them)")


def _pending(slug: str, windowed: bool) -> Select[Any]:
    """The count of the campaign's pending rows of the windowed kinds, or of the others."""
    kinds = OutboxMessage.kind.in_(WINDOWED)
    return (select(func.count()).select_from(OutboxMessage)
            .join(Target, Target.id == OutboxMessage.about_id)
            .join(Campaign, Campaign.id == Target.campaign_id)
            .where(OutboxMessage.about_kind == TARGET, Campaign.slug == slug,
                   OutboxMessage.status == OutboxStatus.PENDING,
                   kinds if windowed else ~kinds))


def next_mail(session: Session, slug: str, config: CampaignConfig | None,
              now: datetime) -> NextMail | None:
    """The campaign's next message (None when nothing waits): the earliest of its pending
    rows, put off to its window's opening for the windowed kinds."""
    candidates: list[tuple[datetime, str | None]] = []
    waiting = 0
    for windowed in (True, False):
        pending = _pending(slug, windowed)
        first = session.execute(
            pending.with_only_columns(OutboxMessage.not_before, OutboxMessage.attempts,
                                      OutboxMessage.last_error, OutboxMessage.send_window)
            .order_by(OutboxMessage.not_before).limit(1)).first()
        if first is None:
            continue
        waiting += session.scalar(pending) or 0
        due = max(first.not_before, now)
        window = config.window if windowed and config is not None else None
        if window is not None and not window.is_open(now) and window.next_open(now) >= due:
            candidates.append((window.next_open(now), window.waiting_reason(now)))
        elif window is not None and not window.is_open(due):
            candidates.append((window.next_open(due), window.waiting_reason(due)))
        elif due > now:
            local = due.astimezone(ZoneInfo(config.timezone if config else "UTC"))
            why = _why_later(first.attempts, first.last_error, first.send_window, window)
            candidates.append((due, f"{why}; next at {local:%a %-d %b %H:%M %Z}"))
        else:
            candidates.append((now, None))
    if not candidates:
        return None
    at, reason = min(candidates, key=lambda candidate: candidate[0])
    return NextMail(at=at, waiting=waiting, reason=reason)


def _why_later(attempts: int, last_error: str | None, stored: dict[str, Any] | None,
               window: SendWindow | None) -> str:
    """Why a row whose window (if any) is open at its time is not due before it."""
    if attempts and last_error:
        return f"retrying after: {last_error}"
    if stored and stored.get(WAITING) and window is not None \
            and SendWindow.from_json(stored) != window:
        return (f"waiting for the send window the daemon started with "
                f"({SendWindow.from_json(stored).describe()}); restart `outreach run` to "
                "apply the campaign's current one")
    return "scheduled"
