"""Sign links (`/sign/<token>`) and keep-or-withdraw links (`/keep/<token>`).

A sign link names one target. Its page shows the current letter, the organization on file
and a form (the name to list, the signer's name and title, "I am authorized", and, where
the campaign takes individuals, "sign as an individual instead"). A post records the
sign-on through `record_sign_on`, the same function as a yes by email, with web evidence:
the time, the letter version the page showed (carried in the form: if the letter changed
since, the page is shown again with the new version and nothing is signed), the name
typed, and the signer's name and title. Opening the link again shows the signature and a
button to withdraw it. A link past the campaign's hard deadline answers 410, a forged one
404; neither signs anything.

A keep link, in change and reissue notices, lets a signer keep their signature (answering
the open notices, as a "yes" by email does: `reconfirm`, then a confirmation) or withdraw
it (`withdraw`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from outreach.campaign.config import CampaignConfig
from outreach.campaign.letters import current_version
from outreach.campaign.models import LetterVersion, SignOn, Target, TargetState
from outreach.campaign.public_page import display_name, letter_html
from outreach.campaign.signons import (
    Evidence,
    active_sign_on,
    open_notices,
    reconfirm_and_confirm,
    record_sign_on,
    withdraw,
)
from outreach.campaign.targets import OPEN
from outreach.db.session import transaction
from outreach.web.links import KEEP_PATH, SIGN_PATH, Purpose, expired, read_link_token
from outreach.web.site import Site

# Who decided, on a sign-on or withdrawal made on these pages: the signer, on the web.
DECIDED_BY = "signer:web"
# The states a yes may sign from, as by email: asked and not answered for good, or declined.
SIGNABLE = OPEN | {TargetState.DECLINED}
NAME_MAX = 150  # the longest name a reply may list (`outreach.campaign.listing_name`)
PERSON_MAX = 200


@dataclass(frozen=True)
class SignForm:
    """What the signer typed."""

    name_to_list: str
    signer_name: str
    signer_title: str
    authorized: bool
    as_individual: bool
    letter_version: str

    @classmethod
    def read(cls, form: FormData) -> SignForm:
        def text(field: str) -> str:
            value = form.get(field)
            return display_name(value) if isinstance(value, str) else ""

        return cls(name_to_list=text("name_to_list"), signer_name=text("signer_name"),
                   signer_title=text("signer_title"), authorized=form.get("authorized") == "yes",
                   as_individual=form.get("as_individual") == "yes",
                   letter_version=text("letter_version"))

    def problems(self, organization: str, individuals_may_sign: bool) -> list[str]:
        found = []
        if not self.name_to_list:
            found.append("Please give the name to list.")
        elif len(self.name_to_list) > NAME_MAX:
            found.append(f"The name to list is too long (at most {NAME_MAX} characters).")
        if not self.signer_name:
            found.append("Please give your name.")
        if len(self.signer_name) > PERSON_MAX or len(self.signer_title) > PERSON_MAX:
            found.append(f"Your name and title may have at most {PERSON_MAX} characters each.")
        if self.as_individual and not individuals_may_sign:
            found.append("This letter is signed by organizations only.")
        elif self.as_individual and self.name_to_list == organization:
            found.append("To sign as an individual, list your own name, not the "
                         "organization's.")
        elif not self.as_individual and not self.authorized:
            found.append(f"Please confirm that you are authorized to sign on behalf of "
                         f"{organization}.")
        return found


def _link_target(site: Site, session: Session, token: str, purpose: Purpose,
                 now: datetime) -> tuple[Target, CampaignConfig] | Response:
    """The target a genuine link names with its campaign, or the page that says why not."""
    read = read_link_token(site.app.settings.require_secret_key(), token)
    if read is None or read.purpose != purpose:
        return site.not_found()
    target = session.get(Target, read.number, with_for_update=True)
    config = site.campaign_config(target.campaign.slug) if target is not None else None
    if target is None or config is None:
        return site.not_found()
    if purpose == Purpose.SIGN and (expired(read, now) or now > config.hard_deadline):
        deadline = config.hard_deadline.astimezone(ZoneInfo(config.timezone))
        return site.problem(
            410, "The deadline has passed",
            f"Signatures for “{config.title}” closed on "
            f"{deadline.strftime('%-d %B %Y')}. This link no longer signs. To reach the "
            "organizers, write to:", site.contact_email(config))
    return target, config


def _letter(session: Session, target: Target) -> LetterVersion:
    version = current_version(session, target.campaign_id)
    if version is None:
        raise LookupError(f"campaign {target.campaign.slug!r} has no letter version")
    return version


class SignPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route(f"/{SIGN_PATH}/{{token}}", self.show, methods=["GET"]),
            Route(f"/{SIGN_PATH}/{{token}}", self.sign, methods=["POST"]),
            Route(f"/{SIGN_PATH}/{{token}}/withdraw", self.withdraw, methods=["POST"]),
            Route(f"/{KEEP_PATH}/{{token}}", self.show_keep, methods=["GET"]),
            Route(f"/{KEEP_PATH}/{{token}}", self.keep_or_withdraw, methods=["POST"]),
        ]

    # Sign ---------------------------------------------------------------------------------

    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            found = _link_target(self.site, session, token, Purpose.SIGN, now)
            if isinstance(found, Response):
                return found
            target, config = found
            sign_on = active_sign_on(session, target)
            if sign_on is not None:
                return self._signed(token, target, config, sign_on, now, just_signed=False)
            if target.state not in SIGNABLE:
                return self._closed(target, config)
            name = target.organization.name
            form = SignForm(name, "", "", False, False, "")
            return self._form(token, session, target, config, form, [], now)

    async def sign(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not self.site.allow_post(request, token):
            return self.site.too_many()
        form = await request.form()
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            found = _link_target(self.site, session, token, Purpose.SIGN, now)
            if isinstance(found, Response):
                return found
            target, config = found
            if not self.site.form_is_ours(form, f"sign:{token}", now):
                return self.site.forbidden()
            sign_on = active_sign_on(session, target)
            if sign_on is not None:
                return self._signed(token, target, config, sign_on, now, just_signed=False)
            if target.state not in SIGNABLE:
                return self._closed(target, config)
            typed = SignForm.read(form)
            version = _letter(session, target)
            if typed.letter_version != str(version.number):
                return self._form(token, session, target, config, typed, [
                    f"The letter changed since this page was opened: this is version "
                    f"{version.number}. Please read it again; nothing was signed yet."],
                    now, status=409)
            problems = typed.problems(target.organization.name, config.individuals_may_sign)
            if problems:
                return self._form(token, session, target, config, typed, problems, now,
                                  status=422)
            sign_on = record_sign_on(
                session, target, name=typed.name_to_list,
                signer_type="individual" if typed.as_individual else "organization",
                now=now, message_id_domain=self.site.app.settings.sender.reply_domain,
                evidence=Evidence(kind="web", decided_by=DECIDED_BY,
                                  letter_version_id=version.id,
                                  quoted_text=_statement(typed, target.organization.name),
                                  signer_name=typed.signer_name,
                                  signer_title=typed.signer_title or None))
            return self._signed(token, target, config, sign_on, now, just_signed=True)

    async def withdraw(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not self.site.allow_post(request, token):
            return self.site.too_many()
        form = await request.form()
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            found = _link_target(self.site, session, token, Purpose.SIGN, now)
            if isinstance(found, Response):
                return found
            target, config = found
            if not self.site.form_is_ours(form, f"withdraw:{token}", now):
                return self.site.forbidden()
            return self._withdraw(session, target, config, now)

    def _form(self, token: str, session: Session, target: Target, config: CampaignConfig,
              form: SignForm, problems: list[str], now: datetime,
              status: int = 200) -> HTMLResponse:
        version = _letter(session, target)
        return self.site.page("sign", {
            "campaign": {"title": config.title,
                         "individuals_may_sign": config.individuals_may_sign,
                         "hard_deadline": config.hard_deadline, "timezone": config.timezone},
            "organization": target.organization.name,
            "letter": {"version": version.number,
                       "html": letter_html(version.text, config.title)},
            "form": form,
            "problems": problems,
            "action": self.site.path(SIGN_PATH, token),
            "csrf": self.site.forms.issue(f"sign:{token}", now),
        }, status)

    def _signed(self, token: str, target: Target, config: CampaignConfig, sign_on: SignOn,
                now: datetime, *, just_signed: bool) -> HTMLResponse:
        return self.site.page("signed", {
            "campaign": {"title": config.title, "timezone": config.timezone},
            "public_href": self.site.path("c", config.slug, ""),
            "sign_on": {"name": sign_on.name_as_listed, "signed_at": sign_on.signed_at},
            "email": target.contact.email,
            "just_signed": just_signed,
            "withdraw_action": self.site.path(SIGN_PATH, token, "withdraw"),
            "csrf": self.site.forms.issue(f"withdraw:{token}", now),
        })

    def _closed(self, target: Target, config: CampaignConfig) -> HTMLResponse:
        return self.site.problem(
            409, "This link cannot sign any more",
            f"{target.organization.name} is no longer on the list of organizations we are "
            f"asking to sign “{config.title}” (it is {target.state.value.replace('_', ' ')}"
            "). Nothing was signed. To sign after all, write to the organizers:",
            self.site.contact_email(config))

    def _withdraw(self, session: Session, target: Target, config: CampaignConfig,
                  now: datetime) -> HTMLResponse:
        sign_on = active_sign_on(session, target)
        name = sign_on.name_as_listed if sign_on is not None else target.organization.name
        if sign_on is not None:
            withdraw(session, sign_on, now=now, by=DECIDED_BY,
                     message_id_domain=self.site.app.settings.sender.reply_domain,
                     quoted_text="Withdrew the signature on the web page.")
        return self.site.page("withdrawn", {"campaign": {"title": config.title},
                                            "name": name,
                                            "contact_email": self.site.contact_email(config)})

    # Keep or withdraw ---------------------------------------------------------------------

    async def show_keep(self, request: Request) -> Response:
        token = request.path_params["token"]
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            found = _link_target(self.site, session, token, Purpose.KEEP_OR_WITHDRAW, now)
            if isinstance(found, Response):
                return found
            target, config = found
            return self._keep_page(token, session, target, config, now)

    async def keep_or_withdraw(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not self.site.allow_post(request, token):
            return self.site.too_many()
        form = await request.form()
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            found = _link_target(self.site, session, token, Purpose.KEEP_OR_WITHDRAW, now)
            if isinstance(found, Response):
                return found
            target, config = found
            if not self.site.form_is_ours(form, f"keep:{token}", now):
                return self.site.forbidden()
            choice = form.get("choice")
            if choice == "withdraw":
                return self._withdraw(session, target, config, now)
            if choice != "keep":
                return self._keep_page(token, session, target, config, now, status=422)
            sign_on = active_sign_on(session, target)
            if sign_on is not None:  # as a "yes" to a notice by email
                reconfirm_and_confirm(
                    session, sign_on, target, now=now, by=DECIDED_BY,
                    message_id_domain=self.site.app.settings.sender.reply_domain)
            return self._keep_page(token, session, target, config, now, kept=True)

    def _keep_page(self, token: str, session: Session, target: Target, config: CampaignConfig,
                   now: datetime, *, kept: bool = False, status: int = 200) -> HTMLResponse:
        sign_on = active_sign_on(session, target)
        version = _letter(session, target)
        notices = open_notices(session, sign_on) if sign_on is not None else []
        return self.site.page("keep", {
            "campaign": {"title": config.title, "timezone": config.timezone},
            "letter": {"version": version.number,
                       "html": letter_html(version.text, config.title)},
            "sign_on": {"name": sign_on.name_as_listed} if sign_on is not None else None,
            "organization": target.organization.name,
            "respond_by": max((n.respond_by for n in notices), default=None),
            "needs_yes": any(n.requires_reconfirmation for n in notices),
            "kept": kept,
            "action": self.site.path(KEEP_PATH, token),
            "csrf": self.site.forms.issue(f"keep:{token}", now),
            "contact_email": self.site.contact_email(config),
        }, status)


def _statement(form: SignForm, organization: str) -> str:
    """The evidence in words, as the history and the export show it."""
    who = form.signer_name + (f", {form.signer_title}" if form.signer_title else "")
    if form.as_individual:
        return f"Signed on the web form as an individual, listed as “{form.name_to_list}”: {who}."
    return (f"Signed on the web form for {organization}, listed as “{form.name_to_list}”: "
            f"{who}, who confirmed being authorized to sign on its behalf.")
