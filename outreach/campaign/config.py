"""The campaign config schema: `campaigns/<slug>.toml` plus the letter as Markdown."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from outreach.configfile import read_toml, validate
from outreach.errors import ConfigError
from outreach.people.models import Engagement, Size
from outreach.sendwindow import DAY_NAMES, SendWindow

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Templates(Section):
    ask: str = "ask"
    follow_up: str = "follow_up"
    reminder: str = "reminder"
    hard_deadline: str = "hard_deadline"
    confirmation: str = "confirmation"
    more_time: str = "more_time"
    decline_thanks: str = "decline_thanks"
    change_notice: str = "change_notice"
    change_resolved: str = "change_resolved"
    withdrawn: str = "withdrawn"
    reissue_notice: str = "reissue_notice"
    signer_update: str = "signer_update"
    final_letter: str = "final_letter"
    # Per engagement level, e.g. {Core = "ask-core"}: Core partners are invited to help
    # drive strategy, Allies to amplify.
    ask_by_engagement: dict[Engagement, str] = {}
    follow_up_by_engagement: dict[Engagement, str] = {}


class Cadence(Section):
    """How often a target may hear from us: the organizing guides' "do not over-bug"."""

    first_follow_up_after_days: float = Field(default=5, gt=0)
    reminder_before_soft_deadline_days: float | None = Field(default=2, gt=0)
    max_emails_per_target: int = Field(default=3, ge=1, le=10)
    # Between any two emails to one person, across every campaign on this instance.
    min_gap_days: float = Field(default=2, ge=0)
    # Large organizations and chapters needing a parent's approval decide slowly.
    large_extra_days: float = Field(default=3, ge=0)
    quiet_days: list[date] = []
    hard_deadline_notice: Literal["individual", "together"] = "individual"
    close_at_soft_deadline_if_target_reached: bool = False
    escalate_days_before_hard_deadline: float = Field(default=5, ge=0)


class Organizer(Section):
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class SendWindowConfig(Section):
    days: list[str] = ["mon", "tue", "wed", "thu", "fri"]
    start: time = time(9, 0)
    end: time = time(17, 0)

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        lowered = [d.lower()[:3] for d in days]
        unknown = [d for d, low in zip(days, lowered, strict=True) if low not in DAY_NAMES]
        if unknown:
            raise ValueError(f"unknown day(s) {unknown}; use {list(DAY_NAMES)}")
        if not lowered:
            raise ValueError("at least one day is needed")
        return lowered

    @model_validator(mode="after")
    def _start_before_end(self) -> SendWindowConfig:
        if self.start >= self.end:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self


class AfterRule(Section):
    """Ask the organizations in `ask` only once every one in `after_signed` has signed."""

    ask: list[str] = Field(min_length=1)
    after_signed: list[str] = Field(min_length=1)


class Discretion(Section):
    never_ask: list[str] = []
    after: list[AfterRule] = []


class Wave(Section):
    """A group of targets asked together. A target joins the first wave it matches.

    A wave with no criteria matches everyone; otherwise matching any one criterion is enough.
    """

    name: str
    opens: datetime | date | None = None
    sizes: list[Size] = []
    engagement: list[Engagement] = []
    tags: list[str] = []
    needs_parent_approval: bool = False

    def matches(self, size: Size, engagement: Engagement | None, tags: list[str],
                needs_parent_approval: bool) -> bool:
        if not (self.sizes or self.engagement or self.tags or self.needs_parent_approval):
            return True
        return (
            size in self.sizes
            or (engagement is not None and engagement in self.engagement)
            or bool(set(tags) & set(self.tags))
            or (self.needs_parent_approval and needs_parent_approval)
        )


class LetterChanges(Section):
    """What a new letter version means for those who signed an earlier one."""

    # "signature_stays": their name stays unless they reply WITHDRAW by the date;
    # "fresh_yes": their name comes off the list until they say yes to the new text.
    after_change: Literal["signature_stays", "fresh_yes"] = "signature_stays"
    respond_within_days: float = Field(default=7, gt=0)


class Reissues(Section):
    # `outreach reissue --on DATE` refuses a date sooner than this: signers need time to
    # read the notice and opt out.
    min_notice_days: float = Field(default=7, ge=1)


class SignerUpdates(Section):
    """The periodic email to every signer: the newest signers and the count."""

    every_days: int = Field(default=7, ge=0, description="0 sends none")
    weekday: str = "mon"
    hour: int = Field(default=10, ge=0, le=23)
    newest: int = Field(default=50, ge=1, description="names listed; the rest are counted")

    @field_validator("weekday")
    @classmethod
    def _known_day(cls, day: str) -> str:
        low = day.lower()[:3]
        if low not in DAY_NAMES:
            raise ValueError(f"unknown day {day!r}; use one of {list(DAY_NAMES)}")
        return low


