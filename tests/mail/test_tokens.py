from __future__ import annotations

from outreach.mail.tokens import make_token, read_token, tagged_address, token_from_address

KEY = b"k" * 32


def test_token_round_trip_and_case_insensitivity() -> None:
    token = make_token(KEY, "t", 42)
    assert read_token(KEY, token) == ("t", 42)
    assert read_token(KEY, token.upper()) == ("t", 42)
    address = tagged_address("reply", token, "valleywater.example")
    assert token_from_address(f"<{address.upper()}>", "reply") == token.upper()


def test_forged_and_garbled_tokens_are_refused() -> None:
    token = make_token(KEY, "t", 42)
    number, mac = token.split("-")
    assert read_token(KEY, f"t43-{mac}") is None
    assert read_token(b"other key", token) is None
    assert read_token(KEY, "t42") is None
    assert read_token(KEY, f"{number}-{mac[:-1]}") is None
    assert token_from_address("someone@valleywater.example", "reply") is None
