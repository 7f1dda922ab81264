"""`outreach check`: everything that would stop a campaign, found before any mail goes out.

Renders every template for every target (whatever its state, so the count is the same from
run to run) and reports every undefined variable with its file and line, all in one run;
checks the letter, the deadlines, the discretion rules against the imported organizations,
that the passwords the server config needs are set, and that a configured DKIM key signs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.mailings import KINDS, build_target_mail
from outreach.campaign.models import Campaign, Target
from outreach.errors import OutreachError
from outreach.mail.dkim import dkim_signer
from outreach.mail.outbox import new_message_id
from outreach.people.models import Organization
from outreach.people.organizations import org_key
from outreach.settings import Settings
from outreach.templating import TemplateProblem, UndefinedRecorder, syntax_problems


@dataclass
class CheckReport:
    slug: str
    targets_checked: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_campaign(
    session: Session, settings: Settings, config: CampaignConfig, env: jinja2.Environment,
    campaign: Campaign | None, now: datetime,
) -> CheckReport:
    report = CheckReport(slug=config.slug)
    _check_passwords(settings, report)
    _check_dkim(settings, report)
    if not settings.secret_key:
        report.errors.append("OUTREACH_SECRET_KEY is not set: reply addresses cannot be signed")
        return report
    if now >= config.hard_deadline:
        report.warnings.append(f"{config.source}: hard_deadline {config.hard_deadline:%Y-%m-%d} "
                               "has passed; no asks will be sent")
    elif now >= config.soft_deadline:
        report.warnings.append(f"{config.source}: soft_deadline has passed")
    if campaign is None:
        report.warnings.append("no targets imported yet (outreach import FILE.csv --campaign "
                               f"{config.slug})")
        return report
    if letters.unpublished_change(session, campaign, config):
        report.errors.append(f"{config.letter_path()}: changed since version "
                             f"{_version_number(session, campaign)} was recorded; publish it "
                             "before asks go out")
    version = letters.current_version(session, campaign.id)
    if version is None:
        report.errors.append("the campaign has no letter version")
        return report
    _check_discretion(session, config, report)
    targets = session.scalars(
        select(Target).where(Target.campaign_id == campaign.id)
        .options(joinedload(Target.organization), joinedload(Target.contact))
        .order_by(Target.id)
    ).all()
    problems: dict[str, dict[str, None]] = defaultdict(dict)  # message -> organizations
    recorder = UndefinedRecorder(env)
    broken: dict[str, list[TemplateProblem]] = {}  # template -> what keeps it from compiling
    domain = settings.sender.reply_domain
    for target in targets:
        report.targets_checked += 1
        name = target.organization.name
        for kind in KINDS.values():
            template = kind.template(config, target)
            if template not in broken:
                broken[template] = syntax_problems(env, template)
            found: list[TemplateProblem | str] = [*broken[template]]
            if not found:
                try:
                    build_target_mail(settings, config, recorder.environment, target, version,
                                      kind, message_id=new_message_id(domain), now=now,
                                      payload={"in_reply_to": "<reply@example.org>"},
                                      extra=kind.sample(version, now) if kind.sample else None)
                except TemplateProblem as exc:
                    found.append(exc)
                except ValueError as exc:
                    found.append(f"cannot build the {kind.name} message: {exc}")
                found = [*recorder.take(), *found]
            for problem in found:
                problems[str(problem)][name] = None
    for message, names in problems.items():
        listed = list(names)
        shown = ", ".join(listed[:3]) + (f" and {len(listed) - 3} more"
                                         if len(listed) > 3 else "")
        report.errors.append(f"{message} (for {len(listed)} target(s): {shown})")
    return report


def _check_dkim(settings: Settings, report: CheckReport) -> None:
    """A DKIM key that is configured but cannot sign (the daemon would not start)."""
    try:
        dkim_signer(settings)
    except OutreachError as exc:
        report.errors.append(str(exc))


def _check_passwords(settings: Settings, report: CheckReport) -> None:
    """A password the server config needs but the environment lacks. Without SMTP nothing
    goes out (an error); without IMAP the asks go out and replies wait in the mailbox until
    it is set (a warning)."""
    if settings.smtp.username and not settings.smtp_password:
        report.errors.append(f"OUTREACH_SMTP_PASSWORD is not set: [smtp] username = "
                             f"{settings.smtp.username!r} needs it to send")
    if settings.mailbox.source != "imap":
        return
    if not settings.imap.username:
        report.warnings.append("[mailbox] source = \"imap\" but [imap] username is not set: "
                               "replies cannot be read")
    elif not settings.imap_password:
        report.warnings.append(f"OUTREACH_IMAP_PASSWORD is not set: [imap] username = "
                               f"{settings.imap.username!r} needs it; replies are not read "
                               "until it is")


def _version_number(session: Session, campaign: Campaign) -> int:
    version = letters.current_version(session, campaign.id)
    return version.number if version else 0


def _check_discretion(session: Session, config: CampaignConfig, report: CheckReport) -> None:
    names = list(config.discretion.never_ask)
    for rule in config.discretion.after:
        names += rule.ask + rule.after_signed
    if not names:
        return
    known = set(session.scalars(select(Organization.key).where(
        Organization.key.in_({org_key(n) for n in names}))))
    for name in dict.fromkeys(names):
        if org_key(name) not in known:
            report.warnings.append(f"{config.source}: discretion names {name!r}, which matches "
                                   "no imported organization (check the spelling)")
