"""One-click unsubscribe, keep-or-withdraw, draft links, the live public page and its join
form, health and metrics, and the headers and markup every page is served with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from outreach.app import App
from outreach.campaign import letters
from outreach.campaign.campaigns import get_campaign
from outreach.campaign.letter_changes import publish_change
from outreach.campaign.models import SignerNotice, SignOn, TargetState
from outreach.campaign.preview import render_sample, sample_target
from outreach.campaign.signons import Evidence, record_sign_on
from outreach.db.session import make_engine, make_session_factory, transaction
from outreach.people.models import Contact, Suppression
from outreach.review.models import ReviewItem
from outreach.web.app import create_web_app
from outreach.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import NOW
from tests.helpers import Clock, send_due
from tests.smtpserver import SmtpServer
from tests.web.conftest import (
    ASKED,
    PUBLIC,
    delivered,
    link_in,
    one_click_url,
    sign_ons,
    target_for,
    text_of,
)
from tests.web.test_sign import form_fields


def suppression(app: App, email: str) -> Suppression:
    with transaction(app.factory) as session:
        return session.scalars(select(Contact.suppression)
                               .where(Contact.email == email)).one()


# One-click unsubscribe ------------------------------------------------------------------


def test_every_campaign_mail_offers_one_click_unsubscribe(asked: App,
                                                          smtp_server: SmtpServer) -> None:
    asks = [m.message for m in smtp_server.messages]
    assert asks
    for message in asks:
        url = one_click_url(message)
        assert url.startswith(f"{PUBLIC}/unsubscribe/u")
        assert "/sign/s" in link_in(message, "sign")


def test_a_get_never_unsubscribes_and_a_one_click_post_does(
        client: TestClient, asked: App, smtp_server: SmtpServer) -> None:
    url = one_click_url(delivered(smtp_server, ASKED))
    page = client.get(url)
    assert page.status_code == 200
    assert f"Stop all email from us to <strong><bdi>{ASKED}</bdi></strong>?" in page.text
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page.text
    assert client.head(url).status_code in (200, 405)
    assert suppression(asked, ASKED) == Suppression.NONE

    client.cookies.clear()
    done = client.post(url, content=b"List-Unsubscribe=One-Click",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    assert suppression(asked, ASKED) == Suppression.UNSUBSCRIBED
    assert target_for(asked, ASKED).state == TargetState.OPTED_OUT
    assert "already unsubscribed" in client.get(url).text
    assert client.post(url, content=b"List-Unsubscribe=One-Click").status_code == 200


def test_a_forged_unsubscribe_link_changes_nothing(client: TestClient, asked: App,
                                                   smtp_server: SmtpServer) -> None:
    url = one_click_url(delivered(smtp_server, ASKED))
    for forged in (url[:-1] + ("a" if url[-1] != "a" else "b"), url.replace("/u", "/s", 1)
                   .replace("/unsubscribe/s", "/unsubscribe/s")):
        assert client.post(forged, content=b"List-Unsubscribe=One-Click").status_code == 404
    assert client.post(url.replace("/unsubscribe/u", "/unsubscribe/s"),
                       content=b"List-Unsubscribe=One-Click").status_code == 404
    assert suppression(asked, ASKED) == Suppression.NONE


# Keep or withdraw after a change notice -------------------------------------------------


def change_the_letter(app: App, smtp_server: SmtpServer, *, words: str) -> str:
    """Sign Community Water Center up (by phone), change the letter, send the change notice;
    returns the keep link it carries."""
    config = app.campaign("clean-water")
    with transaction(app.factory) as session:
        target = session.merge(target_for(app, ASKED))
        record_sign_on(session, target, name="Community Water Center", signer_type="organization",
                       now=NOW, message_id_domain="valleywater.org",
                       evidence=Evidence(kind="phone", decided_by="organizer:maria",
                                         letter_version_id=letters.current_version(
                                             session, target.campaign_id).id))  # type: ignore[union-attr]
    path = config.letter_path()
    path.write_text(path.read_text(encoding="utf-8").replace("dry season", words),
                    encoding="utf-8")
    with transaction(app.factory) as session:
        publish_change(session, get_campaign(session, "clean-water"), config, summary="Season",
                       now=NOW, by="maria", message_id_domain="valleywater.org")
    send_due(app)
    return link_in(delivered(smtp_server, ASKED, "change_notice"), "keep")


def test_a_signer_withdraws_from_the_keep_link_of_a_change_notice(
        client: TestClient, asked: App, smtp_server: SmtpServer) -> None:
    keep_url = change_the_letter(asked, smtp_server, words="rainy season")
    page = client.get(keep_url)
    assert page.status_code == 200
    assert "rainy season" in page.text and "Keep our signature" in page.text
    assert client.post(keep_url, data={"choice": "withdraw"}).status_code == 403
    done = client.post(keep_url, data={**form_fields(page), "choice": "withdraw"})
    assert "Your signature is withdrawn" in done.text
    (sign_on,) = sign_ons(asked)
    assert sign_on.withdrawn_by == "signer:web"
    with transaction(asked.factory) as session:
        notice = session.scalars(select(SignerNotice)).one()
        assert (notice.response, notice.responded_by) == ("withdrawn", "signer:web")
    assert "No signature stands" in client.get(keep_url).text


def test_a_signer_keeps_their_signature_from_the_keep_link(
        client: TestClient, asked: App, smtp_server: SmtpServer) -> None:
    keep_url = change_the_letter(asked, smtp_server, words="rainy season")
    page = client.get(keep_url)
    kept = client.post(keep_url, data={**form_fields(page), "choice": "keep"})
    assert "Your signature stays" in kept.text
    with transaction(asked.factory) as session:
        notice = session.scalars(select(SignerNotice)).one()
        assert (notice.response, notice.responded_by) == ("reconfirmed", "signer:web")
        assert session.scalars(select(SignOn)).one().withdrawn_at is None
    assert "<li><bdi>Community Water Center</bdi></li>" in \
        client.get(f"{PUBLIC}/c/clean-water/").text


# Draft links ----------------------------------------------------------------------------


def test_the_draft_link_redirects_to_the_current_version_only(
        client: TestClient, asked: App) -> None:
    first = client.get(f"{PUBLIC}/d/clean-water")
    assert first.status_code == 303
    assert first.headers["location"] == "https://valleywater.org/letter/draft-v1"
    for hostile in ("?next=https://evil.example", "?url=//evil.example"):
        assert client.get(f"{PUBLIC}/d/clean-water{hostile}").headers["location"] == \
            "https://valleywater.org/letter/draft-v1"
    for unknown in ("/d/nope", "/d/clean-water/v9", "/d/https:%2F%2Fevil.example"):
        assert client.get(f"{PUBLIC}{unknown}").status_code == 404, unknown
    config = asked.campaign("clean-water")
    path = config.letter_path()
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    with transaction(asked.factory) as session:
        letters.publish(session, get_campaign(session, "clean-water"), config, now=NOW,
                        summary="One more line")
    assert client.get(f"{PUBLIC}/d/clean-water").headers["location"].endswith("draft-v2")
    old = client.get(f"{PUBLIC}/d/clean-water/v1")
    assert old.status_code == 200
    assert "This is not the current text." in old.text
    assert 'href="/letter/d/clean-water/v2"' in old.text
    assert "One more line" not in old.text
    current = client.get(f"{PUBLIC}/d/clean-water/v2")
    assert "One more line" in current.text and "not the current text" not in current.text


# The public page and its join form ------------------------------------------------------


def test_the_public_page_is_served_live_with_a_join_form_that_goes_to_review(
        client: TestClient, asked: App) -> None:
    assert client.get(f"{PUBLIC}/c/clean-water").headers["location"] == \
        "/letter/c/clean-water/"
    page = client.get(f"{PUBLIC}/c/clean-water/")
    assert page.status_code == 200
    assert "Safe Drinking Water for Every Valley Community" in page.text
    assert '<a class="button" href="join">Sign on the web</a>' in page.text
    style = client.get(f"{PUBLIC}/c/clean-water/style.css")
    assert style.headers["content-type"].startswith("text/css")
    assert json.loads(client.get(f"{PUBLIC}/c/clean-water/signers.json").text)["count"] == 0
    assert client.get(f"{PUBLIC}/c/clean-water/other.txt").status_code == 404
    assert client.get(f"{PUBLIC}/c/nope/").status_code == 404

    form = client.get(f"{PUBLIC}/c/clean-water/join")
    assert form.status_code == 200
    assert '<label for="organization">' in form.text
    typed = {"organization": "Valley Tenants <Union>", "signer_name": "Rosa Díaz",
             "email": "rosa@tenants.example", "authorized": "yes"}
    assert client.post(f"{PUBLIC}/c/clean-water/join", data=typed).status_code == 403
    missing = client.post(f"{PUBLIC}/c/clean-water/join",
                          data={**form_fields(form), **typed, "email": "not an address"})
    assert missing.status_code == 422 and "Please give an email address" in missing.text
    done = client.post(f"{PUBLIC}/c/clean-water/join", data={**form_fields(form), **typed})
    assert done.status_code == 200
    assert "Valley Tenants &lt;Union&gt;" in done.text
    with transaction(asked.factory) as session:
        item = session.scalars(select(ReviewItem)).one()
        assert (item.reason, item.proposed_name) == ("web_join", "Valley Tenants <Union>")
        assert "rosa@tenants.example" in item.summary
        assert "authorized" in (item.quoted_text or "")
    assert sign_ons(asked) == []
    assert "Valley Tenants" not in client.get(f"{PUBLIC}/c/clean-water/").text


# Health and metrics ---------------------------------------------------------------------


def test_healthz_reports_the_database_and_the_outbox(client: TestClient, asked: App,
                                                     clock: Clock) -> None:
    health = client.get(f"{PUBLIC}/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["database"] == "ok"
    assert body["oldest_due_outbox_seconds"] == 0  # every ask went out
    assert body["mailbox_cursor_moved_at"] is None  # the mailbox was never read here


def test_healthz_answers_503_when_the_database_does_not(asked: App, clock: Clock) -> None:
    unreachable = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    broken = App(settings=asked.settings, engine=unreachable,
                 factory=make_session_factory(unreachable), campaigns=asked.campaigns,
                 environments=asked.environments)
    with TestClient(create_web_app(broken, clock=clock), base_url="https://valleywater.org") \
            as client:
        health = client.get(f"{PUBLIC}/healthz")
        assert health.status_code == 503
        assert health.json()["database"].startswith("unreachable")
        assert client.get(f"{PUBLIC}/metrics").status_code == 503
    unreachable.dispose()


def test_metrics_in_prometheus_text(client: TestClient, asked: App,
                                    smtp_server: SmtpServer) -> None:
    metrics = client.get(f"{PUBLIC}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    sent = len(smtp_server.messages)
    lines = metrics.text.splitlines()
    assert f'outreach_messages_sent_total{{kind="ask"}} {sent}' in lines
    for line in ("# TYPE outreach_messages_sent_total counter",
                 "# TYPE outreach_messages_failed_total counter",
                 "outreach_outbox_depth 0", "outreach_inbound_unhandled 0",
                 "# TYPE outreach_sign_ons gauge", "outreach_review_queue_length 0"):
        assert line in lines, line
    sign_url = link_in(delivered(smtp_server, ASKED), "sign")
    page = client.get(sign_url)
    client.post(sign_url, data={**form_fields(page), "name_to_list": "Community Water Center",
                                "signer_name": "Susana", "authorized": "yes"})
    lines = client.get(f"{PUBLIC}/metrics").text.splitlines()
    assert 'outreach_sign_ons{evidence="web"} 1' in lines
    assert "outreach_outbox_depth 1" in lines  # the confirmation


# Headers and markup of every page ------------------------------------------------------


def test_every_page_has_the_strict_headers_and_no_script_or_inline_style(
        client: TestClient, asked: App, smtp_server: SmtpServer) -> None:
    ask = delivered(smtp_server, ASKED)
    sign_url = link_in(ask, "sign")
    pages = [client.get(sign_url), client.get(one_click_url(ask)),
             client.get(f"{PUBLIC}/d/clean-water/v1"), client.get(f"{PUBLIC}/c/clean-water/"),
             client.get(f"{PUBLIC}/c/clean-water/join"), client.get(f"{PUBLIC}/nowhere"),
             client.get(f"{PUBLIC}/sign/forged"), client.get(f"{PUBLIC}/style.css"),
             client.get(f"{PUBLIC}/healthz")]
    signed = client.post(sign_url, data={**form_fields(pages[0]), "signer_name": "Susana",
                                         "name_to_list": "CWC", "authorized": "yes"})
    pages += [signed, client.get(sign_url)]
    for page in pages:
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        if page.headers["content-type"].startswith("text/html"):
            assert "<script" not in page.text.lower()
            assert not re.search(r"\sstyle\s*=", page.text, re.IGNORECASE)
            assert not re.search(r"\son[a-z]+\s*=", page.text)
            for label in re.findall(r'<label for="([^"]+)"', page.text):
                assert f'id="{label}"' in page.text
    assert pages[5].status_code == 404 and "Page not found" in pages[5].text


@pytest.mark.parametrize("path", ["/sign/x", "/unsubscribe/x", "/keep/x"])
def test_a_wrong_method_is_a_plain_page(client: TestClient, path: str) -> None:
    response = client.put(f"{PUBLIC}{path}")
    assert response.status_code == 405
    assert "<script" not in response.text


def test_one_click_posts_from_one_mail_provider_are_not_limited_per_address(
        asked: App, clock: Clock, smtp_server: SmtpServer) -> None:
    """Many people's one-click posts come from one provider's servers: none is refused."""
    asked.settings.web.posts_per_minute = 2
    urls = [one_click_url(received.message) for received in list(smtp_server.messages)[:4]]
    with TestClient(create_web_app(asked, clock=clock), base_url="https://valleywater.org") \
            as client:
        assert [client.post(url, content=b"List-Unsubscribe=One-Click").status_code
                for url in urls] == [200] * 4
        assert [client.post(urls[0], content=b"List-Unsubscribe=One-Click").status_code
                for _ in range(2)] == [200, 429]


def test_the_app_answers_under_the_path_of_base_url_and_at_the_root(
        client: TestClient, asked: App, smtp_server: SmtpServer) -> None:
    url = one_click_url(delivered(smtp_server, ASKED))
    stripped = url.replace(PUBLIC, "https://valleywater.org")
    assert "/letter/" not in stripped
    page = client.get(stripped)
    assert page.status_code == 200
    assert f'action="{url.removeprefix("https://valleywater.org")}"' in page.text
    assert client.get("https://valleywater.org/healthz").status_code == 200


@pytest.mark.parametrize(("kind", "path"), [
    ("ask", "sign"), ("follow_up", "sign"), ("hard_deadline", "sign"),
    ("change_notice", "keep"), ("reissue_notice", "keep")])
def test_each_kind_of_mail_carries_its_personal_link(asked: App, kind: str, path: str) -> None:
    """Asks, follow-ups and hard-deadline notices link the sign form beside "or just
    reply"; change and reissue notices link keep-or-withdraw."""
    config = asked.campaign("clean-water")
    with transaction(asked.factory) as session:
        campaign = get_campaign(session, "clean-water")
        target = sample_target(session, campaign, "Community Water Center")
        version = letters.current_version(session, campaign.id)
        assert version is not None
        message = render_sample(asked.settings, config, asked.environments["clean-water"],
                                target, version, kind, NOW)
    url = link_in(message, path)
    assert url.startswith(f"{PUBLIC}/{path}/")
    if path == "sign":
        assert "or just reply" in text_of(message)
    html = message.get_body(("html",))
    if html is not None:
        assert f'href="{url}"' in str(html.get_content())


