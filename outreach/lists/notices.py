"""The list's own messages to people (held, rejected, welcome, confirm…), from templates.

Each is rendered from `templates/lists/<template>.subject.j2` and `.txt.j2` (an
installation's `templates_dir` may override any), comes from the list's `-owner` address,
and is queued in the outbox in the caller's transaction, composed once, now.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.orm import Session

from outreach.lists.config import ListConfig
from outreach.mail.compose import Draft, mailbox, to_bytes
from outreach.mail.models import OutboxMessage
from outreach.mail.outbox import About, enqueue, new_message_id
from outreach.templating import make_environment

# What list mail is about, for the outbox and bounce hooks: a post, or a member.
POST = "list_post"
MEMBER = "list_member"


@functools.cache
def _environment(templates_dir: Path | None) -> jinja2.Environment:
    return make_environment([templates_dir] if templates_dir is not None else [])


def render(templates_dir: Path | None, template: str,
           context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, text) of `template`."""
    env = _environment(templates_dir)
    subject = env.get_template(f"lists/{template}.subject.j2").render(**context)
    text = env.get_template(f"lists/{template}.txt.j2").render(**context)
    return subject.strip(), text


def list_headers(config: ListConfig) -> dict[str, str]:
    """Headers every message of the list carries (RFC 2369 and 2919)."""
    headers = {
        "List-Id": f"{config.title} <{config.list_id}>",
        "List-Post": f"<mailto:{config.posting_address}>",
        "List-Help": f"<mailto:{config.derived('request')}?subject=help>",
        "List-Owner": f"<mailto:{config.derived('owner')}>",
        "List-Subscribe": f"<mailto:{config.derived('join')}>",
    }
    if config.archive_url:
        headers["List-Archive"] = f"<{config.archive_url}>"
    return headers


def attach_message(msg: EmailMessage, raw: bytes) -> None:
    """Attach the message `raw` (a held post, say) as message/rfc822."""
    try:
        inner = message_from_bytes(raw, policy=default)
        assert isinstance(inner, EmailMessage)
        msg.add_attachment(inner)
    except Exception:  # a message too broken to re-serialize goes as bytes, unchanged
        msg.add_attachment(raw, maintype="application", subtype="octet-stream",
                           filename="message.eml")


def notice(session: Session, *, config: ListConfig, templates_dir: Path | None, kind: str,
           to: str, template: str, context: Mapping[str, Any], now: datetime,
           about: About | None = None, reply_to: str | None = None,
           attach: bytes | None = None, in_reply_to: str | None = None) -> OutboxMessage:
    """Queue the list's message `template` to `to`, rendered with `context` (which always
    also has `list`: the config, and the list's addresses)."""
    full = {"list": config, "posting_address": config.posting_address,
            "request_address": config.derived("request"),
            "join_address": config.derived("join"), "leave_address": config.derived("leave"),
            "owner_address": config.derived("owner"), **context}
    subject, text = render(templates_dir, template, full)
    message_id = new_message_id(config.domain)
    draft = Draft(
        sender=mailbox(config.title, config.derived("owner")),
        to=mailbox("", to),
        subject=subject,
        text=text,
        message_id=message_id,
        date=now,
        reply_to=mailbox(config.title, reply_to) if reply_to else None,
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else [],
        extra_headers={**list_headers(config), "Auto-Submitted": "auto-replied",
                       "X-Auto-Response-Suppress": "All"},
    )
    msg = draft.build()
    if attach is not None:
        attach_message(msg, attach)
    row = enqueue(session, kind=kind, recipient=to, now=now, message_id_domain=config.domain,
                  about=about, raw=to_bytes(msg), priority=1)
    row.message_id = message_id
    return row
