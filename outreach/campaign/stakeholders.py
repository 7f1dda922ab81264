"""The stakeholder map: engagement level against stakeholder kind, asked and signed per cell.

The organizing guides plan recruitment on this grid: who is close to us (Core, Comrade,
Ally, Strategic Alliance, Unlikely Ally) against who they are (directly impacted people,
the organizations serving them, public health, emergency management, civic leaders,
legal organizations…). A kind nobody has been asked from yet is a gap worth filling.
Kinds are compared without regard to case or spacing; the standard ones always show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from outreach.campaign.models import Campaign, Target, TargetState
from outreach.people.models import Engagement, Organization

NO_LEVEL = "(none)"
NO_KIND = "(none)"
LEVELS: tuple[str, ...] = (*(e.value for e in Engagement), NO_LEVEL)
STANDARD_KINDS: tuple[str, ...] = ("directly impacted", "service provider", "public health",
                                   "emergency management", "civic leader", "legal")


@dataclass
class Cell:
    targets: int = 0
    asked: int = 0
    signed: int = 0


@dataclass
class StakeholderMap:
    slug: str
    title: str
    levels: list[str]
    kinds: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, level: str, kind: str) -> Cell:
        return self.cells.get((level, kind), Cell())

    def kind_total(self, kind: str) -> Cell:
        return add_up(self.cell(level, kind) for level in self.levels)

    def level_total(self, level: str) -> Cell:
        return add_up(self.cell(level, kind) for kind in self.kinds)

    @property
    def unasked_kinds(self) -> list[str]:
        """Kinds nobody has been asked from yet (organizations with no kind aside)."""
        return [k for k in self.kinds if k != NO_KIND and self.kind_total(k).asked == 0]


def add_up(cells: Iterable[Cell]) -> Cell:
    total = Cell()
    for cell in cells:
        total.targets += cell.targets
        total.asked += cell.asked
        total.signed += cell.signed
    return total


def _fold(kind: str | None) -> str:
    return " ".join((kind or "").split()).casefold()


def stakeholder_map(session: Session, campaign: Campaign) -> StakeholderMap:
    rows = session.execute(
        select(Organization.engagement, Organization.stakeholder_kind,
               func.count(),
               func.count(Target.asked_at),
               func.sum(case((Target.state == TargetState.SIGNED, 1), else_=0)))
        .join(Organization, Organization.id == Target.organization_id)
        .where(Target.campaign_id == campaign.id)
        .group_by(Organization.engagement, Organization.stakeholder_kind)).all()
    standard = {_fold(k): k for k in STANDARD_KINDS}
    seen: dict[str, str] = {}  # folded → first spelling met
    cells: dict[tuple[str, str], Cell] = {}
    for engagement, raw_kind, targets, asked, signed in rows:
        folded = _fold(raw_kind)
        kind = NO_KIND if not folded else standard.get(folded) or seen.setdefault(
            folded, " ".join((raw_kind or "").split()))
        level = engagement.value if engagement is not None else NO_LEVEL
        cell = cells.setdefault((level, kind), Cell())
        cell.targets += int(targets)
        cell.asked += int(asked)
        cell.signed += int(signed or 0)
    extra = sorted(set(seen.values()), key=str.casefold)
    kinds = [*STANDARD_KINDS, *extra]
    if any(kind == NO_KIND for _, kind in cells):
        kinds.append(NO_KIND)
    return StakeholderMap(slug=campaign.slug, title=campaign.title, levels=list(LEVELS),
                          kinds=kinds, cells=cells)

