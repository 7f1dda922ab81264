"""Mail to one target: the ask, and the replies the reply pipeline sends.

Each kind is composed when the outbox claims it, with the letter version current at that
moment, and is cancelled if the target has since moved to a state where it no longer
makes sense (an ask to someone who signed by phone, say).

The outbox claims a page of rows at a time, and `TargetMailComposer` composes the page at
once: its targets with their contacts and organizations in one query, each campaign's
current letter version and the context every message of a campaign shares once, each
template set loaded once; then per message only the templates are rendered and the bytes
spliced (`Draft.encode`). Previews and `outreach check` build the same draft with the
`email` package (`build_target_mail`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, cast

import jinja2
import markdown_it
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import (
    Campaign,
    LetterVersion,
    MailLetter,
    NoticeKind,
    Reissue,
    SignerMailing,
    SignerNotice,
    SignOn,
    Target,
    TargetState,
)
from outreach.campaign.signons import active_sign_on, reconfirmed_version
from outreach.campaign.targets import OPEN, STEPPING, target_id_of
from outreach.db.bulk import insert_rows
from outreach.mail.compose import Draft, mailbox
from outreach.mail.outbox import Cancel, Composed, DueRow
from outreach.mail.tokens import make_token, tagged_address
from outreach.people.models import Contact, Engagement, Organization, Size, Suppression
from outreach.settings import Settings
from outreach.templating import TemplateSet, load_set

S = TargetState


# What a kind adds to the template context for its target, read when the row is claimed
# (with the current letter version and the row's payload); a string instead says why the
# message no longer makes sense (and it is cancelled).
Extra = Callable[[Session, Target, LetterVersion, dict[str, Any]], "dict[str, Any] | str"]
# The same keys with made-up values: what `outreach check` renders every template with.
Sample = Callable[[LetterVersion, datetime], dict[str, Any]]


@dataclass(frozen=True)
class MailKind:
    """One kind of mail; its template is the `[templates]` entry of the same name."""

    name: str
    sendable: frozenset[TargetState]
    marketing: bool  # carries List-Unsubscribe; replies to a person's own message do not
    automated: bool = False  # a step of the cadence: any human reply since cancels it
    by_engagement: bool = False  # `[templates] <name>_by_engagement` may override per level
    extra: Extra | None = None
    sample: Sample | None = None

    def template(self, config: CampaignConfig, level: Engagement | None) -> str:
        """Its template's name, for an organization engaged at `level`."""
        default = str(getattr(config.templates, self.name))
        if not self.by_engagement or level is None:
            return default
        overrides: dict[Engagement, str] = getattr(config.templates,
                                                   f"{self.name}_by_engagement")
        return overrides.get(level, default)


def _confirmation_extra(session: Session, target: Target, _version: LetterVersion,
                        payload: dict[str, Any]) -> dict[str, Any] | str:
    """The signature confirmed: its name as listed, and the version it stands for (the one
    they were asked about, or the one they reconfirmed), which the current may have passed."""
    sign_on = active_sign_on(session, target)
    if sign_on is None:
        return "cancelled: no signature stands to confirm"
    signed = session.get(LetterVersion, reconfirmed_version(session, sign_on)
                         if payload.get("reconfirmed") else sign_on.letter_version_id)
    assert signed is not None
    return {"name_as_listed": sign_on.name_as_listed, "signed": {"version": signed.number}}


def _confirmation_sample(version: LetterVersion, _now: datetime) -> dict[str, Any]:
    return {"signed": {"version": version.number}}


def _notice_extra(session: Session, _target: Target, version: LetterVersion,
                  payload: dict[str, Any]) -> dict[str, Any] | str:
    notice = session.get(SignerNotice, payload["notice_id"])
    if notice is None:
        raise LookupError(f"signer notice {payload['notice_id']} does not exist")
    if notice.response is not None:
        return f"cancelled: the notice was answered ({notice.response.value})"
    sign_on = session.get(SignOn, notice.sign_on_id)
    assert sign_on is not None
    signer = {"name_as_listed": sign_on.name_as_listed}
    if notice.kind == NoticeKind.REISSUE:
        reissue = session.get(Reissue, notice.reissue_id)
        if reissue is None or reissue.made_at is not None:
            return "cancelled: the reissue was made before this went out"
        return {**signer, "notice": {"respond_by": notice.respond_by,
                                     "reissue_on": reissue.reissue_on}}
    if notice.letter_version_id != version.id:
        return f"cancelled: superseded by letter version {version.number}"
    before = session.get(LetterVersion, notice.from_version_id or notice.letter_version_id)
    assert before is not None
    changes = session.scalars(select(LetterVersion).where(
        LetterVersion.campaign_id == version.campaign_id, LetterVersion.number > before.number,
        LetterVersion.number <= version.number).order_by(LetterVersion.number)).all()
    return {**signer, "notice": _change_context(
        before.number, [(v.number, v.summary) for v in changes],
        letters.word_diff(before.text, version.text), notice.respond_by,
        notice.requires_reconfirmation, notice.resolves_their_request)}


