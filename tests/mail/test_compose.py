"""Headers built from user data stay one header each, correctly encoded."""

from __future__ import annotations

import email
import email.policy
import textwrap
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.mail.compose import Draft, mailbox, one_line, to_bytes, wrap_text

HOSTILE = [
    "Evil Org\r\nBcc: victim@example.org",
    "Evil Org\nX-Injected: yes",
    "Evil\rOrg\r\n\r\nbody starts here",
    "Fundación Agua Limpia — Niños y Niñas 水",
    "Line\u2028Separator\x85Org",
    'Quote "Org", Inc. <fake@example.org>',
]


def build(name: str, fast: bool) -> bytes:
    draft = Draft(
        sender=mailbox("Maria Alvarez", "maria@valleywater.example"),
        to=mailbox(name, "contact@org.example"),
        reply_to=mailbox("Maria Alvarez", "reply+t1-abc@valleywater.example"),
        subject=f"Will {name} sign on?",
        text=f"Dear {name},\nplease sign.\n",
        html=f"<p>Dear {name}</p>",
        message_id="<1@valleywater.example>",
        date=datetime(2026, 12, 8, 18, 0, tzinfo=UTC),
    )
    return draft.as_bytes() if fast else to_bytes(draft.build())


@pytest.mark.parametrize("fast", [False, True], ids=["email-package", "as_bytes"])
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_make_no_extra_header(name: str, fast: bool) -> None:
    raw = build(name, fast)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(byte < 128 for byte in head), "headers must be 7-bit (RFC 2047 encoded)"
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n") if not line[:1].isspace()]
    assert names == [b"From", b"To", b"Reply-To", b"Subject", b"Date", b"Message-ID",
                     b"MIME-Version", b"Content-Type"]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert str(parsed["Subject"]) == f"Will {one_line(name)} sign on?"
    (to,) = parsed["To"].addresses
    assert to.addr_spec == "contact@org.example"
    assert to.display_name == one_line(name)


def test_bad_addresses_are_refused() -> None:
    for address in ["no-at-sign", "a@b\r\nBcc: c@d", "@example.org", "user@"]:
        with pytest.raises(ValueError, match="not an email address"):
            mailbox("X", address)


def test_text_is_wrapped_but_links_are_not_broken() -> None:
    url = "https://valleywater.org/letter/" + "x" * 90
    text = wrap_text("word " * 40 + "\n" + url + "\n    indented " + "y" * 80 + "\n")
    lines = text.splitlines()
    assert all(len(line) <= 72 for line in lines if not line.startswith(("https", "  ")))
    assert url in lines
    assert text.endswith("\n")


@pytest.mark.parametrize("fast", [False, True], ids=["email-package", "as_bytes"])
def test_an_encoded_word_in_a_name_cannot_add_a_header(fast: bool) -> None:
    from outreach.mail.compose import HEADER_TEXT_MAX

    evil = "=?utf-8?q?Evil=0D=0ABcc:_victim@x.example?="
    twice = "=?utf-8?q?=3D=3Futf-8=3Fq=3FEvil=3D0D=3D0ABcc:_v@x=3F=3D?="
    for name in (evil, twice, "x" * 5000):
        draft = Draft(sender=mailbox("Maria", "maria@valleywater.org"),
                      to=mailbox(name, "a@b.example"), subject=f"Will {name} sign on?",
                      text="Dear friend", message_id="<m1@valleywater.org>",
                      date=datetime(2026, 12, 1, tzinfo=UTC))
        raw = draft.as_bytes() if fast else to_bytes(draft.build())
        head = raw.split(b"\r\n\r\n", 1)[0]
        names = [line.split(b":", 1)[0] for line in head.split(b"\r\n")
                 if line and not line[:1].isspace()]
        assert b"Bcc" not in names
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        subject = str(draft.build()["Subject"])
        assert len(subject) <= HEADER_TEXT_MAX + 20


# Text as people and hostile data write it: any character but lone surrogates (which no
# encoder takes, on either path).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True)


def _parsed(raw: bytes) -> tuple[object, ...]:
    """What a reader sees of a message: every header's value and every text part."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = tuple(sorted((name, str(value)) for name, value in message.items()
                           if name not in ("Content-Type",)))
    addresses = tuple((name, tuple((a.display_name, a.addr_spec)
                                   for a in message[name].addresses))
                      for name in ("From", "To", "Reply-To") if message[name] is not None)
    parts = tuple((part.get_content_type(), part.get_content_charset(), part.get_content())
                  for part in message.walk() if part.get_content_maintype() == "text")
    return headers, addresses, parts, message.get_content_type(), not message.defects


@settings(max_examples=300, deadline=None)
@given(name=TEXT, local=LOCAL, subject=TEXT, text=st.text(
           alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000),
       html=st.none() | TEXT, reply=st.booleans(), in_reply_to=st.booleans(),
       unsubscribe=TEXT)
def test_the_fast_path_reads_back_as_the_email_package_path(
        name: str, local: str, subject: str, text: str, html: str | None, reply: bool,
        in_reply_to: bool, unsubscribe: str) -> None:
    """`Draft.as_bytes` (the outbox's fast path) and `to_bytes(Draft.build())` give the
    same headers, addresses and text to whoever parses them."""
    draft = Draft(
        sender=mailbox("Maria Alvarez", "maria@valleywater.example"),
        to=mailbox(name, f"{local}@org.example"),
        reply_to=mailbox(name, "reply+t1-abc@valleywater.example") if reply else None,
        subject=subject, text=text, html=html,
        message_id="<1@valleywater.example>",
        in_reply_to="<earlier@org.example>" if in_reply_to else None,
        references=["<earlier@org.example>"] if in_reply_to else [],
        date=datetime(2026, 12, 8, 18, 0, tzinfo=UTC),
        extra_headers={"List-Unsubscribe": f"<https://valleywater.example/u?{unsubscribe}>"},
    )
    fast = draft.as_bytes()
    assert all(len(line) <= 998 for line in fast.split(b"\r\n"))
    assert b"\n" not in fast.replace(b"\r\n", b"")
    assert _parsed(fast) == _parsed(to_bytes(draft.build()))


def test_the_fast_path_refuses_a_line_break_in_a_header_as_the_email_package_does() -> None:
    draft = Draft(sender=mailbox("Maria", "maria@valleywater.example"),
                  to=mailbox("Ana", "ana@org.example"), subject="Hello", text="Hi",
                  message_id="<1@valleywater.example>",
                  in_reply_to="<a@b>\r\nBcc: victim@example.org",
                  date=datetime(2026, 12, 8, 18, 0, tzinfo=UTC))
    with pytest.raises(ValueError):
        draft.build()
    with pytest.raises(ValueError, match="line break"):
        draft.as_bytes()


_WRAP_WORDS = st.text(alphabet="abcdéfg-\u2013.,/:", min_size=1, max_size=30)
_WRAP_SPACES = st.sampled_from([" ", " ", " ", "  ", "\t", "\u00a0"])


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.tuples(_WRAP_WORDS, _WRAP_SPACES), min_size=1, max_size=40),
       width=st.integers(min_value=8, max_value=80))
def test_wrapping_is_textwrap_s(words: list[tuple[str, str]], width: int) -> None:
    line = "".join(word + space for word, space in words).strip() or "x"
    expected = textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
    assert wrap_text(line, width) == "\n".join(expected if len(line) > width else [line])
