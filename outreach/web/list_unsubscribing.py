"""A list member's one-click unsubscribe (RFC 8058) at `/list-unsubscribe/<token>`, the
HTTPS half of the `List-Unsubscribe` header of every list message.

The token is the member's (`outreach.lists.registry.member_token`): only their own mail
carries it. A GET shows the list and a button, and changes nothing, so the link scanners
of mail providers never unsubscribe anyone. A POST unsubscribes through
`members.unsubscribe`, as mail to the member's leave address does, when it is a mail
client's one-click POST (the body `List-Unsubscribe=One-Click`) or the page's own form
(with its form token). Posts are limited per token only, as for the campaign's
unsubscribe: one-click posts come from the servers of large mail providers.
"""

from __future__ import annotations

from datetime import datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from outreach.db.session import transaction
from outreach.lists import members
from outreach.lists.config import ListConfig
from outreach.lists.feature import lists_of
from outreach.lists.models import ListMember, MemberStatus
from outreach.lists.registry import member_of_token
from outreach.web.site import Site

LIST_UNSUBSCRIBE_PATH = "list-unsubscribe"


class ListUnsubscribePages:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.lists = lists_of(site.app)

    def routes(self) -> list[Route]:
        path = f"/{LIST_UNSUBSCRIBE_PATH}/{{token}}"
        return [Route(path, self.show, methods=["GET"]),
                Route(path, self.unsubscribe, methods=["POST"])]

    def _member_id(self, token: str) -> int | None:
        return member_of_token(self.lists.key, token)

    def _config(self, member: ListMember | None) -> ListConfig | None:
        return self.lists.get(member.list_name) if member is not None else None

    def _is_unsubscribe(self, form: FormData, token: str, now: datetime) -> bool:
        """A mail client's one-click POST, or this page's own form."""
        return (form.get("List-Unsubscribe") == "One-Click"
                or self.site.form_is_ours(form, _scope(token), now))

    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        member_id = self._member_id(token)
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            member = session.get(ListMember, member_id) if member_id is not None else None
            config = self._config(member)
            if member is None or config is None:
                return self.site.not_found()
            return self.site.page("list_unsubscribe", {
                "list_title": config.title, "email": member.address, "done": False,
                "already": member.status == MemberStatus.UNSUBSCRIBED,
                "action": self.site.path(LIST_UNSUBSCRIBE_PATH, token),
                "csrf": self.site.forms.issue(_scope(token), now)})

    async def unsubscribe(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not self.site.allow_post(request, token, per_client=False):
            return self.site.too_many()
        member_id = self._member_id(token)
        if member_id is None:
            return self.site.not_found()
        form = await request.form()
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            member = session.get(ListMember, member_id, with_for_update=True)
            config = self._config(member)
            if member is None or config is None:
                return self.site.not_found()
            if not self._is_unsubscribe(form, token, now):
                return self.site.forbidden()
            members.unsubscribe(session, self.lists, config, member.address, by="one-click",
                                now=now)
            return self.site.page("list_unsubscribe", {
                "list_title": config.title, "email": member.address, "done": True,
                "already": True})


def _scope(token: str) -> str:
    return f"list-unsubscribe:{token}"