def _change_context(from_version: int, changes: list[tuple[int, str]], diff: str,
                    respond_by: datetime, requires_reconfirmation: bool,
                    resolves_their_request: bool) -> dict[str, Any]:
    return {"from_version": from_version,
            "changes": [{"version": n, "summary": summary} for n, summary in changes],
            "diff": diff, "respond_by": respond_by,
            "requires_reconfirmation": requires_reconfirmation,
            "resolves_their_request": resolves_their_request}


def _notice_sample(version: LetterVersion, now: datetime) -> dict[str, Any]:
    return {"notice": {**_change_context(version.number, [(version.number, "A sample change")],
                                         "Sample {+new+} [-old-] words", now, True, True),
                       "reissue_on": now}}


def _mailing_extra(session: Session, target: Target, _version: LetterVersion,
                   payload: dict[str, Any]) -> dict[str, Any] | str:
    mailing = session.get(SignerMailing, payload["mailing_id"])
    if mailing is None:
        raise LookupError(f"signer mailing {payload['mailing_id']} does not exist")
    sign_on = active_sign_on(session, target)
    if sign_on is None:
        return "cancelled: no signature stands"
    return {"name_as_listed": sign_on.name_as_listed,
            "mailing": {"count": mailing.signer_count, "names": mailing.names,
                        "more": mailing.more_names, "period": mailing.period}}


def _mailing_sample(_version: LetterVersion, _now: datetime) -> dict[str, Any]:
    return {"mailing": {"count": 3, "names": ["Sample Group", "Another Group"], "more": 1,
                        "period": "2026-W01"}}


def _request_extra(_session: Session, _target: Target, version: LetterVersion,
                   payload: dict[str, Any]) -> dict[str, Any] | str:
    return {"request": {"quoted": payload.get("quoted") or "", "summary": version.summary}}


def _request_sample(_version: LetterVersion, _now: datetime) -> dict[str, Any]:
    return {"request": {"quoted": "Could you name the river?", "summary": "Named the river"}}


KINDS = {
    kind.name: kind
    for kind in (
        MailKind("ask", frozenset({S.ASKED}), True, by_engagement=True),
        MailKind("follow_up", STEPPING, True, automated=True, by_engagement=True),
        MailKind("reminder", STEPPING, True, automated=True),
        MailKind("hard_deadline", STEPPING, True, automated=True),
        MailKind("confirmation", frozenset({S.SIGNED}), False, extra=_confirmation_extra,
                 sample=_confirmation_sample),
        MailKind("more_time", OPEN, False),
        MailKind("decline_thanks", frozenset({S.DECLINED}), False),
        MailKind("change_notice", frozenset({S.SIGNED}), False, extra=_notice_extra,
                 sample=_notice_sample),
        MailKind("reissue_notice", frozenset({S.SIGNED}), False, extra=_notice_extra,
                 sample=_notice_sample),
        MailKind("change_resolved", OPEN, False, extra=_request_extra, sample=_request_sample),
        MailKind("withdrawn", frozenset({S.WITHDRAWN}), False),
        MailKind("signer_update", frozenset({S.SIGNED}), True, extra=_mailing_extra,
                 sample=_mailing_sample),
        MailKind("final_letter", frozenset({S.SIGNED}), True, extra=_mailing_extra,
                 sample=_mailing_sample),
    )
}

_markdown = markdown_it.MarkdownIt("commonmark", {"html": False})


@functools.lru_cache(maxsize=16)
def letter_html(text: str) -> str:
    """The letter's Markdown as HTML: the same for every message of a version."""
    html: str = _markdown.render(text)
    return html


@dataclass(frozen=True, slots=True)
class Addressee:
    """A target as its mail sees it: its state, contact and organization."""

    target_id: int
    state: TargetState
    replied_at: datetime | None
    campaign_id: int
    contact_id: int
    name: str
    greeting_name: str
    email: str
    role: str | None
    suppression: Suppression
    organization: str
    size: Size
    engagement: Engagement | None
    stakeholder_kind: str | None

    @classmethod
    def of(cls, target: Target) -> Addressee:
        contact, org = target.contact, target.organization
        return cls(target.id, target.state, target.replied_at, target.campaign_id, contact.id,
                   contact.name, contact.greeting_name, contact.email, contact.role,
                   contact.suppression, org.name, org.size, org.engagement,
                   org.stakeholder_kind)


