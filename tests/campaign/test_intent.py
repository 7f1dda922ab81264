"""Reply phrasings written for the project: sign-on precision must be 100%.

Each case is the *visible* text of a reply (quoted history already removed), except the
cases that test the `exclude` guard against an ask quoted without markers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from outreach.campaign.intent import ALSO_UNSUBSCRIBE, Intent, understand
from outreach.campaign.reading import classify

SIGN_ON = [
    # English
    ("Yes, add Friends of the River.", "Friends of the River"),
    ("Yes! Count us in.", None),
    ("We'd be happy to sign. Please list us as \"Valley Food Bank\".", "Valley Food Bank"),
    ("Happy to sign on behalf of Madera Coalition for Community Justice.", None),
    ("Hi Maria,\n\nWe are proud to sign.\n\nBest,\nDonna", None),
    ("Yes", None),
    ("yes please", None),
    ("Absolutely, sign us on!", None),
    ("Our board approved it yesterday. We will sign. List us as: East Porterville Water "
     "Committee", "East Porterville Water Committee"),
    ("The board has approved signing on. Please add us.", None),
    ("Sign us up. Our name should be Tulare Basin Watershed Partnership.",
     "Tulare Basin Watershed Partnership"),
    ("Central Valley Partnership signs on.", "Central Valley Partnership"),
    ("Thanks for doing this! We're in.", None),
    ("Yes!!!", None),
    ("Yes! Please list us as Valley Children's Healthcare.", "Valley Children's Healthcare"),
    ("I'll sign.", None),
    ("You can add our name.", None),
    ("I sign in my personal capacity.", None),
    # Spanish
    ("Sí, firmamos. Pueden incluirnos como Comité Progreso de Lanare.",
     "Comité Progreso de Lanare"),
    ("Con gusto firmamos la carta.", None),
    ("Cuenten con nosotros!", None),
    ("Si, nos sumamos.", None),
    # French
    ("Oui, nous signons. Inscrivez-nous sous le nom Eau Secours.", "Eau Secours"),
    ("Comptez sur nous !", None),
    ("Avec plaisir, vous pouvez ajouter notre nom.", None),
]

NOT_SIGN_ON = [
    # conditionals
    ("We'd sign if you change the second point.", Intent.CHANGE_REQUEST),
    ("Yes, provided the letter mentions tribal water systems.", Intent.UNKNOWN),
    ("We will sign as long as point 3 is removed.", Intent.CHANGE_REQUEST),
    ("Probably yes, but I need to check with our board.", Intent.NEEDS_APPROVAL),
    ("Maybe. We'll see.", Intent.UNKNOWN),
    ("Firmaremos si cambian el segundo punto.", Intent.CHANGE_REQUEST),
    ("Nous signerons si vous modifiez le paragraphe 2.", Intent.CHANGE_REQUEST),
    # negations and declines
    ("Unfortunately we cannot sign this letter.", Intent.DECLINE),
    ("We won't be signing, but thank you for the invitation.", Intent.DECLINE),
    ("No, thank you.", Intent.DECLINE),
    ("We will not sign on at this time.", Intent.DECLINE),
    ("We decided not to join this one.", Intent.DECLINE),
    ("Lamentablemente no podemos firmar.", Intent.DECLINE),
    ("Malheureusement, nous ne pouvons pas signer cette lettre.", Intent.DECLINE),
    ("Not for us, sorry.", Intent.DECLINE),
    ("I don't think we can sign.", Intent.DECLINE),
    # yes to something other than signing
    ("Yes, I received it. I'll share it with the team.", Intent.UNKNOWN),
    ("Yes, we got your email.", Intent.UNKNOWN),
    ("Yes, the meeting on Tuesday works for me.", Intent.UNKNOWN),
    ("Yes, I'm the right person for this.", Intent.UNKNOWN),
    ("Yes I'm out of the office until Monday.", Intent.UNKNOWN),
    # approvals
    ("This looks great. I need to run it by our national office first.", Intent.NEEDS_APPROVAL),
    ("Our board meets on the 12th and will decide then.", Intent.NEEDS_APPROVAL),
    ("As a chapter we need approval from headquarters before signing.", Intent.NEEDS_APPROVAL),
    ("Tengo que consultarlo con la junta directiva.", Intent.NEEDS_APPROVAL),
    ("Je dois consulter notre conseil d'administration.", Intent.NEEDS_APPROVAL),
    ("Yes in principle, but our board has to approve it.", Intent.NEEDS_APPROVAL),
    # more time
    ("Could we have a few more days? We're still discussing it.", Intent.MORE_TIME),
    ("We need more time to review.", Intent.MORE_TIME),
    ("Necesitamos más tiempo.", Intent.MORE_TIME),
    ("Nous avons besoin de plus de temps.", Intent.MORE_TIME),
    # questions
    ("Who else has signed so far?", Intent.QUESTION),
    ("Can we sign as individuals?", Intent.QUESTION),
    ("Will you add us?", Intent.QUESTION),
    ("¿Quiénes más han firmado?", Intent.QUESTION),
    ("Qui a déjà signé ?", Intent.QUESTION),
    # change requests
    ("We'd like to see stronger language on enforcement.", Intent.CHANGE_REQUEST),
    ("Could you change 'should' to 'must' in point 1? Then we're in.", Intent.CHANGE_REQUEST),
    ("Sugerimos cambiar la redacción del punto 3.", Intent.CHANGE_REQUEST),
    # referrals
    ("I'm not the right person — please contact our director, Ana Ruiz, ana@river.example.",
     Intent.REFERRAL),
    ("I sign in my personal capacity, not on behalf of my employer.", Intent.UNKNOWN),
    ("You should talk to Jorge Pérez <jorge@lanare.example>, he handles coalitions.",
     Intent.REFERRAL),
    # unsubscribe
    ("Please remove me from your list.", Intent.UNSUBSCRIBE),
    ("Unsubscribe", Intent.UNSUBSCRIBE),
    ("Yes, unsubscribe me.", Intent.UNSUBSCRIBE),
    ("Por favor darme de baja.", Intent.UNSUBSCRIBE),
    # mixed signals go to a person
    ("Yes we sign. Actually no, wait, let me check with Maria.", Intent.NEEDS_APPROVAL),
    ("We sign, but please remove the word 'crisis'.", Intent.CHANGE_REQUEST),
    ("Yes — but we need to see the final version first.", Intent.UNKNOWN),
    ("We support the goals but cannot sign.", Intent.DECLINE),
    ("Yes, we support this.", Intent.UNKNOWN),
    ("Sure, happy to help spread the word.", Intent.UNKNOWN),
    ("We signed already last week.", Intent.UNKNOWN),
    ("Yes, we will sign once the board votes.", Intent.NEEDS_APPROVAL),
    ("Do not add us.", Intent.UNKNOWN),
    ("Please don't list us.", Intent.UNKNOWN),
    ("We're in the middle of moving offices.", Intent.UNKNOWN),
    ("I am in Sacramento this week.", Intent.UNKNOWN),
    ("Yes, add me to your newsletter.", Intent.UNKNOWN),
    ("Please add us to the coalition mailing list.", Intent.UNKNOWN),
    ("Yes, sign us up for the webinar.", Intent.UNKNOWN),
    ("Count me in for the call on Tuesday.", Intent.UNKNOWN),
    ("Sí, agréguenme a la lista de correo.", Intent.UNKNOWN),
    ("Oui, ajoutez-moi à la liste de diffusion.", Intent.UNKNOWN),
    ("", Intent.UNKNOWN),
    ("Thanks!", Intent.UNKNOWN),
    ("Reply YES to sign on", Intent.UNKNOWN),
]


@pytest.mark.parametrize(("text", "name"), SIGN_ON)
def test_clear_consent_is_a_sign_on(text: str, name: str | None) -> None:
    result = understand(text)
    assert result.intent == Intent.SIGN_ON, result
    assert result.evidence
    assert result.evidence in text
    assert result.signer_name == name


@pytest.mark.parametrize(("text", "intent"), NOT_SIGN_ON)
def test_anything_less_is_never_a_sign_on(text: str, intent: Intent) -> None:
    result = understand(text)
    assert result.intent != Intent.SIGN_ON, result
    assert result.intent == intent, result


def test_sign_on_precision_over_the_whole_set() -> None:
    false_positives = [t for t, _ in NOT_SIGN_ON if understand(t).intent == Intent.SIGN_ON]
    assert false_positives == []


ASK = """Dear Ana,

I'm writing to ask whether Friends of the River would sign on to our coalition letter.
To sign, just reply to this email with the name you'd like listed, for example: "Yes,
Friends of the River signs on." Reply YES to sign on.
"""


def test_words_of_the_quoted_ask_never_count() -> None:
    # An Outlook reply pasted the ask back without any quote marker.
    reply = "Thanks, I'll look at it.\n\n" + ASK
    result = understand(reply, organization="Friends of the River",
                        exclude=ASK.splitlines())
    assert result.intent != Intent.SIGN_ON


def test_referrals_are_extracted_with_names_and_never_our_own_addresses() -> None:
    result = understand(
        "Yes, we sign! You should also ask Jorge Pérez <jorge@lanare.example> and "
        "sofia@ccejn.example. Reply to reply+t3-abc@valleywater.example.",
        own_addresses=["ana@river.example"])
    assert result.intent == Intent.SIGN_ON
    assert [(r.email, r.name) for r in result.referrals] == [
        ("jorge@lanare.example", "Jorge Pérez"), ("sofia@ccejn.example", None)]


def test_signer_type() -> None:
    assert understand("I sign in my personal capacity.").signer_type == "individual"
    assert understand("We are happy to sign on behalf of our organization.").signer_type == \
        "organization"


# Answers to a change notice ("your signature stays unless you reply WITHDRAW by ...", "reply
# YES to confirm your signature on the new text") and to a reissue notice ("reply to opt out").

WITHDRAW = [
    # English
    "WITHDRAW",
    "withdraw",
    "Withdraw.",
    "We withdraw our signature.",
    "Please withdraw our name",
    "please remove our name from the letter",
    "take us off the letter",
    "remove us from the list of signers",
    "remove us from the signatories",
    "we'd like to opt out",
    "Please opt us out of the reissue",
    "do not include us in the reissued statement",
    "we no longer want to be listed",
    "We can no longer support this letter, please remove our name",
    "We have decided to withdraw from the letter.",
    "Unfortunately we have to withdraw our signature.",
    "We cannot support the new text. Please withdraw our name.",
    # Spanish
    "RETIRAR",
    "retiramos nuestra firma",
    "por favor retiren nuestro nombre",
    "no nos incluyan en la carta",
    "Queremos retirarnos de la carta.",
    "Por favor darnos de baja de la carta.",
    # French
    "RETIRER",
    "nous retirons notre signature",
    "veuillez retirer notre nom",
    "ne nous incluez pas",
    "Nous voulons nous retirer de la lettre.",
]

RECONFIRM = [
    # English
    "We confirm",
    "Confirmed, keep us on.",
    "yes we still sign",
    "we reconfirm our signature",
    "Still on board!",
    "keep our name on the letter",
    "We still support it",
    "Yes, keep us on.",
    "We will not withdraw, keep us on",
    # Spanish
    "Sí, confirmamos",
    "confirmamos nuestra firma",
    "seguimos firmando",
    # French
    "nous confirmons",
    "nous maintenons notre signature",
    "oui, gardez notre nom",
]

NOT_WITHDRAW = [
    # negated
    ("we do not want to withdraw", Intent.UNKNOWN),
    ("don't withdraw us", Intent.UNKNOWN),
    ("no need to remove our name", Intent.UNKNOWN),
    ("we will not withdraw", Intent.UNKNOWN),
    ("nous ne retirons pas notre signature", Intent.UNKNOWN),
    ("We don't want to, you know, withdraw our name", Intent.UNKNOWN),
    ("No, withdraw us", Intent.UNKNOWN),
    # conditional, hedged, asked
    ("we might withdraw if the text changes again", Intent.UNKNOWN),
    ("We'd withdraw if the text changes again.", Intent.UNKNOWN),
    ("should we withdraw?", Intent.QUESTION),
    ("¿debemos retirar nuestra firma?", Intent.QUESTION),
    ("We need to check with our board whether to withdraw", Intent.NEEDS_APPROVAL),
    ("To remove our name from the letter, we reply by December 10", Intent.UNKNOWN),
    ("We withdraw. Can you confirm when it's done?", Intent.QUESTION),
    # taken back
    ("Please remove our name. Actually, never mind.", Intent.UNKNOWN),
    # someone else, or something else
    ("Several groups chose to withdraw.", Intent.UNKNOWN),
    ("They decided to opt out", Intent.UNKNOWN),
    ("I'd like to withdraw my question", Intent.UNKNOWN),
    ("We withdraw from the webinar", Intent.UNKNOWN),
    ("Nos vemos en el retiro.", Intent.UNKNOWN),
    ("Count us out", Intent.DECLINE),  # a no to signing; from a signer, a person reads it
    # our own notice's words
    ("Reply WITHDRAW by December 10 to take your name off", Intent.UNKNOWN),
    # the mailing list, not the letter
    ("Remove us from your mailing list", Intent.UNSUBSCRIBE),
    # A bare "list" may be the mailing list: unsubscribe, as before, never a withdrawal.
    ("remove us from the list", Intent.UNSUBSCRIBE),
    ("unsubscribe", Intent.UNSUBSCRIBE),
]

NOT_RECONFIRM = [
    ("we cannot confirm yet", Intent.UNKNOWN),
    ("we'll confirm if the board agrees", Intent.UNKNOWN),
    ("We will confirm.", Intent.UNKNOWN),
    ("can you confirm the deadline?", Intent.QUESTION),  # asks, but not for more time
    ("please confirm the deadline", Intent.UNKNOWN),
    ("please confirm you received this", Intent.UNKNOWN),
    ("confirm our address is correct", Intent.UNKNOWN),
    ("We confirm receipt of the new text.", Intent.UNKNOWN),
    ("Keep us posted", Intent.UNKNOWN),
    ("keep me in the loop", Intent.UNKNOWN),
    ("Keep us on the letter if the text stays as it is.", Intent.UNKNOWN),
    ("We still support the goals but cannot sign.", Intent.UNKNOWN),
    ("Are we still on the letter?", Intent.QUESTION),
    ("Yes, we confirm our participation in the webinar.", Intent.UNKNOWN),
    ("We still support it, but we can't be named on the new version.", Intent.UNKNOWN),
]

CONTRADICTORY = [
    "keep our name... actually withdraw us",
    "Keep our name on the letter. Actually, withdraw us.",
    "We confirm. Please remove our name from the letter.",
    "Yes. Please withdraw our name.",
    "No nos incluyan en la carta. Mantengan nuestro nombre.",
]


@pytest.mark.parametrize("text", WITHDRAW)
def test_taking_the_name_off_is_a_withdrawal(text: str) -> None:
    result = understand(text)
    assert result.intent == Intent.WITHDRAW, result
    assert result.evidence
    assert result.evidence in text


@pytest.mark.parametrize("text", RECONFIRM)
def test_keeping_the_name_on_is_a_reconfirmation(text: str) -> None:
    result = understand(text)
    assert result.intent == Intent.RECONFIRM, result
    assert result.evidence
    assert result.evidence in text


@pytest.mark.parametrize(("text", "intent"), NOT_WITHDRAW)
def test_anything_less_is_never_a_withdrawal(text: str, intent: Intent) -> None:
    result = understand(text)
    assert result.intent not in (Intent.WITHDRAW, Intent.RECONFIRM, Intent.SIGN_ON), result
    assert result.intent == intent, result


@pytest.mark.parametrize(("text", "intent"), NOT_RECONFIRM)
def test_anything_less_is_never_a_reconfirmation(text: str, intent: Intent) -> None:
    result = understand(text)
    assert result.intent not in (Intent.WITHDRAW, Intent.RECONFIRM, Intent.SIGN_ON), result
    assert result.intent == intent, result


@pytest.mark.parametrize("text", CONTRADICTORY)
def test_withdrawing_and_keeping_at_once_goes_to_a_person(text: str) -> None:
    result = understand(text)
    assert result.intent == Intent.UNKNOWN, result
    assert "contradictory" in result.signals
    assert result.evidence
    assert result.evidence in text


def test_why_a_withdrawal_did_not_count_is_shown() -> None:
    assert "negated withdrawal" in understand("We will not withdraw.").signals
    assert "conditional withdrawal" in understand("We might withdraw if it changes.").signals
    assert "withdrawal in a question" in understand("¿Retiramos nuestra firma?").signals
    assert "negated reconfirmation" in understand("We cannot confirm yet.").signals
    assert "retracted withdrawal" in understand("Withdraw us. Actually, wait.").signals


def test_the_letter_named_makes_a_withdrawal_not_an_unsubscribe() -> None:
    assert understand("Please remove us from the letter.").intent == Intent.WITHDRAW
    assert understand("Please remove us from your list.").intent == Intent.UNSUBSCRIBE
    assert understand("Please remove me from your mailing list.").intent == Intent.UNSUBSCRIBE
    assert understand("Don't remove us from the letter.").intent == Intent.UNKNOWN


def test_a_withdrawal_and_an_unsubscribe_together_do_both() -> None:
    for text in ("Please remove our name from the letter and unsubscribe me.",
                 "Take our name off and stop emailing me, thanks."):
        result = understand(text)
        assert result.intent == Intent.WITHDRAW, text
        assert result.signals == ("withdraw", ALSO_UNSUBSCRIBE)
        assert result.intent_for(signer=False) == Intent.UNSUBSCRIBE


def test_a_plain_yes_from_a_signer_stays_a_sign_on() -> None:
    for text in ("Yes", "Count us in.", "We'll sign.", "We confirm we will sign."):
        assert understand(text).intent == Intent.SIGN_ON, text


def test_withdrawal_and_reconfirmation_precision_over_the_whole_set() -> None:
    cases = [t for t, _ in SIGN_ON] + [t for t, _ in NOT_SIGN_ON + NOT_WITHDRAW + NOT_RECONFIRM]
    withdrawn = [t for t in [*cases, *RECONFIRM, *CONTRADICTORY]
                 if understand(t).intent == Intent.WITHDRAW]
    reconfirmed = [t for t in [*cases, *WITHDRAW, *CONTRADICTORY]
                   if understand(t).intent == Intent.RECONFIRM]
    assert withdrawn == []
    assert reconfirmed == []


NOTICE = """Dear Ana,

