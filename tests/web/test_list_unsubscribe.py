"""A list member's one-click unsubscribe link, on both databases: a GET changes nothing, a
mail client's one-click POST or the page's own form unsubscribes, a forged link is not
found."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from outreach.app import App
from outreach.db.session import transaction
from outreach.lists import members
from outreach.lists.config import load_lists
from outreach.lists.models import ListMember, MemberStatus
from outreach.lists.registry import KnownDmarcPolicies, Lists, member_token, request_token
from outreach.web.app import create_web_app
from tests.conftest import NOW
from tests.helpers import Clock, send_due
from tests.smtpserver import SmtpServer

ANA = "ana@river.example"
ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(app, clock=Clock()), base_url="https://valleywater.org",
                    follow_redirects=False) as test_client:
        yield test_client


def the_lists(app: App) -> Lists:
    return Lists(app.settings, load_lists(app.settings.lists_dir), KnownDmarcPolicies({}))


def welcomed(app: App, server: SmtpServer) -> str:
    """Subscribe Ana; the one-click link her welcome carries."""
    lists = the_lists(app)
    config = lists.get("coalition")
    assert config is not None
    with transaction(app.factory) as session:
        members.subscribe(session, lists, config, ANA, source="cli", now=NOW)
    send_due(app)
    (welcome,) = [r.message for r in server.messages if r.rcpt_tos == [ANA]]
    body = welcome.get_body(("plain",))
    assert body is not None
    link = re.search(r"https://valleywater\.org/letter/list-unsubscribe/\S+",
                     str(body.get_content()))
    assert link is not None
    return link.group(0)


def ana(app: App) -> ListMember:
    with app.factory() as session:
        member = members.find_member(session, "coalition", ANA)
    assert member is not None
    return member


def goodbyes(server: SmtpServer) -> int:
    return sum(1 for r in server.messages
               if str(r.message["Subject"]) == "You have left Valley Water Coalition")


def test_a_get_shows_the_list_and_a_button_and_changes_nothing(
        app: App, client: TestClient, smtp_server: SmtpServer) -> None:
    url = welcomed(app, smtp_server)
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop the messages of Valley Water Coalition to <strong><bdi>ana@river.example" \
        in page.text
    assert f'<form method="post" action="{url.removeprefix("https://valleywater.org")}">' \
        in page.text
    assert 'name="csrf"' in page.text
    assert "<script" not in page.text and "style=" not in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert ana(app).status == MemberStatus.SUBSCRIBED


def test_a_one_click_post_unsubscribes_and_says_goodbye_once(
        app: App, client: TestClient, smtp_server: SmtpServer) -> None:
    url = welcomed(app, smtp_server)
    client.cookies.clear()
    done = client.post(url, content=ONE_CLICK, headers=FORM)
    assert done.status_code == 200
    assert "You have left Valley Water Coalition" in done.text
    member = ana(app)
    assert (member.status, member.unsubscribed_by) == (MemberStatus.UNSUBSCRIBED, "one-click")
    assert "is no longer on Valley Water Coalition" in client.get(url).text
    assert client.post(url, content=ONE_CLICK, headers=FORM).status_code == 200
    send_due(app)
    assert goodbyes(smtp_server) == 1


def test_a_multipart_one_click_post_unsubscribes(app: App, client: TestClient,
                                                 smtp_server: SmtpServer) -> None:
    url = welcomed(app, smtp_server)
    done = client.post(url, files={"List-Unsubscribe": (None, "One-Click")})
    assert done.status_code == 200
    assert ana(app).status == MemberStatus.UNSUBSCRIBED


def test_the_pages_own_form_unsubscribes(app: App, client: TestClient,
                                         smtp_server: SmtpServer) -> None:
    url = welcomed(app, smtp_server)
    page = client.get(url).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    done = client.post(url, data={"csrf": csrf.group(1)})
    assert done.status_code == 200
    assert ana(app).status == MemberStatus.UNSUBSCRIBED


@pytest.mark.parametrize("body", [b"", b"csrf=forged", b"List-Unsubscribe=Yes"])
def test_a_post_that_is_neither_one_click_nor_the_form_changes_nothing(
        app: App, client: TestClient, smtp_server: SmtpServer, body: bytes) -> None:
    url = welcomed(app, smtp_server)
    assert client.post(url, content=body, headers=FORM).status_code == 403
    assert ana(app).status == MemberStatus.SUBSCRIBED


def test_a_forged_link_is_not_found(app: App, client: TestClient,
                                    smtp_server: SmtpServer) -> None:
    url = welcomed(app, smtp_server)
    member_id = ana(app).id
    key = the_lists(app).key
    base = url.rsplit("/", 1)[0]
    genuine = member_token(key, member_id)
    for token in (genuine[:-1] + ("a" if genuine[-1] != "a" else "b"),
                  request_token(key, member_id), member_token(key, member_id + 1), "x"):
        assert client.get(f"{base}/{token}").status_code == 404
        assert client.post(f"{base}/{token}", content=ONE_CLICK,
                           headers=FORM).status_code == 404
    assert ana(app).status == MemberStatus.SUBSCRIBED
