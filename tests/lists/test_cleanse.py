"""A post made fit to resend: headers dropped and rewritten, prefix once, types, footer;
and the DMARC record reading that decides whether From is rewritten."""

from __future__ import annotations

import base64
import email
import email.policy
import gc
import re
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import getaddresses

import dns.exception
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.inbound.message import load_message
from outreach.lists.cleanse import (
    FOOTER_RULE,
    MAX_DEPTH,
    REMOVED_NOTE,
    content_problem,
    prefixed_subject,
    prepare_post,
)
from outreach.lists.config import ListConfig, load_list
from outreach.lists.dmarc import (
    DnsDmarcPolicies,
    NoRecord,
    is_strict,
    organizational_domain,
    parse_dmarc_record,
    policy_of,
)
from outreach.mail.compose import one_line
from outreach.resources import bundled

POSTING = "coalition@valleywater.org"
UNSUBSCRIBE = {"List-Unsubscribe": "<https://lists.example/u/l7-abc>, "
                                   "<mailto:coalition-leave+l7-abc@valleywater.org>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
FOOTER = "Valley Water Coalition list\nLeave: https://lists.example/u/l7-abc"
# What a copy may carry at its top: the post's kept fields and the list's.
COPY_FIELDS = {"from", "reply-to", "to", "cc", "subject", "date", "message-id",
               "in-reply-to", "references", "x-mailer", "x-beenthere", "precedence",
               "list-id", "list-post", "list-help", "list-owner", "list-subscribe",
               "list-unsubscribe", "list-unsubscribe-post", "mime-version", "content-type",
               "content-transfer-encoding"}


def coalition(**changes: object) -> ListConfig:
    config = load_list(bundled("config") / "lists" / "coalition.toml")
    return config.model_copy(update=changes)


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def copy_of(raw: bytes, config: ListConfig | None = None, *, poster: str = "ana@river.example",
            name: str = "Ana", strict: bool = False, footer: str = FOOTER) -> bytes:
    prepared = prepare_post(config or coalition(), raw, poster=poster, poster_name=name,
                            strict_dmarc=strict)
    return prepared.copy_for(footer, UNSUBSCRIBE)


def encoded(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def plain_post(subject: str = "Hearing", text: str = "See you Thursday.\n",
               extra: str = "") -> bytes:
    return (f"From: Ana <ana@river.example>\nTo: {POSTING}\nSubject: {subject}\n"
            f"Date: Tue, 08 Dec 2026 10:00:00 -0800\nMessage-ID: <p1@river.example>\n{extra}"
            f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{text}").encode()


def text_of(part: EmailMessage) -> str:
    """A text part's content, its lines ending in \\n (a parsed copy keeps its CRLF)."""
    return str(part.get_content()).replace("\r\n", "\n")


def footer_text(msg: EmailMessage) -> str:
    last = [p for p in msg.walk() if not p.is_multipart()][-1]
    assert isinstance(last, EmailMessage)
    return text_of(last)


# ------------------------------------------------------------------------ the property


@st.composite
def posts(draw: st.DrawFn) -> tuple[bytes, str, str, str, bool]:
    """A post with a random subject, display name and body (line breaks, encoded words,
    the prefix, non-ASCII), plain or multipart; with its subject, name and body."""
    hostile = st.sampled_from(["\r\n", "\n", "\r", "Bcc: evil@x.example", "[coalition]",
                               "Re:", "RE: ", "Fwd:", "AW:", "=?", "?=", "é", "\u2028",
                               "\x0b", "\x00", " ", "ü" * 3, "[COALITION] "])
    text = st.lists(st.one_of(st.text(max_size=8), hostile), max_size=12).map("".join)
    subject, name, body = draw(text), draw(text), draw(text)
    multipart = draw(st.booleans())
    head = (f"From: {encoded(name)} <ana@river.example>\nTo: {POSTING}\n"
            f"Subject: {encoded(subject)}\nMessage-ID: <p1@river.example>\nMIME-Version: 1.0\n")
    plain = ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
             f"{base64.encodebytes(body.encode()).decode()}")
    if not multipart:
        return (head + plain).encode(), subject, name, body, multipart
    html = ("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
            f"{base64.encodebytes(f'<p>{body}</p>'.encode()).decode()}")
    raw = (f'{head}Content-Type: multipart/alternative; boundary="=-b-="\n\n'
           f"--=-b-=\n{plain}\n--=-b-=\n{html}\n--=-b-=--\n")
    return raw.encode(), subject, name, body, multipart


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post=posts(), strict=st.booleans())
def test_any_post_becomes_a_copy_with_its_fields_the_prefix_once_and_the_footer(
        post: tuple[bytes, str, str, str, bool], strict: bool) -> None:
    raw, subject, name, body, multipart = post
    poster_name = one_line(name)
    copy = copy_of(raw, name=poster_name, strict=strict)
    msg = parse(copy)
    assert not msg.defects
    assert {field.lower() for field in msg} <= COPY_FIELDS  # nothing injected
    assert len(msg.get_all("Subject") or []) == 1
    shown = str(msg["Subject"])
    assert shown == prefixed_subject("[coalition]", encoded(subject))
    assert shown.startswith("[coalition] ")
    assert len(re.findall(re.escape("[coalition]"), shown, re.I)) == 1
    [author] = msg["From"].addresses
    if strict:
        assert author.addr_spec == POSTING
        assert author.display_name == one_line(f"{poster_name or 'ana@river.example'} via "
                                               "Valley Water Coalition")
        assert [a.addr_spec for a in msg["Reply-To"].addresses] == ["ana@river.example"]
    else:
        assert author.addr_spec == "ana@river.example"
        assert author.display_name == poster_name
        assert msg["Reply-To"] is None
    assert str(msg["List-Unsubscribe"]) == UNSUBSCRIBE["List-Unsubscribe"]
    assert footer_text(msg).endswith(f"{FOOTER_RULE}\n{FOOTER}\n")
    if multipart:
        assert msg.get_content_type() == "multipart/mixed"
        assert [p.get_content_type() for p in msg.walk()] == [
            "multipart/mixed", "multipart/alternative", "text/plain", "text/html",
            "text/plain"]
    else:
        assert text_of(msg).startswith(
            body.replace("\r\n", "\n").replace("\r", "\n"))


# ------------------------------------------------------------------------ crafted posts


def test_a_crafted_post_loses_what_must_not_be_resent() -> None:
    raw = plain_post(
        subject="=?utf-8?q?Hi=0D=0ABcc:_evil@x.example?=",
        extra=("Bcc: secret@river.example\nReceived: from mx by mx\n"
               "Return-Path: <ana@river.example>\nDKIM-Signature: v=1; d=river.example; b=x\n"
               "ARC-Seal: i=1; cv=none\nAuthentication-Results: mx; dmarc=pass\n"
               "X-BeenThere: other@lists.example\nList-Id: <other.lists.example>\n"
               "Approved: moderator-password\nSender: bob@river.example\n"
               "Disposition-Notification-To: ana@river.example\nPrecedence: bulk\n"
               "X-Mailer: Thunderbird\nX-Mailman-Version: 3.3\n"
               "Cc: =?utf-8?q?Ben=0D=0ABcc=3A_x?= <ben@lake.example>\n"))
    msg = parse(copy_of(raw))
    fields = {field.lower() for field in msg}
    for gone in ("bcc", "received", "return-path", "dkim-signature", "arc-seal",
                 "authentication-results", "approved", "sender",
                 "disposition-notification-to", "x-mailman-version"):
        assert gone not in fields, gone
    assert msg.get_all("X-BeenThere") == [POSTING]
    assert msg.get_all("Precedence") == ["list"]
    assert msg.get_all("List-Id") == ["Valley Water Coalition <coalition.valleywater.org>"]
    assert str(msg["Subject"]) == "[coalition] Hi Bcc: evil@x.example"
    assert getaddresses([str(msg["Cc"])]) == [("Ben Bcc: x", "ben@lake.example")]
    assert str(msg["X-Mailer"]) == "Thunderbird"
    assert str(msg["Message-ID"]) == "<p1@river.example>"
    assert str(msg["From"]) == "Ana <ana@river.example>"


@pytest.mark.parametrize(("subject", "expected"), [
    ("Hi", "[coalition] Hi"),
    ("[coalition] Hi", "[coalition] Hi"),
    ("Re: [coalition] Re: [coalition] Hi", "[coalition] Re: Hi"),
    ("RE: AW: [Coalition] Hi", "[coalition] Re: Hi"),
    ("Re[2]: [coalition] Hi", "[coalition] Re: Hi"),
    ("Fwd: [coalition] News", "[coalition] Fwd: News"),
    ("Re: Fwd: [coalition] News", "[coalition] Re: Fwd: News"),
    ("[coa[coalition]lition] x", "[coalition] [coa lition] x"),
    ("", "[coalition] (no subject)"),
    ("[coalition]", "[coalition] (no subject)"),
    ("Regarding: water", "[coalition] Regarding: water"),
])
def test_the_prefix_goes_in_front_once(subject: str, expected: str) -> None:
    assert prefixed_subject("[coalition]", subject) == expected


def test_a_prefix_with_a_space_cannot_be_rebuilt_from_its_pieces() -> None:
    assert prefixed_subject("[my list]", "[my [my list] list] x") == "[my list] x"


def test_a_post_from_a_strict_domain_comes_from_the_list_with_the_poster_in_reply_to() -> None:
    msg = parse(copy_of(plain_post(), poster="dee@strict.example", name="Dee Park",
                        strict=True))
    assert getaddresses([str(msg["From"])]) == [("Dee Park via Valley Water Coalition",
                                                 POSTING)]
    assert getaddresses([str(msg["Reply-To"])]) == [("Dee Park", "dee@strict.example")]


def test_rewrite_always_never_and_replies_to_the_list() -> None:
    always = parse(copy_of(plain_post(), coalition(dmarc_rewrite="always")))
    assert getaddresses([str(always["From"])])[0][1] == POSTING
    never = parse(copy_of(plain_post(), coalition(dmarc_rewrite="never"), strict=True))
    assert getaddresses([str(never["From"])])[0][1] == "ana@river.example"
    to_list = parse(copy_of(plain_post(extra="Reply-To: elsewhere@river.example\n"),
                            coalition(reply_to="list"), strict=True))
    assert getaddresses([str(to_list["Reply-To"])]) == [("Valley Water Coalition", POSTING)]
    own = parse(copy_of(plain_post(extra="Reply-To: elsewhere@river.example\n"), strict=True))
    assert getaddresses([str(own["Reply-To"])]) == [("", "elsewhere@river.example")]


def test_plain_text_gets_the_footer_in_its_text_in_7bit_or_quoted_printable() -> None:
    ascii_copy = copy_of(plain_post(text="Plain words.\n"))
    msg = parse(ascii_copy)
    assert msg["Content-Transfer-Encoding"] == "7bit"
    assert text_of(msg) == f"Plain words.\n\n{FOOTER_RULE}\n{FOOTER}\n"
    accented = parse(copy_of(plain_post(text="Caf\u00e9 = coffee  \n")))
    assert accented["Content-Transfer-Encoding"] == "quoted-printable"
    assert text_of(accented) == f"Caf\u00e9 = coffee  \n\n{FOOTER_RULE}\n{FOOTER}\n"
    footer = parse(copy_of(plain_post(text="Plain words.\n"), footer="Coalici\u00f3n"))
    assert footer["Content-Transfer-Encoding"] == "quoted-printable"
    assert text_of(footer).endswith("Coalici\u00f3n\n")


def test_copies_of_one_post_differ_only_in_the_member_parts() -> None:
    prepared = prepare_post(coalition(), plain_post(), poster="ana@river.example",
                            poster_name="Ana", strict_dmarc=False)
    first = prepared.copy_for("link one", {"List-Unsubscribe": "<https://x.example/1>"})
    second = prepared.copy_for("link two", {"List-Unsubscribe": "<https://x.example/2>"})
    assert first.replace(b"one", b"two").replace(b"/1>", b"/2>") == second
    assert b"\n" not in first.replace(b"\r\n", b"")  # CRLF throughout, as to_bytes writes


MULTIPART = b"""From: Bob <bob@lake.example>
Subject: Photos
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

preamble
--XX
Content-Type: multipart/alternative; boundary="YY"

--YY
Content-Type: text/plain

the photos
--YY
Content-Type: text/html

<p>the photos</p>
--YY--
--XX
Content-Type: application/zip; name=a.zip
Content-Transfer-Encoding: base64

UEsDBA==
--XX
Content-Type: image/png; name=a.png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--XX--
"""


def test_parts_the_list_does_not_take_are_stripped_and_the_footer_is_a_part() -> None:
    msg = parse(copy_of(MULTIPART, poster="bob@lake.example", name="Bob"))
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/mixed", "multipart/alternative", "text/plain",
        "text/html", "image/png", "text/plain"]
    assert footer_text(msg).endswith(f"{FOOTER_RULE}\n{FOOTER}\n")
    kept = b"--YY\r\nContent-Type: text/plain\r\n\r\nthe photos\r\n--YY\r\n"
    assert kept in copy_of(MULTIPART, poster="bob@lake.example", name="Bob")


