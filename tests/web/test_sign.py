"""Sign links from real asks: the form, the sign-on with web evidence, and what keeps it
safe (form tokens, expiry, forged links, a second post, a changed letter, the post limit)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from outreach.app import App
from outreach.campaign import letters
from outreach.campaign.campaigns import get_campaign
from outreach.campaign.models import LetterVersion, TargetState
from outreach.db.session import transaction
from outreach.mail.models import OutboxMessage
from outreach.web.app import create_web_app
from outreach.web.links import Purpose, link, make_link_token
from tests.conftest import NOW, SECRET
from tests.helpers import Clock
from tests.smtpserver import SmtpServer
from tests.web.conftest import ASKED, PUBLIC, delivered, link_in, sign_ons, target_for


def form_fields(page: httpx.Response) -> dict[str, str]:
    """The hidden fields of the page's first form (its form token, the letter version)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))


def sign_form(page: httpx.Response, **typed: str) -> dict[str, str]:
    fields = form_fields(page)
    return {**fields, "name_to_list": "Community Water Center", "signer_name": "Susana De Anda",
            "signer_title": "Co-Director", "authorized": "yes", **typed}


@pytest.fixture
def sign_url(asked: App, smtp_server: SmtpServer) -> str:
    return link_in(delivered(smtp_server, ASKED), "sign")


def test_the_sign_link_of_a_real_ask_signs_with_web_evidence(
        client: TestClient, asked: App, sign_url: str) -> None:
    page = client.get(sign_url)
    assert page.status_code == 200
    assert "Community Water Center" in page.text
    assert "The letter, version 1" in page.text
    assert 'value="Community Water Center"' in page.text  # the name to list, pre-filled
    assert "I am authorized to sign on behalf of <bdi>Community Water Center</bdi>" in page.text
    assert "as an individual" not in page.text  # the example takes organizations only

    signed = client.post(sign_url, data=sign_form(page, name_to_list="  Community  Water "
                                                                     "Center\u202e "))
    assert signed.status_code == 200
    assert "Thank you for signing" in signed.text
    assert "You signed as <strong><bdi>Community Water Center</bdi></strong>" in signed.text
    (sign_on,) = sign_ons(asked)
    assert (sign_on.evidence_kind, sign_on.decided_by) == ("web", "signer:web")
    assert (sign_on.name_as_listed, sign_on.signer_name, sign_on.signer_title) == (
        "Community Water Center", "Susana De Anda", "Co-Director")
    assert sign_on.signed_at.replace(tzinfo=NOW.tzinfo) == NOW
    assert "authorized" in (sign_on.quoted_text or "")
    with transaction(asked.factory) as session:
        assert session.get(LetterVersion, sign_on.letter_version_id).number == 1  # type: ignore[union-attr]
        assert session.scalars(select(OutboxMessage.kind).where(
            OutboxMessage.recipient == ASKED).order_by(OutboxMessage.id.desc())).first() \
            == "confirmation"
    assert target_for(asked, ASKED).state == TargetState.SIGNED

    again = client.get(sign_url)
    assert "You signed as" in again.text and "8 December 2026" in again.text
    assert "Withdraw our signature" in again.text
    public = client.get(f"{PUBLIC}/c/clean-water/")
    assert "<li><bdi>Community Water Center</bdi></li>" in public.text


@pytest.mark.parametrize("csrf", [None, "", "1765216800.abc.forged", "garbage"])
def test_a_post_without_the_pages_form_token_is_refused_and_signs_nothing(
        client: TestClient, asked: App, sign_url: str, csrf: str | None) -> None:
    fields = sign_form(client.get(sign_url))
    if csrf is None:
        del fields["csrf"]
    else:
        fields["csrf"] = csrf
    response = client.post(sign_url, data=fields)
    assert response.status_code == 403
    assert sign_ons(asked) == []


def test_a_form_token_of_another_link_does_not_sign(
        client: TestClient, asked: App, sign_url: str) -> None:
    other = link(PUBLIC, "sign", make_link_token(SECRET.encode(), Purpose.SIGN,
                                                 target_for(asked, ASKED).id + 1))
    fields = sign_form(client.get(other))
    assert fields["csrf"]
    assert client.post(sign_url, data=fields).status_code == 403
    assert sign_ons(asked) == []


def test_a_link_past_the_hard_deadline_answers_410_and_signs_nothing(
        client: TestClient, asked: App, clock: Clock, sign_url: str) -> None:
    fields = sign_form(client.get(sign_url))
    clock.now = asked.campaign("clean-water").hard_deadline + timedelta(minutes=1)
    page = client.get(sign_url)
    assert page.status_code == 410
    assert "The deadline has passed" in page.text
    assert "maria@valleywater.org" in page.text
    assert client.post(sign_url, data=fields).status_code == 410
    assert sign_ons(asked) == []


def test_a_token_whose_last_day_passed_answers_410(client: TestClient, asked: App) -> None:
    target = target_for(asked, ASKED)
    stale = link(PUBLIC, "sign", make_link_token(SECRET.encode(), Purpose.SIGN, target.id,
                                                 NOW.date() - timedelta(days=1)))
    assert client.get(stale).status_code == 410


