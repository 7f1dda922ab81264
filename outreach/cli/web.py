"""`outreach web`: serve the web app (sign links, one-click unsubscribe, draft links, the
public page, health and metrics) on its own."""

from __future__ import annotations

import click

from outreach.cli.common import app_for


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: [web] host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on (default: [web] port).")
@click.pass_context
def web(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web app: sign links, one-click unsubscribe, draft links and the public page.

    Its public address is [public] base_url; it reads the same database as the daemon.
    SIGTERM or Ctrl-C stops it.
    """
    import uvicorn

    from outreach.web.server import server_config

    app = app_for(ctx, load_all=True)
    settings = app.settings
    settings.require_secret_key()
    uvicorn.Server(server_config(app, host or settings.web.host,
                                 port or settings.web.port)).run()
