"""CSV exports of a campaign's targets and signers."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign.models import Campaign, LetterVersion, Reissue, SignOn, Target
from outreach.campaign.reissues import reissued_sign_ons
from outreach.campaign.signons import listed
from outreach.people.organizations import listing_order

TARGET_COLUMNS = ("organization", "sort_name", "size", "engagement", "stakeholder_kind", "tags",
                  "contact_name", "email", "phone", "state", "state_reason", "wave",
                  "emails_sent", "state_changed_at")
SIGNER_COLUMNS = ("name_as_listed", "sort_name", "signer_type", "letter_version", "signed_at",
                  "evidence", "decided_by", "quoted_text", "classifier_version")


def export_targets(session: Session, campaign: Campaign, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(TARGET_COLUMNS)
    targets = session.scalars(
        select(Target).where(Target.campaign_id == campaign.id)
        .options(joinedload(Target.organization), joinedload(Target.contact))
        .order_by(Target.id)
    ).all()
    for t in targets:
        org, contact = t.organization, t.contact
        writer.writerow([org.name, org.sort_name, org.size.value,
                         org.engagement.value if org.engagement else "",
                         org.stakeholder_kind or "", ";".join(org.tags), contact.name,
                         contact.email, contact.phone or "", t.state.value, t.state_reason or "",
                         t.wave or "", t.emails_sent, t.state_changed_at.isoformat()])
    return len(targets)


def signer_records(session: Session, campaign: Campaign,
                   reissue: Reissue | None = None) -> list[dict[str, Any]]:
    """Every listed signer with its evidence, in the public page's alphabetical order; with
    `reissue`, those on that reissue's list instead."""
    query = select(SignOn, LetterVersion.number).join(
        LetterVersion, LetterVersion.id == SignOn.letter_version_id)
    if reissue is None:
        query = query.where(listed(campaign.id))
    else:
        query = query.where(SignOn.id.in_([s.id for s in reissued_sign_ons(session, reissue)]))
    rows = sorted(session.execute(query).all(),
                  key=lambda row: listing_order(row[0].sort_name, row[0].name_as_listed))
    return [
        {"name_as_listed": s.name_as_listed, "sort_name": s.sort_name,
         "signer_type": s.signer_type, "letter_version": version,
         "signed_at": s.signed_at.isoformat(), "evidence": s.evidence_kind,
         "decided_by": s.decided_by, "quoted_text": s.quoted_text or "",
         "classifier_version": s.classifier_version or ""}
        for s, version in rows
    ]


def export_signers(session: Session, campaign: Campaign, out: TextIO,
                   reissue: Reissue | None = None) -> int:
    records = signer_records(session, campaign, reissue)
    writer = csv.DictWriter(out, fieldnames=SIGNER_COLUMNS)
    writer.writeheader()
    writer.writerows(records)
    return len(records)


def export_signers_json(session: Session, campaign: Campaign, out: TextIO,
                        reissue: Reissue | None = None) -> int:
    records = signer_records(session, campaign, reissue)
    head: dict[str, Any] = {"campaign": campaign.slug, "title": campaign.title}
    if reissue is not None:
        head["reissue"] = {"id": reissue.id, "on": reissue.reissue_on.isoformat()}
    json.dump({**head, "signers": records}, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(records)
