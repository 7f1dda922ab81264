"""The public page: the current letter and every active signer, as a small static site.

`render_public_page` builds the files in memory (one query for the signers, one for the
letter); `publish` writes them into a fresh directory beside the target and swaps it in,
so a reader sees the old site or the new one, never a half-written page.

Signers are listed alphabetically by sort name, compared without regard to case,
accents or leading punctuation, the same on every machine (no locale). Nothing on the
page tells early signers from late ones: no dates per signer, no order by date.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig
from outreach.campaign.letters import current_version
from outreach.campaign.models import Campaign, SignOn
from outreach.campaign.signons import listed
from outreach.errors import OutreachError
from outreach.people.organizations import collation_key, listing_order
from outreach.templating import _render

INDEX = "index.html"
STYLE = "style.css"
SIGNERS_JSON = "signers.json"
TEMPLATE = "public/index.html.j2"
STYLE_SOURCE = "public/style.css"
# Written into every published site: `publish` replaces only a directory that has it.
MARKER = ".outreach-site"
MARKER_TEXT = "Published by outreach. This directory is replaced on every publish.\n"
# Staging and old copies left behind by a killed process are removed after this long.
STALE_SECONDS = 3600

ORGANIZATION = "organization"
INDIVIDUAL = "individual"


@dataclass(frozen=True, slots=True)
class Signer:
    name: str  # as listed, control characters removed and spaces collapsed
    type: str  # "organization" or "individual"


# --- Collation ------------------------------------------------------------------------------

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# LEFT-TO-RIGHT and RIGHT-TO-LEFT OVERRIDE reorder the letters of a name against their
# nature ("Acme \u202egnp.exe" shows as "Acme exe.png"): dropped. Embeddings, isolates and
# marks stay; each name is a bidi isolate on the page, so none of them reaches its neighbours.
_OVERRIDES = re.compile("[\u202d\u202e]")
def display_name(name: str) -> str:
    """The name as shown: control characters and bidi overrides removed, runs of white space
    made one space."""
    if not (name.isascii() and name.isprintable()):
        name = unicodedata.normalize("NFC", _OVERRIDES.sub("", _CONTROLS.sub(" ", name)))
    return " ".join(name.split())


def active_signers(session: Session, campaign_id: int) -> list[Signer]:
    """Every listed signer (not withdrawn, not waiting to reconfirm a changed letter), in
    alphabetical order of sort name (one query)."""
    rows = session.execute(
        select(SignOn.name_as_listed, SignOn.sort_name, SignOn.signer_type)
        .where(listed(campaign_id))
    ).all()
    ordered = sorted(rows, key=lambda row: listing_order(row.sort_name, row.name_as_listed))
    return [Signer(display_name(name), kind) for name, _sort_name, kind in ordered]


# --- The letter -----------------------------------------------------------------------------

# Headings in the letter sit under the page's h1 and its "The letter" h2.
HEADING_SHIFT = 2


def _markdown() -> MarkdownIt:
    # Raw HTML in the Markdown is shown as text, never passed through; markdown-it also
    # refuses javascript:, vbscript:, file: and data: links.
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "strikethrough", "replacements", "smartquotes"])


def letter_html(text: str, title: str) -> Markup:
    """The letter's Markdown as HTML: a leading `# Title` that repeats the page's title is
    dropped (the page has one h1), and every other heading moves down two levels."""
    md = _markdown()
    tokens = md.parse(text)
    if (len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
            and collation_key(tokens[1].content) == collation_key(title)):
        tokens = tokens[3:]
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
    # Safe: html is off, so every piece of text in the output was escaped by markdown-it.
    return Markup(md.renderer.render(tokens, md.options, {}))


# --- Rendering ------------------------------------------------------------------------------


def render_public_page(session: Session, config: CampaignConfig, env: jinja2.Environment,
                       campaign: Campaign, now: datetime, *, listed: bool = True,
                       web_join_href: str | None = None) -> dict[str, str]:
    """The site's files, by name: `index.html`, `style.css` and `signers.json`.

    `listed=False` asks search engines not to index the page (before a release date);
    `web_join_href` is the web app's sign form for those no one asked, when it serves the page.
    """
    version = current_version(session, campaign.id)
    if version is None:
        raise OutreachError(f"campaign {config.slug or campaign.slug!r} has no letter version "
                            "yet; run `outreach check` or import targets first")
    signers = active_signers(session, campaign.id)
    updated = now.astimezone(ZoneInfo(config.timezone))

    organizations = [s.name for s in signers if s.type != INDIVIDUAL]
    individuals = [s.name for s in signers if s.type == INDIVIDUAL]
    sections: list[dict[str, Any]]
    if config.individuals_may_sign:
        sections = [
            {"id": "organizations", "heading": "Organizations", "names": organizations},
            {"id": "individuals", "heading": "Individuals", "names": individuals},
        ]
    else:
        sections = [{"id": "signer-list", "heading": None, "names": [s.name for s in signers]}]

    style = _source(env, STYLE_SOURCE)
    join_href = None
    if config.contact_email:
        join_href = (f"mailto:{quote(config.contact_email, safe='@')}"
                     f"?subject={quote('Sign on: ' + config.title, safe='')}")
    context: dict[str, Any] = {
        "campaign": {
            "title": config.title,
            "slug": config.slug or campaign.slug,
            "contact_email": config.contact_email,
            "individuals_may_sign": config.individuals_may_sign,
            "timezone": config.timezone,
        },
        "letter": {
            "html": letter_html(version.text, config.title),
            "version": version.number,
        },
        "counts": {
            "total": len(signers),
            "organizations": len(organizations),
            "individuals": len(individuals),
        },
        "sections": sections,
        "updated": updated,
        "listed": listed,
        "released": campaign.released_at.astimezone(ZoneInfo(config.timezone))
        if campaign.released_at else None,
        "join_href": join_href,
        "web_join_href": web_join_href,
        "style_href": f"{STYLE}?v={hashlib.sha256(style.encode('utf-8')).hexdigest()[:12]}",
        "signers_json": SIGNERS_JSON,
    }
    index = _render(env, TEMPLATE, context)
    return {
        INDEX: index,
        STYLE: style,
        SIGNERS_JSON: signers_json(config.title, updated, version.number, signers),
    }


def signers_json(title: str, updated: datetime, letter_version: int,
                 signers: list[Signer]) -> str:
    """The list as JSON, one signer a line: {title, updated, letter_version, count,
    signers: [{name, type}]} in the page's order."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    head = {"title": title, "updated": updated.isoformat(), "letter_version": letter_version,
            "count": len(signers)}
    lines = [f"  {encode(key)}: {encode(value)}," for key, value in head.items()]
    types = {kind: encode(kind) for kind in {s.type for s in signers}}
    entries = ",\n".join(f'    {{"name": {encode(s.name)}, "type": {types[s.type]}}}'
                          for s in signers)
    body = f'  "signers": [\n{entries}\n  ]' if signers else '  "signers": []'
    return "{\n" + "\n".join(lines) + "\n" + body + "\n}\n"


