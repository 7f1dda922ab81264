"""Mail to one target: the ask, and the replies the reply pipeline sends.

Each kind is composed when the outbox claims it, with the letter version current at that
moment, and is cancelled if the target has since moved to a state where it no longer
makes sense (an ask to someone who signed by phone, say).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import jinja2
import markdown_it
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import (
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
from outreach.mail.compose import Deferred, Draft, mailbox
from outreach.mail.models import OutboxMessage
from outreach.mail.tokens import make_token, tagged_address
from outreach.people.models import Engagement, Suppression
from outreach.settings import Settings
from outreach.templating import cached_environment, render_set
from outreach.web.links import draft_link, keep_link, sign_link, unsubscribe_link

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

    def template(self, config: CampaignConfig, target: Target) -> str:
        default = str(getattr(config.templates, self.name))
        level = target.organization.engagement
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


def mail_context(settings: Settings, config: CampaignConfig, target: Target,
                 version: LetterVersion, now: datetime,
                 payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a template may use. The draft link is `version`'s, fixed here, and so
    are the personal web links: the sign form, keep-or-withdraw and one-click unsubscribe."""
    key = settings.require_secret_key()
    sender = settings.sender
    base_url = settings.public.base_url
    contact, org = target.contact, target.organization
    reply = tagged_address(sender.reply_local_part, make_token(key, "t", target.id),
                           sender.reply_domain)
    unsubscribe = tagged_address("unsubscribe", make_token(key, "c", contact.id),
                                 sender.reply_domain)
    payload = payload or {}
    return {
        # `first_name` is the greeting name's older name, for templates written with it.
        "contact": {"name": contact.name, "greeting_name": contact.greeting_name,
                    "first_name": contact.greeting_name, "email": contact.email,
                    "role": contact.role or ""},
        "organization": {"name": org.name, "size": org.size.value,
                         "engagement": org.engagement.value if org.engagement else "",
                         "kind": org.stakeholder_kind or ""},
        "campaign": {"title": config.title, "slug": config.slug,
                     "soft_deadline": config.soft_deadline,
                     "hard_deadline": config.hard_deadline,
                     "timezone": config.timezone, "target_signers": config.target_signers,
                     "individuals_may_sign": config.individuals_may_sign,
                     "contact_email": config.contact_email or sender.address,
                     "days_to_soft_deadline": max(0, (config.soft_deadline - now).days)},
        "letter": {"version": version.number,
                   "draft_url": version.draft_url or draft_link(base_url, config.slug),
                   "text": version.text, "html": letter_html(version.text)},
        "sender": {"name": sender.name, "address": sender.address,
                   "postal_address": sender.postal_address},
        "reply_address": reply,
        "unsubscribe_address": unsubscribe,
        "sign_url": sign_link(key, base_url, target.id, config.hard_deadline),
        "keep_url": keep_link(key, base_url, target.id),
        "unsubscribe_url": unsubscribe_link(key, base_url, contact.id),
        "name_as_listed": payload.get("name_as_listed", org.name),
        "reconfirmed": bool(payload.get("reconfirmed")),
    }


def build_target_mail(settings: Settings, config: CampaignConfig, env: jinja2.Environment,
                      target: Target, version: LetterVersion, kind: MailKind, *,
                      message_id: str, now: datetime,
                      payload: dict[str, Any] | None = None,
                      extra: dict[str, Any] | None = None) -> EmailMessage:
    """The message as the `email` package builds it (for `preview` and `check`)."""
    return draft_target_mail(settings, config, env, target, version, kind,
                             message_id=message_id, now=now, payload=payload,
                             extra=extra).build()


def draft_target_mail(settings: Settings, config: CampaignConfig, env: jinja2.Environment,
                      target: Target, version: LetterVersion, kind: MailKind, *,
                      message_id: str, now: datetime,
                      payload: dict[str, Any] | None = None,
                      extra: dict[str, Any] | None = None) -> Draft:
    """Everything one message to a target holds; `preview` and `check` build it with the
    `email` package, the outbox writes the same draft with `Draft.as_bytes`."""
    return target_mail_recipe(settings, config, (), target, version, kind,
                              message_id=message_id, now=now, payload=payload,
                              extra=extra).draft(env)


@dataclass(frozen=True)
class TargetMailRecipe:
    """What writing one message to a target needs, read when its row is claimed (the
    context holds the draft link of the letter version current then): plain data, so that
    the outbox may write it in another process (`write_target_mail`)."""

    search_path: tuple[str, ...]  # the campaign's template folders
    template: str
    context: dict[str, Any]
    sender_name: str
    sender_address: str
    to_name: str
    to_email: str
    message_id: str
    date: datetime
    marketing: bool
    in_reply_to: str | None

    def draft(self, env: jinja2.Environment | None = None) -> Draft:
        if env is None:
            env = cached_environment(self.search_path)
        rendered = render_set(env, self.template, self.context)
        headers = {}
        if self.marketing:
            # RFC 8058: the HTTPS link first, which a mail client POSTs to at one click.
            headers["List-Unsubscribe"] = (f"<{self.context['unsubscribe_url']}>, "
                                           f"<mailto:{self.context['unsubscribe_address']}"
                                           "?subject=unsubscribe>")
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return Draft(
            sender=mailbox(self.sender_name, self.sender_address),
            to=mailbox(self.to_name, self.to_email),
            reply_to=mailbox(self.sender_name, self.context["reply_address"]),
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=self.message_id,
            date=self.date,
            in_reply_to=self.in_reply_to,
            references=[self.in_reply_to] if self.in_reply_to else [],
            extra_headers=headers,
        )


