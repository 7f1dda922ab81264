"""The public page: letter, signers in order, hostile names, and an atomic publish.

The HTML is checked with the standard library's parser: no injected element or attribute,
every element closed, each name inside its own <bdi>. Chromium is not needed here
(bench/screenshot_public_page.py takes the screenshots for the docs).
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import update

from outreach.app import App
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.config import CampaignConfig
from outreach.campaign.letters import current_version, record_version
from outreach.campaign.models import Campaign, SignOn
from outreach.campaign.public_page import (
    MARKER,
    _rename_exchange,
    collation_key,
    display_name,
    fingerprint,
    publish,
    render_public_page,
    write_site,
)
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.people.organizations import default_sort_name
from tests.conftest import NOW

SLUG = "clean-water"
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


# --- Helpers ------------------------------------------------------------------------------


def campaign_of(app: App) -> Campaign:
    with transaction(app.factory) as session:
        return sync_campaign(session, app.campaign(SLUG), NOW - timedelta(days=30))


def sign(app: App, campaign: Campaign, name: str, *, sort_name: str | None = None,
         kind: str = "organization", signed_at: datetime = NOW - timedelta(days=1),
         withdrawn: bool = False) -> None:
    """A sign-on row, written directly (no confirmation email)."""
    with transaction(app.factory) as session:
        version = current_version(session, campaign.id)
        assert version is not None
        session.add(SignOn(
            campaign_id=campaign.id, name_as_listed=name,
            sort_name=sort_name if sort_name is not None else default_sort_name(name),
            signer_type=kind, letter_version_id=version.id, evidence_kind="reply",
            decided_by="classifier", signed_at=signed_at,
            withdrawn_at=signed_at + timedelta(hours=1) if withdrawn else None,
        ))


def withdraw(app: App, name: str) -> None:
    with transaction(app.factory) as session:
        session.execute(update(SignOn).where(SignOn.name_as_listed == name)
                        .values(withdrawn_at=NOW))


def config_of(app: App, **changes: object) -> CampaignConfig:
    return app.campaign(SLUG).model_copy(update=changes)


def render(app: App, campaign: Campaign, config: CampaignConfig | None = None, *,
           now: datetime = NOW, listed: bool = True) -> dict[str, str]:
    with transaction(app.factory) as session:
        return render_public_page(session, config or app.campaign(SLUG),
                                  app.environments[SLUG], campaign, now, listed=listed)


@dataclass
class Page(HTMLParser):
    """What a browser would build: elements, text, and the names in each signer list."""

    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    bdi: list[str] | None = None
    current_list: str | None = None
    li_bdi_count: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "ul" and "signer-list" in (attributes.get("class") or "").split():
            self.current_list = attributes.get("id") or "?"
            self.lists[self.current_list] = []
        elif tag == "li" and self.current_list is not None:
            self.li_bdi_count.append(0)
        elif tag == "bdi":
            if self.bdi is not None:
                self.problems.append("nested <bdi>")
            self.bdi = []
            if self.current_list is not None and self.li_bdi_count:
                self.li_bdi_count[-1] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.problems.append(f"self-closing non-void <{tag} />")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag for void element </{tag}>")
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "bdi" and self.bdi is not None:
            if self.current_list is not None:
                self.lists[self.current_list].append("".join(self.bdi))
            self.bdi = None
        elif tag == "ul" and self.current_list is not None:
            self.current_list = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.bdi is not None:
            self.bdi.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.problems == []
    assert page.stack == [], f"elements never closed: {page.stack}"
    return page


def names_in(page: Page) -> list[str]:
    return [name for names in page.lists.values() for name in names]


# --- Order, withdrawals, sections ----------------------------------------------------------


def test_collation_ignores_case_accents_spacing_and_leading_punctuation() -> None:
    assert collation_key("Église Unie") == collation_key("eglise  unie") == "eglise unie"
    assert collation_key("ÅNGSTRÖM") == "angstrom"
    assert collation_key('"Quoted" Org') == 'quoted" org'  # sorts under Q
    assert collation_key("Straße") == "strasse"
    assert collation_key("\u202eevil") == "evil"  # bidi controls do not sort
    assert collation_key("ǅemal") == "dzemal"
    assert display_name("  Friends\tof the\n River \x00") == "Friends of the River"
    assert display_name("Acme \u202egnp.exe") == "Acme gnp.exe"
    assert display_name("\u2067שלום\u2069 e\u0301") == "\u2067שלום\u2069 é"  # noqa: RUF001


def test_signers_in_alphabetical_order_of_sort_name(app: App) -> None:
    campaign = campaign_of(app)
    listed = ["Zeta Org", "The Alpha Society", "école Libre", "Émile Zola Foundation",
              "eagle Rock Alliance", "Beta Group", "Ångström Labs", "Über Coalition",
              "ACME Water", "Acme Water", "350 Fresno", "Ñandú Collective", "Nature First"]
    for i, name in enumerate(listed):
        sign(app, campaign, name, signed_at=NOW - timedelta(days=100 - i))
    sign(app, campaign, "Ms. Olga Zimmer", sort_name="Zimmer, Olga", kind="individual")
    sign(app, campaign, "Dr. Aaron Abel", sort_name="Abel, Aaron", kind="individual")

    files = render(app, campaign)
    expected = ["350 Fresno", "Dr. Aaron Abel", "ACME Water", "Acme Water", "The Alpha Society",
                "Ångström Labs", "Beta Group", "eagle Rock Alliance", "école Libre",
                "Émile Zola Foundation", "Ñandú Collective", "Nature First", "Über Coalition",
                "Zeta Org", "Ms. Olga Zimmer"]
    page = parse(files["index.html"])
    # Individuals may not sign in the example campaign: one list, in one order.
    assert list(page.lists) == ["signer-list"]
    assert names_in(page) == expected
    data = json.loads(files["signers.json"])
    assert [s["name"] for s in data["signers"]] == expected
    assert data["count"] == len(expected)
    assert {s["type"] for s in data["signers"]} == {"organization", "individual"}
    assert "15 signers" in page.all_text


def test_withdrawn_signers_are_not_on_the_page(app: App) -> None:
    campaign = campaign_of(app)
    sign(app, campaign, "Friends of the River")
    sign(app, campaign, "Gone Away Alliance", withdrawn=True)
    files = render(app, campaign)
    page = parse(files["index.html"])
    assert names_in(page) == ["Friends of the River"]
    assert "Gone Away" not in files["index.html"] + files["signers.json"]
    assert json.loads(files["signers.json"])["count"] == 1
    assert "Signed by 1 organization" in page.all_text


def test_organizations_and_individuals_in_separate_sections(app: App) -> None:
    campaign = campaign_of(app)
    sign(app, campaign, "Valley Water Coalition")
    sign(app, campaign, "The Audubon Society")
    sign(app, campaign, "Ana Ruiz", sort_name="Ruiz, Ana", kind="individual")
    sign(app, campaign, "Tomás Álvarez", sort_name="Álvarez, Tomás", kind="individual")
    files = render(app, campaign, config_of(app, individuals_may_sign=True))
    page = parse(files["index.html"])
    assert page.lists == {
        "organizations": ["The Audubon Society", "Valley Water Coalition"],
        "individuals": ["Tomás Álvarez", "Ana Ruiz"],
    }
    headings = [re.sub(r"\s+", " ", h) for h in re.findall(r"<h3[^>]*>(.*?)</h3>",
                                                            files["index.html"])]
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == ["Organizations (2)",
                                                            "Individuals (2)"]
    assert "2 organizations and 2 individuals" in page.all_text


def test_no_founding_or_early_signer_distinction(app: App) -> None:
    campaign = campaign_of(app)
    # Signed in reverse alphabetical order, months apart.
    for i, name in enumerate(["Zebra Fund", "Middle Way", "Aardvark Aid"]):
        sign(app, campaign, name, signed_at=datetime(2026, 3 + 3 * i, 1, 12, tzinfo=UTC))
    files = render(app, campaign)
    page = parse(files["index.html"])
    assert names_in(page) == ["Aardvark Aid", "Middle Way", "Zebra Fund"]
    text = (files["index.html"] + files["signers.json"]).lower()
    for word in ("found", "early", "first", "original", "charter"):
        assert word not in text
    for month in ("2026-03", "2026-06", "2026-09", "march", "june", "september"):
        assert month not in text
    for item in json.loads(files["signers.json"])["signers"]:
        assert set(item) == {"name", "type"}
    # Every name is marked up the same way.
    assert len({str(attrs) for attrs in page.tags("li")[-3:]}) == 1


# --- Hostile names ---------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "Quote \"Double\" & 'Single' Co-op",
    "Tom & Jerry's <b>Bold</b> Alliance &amp; &lt;Friends&gt;",
    "</bdi></li></ul><h1>Injected</h1>",
    "{{ 7 * 7 }} {% raw %}Template{% endraw %}",
    "جمعية المياه النظيفة",
    "Acme \u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE, never closed
    "\u202dארגון מים נקיים\u202c Hebrew Group",  # noqa: RUF001 (LEFT-TO-RIGHT OVERRIDE)
    "שלום Peace \u202eReversed",
    "Coalition for " + "Very " * 55 + "Long Names",
    "W" * 300,
]


def test_hostile_names_are_escaped_isolated_and_kept_whole(app: App) -> None:
    assert len(HOSTILE[-1]) == 300 and 290 < len(HOSTILE[-2]) <= 300
    campaign = campaign_of(app)
    for name in HOSTILE:
        sign(app, campaign, name)
    sign(app, campaign, "Mai Vang <vang@example.org>", sort_name="Vang, Mai", kind="individual")
    files = render(app, campaign, config_of(app, individuals_may_sign=True))
    html = files["index.html"]
    page = parse(html)

    # Nothing injected: the only elements are the template's own.
    assert page.tags("script") == [] and page.tags("img") == []
    assert len(page.tags("h1")) == 1
    for tag, attrs in page.elements:
        for attribute, value in attrs.items():
            assert not attribute.startswith("on"), (tag, attribute)
            assert "javascript:" not in (value or "").lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;amp;" in html  # a literal "&amp;" in a name stays literal
    assert "49" not in page.all_text

    # Every name is there, as text, whole, each in its own <bdi> inside its own <li>; only
    # the bidi overrides are dropped (they would show "Acme exe.png" for "Acme gnp.exe").
    shown = sorted(names_in(page))
    expected = [name.replace("\u202e", "").replace("\u202d", "")
                for name in [*HOSTILE, "Mai Vang <vang@example.org>"]]
    assert shown == sorted(expected)
    assert "Acme gnp.exe" in shown
    assert "\u202c" in html  # POP DIRECTIONAL FORMATTING stays, isolated in its <bdi>
    assert "\u202e" not in html and "\u202d" not in html
    assert page.li_bdi_count and set(page.li_bdi_count) == {1}

    data = json.loads(files["signers.json"])
    assert sorted(s["name"] for s in data["signers"]) == shown


def test_document_is_accessible(app: App) -> None:
    campaign = campaign_of(app)
    sign(app, campaign, "Friends of the River")
    page = parse(render(app, campaign)["index.html"])
    (html,) = page.tags("html")
    assert html["lang"] == "en"
    assert len(page.tags("h1")) == 1
    for landmark in ("header", "main", "footer", "nav"):
        assert len(page.tags(landmark)) == 1, landmark
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in \
        page.tags("meta")
    assert page.tags("script") == []
    assert [a.get("rel") for a in page.tags("link")].count("stylesheet") == 1
    ids = [attrs["id"] for _tag, attrs in page.elements if "id" in attrs]
    assert len(ids) == len(set(ids))
    for _tag, attrs in page.elements:
        labelled = attrs.get("aria-labelledby")
        if labelled:
            assert labelled in ids
        href = attrs.get("href") or ""
        if href.startswith("#"):
            assert href[1:] in ids


def test_long_names_wrap_instead_of_widening_the_page(app: App) -> None:
    campaign = campaign_of(app)
    sign(app, campaign, "W" * 300)
    files = render(app, campaign)
    (link,) = [a for a in parse(files["index.html"]).tags("link") if a.get("rel") == "stylesheet"]
    assert (link["href"] or "").split("?")[0] == "style.css"
    css = re.sub(r"/\*.*?\*/", "", files["style.css"], flags=re.S)
    rules: dict[str, str] = {}
    for selector, body in re.findall(r"([^{}]+?)\s*\{([^{}]*)\}", css):
        rules[selector.strip()] = rules.get(selector.strip(), "") + body
    assert "overflow-wrap: anywhere" in rules[".signer-list li"]
    assert "columns:" in rules[".signer-list"]
    assert "max-width: calc(65ch" in rules[".reading"]


# --- The letter, the date, the flag ----------------------------------------------------------


def test_current_letter_rendered_without_raw_html(app: App) -> None:
    campaign = campaign_of(app)
    config = app.campaign(SLUG)
    with transaction(app.factory) as session:
        record_version(session, campaign, config, f"""# {config.title}

