"""Email addresses as a person is known by: one normal form, and the hash a forgotten person
is kept as.

The normal form is the importer's: lower-cased, an internationalized domain in its ASCII
(IDNA) form. A person who asked to be forgotten keeps no address, only its hash (see
`HASH_SCHEME`), in a contact row whose address is `forgotten+<hash>@invalid`: the
`.invalid` top-level domain is reserved (RFC 2606), so that row can never be mailed, and
since contact addresses are unique, one forgotten person is one row however often they are
forgotten.
"""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email

HASH_SCHEME = "SHA-256 of the lower-cased address in UTF-8, as hex"
_FORGOTTEN_LOCAL = "forgotten+"
_FORGOTTEN_DOMAIN = "@invalid"


def normal_address(value: str) -> str:
    """`value` as contacts store it; ValueError says why it is no address we could mail."""
    if not value.strip():
        raise ValueError("missing address")
    try:
        valid = validate_email(value.strip(), check_deliverability=False,
                               allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"invalid address {value.strip()!r}: {exc}") from None
    return (valid.ascii_email or valid.normalized).lower()


def address_hash(address: str) -> str:
    """The hash of an address, by `HASH_SCHEME`."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def forgotten_address(address: str) -> str:
    """The address a forgotten person's contact row is kept under."""
    return f"{_FORGOTTEN_LOCAL}{address_hash(address)}{_FORGOTTEN_DOMAIN}"


def is_forgotten_address(email: str) -> bool:
    return email.startswith(_FORGOTTEN_LOCAL) and email.endswith(_FORGOTTEN_DOMAIN)
