"""One-click unsubscribe (RFC 8058) at `/unsubscribe/<token>`, the HTTPS half of the
`List-Unsubscribe` header of every campaign mail.

A POST suppresses the contact the token names at once, through `unsubscribe_contact`, the
function mail to the unsubscribe address uses, and answers 200 with a short page. A mail
client's one-click POST carries the body `List-Unsubscribe=One-Click` and no cookie, so a
POST needs no form token: the link token is the secret (only the contact's own mail
carries it), and anyone holding it could make that same POST. A GET only shows a page
with a button that POSTs, so the link scanners of mail providers, which follow links with
GET, never unsubscribe anyone.

Posts are limited per token only: one-click posts come from the servers of large mail
providers, many people's from one address, and none of them may be refused.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from outreach.campaign.decisions import unsubscribe_contact
from outreach.db.session import transaction
from outreach.people.models import Contact, Suppression
from outreach.web.links import UNSUBSCRIBE_PATH, Purpose, read_link_token
from outreach.web.site import Site


class UnsubscribePages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [Route(f"/{UNSUBSCRIBE_PATH}/{{token}}", self.show, methods=["GET"]),
                Route(f"/{UNSUBSCRIBE_PATH}/{{token}}", self.unsubscribe, methods=["POST"])]

    def _contact_id(self, token: str) -> int | None:
        read = read_link_token(self.site.app.settings.require_secret_key(), token)
        return read.number if read is not None and read.purpose == Purpose.UNSUBSCRIBE \
            else None

    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        contact_id = self._contact_id(token)
        with transaction(self.site.app.factory) as session:
            contact = session.get(Contact, contact_id) if contact_id is not None else None
            if contact is None:
                return self.site.not_found()
            return self.site.page("unsubscribe", {
                "email": contact.email, "done": False,
                "already": contact.suppression == Suppression.UNSUBSCRIBED,
                "action": self.site.path(UNSUBSCRIBE_PATH, token)})

    async def unsubscribe(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not self.site.allow_post(request, token, per_client=False):
            return self.site.too_many()
        contact_id = self._contact_id(token)
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            contact = session.get(Contact, contact_id, with_for_update=True) \
                if contact_id is not None else None
            if contact is None:
                return self.site.not_found()
            unsubscribe_contact(session, contact, now=now, actor="one-click unsubscribe")
            return self.site.page("unsubscribe", {"email": contact.email, "done": True,
                                                  "already": True})
