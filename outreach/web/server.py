"""Serving the web app with uvicorn: on its own (`outreach web`), or in the event loop of
the daemon (`outreach run` with `[web] with_daemon = true`), stopping when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import datetime

import uvicorn

from outreach.app import App
from outreach.clock import utc_now
from outreach.daemon import Daemon
from outreach.web.app import create_web_app

log = logging.getLogger(__name__)


def server_config(app: App, host: str, port: int, *,
                  clock: Callable[[], datetime] = utc_now) -> uvicorn.Config:
    return uvicorn.Config(create_web_app(app, clock=clock), host=host, port=port,
                          log_config=None, access_log=False, lifespan="off",
                          proxy_headers=False, server_header=False)


class ServerBesideDaemon(uvicorn.Server):
    """uvicorn's server, leaving SIGTERM and SIGINT to the daemon, which stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run_with_daemon(app: App, daemon: Daemon) -> None:
    """Serve the web app while `daemon` runs; stop serving when it stops."""
    settings = app.settings.web
    server = ServerBesideDaemon(server_config(app, settings.host, settings.port,
                                              clock=daemon.clock))
    serving = asyncio.create_task(server.serve())
    log.info("web app on http://%s:%d", settings.host, settings.port)
    try:
        await daemon.run()
    finally:
        server.should_exit = True
        await serving
