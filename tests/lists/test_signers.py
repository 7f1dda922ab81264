"""Signers on the coalition list, on both databases: the contact who signed is subscribed
and welcomed, nobody else; a withdrawn signature takes them off; nobody who left comes
back."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from outreach.app import App
from outreach.campaign import letters
from outreach.campaign.models import SignOn, Target
from outreach.campaign.signons import Evidence, record_sign_on, withdraw
from outreach.db.session import transaction
from outreach.lists import members
from outreach.lists.config import ListConfig, load_lists
from outreach.lists.models import ListMember, MemberStatus
from outreach.lists.registry import KnownDmarcPolicies, Lists
from outreach.lists.signers import sync_signers
from outreach.people.models import Contact, Organization, Suppression
from outreach.people.organizations import org_key
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

LATER = NOW + timedelta(hours=1)
SUSANA = "susana@communitywatercenter.example"  # Community Water Center
MARK = "mcowin@waterfoundation.example"  # The Water Foundation's decision-maker
ELLEN = "ehanak@waterfoundation.example"  # The Water Foundation's other contact
DONNA = "donna@eastporterville.example"  # East Porterville Water Committee


def the_lists(app: App) -> Lists:
    return Lists(app.settings, load_lists(app.settings.lists_dir), KnownDmarcPolicies({}))


def coalition(lists: Lists) -> ListConfig:
    config = lists.get("coalition")
    assert config is not None
    return config


def sign(app: App, organization: str) -> None:
    """`organization` signs the example campaign (an organizer heard it on the phone)."""
    with transaction(app.factory) as session:
        target = session.scalars(select(Target).join(Organization).where(
            Organization.key == org_key(organization))).one()
        version = letters.current_version(session, target.campaign_id)
        assert version is not None
        record_sign_on(session, target, name=organization, signer_type="organization",
                       now=NOW, message_id_domain="valleywater.org",
                       evidence=Evidence(kind="phone", decided_by="organizer:maria",
                                         letter_version_id=version.id))


def take_back(app: App, organization: str) -> None:
    with transaction(app.factory) as session:
        sign_on = session.scalars(select(SignOn).join(Organization, Organization.id ==
                                                      SignOn.organization_id).where(
            Organization.key == org_key(organization), SignOn.withdrawn_at.is_(None))).one()
        withdraw(session, sign_on, now=NOW, by="organizer:maria",
                 message_id_domain="valleywater.org")


def sync(app: App) -> int:
    """How many memberships one sync changed."""
    lists = the_lists(app)
    with transaction(app.factory) as session:
        return sync_signers(session, lists, coalition(lists), LATER).changed


def rows(app: App) -> dict[str, ListMember]:
    with app.factory() as session:
        return {m.address: m for m in members.members(session, "coalition", None)}


def welcomes(server: SmtpServer) -> list[str]:
    return sorted(r.rcpt_tos[0] for r in server.messages
                  if str(r.message["Subject"]) == "Welcome to Valley Water Coalition")


def messages_to(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [r.message for r in server.messages if r.rcpt_tos == [address]]


def test_the_contact_who_signed_is_subscribed_and_welcomed_and_no_one_else(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    sign(app, "Community Water Center")
    sign(app, "The Water Foundation")
    assert sync(app) == 2
    found = rows(app)
    assert sorted(found) == sorted([SUSANA, MARK])
    with app.factory() as session:
        mark_id = session.scalars(select(Contact.id).where(Contact.email == MARK)).one()
    assert (found[MARK].source, found[MARK].contact_id, found[MARK].display_name,
            found[MARK].status) == ("signer:clean-water", mark_id, "Mark Cowin",
                                    MemberStatus.SUBSCRIBED)
    assert sync(app) == 0
    send_due(app, LATER)
    assert welcomes(smtp_server) == sorted([SUSANA, MARK])
    assert messages_to(smtp_server, ELLEN) == []


def test_a_signature_withdrawn_before_the_sync_subscribes_nobody(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    sign(app, "East Porterville Water Committee")
    take_back(app, "East Porterville Water Committee")
    assert sync(app) == 0
    assert rows(app) == {}


def test_a_withdrawn_signature_takes_its_member_off_without_a_goodbye(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    sign(app, "East Porterville Water Committee")
    sign(app, "Community Water Center")
    assert sync(app) == 2
    take_back(app, "East Porterville Water Committee")
    lists = the_lists(app)
    with transaction(app.factory) as session:
        assert sync_signers(session, lists, coalition(lists), LATER) == (0, 1)  # no mail
    donna = rows(app)[DONNA]
    assert (donna.status, donna.unsubscribed_by) == (MemberStatus.UNSUBSCRIBED, "withdrawn")
    assert rows(app)[SUSANA].status == MemberStatus.SUBSCRIBED
    send_due(app, LATER)
    subjects = [str(m["Subject"]) for m in messages_to(smtp_server, DONNA)]
    assert "You have left Valley Water Coalition" not in subjects
    assert subjects.count("Welcome to Valley Water Coalition") == 1


def test_someone_who_left_is_never_subscribed_again(app: App) -> None:
    load_example(app)
    sign(app, "Community Water Center")
    assert sync(app) == 1
    lists = the_lists(app)
    with transaction(app.factory) as session:
        members.unsubscribe(session, lists, coalition(lists), SUSANA, by="one-click",
                            now=LATER)
    assert sync(app) == 0
    assert rows(app)[SUSANA].status == MemberStatus.UNSUBSCRIBED


def test_a_member_who_joined_on_their_own_stays_when_their_signature_goes(app: App) -> None:
    load_example(app)
    lists = the_lists(app)
    with transaction(app.factory) as session:
        members.subscribe(session, lists, coalition(lists), DONNA, source="email", now=NOW)
    sign(app, "East Porterville Water Committee")
    assert sync(app) == 0
    take_back(app, "East Porterville Water Committee")
    assert sync(app) == 0
    assert (rows(app)[DONNA].status, rows(app)[DONNA].source) == (MemberStatus.SUBSCRIBED,
                                                                  "email")


def test_a_signer_who_may_get_no_mail_is_not_subscribed(app: App) -> None:
    load_example(app)
    sign(app, "Community Water Center")
    with transaction(app.factory) as session:
        contact = session.scalars(select(Contact).where(Contact.email == SUSANA)).one()
        contact.suppression = Suppression.UNSUBSCRIBED
    assert sync(app) == 0
    assert rows(app) == {}


def test_a_list_without_signer_campaigns_changes_nothing(app: App) -> None:
    load_example(app)
    sign(app, "Community Water Center")
    lists = the_lists(app)
    config = coalition(lists).model_copy(update={"subscribe_signers_of": []})
    config.slug = "coalition"
    with transaction(app.factory) as session:
        assert sync_signers(session, lists, config, LATER).changed == 0
    other = coalition(lists).model_copy(update={"subscribe_signers_of": ["no-such-campaign"]})
    other.slug = "coalition"
    with transaction(app.factory) as session:
        assert sync_signers(session, lists, other, LATER).changed == 0
    assert rows(app) == {}
