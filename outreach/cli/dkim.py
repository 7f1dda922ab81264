"""`outreach dkim-key`: a new DKIM key, and the DNS record that publishes it."""

from __future__ import annotations

import os
from pathlib import Path

import click

from outreach.cli.common import err
from outreach.errors import OutreachError

TXT_STRING_MAX = 255  # a longer TXT value is given as several strings, joined by resolvers


@click.command("dkim-key")
@click.option("--selector", required=True,
              help="The name the key is published under: SELECTOR._domainkey.DOMAIN.")
@click.option("--domain", default=None,
              help="The signing domain (default: [dkim] domain, else the domain of [sender] "
                   "address).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (PEM); an existing file is never "
                   "overwritten.")
@click.pass_context
def dkim_key(ctx: click.Context, selector: str, domain: str | None, out: Path) -> None:
    """Write a new 2048-bit RSA private key for DKIM to --out (mode 0600) and print the DNS
    TXT record that publishes its public half.

    Publish the record, then set [dkim] selector and key_file (or OUTREACH_DKIM_KEY_FILE):
    from then on the daemon signs every message it sends.
    """
    from outreach.mail.dkim import (
        KEY_BITS,
        new_key,
        public_key_record,
        require_dns_name,
        signing_domain,
    )
    from outreach.settings import load_settings

    if domain is None:
        domain = signing_domain(load_settings(ctx.obj["config"]))
    require_dns_name("--selector", selector)
    require_dns_name("--domain", domain)
    key = new_key()
    record = public_key_record(key)
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise OutreachError(f"{out} exists: a key is never overwritten (remove it, or choose "
                            "another --out)") from None
    except OSError as exc:
        raise OutreachError(f"cannot write the key to {out}: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    err.print(f"wrote a new {KEY_BITS}-bit RSA key to {out}, readable by you alone. Publish "
              "this DNS record, then set [dkim] selector and key_file:", highlight=False,
              markup=False)
    strings = " ".join(f'"{record[start:start + TXT_STRING_MAX]}"'
                       for start in range(0, len(record), TXT_STRING_MAX))
    click.echo(f"{selector}._domainkey.{domain}. IN TXT {strings}")