@pytest.mark.parametrize("mangle", [
    lambda url: url[:-1] + ("a" if url[-1] != "a" else "b"),  # the MAC
    lambda url: url.replace("/sign/s", "/sign/s9"),  # another target
    lambda url: url.replace("/sign/s", "/sign/u"),  # another purpose
    lambda url: url + "x",
    lambda url: url.rsplit("/", 1)[0] + "/nothing",
])
def test_a_tampered_link_answers_404_and_signs_nothing(
        client: TestClient, asked: App, sign_url: str, mangle: object) -> None:
    assert callable(mangle)
    fields = sign_form(client.get(sign_url))
    tampered = mangle(sign_url)
    page = client.get(tampered)
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert client.post(tampered, data=fields).status_code in (403, 404)
    assert sign_ons(asked) == []


def test_a_second_post_does_not_sign_twice(client: TestClient, asked: App,
                                           sign_url: str) -> None:
    fields = sign_form(client.get(sign_url))
    assert client.post(sign_url, data=fields).status_code == 200
    second = client.post(sign_url, data={**fields, "name_to_list": "Someone Else"})
    assert second.status_code == 200 and "You have signed" in second.text
    assert [s.name_as_listed for s in sign_ons(asked)] == ["Community Water Center"]


def test_a_letter_changed_since_the_page_was_shown_is_not_signed_unseen(
        client: TestClient, asked: App, sign_url: str) -> None:
    fields = sign_form(client.get(sign_url))
    config = asked.campaign("clean-water")
    path = config.letter_path()
    path.write_text(path.read_text(encoding="utf-8").replace("dry season", "rainy season"),
                    encoding="utf-8")
    with transaction(asked.factory) as session:
        letters.publish(session, get_campaign(session, "clean-water"), config, now=NOW,
                        summary="The rainy season")
    shown_again = client.post(sign_url, data=fields)
    assert shown_again.status_code == 409
    assert "The letter changed since this page was opened: this is version 2" in shown_again.text
    assert "rainy season" in shown_again.text
    assert sign_ons(asked) == []
    signed = client.post(sign_url, data=sign_form(shown_again))
    assert signed.status_code == 200
    with transaction(asked.factory) as session:
        (sign_on,) = sign_ons(asked)
        assert session.get(LetterVersion, sign_on.letter_version_id).number == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(("typed", "problem"), [
    ({"name_to_list": "   "}, "Please give the name to list."),
    ({"name_to_list": "x" * 151}, "The name to list is too long"),
    ({"signer_name": ""}, "Please give your name."),
    ({"authorized": ""}, "Please confirm that you are authorized to sign on behalf of "
                         "Community Water Center."),
    ({"as_individual": "yes"}, "This letter is signed by organizations only."),
])
def test_a_form_with_a_problem_is_shown_again_and_signs_nothing(
        client: TestClient, asked: App, sign_url: str, typed: dict[str, str],
        problem: str) -> None:
    page = client.post(sign_url, data=sign_form(client.get(sign_url), **typed))
    assert page.status_code == 422
    assert problem in page.text
    assert sign_ons(asked) == []


def test_a_signer_withdraws_from_the_sign_link(client: TestClient, asked: App,
                                                sign_url: str) -> None:
    signed = client.post(sign_url, data=sign_form(client.get(sign_url)))
    withdraw = re.search(r'<form class="panel" method="post" action="([^"]+)">', signed.text)
    assert withdraw
    assert client.post(withdraw.group(1), data={}).status_code == 403
    done = client.post(withdraw.group(1), data=form_fields(signed))
    assert done.status_code == 200 and "Your signature is withdrawn" in done.text
    (sign_on,) = sign_ons(asked)
    assert sign_on.withdrawn_at is not None and sign_on.withdrawn_by == "signer:web"
    assert target_for(asked, ASKED).state == TargetState.WITHDRAWN
    assert "Community Water Center" not in client.get(f"{PUBLIC}/c/clean-water/").text
    assert client.get(sign_url).status_code == 409  # the link cannot sign again


def test_posts_are_limited_per_token_and_per_client(asked: App, clock: Clock,
                                                    sign_url: str) -> None:
    asked.settings.web.posts_per_minute = 3
    with TestClient(create_web_app(asked, clock=clock), base_url="https://valleywater.org",
                    follow_redirects=False) as client:
        fields = sign_form(client.get(sign_url), authorized="")
        assert [client.post(sign_url, data=fields).status_code for _ in range(4)] == \
            [422, 422, 422, 429]
        other = link(PUBLIC, "sign", make_link_token(SECRET.encode(), Purpose.SIGN, 999))
        assert client.post(other, data=fields).status_code == 429  # the same client
        clock.advance(seconds=61)
        assert client.post(sign_url, data=fields).status_code == 422
    assert sign_ons(asked) == []


def test_every_name_typed_is_escaped(client: TestClient, asked: App, sign_url: str) -> None:
    hostile = '<script>alert("x")</script> Water & Co'
    signed = client.post(sign_url, data=sign_form(client.get(sign_url), name_to_list=hostile,
                                                  signer_name="<b>Susana</b>"))
    assert signed.status_code == 200
    for page in (signed, client.get(sign_url), client.get(f"{PUBLIC}/c/clean-water/")):
        assert "<script>" not in page.text
        assert "&lt;script&gt;alert(" in page.text
    (sign_on,) = sign_ons(asked)
    assert sign_on.name_as_listed == hostile
