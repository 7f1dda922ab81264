"""What the headers and the MIME structure say about a message being a delivery report
(cheap: no body text is read)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message

from outreach.inbound.bounces.mime import DSN_TYPES
from outreach.inbound.message import header

_SENDER_LOCALS = re.compile(
    r"^(?:mailer-daemon|mailer_daemon|maildaemon|mail-daemon|postmaster|post[_.-]master|mdaemon|"
    r"mail\.?delivery|mail\.?delivery\.?system|bounces?|nobody|daemon|.*smtp.*|.*mail_?service.*|"
    r"smtp|mailadmin|mailadm|imss|inetgw\d*|returned-mail|administrator|sysadmin|"
    r"symantec_antivirus\w*|postoffice|mailsystem|mail_system|mta|mailserver|"
    r".*postmaster.*|.*mailer-daemon.*)$",
    re.IGNORECASE,
)
_SENDER_NAMES = re.compile(
    r"mail\s*delivery|mailer[\s-]?daemon|postmaster|system\s+administrator|"
    r"mail\s+administrator|delivery\s+(?:subsystem|system|service|status)|mail\s+system|"
    r"mail\s+service|smtp|postoffice|internet\s+mail|mailserver|mail\s+server|"
    r"microsoft\s+outlook|microsoft\s+exchange|mail\s+transport",
    re.IGNORECASE,
)
_SUBJECTS = re.compile(
    r"undeliver|undelivered|not\s+delivered|non[\s-]?deliver|delivery\s+(?:status\s+)?"
    r"(?:notification|failure|failed|problem|report|has\s+failed|error|notice|warning)|"
    r"delivery\s+status|failure\s+notice|failed\s+mail|mail\s+(?:delivery\s+)?(?:failed|failure|"
    r"error|problem|not\s+delivered|system\s+error)|returned\s+(?:mail|to\s+sender)|"
    r"return(?:ed|ing)\s+(?:mail|message)|could\s+not\s+be\s+delivered|delivery\s+failure|"
    r"permanent\s+(?:delivery\s+)?(?:failure|error)|delayed\s+mail|message\s+delayed|"
    r"warning:\s+(?:message|could)|delivery\s+delayed|mail\s+delivery|user\s+unknown|"
    r"unzustellbar|nicht\s+zustellbar|non\s+remis|non\s+distribu|onbestelbaar|"
    r"no\s+entregado|nondeliverable|processing\s+error|unable\s+to\s+deliver|"
    r"failure\s+delivering|delivery\s+(?:was\s+)?unsuccessful|bounced?\b|"
    r"failed\s+delivery|delivery\s+notification|mail\s+error|"
    r"не\s+доставлен|无法|失败|退信",
    re.IGNORECASE,
)

_REPLY_PREFIX = re.compile(r"\s*(?:re|aw|fwd?|tr|sv|vs|antw|rif|wg)\s*:", re.I)


@dataclass
class Evidence:
    sender: bool  # the From (or envelope) is the mail system
    subject: bool  # the Subject reads like a delivery report
    reply: bool  # the Subject is a reply or forward ("Re:", "Fwd:")
    list_post: bool  # a mailing-list post (List-Id) from a person
    report: bool  # a multipart/report (or a delivery-status part) says it is a report

    @property
    def any(self) -> bool:
        return self.sender or self.subject or self.report



def read_evidence(
    msg: EmailMessage, sender_address: str, sender_name: str, subject: str,
    parts: list[tuple[Message, str]],
) -> Evidence:
    local = sender_address.split("@", 1)[0] if sender_address else ""
    from_value = header(msg, "From").strip()
    return_path = header(msg, "Return-Path")
    sender = bool(
        (local and _SENDER_LOCALS.match(local))
        or (sender_name and _SENDER_NAMES.search(sender_name))
        or (msg.get("From") is not None and (from_value in ("", "<>") or not sender_address))
        or (return_path and return_path.strip() in ("<>", "<MAILER-DAEMON>"))
    )
    reply = bool(_REPLY_PREFIX.match(subject))
    list_post = bool(header(msg, "List-Id") or header(msg, "List-Post")) and not sender
    report = (parts[0][1] == "multipart/report" and str(
        msg.get_param("report-type", "") or ""
    ).lower() in ("delivery-status", "")) or any(
        content_type in DSN_TYPES for _, content_type in parts
    )
    return Evidence(
        sender=sender,
        subject=bool(_SUBJECTS.search(subject)),
        reply=reply,
        list_post=list_post,
        report=report,
    )