To the Board: we **ask** three things <script>alert(1)</script> <b onclick="x">now</b>.

## Our points

- [Read more](https://example.org/more) or [click](javascript:alert(1))
- "Quotes" & ampersands
""", summary="second", now=NOW - timedelta(days=1))
    files = render(app, campaign)
    page = parse(files["index.html"])
    assert page.tags("script") == [] and page.tags("b") == []
    assert len(page.tags("h1")) == 1  # the letter's own "# Title" is not repeated
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in files["index.html"]
    assert "<strong>ask</strong>" in files["index.html"]
    assert '<h4>Our points</h4>' in files["index.html"]
    assert [a["href"] for a in page.tags("a") if "example.org/more" in (a["href"] or "")]
    assert not [a for a in page.tags("a") if "javascript" in (a["href"] or "")]
    assert "Fund interim water" not in page.all_text  # version 1 is gone
    assert "Letter version 2" in page.all_text


def test_updated_date_is_in_the_campaign_time_zone(app: App) -> None:
    campaign = campaign_of(app)
    # 05:00 UTC on the 9th is still the evening of the 8th in Los Angeles.
    files = render(app, campaign, now=datetime(2026, 12, 9, 5, 0, tzinfo=UTC))
    page = parse(files["index.html"])
    assert "Updated 8 December 2026" in page.all_text
    assert "9 December" not in page.all_text
    assert {"datetime": "2026-12-08"} in page.tags("time")
    assert json.loads(files["signers.json"])["updated"] == "2026-12-08T21:00:00-08:00"


def test_unlisted_page_asks_search_engines_not_to_index(app: App) -> None:
    campaign = campaign_of(app)
    robots = {"name": "robots", "content": "noindex"}
    assert robots not in parse(render(app, campaign)["index.html"]).tags("meta")
    assert robots in parse(render(app, campaign, listed=False)["index.html"]).tags("meta")


def test_how_to_join(app: App) -> None:
    campaign = campaign_of(app)
    page = parse(render(app, campaign)["index.html"])
    mailto = [a["href"] for a in page.tags("a") if (a["href"] or "").startswith("mailto:")]
    assert mailto and mailto[0] is not None
    assert mailto[0].startswith("mailto:maria@valleywater.org?subject=Sign%20on%3A%20Safe")
    assert "No signers yet" not in page.all_text and "None yet." in page.all_text

    page = parse(render(app, campaign, config_of(app, contact_email=None))["index.html"])
    assert not [a for a in page.tags("a") if (a["href"] or "").startswith("mailto:")]
    assert "reply to the email that invited you" in page.all_text


# --- Publishing --------------------------------------------------------------------------------


def test_publish_writes_the_whole_site_and_replaces_it(app: App, tmp_path: Path) -> None:
    campaign = campaign_of(app)
    config = app.campaign(SLUG)
    env = app.environments[SLUG]
    sign(app, campaign, "Friends of the River")
    out = tmp_path / "public" / "site"
    with transaction(app.factory) as session:
        assert publish(session, config, env, campaign, out, NOW) == out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".outreach-site", "index.html", "signers.json", "style.css"])
    assert "Friends of the River" in (out / "index.html").read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644
    (out / "stray.txt").write_text("left over", encoding="utf-8")

    sign(app, campaign, "Aardvark Aid")
    withdraw(app, "Friends of the River")
    with transaction(app.factory) as session:
        publish(session, config, env, campaign, out, NOW + timedelta(days=1))
    page = parse((out / "index.html").read_text(encoding="utf-8"))
    assert names_in(page) == ["Aardvark Aid"]
    assert "Updated 9 December 2026" in page.all_text
    assert not (out / "stray.txt").exists()
    # Nothing left beside it: no staging or old copies.
    assert [p.name for p in out.parent.iterdir()] == ["site"]


def test_publish_refuses_a_directory_it_did_not_write(app: App, tmp_path: Path) -> None:
    campaign = campaign_of(app)
    config, env = app.campaign(SLUG), app.environments[SLUG]
    tmp_path = tmp_path / "public"
    precious = tmp_path / "www"
    precious.mkdir(parents=True)
    (precious / "important.txt").write_text("keep me", encoding="utf-8")
    with transaction(app.factory) as session, pytest.raises(OutreachError, match="not empty"):
        publish(session, config, env, campaign, precious, NOW)
    assert (precious / "important.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["www"]

    empty = tmp_path / "empty"
    empty.mkdir()
    with transaction(app.factory) as session:
        publish(session, config, env, campaign, empty, NOW)
    assert (empty / "index.html").exists() and (empty / MARKER).exists()


def test_publish_through_a_symbolic_link_replaces_its_target(tmp_path: Path) -> None:
    real = tmp_path / "releases" / "current"
    link = tmp_path / "site"
    write_site({"index.html": "one"}, real)
    link.symlink_to(real, target_is_directory=True)
    write_site({"index.html": "two"}, link)
    assert link.is_symlink()
    assert (link / "index.html").read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in real.parent.iterdir()) == ["current"]


def test_readers_never_see_a_partial_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    versions = [f"<!DOCTYPE html>\n{str(i) * 400_000}\n</html>\n" for i in range(4)]
    write_site({"index.html": versions[0], "signers.json": "[]"}, out)
    probe = tmp_path / "probe"
    (probe / "a").mkdir(parents=True)
    (probe / "b").mkdir()
    atomic = _rename_exchange(probe / "a", probe / "b")

    stop = threading.Event()
    seen: list[str] = []
    missing = 0

    def reader() -> None:
        nonlocal missing
        while not stop.is_set():
            try:
                with open(out / "index.html", encoding="utf-8") as handle:
                    seen.append(handle.read())
            except FileNotFoundError:
                missing += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 25):
            write_site({"index.html": versions[i % 4], "signers.json": "[]"}, out)
    finally:
        stop.set()
        thread.join()
    assert seen
    assert all(text in versions for text in seen)
    if atomic:
        assert missing == 0
    assert sorted(os.listdir(tmp_path)) == ["probe", "site"]


def test_fingerprint_changes_with_what_the_page_shows(app: App) -> None:
    campaign = campaign_of(app)
    config = app.campaign(SLUG)

    def mark(config: CampaignConfig = config) -> str:
        with transaction(app.factory) as session:
            return fingerprint(session, config, campaign)

    marks = [mark()]
    assert mark() == marks[-1]  # nothing changed
    sign(app, campaign, "Friends of the River")
    marks.append(mark())
    sign(app, campaign, "Aardvark Aid")
    marks.append(mark())
    withdraw(app, "Aardvark Aid")
    marks.append(mark())
    assert marks[-1] == marks[1]  # the same signers as before
    with transaction(app.factory) as session:
        session.execute(update(SignOn).values(name_as_listed="Friends of the Rivers"))
    marks.append(mark())
    marks.append(mark(config_of(app, individuals_may_sign=True)))
    with transaction(app.factory) as session:
        record_version(session, campaign, config, "New text.\n", summary="v2", now=NOW)
    marks.append(mark())
    assert len(set(marks)) == len(marks) - 1
