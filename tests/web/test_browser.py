"""The web app in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) against uvicorn on a loopback port, with links taken from real mail delivered
to the test SMTP server. Without Chromium these tests fail: they are how we know the pages
work for people."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from outreach.app import App
from outreach.campaign import jobs
from outreach.mail.sink import free_port
from outreach.people.models import Suppression
from outreach.web.links import Purpose, link, make_link_token
from outreach.web.server import server_config
from tests.conftest import NOW, SECRET
from tests.helpers import Clock, load_example, send_due
from tests.smtpserver import SmtpServer
from tests.web.conftest import ASKED, delivered, link_in, one_click_url, sign_ons
from tests.web.test_pages import change_the_letter, suppression

CHROMIUM = Path("/usr/bin/chromium")
T = TypeVar("T")


def off_the_browsers_loop(work: Callable[[], T]) -> T:
    """Run `work` in another thread: Playwright's sync API keeps an event loop running in
    this one, where the outbox sender's `asyncio.run` cannot start."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(work).result()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is not installed (Debian package chromium); the browser "
                    "tests need it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Served:
    app: App
    base_url: str


@pytest.fixture
def served(app: App, smtp_server: SmtpServer) -> Iterator[Served]:
    """The example campaign asked with links to a web app served by uvicorn on loopback."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app.settings.public.base_url = base_url
    load_example(app)
    jobs.plan(app, NOW)
    off_the_browsers_loop(lambda: send_due(app))
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, clock=Clock()))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Served(app, base_url)
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def signers_on(page: Page, served: Served) -> list[str]:
    response = page.goto(f"{served.base_url}/c/clean-water/")
    assert response is not None and response.status == 200
    return page.locator(".signer-list li").all_inner_texts()


def test_sign_from_the_link_of_a_real_ask_and_see_the_name_listed(
        served: Served, smtp_server: SmtpServer, page: Page) -> None:
    sign_url = link_in(delivered(smtp_server, ASKED), "sign")
    assert sign_url.startswith(served.base_url)
    response = page.goto(sign_url)
    assert response is not None and response.status == 200
    assert page.get_by_label("Name to list on the letter").input_value() == \
        "Community Water Center"
    page.get_by_label("Name to list on the letter").fill("Community Water Center (CWC)")
    page.get_by_label("Your name").fill("Susana De Anda")
    page.get_by_label("Your title").fill("Co-Director")
    page.get_by_label("I am authorized to sign on behalf of Community Water Center").check()
    page.get_by_role("button", name="Sign the letter").click()
    # (the form posts and the browser navigates: wait for the answer page)
    expect(page.get_by_role("heading", name="Thank you for signing")).to_be_visible()
    assert "You signed as Community Water Center (CWC)" in page.inner_text("main")
    assert signers_on(page, served) == ["Community Water Center (CWC)"]
    (sign_on,) = sign_ons(served.app)
    assert (sign_on.evidence_kind, sign_on.signer_name, sign_on.signer_title) == (
        "web", "Susana De Anda", "Co-Director")


def test_an_unchecked_authorization_box_signs_nothing(
        served: Served, smtp_server: SmtpServer, page: Page) -> None:
    page.goto(link_in(delivered(smtp_server, ASKED), "sign"))
    page.get_by_label("Your name").fill("Susana De Anda")
    page.get_by_role("button", name="Sign the letter").click()
    assert "Please confirm that you are authorized" in page.inner_text("[role=alert]")
    assert page.get_by_label("Your name").input_value() == "Susana De Anda"
    assert sign_ons(served.app) == []


def test_an_expired_or_tampered_link_shows_a_clear_page_and_signs_nothing(
        served: Served, smtp_server: SmtpServer, page: Page) -> None:
    sign_url = link_in(delivered(smtp_server, ASKED), "sign")
    tampered = sign_url[:-3] + ("aaa" if not sign_url.endswith("aaa") else "bbb")
    response = page.goto(tampered)
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    target_id = int(sign_url.rsplit("/", 1)[1].split(".")[0][1:])
    expired = link(served.base_url, "sign", make_link_token(
        SECRET.encode(), Purpose.SIGN, target_id, NOW.date() - timedelta(days=1)))
    response = page.goto(expired)
    assert response is not None and response.status == 410
    assert page.get_by_role("heading", name="The deadline has passed").is_visible()
    assert page.get_by_role("link", name="maria@valleywater.org").is_visible()
    assert page.locator("form").count() == 0
    assert sign_ons(served.app) == []


def test_one_click_unsubscribe_from_the_header_of_a_real_ask(
        served: Served, smtp_server: SmtpServer, page: Page) -> None:
    url = one_click_url(delivered(smtp_server, ASKED))
    assert url.startswith(f"{served.base_url}/unsubscribe/")
    assert httpx.get(url).status_code == 200  # what a link scanner does
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert suppression(served.app, ASKED) == Suppression.NONE
    answer = httpx.post(url, content=b"List-Unsubscribe=One-Click",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200
    assert suppression(served.app, ASKED) == Suppression.UNSUBSCRIBED


def test_the_unsubscribe_button_works_without_javascript(
        served: Served, smtp_server: SmtpServer, page: Page) -> None:
    page.goto(one_click_url(delivered(smtp_server, ASKED)))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert suppression(served.app, ASKED) == Suppression.UNSUBSCRIBED


def test_a_withdraw_from_the_keep_link_of_a_change_notice_takes_the_name_off(
        served: Served, smtp_server: SmtpServer, page: Page) -> None:
    keep_url = off_the_browsers_loop(
        lambda: change_the_letter(served.app, smtp_server, words="rainy season"))
    assert keep_url.startswith(f"{served.base_url}/keep/")
    assert signers_on(page, served) == ["Community Water Center"]
    page.goto(keep_url)
    assert "rainy season" in page.inner_text("article")
    page.get_by_role("button", name="Withdraw our signature").click()
    expect(page.get_by_role("heading", name="Your signature is withdrawn")).to_be_visible()
    assert signers_on(page, served) == []
