"""The door sorts mail by address alone, in the table's order, and knows no feature."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from outreach.inbound.door import UNROUTED, Door, Route, exactly, recipients, tagged

ROOT = Path(__file__).resolve().parents[2] / "outreach"


def _msg(**headers: str) -> EmailMessage:
    msg = EmailMessage()
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Yes, count us in.")
    return msg


DOOR = Door([
    Route("mail.bounce", tagged("bounce", "example.org"), "bounce+<token>@example.org"),
    Route("campaign.reply", tagged("reply", "example.org"), "reply+<token>@example.org"),
    Route("campaign.sender", exactly(["ana@example.org", "reply@example.org"]),
          "ana@example.org"),
])


def test_the_first_route_in_the_table_that_claims_an_address_wins() -> None:
    msg = _msg(To="list@example.org, Reply <REPLY+t1-abc@Example.org>",
               Cc="bounce+m2-x@example.org")
    routed = DOOR.route(msg)
    assert routed.handler == "mail.bounce" and routed.address == "bounce+m2-x@example.org"


def test_a_tag_is_needed_for_a_tagged_shape_and_the_domain_must_match() -> None:
    assert DOOR.route(_msg(To="reply@example.org")).handler == "campaign.sender"
    assert DOOR.route(_msg(To="reply+t1-abc@example.net")).handler == UNROUTED
    assert DOOR.route(_msg(To="ana+x@example.org")).handler == UNROUTED


def test_the_delivery_headers_count_as_recipients() -> None:
    msg = _msg(To="undisclosed-recipients:;", Delivered_To="reply+t9-x@example.org")
    assert DOOR.route(msg).handler == "campaign.reply"


def test_mail_no_route_claims_is_unrouted() -> None:
    assert DOOR.route(_msg(To="coalition@lists.example.org")).handler == UNROUTED
    assert DOOR.route(_msg(Subject="no recipients at all")).handler == UNROUTED


def test_a_crafted_recipient_list_is_read_only_so_far() -> None:
    many = ", ".join(f"p{i}@x.example" for i in range(5000))
    assert len(recipients(_msg(To=many))) <= 50


def test_the_table_describes_itself_for_people() -> None:
    assert DOOR.describe()[-1] == ("anything else", UNROUTED)


def test_the_pipes_know_no_feature() -> None:
    """`mail/`, `db/` and `inbound/` import nothing from a feature and name no feature table."""
    features = re.compile(r"outreach\.(campaign|people|review|tasks|lists|calls|web)\b")
    tables = re.compile(r"\b(target|sign_on|letter_version|signer_notice|reissue|campaign)"
                        r"\.id\b|\bTarget\b|\bSignOn\b")
    for layer in ("mail", "db", "inbound"):
        for path in (ROOT / layer).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if layer == "db" and "migrations" in path.parts:
                continue  # migrations record history, which names every table
            assert not features.search(text), path
            assert not tables.search(text), path
