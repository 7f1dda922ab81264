"""Parameter types the command modules share."""

from __future__ import annotations

import click

from outreach.people.addresses import normal_address


class EmailAddress(click.ParamType[str]):
    """An email address, in the normal form contacts are stored in."""

    name = "address"

    def convert(self, value: str, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        try:
            return normal_address(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


ADDRESS = EmailAddress()