def addressees(session: Session, target_ids: Sequence[int]) -> dict[int, tuple[Addressee, str]]:
    """The targets of `target_ids` as their mail sees them, each with its campaign's slug,
    by id: one query."""
    found = session.execute(
        select(Target.id, Target.state, Target.replied_at, Target.campaign_id, Contact.id,
               Contact.name, Contact.greeting_name, Contact.email, Contact.role,
               Contact.suppression, Organization.name, Organization.size,
               Organization.engagement, Organization.stakeholder_kind, Campaign.slug)
        .join(Contact, Contact.id == Target.contact_id)
        .join(Organization, Organization.id == Target.organization_id)
        .join(Campaign, Campaign.id == Target.campaign_id)
        .where(Target.id.in_(target_ids)))
    return {columns[0]: (Addressee(*cast("tuple[Any, ...]", columns[:-1])), columns[-1])
            for columns in found}


def shared_context(settings: Settings, config: CampaignConfig, version: LetterVersion,
                   now: datetime) -> dict[str, Any]:
    """What every message of a campaign sees alike at `now`; the draft link is `version`'s,
    fixed here."""
    sender = settings.sender
    return {
        "campaign": {"title": config.title, "slug": config.slug,
                     "soft_deadline": config.soft_deadline,
                     "hard_deadline": config.hard_deadline,
                     "timezone": config.timezone, "target_signers": config.target_signers,
                     "individuals_may_sign": config.individuals_may_sign,
                     "contact_email": config.contact_email or sender.address,
                     "days_to_soft_deadline": max(0, (config.soft_deadline - now).days)},
        "letter": {"version": version.number, "draft_url": version.draft_url,
                   "text": version.text, "html": letter_html(version.text)},
        "sender": {"name": sender.name, "address": sender.address,
                   "postal_address": sender.postal_address},
    }


