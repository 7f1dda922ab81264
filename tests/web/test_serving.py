"""How the web app is served: `outreach web`, and beside the daemon in `outreach run`."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from outreach.app import App
from outreach.daemon import Daemon
from outreach.mail.sink import free_port
from outreach.web.server import run_with_daemon
from tests.cli.test_cli import environ, write_server_config
from tests.smtpserver import SmtpServer


def wait_for(url: str, seconds: float = 20) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url)
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"nothing answers at {url}"
            time.sleep(0.05)


def test_the_daemon_serves_the_web_app_until_it_stops(app: App) -> None:
    app.settings.web.port = free_port()
    app.settings.public.base_url = "http://127.0.0.1"
    url = f"http://127.0.0.1:{app.settings.web.port}/healthz"

    async def scenario() -> None:
        daemon = Daemon(app)
        running = asyncio.create_task(run_with_daemon(app, daemon))
        health = await asyncio.to_thread(wait_for, url)
        assert health.status_code == 200 and health.json()["database"] == "ok"
        daemon.stop.set()
        await asyncio.wait_for(running, 15)

    asyncio.run(scenario())
    try:
        httpx.get(url)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the web app still answers after the daemon stopped")


def test_outreach_web_serves_until_sigterm(campaign_dir: Path, database_url: str,
                                          smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "outreach", "--config", str(config), "web", "--host",
         "127.0.0.1", "--port", str(port)],
        env=environ(database_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200
        assert health.headers["content-security-policy"].startswith("default-src 'none'")
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down cleanly, then ends by the signal it got, as a killed process does.
        assert process.wait(15) == -signal.SIGTERM
    finally:
        process.kill()
        process.wait()