def test_a_post_of_nothing_the_list_takes_becomes_a_note() -> None:
    raw = (b"From: Bob <bob@lake.example>\nSubject: x\nMIME-Version: 1.0\n"
           b"Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n")
    msg = parse(copy_of(raw, poster="bob@lake.example", name="Bob"))
    assert text_of(msg).startswith(REMOVED_NOTE)


def test_the_list_holds_posts_with_other_types_when_told_to() -> None:
    msg = load_message(MULTIPART)
    assert content_problem(coalition(), msg) is None  # it strips them
    problem = content_problem(coalition(other_types="hold"), msg)
    assert problem == "it has a part of type application/zip, which the list does not take"
    assert content_problem(coalition(other_types="hold"), load_message(plain_post())) is None
    no_containers = coalition(other_types="hold", accepted_types=["text/plain"])
    assert content_problem(no_containers, msg) is not None


def test_a_signed_part_is_resent_byte_for_byte() -> None:
    signed = (b"--S\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsigned words\r\n"
              b"--S\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP "
              b"SIGNATURE-----\r\nxyz\r\n-----END PGP SIGNATURE-----\r\n--S--\r\n")
    raw = (b"From: Bob <bob@lake.example>\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/signed; boundary="S"; protocol="application/pgp-'
           b'signature"\r\n\r\n' + signed)
    copy = copy_of(raw, coalition(accepted_types=["text/plain", "multipart/*",
                                                  "application/pgp-signature"]))
    assert signed in copy