def mail_context(settings: Settings, shared: dict[str, Any], addressee: Addressee,
                 payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a template may use: `shared` (see `shared_context`) and the addressee's."""
    key = settings.require_secret_key()
    sender = settings.sender
    reply = tagged_address(sender.reply_local_part, make_token(key, "t", addressee.target_id),
                           sender.reply_domain)
    unsubscribe = tagged_address("unsubscribe", make_token(key, "c", addressee.contact_id),
                                 sender.reply_domain)
    payload = payload or {}
    return {
        **shared,
        # `first_name` is the greeting name's older name, for templates written with it.
        "contact": {"name": addressee.name, "greeting_name": addressee.greeting_name,
                    "first_name": addressee.greeting_name, "email": addressee.email,
                    "role": addressee.role or ""},
        "organization": {"name": addressee.organization, "size": addressee.size.value,
                         "engagement": addressee.engagement.value if addressee.engagement
                         else "",
                         "kind": addressee.stakeholder_kind or ""},
        "reply_address": reply,
        "unsubscribe_address": unsubscribe,
        "name_as_listed": payload.get("name_as_listed", addressee.organization),
        "reconfirmed": bool(payload.get("reconfirmed")),
    }


def target_draft(settings: Settings, templates: TemplateSet, shared: dict[str, Any],
                 addressee: Addressee, kind: MailKind, *, message_id: str, now: datetime,
                 payload: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None) -> Draft:
    """The `kind` message to `addressee`, rendered from `templates`."""
    payload = payload or {}
    context = {**mail_context(settings, shared, addressee, payload), **(extra or {})}
    rendered = templates.render(context)
    sender = settings.sender
    headers = {}
    if kind.marketing:
        headers["List-Unsubscribe"] = (f"<mailto:{context['unsubscribe_address']}"
                                       "?subject=unsubscribe>")
    in_reply_to = payload.get("in_reply_to")
    return Draft(
        sender=mailbox(sender.name, sender.address),
        to=mailbox(addressee.name, addressee.email),
        reply_to=mailbox(sender.name, context["reply_address"]),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=message_id,
        date=now,
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else [],
        extra_headers=headers,
    )


def build_target_mail(settings: Settings, config: CampaignConfig, env: jinja2.Environment,
                      target: Target, version: LetterVersion, kind: MailKind, *,
                      message_id: str, now: datetime,
                      payload: dict[str, Any] | None = None,
                      extra: dict[str, Any] | None = None) -> EmailMessage:
    """The message as the `email` package builds it (previews, `outreach check`)."""
    addressee = Addressee.of(target)
    templates = load_set(env, kind.template(config, addressee.engagement))
    return target_draft(settings, templates, shared_context(settings, config, version, now),
                        addressee, kind, message_id=message_id, now=now, payload=payload,
                        extra=extra).build()


class TargetMailComposer:
    """The outbox's composer for every kind in `KINDS`: composes a claimed page at once."""

    def __init__(self, settings: Settings, campaigns: dict[str, CampaignConfig],
                 environments: dict[str, jinja2.Environment]) -> None:
        self.settings = settings
        self.campaigns = campaigns
        self.environments = environments

    def __call__(self, session: Session, rows: Sequence[DueRow],
                 now: datetime) -> dict[int, Composed]:
        page = _Page(self, session, now)
        found = addressees(session, sorted({target_id for row in rows
                                            if (target_id := target_id_of(row)) is not None}))
        composed: dict[int, Composed] = {}
        for row in rows:
            try:
                composed[row.id] = page.compose(row, found.get(target_id_of(row) or 0))
            except Exception as exc:  # a broken template or vanished row must not stop the rest
                composed[row.id] = exc
        page.record_letters()
        return composed


class _Page:
    """One claimed page being composed: what its messages share, looked up once."""

    def __init__(self, composer: TargetMailComposer, session: Session, now: datetime) -> None:
        self.composer = composer
        self.session = session
        self.now = now
        self.versions: dict[int, LetterVersion | None] = {}  # by campaign id
        self.shared: dict[int, dict[str, Any]] = {}  # by letter version id
        self.templates: dict[tuple[str, str], TemplateSet] = {}  # by campaign slug and name
        self.letters: dict[int, int] = {}  # letter version id by outbox row id

    def compose(self, row: DueRow, found: tuple[Addressee, str] | None) -> bytes | Cancel:
        kind = KINDS[row.kind]
        if found is None:
            raise LookupError(f"{row.kind} {row.message_id} has no target")
        addressee, slug = found
        if addressee.state not in kind.sendable or addressee.suppression != Suppression.NONE:
            return Cancel(f"cancelled: target is {addressee.state.value}, "
                          f"contact {addressee.suppression.value}")
        if kind.automated and addressee.replied_at is not None and \
                addressee.replied_at >= row.created_at:
            return Cancel("cancelled: they replied after this was queued")
        valid_until = row.payload.get("valid_until")
        if valid_until and self.now >= datetime.fromisoformat(valid_until):
            return Cancel(f"cancelled: its deadline ({valid_until}) passed before it went out")
        config = self.composer.campaigns.get(slug)
        if config is None:
            raise LookupError(f"campaign {slug!r} has no config file loaded")
        version = self._version(addressee.campaign_id)
        if version is None:
            raise LookupError(f"campaign {slug!r} has no letter version")
        extra: dict[str, Any] | None = None
        if kind.extra is not None:
            target = self.session.get(Target, addressee.target_id)
            assert target is not None
            made = kind.extra(self.session, target, version, row.payload)
            if isinstance(made, str):
                return Cancel(made)
            extra = made
        settings = self.composer.settings
        if version.id not in self.shared:
            self.shared[version.id] = shared_context(settings, config, version, self.now)
        message = target_draft(
            settings, self._templates(slug, kind.template(config, addressee.engagement)),
            self.shared[version.id], addressee, kind, message_id=row.message_id, now=self.now,
            payload=row.payload, extra=extra).encode()
        self.letters[row.id] = version.id
        return message

    def _version(self, campaign_id: int) -> LetterVersion | None:
        """The campaign's current letter version, as of this claim."""
        if campaign_id not in self.versions:
            self.versions[campaign_id] = letters.current_version(self.session, campaign_id)
        return self.versions[campaign_id]

    def _templates(self, slug: str, name: str) -> TemplateSet:
        if (slug, name) not in self.templates:
            self.templates[slug, name] = load_set(self.composer.environments[slug], name)
        return self.templates[slug, name]

    def record_letters(self) -> None:
        """Record which letter version each composed message links (replaced on a resend)."""
        if not self.letters:
            return
        self.session.execute(delete(MailLetter).where(
            MailLetter.outbox_message_id.in_(list(self.letters))))
        insert_rows(self.session, MailLetter, [
            {"outbox_message_id": row_id, "letter_version_id": version_id}
            for row_id, version_id in self.letters.items()])