def fingerprint(session: Session, config: CampaignConfig, campaign: Campaign, *,
                listed: bool = True) -> str:
    """A digest of everything in the database and config the page shows, except the date:
    a job can rebuild only when it changes (a sign-on, a withdrawal, a new letter version,
    a renamed signer, an edited config). Costs the signer query and the sort, no rendering.
    """
    version = current_version(session, campaign.id)
    digest = hashlib.sha256()
    digest.update(json.dumps([
        version.id if version is not None else None, config.title, config.individuals_may_sign,
        config.contact_email, config.timezone, listed,
        campaign.released_at.isoformat() if campaign.released_at else None,
    ]).encode("utf-8"))
    for signer in active_signers(session, campaign.id):
        digest.update(f"\0{signer.type}\0{signer.name}".encode())
    return digest.hexdigest()


def _source(env: jinja2.Environment, name: str) -> str:
    """A file from the template path (a campaign may override it), copied as it is."""
    if env.loader is None:
        raise OutreachError(f"the template environment has no loader to find {name}")
    source, _filename, _uptodate = env.loader.get_source(env, name)
    return source


# --- Publishing -----------------------------------------------------------------------------


def publish(session: Session, config: CampaignConfig, env: jinja2.Environment,
            campaign: Campaign, out_dir: Path, now: datetime, *, listed: bool = True) -> Path:
    """Render the site and put it in `out_dir` at once; returns `out_dir`.

    `out_dir` must be new, empty, or a site published here before (it has `.outreach-site`):
    it is replaced as a whole. A symbolic link is followed and its target replaced.
    """
    files = render_public_page(session, config, env, campaign, now, listed=listed)
    return write_site(files, out_dir)


def write_site(files: dict[str, str], out_dir: Path) -> Path:
    """Write `files` into a new directory beside `out_dir`, then swap it in atomically."""
    out_dir = Path(os.path.realpath(out_dir)) if out_dir.is_symlink() else out_dir.absolute()
    _check_replaceable(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, out_dir.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    try:
        for name, content in {**files, MARKER: MARKER_TEXT}.items():
            if Path(name).name != name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            path = staging / name
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, 0o644)
        # mkdtemp makes the directory private; the site is meant to be read by a web server.
        os.chmod(staging, 0o755)
        _fsync(staging)
        _swap_in(staging, out_dir)
        _fsync(parent)
    finally:
        # After a swap this is the old site; after a failure, the half-written new one.
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def _check_replaceable(out_dir: Path) -> None:
    if not os.path.lexists(out_dir):
        return
    if not out_dir.is_dir():
        raise OutreachError(f"{out_dir} exists and is not a directory")
    if (out_dir / MARKER).is_file() or not any(out_dir.iterdir()):
        return
    raise OutreachError(f"{out_dir} is not empty and was not published by outreach (it has no "
                        f"{MARKER} file); publishing replaces the whole directory, so choose "
                        "a new or empty one")


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Make `staging` the content of `out_dir`; whatever was there ends up at `staging`."""
    try:
        # Atomic when out_dir is missing or an empty directory.
        os.rename(staging, out_dir)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    else:
        return
    if _rename_exchange(staging, out_dir):
        return
    # No atomic exchange here (not Linux, or a file system without it): two renames. A
    # reader may find no site for an instant between them, but never a partial one.
    os.rename(out_dir, f"{staging}.old")
    os.rename(staging, out_dir)
    os.rename(f"{staging}.old", staging)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _rename_exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2(RENAME_EXCHANGE).

    False where the system cannot (no such call, or a file system without support).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _fsync(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(parent: Path, name: str) -> None:
    """Staging directories a killed publisher left behind (not those another one is using)."""
    cutoff = time.time() - STALE_SECONDS
    for path in parent.glob(f".{glob.escape(name)}.new-*"):
        try:
            if path.lstat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
        except FileNotFoundError:
            continue