def write_target_mail(recipe: TargetMailRecipe) -> bytes:
    """The message's bytes (run by the outbox, in the claim or in a composing process)."""
    return recipe.draft().as_bytes()


def target_mail_recipe(settings: Settings, config: CampaignConfig,
                       search_path: tuple[str, ...], target: Target, version: LetterVersion,
                       kind: MailKind, *, message_id: str, now: datetime,
                       payload: dict[str, Any] | None = None,
                       extra: dict[str, Any] | None = None) -> TargetMailRecipe:
    payload = payload or {}
    sender = settings.sender
    return TargetMailRecipe(
        search_path=search_path,
        template=kind.template(config, target),
        context={**mail_context(settings, config, target, version, now, payload),
                 **(extra or {})},
        sender_name=sender.name,
        sender_address=sender.address,
        to_name=target.contact.name,
        to_email=target.contact.email,
        message_id=message_id,
        date=now,
        marketing=kind.marketing,
        in_reply_to=payload.get("in_reply_to"),
    )


# A target with what its mail needs (built once: building loader options per message was a
# tenth of composing one).
_TARGET_WITH_ALL = (joinedload(Target.contact), joinedload(Target.organization),
                    joinedload(Target.campaign))


@dataclass
class _ClaimReads:
    """What a composer read in one claim (its session), so that a page reads it once: each
    campaign's current letter version, the rows looked up for a `mail_letter` row and
    those that have one (composed before, then retried)."""

    versions: dict[int, LetterVersion | None] = field(default_factory=dict)
    checked: set[int] = field(default_factory=set)
    lettered: set[int] = field(default_factory=set)


class TargetMailComposer:
    """The outbox's composer for every kind in `KINDS`: runs when a row is claimed."""

    def __init__(self, settings: Settings, campaigns: dict[str, CampaignConfig],
                 template_path: Callable[[CampaignConfig], list[Path]]) -> None:
        self.settings = settings
        self.campaigns = campaigns
        self.template_path = template_path
        self._claims: weakref.WeakKeyDictionary[Session, _ClaimReads] = \
            weakref.WeakKeyDictionary()

    def _current_version(self, session: Session, campaign_id: int) -> LetterVersion | None:
        versions = self._claims.setdefault(session, _ClaimReads()).versions
        if campaign_id not in versions:
            versions[campaign_id] = letters.current_version(session, campaign_id)
        return versions[campaign_id]

    def _record_letter(self, session: Session, row: OutboxMessage, version: LetterVersion
                       ) -> None:
        """Which version this message links (`mail_letter`), one query per claimed page."""
        reads = self._claims.setdefault(session, _ClaimReads())
        if row.id not in reads.checked:
            page = {row.id} | {obj.id for obj in session.identity_map.values()
                               if isinstance(obj, OutboxMessage) and obj.kind in KINDS
                               and obj.id not in reads.checked}
            reads.lettered |= set(session.scalars(select(MailLetter.outbox_message_id).where(
                MailLetter.outbox_message_id.in_(page))))
            reads.checked |= page
        if row.id in reads.lettered:
            session.get_one(MailLetter, row.id).letter_version_id = version.id
        else:
            session.add(MailLetter(outbox_message_id=row.id, letter_version_id=version.id))
            reads.lettered.add(row.id)

    def __call__(self, session: Session, row: OutboxMessage, now: datetime
                 ) -> Deferred | None:
        kind = KINDS[row.kind]
        target_id = target_id_of(row)
        target = session.get(Target, target_id, options=_TARGET_WITH_ALL) \
            if target_id is not None else None
        if target is None:
            raise LookupError(f"{row.kind} {row.message_id} has no target")
        if target.state not in kind.sendable or target.contact.suppression != Suppression.NONE:
            row.last_error = (f"cancelled: target is {target.state.value}, "
                              f"contact {target.contact.suppression.value}")
            return None
        if kind.automated and target.replied_at is not None and \
                target.replied_at >= row.created_at:
            row.last_error = "cancelled: they replied after this was queued"
            return None
        valid_until = row.payload.get("valid_until")
        if valid_until and now >= datetime.fromisoformat(valid_until):
            row.last_error = f"cancelled: its deadline ({valid_until}) passed before it went out"
            return None
        slug = target.campaign.slug
        if slug not in self.campaigns:
            raise LookupError(f"campaign {slug!r} has no config file loaded")
        version = self._current_version(session, target.campaign_id)
        if version is None:
            raise LookupError(f"campaign {slug!r} has no letter version")
        extra = kind.extra(session, target, version, row.payload) if kind.extra else None
        if isinstance(extra, str):
            row.last_error = extra
            return None
        self._record_letter(session, row, version)
        config = self.campaigns[slug]
        search_path = tuple(str(path) for path in self.template_path(config))
        return Deferred(write_target_mail, target_mail_recipe(
            self.settings, config, search_path, target, version, kind,
            message_id=row.message_id, now=now, payload=row.payload, extra=extra))