class Release(Section):
    """Until `on` the public page is unlisted; on that day every signer gets the final
    letter with the complete list, and the page goes live for late signers."""

    on: datetime | date | None = None


class CampaignConfig(Section):
    title: str = Field(min_length=1)
    letter: Path
    # Where the draft lives, may contain {version}; left out, the web app serves each
    # version at {base_url}/d/<campaign>/v<N> and asks link {base_url}/d/<campaign>.
    draft_url: str = Field(default="", description="may contain {version}")
    timezone: str = "UTC"
    soft_deadline: datetime
    hard_deadline: datetime
    target_signers: int = Field(ge=1)
    individuals_may_sign: bool = False
    thank_decliners: bool = Field(default=False, description="reply to a decline with thanks "
                                  "and an invitation to issue a statement of their own")
    contact_email: str | None = None
    templates: Templates = Templates()
    cadence: Cadence = Cadence()
    organizers: list[Organizer] = []
    task_assignment: Literal["round_robin", "owner"] = "round_robin"
    task_digest_hour: int = Field(default=8, ge=0, le=23)
    send_window: SendWindowConfig = SendWindowConfig()
    discretion: Discretion = Discretion()
    waves: list[Wave] = [Wave(name="everyone")]
    changes: LetterChanges = LetterChanges()
    reissues: Reissues = Reissues()
    updates: SignerUpdates = SignerUpdates()
    release: Release = Release()

    # Set by `load_campaign`, not by the file.
    slug: str = Field(default="", exclude=True)
    source: Path = Field(default=Path(), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (use an IANA name like "
                             "'America/New_York')") from None
        return name

    @field_validator("draft_url")
    @classmethod
    def _only_version_placeholder(cls, url: str) -> str:
        try:
            url.format(version=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"the only placeholder allowed is {{version}} ({exc})") from None
        return url

    @model_validator(mode="after")
    def _localize_and_order(self) -> CampaignConfig:
        zone = ZoneInfo(self.timezone)
        self.soft_deadline = _aware(self.soft_deadline, zone)
        self.hard_deadline = _aware(self.hard_deadline, zone)
        if self.hard_deadline < self.soft_deadline:
            raise ValueError("hard_deadline must not be before soft_deadline")
        names = [w.name for w in self.waves]
        if len(set(names)) != len(names):
            raise ValueError(f"wave names must be unique: {names}")
        return self

    def release_at(self) -> datetime | None:
        """The release moment in UTC: a bare date means midnight in the campaign's zone."""
        return self._moment(self.release.on)

    def wave_opens(self, wave: Wave) -> datetime | None:
        return self._moment(wave.opens)

    def _moment(self, value: datetime | date | None) -> datetime | None:
        if value is None:
            return None
        zone = ZoneInfo(self.timezone)
        if isinstance(value, datetime):
            return _aware(value, zone)
        return datetime.combine(value, time(0, 0), tzinfo=zone).astimezone(UTC)

    @property
    def window(self) -> SendWindow:
        return SendWindow(
            timezone=self.timezone,
            days=frozenset(DAY_NAMES.index(d) for d in self.send_window.days),
            start=self.send_window.start,
            end=self.send_window.end,
            quiet_days=frozenset(self.cadence.quiet_days),
        )

    def organizer(self, name: str | None) -> Organizer | None:
        return next((o for o in self.organizers if o.name == name), None)

    def letter_path(self) -> Path:
        return self.letter if self.letter.is_absolute() else self.source.parent / self.letter

    def read_letter(self) -> str:
        path = self.letter_path()
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(self.source, [f"letter: file {path} not found"]) from None
        except UnicodeDecodeError as exc:
            raise ConfigError(self.source, [f"letter: {path} is not UTF-8 ({exc})"]) from None

    def draft_url_for(self, version: int) -> str:
        return self.draft_url.format(version=version)


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def load_campaign(path: Path) -> CampaignConfig:
    slug = path.stem
    if not SLUG.match(slug):
        raise ConfigError(path, [f"file name {slug!r} is not a valid slug (a-z, 0-9 and -)"])
    data: dict[str, Any] = read_toml(path)
    config = validate(CampaignConfig, data, path)
    config.slug = slug
    config.source = path
    if not config.letter_path().exists():
        raise ConfigError(path, [f"letter: file {config.letter_path()} not found"])
    return config


def campaign_path(campaigns_dir: Path, slug: str) -> Path:
    return campaigns_dir / f"{slug}.toml"


def list_campaigns(campaigns_dir: Path) -> list[Path]:
    return sorted(campaigns_dir.glob("*.toml"))
