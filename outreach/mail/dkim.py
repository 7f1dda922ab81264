"""DKIM signatures on outgoing mail: rsa-sha256, relaxed/relaxed, made by dkimpy.

The signer is built once from `[dkim]`, and the key is read and parsed then, so a missing
or wrong key stops the daemon (and fails `outreach check`) instead of sending mail that
does not verify. A message that cannot be signed goes out unsigned, with a warning: a
signature is worth less than the message.
"""

from __future__ import annotations

import base64
import logging
import re
import subprocess
from dataclasses import dataclass

import dkim
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

from outreach.errors import OutreachError
from outreach.settings import Settings

log = logging.getLogger(__name__)

# Signed when present, so that no one on the way can change what the reader sees, where a
# reply goes, the thread it belongs to, or the unsubscribe link.
SIGNED_HEADERS = (
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To",
    "References", "MIME-Version", "Content-Type", "List-Unsubscribe", "List-Unsubscribe-Post",
)

# dkimpy takes time quadratic in two shapes of message: it joins a folded header's lines one
# at a time, and its relaxed canonicalization rescans a run of blanks from each position in
# it. A message past these bounds goes unsigned, so signing stays linear in its size; mail
# we compose has a few kilobytes of header and no such runs.
MAX_HEADER_BYTES = 64 * 1024
MAX_BLANK_RUN = 256

KEY_BITS = 2048
MIN_KEY_BITS = 1024  # receivers ignore signatures by shorter keys (RFC 8301)

_END_OF_HEADER = re.compile(rb"(?:\A|\n)\r?\n")
_HEADER_NAME = re.compile(rb"^([!-9;-~]+):", re.MULTILINE)
# The look-behind starts a match only where a run starts, so the search itself is linear.
_LONG_BLANK_RUN = re.compile(rb"(?<![ \t])[ \t]{%d}" % (MAX_BLANK_RUN + 1))
_DNS_NAME = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")


class UnsignableMessage(Exception):
    """The message has a shape dkimpy would take too long over."""


@dataclass(frozen=True)
class DkimSigner:
    selector: str
    domain: str
    key: bytes  # PEM

    def sign(self, raw: bytes, what: str) -> bytes:
        """`raw` with a DKIM-Signature header in front; `raw` as it is, and a warning that
        names `what` was sent unsigned, when it cannot be signed."""
        try:
            return self.signature(raw) + raw
        except Exception as exc:  # whatever dkimpy makes of a crafted message, it still goes
            log.warning("sending %s without a DKIM signature: %s: %.300s", what,
                        type(exc).__name__, exc)
            return raw

    def signature(self, raw: bytes) -> bytes:
        """The DKIM-Signature header field for `raw`, ending in CRLF."""
        header = _header_block(raw)
        if len(header) > MAX_HEADER_BYTES:
            raise UnsignableMessage(f"its header is {len(header)} bytes long, over "
                                    f"{MAX_HEADER_BYTES}")
        if _LONG_BLANK_RUN.search(raw):
            raise UnsignableMessage(f"it has a run of more than {MAX_BLANK_RUN} spaces or tabs")
        present = {name.lower() for name in _HEADER_NAME.findall(header)}
        signed = [name.lower().encode() for name in SIGNED_HEADERS
                  if name.lower().encode() in present]
        field: bytes = dkim.sign(raw, self.selector.encode(), self.domain.encode(), self.key,
                                 canonicalize=(b"relaxed", b"relaxed"),
                                 signature_algorithm=b"rsa-sha256", include_headers=signed)
        return field


def _header_block(raw: bytes) -> bytes:
    """The header lines of `raw`: all of it up to the first empty line."""
    end = _END_OF_HEADER.search(raw)
    return raw if end is None else raw[:end.start()]


def dkim_signer(settings: Settings) -> DkimSigner | None:
    """The signer `[dkim]` describes, or None when DKIM is off (neither a selector nor a key
    file is set); an `OutreachError` naming what to fix when it cannot sign."""
    selector, key_file = settings.dkim.selector, settings.dkim.key_file
    if selector is None and key_file is None:
        return None
    if key_file is None:
        raise OutreachError(f"[dkim] selector = {selector!r} is set but no key: set [dkim] "
                            "key_file or OUTREACH_DKIM_KEY_FILE to the PEM private key "
                            "(`outreach dkim-key` makes one)")
    if selector is None:
        raise OutreachError(f"DKIM key file {key_file} is set but [dkim] selector is not: set "
                            "it to the name the public key is published under in DNS")
    domain = signing_domain(settings)
    require_dns_name("[dkim] selector", selector)
    require_dns_name("[dkim] domain", domain)
    try:
        # dkimpy finds the PEM body only between LF line ends.
        key = key_file.read_bytes().replace(b"\r\n", b"\n")
    except OSError as exc:
        raise OutreachError(f"DKIM key file {key_file}: cannot read it: "
                            f"{exc.strerror or exc}") from None
    try:
        bits = int(parse_pem_private_key(key)["modulus"]).bit_length()
    except (UnparsableKeyError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise OutreachError(f"DKIM key file {key_file}: not an RSA private key in PEM form "
                            f"({reason})") from None
    if bits < MIN_KEY_BITS:
        raise OutreachError(f"DKIM key file {key_file}: a {bits}-bit key is too short; "
                            f"receivers want at least {MIN_KEY_BITS} (`outreach dkim-key` "
                            f"makes a {KEY_BITS}-bit one)")
    return DkimSigner(selector, domain, key)


def signing_domain(settings: Settings) -> str:
    """The d= of our signatures: `[dkim] domain`, else the domain of `[sender] address`."""
    return settings.dkim.domain or settings.sender.address.rpartition("@")[2]


def require_dns_name(what: str, value: str) -> None:
    """An `OutreachError` unless `value` can be part of a DNS name."""
    if not _DNS_NAME.fullmatch(value):
        raise OutreachError(f"{what} {value!r} is not a DNS name")


def new_key() -> bytes:
    """A new RSA private key in PEM. dkimpy makes its keys with the openssl command too
    (`dkim.dknewkey`), but through files; here the key only passes through a pipe."""
    return _openssl("genrsa", str(KEY_BITS))


def public_key_record(key: bytes) -> str:
    """The DNS TXT value that publishes the public half of `key`: "v=DKIM1; k=rsa; p=…"."""
    der = _openssl("pkey", "-pubout", "-outform", "DER", stdin=key)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode("ascii")


def _openssl(*args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["openssl", *args], input=stdin, capture_output=True,
                                check=False)
    except OSError as exc:
        raise OutreachError(f"cannot run openssl (it makes the key): {exc}") from None
    if result.returncode != 0:
        raise OutreachError(f"openssl {args[0]} failed: "
                            f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout
