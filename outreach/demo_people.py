"""The demo's simulated recipients: each answers the ask it received in its own way.

They read the asks the demo's SMTP sink filed, and write what real people and real mail
servers send back (a yes in English or Spanish, a decline, a question, a yes with a
referral, an out-of-office, a bounce) into the campaign's inbox Maildir.
"""

from __future__ import annotations

import mailbox
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from outreach.inbound.message import load_message

Answer = Callable[[EmailMessage, datetime], EmailMessage | None]


def _reply(ask: EmailMessage, text: str, now: datetime, *, quote: bool = True) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = str(ask["To"])
    msg["To"] = str(ask["Reply-To"])
    msg["Subject"] = "Re: " + str(ask["Subject"])
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=str(ask["To"].addresses[0].domain))
    msg["In-Reply-To"] = str(ask["Message-ID"])
    msg["References"] = str(ask["Message-ID"])
    body = ask.get_body(("plain",))
    quoted = ""
    if quote and body is not None:
        lines = body.get_content().splitlines()
        quoted = (f"\n\nOn {format_datetime(now - timedelta(hours=3))}, {ask['From']} wrote:\n"
                  + "\n".join(f"> {line}" for line in lines))
    msg.set_content(text + quoted + "\n")
    return msg


def sign_with_name(ask: EmailMessage, now: datetime) -> EmailMessage:
    org = _organization(ask)
    return _reply(ask, f"Yes! Please list us as {org}.\n\nThank you for organizing this.", now)


def sign_in_spanish(ask: EmailMessage, now: datetime) -> EmailMessage:
    return _reply(ask, "¡Sí, firmamos! Cuenten con nosotros.\n\nSaludos,", now)


def sign_and_refer(ask: EmailMessage, now: datetime) -> EmailMessage:
    return _reply(ask, "Count us in. You should also ask Jorge Pérez <jorge@lanare.example>, "
                       "who runs the Lanare water committee.", now)


def decline(ask: EmailMessage, now: datetime) -> EmailMessage:
    return _reply(ask, "Unfortunately we cannot sign this one; it is outside our mission. "
                       "Good luck with it.", now)


def question(ask: EmailMessage, now: datetime) -> EmailMessage:
    return _reply(ask, "Who else has signed so far? Our board will want to know before "
                       "we commit.", now)


def more_time(ask: EmailMessage, now: datetime) -> EmailMessage:
    return _reply(ask, "We need more time to review this internally.", now)


def out_of_office(ask: EmailMessage, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = str(ask["To"])
    msg["To"] = str(ask["Reply-To"])
    msg["Subject"] = "Automatic reply: " + str(ask["Subject"])
    msg["Auto-Submitted"] = "auto-replied"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="autoreply.example")
    back = now + timedelta(days=10)
    msg.set_content(f"Thank you for your message. I am out of the office and will be back on "
                    f"{back:%A, %B %-d, %Y}. I will reply when I return.\n")
    return msg


def bounce(ask: EmailMessage, now: datetime, return_path: str) -> EmailMessage:
    """An RFC 3464 delivery-status report, as Postfix writes one for an unknown user."""
    recipient = ask["To"].addresses[0].addr_spec
    host = "mx." + recipient.split("@")[1]
    boundary = "dsn-boundary-outreach-demo"
    raw = f"""\
From: Mail Delivery System <MAILER-DAEMON@{host}>
To: {return_path}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(now)}
Message-ID: {make_msgid(domain=host)}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host {host}.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host {host} said: 550 5.1.1 <{recipient}>:
    Recipient address rejected: User unknown in local recipient table

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; {host}
Arrival-Date: {format_datetime(now)}

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown

--{boundary}--
"""
    return load_message(raw.encode())


def _organization(ask: EmailMessage) -> str:
    subject = str(ask["Subject"])
    return subject.removeprefix("Will ").split(" sign on?")[0]


PERSONAS: list[Answer | None] = [
    sign_with_name, question, sign_in_spanish, decline, None, sign_and_refer, more_time,
    out_of_office, sign_with_name, None,
]


def answer_asks(sent: Path, inbox: Path, now: datetime) -> int:
    """Answer every ask filed in the Maildir `sent` into the Maildir `inbox`."""
    outgoing = mailbox.Maildir(sent, create=False)
    incoming = mailbox.Maildir(inbox, create=True)
    asks = []
    for key in sorted(outgoing.keys()):
        msg = load_message(outgoing.get_bytes(key))
        if msg["Reply-To"] and str(msg["Subject"]).startswith("Will "):
            asks.append((msg, outgoing.get_bytes(key)))
    asks.sort(key=lambda pair: str(pair[0]["To"]))
    written = 0
    for index, (ask, raw) in enumerate(asks):
        if index == len(asks) - 1:
            return_path = raw.split(b"\r\n", 1)[0].decode().removeprefix("Return-Path: ")
            incoming.add(bounce(ask, now, return_path.strip("<>")).as_bytes())
            written += 1
            continue
        persona = PERSONAS[index % len(PERSONAS)]
        reply = persona(ask, now) if persona else None
        if reply is not None:
            incoming.add(reply.as_bytes())
            written += 1
    return written