def test_without_a_draft_url_the_asks_link_the_draft_the_web_app_serves(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer, clock: Clock) -> None:
    from outreach.app import open_app
    from outreach.campaign import jobs
    from tests.conftest import make_settings
    from tests.helpers import load_example

    campaign_file = campaign_dir / "campaigns" / "clean-water.toml"
    campaign_file.write_text("\n".join(
        line for line in campaign_file.read_text(encoding="utf-8").splitlines()
        if not line.startswith("draft_url")) + "\n", encoding="utf-8")
    app = open_app(make_settings(campaign_dir, database_url, smtp_server.port))
    try:
        load_example(app)
        jobs.plan(app, NOW)
        send_due(app)
        ask = delivered(smtp_server, ASKED)
        assert re.search(rf"{re.escape(PUBLIC)}/d/clean-water(?![/\w-])", text_of(ask))
        with TestClient(create_web_app(app, clock=clock), base_url="https://valleywater.org",
                        follow_redirects=False) as client:
            moved = client.get(f"{PUBLIC}/d/clean-water")
            assert moved.status_code == 303
            assert moved.headers["location"] == "/letter/d/clean-water/v1"
            page = client.get(f"{PUBLIC}/d/clean-water/v1")
            assert page.status_code == 200
            assert "not the current text" not in page.text
    finally:
        app.close()