# ------------------------------------------------------------------------ hostile shapes


def _nested(size: int) -> bytes:
    depth = MAX_DEPTH + 5
    body = "".join(f"--b{i}\nContent-Type: multipart/mixed; boundary=b{i + 1}\n\n"
                   for i in range(depth)) + f"--b{depth}\n\n" + ("x" * 39 + "\n") * (size // 40)
    return (f"From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
            f"boundary=b0\n\n{body}").encode()


HOSTILE: dict[str, Callable[[int], bytes]] = {
    "fields": lambda size: plain_post(extra="X-A: b\n" * (size // 7)),
    "subject": lambda size: plain_post(subject="Re: [coalition] " * (size // 17)),
    "addresses": lambda size: plain_post(extra="Cc: " + "a@b.example, " * (size // 14) + "\n"),
    "references": lambda size: plain_post(extra="References: " + "<a@b> " * (size // 6)
                                           + "\n"),
    "encoded-words": lambda size: plain_post(subject="=?utf-8?q?" + "=0A" * (size // 3) + "?="),
    "parts": lambda size: (b"From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/"
                           b"mixed; boundary=b\n\n" + b"--b\n\nx\n" * (size // 8) + b"--b--\n"),
    "nesting": _nested,
    "long-line": lambda size: plain_post(text="x" * size + "\n"),
    "prose": lambda size: plain_post(text="Words and more words.\n" * (size // 22)),
}


def _seconds(raw: bytes) -> float:
    """The best of two preparations and copies of `raw`, without the garbage collector
    (whose passes over the many objects of a 50,000-part message are not our algorithm)."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(2):
            start = time.perf_counter()
            copy_of(raw, strict=True)
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return min(times)


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_hostile_shapes_take_linear_time(shape: str) -> None:
    size = 200_000
    once, twice = _seconds(HOSTILE[shape](size)), _seconds(HOSTILE[shape](2 * size))
    assert twice < 3 * once + 0.1  # quadratic time would take four times as long
    assert twice < 5


def test_a_line_too_long_for_7bit_goes_quoted_printable() -> None:
    msg = parse(copy_of(plain_post(text="x" * 2000 + "\n")))
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert text_of(msg).startswith("x" * 2000 + "\n")


# ------------------------------------------------------------------------ DMARC


@pytest.mark.parametrize(("text", "tags"), [
    ("v=DMARC1; p=reject; rua=mailto:d@x.example",
     {"v": "DMARC1", "p": "reject", "rua": "mailto:d@x.example"}),
    ("v = DMARC1 ;p=Quarantine;sp=none;", {"v": "DMARC1", "p": "quarantine", "sp": "none"}),
    ("v=DMARC1; p=none; p=reject", {"v": "DMARC1", "p": "none"}),
    ("p=reject; v=DMARC1", {}),
    ("v=spf1 -all", {}),
    ("", {}),
    ("v=DMARC1", {"v": "DMARC1"}),
])
def test_dmarc_records_are_read(text: str, tags: dict[str, str]) -> None:
    assert parse_dmarc_record(text) == tags


def test_the_policy_of_records() -> None:
    assert policy_of(["v=DMARC1; p=reject"], inherited=False) == "reject"
    assert policy_of(["v=DMARC1; p=reject; sp=none"], inherited=True) == "none"
    assert policy_of(["v=DMARC1; p=reject; sp=bogus"], inherited=True) == "reject"
    assert policy_of(["v=spf1 -all", "v=DMARC1; p=quarantine"], inherited=False) \
        == "quarantine"
    assert policy_of(["v=DMARC1; p=reject", "v=DMARC1; p=none"], inherited=False) is None
    assert policy_of(["v=DMARC1; p=maybe"], inherited=False) is None
    assert [is_strict(p) for p in ("reject", "quarantine", "none", None)] == \
        [True, True, False, False]
    assert organizational_domain("lists.river.example.org") == "example.org"


class FakeDns:
    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records
        self.asked: list[str] = []
        self.fail = False

    def __call__(self, name: str) -> list[str]:
        self.asked.append(name)
        if self.fail:
            raise dns.exception.Timeout
        if name not in self.records:
            raise NoRecord(name)
        return self.records[name]


def test_policies_fall_back_to_the_organizational_domain_and_are_remembered() -> None:
    fake = FakeDns({"_dmarc.river.example": ["v=DMARC1; p=reject; sp=quarantine"],
                    "_dmarc.lake.example": ["v=DMARC1; p=reject"],
                    "_dmarc.spf.lake.example": ["v=spf1 -all"]})
    now = [0.0]
    policies = DnsDmarcPolicies(fake, clock=lambda: now[0])
    assert policies.policy("River.Example.") == "reject"
    assert policies.policy("mail.river.example") == "quarantine"
    assert policies.policy("a.b.lake.example") == "reject"
    assert policies.policy("spf.lake.example") == "reject"  # no DMARC record of its own
    assert policies.policy("nowhere.example") is None
    assert policies.policy("localhost") is None
    asked = len(fake.asked)
    assert policies.policy("river.example") == "reject"
    assert len(fake.asked) == asked  # remembered
    now[0] = 3601.0
    fake.fail = True
    assert policies.policy("river.example") is None  # DNS cannot say now
    fake.fail = False
    assert policies.policy("river.example") == "reject"  # and a failure is not remembered


def test_the_dns_lookup_never_touches_the_network_for_a_bad_name() -> None:
    # A name DNS cannot even hold (a label over 63 octets) fails before any query.
    assert DnsDmarcPolicies().policy("x" * 70 + ".example") is None