The coalition letter on groundwater has changed; the new text is below.
Your signature stays unless you reply WITHDRAW by December 10 to take your name off.
Reply WITHDRAW by December 10 to take your name off.
If you are happy with the new text, reply YES to confirm your signature.
"""


def test_words_of_the_quoted_notice_never_count() -> None:
    # Pasted back without quote markers, whole or one sentence of it.
    for reply in ("Thanks for letting us know.\n\n" + NOTICE,
                  "Noted.\nReply WITHDRAW by December 10 to take your name off.",
                  "Your signature stays unless you reply WITHDRAW by December 10 to take "
                  "your name off."):
        result = understand(reply, exclude=NOTICE.splitlines())
        assert result.intent not in (Intent.WITHDRAW, Intent.RECONFIRM, Intent.SIGN_ON), reply


def test_a_short_answer_above_the_quoted_notice_still_counts() -> None:
    lines = NOTICE.splitlines()
    assert understand("WITHDRAW\n\n" + NOTICE, exclude=lines).intent == Intent.WITHDRAW
    assert understand("Withdraw.", exclude=lines).intent == Intent.WITHDRAW
    assert understand("Keep us on.\n\n" + NOTICE, exclude=lines).intent == Intent.RECONFIRM
    assert understand("Yes", exclude=ASK.splitlines()).intent == Intent.SIGN_ON


def test_a_notice_line_of_one_word_quoted_back_does_not_count() -> None:
    notice = NOTICE + "To take your name off, just reply:\nWITHDRAW\n"
    result = understand("Thanks.\n\n" + notice, exclude=notice.splitlines())
    assert result.intent != Intent.WITHDRAW


ASK_WITH_EXAMPLE = ('To sign, just reply to this email with the name you\'d like listed, for '
                    'example: "Yes, Community Water Center signs on." If you have questions, '
                    'reply and tell us; a person reads every reply.')


@pytest.mark.parametrize("reply", [
    "Yes, Community Water Center signs on.",
    "Hi Maria,\nYes, Community Water Center signs on.\n\n" + ASK_WITH_EXAMPLE,
    "Happy to! Community Water Center signs on.",  # part of the example is still theirs
])
def test_the_reply_the_ask_suggests_is_a_sign_on_under_the_name_on_file(reply: str) -> None:
    result = understand(reply, organization="Community Water Center",
                        exclude=ASK_WITH_EXAMPLE.splitlines())
    assert result.intent == Intent.SIGN_ON
    assert result.signer_name == "Community Water Center"


def test_the_example_inside_the_quoted_ask_alone_is_not_a_reply() -> None:
    result = understand("Thanks!\n\n" + ASK_WITH_EXAMPLE, organization="Community Water Center",
                        exclude=ASK_WITH_EXAMPLE.splitlines())
    assert result.intent != Intent.SIGN_ON


# The reader by clause: who acts, what act, its polarity, modality and conditions, in the five
# languages (each read from its file in outreach/campaign/languages/).

ORG = "Valley Tenants Union"

BY_STRUCTURE = [
    # formal acts on the letter, by the organization, any register
    ("The Board voted unanimously to endorse the coalition letter.", Intent.SIGN_ON),
    ("La junta aprobó por unanimidad, en su sesión del martes, adherirse a la carta.",
     Intent.SIGN_ON),
    ("Le conseil d'administration a décidé à l'unanimité de signer la lettre.", Intent.SIGN_ON),
    ("A diretoria aprovou a adesão à carta. Podem nos incluir.", Intent.SIGN_ON),
    ("Die Mitgliederversammlung hat beschlossen, den Brief mitzuzeichnen.", Intent.SIGN_ON),
    ("Notre adhésion est confirmée.", Intent.SIGN_ON),
    ("ja klar machen wir mit danke euch", Intent.SIGN_ON),
    ("Sim, assinamos.", Intent.SIGN_ON),
    # everyday and regional ways of saying yes
    ("You bet! Consider it done.", Intent.SIGN_ON),
    ("¡Dale! Cuenten con nosotros.", Intent.SIGN_ON),
    ("Ça marche, on en est !", Intent.SIGN_ON),
    ("Bora, tamo junto!", Intent.SIGN_ON),
    ("Passt, unser Name kann drauf.", Intent.SIGN_ON),
    ("Deal with it later, I'm swamped.", Intent.UNKNOWN),
    ("Dale", Intent.UNKNOWN),  # a name under a reply, not "¡Dale!"
    # the same acts negated: a no
    ("La Asociación no se adherirá a la carta.", Intent.DECLINE),
    ("Le conseil a décidé de ne pas signer la lettre.", Intent.DECLINE),
    ("Nach Beratung hat der Verband beschlossen, den Brief nicht zu unterzeichnen.",
     Intent.DECLINE),
    ("Infelizmente não podemos assinar.", Intent.DECLINE),
    ("We're going to sit this one out.", Intent.DECLINE),
    # someone else's act, a wish, a plan, a question: no yes
    ("Several of our partners already signed the letter.", Intent.UNKNOWN),
    ("We'd like to sign the letter, but we need until January 22.", Intent.MORE_TIME),
    ("Our board will vote on whether to sign the letter.", Intent.NEEDS_APPROVAL),
    ("Would you like us to sign the letter?", Intent.QUESTION),
    ("Happy to share the letter with our members.", Intent.UNKNOWN),
    ("Other groups are signing on too.", Intent.UNKNOWN),
    # a turn after the yes that holds it back, a yes taken back in the next breath
    ("We would sign, but our bylaws prohibit it.", Intent.UNKNOWN),
    ("Yes we can sign but we'd prefer to wait for the final version.", Intent.UNKNOWN),
    ("Count us in for now, but we may need to withdraw later.", Intent.UNKNOWN),
    ("Wir würden gerne unterschreiben, aber der Vorstand ist dagegen.", Intent.UNKNOWN),
    ("Happy to sign! Just kidding, we can't.", Intent.UNKNOWN),
    ("We're in! (Well, probably.)", Intent.UNKNOWN),
    ("We'll sign as soon as our ED gets back next week.", Intent.UNKNOWN),
    ("Yes, we sign, but please spell our name right.", Intent.SIGN_ON),
    ("Other groups are in, and we're in too.", Intent.SIGN_ON),
    ("We're in touch with our board about it.", Intent.UNKNOWN),
    ("You can add comments to the draft online.", Intent.UNKNOWN),
    ("Could you add more detail on nitrates to the letter?", Intent.CHANGE_REQUEST),
    ("I sign off for the holidays tomorrow.", Intent.UNKNOWN),
    ("We'll count the votes in the morning.", Intent.UNKNOWN),
    # a yes taken back, a yes to something else, a yes not for the organization
    ("¡Sí, firmamos! Corrección: por ahora no cuenten con nosotros.", Intent.UNKNOWN),
    ("Sim, com certeza! Mas na verdade, esperem: preciso confirmar com a diretoria.",
     Intent.NEEDS_APPROVAL),
    ("Count us in for the webinar!", Intent.UNKNOWN),
    ("Count me in! I'm just a member, not staff, but I'm all for it.", Intent.UNKNOWN),
    ("I personally agree, but I can't speak for the organization.", Intent.UNKNOWN),
    # a side question leaves the yes; a question about what signing commits to does not
    ("Yes -- we're in. Quick question: do you need a logo from us?", Intent.SIGN_ON),
    ("Yes, count us in. Does signing commit us to anything financially?", Intent.QUESTION),
    # asking for time, or only promising an answer
    ("Könnten Sie uns eine Frist bis zum 22. Januar geben?", Intent.MORE_TIME),
    ("Pourrions-nous avoir jusqu'à la fin du mois ?", Intent.MORE_TIME),
    ("I'll confirm by Wednesday.", Intent.UNKNOWN),
    ("We're still thinking about it.", Intent.UNKNOWN),
    # unsubscribing, in every language
    ("Por favor, sáquenme de su lista de correos.", Intent.UNSUBSCRIBE),
    ("Je ne souhaite plus recevoir vos messages.", Intent.UNSUBSCRIBE),
    ("Não quero mais receber e-mails.", Intent.UNSUBSCRIBE),
    ("Bitte nehmen Sie mich aus dem Verteiler.", Intent.UNSUBSCRIBE),
    ("STOP", Intent.UNSUBSCRIBE),
]


@pytest.mark.parametrize(("text", "intent"), BY_STRUCTURE)
def test_the_reader_decides_by_clause_structure(text: str, intent: Intent) -> None:
    result = understand(text, organization=ORG)
    assert result.intent == intent, result
    if intent == Intent.SIGN_ON:
        assert result.evidence is not None and result.evidence in text


@pytest.mark.parametrize(("text", "signer", "intent"), [
    ("Please remove us.", True, Intent.WITHDRAW),
    ("Please remove us.", False, Intent.UNSUBSCRIBE),
    (f"Maria, please remove {ORG}.", True, Intent.WITHDRAW),
    ("Nous confirmons notre signature.", True, Intent.RECONFIRM),
    ("Nous confirmons notre signature.", False, Intent.SIGN_ON),
    ("Wir ziehen unsere Unterschrift zurück.", True, Intent.WITHDRAW),
    ("Retiramos a nossa assinatura.", True, Intent.WITHDRAW),
    ("Wir bleiben dabei.", True, Intent.RECONFIRM),
    ("Continuamos com vocês, podem manter o nosso nome.", True, Intent.RECONFIRM),
])
def test_what_a_reply_asks_depends_on_whether_they_signed(text: str, signer: bool,
                                                           intent: Intent) -> None:
    assert understand(text, organization=ORG).intent_for(signer=signer) == intent


@pytest.mark.parametrize(("text", "name", "doubt"), [
    # said outright, cleaned, and checked against the organization on file
    ("Yes! Please list us as \"Valley Tenants Union (VTU).\"", "Valley Tenants Union (VTU)",
     None),
    ("Yes. Please list us as 'Valley Tenants' (not 'Valley Tenants Union').", "Valley Tenants",
     None),
    ("Oui, nous signons. Nom : Jardins Partagés de Clovis.", None, "shares nothing"),
    ("Yes, list us as Valley Tenents Unon.", None, "misspelling"),
    ("Sí, firmamos. Pueden incluirnos como Nosotros y nuestra gente.", None, "sentence"),
    # without an explicit naming, the organization on file
    ("Yes, Valley Tenants Union signs on.", ORG, None),
    ("yes valley tenants union signs on", None, None),
    ("We're in.", None, None),
    # the organization named in the yes is someone else: a person looks
    ("Yes, Valley Food Bank signs on.", None, "not the organization on file"),
])
def test_the_listing_name_is_said_outright_and_checked(text: str, name: str | None,
                                                       doubt: str | None) -> None:
    result = understand(text, organization=ORG)
    if doubt is None:
        assert result.intent == Intent.SIGN_ON, result
        assert result.signer_name == name
    else:
        assert result.intent == Intent.UNKNOWN, result
        assert any(doubt in signal for signal in result.signals), result


def test_a_yes_under_a_quoted_question_that_is_not_the_ask_is_not_a_sign_on() -> None:
    assert understand("Yes", inline=[("Are you still the right contact for this?", "Yes")]) \
        .intent != Intent.SIGN_ON
    assert understand("Yes, count me in.", inline=[
        ("Can you join the coalition call on Thursday at 10?", "Yes, count me in.")]) \
        .intent != Intent.SIGN_ON
    assert understand("Yes", inline=[("Would Valley Tenants Union sign on?", "Yes")]).intent \
        == Intent.SIGN_ON


def test_the_signature_block_is_not_read() -> None:
    reply = ("Yes, we sign.\n\nBest,\nAna\nMember Support Line\nThis e-mail may contain "
             "confidential information. If you received it in error, delete it.")
    assert understand(reply, organization=ORG).intent == Intent.SIGN_ON


def _from(writer: str, body: str, address: str = "contact@valleytenants.example"
          ) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"{writer} <{address}>"
    msg["To"] = "reply+t1-aaaaaaaaaaaaaaaa@valleywater.org"
    msg["Subject"] = "Re: Will Valley Tenants Union sign?"
    msg.set_content(body)
    return msg


@pytest.mark.parametrize(("body", "intent"), [
    # a newsletter footer under the writer's name asks nothing of us
    ("Oui.\n\nAminata Diallo\nPrésidente\n\nPour vous désinscrire de la lettre mensuelle, "
     "répondez « DÉSINSCRIRE ».", Intent.SIGN_ON),
    ("Einverstanden, unterschreiben Sie für uns.\n\nAminata Diallo\n1. Vorsitzende\n"
     "Sie können Ihre Einwilligung jederzeit widerrufen. Abmeldung vom Newsletter: "
     "newsletter@example.org", Intent.SIGN_ON),
    ("We're going to decline this one, sorry.\n\nAminata Diallo, MSW\nProgram Director\n"
     "We are proud to support families and sign the Network Standards.", Intent.DECLINE),
    # ...but the writer's own words about their authority, under the name, are read
    ("Yes, I sign.\n\nAminata Diallo\n(member, not speaking for the union)", Intent.UNKNOWN),
    # a rule line ends the reply too
    ("Count us in!\n=======================\nTo unsubscribe from this group, send email to "
     "group+unsubscribe@example.org", Intent.SIGN_ON),
])
def test_what_follows_the_writers_name_is_not_the_answer(body: str, intent: Intent) -> None:
    result = classify(_from("Aminata Diallo", body), organization=ORG)
    assert result.kind == "human"
    assert result.understanding is not None
    assert result.understanding.intent == intent, result.understanding


def test_a_german_notice_that_says_it_was_made_automatically_is_an_auto_reply() -> None:
    body = ("Vielen Dank für Ihre E-Mail.\n\nFrau Hoffmann ist nicht mehr für den Verein tätig. "
            "Diese Adresse wird nicht mehr regelmäßig gelesen. Bitte wenden Sie sich an "
            "info@verein.example.\n\n(Dies ist eine automatisch erzeugte Nachricht.)")
    assert classify(_from("Sabine Hoffmann", body), organization=ORG).kind == "auto_reply"


def test_an_office_closure_banner_under_the_signature_is_no_auto_reply() -> None:
    body = ("Received, thanks.\n\nBen Alvarez\nClovis Neighbors for Water Equity\n\n"
            "** Our office is closed from Thursday, December 24 through Friday, January 1. "
            "Email replies may be delayed. **")
    assert classify(_from("Ben Alvarez", body), organization=ORG).kind == "human"
    notice = "Our office is closed from Thursday, December 24 through Friday, January 1.\n\n" \
             "Ben Alvarez"
    msg = _from("Ben Alvarez", notice)
    msg["Auto-Submitted"] = "auto-replied"
    assert classify(msg, organization=ORG).kind == "auto_reply"


@pytest.mark.parametrize(("reply", "intent"), [
    # spoken marks, when the writer typed none
    ("Yes we sign period please list us as Valley Tenants Union period thanks", Intent.SIGN_ON),
    ("Oui virgule Valley Tenants Union signe point merci Maria", Intent.SIGN_ON),
    ("please opt us out of the reissue period we are no longer able to sign period",
     Intent.WITHDRAW),
    # a no alone is a decline; a no before something else is not
    ("No", Intent.DECLINE),
    ("Nein, danke.", Intent.DECLINE),
    ("No, withdraw us", Intent.UNKNOWN),
    # the writer's earlier answer, told as history, is not this message's
    ("I know I wrote back in December that we'd sit this one out. The board voted to join "
     "after all: yes, Valley Tenants Union signs on.", Intent.SIGN_ON),
    ("En diciembre le dije que no podíamos, pero la asamblea decidió que sí firmamos.",
     Intent.SIGN_ON),
    ("I wrote on Monday to say we would sign. I'm afraid I spoke too soon. Please do not add "
     "Valley Tenants Union to the letter.", Intent.DECLINE),
    ("Como le dije en diciembre, la iglesia no firma cartas de tipo político.", Intent.DECLINE),
    # "to be clear:" then the answer
    ("Oh dear, I think my yes went to the wrong address book entry. To be clear: yes, the "
     "Valley Tenants Union signs on.", Intent.SIGN_ON),
    # a starred correction with a word or two after it
    ("Count us in, we'll sigh\n*sign 🙄", Intent.SIGN_ON),
    ("Please withdraw is\n*us", Intent.WITHDRAW),
    # a removal the writer takes back later in the same message
    ("My first instinct was to write back one word: withdraw. Please take us off. But the "
     "council should decide. So please don't take the withdraw above as our answer.",
     Intent.UNKNOWN),
    # "take" and "remove" without us or a name are no removal
    ("None of the above is a condition. Take whatever you like and ignore the rest.",
     Intent.UNKNOWN),
    ("I've left the Advocates. Please take me off and put Carol on, for anything to do with "
     "the letter.", Intent.UNKNOWN),
    # code-switching
    ("Hi Maria, thanks pero no. Suerte con la carta.", Intent.DECLINE),
    ("Désolée, we can't.", Intent.DECLINE),
    ("Leider nein.", Intent.DECLINE),
    ("Yes, we'll sign. Solo si la carta dice que los resultados se publican en mixteco.",
     Intent.UNKNOWN),
    # passed on to the director
    ("Ya lo pasé a nuestra directora. Leticia, me dices si firmamos.", Intent.NEEDS_APPROVAL),
    ("Yes, the Valley Tenants Union signs, avec plaisir, as my grandmother used to say.",
     Intent.SIGN_ON),
    # every language is read at once: one's words are not another's ("once" is eleven in
    # Spanish, "nos juntamos" is "we met")
    ("El jueves nos juntamos en la casa de doña Chayo, éramos once, y leímos la carta.",
     Intent.UNKNOWN),
    ("Éramos once en la reunión. Al final: sí, firmamos la carta.", Intent.SIGN_ON),
    # a story of signing before, and support beside a withdrawal, keep nothing
    ("Cuando firmamos la primera versión ya teníamos dudas. La junta votó retirar la firma. "
     "Por favor quiten nuestro nombre de la carta.", Intent.WITHDRAW),
    ("OPT OUT. I want to be clear that we still support every word of the letter.",
     Intent.WITHDRAW),
    # the ordinary middle
    ("Unfortunately our board policy doesn't allow us to sign advocacy letters to state "
     "agencies.", Intent.DECLINE),
    ("Could you give us to the end of the month? The board meets on the 28th.",
     Intent.MORE_TIME),
    ("Yes keep Valley Tenants Union on the list.", Intent.RECONFIRM),
    ("Unsere Unterschrift bleibt, aber bitte schicken Sie mir keine weiteren E-Mails.",
     Intent.UNSUBSCRIBE),
    ("Favor de ya no mandar correos a esta dirección. Gracias.", Intent.UNSUBSCRIBE),
    # a long reply's story is not its answer
    ("Continuamos na carta. Nada a mudar da nossa parte.", Intent.RECONFIRM),
    ("In 2014 a coalition used our name on a letter we never saw, and no, we did not sign "
     "that. This one is different: yes, Valley Tenants Union signs on.", Intent.SIGN_ON),
    ("Firmamos por las familias, que nos preguntan cada año si va a cambiar algo.",
     Intent.SIGN_ON),
    ("Nous restons signataires. Une dame m'a dit : « Vous venez de loin pour voir ça ? »",
     Intent.RECONFIRM),
    # ordinary mistakes
    ("Yes, count the Promotoras in! I'll ask the parents committee at our meeting next "
     "Wednesday and let you know.", Intent.NEEDS_APPROVAL),
    ("Nous serions heureux de signer si le point 3 demandait aussi la publication en lao.",
     Intent.UNKNOWN),
    ("Reenviando porque acho que a primeira mensagem não chegou: sim, assinamos!",
     Intent.SIGN_ON),
    ("Yes, we sign, sorry, I hadn't seen your first email.", Intent.SIGN_ON),
])
def test_how_people_write_on_phones_and_second_thoughts(reply: str, intent: Intent) -> None:
    assert understand(reply, organization=ORG).intent == intent


def _subject_reply(subject: str, body: str = "Sent from my iPhone") -> EmailMessage:
    msg = _from("Aminata Diallo", body)
    del msg["Subject"]
    msg["Subject"] = subject
    return msg


def test_an_answer_typed_after_our_subject_is_read_when_the_body_says_nothing() -> None:
    title = "Safe Drinking Water for Every Valley Community"
    typed = _subject_reply(f"Re: Will Valley Tenants Union sign on? {title} -- yes sign us up")
    result = classify(typed, organization=ORG, letter_title=title)
    assert result.understanding is not None
    assert result.understanding.intent == Intent.SIGN_ON
    # a dash in the letter's own title is never the writer's answer
    dashed = "Clean Water - Sign On Now"
    ours = _subject_reply(f"Re: Will Valley Tenants Union sign on? {dashed}")
    result = classify(ours, organization=ORG, letter_title=dashed)
    assert result.understanding is not None
    assert result.understanding.intent != Intent.SIGN_ON
    # and a body with words is read, not the subject
    both = _subject_reply(f"Re: Will Valley Tenants Union sign on? {title} -- yes",
                          body="We need to check with our board first.")
    result = classify(both, organization=ORG, letter_title=title)
    assert result.understanding is not None
    assert result.understanding.intent != Intent.SIGN_ON


ITALIAN = r"""language = "Italiano"
[words]
yes_filler = ["si", "certo", "volentieri", "grazie"]
[patterns]
sign = ['''\b(firmiamo|aderiamo|contate su di noi)\b''']
yes = ['''^\W*(si|certo|volentieri)\b''']
negation = ['''\bnon\b''']
decline = ['''\bnon (possiamo|potremo) (firmare|aderire)\b''']
"""


def test_a_sixth_language_is_a_data_file(tmp_path: Path) -> None:
    # A copy of the package, so that tests running beside this one never see the new file.
    package = Path(__file__).resolve().parents[2] / "outreach"
    copy = tmp_path / "outreach"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "campaign" / "languages" / "it.toml").write_text(ITALIAN, encoding="utf-8")
    probe = ("import outreach.campaign.intent as intent\n"
             f"assert intent.__file__.startswith({str(tmp_path)!r}), intent.__file__\n"
             "print(intent.understand('Sì, firmiamo volentieri.').intent.value)\n"
             "print(intent.understand('Purtroppo non possiamo firmare.').intent.value)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)}).stdout.split()
    assert out == ["sign_on", "decline"]
    assert understand("Sì, firmiamo volentieri.").intent != Intent.SIGN_ON  # not without it


@pytest.mark.parametrize(("text", "organization", "intent", "name"), [
    # a starred line corrects the word above it
    ("we are sigining on\n*signing sorry", "Delano Tenants Union", Intent.SIGN_ON, None),
    # a stop inside quotes ends no sentence; the name keeps its abbreviation
    ("Ja, wir zeichnen mit. Bitte als „Kath. Pfarrei St. Marien, Kassel“ aufführen.",
     "Katholische Pfarrei St. Marien Kassel", Intent.SIGN_ON, "Kath. Pfarrei St. Marien, Kassel"),
    # emphasis left over from an HTML mail is not part of the name
    ("**Yes**, we sign. Name for the list: *Kings River Conservancy*",
     "Kings River Conservancy", Intent.SIGN_ON, "Kings River Conservancy"),
    # a short name asked for in the listing's own words
    ("We're on board. For the listing use \"KRC\" please.", "Kings River Conservancy",
     Intent.SIGN_ON, "KRC"),
    ("Firmamos. Para la lista pongan CCV Lindsay, así nos conocen.",
     "Comité Cívico del Valle de Lindsay", Intent.SIGN_ON, "CCV Lindsay"),
    # a compound word shares its parts with the name on file
    ("Ja, wir unterschreiben. Bitte als „Umweltbündnis Kassel“ aufführen.",
     "Kasseler Bündnis für Umwelt e.V.", Intent.SIGN_ON, "Umweltbündnis Kassel"),
])
def test_names_and_sentences_as_people_write_them(text: str, organization: str,
                                                  intent: Intent, name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (intent, name)


@pytest.mark.parametrize(("text", "organization", "name"), [
    # the name after "our name ...:", however the sentence before the colon runs
    ("Yes we're in. Please spell our name the old way, with the hyphen: Tule-River Friends",
     "Tule River Friends", "Tule-River Friends"),
    ("Sí, firmamos. Por favor escriban el nombre completo así: Comité Vecinal de Lanare",
     "Comite Vecinal Lanare", "Comité Vecinal de Lanare"),
    # where the name goes is not part of it
    ("Sim, assinamos! Coloquem como Horta Comunitária \u2013 Davis na lista, por favor.",
     "Horta Comunitária de Davis", "Horta Comunitária \u2013 Davis"),
    # a comma and a word in lower case start the sentence again; a place after a comma stays
    ("Firmamos como Casa del Migrante, Salinas, para distinguirnos de la de Tijuana.",
     "Casa del Migrante", "Casa del Migrante, Salinas"),
    ("Sí, firmamos. Inclúyannos como Vecinos Unidos de Lamont, sin el \"S.C.\" por favor.",
     "Vecinos Unidos de Lamont, S.C.", "Vecinos Unidos de Lamont"),
    # « sous » the name asked for, in a question
    ("Oui, on embarque! Pouvez-vous nous inscrire sous « Eau Vive Outaouais (EVO) »?",
     "Regroupement Eau Vive de l'Outaouais", "Eau Vive Outaouais (EVO)"),
    ("Sim, assinamos. Pode pôr \"Associação Terra Viva \u2013 Fresno\".",
     "Associação Terra Viva", "Associação Terra Viva \u2013 Fresno"),
    # an acronym of the name on file is no misspelling of it
    ("Oui pour nous ! Mettez simplement RSEA, c'est notre sigle.",
     "Réseau Solidarité Eau et Assainissement", "RSEA"),
    ('Put us down, but as "Lindsay Water Justice Committee," please.',
     "Ad Hoc Lindsay Water Justice Committee", "Lindsay Water Justice Committee"),
])
def test_a_name_asked_for_in_other_words(text: str, organization: str, name: str) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


@pytest.mark.parametrize(("text", "organization"), [
    # agreeing to sign, joining, counting us in, in words the first sets did not use
    ("La asociación está de acuerdo en firmar.", "Asociación de Vecinos de Orosi"),
    ("Oui, l'Association des Riverains de la Sèvre signe avec plaisir.",
     "Association des Riverains de la Sèvre"),
    ("Der Förderverein Wasser für Alle schließt sich dem Brief gerne an.",
     "Förderverein Wasser für Alle"),
    ("Liebe Frau Ortega, zählen Sie uns dazu.", "Eine-Welt-Kreis Soest"),
    # a yes repeated "in case the form did not go through" is still a yes
    ("The link kept timing out, so just in case it didn't go through: yes, Orosi Tenants "
     "Council signs on.", "Orosi Tenants Council"),
    # a side request about the newsletter does not hold the yes back
    ("Sign us on. Also, could you add me to your newsletter?", "Orosi Tenants Council"),
    # "te confirmo que ..." confirms now, it does not promise to confirm later
    ("Te confirmo que la Red Orosi se adhiere a la carta.", "Red Orosi"),
])
def test_yeses_in_more_shapes(text: str, organization: str) -> None:
    assert understand(text, organization=organization).intent == Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization"), [
    # a bare yes to coming, seeing or translating, not to the letter
    ("Yes! I'll be at the workshop on Thursday. What time does it start?", "Orosi Parents"),
    ("¡Sí! Ahí estaremos en el taller del martes.", "Padres de Orosi"),
    ("Yes! See you Monday.", "Orosi Parents"),
    ("¡Sí! Con gusto la traducimos al mixteco.", "Promotoras de Orosi"),
    ("Oui ! J'y serai jeudi.", "Parents d'Orosi"),
    # a yes from someone who says they are not with the organization asked
    ("I'm with the Kings Youth Alliance, not the Orosi Tenants Council, but we'd love to sign "
     "too!", "Orosi Tenants Council"),
    # a yes that waits for a change still asked for
    ("Could point 2 say thirty days? With that change we'd sign right away.",
     "Orosi Tenants Council"),
    # a yes that waits for someone to read it first
    ("Sim! Mas a presidente quer ler antes de a gente assinar. Te retorno até sexta.",
     "Coletivo Orosi"),
    # the yes of another organization than the one asked, in the same sentence
    ("A Irmandade não assina cartas, mas eu presido o Clube Luso de Orosi e o Clube assina "
     "com gosto.", "Irmandade de Orosi"),
])
def test_more_shapes_that_are_not_a_yes_to_the_letter(text: str, organization: str) -> None:
    assert understand(text, organization=organization).intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization"), [
    # formal and colloquial joining, in words the rules did not know
    ("Unser Vorstand hat zugestimmt: Der Umweltladen Soest macht gerne mit.",
     "Umweltladen Soest"),
    ("Ich darf Ihnen mitteilen, dass sich der Umweltladen Soest Ihrem Aufruf gerne "
     "anschließt.", "Umweltladen Soest"),
    ("Ja, der Umweltladen Soest tritt dem Aufruf bei.", "Umweltladen Soest"),
    ("Le Collectif Eau de Nîmes donne son accord pour signer.", "Collectif Eau de Nîmes"),
    ("Oui, signature validée par le bureau ce matin.", "Collectif Eau de Nîmes"),
    ("En reunión de directiva se acordó adherir a la carta.", "Junta de Vecinos Lo Prado"),
    ("Water Watch Soest is in, the board voted last night.", "Water Watch Soest"),
])
def test_joining_in_more_words(text: str, organization: str) -> None:
    assert understand(text, organization=organization).intent == Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization"), [
    # lending a name, being counted as a signatory, an approval passed on
    ("Our chapter is happy to lend our name to this letter.", "Kaweah Audubon"),
    ("Our ED approved, go ahead.", "Kaweah Legal Aid"),
    ("Maria, pode considerar-nos signatárias.", "Mães de Kaweah"),
    ("Betrachten Sie uns als Unterzeichner.", "Stiftung Kaweah"),
    ("Wir leihen dem Brief sehr gerne unseren Namen.", "Ärzte Kaweah"),
    ("Le conseil a approuvé sans réserve la signature de la lettre. Je vous confirme donc "
     "notre adhésion.", "Fondation Kaweah"),
    # "when we became independent" tells a story, it sets no condition
    ("Please list us as \"Kaweah Parents\" -- we dropped the \"Unified\" when we became "
     "independent last spring. Yes, we sign.", "Kaweah Unified Parents"),
])
def test_signing_in_still_more_words(text: str, organization: str) -> None:
    assert understand(text, organization=organization).intent == Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Signed.", "Orosi Unidos", None),
    ("The Association voted 7-0 last night to sign.", "Orosi Neighborhood Association", None),
    ("Oui, comptez-nous parmi les signataires.", "Communauté Africaine d'Orosi", None),
    # "in die Liste aufnehmen" adds; it takes no one off
    ("Der Vorstand hat beschlossen, den Brief zu unterzeichnen. Bitte nehmen Sie uns in die "
     "Liste der Unterzeichner auf.", "Kulturverein Orosi", None),
    ("Hiermit bestätige ich, dass der Kulturverein Orosi den offenen Brief mitzeichnet.",
     "Kulturverein Orosi", None),
    # names in yet more words
    ("We'll sign. Please make sure our name is spelled with the hyphen, Tri-Valley "
     "Orosi Growers. Folks always get it wrong.", "Tri Valley Orosi Growers",
     "Tri-Valley Orosi Growers"),
    ("Yes, we'll sign. Use 'Orosi Health Clinics' not 'Orosi Community Health Clinics, Inc.' "
     "please.", "Orosi Community Health Clinics, Inc.", "Orosi Health Clinics"),
    ("Local 418 signs.\nOur name for the letter: SWU Local 418 (Orosi)",
     "Service Workers United, Local 418", "SWU Local 418 (Orosi)"),
])
def test_a_yes_in_few_words_and_names_in_more(text: str, organization: str,
                                              name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)




@pytest.mark.parametrize(("text", "organization", "intent"), [
    # a yes followed by "seriously, though ..." was not meant
    ("Na klar, wir unterschreiben. Im Ernst: was soll das bringen?", "Bürgerverein Lahn",
     Intent.QUESTION),
    # a yes to passing the link on, not to signing
    ("Ja, gerne! Den Link leite ich an unsere Mitglieder weiter.", "Kolping Soest",
     Intent.UNKNOWN),
    ("Sim, com certeza! A gente divulga nas nossas redes.", "Rede Clima Bahia", Intent.UNKNOWN),
    # "eventually" (German "eventuell"): maybe, later
    ("Eventually we will sign, our plenum meets in two weeks, then I know more.",
     "Jugendforum Soest", Intent.UNKNOWN),
    # a pronoun between the "no" and the verb is still a no
    ("Lo hemos debatido en la asamblea y no la vamos a firmar.", "Plataforma Agua Soria",
     Intent.DECLINE),
    ("Sorry, da sind wir raus.", "Transition Soest", Intent.DECLINE),
    ("Wir sehen von einer Mitzeichnung ab.", "Fachverband Wasser", Intent.DECLINE),
])
def test_more_shapes_of_not_yet_and_no(text: str, organization: str, intent: Intent) -> None:
    understanding = understand(text, organization=organization)
    assert understanding.intent == intent, understanding


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Wir unterschreiben und bitten, uns wie folgt zu nennen: „KFG Soest \u2013 Eine Welt“.",
     "Katholische Frauengemeinschaft Soest", "KFG Soest \u2013 Eine Welt"),
    ("Das ENS schließt sich an. In der Liste bitte: Eine-Welt-Netz Soest (ENS)",
     "Eine-Welt-Netz Soest e.V.", "Eine-Welt-Netz Soest (ENS)"),
    ("Nous adhérons. Merci d'inscrire : Association des Usagers de l'Eau — AUE",
     "Association des Usagers de l'Eau", "Association des Usagers de l'Eau \u2014 AUE"),
    ("Yes!! Count us in. Please list as Unidos por el Agua - Soest", "Unidos por el Agua",
     "Unidos por el Agua - Soest"),
    # the name on file shouted back is listed as it is on file
    ("WE WILL SIGN. PLEASE LIST AS EAST SOEST NEIGHBORHOOD WATCH.",
     "East Soest Neighborhood Watch", "East Soest Neighborhood Watch"),
])
def test_more_ways_of_naming_the_listing(text: str, organization: str, name: str) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


@pytest.mark.parametrize("text", [
    "sure, put us down as \"the people nobody listens to\" lol",  # a quoted non-name
    "Oh great, another letter. Fine, sign us up 🙄",  # a yes with a roll of the eyes
    "We don't sign letters to agencies, but we'd be glad to share the letter with members.",
    "If you add a line on rates we would sign. Without that we can't.",
])
def test_what_a_person_should_read_is_not_decided(text: str) -> None:
    assert understand(text, organization="Kings River Conservancy").intent \
        not in (Intent.SIGN_ON, Intent.DECLINE)


@pytest.mark.parametrize(("text", "intent"), [
    ("Bitte nehmen Sie uns aus Ihrem Verteiler. Danke.", Intent.UNSUBSCRIBE),
    ("Por favor retirem o meu e-mail da vossa lista de correio.", Intent.UNSUBSCRIBE),
    ("Hätten Sie bis Ende Februar Zeit für uns? Vorher tagt der Vorstand nicht.",
     Intent.MORE_TIME),
    ("Nous ne donnerons pas suite à votre demande.", Intent.DECLINE),
    ("Leider können wir uns an Briefen nicht beteiligen.", Intent.DECLINE),
    ("We can't sign, council policy. Happy to keep sharing data with you as always.",
     Intent.DECLINE),
    # a Spanish "no" before the verb
    ("Después de hablarlo, la asociación decidió no firmar la carta.", Intent.DECLINE),
    ("Gracias, pero el consejo prefiere no sumarse a esta carta.", Intent.DECLINE),
])
def test_more_ways_to_say_no_stop_and_wait(text: str, intent: Intent) -> None:
    assert understand(text, organization="Kings River Conservancy").intent == intent


@pytest.mark.parametrize(("text", "organization", "intent", "name"), [
    # "No. 14" in an address is no "No."
    ("We are pleased to confirm that our committee has approved that the Kano Water Forum be "
     "added as a signatory.\n\nYours,\nA. Bello\nNo. 9 Bank Road, Kano", "Kano Water Forum",
     Intent.SIGN_ON, None),
    # a good wish after a yes is no decline
    ("Happy to, you can put the Forum down as a signatory. Good luck with it!",
     "Kano Water Forum", Intent.SIGN_ON, None),
    # the name on the line below "list as:"
    ("We'll sign. Please list as:\n\nKings River Conservancy\n\n(no \"Inc.\" please)",
     "Kings River Conservancy, Inc.", Intent.SIGN_ON, "Kings River Conservancy"),
    # a trailing reason in parentheses is not part of the name
    ("Assinamos! Pode colocar o nome assim: Rede Águas do Sertão \u2013 Crato (porque há outras "
     "regionais).", "Rede Águas do Sertão", Intent.SIGN_ON, "Rede Águas do Sertão \u2013 Crato"),
    # a legal form may end a name
    ("Our board has approved signing on. Please use our full legal name in the signatory list: "
     "\"The Tulare Bar Foundation, Inc.\"", "Tulare Bar Foundation", Intent.SIGN_ON,
     "The Tulare Bar Foundation, Inc."),
])
def test_more_names_and_yeses_as_people_write_them(text: str, organization: str,
                                                   intent: Intent, name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (intent, name)


def test_answers_written_under_a_quoted_header_block_are_read() -> None:
    from email.message import EmailMessage

    from outreach.campaign.reading import classify

    msg = EmailMessage()
    msg["From"] = "Ana <ana@example.org>"
    msg["To"] = "reply+t1-aaaaaaaaaaaaaaaa@valleywater.org"
    msg["Subject"] = "RE: Will Kings River Conservancy sign on?"
    msg.set_content("Hi Maria, answers inline.\n\nAna\n\n-----Original Message-----\n"
                    "From: Maria <maria@valleywater.org>\nSent: Monday\n\n"
                    "> Would Kings River Conservancy sign on to our coalition letter?\n\n"
                    "Yes, we sign.\n\n"
                    "> To sign, just reply with the name you'd like listed.\n\n"
                    "Kings River Conservancy (KRC)\n")
    understanding = classify(msg, organization="Kings River Conservancy").understanding
    assert understanding is not None
    assert (understanding.intent, understanding.signer_name) == (
        Intent.SIGN_ON, "Kings River Conservancy (KRC)")


@pytest.mark.parametrize(("text", "intent"), [
    # a suggestion or a question that says it holds nothing back
    ("Firmamos. Una sugerencia, que no es condición: mencionar el náhuatl en el punto 3.",
     Intent.SIGN_ON),
    ("Nous signons. Une remarque, qui n'est en rien une condition : préciser le point 3.",
     Intent.SIGN_ON),
    # what a parenthesis says of someone else does not negate the yes
    ("Our chapter signs the letter (the national office does not take positions on state "
     "matters).", Intent.SIGN_ON),
    # "finally" before the yes is no taking back
    ("En décembre nous avions dit non. Finalement le bureau a revoté, et c'est oui : "
     "nous signons.", Intent.SIGN_ON),
    # a signed copy sent back is a yes
    ("Signed letter attached. Thanks for organizing!", Intent.SIGN_ON),
])
def test_yeses_with_what_people_add_to_them(text: str, intent: Intent) -> None:
    assert understand(text, organization="Kings River Conservancy").intent == intent


@pytest.mark.parametrize("text", [
    "Oh sure, sign us up for another letter nobody reads.",  # irony
    "I no longer work at the Conservancy; from my new group, count us in!",  # moved on
    "The board voted to approve signing, subject to one change. Please confirm that "
    "before you list us.",  # the yes hangs on a confirmation
])
def test_yeses_a_person_should_read(text: str) -> None:
    assert understand(text, organization="Kings River Conservancy").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # a yes followed by the logistics of an event is a yes to the event
    ("Yes, count us in! We'll bring the folding tables for Saturday.", "Garden Collective",
     Intent.UNKNOWN),
    ("Oui, c'est bon pour nous ! La chorale sera là à 15h, et on apporte les chaises.",
     "Mission de Fresno", Intent.UNKNOWN),
    # "llevamos años": years, not things brought
    ("¡Claro que sí! Cuenten con nosotros. Aquí llevamos años con el agua contaminada.",
     "Comité de Lanare", Intent.SIGN_ON),
    ("We got approval last night. We're joining.", "Coalinga Parents", Intent.SIGN_ON),
    ("Notre assemblée a dit oui dimanche.", "Centre Culturel de Modesto", Intent.SIGN_ON),
    ("Agradecemos o convite, mas o Clube não vai assinar.", "Clube de Los Banos",
     Intent.DECLINE),
])
def test_events_joining_and_refusing(text: str, organization: str, intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


@pytest.mark.parametrize("text", [
    "Thanks for the heads up Maria, we're still on.",
    "Sí, seguimos.",
    "Sin objeciones a los cambios, mantenemos la firma.",
    "Bien reçu, merci pour la transparence. On maintient notre signature.",
    "Confirming that we remain signed to version 3.",
])
def test_staying_on_in_more_words(text: str) -> None:
    assert understand(text, organization="Kerman Business Association").intent_for(
        signer=True) == Intent.RECONFIRM


def test_a_yes_typed_under_the_asks_own_question_is_to_the_letter() -> None:
    ask = ("I'm writing to ask whether Kings River Alliance would sign on to our coalition "
           "letter, \"Safe Drinking Water for Every Valley Community\".")
    text = "Yes, we would.\nRead it, shared it with our ED, all good."
    understanding = understand(text, organization="Kings River Alliance",
                               inline=[(ask, "Yes, we would.")])
    assert understanding.intent == Intent.SIGN_ON, understanding
    # under another request quoted from the same ask, it is not
    other = ("You've been with us from the start, and we'd love Kings River Alliance to help "
             "shape where the coalition goes next, not only to sign.")
    text = "Yes!! We'd love to be on the planning committee."
    understanding = understand(text, organization="Kings River Alliance",
                               inline=[(other, text)])
    assert understanding.intent != Intent.SIGN_ON, understanding


@pytest.mark.parametrize("text", [
    "ok", "Okay, thanks!", "OK merci", "passt", "ok obrigada", "vale, gracias", "noted, thx",
])
def test_an_acknowledgement_alone_is_no_yes(text: str) -> None:
    assert understand(text, organization="Reedley Tenants Association").intent \
        != Intent.SIGN_ON
    assert "an acknowledgement, not a yes" in understand("Ok merci !").signals


@pytest.mark.parametrize(("text", "intent"), [
    ("We can sign that one, sorry.", Intent.UNKNOWN),
    ("Lo siento, firmamos la carta.", Intent.UNKNOWN),
    ("Yes we sign, sorry for the slow answer.", Intent.SIGN_ON),
    ("Wir unterschreiben, sorry für die Verspätung.", Intent.SIGN_ON),
    ("Oui, on signe, désolée du retard.", Intent.SIGN_ON),
])
def test_an_apology_beside_a_yes_doubts_it_unless_it_is_for_answering_late(
        text: str, intent: Intent) -> None:
    assert understand(text, organization="Reedley Tenants Association").intent == intent


def test_the_organization_s_name_alone_answers_the_ask() -> None:
    org = "Asociación de Vecinos de Orosí"
    for text in ("asociacion de vecinos de orosi", "Asociación de Vecinos de Orosí."):
        understanding = understand(text, organization=org)
        assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, None)
    assert understand("Vecinos de Orosí", organization=org).intent != Intent.SIGN_ON
    assert understand("Ana Ruiz\nAsociación de Vecinos de Orosí", organization=org).intent \
        != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    ("fine with us 👍", Intent.RECONFIRM),
    ("We'll stay on, the new section is good.", Intent.RECONFIRM),
    ("on reste signataires", Intent.RECONFIRM),
    ("Sí, sigan usando nuestro nombre.", Intent.RECONFIRM),
    ("Seguimos!!", Intent.RECONFIRM),
    ("pode manter, obrigada", Intent.RECONFIRM),
    ("Klar, weiterhin dabei.", Intent.RECONFIRM),
    ("Bitte streichen.", Intent.WITHDRAW),
    ("tirem a gente por favor", Intent.WITHDRAW),
    ("Quítennos, gracias", Intent.WITHDRAW),
    ("Le bureau a tranché : nous préférons nous retirer.", Intent.WITHDRAW),
    ("take me off", Intent.WITHDRAW),
])
def test_signers_short_answers(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize("text", [
    "We're gonna have to pass on this, thanks though.",
    "Nee, dieses Mal nicht.",
    "Our board doesnt sign coalition letters, so no.",
])
def test_a_plain_no_in_few_words(text: str) -> None:
    assert understand(text).intent == Intent.DECLINE


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Yes we're in! Just put Kern Sol on the letter.", "Kern Sol Collective", "Kern Sol"),
    ("Firmamos. Pongan Red Campesina nomás.", "Red Campesina del Valle", "Red Campesina"),
    ("Ja, wir sind dabei. Schreibt einfach Umweltgruppe Kassel drauf.",
     "Umweltgruppe Kassel e.V.", "Umweltgruppe Kassel"),
])
def test_a_short_name_said_in_passing(text: str, organization: str, name: str) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


@pytest.mark.parametrize(("text", "organization"), [
    ("Thanks for your note inviting the Tulare Food Co-op to sign the letter. "
     "Our board will not sign.", "Tulare Food Co-op"),
    ("Agradecemos el mensaje pidiendo que la Red Vecinal firme la carta.", "Red Vecinal"),
    ("The board fully supports the aims of the letter.", "Tulare Food Co-op"),
    ("Our committee authorised Dr. Lee to sign the letter; she will send you the formal "
     "confirmation next week.", "Tulare Food Co-op"),
    ("Yes, we're in! And please list our member groups too: Alpaugh Youth, Ducor Parents.",
     "Tulare Food Co-op"),
    ("En principe oui, on signe.", "Tulare Food Co-op"),
    ("Vorerst sind wir dabei. Sollte der Punkt bleiben, ziehen wir unsere Unterschrift "
     "zurück.", "Tulare Food Co-op"),
])
def test_words_near_a_yes_that_are_no_consent(text: str, organization: str) -> None:
    assert understand(text, organization=organization).intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("We can't not sign this. Put us down as a yes.", "Tulare Food Co-op", None),
    ("¿Cómo no vamos a firmar esto? Cuenten con nosotros.", "Red Vecinal", None),
    ("Yes, we sign. A small suggestion, take it or leave it: mention schools in point 1.",
     "Tulare Food Co-op", None),
    ("Oui. Pour la liste des signataires, merci d'utiliser notre sigle : RVQ.",
     "Réseau Vert du Québec", "RVQ"),
    ("Sí, firmamos. En la lista no pongan \"RV\", pongan el nombre completo:\n\n"
     "Red Vecinal del Valle", "Red Vecinal RV", "Red Vecinal del Valle"),
    ("We signed it in December but maybe it didn't go through. To be clear: Tulare Food "
     "Co-op signs the letter.", "Tulare Food Co-op", None),
    ("The University does not sign letters. The Department of Soil Science signs: please "
     "list us as Department of Soil Science, Fresno Lakes University.",
     "Fresno Lakes University", "Department of Soil Science, Fresno Lakes University"),
])
def test_yeses_said_the_long_way(text: str, organization: str, name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


@pytest.mark.parametrize(("text", "intent"), [
    ("Are you removing us?? We want to stay on the letter.", Intent.RECONFIRM),
    ("¿Nos están sacando? Queremos seguir en la carta.", Intent.RECONFIRM),
    ("Our original authorization stands.", Intent.RECONFIRM),
    ("we keep our signature thank you", Intent.RECONFIRM),
    ("Nuestra firma sigue en pie.", Intent.RECONFIRM),
    ("Ja, bitte weiterhin aufführen.", Intent.RECONFIRM),
    ("Please take us off for the reissue, we merged last month.", Intent.WITHDRAW),
    ("Keep our name, but stop the emails please.", Intent.UNSUBSCRIBE),
    ("Retirez moi de votre liste svp.", Intent.UNSUBSCRIBE),
])
def test_signers_in_their_own_words(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(("text", "organization", "intent"), [
    ("Count me in! I can volunteer Saturdays, what time should I show up?",
     "Reedley Youth Corps", Intent.QUESTION),
    ("I know it's past the deadline, sorry. Yes, Reedley Garden Club signs on. Add us if you "
     "still can.", "Reedley Garden Club", Intent.SIGN_ON),
    ("Sí, la Asociación Vecinal de Orosi firma como organización.",
     "Asociación Vecinal de Orosi", Intent.SIGN_ON),
    ("Wir sind einverstanden und geben unsere Unterschrift.", "Verein Grüne Quelle",
     Intent.SIGN_ON),
])
def test_yeses_and_near_yeses_from_people_who_read_it_their_own_way(
        text: str, organization: str, intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


def test_a_person_signing_for_themselves_is_an_individual() -> None:
    understanding = understand("Yes! I'd love to sign. I live on Elm Street, do you need my "
                               "full address?", organization="Reedley Garden Club")
    assert understanding.signer_type == "individual"  # the daemon asks a person


def test_a_name_given_with_its_reason_is_the_name_alone() -> None:
    understanding = understand(
        "We'd like to sign. Please list us as Kern Water Equity Coalition - we changed our "
        "name in October.", organization="Kern Water Equity Group")
    assert understanding.signer_name == "Kern Water Equity Coalition"
    understanding = understand(
        "Podem incluir a gente! O nome para a lista é: Centro Comunitário do Vale "
        "(mudamos o nome porque agora atendemos Merced).", organization="Centro Comunitário")
    assert understanding.signer_name == "Centro Comunitário do Vale"


@pytest.mark.parametrize(("text", "intent"), [
    ("Politische Briefe unterschreiben wir normalerweise nicht. Der Vorstand hat diesmal "
     "beschlossen: Wir unterschreiben.", Intent.SIGN_ON),
    ("D'habitude, nous ne signons pas de lettres, mais celle-ci, oui : nous signons.",
     Intent.SIGN_ON),
    ("Por lo general no firmamos cartas, pero esta vez sí firmamos.", Intent.SIGN_ON),
    ("Normalmente não assinamos cartas, mas esta sim. Assinamos.", Intent.SIGN_ON),
    # a habit alone is no answer, either way
    ("Normalmente firmamos todo lo que nos mandan.", Intent.UNKNOWN),
    ("We usually don't sign letters like this, sorry.", Intent.UNKNOWN),
    # ...but a need it tells of may be this answer's too
    ("Yes we'd love to sign! Normally we need our board's OK for these.",
     Intent.NEEDS_APPROVAL),
    ("We sign. Normally we'd need the board to approve first, so I'll check with them.",
     Intent.NEEDS_APPROVAL),
    # a decline said before the habit stays
    ("Lo hablamos en el consejo y decidimos no firmar: la cooperativa normalmente no firma "
     "cartas dirigidas al gobierno.", Intent.DECLINE),
])
def test_what_the_group_usually_does_is_not_this_answer(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize("text", [
    # a board's "no" said with a verb the reader did not know as negation
    "Se presentó la carta en la reunión del martes y la junta no aprobó firmarla.",
    "Der Vorstand hat abgelehnt, den Brief zu unterzeichnen.",
    # a difficulty is no yes
    "A letter that names only English and Spanish would be hard for us to put our name on.",
    "Sería difícil para nosotros firmar esta carta.",
    # "not yet" in Spanish, with the act the reader knows
    "Todavía no nos incluyan en la carta.",
    "No nos pongan en la lista todavía.",
    # a yes typed under the last call's "if you need to check with your board"
    "Yes. The board has to see it first. They meet Thursday and I've put it on the agenda.",
    "Sí. La junta tiene que verla primero.",
    "Oui. Le CA doit d'abord la voir.",
    "Sim. A diretoria tem que ver primeiro.",
    "Ja. Der Vorstand muss das erst sehen.",
])
def test_refusals_difficulties_and_waits_are_no_sign_on(text: str) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    ("Je vous confirme que notre conseil a entériné, lors de sa rencontre du 9 décembre, "
     "l'appui de la Coalition à votre lettre.", Intent.SIGN_ON),
    ("La junta ratificó el apoyo de la organización a la carta.", Intent.SIGN_ON),
    ("Der Vorstand hat die Unterstützung des Briefes beschlossen.", Intent.SIGN_ON),
    ("The board ratified our endorsement of the letter.", Intent.SIGN_ON),
    ("Der Vorstand hat die Unterzeichnung des Briefes nicht genehmigt.", Intent.DECLINE),
    # a purpose's "not" is not the act's
    ("We sign as St. Mary's Parish, Mendota, so that people don't confuse us with the one "
     "in Fresno.", Intent.SIGN_ON),
    ("Sí, firmamos. No se preocupen por el logo.", Intent.SIGN_ON),
    # a concession in a no leaves it a no
    ("Après débat, le CA a décidé de ne pas la signer : même si la cause est juste, elle est "
     "trop éloignée de notre objet social.", Intent.DECLINE),
    ("Leider nein, sorry. Passt gerade nicht zu unseren Schwerpunkten.", Intent.DECLINE),
    ("Our board read the draft. We can't put our name on it. Please take this as a no.",
     Intent.DECLINE),
    # a yes the writer says was a slip is no yes; one taken back is a person's to read
    ("Yes\nSorry!! that \"yes\" was my phone autocompleting. We talked it over and we're "
     "going to sit this one out.", Intent.DECLINE),
    ("Happy to sign! Just kidding, we can't.", Intent.UNKNOWN),
    # no longer on the updates, whatever happens to the signature
    ("Hi Maria, keep our name on the letter, absolutely. But please take this address off "
     "the weekly updates.", Intent.UNSUBSCRIBE),
    ("Unsere Unterschrift bleibt natürlich stehen, aber bitte schickt mir keine "
     "wöchentlichen Updates mehr.", Intent.UNSUBSCRIBE),
    ("Favor de ya no mandarme estos correos. Gracias y que Dios los bendiga.",
     Intent.UNSUBSCRIBE),
])
def test_formal_yeses_and_noes_in_five_languages(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


def test_a_refusal_is_a_withdrawal_from_a_signer_and_a_no_from_anyone_else() -> None:
    understanding = understand(
        "After discussion at our December meeting, the Association has decided not to sign. "
        "Several of our members regard point 2 as a threat to local control, and we cannot "
        "endorse it.", organization="Foothill Mutual Water Companies Association")
    assert understanding.intent_for(signer=True) == Intent.WITHDRAW
    assert understanding.intent_for(signer=False) == Intent.DECLINE


def test_a_reason_after_a_listing_name_is_not_part_of_it() -> None:
    assert understand(
        "Yes, we'd be glad to sign. Please list us as Merced Health Equity Project (MHEP) so "
        "people recognize the acronym.", organization="Merced Health Equity Project",
    ).signer_name == "Merced Health Equity Project (MHEP)"
    assert understand(
        "Yes. Please list us as SJ Farm Labor Council, Local 4. That's how the local appears "
        "on everything public.", organization="San Joaquin Farm Labor Council Local 4",
    ).signer_name == "SJ Farm Labor Council, Local 4"


@pytest.mark.parametrize(("text", "organization", "intent", "name"), [
    ("yes!! sign us on, Central Valley Youth Climate Collective 🙌 we'll share it on our insta "
     "when it drops\njaylen (he/him)", "Central Valley Youth Climate Collective",
     Intent.SIGN_ON, None),
    ("Assinamos. Desculpe a demora, a diretoria só conseguiu se reunir agora.",
     "Sindicato dos Trabalhadores Rurais de Juazeiro", Intent.SIGN_ON, None),
    ("der Eine-Welt-Kreis unterschreibt gern. Bitte als „Eine-Welt-Kreis St. Johannis "
     "Bamberg“ eintragen, der volle Name ist zu lang.",
     "Eine-Welt-Kreis der Ev. Kirchengemeinde St. Johannis Bamberg", Intent.SIGN_ON,
     "Eine-Welt-Kreis St. Johannis Bamberg"),
    ("Après validation par le bureau, l'ATAS signe la lettre. Merci de nous faire figurer "
     "sous l'intitulé suivant : « Association des Travailleurs Agricoles Saisonniers (ATAS) ».",
     "Association des Travailleurs Agricoles Saisonniers", Intent.SIGN_ON,
     "Association des Travailleurs Agricoles Saisonniers (ATAS)"),
    ("Podem me tirar da lista de e-mails, por favor, mas mantenham nossa assinatura na carta.",
     "Coletivo Água Viva", Intent.UNSUBSCRIBE, None),
    ("wir möchten bei der Neuveröffentlichung nicht mehr aufgeführt werden.",
     "Initiative Sauberes Wasser", Intent.WITHDRAW, None),
    ("Yes, we'll sign when it drops the consolidation language.", "Kern Tenants Council",
     Intent.CHANGE_REQUEST, None),
])
def test_everyday_replies_in_their_own_words(text: str, organization: str, intent: Intent,
                                      name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (intent, name)


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # the organization named as the one that signs, with a word of warmth after the verb
    ("Le Collectif Eau Bien Commun 13 signe, évidemment.", "Collectif Eau Bien Commun 13",
     Intent.SIGN_ON),
    ("A Associação Luso-Americana de Tulare assina, com todo o gosto.",
     "Associação Luso-Americana de Tulare", Intent.SIGN_ON),
    ("Queda aprobada la firma de la Unión de Trabajadores Agrícolas.",
     "Unión de Trabajadores Agrícolas", Intent.SIGN_ON),
    ("der Kirchenvorstand hat sich mit Ihrer Anfrage befasst und beschlossen, den Brief "
     "mitzuzeichnen.", "Ev. Kirchengemeinde St. Lukas Kassel", Intent.SIGN_ON),
    ("We discussed your request at Monday's board meeting and decided to sign the letter.",
     "Kern Tenants Council", Intent.SIGN_ON),
    # another group named as the one that signs
    ("A Irmandade não costuma assinar cartas, mas eu também sou presidente do Clube Português "
     "de Newman e o Clube assina com gosto.", "Irmandade do Divino Espírito Santo de Newman",
     Intent.UNKNOWN),
    # passed on to the one who decides, in five languages
    ("Hi Maria. Personally? Heck yes. But I'm comms staff and I can't sign the local onto "
     "anything, that's the executive board's call. I've forwarded this to our president.",
     "CVNU Local 88", Intent.NEEDS_APPROVAL),
    ("J'ai transmis votre message à notre présidente.", "Collectif Eau Vive",
     Intent.NEEDS_APPROVAL),
    ("Encaminhei para a nossa presidente.", "Coletivo Água Viva", Intent.NEEDS_APPROVAL),
    ("Ich habe es an unseren Vorstand weitergeleitet.", "Initiative Wasser", Intent.NEEDS_APPROVAL),
    # short answers
    ("Esta vez no, pero gracias por la invitación.", "Club de Migrantes", Intent.DECLINE),
    ("pas cette fois-ci, désolée. belle réussite à vous", "Collectif Jeunesse", Intent.DECLINE),
    ("can we get til Feb 5? ED is out til then", "Kern Tenants Council", Intent.MORE_TIME),
    ("¿Nos dan chance hasta el miércoles 10 de febrero? Ese día es la asamblea",
     "Club de Migrantes", Intent.MORE_TIME),
    ("opt out pls", "Kern Tenants Council", Intent.WITHDRAW),
    ("On se retire.", "Collectif Jeunesse", Intent.WITHDRAW),
    ("YES still on", "Kern Tenants Council", Intent.RECONFIRM),
    # a withdrawal "for now" is a withdrawal
    ("Schweren Herzens: Wir ziehen unsere Unterschrift vorerst zurück.", "Initiative Wasser",
     Intent.WITHDRAW),
    ("La junta directiva decidió anoche que por ahora retiramos la firma.", "Club de Migrantes",
     Intent.WITHDRAW),
    # "the mandate on which we had signed" is history, not a yes beside the withdrawal
    ("Le conseil a décidé de retirer la signature de l'Union syndicale de la lettre. Le "
     "nouveau point 4 dépasse le mandat sur lequel nous avions signé.", "Union syndicale",
     Intent.WITHDRAW),
    ("So no, we are not withdrawing. Pixley Farmworker Families stays on this letter.",
     "Pixley Farmworker Families", Intent.RECONFIRM),
])
def test_institutions_and_short_answers(text: str, organization: str, intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


@pytest.mark.parametrize("text", [
    "Sí, firmamos... bueno, espérame tantito. Mejor primero lo consulto con el padre Ignacio.",
    "I think this is a fine letter and I would sign it myself. But I am only the secretary and "
    "the club president, Mr. Harold Ames, would have to agree.",
    "Recebemos a vossa carta. Vou levar ao conselho de direcção na próxima reunião e depois "
    "dou-lhe um feedback.\nEstamos juntos,\nAbdul Momade",
])
def test_a_yes_taken_back_or_still_to_be_agreed_is_no_sign_on(text: str) -> None:
    assert understand(text, organization="Valley Farmworker Alliance",
                      writer="Abdul Momade").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    ("Hey Maria! Need to check with our board first, will get back to you asap.\nEDIT: ok "
     "literally while I was typing this our board chair texted back, we're a YES.",
     Intent.SIGN_ON),
    ("Wir bleiben drauf.\nNachtrag, 16:20 Uhr: der Vorstand will raus. Bitte streicht uns "
     "von der Liste, wir möchten nicht mehr genannt werden.", Intent.WITHDRAW),
    ("Maria -- I'm no longer the right person for this. Please send future coalition stuff to "
     "our new director, Alma Reyes, alma@delanoca.example.org. Thanks and good luck with it.",
     Intent.REFERRAL),
])
def test_the_last_word_in_the_message_is_the_answer(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("text", "intent", "name"), [
    # regional and formal ways of saying yes
    ("Y'all can count us in. Valley Farmworker Alliance signs on, and I'll tell our members "
     "about it once it's out.", Intent.SIGN_ON, "Valley Farmworker Alliance"),
    ("We have gone through the draft and are pleased to convey our consent. Kindly include "
     "the name of our organisation in the list of signatories.", Intent.SIGN_ON,
     "Valley Farmworker Alliance"),
    ("We're with you on this one. Put Valley Farmworker Alliance down.", Intent.SIGN_ON,
     "Valley Farmworker Alliance"),
    ("Oxe, claro que a gente topa!", Intent.SIGN_ON, "Valley Farmworker Alliance"),
    ("We're in: Valley Farmworker Alliance.", Intent.SIGN_ON, "Valley Farmworker Alliance"),
    # the listing name asked for as a question is the name, not a doubt
    ("No worries, we're in! Can you list us as VFA though, not the full name.",
     Intent.SIGN_ON, "VFA"),
    ("Sí, firmamos. ¿Nos pueden poner como Alianza VFA?", Intent.SIGN_ON, "Alianza VFA"),
    ("Ja, wir unterschreiben. Könnt ihr uns als VFA aufführen?", Intent.SIGN_ON, "VFA"),
    # the name the writer quotes is no other thing the yes is to
    ('Perfecto, así sí. Firmamos como "Alianza / Valley Water Committee", por favor.',
     Intent.SIGN_ON, "Alianza / Valley Water Committee"),
])
def test_more_ways_of_saying_yes(text: str, intent: Intent, name: str) -> None:
    understood = understand(text, organization="Valley Farmworker Alliance")
    assert (understood.intent, understood.signer_name or "Valley Farmworker Alliance") == (
        intent, name)


@pytest.mark.parametrize(("text", "intent"), [
    ("Count us in. Can you list us as VFA if we pay the fee?", Intent.QUESTION),
    ("Count us in, and we'll sign once it's final.", Intent.UNKNOWN),
    ("Unfortunately we shan't be able to sign: as a registered charity we stay out of it.",
     Intent.DECLINE),
    ("The board voted last night not to sign on. Nothing against the letter itself.",
     Intent.DECLINE),
    ("Le conseil d'administration a décidé de ne pas signer. Je reviens vers vous comme "
     "promis.", Intent.DECLINE),
    ("leider doch nicht: Die Mitgliederversammlung hat entschieden, dass wir keine Briefe an "
     "ausländische Behörden unterzeichnen.", Intent.DECLINE),
    ("est-il possible de signer après votre date limite ? Le CA se réunit le 4 février.",
     Intent.MORE_TIME),
    ("Será que dá pra esticar o prazo pra gente? A assembleia é só no dia 6.",
     Intent.MORE_TIME),
    ("podem parar de mandar as atualizações semanais? A nossa assinatura fica.",
     Intent.UNSUBSCRIBE),
    ("We hereby confirm our continued support for the reissued statement. Kindly retain our "
     "name in the list of signatories.", Intent.RECONFIRM),
    ("ya pues, que nos mantengan en la lista nomás. Estamos de acuerdo con la reedición.",
     Intent.RECONFIRM),
    ("Nous confirmons le maintien de notre signature pour la réédition.", Intent.RECONFIRM),
    ("Passt, bleibt gerne drauf!", Intent.RECONFIRM),
    ("Looks fine, keep us.\n\nEDIT (an hour later): our board chair does not want us on it. "
     "Please withdraw Valley Farmworker Alliance.", Intent.WITHDRAW),
])
def test_refusals_time_and_signers_answers_said_other_ways(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


_ASK_QUOTED = (
    "> I'm writing to ask whether Valley Tenants Union would sign on to our coalition letter.\n"
    ">\n"
    "> or just reply to this email with the name you'd like listed, for example: \"Yes, "
    "Valley Tenants Union signs on.\"\n")


@pytest.mark.parametrize(("above", "below"), [
    ("Hola María, le contesto aquí abajo.", "Sí, Valley Tenants Union firma. Lo votamos."),
    ("Olá Maria, respondo aqui no meio.", "Sim, a Valley Tenants Union assina."),
])
def test_a_yes_written_under_the_quoted_ask_when_the_writer_says_so(above: str,
                                                                     below: str) -> None:
    body = f"{above}\n\nEl mar, 1 dic 2026 a las 09:40, Maria <maria@valleywater.org> " \
           f"escribió:\n{_ASK_QUOTED}\n{below}\n"
    result = classify(_from("Guadalupe Ruiz", body), organization=ORG)
    assert result.understanding is not None
    assert result.understanding.intent == Intent.SIGN_ON


@pytest.mark.parametrize("text", [
    # a sentence that is only a condition, after the yes
    "Yes, we sign. That is, if the board approves it on Thursday.",
    "Yes, we sign. Assuming the coalition drops the part about rates.",
    "Sí, firmamos. Siempre y cuando quiten el punto 3.",
    "Sim, assinamos. Desde que tirem o ponto 3.",
    "Oui, nous signons. Pourvu que vous retiriez le point 3.",
    "Ja, wir unterschreiben. Vorausgesetzt, ihr streicht Punkt 3.",
    # a decider still to agree, a check still to make, a change wanted first
    "Yes, we sign. Our ED still has to sign off on it.",
    "Yes, we sign. We'd want the language on wells changed first.",
    "Yes, we sign. Well, I think so, anyway; I'll double-check.",
    "Oui, nous signons. Mais je dois d'abord en parler au conseil d'administration.",
    "Oui, nous signons. Je vous confirme la semaine prochaine.",
    "Sim, assinamos. Confirmo na semana que vem.",
    "Sí, firmamos. Falta que la directiva lo apruebe.",
    "Ja, wir unterschreiben. Moment, ich kläre das lieber vorher mit unserer Geschäftsführerin.",
    # words that keep the name off, beside the yes
    "Sí, firmamos. No nos pongan todavía hasta que confirme.",
    # taken back in the same breath, without a stop
    "yes we sign Nevermind, our lawyer says no.",
    # text-speak
    "oi Maria, sou voluntária aqui, acho q a gente assina sim, mas quem decide é o Padre.",
    "vcs tem a carta em português? se tiver a gente divulga e assina",
    "idk if we can but count us in",
])
def test_a_yes_with_a_doubt_beside_it_is_no_sign_on(text: str) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    # offers and notices that open with "if" hold no condition on the yes
    ("Yes, we sign. If you need a logo file, Kenji on our comms team can send one.",
     Intent.SIGN_ON),
    ("Count us in. If you received this in error, please delete it and notify the sender.",
     Intent.SIGN_ON),
    # (a signer's "proud to be part of this" keeps the signature: a sign-on, read for a signer)
    ("Keep us on the list please, no opt out for us. We are proud to be part of this.",
     Intent.SIGN_ON),
    ("no thx, not our issue area. good luck w it", Intent.DECLINE),
])
def test_offers_and_text_speak_leave_the_answer_as_it_is(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize("text", [
    # said before the yes: a writer who cannot commit the organization, a decider to come
    "I'm only an intern here. Yes, we sign.",
    "The decision isn't mine to make. Yes, we sign.",
    "I haven't been able to reach our director yet. Yes, we sign.",
    "Our members vote on this at the March assembly. Yes, we sign.",
    "We can only sign if the point on rates is removed. Yes, we sign.",
    "This depends on our lawyer's review. Yes, we sign.",
    "Solo soy practicante aquí. ¡Sí firmamos!",
    "La junta se reúne el martes para decidirlo. Cuenten con nosotros.",
    "La décision ne m'appartient pas. Oui, nous signons.",
    "Sou só estagiária aqui. Sim, assinamos!",
    "Die Entscheidung liegt nicht bei mir. Ja, wir unterschreiben.",
    # a „…" quote closed with a straight quote ends there, and the next sentence is read
    'Hiermit bestätigen wir, dass wir den Brief „Safe Water" mitzeichnen. Das hängt von der '
    "Prüfung durch unseren Anwalt ab.",
])
def test_a_doubt_said_before_the_yes_holds_it_too(text: str) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    ("Put Valley Farmworker Alliance down as a yes.", Intent.SIGN_ON),
    # the yes is never read (an apology in its sentence); the no that follows stands
    ("Yes, we'd love to add our name - and actually no, sorry, scratch that. Our grant "
     "agreement bars us from it. So it has to be a no from us this time.", Intent.DECLINE),
    ("Thanks, but it has to be a no from us this time.", Intent.DECLINE),
    ("Is there any chance you could still take our answer after the 1st? Our assembly moved.",
     Intent.MORE_TIME),
    ("any chance u can hold it open past feb 1?? r council meets thu feb 4", Intent.MORE_TIME),
    ("nos das chance hasta fin de mes? la junta es el 28", Intent.MORE_TIME),
    ("se puede despues del 1 de feb?? el director regresa hasta el dia 8", Intent.MORE_TIME),
    ("geht's auch noch nach dem 1.2.? der vorstand tagt erst am Do. 4.2.", Intent.MORE_TIME),
    ("Le bureau a décidé de retirer la signature d'Aqua Citoyens. Merci de nous enlever de la "
     "liste.", Intent.WITHDRAW),
    ("Hi Maria we need to withdrawal our signature period the board decided last night",
     Intent.WITHDRAW),
    ("ok on reste sur la lettre, les changements nous vont très bien", Intent.RECONFIRM),
    ("sim mantém a gente na lista, obrigada Maria", Intent.RECONFIRM),
    ("para de me mandar email pfv", Intent.UNSUBSCRIBE),
])
def test_the_phone_writers_and_the_fifth_hard_set(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("subject", "intent"), [
    ("yes Valley Tenants Union signs on", Intent.SIGN_ON),
    ("non merci ce n'est pas pour nous", Intent.DECLINE),
    # our own subject, with nothing typed, is no answer
    ("Safe Drinking Water for Every Valley Community", Intent.UNKNOWN),
])
def test_an_answer_typed_as_the_subject_over_an_empty_body(subject: str, intent: Intent) -> None:
    msg = _from("Carmen Ruiz", "On Dec 1, 2026, Maria <maria@valleywater.org> wrote:\n\n"
                               f"{_ASK_QUOTED}")
    msg.replace_header("Subject", subject)
    result = classify(msg, organization=ORG,
                      letter_title="Safe Drinking Water for Every Valley Community")
    assert result.understanding is not None
    assert result.understanding.intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # yes and no said without the words
    ("Obviously.", Intent.SIGN_ON),
    ("Can't see why not. Our board passed a resolution on these points in April. Consider us "
     "on.", Intent.SIGN_ON),
    ("Where do we sign?! Honestly a no-brainer for us.", Intent.SIGN_ON),
    ("Comment pourrions-nous refuser ? Signez pour nous.", Intent.SIGN_ON),
    ("das lassen wir uns nicht zweimal sagen. Bitte führen Sie uns auf.", Intent.SIGN_ON),
    ("Wild horses couldn't drag us off this letter.", Intent.SIGN_ON),  # a signer stays on
    ("Ce n'est malheureusement pas le bon moment pour nous. Ce sera pour une prochaine fois !",
     Intent.DECLINE),
    ("da müssen wir leider passen \u2013 als Sportverein halten wir uns heraus.", Intent.DECLINE),
    ("Serait-il possible de nous accorder un petit délai ? Notre CA se réunit le 21.",
     Intent.MORE_TIME),
    ("könnten Sie uns noch etwas Luft geben? Unser Vorstand tagt erst am 20. Januar.",
     Intent.MORE_TIME),
    # signers who keep the name and drop the mail; and withdrawals said other ways
    ("Happy to stay on the letter, but we really don't need the Monday roundup.",
     Intent.UNSUBSCRIBE),
    ("Gardez notre nom, bien sûr, mais épargnez-nous les mises à jour hebdomadaires.",
     Intent.UNSUBSCRIBE),
    ("I'd be grateful if this address stopped hearing from you altogether.",
     Intent.UNSUBSCRIBE),
    ("We need to step back from the letter, and please stop the updates as well.",
     Intent.WITHDRAW),
    ("Con este cambio ya no podemos respaldar la carta. Bájennos de la lista, por favor.",
     Intent.WITHDRAW),
    ("Preferimos no aparecer en la reedición. Tómelo como nuestro OPT OUT, por favor.",
     Intent.WITHDRAW),
    ("Preferimos ficar de fora da reedição. Considerem isto o nosso OPT OUT.", Intent.WITHDRAW),
    ("mit der neuen Fassung können wir leider nicht mehr mitgehen. Bitte nehmen Sie uns von "
     "der Liste.", Intent.WITHDRAW),
    ("bei der Neuauflage möchten wir lieber nicht mehr dabei sein.", Intent.WITHDRAW),
])
def test_yes_and_no_said_without_saying_them(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # a stop to the mail, denied, stops nothing
    ("Yes, we sign. Please don't unsubscribe us from the updates.", Intent.SIGN_ON),
    ("Sim, assinamos. Por favor não nos descadastrem das novidades.", Intent.SIGN_ON),
    ("Oui, nous signons. Ne nous désabonnez pas des nouvelles, svp.", Intent.SIGN_ON),
    # a denial of something else beside it denies nothing of the stop
    ("Please do not add us to anything and stop sending these emails.", Intent.UNSUBSCRIBE),
    ("Maria dear, please stop sending me these notices, I can't keep up with my inbox.",
     Intent.UNSUBSCRIBE),
])
def test_a_denied_stop_is_no_unsubscribe(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize("text", [
    # a condition on a yes, said in the conditional mood or after it on its own
    "Subscrevemos o essencial da carta, mas gostaríamos de propor uma alteração: "
    "assinaríamos se fosse possível incluir o português no ponto 3.",
    "Nos gusta mucho, pero solo firmaríamos si la carta también se publica en español. "
    "Si nos dice que sí, firmamos.",
    "Nous signerons. À condition toutefois que le point 2 précise l'accord des habitants.",
    "We'll sign. Provided, however, that point 2 keeps the word voluntary.",
    "Wir würden gerne unterschreiben, wenn Punkt 3 geändert wird.",
])
def test_a_yes_in_the_conditional_mood_or_with_its_condition_after_it(text: str) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    ("¿Habría forma de que nos esperaran hasta esa fecha? La asamblea es el 13 de febrero.",
     Intent.MORE_TIME),
    ("Serait-il possible de nous laisser jusqu'à cette date ? Le CA se réunit le 4 février.",
     Intent.MORE_TIME),
    ("Conseguem nos dar até o fim de fevereiro? A nossa assembleia é só no dia 20.",
     Intent.MORE_TIME),
    ("wir brauchen noch bis Ende Januar: Unser Vorstand tagt am 28. Januar. Geht das?",
     Intent.MORE_TIME),
    ("Could you keep it open for us until she's back on February 8?", Intent.MORE_TIME),
    ("We talked it over at our luncheon and have decided to pass.", Intent.DECLINE),
    ("Así que esta vez no vamos a poder. Lo sentimos mucho.", Intent.DECLINE),
    ("Désolé, on ne signera pas. Nos statuts l'interdisent.", Intent.DECLINE),
    ("unterschreiben? Leider nein. Unser Verein ist rein kulturell.", Intent.DECLINE),
])
def test_time_and_refusals_from_the_seventh_round(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Nous vous confirmons notre adhésion à la lettre. Veuillez inscrire : Association Jappo "
     "pour l'Eau (Thiès, Sénégal).", "Association Jappo pour l'Eau",
     "Association Jappo pour l'Eau (Thiès, Sénégal)"),
    ('Assinamos! Na lista, por favor, coloquem só "Rede de Apoio ao Imigrante", sem o Fresno.',
     "Rede de Apoio ao Imigrante \u2013 Fresno", "Rede de Apoio ao Imigrante"),
])
def test_names_from_the_seventh_round(text: str, organization: str, name: str) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


def test_a_yes_inline_under_the_organizers_own_question_to_sign() -> None:
    body = ("Answers below.\n\nOn Thu, Dec 3, 2026 at 2:10 PM Maria <maria@valleywater.org> "
            "wrote:\n> Thanks for the quick read.\n>\n> So can I put you down as signed?\n\n"
            "Yes, please do. We sign.\n\n> And is there anyone else who should get updates?\n\n"
            "No, just me.\n")
    result = classify(_from("Gary Whitcomb", body), organization=ORG)
    assert result.understanding is not None
    assert result.understanding.intent == Intent.SIGN_ON


def test_a_name_chosen_among_those_offered_inline() -> None:
    body = ("Bonjour Maria, mes réponses dans le texte.\n\nLe jeu. 3 déc. 2026, Maria "
            "<maria@valleywater.org> a écrit :\n> Would you like to be listed as \"Valley "
            "Tenants Union Inc.\" or simply \"Valley Tenants Union\"?\n\nSimplement « Valley "
            "Tenants Union », s'il vous plaît.\n\n> And can I put you down as signed?\n\n"
            "Oui, allez-y, nous signons.\n")
    result = classify(_from("Nathalie Wouters", body), organization="Valley Tenants Union Inc.")
    assert result.understanding is not None
    assert (result.understanding.intent, result.understanding.signer_name) == (
        Intent.SIGN_ON, "Valley Tenants Union")


@pytest.mark.parametrize(("text", "intent", "name"), [
    ("The parish council discussed the letter on Sunday and we will gladly sign. Please list "
     "us as follows:\n\n    Valley Farmworker Alliance, Huron", Intent.SIGN_ON,
     "Valley Farmworker Alliance, Huron"),
    ("Read it over lunch. Valley Farmworker Alliance is proud to put its name to this one.",
     Intent.SIGN_ON, None),
    ("VFA is in. On the list please spell out the full name rather than the acronym.",
     Intent.SIGN_ON, None),
    ("Wir sind dabei \u2013 bitte eintragen.\n\nNur eine Anregung, keine Bedingung: Bei Punkt 3 "
     "könnte man ergänzen, dass die Ergebnisse online abrufbar sind.", Intent.SIGN_ON, None),
    ("I clicked the link too fast. Please take Valley Farmworker Alliance off the list for now.",
     Intent.WITHDRAW, None),
    ("Yes, please remove us. And take me off your mailing list while you're at it.",
     Intent.WITHDRAW, None),
    # a signer who keeps the signature and leaves the mailing list only unsubscribes
    ("Keep our signature where it is, but please stop sending me these notices. Take me off "
     "the mailing list.", Intent.UNSUBSCRIBE, None),
])
def test_the_sixth_hard_set(text: str, intent: Intent, name: str | None) -> None:
    understanding = understand(text, organization="Valley Farmworker Alliance")
    assert (understanding.intent, understanding.signer_name) == (intent, name)


@pytest.mark.parametrize("text", [
    # the eighth round's sign-ons nobody gave: conditions said in new ways
    "Yes, we can sign.\n\nThat's on the understanding that the letter doesn't end up naming "
    "individual water districts.",
    "Le bureau serait favorable à la signature, à condition que le point 3 change. Est-ce "
    "envisageable ? Si oui, nous signerons.",
    "ich finde den Brief super und würde sofort unterschreiben, aber dafür braucht es einen "
    "Beschluss des Studierendenrats.",
])
def test_the_eighth_rounds_conditions(text: str) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent", "name"), [
    ("Count us in.\n\nListing -> Valley Farmworkers\n\n(no \"Alliance\")", Intent.SIGN_ON,
     "Valley Farmworkers"),
    ("Valley Farmworker Alliance signs, and could you put the town after it, like this:\n\n"
     "Valley Farmworker Alliance (Arvin, CA)", Intent.SIGN_ON,
     "Valley Farmworker Alliance (Arvin, CA)"),
    ("Oui, avec plaisir. Pour la liste, merci de mettre simplement « Valley Farmworkers » : "
     "c'est notre nom ici.", Intent.SIGN_ON, "Valley Farmworkers"),
    ("Yes. For the listing, our board prefers the shorter name we use publicly, VFA Valley, "
     "rather than the legal name.", Intent.SIGN_ON, "VFA Valley"),
    ("Oui pour la Valley Farmworker Alliance, et merci pour votre persévérance !",
     Intent.SIGN_ON, None),
    # (the subject of "ist dabei" is checked against the organization on file: it is it)
    ("die Valley Farmworker Alliance ist gern dabei. Danke, dass ihr dranbleibt!",
     Intent.SIGN_ON, "Valley Farmworker Alliance"),
    ("Wir unterschreiben. Eine kleine Anregung, ganz unverbindlich: Bei Punkt 2 könnte man "
     "erwähnen, dass die Gemeinden mitreden sollen.", Intent.SIGN_ON, None),
    ("Would you be able to accept our signature as late as the 10th? If not, I understand.",
     Intent.MORE_TIME, None),
    ("Le solicitamos atentamente dar de baja esta dirección de su lista de envíos.",
     Intent.UNSUBSCRIBE, None),
    ("Das Präsidium hat sich nach Prüfung gegen eine Unterzeichnung entschieden.",
     Intent.DECLINE, None),
    ("hiermit bestätige ich förmlich, dass wir bei der Neuauflage aufgeführt bleiben sollen.",
     Intent.RECONFIRM, None),
])
def test_the_eighth_round(text: str, intent: Intent, name: str | None) -> None:
    understanding = understand(text, organization="Valley Farmworker Alliance")
    assert (understanding.intent, understanding.signer_name) == (intent, name)


@pytest.mark.parametrize(("text", "intent"), [
    ("Please take me off your mailing list. Actually, never mind, keep sending them.",
     Intent.UNKNOWN),
    ("Please remove me from your mailing list. Hmm, on second thought, hold off for now.",
     Intent.UNKNOWN),
    # a doubt about something else takes nothing back
    ("Please take me off this list. I don't know how I got on it.", Intent.UNSUBSCRIBE),
])
def test_an_unsubscribe_taken_back_waits_for_a_person(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


def test_a_withdrawal_from_a_writer_who_cannot_commit_the_organization_waits() -> None:
    text = ("Having reviewed version 2, we withdraw our signature from the letter. I'm only an "
            "intern here.")
    assert understand(text, organization="Valley Farmworker Alliance").intent == Intent.UNKNOWN
    assert understand("We withdraw our signature from the letter.",
                      organization="Valley Farmworker Alliance").intent == Intent.WITHDRAW


@pytest.mark.parametrize(("text", "intent", "name"), [
    # a naming request is a yes in every language
    ("Notre conseil d'administration a donné son accord hier soir. Merci de nous faire figurer "
     "sous le nom : Valley Farmworker Alliance Arvin", Intent.SIGN_ON,
     "Valley Farmworker Alliance Arvin"),
    ("A direção aprovou ontem. Podem listar-nos como Valley Farmworker Alliance Arvin.",
     Intent.SIGN_ON, "Valley Farmworker Alliance Arvin"),
    ("Der Vorstand hat zugestimmt. Bitte führen Sie uns als „Valley Farmworker Alliance "
     "Arvin“.", Intent.SIGN_ON, "Valley Farmworker Alliance Arvin"),
    ("Anótennos como Valley Farmworker Alliance Arvin.", Intent.SIGN_ON,
     "Valley Farmworker Alliance Arvin"),
    ("¡Claro que sí! Pongan por favor: Valley Farmworker Alliance (VFA).", Intent.SIGN_ON,
     "Valley Farmworker Alliance (VFA)"),
    # a chain of abbreviations ends no sentence, so the name is read whole
    ("Bitte führen Sie uns als Ev.-Luth. Valley Farmworker Alliance, der volle Name ist "
     "etwas lang.", Intent.SIGN_ON, "Ev.-Luth. Valley Farmworker Alliance"),
    # the organization restated by its acronym in the writer's own question
    ("1. Will VFA sign? Yes. The steering committee talked it through.", Intent.SIGN_ON, None),
    # a condition, a decider or a change said in a sentence of its own, in every language
    ("Yes, we're signing on. P.S. To be clear, this is subject to Ramón's OK when he's back.",
     Intent.UNKNOWN, None),
    ("Sí, firmamos. Para que quede claro, esto está sujeto a la aprobación de la directora.",
     Intent.UNKNOWN, None),
    ("Ja, wir unterschreiben. Das gilt vorbehaltlich der Zustimmung unserer Chefin.",
     Intent.UNKNOWN, None),
    ("Sí, cuenten con nosotros. Yo no soy quien decide estas cosas.", Intent.UNKNOWN, None),
    ("Oui, comptez sur nous. Cela dit, ce n'est pas moi qui décide.", Intent.UNKNOWN, None),
    ("ja, wir sind dabei! Eine Bitte hätten wir noch, bevor wir offiziell zeichnen.",
     Intent.UNKNOWN, None),
    ("Yes, we're in! Point 3 should say that results are also published online.",
     Intent.CHANGE_REQUEST, None),
    ("Sim, estamos dentro! O ponto 3 deveria dizer que os resultados são publicados online.",
     Intent.CHANGE_REQUEST, None),
    # "enfin" closing a list takes nothing back
    ("Concernant la lettre : oui, nous la signons. Enfin, Jean-Luc vous envoie ses amitiés.",
     Intent.SIGN_ON, None),
    ("We'll decline this one, thanks.", Intent.DECLINE, None),
    ("No deseamos recibir más mensajes.", Intent.UNSUBSCRIBE, None),
])
def test_the_ninth_round(text: str, intent: Intent, name: str | None) -> None:
    understanding = understand(text, organization="Valley Farmworker Alliance")
    assert (understanding.intent, understanding.signer_name) == (intent, name)


def test_an_acronym_on_file_written_out_is_the_same_organization() -> None:
    understanding = understand("Nous signons volontiers, sous le nom « Collectif québécois pour "
                               "l'eau potable » plutôt que le sigle.", organization="CQEP")
    assert (understanding.intent, understanding.signer_name) == (
        Intent.SIGN_ON, "Collectif québécois pour l'eau potable")


def test_a_postscript_under_the_signature_is_read() -> None:
    text = ("Hi Maria,\n\nLots of news on the recharge bill; more soon.\n\nBest,\nJen\n"
            "Foothill Watershed Alliance\nPO Box 1127, Auberry CA\n\n"
            "P.S. On your letter: yes, sign us on. No edits.\n")
    assert understand(text, organization="Foothill Watershed Alliance",
                      writer="Jen").intent == Intent.SIGN_ON


def test_a_side_question_in_a_paragraph_of_its_own_leaves_a_no_as_it_is() -> None:
    no = ("We discussed it at last week's executive committee, and we've decided not to sign. "
          "The board doesn't want us taking positions on state water regulation.")
    apart = f"{no}\n\nWe'd love to keep talking about the recharge basin. Maybe coffee in January?"
    beside = f"{no} Maybe coffee in January?"
    organization = "Central California Land Conservancy"
    assert understand(apart, organization=organization).intent == Intent.DECLINE
    assert understand(beside, organization=organization).intent == Intent.QUESTION


@pytest.mark.parametrize(("text", "intent", "name"), [
    # a first name said to the reader, a list number: the yes is still bare
    ("Maria - yes.", Intent.SIGN_ON, None),
    ("1. Yes.", Intent.SIGN_ON, None),
    ("1. Se assinamos: sim.", Intent.SIGN_ON, None),
    # the organization by its acronym, or named as the one who will or wants to sign
    ("VFA will sign.", Intent.SIGN_ON, None),
    ("A VFA vai assinar sim, a nossa direção já aprovou.", Intent.SIGN_ON, None),
    ("Valley Farmworker Alliance would like to sign after all. Sorry for the back and forth.",
     Intent.SIGN_ON, None),
    ("Pode juntar a Valley Farmworker Alliance à carta.", Intent.SIGN_ON, None),
    # ...but not whether someone will, nor another group that also wants to
    ("OPT OUT please. (Whether the new organization wants to sign is a separate "
     "conversation.)", Intent.WITHDRAW, None),
    ("Nossa associação irmã também quer assinar. Podem pôr os dois nomes?", Intent.QUESTION,
     None),
    # a past gathering is no condition
    ("Our committee decided yesterday after the diwan: we will sign the letter.",
     Intent.SIGN_ON, None),
    # someone else answering in place of the person asked, or saying they jumped the gun
    ("Felipe ya no está con la Unión; yo quedé como coordinadora y estoy usando su correo. "
     "Sí queremos firmar la carta.", Intent.UNKNOWN, None),
    ("Yes, we sign! Oops, I got ahead of myself.", Intent.UNKNOWN, None),
    ("Sí, firmamos. El padre quiere leer la versión final antes de decir que sí.",
     Intent.NEEDS_APPROVAL, None),
    # sharing the letter is no signing it, whoever the members are
    ("Oui, nous relaierons volontiers la lettre auprès de nos adhérents.", Intent.UNKNOWN, None),
    ("La communauté ne signe pas, mais je souhaite signer à titre individuel.",
     Intent.UNKNOWN, None),
])
def test_the_ninth_round_continued(text: str, intent: Intent, name: str | None) -> None:
    understanding = understand(text, organization="Valley Farmworker Alliance")
    assert (understanding.intent, understanding.signer_name) == (intent, name)


@pytest.mark.parametrize(("text", "signer_intent"), [
    # the letter named beside the mailing list: both are asked for
    ("Please remove us from the letter and from your mailing list.", Intent.WITHDRAW),
    # "for now" and a polite question still take a signer off
    ("Please take us off for now. If the committee approves it, I'll sign again properly.",
     Intent.WITHDRAW),
    ("Can you take us off for now? Very embarrassing.", Intent.WITHDRAW),
    # support for the goals is no keeping of the name
    ("Please remove Valley Farmworker Alliance from the letter. We still support the goals.",
     Intent.WITHDRAW),
    ("Bitte streichen Sie die Valley Farmworker Alliance von der Liste der Unterzeichnenden.",
     Intent.WITHDRAW),
    ("Le conseil a demandé que notre nom soit retiré de la lettre.", Intent.WITHDRAW),
    # keeping the name, in German, and thanks for a suggestion taken
    ("gerne bleiben wir bei der Neuauflage am 16. März dabei.", Intent.RECONFIRM),
    ("Yes, keep us on. Thank you for taking our suggestion.", Intent.RECONFIRM),
    # other matters in a paragraph of their own leave the keeping as it is
    ("Sim, mantenham a nossa assinatura na nova versão.\n\nOutros assuntos: você pode nos "
     "mandar uma foto de uma das comunidades?", Intent.RECONFIRM),
    ("Sim, mantenham a nossa assinatura na nova versão. Você pode nos mandar uma foto?",
     Intent.QUESTION),
])
def test_signers_in_the_ninth_round(text: str, signer_intent: Intent) -> None:
    understanding = understand(text, organization="Valley Farmworker Alliance")
    assert understanding.intent_for(signer=True) == signer_intent


_NOTE_BELOW = ("Yes, sign us on!\n\nVeronica\n\n"
               "---- On Wed, 02 Dec 2026 09:12:44 -0800 Adriana Fuentes "
               "<afuentes@valleytenants.example> wrote ---\n\n{note}\n\nA.\n\n"
               "---- On Tue, 01 Dec 2026 10:12:00 -0800 Maria Ortega <maria@valleywater.org> "
               "wrote ---\n\nDear Veronica,\n\nWould Valley Tenants Union sign on? "
               "https://valleywater.org/letter/draft-v1\n")


@pytest.mark.parametrize(("note", "intent"), [
    # a colleague's note under the yes that holds it back: the yes waits for a person
    ("Vero, before you say yes -- hold on. This has to go to the board first.",
     Intent.UNKNOWN),
    ("Fine by me as long as Linda doesn't object.", Intent.UNKNOWN),
    # ...one that says go ahead leaves it a yes, as does our own ask quoted under it
    ("Looks good to me, go ahead. No need to bring it to the board.", Intent.SIGN_ON),
])
def test_a_colleagues_note_quoted_under_a_yes_is_read(note: str, intent: Intent) -> None:
    from outreach.campaign.reading import classify

    msg = _from("Veronica", _NOTE_BELOW.format(note=note))
    understanding = classify(msg, organization="Valley Tenants Union").understanding
    assert understanding is not None and understanding.intent == intent


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Yes. Please list us as Valley Tenants Union - singular, that's the legal name.",
     "Valley Tenants Unions", "Valley Tenants Union"),
    ("sí, la asociación firma 🙌 pónganos como Unión de Inquilinos xfa, así nos conoce la gente",
     "Valley Tenants Union", "Unión de Inquilinos"),
    ("sim vc pode colocar a gente, mas lista como Comunidade Açoriana de Hanford pq é assim q "
     "todo mundo conhece", "Comunidade Acoriana", "Comunidade Açoriana de Hanford"),
    ("Yes we sign. Put it please with the accent: Comité Pro Agua de Alpaugh.",
     "Comite Pro Agua de Alpaugh", "Comité Pro Agua de Alpaugh"),
    ("Dale, firmamos. Ponelo así: Mate y Agua - Argentinos en Fresno.",
     "Colectivo Argentino Mate y Agua", "Mate y Agua - Argentinos en Fresno"),
    ("Yes we are sign on. Our name is Hmong Family Center of Merced same like you have it.",
     "Hmong Family Center of Merced", "Hmong Family Center of Merced"),
    # a misspelling of the name on file, said in the yes, lists the name on file
    ("Yes, the Lindsey Council of Churches will sign on.", "Lindsay Council of Churches",
     None),
])
def test_names_from_the_ninth_round(text: str, organization: str, name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


@pytest.mark.parametrize(("text", "intent"), [
    # text-speak and spoken forms of a no: apostrophes and "ne" dropped, "n" for "não"
    ("sorry we cant sign this one, we dont take positions on state policy. good luck tho",
     Intent.DECLINE),
    ("dsl mais on signe pas de lettres sur des sujets hors de France, c'est la règle de l'asso.",
     Intent.DECLINE),
    ("n vamos assinar dessa vez, desculpa 🙏", Intent.DECLINE),
    ("En tant que fondation, nous ne signons pas de lettres de plaidoyer.", Intent.DECLINE),
    # ...and "not until the board" is a no for now, in every language: a person reads it
    ("on signe pas tant que le CA a pas validé", Intent.UNKNOWN),
    ("nous ne pouvons pas signer avant la réunion du CA", Intent.UNKNOWN),
    ("não vamos assinar antes da reunião da diretoria", Intent.UNKNOWN),
    ("no podemos firmar hasta que la junta lo apruebe", Intent.UNKNOWN),
    ("wir unterschreiben nicht vor der Vorstandssitzung", Intent.UNKNOWN),
    # a yes to a letter that may come one day is no yes to this one
    ("Continuamos a apoiar o ponto dos poços e, se um dia houver uma carta só sobre isso, "
     "contem connosco.", Intent.UNKNOWN),
    ("Seguimos apoyando lo de los pozos y, si algún día hay una carta solo sobre eso, cuenten "
     "con nosotros.", Intent.UNKNOWN),
    ("si un jour il y a une lettre uniquement sur les puits, comptez sur nous.", Intent.UNKNOWN),
    # support "on everything else" beside a withdrawal is not a reconfirmation
    ("Por eso le pido que nos retire: WITHDRAW. Seguimos con ustedes en lo demás.",
     Intent.WITHDRAW),
    ("Please take our name off: WITHDRAW. We still back you on everything else.",
     Intent.WITHDRAW),
    # signers who stay on and drop the updates; one who stays, in three words
    ("we stay on of course but no more update emails pls", Intent.UNSUBSCRIBE),
    ("on reste signataires bien sûr mais svp plus de mails de mise à jour, ça fait bcp 😅",
     Intent.UNSUBSCRIBE),
    ("ok mantém a gente 👍", Intent.RECONFIRM),
])
def test_spoken_and_typed_shortcuts_and_conditions_said_other_ways(text: str,
                                                                   intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("subject", "intent"), [
    # the answer typed in front of the client's "Re:", or after our subject and an arrow
    ("YES we sign!! Re: Will Valley Tenants Union sign on? Safe Drinking Water for Every "
     "Valley Community", Intent.SIGN_ON),
    ("OUI on signe - Re: Will Valley Tenants Union sign on? Safe Drinking Water for Every "
     "Valley Community", Intent.SIGN_ON),
    ("AW: Will Valley Tenants Union sign on? Safe Drinking Water for Every Valley Community -> "
     "JA wir unterschreiben", Intent.SIGN_ON),
    # a tag in front of "Re:" is no answer
    ("[EXTERNAL] Re: Will Valley Tenants Union sign on? Safe Drinking Water for Every Valley "
     "Community", Intent.UNKNOWN),
])
def test_an_answer_typed_around_our_subject_over_a_phone_footer(subject: str,
                                                                intent: Intent) -> None:
    msg = _subject_reply(subject)
    result = classify(msg, organization=ORG,
                      letter_title="Safe Drinking Water for Every Valley Community")
    assert result.understanding is not None
    assert result.understanding.intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # a condition in any words: "si"/"se" before a subject or a verb of deciding
    ("Si nos mandan la versión final, firmamos.", Intent.UNKNOWN),
    ("Si tenemos el visto bueno, firmamos.", Intent.UNKNOWN),
    ("Firmamos, si mi jefa dice que sí.", Intent.UNKNOWN),
    ("Si le CA valide, on signe.", Intent.UNKNOWN),
    ("On signe, si personne ne s'y oppose.", Intent.UNKNOWN),
    ("Se tudo correr bem, assinamos.", Intent.UNKNOWN),
    ("We sign, should the board agree.", Intent.UNKNOWN),
    ("Barring objections from the board, we sign.", Intent.UNKNOWN),
    ("Si, après réflexion, vous pensez que notre signature aide, alors nous signerons.",
     Intent.UNKNOWN),
    # ...while the Spanish "sí" before a pronoun is a yes, and so is "if it's not too late"
    ("Hola María, sí nos sumamos a la carta.", Intent.SIGN_ON),
    ("Sí le entramos.", Intent.SIGN_ON),
    ("If it's not too late, we sign.", Intent.SIGN_ON),
    ("Yes we sign, if it helps.", Intent.SIGN_ON),
    ("Oui, on signe, si ça peut vous aider.", Intent.SIGN_ON),
    # a wait said to the writer, or a confirmation to come from someone else
    ("Yes, we sign. Our director will confirm with you herself when she's back.",
     Intent.UNKNOWN),
    ("Sí, firmamos. Eso lo tiene que ver la junta.", Intent.NEEDS_APPROVAL),
    # a yes to talking about the letter on the air is no yes to signing it
    ("¡Sí, claro! Con gusto hablamos de la carta en el programa del sábado.", Intent.UNKNOWN),
    # a writer who hands the contact over, or would list member groups on their word
    ("Yes, sign us up. This is my last week here; please send anything about the letter to "
     "treyes@example.org from now on.", Intent.UNKNOWN),
    ("Sí, firmamos. Dejo la dirección del Centro el 31 de diciembre.", Intent.UNKNOWN),
    ("A Rede assina. Gostaríamos que também fossem listadas as nossas entidades associadas.",
     Intent.UNKNOWN),
    # a name that breaks off, and a question to answer before the letter goes out
    ("Ja bitte eintragen als", Intent.UNKNOWN),
    ("We're in. One question before you send it though: will copies go to our legislators?",
     Intent.QUESTION),
    # withdrawals said with other verbs, and after the change that is their reason
    ("Der Vorstand hat beschlossen: Wir widerrufen hiermit unsere Unterzeichnung.",
     Intent.WITHDRAW),
    ("Com um ano em vez de dois, o nosso sistema fica na lista. Por isso retiramos o nosso "
     "apoio à carta.", Intent.WITHDRAW),
])
def test_conditions_waits_and_hand_overs_from_the_tenth_round(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Wir sind dabei. Bitte führt uns als Trinkwassergerechtigkeit e.V. (Berlin), so steht es "
     "auch auf unseren anderen Briefen.", "Verein für Trinkwassergerechtigkeit e.V.",
     "Trinkwassergerechtigkeit e.V. (Berlin)"),
    ("yes the Valley Latino Environmental Alliance will sign on you can list us as VLEA thanks "
     "Maria talk soon", "Valley Latino Environmental Alliance", "VLEA"),
    ('Sim, contem connosco. Oficialmente somos a "Sociedade Portuguesa Rainha Santa Isabel de '
     'Gustine", mas toda a gente nos conhece por "SPRSI" ou por "Sociedade Portuguesa de '
     'Gustine". Para a carta usem o último.', "SPRSI Gustine",
     "Sociedade Portuguesa de Gustine"),
])
def test_names_from_the_tenth_round(text: str, organization: str, name: str) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (Intent.SIGN_ON, name)


_LONG_REPLY = ("Yes! Westside Neighbors for Clean Water signs on, no question.\n\n"
               "OK now the other stuff, since I have you:\n\n"
               "1. Are you all going to the groundwater agency meeting on Wednesday in "
               "Firebaugh? If the coalition is also sending folks it would be good to sit "
               "together and have someone speak in Spanish so the board actually hears it.\n\n"
               "2. {other}\n\nThanks for doing all this,\nRosa")


@pytest.mark.parametrize(("other", "signs"), [
    # paragraphs about other things under a yes leave it a yes...
    ("If there's a bus from Mendota or even Los Banos we can fill a lot of seats.", True),
    # ...but one that may bear on signing, however far down, does not
    ("Only if our board chair agrees, though.", False),
    ("Please hold off on adding us until I've talked to the team.", False),
    ("I'm just a volunteer, so I can't speak for the organization.", False),
])
def test_a_long_replys_other_paragraphs(other: str, signs: bool) -> None:
    text = _LONG_REPLY.format(other=other)
    understanding = understand(text, organization="Westside Neighbors for Clean Water")
    assert (understanding.intent == Intent.SIGN_ON) == signs


@pytest.mark.parametrize(("body", "intent"), [
    # the writer's words under their signature may hold a yes back...
    ("yes we'll sign!! love this\n\nBest,\nKeisha\n\n--\nKeisha Brown\nProgram Manager\n"
     "(559) 594-2218\n\nSent from my phone. Still need Rob's sign-off before it's official\n",
     Intent.UNKNOWN),
    ("Yes, we'd love to sign! Please add us.\n\nThanks so much,\nJordan\n\nJordan Pike\n"
     "fmyc.org\n\n(oh, I'm the communications intern here, I just realized I probably can't "
     "actually sign for the org.)\n", Intent.UNKNOWN),
    # ...a legal notice there does not
    ("Yes, we sign on.\n\nLinda\nExecutive Director\n661-555-0193\n\nCONFIDENTIALITY NOTICE: "
     "If you are not the intended recipient, you are not authorized to read it; please notify "
     "the sender.\n", Intent.SIGN_ON),
])
def test_words_under_the_signature(body: str, intent: Intent) -> None:
    from outreach.campaign.reading import classify

    understanding = classify(_from("Keisha Brown", body),
                             organization="Valley Tenants Union").understanding
    assert understanding is not None and understanding.intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # "the League", "a Liga", "la Red": the group asked, named by its kind...
    ("Sim, a Liga assina.", Intent.SIGN_ON),
    # ...unless the sentence names another group of that kind
    ("Eu também sou presidente do Clube Português de Newman e o Clube assina com gosto.",
     Intent.UNKNOWN),
    # a change the coalition already made is no change asked; an approval not needed none
    ("Qué buena noticia que aceptaron lo que sugerimos. Ahora sí: firmamos.", Intent.SIGN_ON),
    ("Yes, we sign. I checked with our board chair and she said go ahead, we don't need a vote "
     "for something like this.", Intent.SIGN_ON),
    # "I'm writing, as agreed, about our evening": news now, not an answer to come
    ("Comme convenu, je reviens vers vous au sujet de la soirée. Nous signons la lettre.",
     Intent.SIGN_ON),
    ("Ich melde mich wie besprochen wegen unseres Vortragsabends. Wir unterschreiben.",
     Intent.SIGN_ON),
    # a network that asks not to list its members signs in its own name
    ("The Network signs on. Please don't list our member groups one by one.", Intent.SIGN_ON),
])
def test_groups_named_by_their_kind_and_news_beside_a_yes(text: str, intent: Intent) -> None:
    understanding = understand(text, organization="Irmandade do Divino Espírito Santo de Newman"
                               if "Newman" in text else "Valley Water Network")
    assert understanding.intent == intent


@pytest.mark.parametrize(("text", "organization", "intent", "name"), [
    # a yes taken back with "actually, wait", and a promise to write again
    ("Yes we'll sign. Actually, wait - Harold just reminded me we said we wouldn't join any "
     "more letters for now. Let me sort that out and I'll write again.", "Reedley Peace Center",
     Intent.UNKNOWN, None),
    # a name picked among those the writer gives, unquoted; a name with its reason after "--"
    ("Of course we sign! Most people know us as Madera Parents for Clean Water. Let's use "
     "Madera Parents for Clean Water, the middle one.",
     "Madera Parents for Clean Water Association", Intent.SIGN_ON,
     "Madera Parents for Clean Water"),
    ("We're in. Please list us as Tulare County Water Justice Network (TCWJN) -- people know "
     "the acronym better than the long name.", "Tulare County Water Justice Network",
     Intent.SIGN_ON, "Tulare County Water Justice Network (TCWJN)"),
    # ("use the English name you have on file" names no name)
    ("Yes, Lamont Tenants Union signs on. Please use the English name you have on file.",
     "Lamont Tenants Union", Intent.SIGN_ON, "Lamont Tenants Union"),
])
def test_the_last_round_of_the_day(text: str, organization: str, intent: Intent,
                                   name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert (understanding.intent, understanding.signer_name) == (intent, name)


@pytest.mark.parametrize(("text", "intent"), [
    # a decider's sign-off still missing, said in any paragraph or under the signature
    ("Yes we're in, this is so needed. Oh and I meant to say, Tomás has to OK it first, I'll "
     "forward it to him tonight.", Intent.NEEDS_APPROVAL),
    ("Sí firmamos la carta. Nota: falta la firma de nuestra presidenta, que regresa el lunes.",
     Intent.NEEDS_APPROVAL),
    ("Oui, nous voulons bien signer. Selon nos statuts, une signature doit être votée par "
     "l'assemblée générale. Je vous confirmerai après.", Intent.NEEDS_APPROVAL),
    # a new writer not sure who decides; a volunteer who says so
    ("Yes from me! Honestly though I'm not sure yet who signs off on these. Let me find out.",
     Intent.NEEDS_APPROVAL),
    ("Yo digo que sí, firmamos!! Bueno, la verdad no sé si yo puedo decidir eso.",
     Intent.UNKNOWN),
    # "if so, we'd have to ..." after a question about the letter holds the yes
    ("Assinamos, claro. A carta vai também para o condado? Se for, temos de rever.",
     Intent.NEEDS_APPROVAL),
    # ...while "if so, I can send it" after a question about a logo is an offer
    ("Yes, we sign. Do you need a logo from us? If so, I can send it today.", Intent.SIGN_ON),
    # a volunteer who is also the president decides
    ("Count us in. I'm just a volunteer, we all are, but I'm also the president, so it's my "
     "call.", Intent.SIGN_ON),
    ("Com todo o gosto. Por favor coloque o nosso nome assim: Amigos do Kaweah (Tulare)",
     Intent.SIGN_ON),
])
def test_authority_and_approvals_across_sentences_set_94(text: str, intent: Intent) -> None:
    assert understand(text, organization="Friends of the Kaweah").intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # a writer's regret over the organization's withdrawal is no doubt about it...
    ("Please take our name off: the board voted to withdraw. Personally I think it's a "
     "mistake, but I'm the secretary, not the board.", Intent.WITHDRAW),
    ("Bitte streichen Sie uns von der Liste. Ich bedauere das persönlich, aber die Satzung ist "
     "da eindeutig.", Intent.WITHDRAW),
    # ...while a writer who cannot speak for it may not take the name off
    ("Please remove us. Personally I'd keep us on, but I can't speak for the board.",
     Intent.UNKNOWN),
    ("Please take our name off the letter. I'm only an intern here.", Intent.UNKNOWN),
])
def test_who_may_take_the_name_off(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Water Network").intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # the subject of "ist dabei" is another group's: not this organization's yes
    ("Die Stadtwerke Innsbruck ist also dabei.", Intent.UNKNOWN),
    # a withdrawal said of the organization in the third person
    ("Por acuerdo del consejo, la Valley Farmworker Alliance retira su firma de la carta.",
     Intent.WITHDRAW),
    ("Le conseil a décidé : Valley Farmworker Alliance retire sa signature de la lettre.",
     Intent.WITHDRAW),
    # a recommendation to sign is no yes
    ("Je vais recommander qu'on signe.", Intent.UNKNOWN),
    ("Ich werde empfehlen, dass wir unterschreiben.", Intent.UNKNOWN),
    # conditions: an unaccented "si" before "no hay problema", "se não houver"
    ("Si no hay problema, firmamos.", Intent.UNKNOWN),
    ("Se não houver problema, assinamos.", Intent.UNKNOWN),
    ("Our ED wants to know that before we put our name on anything.", Intent.UNKNOWN),
    # a "can't." ends its sentence: the no is read
    ("No, we can't. Sorry.", Intent.DECLINE),
    ("Non, nous ne pouvons pas. Nos statuts nous l'interdisent.", Intent.DECLINE),
    ("Não, não podemos.", Intent.DECLINE),
    ("nein, das können wir leider nicht.", Intent.DECLINE),
    # an eager yes is no decline
    ("We cannot wait to sign this.", Intent.SIGN_ON),
    ("Sí, no hay problema, firmamos.", Intent.SIGN_ON),
])
def test_the_eleventh_session(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    # a decider's part still to come, said under the yes or in a P.S.
    ("Yes, count us in.\n\nP.S. I still need to get Tom's signature on our sign-off sheet, "
     "that's how we do public things.", Intent.NEEDS_APPROVAL),
    ("Happy to sign.\n\nLee\n\n(Copying Dana: as chair it's technically her call.)",
     Intent.NEEDS_APPROVAL),
    ("Happy to sign. If any police unions are on it, please hold our name until I check.",
     Intent.NEEDS_APPROVAL),
    ("Oui, avec plaisir.\n\nPour la présidente, absente : elle confirmera à son retour.",
     Intent.NEEDS_APPROVAL),
    ("Sim, assinamos.\n\nPS: ainda tem de passar pela assembleia de sócios.",
     Intent.NEEDS_APPROVAL),
    ("Ja, gerne.\n\nDie endgültige Freigabe erteilt der Vorstand erst nach der Sitzung.",
     Intent.NEEDS_APPROVAL),
    # who else signs, as a term of the yes, in a paragraph of its own
    ("Sí firmamos.\n\nEso sí: si la cámara de comercio o los rancheros aparecen en la lista, "
     "nos bajan, la gente no lo entendería.", Intent.UNKNOWN),
    # a yes that waits on a change asked for in a question ("in that case, yes")
    ("Pouvez-vous préciser que le réseau reste public ? Dans ce cas c'est oui.",
     Intent.CHANGE_REQUEST),
    ("Könnt ihr ergänzen, dass der Versorger öffentlich bleibt? Dann sind wir dabei.",
     Intent.CHANGE_REQUEST),
    # "sign me up" for a list is the writer's own, not the organization's
    ("Sign me up! Do you have a newsletter I could get on?", Intent.SIGN_ON),
    # the writer decides over a colleague's doubt; a yes said "from us"; a vote that said yes
    ("Yes from us, sorry for the wait.", Intent.SIGN_ON),
    ("Votamos el domingo y salió que sí.", Intent.SIGN_ON),
])
def test_the_twelfth_session(text: str, intent: Intent) -> None:
    understanding = understand(text, organization="Valley Farmworker Alliance")
    assert understanding.intent == intent
    if "Sign me up" in text:
        assert understanding.signer_type == "individual"


def test_the_name_alone_may_be_the_short_name_to_list() -> None:
    understanding = understand("Valley Farmworker", organization="Valley Farmworker Alliance")
    assert (understanding.intent, understanding.signer_name) == (
        Intent.SIGN_ON, "Valley Farmworker")
    # (one word of it is no name to list)
    assert understand("Valley", organization="Valley Farmworker Alliance").intent \
        != Intent.SIGN_ON


@pytest.mark.parametrize(("body", "intent", "name"), [
    # the writer pastes a colleague's approval and goes on below it: the words after the
    # colleague's sign-off are the writer's again
    ("Hi Maria,\n\nI waited for our director's go-ahead; here is her note:\n\n"
     "From: Rosa Lemus <rosa@vfa.example>\nSent: Monday, December 7, 2026 9:00 AM\n"
     "To: Ana <ana@vfa.example>\nSubject: letter\n\n"
     "Approved, go ahead. - Rosa\n"
     "So we're in. Please list us as Valley Farmworker Alliance (VFA).\n\nAna\n",
     Intent.SIGN_ON, "Valley Farmworker Alliance (VFA)"),
    # ...and a hold said there is read just the same
    ("Hi Maria,\n\nHere is what our director wrote:\n\n"
     "From: Rosa Lemus <rosa@vfa.example>\nSent: Monday, December 7, 2026 9:00 AM\n"
     "To: Ana <ana@vfa.example>\nSubject: letter\n\n"
     "Looks fine to me.\nR.\n"
     "So yes, but only after the board votes on the 12th.\n\nAna\n",
     Intent.NEEDS_APPROVAL, None),
    # without the colleague's sign-off, the whole note is theirs: nothing is the writer's
    ("Hi Maria,\n\nHere is what our director wrote:\n\n"
     "From: Rosa Lemus <rosa@vfa.example>\nSent: Monday, December 7, 2026 9:00 AM\n"
     "To: Ana <ana@vfa.example>\nSubject: letter\n\n"
     "We sign, tell the coalition.\n",
     Intent.UNKNOWN, None),
])
def test_the_writer_goes_on_under_a_pasted_note(body: str, intent: Intent,
                                                name: str | None) -> None:
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@vfa.example>"
    msg["To"] = "reply+t1-aaaaaaaaaaaaaaaa@valleywater.org"
    msg["Subject"] = "Re: Will Valley Farmworker Alliance sign on?"
    msg.set_content(body)
    understanding = classify(msg, organization="Valley Farmworker Alliance").understanding
    assert understanding is not None
    assert understanding.intent == intent
    if name is not None:
        assert understanding.signer_name == name


@pytest.mark.parametrize(("text", "intent"), [
    # a colleague's wait quoted below, lifted by the writer's report that she has read it
    ("She went through the draft over the weekend and she's comfortable with it. So yes, we "
     "sign.", Intent.SIGN_ON),
    # "claro y" as an adjective is no irony; "when we opened ..." is no condition; "you don't
    # even have to ask us" is no approval to come
    ("Firmamos la carta. Nos parece un texto claro y muy bien planteado.", Intent.SIGN_ON),
    ("Yes, we'll sign. Please list us as \"Kern Farmworker Health Project\" - we dropped "
     "\"County\" when we opened the Delano site.", Intent.SIGN_ON),
    ("Of course! You don't even have to ask us.", Intent.SIGN_ON),
    # ...while a real one still holds
    ("Yes, we'll sign when we get the board's OK.", Intent.UNKNOWN),
    ("Sí, claro, y luego nadie la va a leer.", Intent.UNKNOWN),
])
def test_the_twelfth_session_afternoon(text: str, intent: Intent) -> None:
    assert understand(text, organization="Kern County Farmworker Health Project").intent \
        == intent


@pytest.mark.parametrize(("text", "intent"), [
    # holds said apart from the yes, in ways the sets of this round found
    ("Yes, we're in.\n\nHousekeeping: any public position goes to our general membership at "
     "the monthly meeting, so December 10th.", Intent.NEEDS_APPROVAL),
    ("Yes!\n\nI'll put it in front of Father Mike when he's back from retreat.",
     Intent.NEEDS_APPROVAL),
    ("Put us down as a yes.\n\nStaff endorsements are subject to ratification by the "
     "executive board.", Intent.NEEDS_APPROVAL),
    ("Consider us on board! Their communications team has the last word; I've copied Jen "
     "so she can confirm.", Intent.NEEDS_APPROVAL),
    ("Firmamos con gusto.\n\nSi firma la asociación de lecheros, nosotros no.", Intent.UNKNOWN),
    ("Gern sind wir dabei. Erklärungen zeichnet bei uns der Vorstand im Umlaufverfahren "
     "gegen.", Intent.NEEDS_APPROVAL),
    ("Oui, nous signons. Je vais en parler avec les collègues jeudi avant de vous confirmer.",
     Intent.NEEDS_APPROVAL),
    # ...and yeses they read as held
    ("Everybody said yes, no discussion needed.", Intent.SIGN_ON),
    ("Es war eine lange Beratung, denn wir unterschreiben sonst keine politischen Sachen. "
     "Aber am Ende waren alle einig: Wir unterschreiben den Brief.", Intent.SIGN_ON),
    ("Donc oui, le Réseau Eau Commune signe, sans réserve.", Intent.SIGN_ON),
    ("When I suggested it I didn't expect anyone to take it seriously. So: yes, we sign.",
     Intent.SIGN_ON),
    # a "not" that corrects the name on file is no negation of the act
    ("Please list us as Service Workers Union Local 3308 - not SWU, nobody knows the "
     "initials.", Intent.SIGN_ON),
])
def test_the_twelfth_session_last_round(text: str, intent: Intent) -> None:
    organization = "SWU Local 3308" if "3308" in text else "Réseau Eau Commune"
    assert understand(text, organization=organization).intent == intent


def test_a_signer_correcting_the_name_goes_to_a_person() -> None:
    understanding = understand("We'd like to be listed as Delano Housing Corp., not "
                               "Corporation.", organization="Delano Housing Corporation")
    assert understanding.intent_for(signer=False) == Intent.SIGN_ON
    assert understanding.signer_name == "Delano Housing Corp."
    assert understanding.intent_for(signer=True) == Intent.UNKNOWN


@pytest.mark.parametrize(("text", "intent"), [
    # holds of the last round: a vote to come in a P.S., a term on every later version, a
    # deacon for whom the pastor decides, a condition on how the list shows the group
    ("Count us in!!\n\nRosa\n\nP.S. I have to bring it to our membership assembly on "
     "Saturday, they vote on every coalition letter.", Intent.NEEDS_APPROVAL),
    ("Happy to sign. Our name can only go on it as long as the final letter names no "
     "districts.", Intent.UNKNOWN),
    ("Amen, nous signons ! Le pasteur est en mission et c'est lui qui engage l'église.",
     Intent.NEEDS_APPROVAL),
    ("Wir zeichnen gern mit. Allerdings nur unter einer Voraussetzung: getrennt unter "
     "„Internationale Unterstützer“.", Intent.UNKNOWN),
    ("Tú coordinas ahora, así que tú decides con la mesa si firmamos.", Intent.NEEDS_APPROVAL),
    # ...and a hold already met is none
    ("Anything we sign goes to our executive committee, and their OK came through "
     "yesterday. So yes, we're signing.", Intent.SIGN_ON),
])
def test_the_twelfth_session_evening(text: str, intent: Intent) -> None:
    assert understand(text, organization="Tulare Farmworker Alliance").intent == intent


def test_like_this_names_only_after_a_naming_verb() -> None:
    asked = ("He asked whether we're even allowed to sign something like this:\nI checked, "
             "we are. So yes, we sign.")
    assert understand(asked, organization="Parlier Parents Council").signer_name is None
    named = "We sign, and could you put the town after it, like this:\nParlier Parents (CA)"
    assert understand(named, organization="Parlier Parents").signer_name == "Parlier Parents (CA)"


@pytest.mark.parametrize(("text", "intent"), [
    # holds found by the last sets of the day
    ("Yes from us! See Ellen's note below.\n\nJean\n\nFrom: Rev. Ellen Marsh\n\nLet's have the "
     "Social Justice Committee discuss it next Wednesday, and then the Board can confirm.",
     Intent.NEEDS_APPROVAL),
    ("Sign us up! Everything goes through the monthly circle, so officially I can't say it "
     "for all of us until then.", Intent.NEEDS_APPROVAL),
    ("Sí, firmamos. Si ellos firman, nosotros no.", Intent.UNKNOWN),
    ("Nous soutenons la lettre. Notre convention exige son accord écrit avant toute prise "
     "de position publique.", Intent.NEEDS_APPROVAL),
    ("O sindicato vai assinar, sim. A nossa assinatura vale desde que a CWC também assine.",
     Intent.UNKNOWN),
    ("Ja, gerne.\n\nPS: Über Mitzeichnungen entscheidet bei uns das Plenum, am 20. Jänner.",
     Intent.NEEDS_APPROVAL),
    ("Wir unterzeichnen gern. Unsere Versammlung hat beschlossen, so etwas nur mitzutragen, "
     "wenn die Gemeinden angehört werden.", Intent.UNKNOWN),
    # "the water letter" is this letter, named by its subject
    ("yes the Valley Farmworker Alliance signs the water letter.", Intent.SIGN_ON),
])
def test_the_twelfth_session_last_sets(text: str, intent: Intent) -> None:
    assert understand(text, organization="Valley Farmworker Alliance").intent == intent


def test_an_assistant_signing_from_the_principals_account_is_someone_else() -> None:
    msg = EmailMessage()
    msg["From"] = "Howard Kim <hkim@kernrural.example>"
    msg["To"] = "reply+t1-aaaaaaaaaaaaaaaa@valleywater.org"
    msg["Subject"] = "Re: Will Kern Rural Health Alliance sign on?"
    msg.set_content("Please put Kern Rural Health Alliance down as a yes.\n\nTina Ruiz\n"
                    "Executive Assistant to Howard Kim, MD\nKern Rural Health Alliance\n")
    understanding = classify(msg, organization="Kern Rural Health Alliance").understanding
    assert understanding is not None and understanding.intent != Intent.SIGN_ON
    # ...while an assistant who is the contact passes on the president's signed form
    msg.replace_header("From", "Sharon Whitaker <office@kernrural.example>")
    msg.set_content("Please find attached the sign-on form, signed by our president. The "
                    "Alliance is glad to add its name.\n\nSharon Whitaker\n"
                    "Administrative Assistant to the President\n")
    understanding = classify(msg, organization="Kern Rural Health Alliance").understanding
    assert understanding is not None and understanding.intent == Intent.SIGN_ON


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # "as I said" brings back the writer's earlier answer as this one
    ("Hi James, its Rosa. like I said on the phone this morning yes the Lanare Residents "
     "Committee signs the water letter.", "Lanare Residents Committee", Intent.SIGN_ON),
    ("Hi Maria. I said on Monday we would sign, but the board said no.",
     "Lanare Residents Committee", Intent.UNKNOWN),
    # the name typed without its apostrophe is still the organization's
    ("YES ST ANNES WILL SIGN.", "St. Anne's Parish Social Ministry", Intent.SIGN_ON),
    ("we DO want to sign now!!", "Visalia Youth Project", Intent.SIGN_ON),
    # a no to a call or a meeting is no no to the letter...
    ("Unfortunately we can't join the video call on Thursday. We will sign the letter "
     "though.", "Partnerschaftskreis Bielefeld", Intent.SIGN_ON),
    ("an der Videokonferenz am Donnerstag können wir leider nicht teilnehmen. Den Brief "
     "unterschreiben wir aber selbstverständlich.", "Partnerschaftskreis Bielefeld",
     Intent.SIGN_ON),
    ("No podremos participar en la videoconferencia del jueves. Pero firmamos la carta.",
     "Partnerschaftskreis Bielefeld", Intent.SIGN_ON),
    # ...while a no said at a meeting, or to the letter beside a call, stays one
    ("We talked about it at the meeting and we're going to sit this one out.",
     "Huron Committee", Intent.DECLINE),
    ("No, we won't join the call and we won't sign.", "Huron Committee", Intent.DECLINE),
    ("We won't be signing this one, but keep us on the newsletter.", "Huron Committee",
     Intent.DECLINE),
])
def test_the_thirteenth_session_pending_sets(text: str, organization: str,
                                            intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # a line wrapped by the client goes on with its sentence: the "if" holds the yes
    ("Le reenvío la pregunta de nuestro tesorero (abajo). Si la respuesta es que no nos\n"
     "compromete a nada de dinero, firmamos. Si hay algún costo, lo llevo a la mesa.",
     "Coalición Latina de Merced", Intent.UNKNOWN),
    # "then I can sign", after a question of ours to answer
    ("Inhaltlich unterstützen wir den Brief. Könnten Sie die Fragen unten kurz beantworten? "
     "Dann kann ich unterzeichnen.", "Umweltbildungszentrum Leipzig", Intent.QUESTION),
    # a deputy who would sign herself, but the decision is the director's
    ("I'm pretty sure he'd want us on this, and I'd sign it myself in a heartbeat. But "
     "sign-ons are his call, and I'd rather not commit the center while he's out.",
     "Sanger Family Resource Center", Intent.UNKNOWN),
    # the organization's no, then the writer's own offer: a person weighs it
    ("Nos statuts ne nous permettent pas de signer ce type de lettre. À titre personnel, en "
     "revanche, je signerais volontiers. Dites-moi si c'est possible.",
     "Alliance Française de la Vallée", Intent.UNKNOWN),
    ("Eu pessoalmente assinaria sem pensar duas vezes. Mas a Irmandade não toma posições "
     "públicas, por isso não vamos assinar.", "Irmandade de Gustine", Intent.DECLINE),
    # a condition only on the deadline, which has not passed
    ("So if you'll still have us: yes, Kerman Unified Parent Network signs on.",
     "Kerman Unified Parent Network", Intent.SIGN_ON),
    ("Caso ainda dê tempo, queremos assinar! O conselho aprovou a adesão na semana passada.",
     "Fundação Águas do Sertão", Intent.SIGN_ON),
    ("sofern noch möglich, unterschreiben wir gern. Der Gemeinderat ist einverstanden.",
     "Mennonitische Hilfsgemeinschaft Reedley", Intent.SIGN_ON),
    ("If the board agrees, we sign.", "Kerman Unified Parent Network", Intent.UNKNOWN),
    # an approval the rules ask for, already given; or none needed
    ("Yes, we'd like to sign. Our bylaws say the chair has to OK anything we put our name "
     "to, and Rosa gave her OK at our meeting on Monday.", "Seville Garden Association",
     Intent.SIGN_ON),
    ("In case you're wondering whether this needs to go to our board: it doesn't. So yes, "
     "we sign on.", "Seville Garden Association", Intent.SIGN_ON),
    ("We're supportive and plan to sign. Our general counsel has to clear anything we sign "
     "that's addressed to the Board itself.", "San Joaquin Valley Legal Aid",
     Intent.NEEDS_APPROVAL),
    # "grant" as a noun asks for no time
    ("Coming back to this: the grant decision came through last week, and the board "
     "reversed itself. We would like to sign after all.", "Legal Services",
     Intent.SIGN_ON),
    ("Could you grant us until February 5?", "Legal Services", Intent.MORE_TIME),
    # the colleague's doubt below, answered by the writer
    ("Sabine war skeptisch (siehe unten), aber nach unserem Telefonat bin ich überzeugt. Das "
     "Netzwerk unterzeichnet den Brief.", "Netzwerk Menschenrecht auf Wasser",
     Intent.SIGN_ON),
])
def test_the_thirteenth_session_first_sets(text: str, organization: str,
                                           intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


def test_an_answer_under_another_inline_question_is_that_questions() -> None:
    body = ("Hi Maria, answers inline below.\n\n"
            "> 2. Would Westside Clinics sign on? Nothing in the draft has changed.\n\n"
            "Yes. Westside Clinics signs on.\n\n"
            "> 3. We're holding a short press call on Thursday. Could someone from the\n"
            "> clinics speak for two minutes?\n>\n> Thanks!\n> Maria\n\n"
            "I'm in clinic all day that Thursday. Let me ask our nurse manager, and I'll get\n"
            "back to you by Monday.\n\nKaren\n")
    msg = _from("Karen Liu", body)
    understanding = classify(msg, organization="Westside Clinics").understanding
    assert understanding is not None and understanding.intent == Intent.SIGN_ON
    # ...and under the ask's own question, the same wait holds the yes
    msg.set_content(body.replace("> 3. We're holding a short press call on Thursday. Could "
                                 "someone from the\n> clinics speak for two minutes?",
                                 "> Anything else before you sign?"))
    understanding = classify(msg, organization="Westside Clinics").understanding
    assert understanding is not None and understanding.intent != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "name"), [
    ("Sim, assinamos. Mas por favor não ponham \"I.D.E.S. Tulare\". O nome completo é "
     "Irmandade do Divino Espírito Santo de Tulare.",
     "Irmandade do Divino Espírito Santo de Tulare"),
    ("Sí, firmamos. Por favor pongan el nombre como aparece en nuestro logo: Centro Latino de\n"
     "Madera. El nombre largo solo lo usamos en los papeles del estado.",
     "Centro Latino de Madera"),
])
def test_the_thirteenth_session_names(text: str, name: str) -> None:
    understanding = understand(text, organization="I.D.E.S. Tulare"
                               if "Tulare" in name else "Centro Comunitario Latino de Madera")
    assert understanding.intent == Intent.SIGN_ON and understanding.signer_name == name


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # a message sent too early, that breaks off after its yes
    ("Hallo Maria,\nja, wir", "Wasserwende Berlin", Intent.UNKNOWN),
    ("jo, unterschreiben wir", "Wasserwende Berlin", Intent.SIGN_ON),
    # a yes, and a question whether the writer may sign for another group too
    ("A nossa associação assina, sem problema. Posso fazê-lo eu em nome da Aliança? Se sim, "
     "ponham as duas.", "Associação dos Amigos da Terceira", Intent.QUESTION),
    ("Yes, we sign. Can I sign for the Alliance too?", "Friends of the River",
     Intent.QUESTION),
    # someone who wants to read it first holds the yes; a post about it later does not
    ("Yes, we sign. Our ED saw it and wants to read the consolidation part more carefully "
     "before we commit.", "Caruthers Garden Alliance", Intent.NEEDS_APPROVAL),
    ("Oui, nous signons. On attend un peu s'il te plaît : Annick veut relire avec le CA "
     "avant qu'on mette notre nom.", "Solidarité Paysans", Intent.NEEDS_APPROVAL),
    ("Yes, we sign! A lot of our members will want to read it before we post it.",
     "Arvin Environmental Justice Project", Intent.SIGN_ON),
    ("Yes, we sign. Please disregard my yes from this morning.", "Caruthers Garden Alliance",
     Intent.UNKNOWN),
    # a board told afterwards, for the record, is no approval to come
    ("Yes, we sign. The full board will hear about it in January, but that's a report, not "
     "a vote.", "Merced Valley Council", Intent.SIGN_ON),
    ("Assinamos. Vou levar a decisão ao conselho na reunião de janeiro, para registro.",
     "Rede Brasileira pelo Direito à Água", Intent.SIGN_ON),
    # plain noes, and requests for time put as questions
    ("We signed three since 2019 and my well is still pumping sand. We're out.",
     "Huron Well Owners", Intent.DECLINE),
    ("Maria, adoraríamos assinar, de verdade! Mas como igreja não podemos.",
     "Comunidade Cristã", Intent.DECLINE),
    ("Será possível darem-nos até terça-feira, 26 de janeiro, para vos dar uma resposta?",
     "Liga Feminina", Intent.MORE_TIME),
    ("Our board has to approve every sign-on and doesn't meet until February 9. Is there any "
     "chance you could hold the letter for us until then?", "Union Local 12",
     Intent.MORE_TIME),
    ("Nous ne pourrons pas vous répondre avant le 15 janvier. Une réponse d'ici le 29 "
     "janvier vous irait-elle ?", "Réseau Eau", Intent.MORE_TIME),
])
def test_the_thirteenth_session_second_sets(text: str, organization: str,
                                            intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


@pytest.mark.parametrize(("text", "organization", "name"), [
    ("Der Vorstand hat zugestimmt, wir unterschreiben. Bitte tragt uns als Aktionsbündnis "
     "Recht auf Wasser Leipzig ein.", "Aktionsbündnis Wasser", "Aktionsbündnis Recht auf "
     "Wasser Leipzig"),
    ("Así sí firmamos.\n\nPongan: Madres Unidas por el Agua de Seville.",
     "Madres Unidas por el Agua", "Madres Unidas por el Agua de Seville"),
    ("C'est oui. Merci de nous inscrire sous notre nom complet, « Association Eau Partage \u2013 "
     "Lyon Rhône-Alpes ».", "Eau Partage Lyon", "Association Eau Partage \u2013 Lyon Rhône-Alpes"),
    ("Oi Maria, pode contar com a gente! O Centro assina sim.",
     "Centro Cultural Brasileiro de Sacramento", None),
])
def test_the_thirteenth_session_second_names(text: str, organization: str,
                                             name: str | None) -> None:
    understanding = understand(text, organization=organization)
    assert understanding.intent == Intent.SIGN_ON and understanding.signer_name == name


def test_a_name_sent_alone_a_minute_after_the_writers_own_yes() -> None:
    earlier = ("Em seg., 14 de dez. de 2026 às 16:12, Josefa Nascimento "
               "<josefa@str.example> escreveu:\n> assinamos\n")
    organization = "Sindicato dos Trabalhadores Rurais"

    def read(now: str, address: str = "josefa@str.example") -> Intent | None:
        msg = _from("Josefa Nascimento", f"{now}\n\n{earlier}", address=address)
        understanding = classify(msg, organization=organization).understanding
        assert understanding is not None
        return understanding.intent

    assert read("esqueci de dizer: Sindicato dos Trabalhadores Rurais. abs") == Intent.SIGN_ON
    # ...but never when the message now takes it back or asks for another spelling
    for now in ("please disregard my yes, our ED wants to read it first",
                "merci d'écrire notre nom avec les accents, « Sindicato Rurais »"):
        assert read(now) != Intent.SIGN_ON
    # ...nor from someone else's message quoted under it
    assert read("esqueci de dizer: Sindicato dos Trabalhadores Rurais. abs",
                address="outra@str.example") != Intent.SIGN_ON


@pytest.mark.parametrize(("text", "intent"), [
    # a board told of the signature afterwards is no approval to come...
    ("Yes, Fresno Metro Faith Alliance signs on. Our board meets on Tuesday 8 December and "
     "I'll report there that we signed.", Intent.SIGN_ON),
    ("La Fondation Source Vive signe la lettre. Le conseil se réunit le jeudi 10 décembre ; je "
     "l'informerai de notre signature à cette occasion, pour information.", Intent.SIGN_ON),
    ("Wir unterzeichnen den Brief. Unser Vorstand tagt am Montag. Sie müssen also nicht auf "
     "die Sitzung warten.", Intent.SIGN_ON),
    # ...while "for your information" before an approval still to come says nothing of it
    ("Oui, nous signons. Pour information, notre CA doit encore valider la signature.",
     Intent.NEEDS_APPROVAL),
    ("Ja, wir unterschreiben. Zur Info: unser Vorstand muss noch zustimmen.",
     Intent.NEEDS_APPROVAL),
    ("Sim, assinamos. Para registro: o conselho ainda tem de aprovar.",
     Intent.NEEDS_APPROVAL),
])
def test_a_board_only_told(text: str, intent: Intent) -> None:
    organization = "Fondation Source Vive" if "Source Vive" in text \
        else "Fresno Metro Faith Alliance"
    assert understand(text, organization=organization).intent == intent


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # a yes on a condition said with a sentence-initial "se", "si" (if, not yes)
    ("Achamos a carta ótima. Se fizer sentido, assinamos sim.", "Centro Comunitário",
     Intent.UNKNOWN),
    ("Você pode confirmar se está correto? Se estiver, nós assinamos.", "Rede Água Limpa",
     Intent.QUESTION),
    ("Si está correcto, firmamos.", "Comité de Huron", Intent.UNKNOWN),
    ("Si claro, firmamos con gusto.", "Comité de Huron", Intent.SIGN_ON),
    # a form filled in with a no
    ("Organization: Sanger Heritage Society\nSign on: N\nReason: our bylaws keep us out of "
     "policy advocacy.", "Sanger Heritage Society", Intent.DECLINE),
    ("Organization: Sanger Heritage Society\nSign on: Y", "Sanger Heritage Society",
     Intent.SIGN_ON),
    # happy to sign another letter, and asking whether this is it
    ("Hi Maria, happy to sign the one about pesticide buffer zones that we talked about at "
     "the November call. Is this that one?", "Wasco Health Promoters", Intent.QUESTION),
    # a daughter passing on her mother's yes
    ("Soy Claudia, la hija de doña Carmen Ayala. Dice que sí, que el Comité de Vecinos de "
     "Lanare firma la carta.", "Comité de Vecinos de Lanare", Intent.UNKNOWN),
])
def test_the_thirteenth_session_third_sets(text: str, organization: str,
                                           intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


@pytest.mark.parametrize("text", [
    "Hi! We'd love to sign. One correction though - it's \"Arvin Community Garden "
    "Collective\", with two m's in Community.",
    "Yes, we sign. Please list us under our Vietnamese name, which is our official name; the "
    "English one is only a translation:\n\nHội Ái Hữu Người Việt Stockton",
])
def test_a_name_asked_for_and_not_read_is_never_replaced_by_the_one_on_file(text: str
                                                                            ) -> None:
    understanding = understand(text, organization="Arvin Comunity Garden Collective")
    assert understanding.intent != Intent.SIGN_ON


def test_a_remark_in_parentheses_after_the_name_is_not_the_name() -> None:
    understanding = understand("• Oui, nous signons\n• Nom à faire figurer : Amis de l'Eau "
                               "Toulouse (comme dans votre mail)",
                               organization="Amis de l'Eau Toulouse")
    assert understanding.intent == Intent.SIGN_ON
    assert understanding.signer_name in (None, "Amis de l'Eau Toulouse")


@pytest.mark.parametrize(("text", "organization", "intent"), [
    # after the deadline, asking whether they can still be added: a person decides
    ("Ya sé que cerraron el lunes. Anoche votamos y sí queremos firmar. ¿Hay alguna manera "
     "de que todavía nos agreguen?", "Jóvenes en Acción de Mendota", Intent.QUESTION),
    ("A direção decidiu ontem que quer assinar. Ainda é possível incluir o Clube?",
     "Clube Português de Hilmar", Intent.QUESTION),
    # "but only if", in a sentence of its own
    ("Wir würden den Brief grundsätzlich mittragen. Allerdings nur, wenn Punkt 2 "
     "klargestellt wird. Dann unterschreiben wir.", "Bürgerinitiative Grundwasser",
     Intent.UNKNOWN),
    # "então assinamos" is "so we sign", after the story of how it was decided
    ("Ele concordou, e a diretoria aprovou ontem.\n\nEntão assinamos: Centro Comunitário "
     "Brasileiro de Sacramento.", "Centro Comunitário Brasileiro de Sacramento",
     Intent.SIGN_ON),
    ("No tengo que consultarlo con nadie: soy la directora. Sí, el Centro de Mujeres "
     "Indígenas del Valle firma.", "Centro de Mujeres Indígenas del Valle", Intent.SIGN_ON),
])
def test_the_thirteenth_session_fourth_sets(text: str, organization: str,
                                            intent: Intent) -> None:
    assert understand(text, organization=organization).intent == intent


def test_a_group_gone_and_the_writer_offering_herself_is_an_individual() -> None:
    understanding = understand("The group fell apart last year, so there's no group anymore "
                               "to sign. I'd be glad to sign as just me though.",
                               organization="Poplar Youth Soccer Parents")
    assert understanding.signer_type == "individual"


@pytest.mark.parametrize(("text", "organization", "name"), [
    # an old name said first, the new one after it
    ("Sí vamos a firmar. En la lista de ustedes salimos como \"Ministerio Hispano\", pero ese "
     "nombre ya no se usa. Por favor póngannos así:\n\nPastoral Social San Judas Tadeo, Lamont",
     "Ministerio Hispano San Judas Tadeo", "Pastoral Social San Judas Tadeo, Lamont"),
    # initials keep their last stop
    ("Por supuesto que nos sumamos. Por favor anoten a nuestra organización como Colectivo "
     "Agua y Vida, Mexicali, B.C., para que se sepa de dónde escribimos.",
     "Colectivo Agua y Vida", "Colectivo Agua y Vida, Mexicali, B.C."),
    # the organization named as on file in one sentence is not overridden within it
    ("Wir sind dabei! Bitte führt uns als Netzwerk Menschenrecht Wasser e.V. auf.",
     "Netzwerk Menschenrecht Wasser e.V.", "Netzwerk Menschenrecht Wasser e.V."),
])
def test_the_thirteenth_session_fourth_names(text: str, organization: str, name: str) -> None:
    understanding = understand(text, organization=organization)
    assert understanding.intent == Intent.SIGN_ON
    assert (understanding.signer_name or organization) == name


def test_a_form_filled_in_under_the_writers_own_name_is_read() -> None:
    msg = _from("Dolores Haney", "Organization: Kern River Watershed Alliance\nContact: "
                "Dolores Haney, Executive Director\nSign on: Y\nCity: Bakersfield\n\n"
                "Dolores\n")
    understanding = classify(msg, organization="Kern River Watershed Alliance").understanding
    assert understanding is not None and understanding.intent == Intent.SIGN_ON
