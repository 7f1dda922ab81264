"""Sending an accepted post to the members: one outbox row each, composed when claimed.

`distribute` queues one copy per member who receives posts, once per post. Copies are
composed late, by `ListCopyComposer`: a member who leaves or pauses delivery while the
copies wait gets none, and each copy carries its member's own unsubscribe link and
address. The post is prepared (cleansed, prefixed, its From rewritten when the poster's
domain needs it) once and kept in the composer, so ten thousand copies read it once.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.lists.cleanse import PreparedPost, poster_name, prepare_post
from outreach.lists.config import ListConfig
from outreach.lists.dmarc import is_strict
from outreach.lists.models import Delivery, ListMember, ListPost, MemberStatus
from outreach.lists.notices import POST
from outreach.lists.registry import Lists, leave_address, member_token, unsubscribe_url
from outreach.mail.models import InboundMessage, OutboxMessage
from outreach.mail.outbox import About, NewMessage, enqueue_many

# The mail kind of one member's copy of a post.
LIST_COPY = "list_copy"
# Rows written per INSERT.
PAGE = 5000
# Posts whose prepared form a composer keeps: the few being distributed at once.
PREPARED_POSTS = 4


def distribute(session: Session, lists: Lists, config: ListConfig, post: ListPost,
               now: datetime) -> int:
    """Queue `post` for every member of its list who receives posts; returns how many.
    A post goes out once: a second call queues nothing. The caller owns the transaction
    and the post's status."""
    if post.distributed_at is not None:
        return 0
    members = session.execute(
        select(ListMember.id, ListMember.address)
        .where(ListMember.list_name == config.slug,
               ListMember.status == MemberStatus.SUBSCRIBED,
               ListMember.delivery == Delivery.ALL)
        .order_by(ListMember.id)).all()
    about = About(POST, post.id)
    for start in range(0, len(members), PAGE):
        enqueue_many(session, [NewMessage(LIST_COPY, address, about=about,
                                          payload={"member": member_id})
                               for member_id, address in members[start:start + PAGE]],
                     now=now, message_id_domain=config.domain)
    post.recipients = len(members)
    post.distributed_at = now
    return len(members)


class UnpreparablePost(ValueError):
    """The post cannot be made into copies (its message is unreadable, say)."""


class ListCopyComposer:
    """The composer of LIST_COPY rows: the post, prepared once, copied for the row's
    member with their footer and List-Unsubscribe; None (the row is cancelled) when the
    member no longer receives posts, or the post or its list is gone."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists
        # By post id: the list and the prepared post, or why it cannot be prepared.
        self._posts: OrderedDict[int, tuple[ListConfig, PreparedPost] | str | None] = \
            OrderedDict()
        # Whether each member of the rows claimed in one session receives posts, read in
        # that session's transaction (a later claim reads them again).
        self._receiving: dict[int, bool] = {}
        self._session: weakref.ref[Session] | None = None

    def __call__(self, session: Session, row: OutboxMessage, now: datetime) -> bytes | None:
        member_id = row.payload.get("member")
        if row.about_id is None or not isinstance(member_id, int):
            raise ValueError(f"a {LIST_COPY} row needs a post and a member, not "
                             f"{row.about_id!r} and {member_id!r}")
        if not self._receives(session, member_id):
            return None
        prepared = self._prepared(session, row.about_id)
        if prepared is None:
            return None
        config, post = prepared
        footer, headers = self._unsubscribe(config, member_id)
        return post.copy_for(footer, headers)

    def _unsubscribe(self, config: ListConfig, member_id: int) -> tuple[str, dict[str, str]]:
        """The member's footer and List-Unsubscribe headers, with their own link and
        leave address."""
        token = member_token(self.lists.key, member_id)
        url = unsubscribe_url(self.lists.settings, token)
        leave = leave_address(config, token)
        lines = [config.footer.strip(), f"Leave the list with one click: {url}",
                 f"or by writing to {leave}"]
        headers = {"List-Unsubscribe": f"<{url}>, <mailto:{leave}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return "\n".join(line for line in lines if line), headers

    def _receives(self, session: Session, member_id: int) -> bool:
        if self._session is None or self._session() is not session:
            self._session = weakref.ref(session)
            self._receiving = {}
        if member_id not in self._receiving:
            self._read_members(session, {member_id, *self._members_claimed(session)})
        return self._receiving[member_id]

    def _members_claimed(self, session: Session) -> set[int]:
        """The members of the copies the session holds (the page being claimed), so that
        one query reads them all."""
        members = set()
        for obj in session.identity_map.values():
            if isinstance(obj, OutboxMessage) and obj.kind == LIST_COPY:
                member_id = obj.payload.get("member")
                if isinstance(member_id, int) and member_id not in self._receiving:
                    members.add(member_id)
        return members

    def _read_members(self, session: Session, member_ids: set[int]) -> None:
        rows = session.execute(
            select(ListMember.id, ListMember.status, ListMember.delivery)
            .where(ListMember.id.in_(member_ids))).all()
        self._receiving.update(dict.fromkeys(member_ids, False))  # a deleted member too
        self._receiving.update({member_id: status == MemberStatus.SUBSCRIBED
                                and delivery == Delivery.ALL
                                for member_id, status, delivery in rows})

    def _prepared(self, session: Session, post_id: int
                  ) -> tuple[ListConfig, PreparedPost] | None:
        if post_id in self._posts:
            self._posts.move_to_end(post_id)
        else:
            self._posts[post_id] = self._prepare(session, post_id)
            if len(self._posts) > PREPARED_POSTS:
                self._posts.popitem(last=False)
        prepared = self._posts[post_id]
        if isinstance(prepared, str):
            raise UnpreparablePost(prepared)
        return prepared

    def _prepare(self, session: Session, post_id: int
                 ) -> tuple[ListConfig, PreparedPost] | str | None:
        """The post's list and the post prepared; why it cannot be prepared; or None
        when the post or its list is gone."""
        post = session.get(ListPost, post_id)
        config = self.lists.get(post.list_name) if post is not None else None
        if post is None or config is None:
            return None
        message = session.get_one(InboundMessage, post.inbound_message_id)
        poster = post.poster or ""
        strict = config.dmarc_rewrite == "strict" \
            and is_strict(self.lists.dmarc.policy(poster.rpartition("@")[2]))
        try:
            name = poster_name(message.raw)
            return config, prepare_post(config, message.raw, poster=poster, poster_name=name,
                                        strict_dmarc=strict)
        except Exception as exc:  # whatever the post holds, its copies fail with the reason
            return f"post {post_id} cannot be prepared: {exc!r}"
