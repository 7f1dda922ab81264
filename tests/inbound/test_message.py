"""Reading headers of crafted messages: a header that cannot be parsed is read as text."""

from __future__ import annotations

from outreach.inbound.authority import author
from outreach.inbound.message import header, load_message, sender_address

HIDDEN_LINE_BREAK = (b"From: =?utf-8?q?Ana=0D=0ABcc=3A_x?= <ana@river.example>\r\n"
                     b"To: coalition@valleywater.org\r\nSubject: hi\r\n\r\nhello\r\n")


def test_an_address_whose_encoded_name_hides_a_line_break_is_read_not_raised() -> None:
    msg = load_message(HIDDEN_LINE_BREAK)
    value = header(msg, "From")
    assert "\r" not in value and "\n" not in value
    assert sender_address(msg) == "ana@river.example"
    assert author(msg).address == "ana@river.example"
