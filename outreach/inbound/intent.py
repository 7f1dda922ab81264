"""What a person meant by their reply to an ask: sign on, decline, a question, and so on.

Consent is the rule here: `sign_on` is returned only for a plain, unconditional yes in a
sentence of its own, and only when nothing else in the reply asks for a change, an
approval, more time, or says no. Anything less certain goes to a person (the review
queue), never to the signer list. Rules, not statistics, so every decision can be shown
with the sentence that made it.

A signer answering a change or reissue notice may `withdraw` (take their name off the
letter, opt out of the reissue) or `reconfirm` (keep their name on the new text: confirm,
keep, still). Both are held to the same rule, clause by clause: negated, conditional,
hedged, asked, taken back or aimed at something else, they decide nothing; a reply that
both withdraws and keeps (or says yes) is contradictory and goes to a person. A plain yes
stays `sign_on`, which the caller reads as a reconfirmation from a current signer.

English, Spanish and French. Text is matched case- and accent-insensitively; the evidence
keeps the writer's own words.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

CLASSIFIER_VERSION = "rules-2"


class Intent(enum.StrEnum):
    SIGN_ON = "sign_on"
    DECLINE = "decline"
    QUESTION = "question"
    CHANGE_REQUEST = "change_request"
    NEEDS_APPROVAL = "needs_approval"
    MORE_TIME = "more_time"
    REFERRAL = "referral"
    UNSUBSCRIBE = "unsubscribe"
    WITHDRAW = "withdraw"
    RECONFIRM = "reconfirm"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Referral:
    email: str
    name: str | None = None


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    evidence: str | None = None
    signer_name: str | None = None
    signer_type: str | None = None  # "organization", "individual", or None when unclear
    referrals: tuple[Referral, ...] = ()
    signals: tuple[str, ...] = field(default=())
    version: str = CLASSIFIER_VERSION


def fold(text: str) -> str:
    """Lower-case without accents, apostrophes unified: the form every pattern is written in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# A clear yes to signing. Each must stand in a sentence with no negation or condition.
SIGN = _any(
    # English
    r"\b(we|i) ?(would|'d|will|'ll|are happy to|'re happy to|are glad to|'re glad to|are proud to"
    r"|'re proud to|are pleased to|'re pleased to|are delighted to|'re delighted to|want to|can)"
    r" (be happy to |be glad to |be proud to |gladly |happily )?(sign|co-?sign|endorse|join)\b",
    r"\b(happy|glad|proud|pleased|delighted|honou?red) to"
    r" (sign|co-?sign|endorse|join|add our name)",
    r"\bcount (us|me) in\b",
    r"\b(please )?(add|include|list|put) (us|me|our (organi[sz]ation|name|group))\b",
    r"\bsign (us|me) (up|on)\b",
    r"^(yes|yep|yeah|absolutely|si|oui)\b[,!.:]* (please )?(add|include|list|sign)\b",
    r"\b(we|i) (hereby )?(sign|endorse|co-?sign)( on)?\b",
    r"\bsigns on\b",
    r"\b(we'?re|we are|i'?m|i am) (in|on board|signing)\W*$",
    r"\bwe('d| would) love to (sign|join|be (on|part of))",
    r"\byou (can|may) (add|list|include|use) (us|our name|me)\b",
    r"\bhas approved (signing|signing on|the letter|joining)\b",
    r"\b(approved|agreed) to sign\b",
    # Spanish
    r"\bfirmamos\b", r"\bfirmaremos\b", r"\bvamos a firmar\b", r"\bqueremos firmar\b",
    r"\b(con gusto|encantad[oa]s de|felices de) (firmamos|firmar|sumarnos|adherirnos)",
    r"\bcuenten? con nosotr[oa]s\b", r"\bcuenta con nosotr[oa]s\b",
    r"\b(pueden|puedes|favor de) (incluir|anadir|agregar|sumar)(nos| a nuestra)",
    r"\b(incluyan|anadan|agreguen|sumen)(nos|me)\b",
    r"\bnos sumamos\b", r"\bnos adherimos\b", r"\bapoyamos y firmamos\b",
    # French
    r"\bnous signons\b", r"\bnous signerons\b", r"\bnous allons signer\b",
    r"\bje signe\b", r"\bnous souhaitons signer\b", r"\bnous voulons signer\b",
    r"\b(heureux|heureuses|ravis|ravies|fiers|fieres) de (signer|nous joindre|nous associer)",
    r"\bcomptez sur nous\b",
    r"\b(ajoutez|inscrivez|incluez)-(nous|moi)\b",
    r"\bvous pouvez (nous )?(ajouter|inscrire|inclure)( notre nom)?\b",
    r"\bnous (nous )?(joignons|associons) a (la|cette) lettre\b",
    r"\bnous sommes partants\b",
)

# A bare yes: a sign-on only when the rest of the sentence says nothing else.
YES_WORD = re.compile(r"^\s*(yes|yes yes|yep|yeah|absolutely|definitely|of course|sure|si|oui|"
                      r"bien sur|claro|por supuesto|desde luego|avec plaisir|con gusto)\b")
BARE_YES_FILLER = {
    "yes", "yep", "yeah", "absolutely", "definitely", "of", "course", "sure", "please", "thanks",
    "thank", "you", "we", "us", "in", "do", "will", "would", "gladly", "happily", "count", "add",
    "sign", "on", "si", "oui", "bien", "claro", "por", "supuesto", "desde", "luego", "avec",
    "plaisir", "con", "gusto", "gracias", "merci", "and", "y", "et", "so", "very", "much",
    "indeed", "the", "letter", "carta", "lettre", "la", "a", "to",
}

NEGATION = _any(
    r"\b(not|never|no longer|cannot|can't|cant|won't|wont|don't|dont|doesn't|didn't|isn't"
    r"|aren't|shouldn't|wouldn't|unable|decline|declining|regret|unfortunately|sadly)\b",
    r"^\s*no\b", r"\bno,", r"\bno (we|i|thanks|thank)\b",
    r"\bno (podemos|vamos|firmaremos|firmamos|queremos|es posible|estamos)\b",
    r"\b(lamentablemente|desafortunadamente|nunca|tampoco|lo siento)\b",
    r"\bne\b.*\b(pas|plus|jamais|point)\b", r"\bn'\w+.*\b(pas|plus|jamais)\b",
    r"\b(malheureusement|helas|desole|desolee|desoles)\b",
)

CONDITION = _any(
    r"\b(if|unless|provided|providing|as long as|once|assuming|depending|depends|contingent"
    r"|subject to|conditional|only when|in case)\b",
    r"\bsi (se |los |las |el |la |cambian|modifican|incluyen|quitan|ustedes|podemos|es )",
    r"\b(siempre (y )?que|a menos que|con tal de que|en caso de que|dependiendo)\b",
    r"\bs'(il|ils)\b", r"\bsi (vous|nous|la|le|les|on)\b",
    r"\b(a condition|sous reserve|pourvu que|a moins que|selon)\b",
    r"\b(maybe|perhaps|possibly|probably|might|may be able|tal vez|quizas|quiza|a lo mejor"
    r"|peut-etre|eventuellement)\b",
)

QUESTION = _any(
    r"\?", r"¿",
    # "Do not include us in the statement" is an instruction, not a question.
    r"^\s*(can|could|would|will|is|are|do|does|did|should|what|who|when|where|why|how|which)\b"
    r"(?! not\b).*\b(you|we|it|this|that|there|the)\b",
    r"\b(est-ce que|pouvez-vous|pourriez-vous|qu'est-ce)\b",
)

CHANGE = _any(
    r"\b(change|changes|changing|changed|edit|edits|amend|amendment|revise|revision|reword"
    r"|rewording|wording|rephrase|strike|delete|deleted|remove|removed|removing|drop|dropped"
    r"|tweak|soften|strengthen|clarify)\b",
    r"\badd (a|an|the|language|mention|wording|point|paragraph|sentence)\b",
    r"\b(stronger|weaker|softer|clearer|different) (language|wording|terms)\b",
    r"\b(suggest|suggestion|suggestions|propose|proposed|recommend) (a |an |some |that |to |we )",
    r"\b(instead of|rather than|(would|'d) like to see|could you (add|remove|change|include"
    r"|drop))\b",
    r"\b(cambi(ar|o|os|en|an|e|ara)|modific\w*|quit(ar|en|an|e)|elimin(ar|en|an|e)|agregar un"
    r"|sugerimos|sugerencia|propuesta|redaccion|en lugar de)\b",
    r"\b(modifi\w*|chang(er|ez|ement)|remplac\w*|retir(er|ez)|supprim\w*|reformul\w*"
    r"|formulation|proposons|suggestion|au lieu de)\b",
)

APPROVAL = _any(
    r"\b(board|national office|national|headquarters|hq|parent organi[sz]ation|our parent"
    r"|executive committee|steering committee|leadership|legal team|counsel|our lawyers"
    r"|our director|my director|my boss|comms team|communications team)\b.*"
    r"\b(approve|approval|review|sign.?off|decide|decision|look at|check|okay|ok|vote|meet)"
    r"(?!d)",
    r"\b(need|needs|have|has|must|got) to (check|run (it|this) by|get (it )?approv|consult|ask)",
    r"\b(need|needs|require|requires|pending|awaiting|waiting for|subject to|without)"
    r" (\w+ ){0,3}(approval|sign-off|signoff|green light)\b",
    r"\bcheck(ing)? with\b", r"\brun (it|this) by\b", r"\bget back to you\b",
    r"\b(junta directiva|junta|consejo directivo|oficina nacional|sede nacional|aprobacion"
    r"|aprobar|consultar con|consultarlo|consultarlo con)\b",
    r"\b(conseil d'administration|bureau national|siege|approbation|approuver|valider"
    r"|consulter|validation)\b",
)

MORE_TIME = _any(
    r"\bmore time\b", r"\b(an )?extension\b", r"\b(few|couple of|couple) (more )?(days|weeks)\b",
    r"\bnext (week|month|meeting)\b", r"\bby (monday|tuesday|wednesday|thursday|friday|the end)",
    r"\b(deadline|when do you need|how long do we have)\b", r"\bnot (yet|ready)\b",
    r"\bstill (discussing|reviewing|considering|thinking)\b",
    r"\b(mas tiempo|prorroga|proxima semana|unos dias|todavia no)\b",
    r"\b(plus de temps|delai|la semaine prochaine|quelques jours|pas encore)\b",
)

DECLINE = _any(
    r"\b(we|i)( will|'ll| are|'re| must| have to| 'll have to)? (not|n't|never)"
    r" (be )?(able to )?(sign|join|endorse|participate|take part)",
    r"\b(can't|cannot|can not|won't|will not|unable to|not able to|not going to|decided not to"
    r"|declin\w* to|must decline|have to decline|will pass|'ll pass|pass on)\b",
    r"\bno,? thank(s| you)\b", r"\bnot (for us|at this time|this time|right now)\b",
    r"\b(don't|do not) (think|believe) (we|i) (can|could|will|would|should)\b",
    r"\bsit this one out\b", r"\bnot (sign|join|endorse)\w*\b",
    r"\bno (podemos|vamos a|firmaremos|nos sumaremos|participaremos)\b", r"\bdeclinamos\b",
    r"\bno,? gracias\b",
    r"\bne (pouvons|pourrons|signerons|allons|souhaitons|voulons) pas\b", r"\bdeclinons\b",
    r"\bnon,? merci\b",
)

UNSUBSCRIBE = _any(
    r"\bunsubscribe\b", r"\b(remove|take) (me|us|my (email|address)) (off|from)\b",
    r"\bstop (emailing|e-mailing|writing|contacting|sending)\b", r"\bdo not (email|contact)\b",
    r"\bdon't (email|contact) (me|us)\b",
    r"\b(darme|darnos) de baja\b", r"\bno (me|nos) (escriban|envien|contacten)\b",
    r"\b(desabonner|desinscrire|desinscrivez|desabonnez)\b", r"\bne plus (recevoir|m'ecrire)\b",
)

# What a signer's name is on. A bare "list" is not here: "remove us from the list" may mean
# the mailing list, so it stays UNSUBSCRIBE (as it always was) and never withdraws anyone.
LETTER = (r"(?:(?:the|this|that|your|our) )?(?:(?:re-?issued|revised|new|updated|amended|final"
          r"|coalition|joint|sign-?on|current) )*(?:letters?|statements?|declaration|re-?issue"
          r"|list of (?:signers|signatories|signatures|endorsers|supporters)|signers'? list"
          r"|signatory list|sign-?on list|signatories|signers|signatures|endorsers)\b")
LETTER_ES = (r"(?:(?:la|esta|nuestra|el|este) )?(?:carta|declaracion|comunicado|reedicion"
             r"|nueva version|lista de (?:firmantes|firmas|adherentes)|firmantes)\b")
LETTER_FR = (r"(?:(?:la|cette|le|ce) )?(?:lettre|declaration|communique|reedition"
             r"|nouvelle version|liste des (?:signataires|signatures)|signataires)\b")
# Where a bare verb ("Withdraw.", "remove our name", "nous confirmons") must end its clause.
# A condition may follow too, so that "we'd withdraw if ..." is recognised, then refused.
END = (r"(?=\W*$| (?:please|thanks|thank you|asap|immediately|right away|now|for now|por favor"
       r"|gracias|ya|merci|svp|s'il vous plait|if|unless|once|in case|provided|as long as"
       r"|a menos que|a moins que|s'ils?)\b)")

# Who takes the name off, when no "our name" or "us" says so: the writer ("we'd like to
# withdraw", "I have decided to withdraw") or an imperative at the start of the clause
# ("Please withdraw."), never a third party ("several groups chose to withdraw"). Negated and
# hedged forms are let in, to be recognised and then refused.
LEAD = (r"(?:^\W*(?:(?:please|kindly|so|then|just|yes|ok|okay|and|but)\W+)*|\b(?:we|i)"
        r"(?:'d|'ll|'re|'m|'ve)?(?: (?:would|like|love|want|wish|need|have|has|had|decided"
        r"|must|will|shall|are|am|do|does|hereby|now|also|therefore|regretfully|reluctantly"
        r"|unfortunately|sadly|respectfully|formally|officially|really|to|got|going|chosen"
        r"|prefer|ask|request|not|never|no|longer|cannot|can|can't|don't|won't|didn't|might"
        r"|may|could|should|plan|planning|intend|considering|thinking|about|of|be|still))* )")

# Taking one's name off the letter. Each must stand in a clause with no negation, and in a
# sentence with no condition, hedge or question.
WITHDRAW = _any(
    # English
    r"\bwithdraw(?:ing)? (?:(?:our|my) (?:organi[sz]ation's |group's )?(?:name|names|signature"
    r"|support|endorsement|sign-?on)|(?:us|me)\b)",
    rf"{LEAD}withdraw(?:ing)?(?: (?:from|of) (?:{LETTER}|it\b)|{END})",
    r"\b(?:remove|take|pull|strike|delete|drop|scratch|cross) (?:off )?(?:our|my)"
    r" (?:organi[sz]ation's |group's )?(?:name|names|signature|logo)(?: (?:from|off(?: of)?"
    rf"|out of) (?:{LETTER}|it\b|there\b)|(?: off)?{END})",
    r"\b(?:remove|take|pull|strike|drop|delete|scratch|cross) (?:us|me) (?:(?:off|from|out of) "
    rf"{LETTER}|as (?:a )?(?:signers?|signator(?:y|ies)|endorsers?|co-?signers?)\b)",
    rf"(?:\bopt(?:ing)? (?:us|me|our (?:organi[sz]ation|group|name))|{LEAD}opt(?:ing)?) out"
    rf"(?: of (?:{LETTER}|it\b|this\b)|{END})",
    # Spanish
    rf"\bretir(?:amos|arnos|arme|ennos|enme|en)(?: de {LETTER_ES}|{END})",
    r"\bretir(?:ar|amos|en|e|a|o)(?:nos|me)? (?:nuestra|nuestro|mi) (?:firma|nombre|apoyo"
    r"|adhesion)",
    r"^\W*(?:por favor\W+)?retirar\W*$",
    r"\b(?:quit|borr|elimin|sac)(?:ar|en|e)(?:nos|me)? (?:(?:nuestro|mi) nombre|(?:nuestra|mi)"
    r" firma)",
    rf"\b(?:quit|borr|elimin|sac)(?:arnos|arme|ennos|enme) de {LETTER_ES}",
    rf"\b(?:darnos|darme|den(?:nos|me)) de baja (?:de|en) {LETTER_ES}",
    # French
    r"\bretir(?:er|ez|ons|e)(?:-nous|-moi)? (?:notre|nos|ma|mon) (?:signatures?|nom|soutien"
    r"|adhesion)",
    rf"\b(?:retir(?:ons|ez)(?:-nous|-moi)?|(?:nous|me) retirer)(?: de {LETTER_FR}|{END})",
    r"^\W*(?:svp\W+)?retirer\W*$",
    r"\b(?:supprim|enlev|ot|ray)(?:er|ez)(?:-nous|-moi| (?:notre|mon) (?:nom|signature))",
)
# Withdrawals said as a refusal: the negation is the withdrawal itself, so only a negation
# outside the matched words counts against them. "Do not add us" and "please don't list us"
# without naming the letter stay with a person (they also answer a first ask).
WITHDRAW_BY_REFUSAL = _any(
    r"\b(?:do not|don't|dont) include (?:us|me|our (?:name|organi[sz]ation|group))"
    rf"(?: (?:in|on) (?:{LETTER}|it\b)|{END})",
    r"\b(?:do not|don't|dont) (?:list|add|put|keep|name) (?:us|me|our (?:name|organi[sz]ation"
    rf"|group)) (?:in|on) {LETTER}",
    r"\b(?:we|i) (?:no longer|do not|don't|dont) (?:want|wish) to be (?:listed|included|named"
    r"|a (?:signer|signatory)|signatories|signers|(?:on|part of|associated with)"
    rf" (?:it\b|{LETTER}))",
    r"\b(?:we|i)(?:'d| would) (?:rather|prefer) not (?:to )?be (?:listed|included|named"
    rf"|(?:on|part of) (?:it\b|{LETTER}))",
    r"\b(?:we|i) no longer (?:want|wish) to (?:sign|endorse|support)\b",
    r"\bno (?:nos|me) (?:incluyan|incluya|incluyas|pongan|listen)\b",
    r"\bya no (?:queremos|deseamos) (?:figurar|aparecer|estar incluid[oa]s|firmar"
    r"|ser firmantes)\b",
    r"\bno (?:queremos|deseamos) (?:figurar|aparecer) (?:en|como)\b",
    r"\bne (?:nous|me) (?:incluez|inscrivez|mettez|listez) (?:pas|plus)\b",
    r"\bnous ne (?:voulons|souhaitons|desirons) (?:plus|pas) (?:figurer|etre (?:inclus|incluses"
    r"|listes|mentionnes|signataires|associes))\b",
    r"\bnous ne (?:voulons|souhaitons|desirons) plus signer\b",
)

# Keeping one's name on the new text: confirm, keep, still. A plain yes is a SIGN match and
# stays sign_on. "Please confirm you received this" asks *us* to confirm: not here.
RECONFIRM = _any(
    # English
    r"^\W*(?:re-?)?confirm(?:ed|e|o|ado)?\W*$",
    r"\b(?:we|i) (?:(?:hereby|happily|gladly|also|now|still|can|do) )?(?:re-?)?confirm"
    r"(?= (?:our|my) (?:organi[sz]ation's |group's )?(?:signature|support|endorsement"
    rf"|sign-?on|participation|name)|{END})",
    # Negated forms are listed so that the clause is recognised, and refused by the
    # negation check, rather than read as a decline of the letter.
    r"\b(?:we|i) (?:can't|cannot|can not|won't|will not|don't|do not|didn't|did not|couldn't"
    r"|could not|aren't|are not|am not|'m not)(?: yet)?(?: (?:able|ready|in a position) to)?"
    r" (?:re-?)?confirm\b",
    r"\b(?:we|i)(?:'re| are|'m| am) still (?:in\W*$|on board|signed on|signing|a (?:signer"
    rf"|signatory)|signatories|signers|on (?:it\b|{LETTER})|supportive|behind (?:it\b|this\b"
    rf"|{LETTER}))",
    rf"^\W*still (?:in|on board|signed on|signing|with you|on (?:it|{LETTER})){END}",
    r"\b(?:we|i) (?:still|continue to|will continue to|remain) (?:fully |strongly )?(?:sign"
    r"|support|endorse|back|stand (?:by|behind))\b",
    r"\b(?:we|i) remain (?:on board|signed on|supportive|a (?:signer|signatory)|signatories"
    rf"|signers|on (?:it\b|{LETTER}))",
    r"\bkeep (?:us|me|our (?:organi[sz]ation's |group's )?(?:name|signature|organi[sz]ation)"
    rf"|my (?:name|signature))(?: (?:on|in)(?: (?:it|there|board|{LETTER}))?| listed"
    rf"| as (?:a )?(?:signers?|signator(?:y|ies)))?{END}",
    rf"\bleave (?:us|me|our name|my name) (?:on|in)(?: (?:it|there|{LETTER}))?{END}",
    r"\bstand (?:by|behind) (?:our|my) (?:signature|name|endorsement|support)\b",
    # Spanish
    r"\b(?:re)?confirm(?:amos|o)(?: (?:nuestra|mi) (?:firma|adhesion|participacion)"
    rf"| (?:nuestro|mi) apoyo|{END})",
    r"\bno (?:podemos|puedo|vamos a) (?:todavia |aun )?(?:re)?confirmar\b",
    r"\b(?:seguimos|continuamos) (?:firmando|apoyando|adherid[oa]s|dentro|a bordo"
    r"|en la carta|como firmantes)\b",
    r"\b(?:mantenemos|ratificamos) (?:nuestra (?:firma|adhesion)|nuestro apoyo|la firma)\b",
    r"\b(?:mantengan|dejen|conserven) (?:nuestro nombre|nuestra firma)\b",
    r"\bsigan contando con nosotr[oa]s\b",
    # French
    r"\b(?:nous (?:re)?confirmons|je (?:re)?confirme)(?: (?:notre|ma|mon) (?:signature|soutien"
    rf"|adhesion|participation)|{END})",
    r"\b(?:pouvons|peux) pas (?:encore )?(?:re)?confirmer\b",
    r"\bnous (?:maintenons|reaffirmons) (?:notre (?:signature|soutien|adhesion)"
    r"|la signature)\b",
    r"\b(?:gardez|conservez|maintenez|laissez) (?:notre|mon) (?:nom|signature)\b",
    r"\bnous (?:signons|soutenons|appuyons) toujours\b",
    r"\bnous (?:sommes toujours|restons|demeurons) (?:partants|partantes|signataires|a bord)\b",
)

# Negation for withdrawals and reconfirmations: grammar only. Regret words ("unfortunately,
# we must withdraw") go with a withdrawal rather than against it.
DENIAL = _any(
    r"\b(no|not|never|cannot|can't|cant|won't|wont|don't|dont|doesn't|didn't|isn't|aren't"
    r"|shouldn't|wouldn't|couldn't|unable|without)\b",
    r"\b(nunca|tampoco|jamas|ni)\b",
    r"\bne\b.*\b(pas|plus|jamais|point)\b", r"\bn'\w+.*\b(pas|plus|jamais)\b",
    r"\bpas (besoin|la peine|necessaire|question)\b",
)
# Thinking aloud about it is not doing it ("whether to withdraw", "we plan to", "we'd...").
HEDGE = _any(
    r"\b(whether|wondering|considering|consider|thinking|deciding|decide|discussing|discuss"
    r"|debating|not sure|unsure|hold off|yet|should|shall|ought)\b",
    r"\b(plan|planning|intend|intending) to\b", r"\b(we|i|you) (may|could)\b",
    r"\b(we|i)(?:'d| would)(?! (?:like|love|prefer|rather|ask|request|appreciate|want|wish"
    r"|be (?:grateful|happy|glad|pleased)))\b",
    r"\b(estamos (pensando|considerando|evaluando|analizando|discutiendo|viendo)|pensando en"
    r"|podriamos|deberiamos|tendriamos que)\b",
    r"\b(envisageons|envisager|reflechissons|hesitons|pourrions|devrions|nous demandons)\b",
)
# A clause that says what to do in order to do something ("To withdraw, reply WITHDRAW"): our
# notice's words, not a decision.
PURPOSE = re.compile(r"^\W*(to|in order to|para|pour|afin de)\b")
# After a negated clause, a clause that starts afresh: "We can no longer support this,
# please remove our name".
FRESH = re.compile(r"^\W*(?:(?:and|but|so|y|pero|et|mais) )?(?:please|kindly|so|therefore"
                   r"|we|i|por favor|favor de|asi que|entonces|veuillez|merci de|donc|alors"
                   r"|nous|je)\b")
# A later clause that takes back what came before ("Remove our name. Actually, wait.").
RETRACT = re.compile(
    r"^\W*(actually|wait|never ?mind|scratch that|on second thought|disregard|ignore (that|this"
    r"|my)|sorry,? (my mistake|wrong)|en realidad|pensandolo bien|mejor no|olvid(e|en|alo)"
    r"|en fait|finalement|oubliez|annulez)\b")
CLAUSE_END = re.compile(r"\s*(?:[,:]|\s-+\s|[–—])\s*")

REFERRAL_WORDS = _any(
    r"\b(contact|reach out to|talk to|speak (to|with)|ask|write to|email|e-mail|cc'?ing|copying"
    r"|forward(ed|ing)? (this|it) to|better person|right person|person to ask|in charge)\b",
    r"\b(contactar|hablar con|escribir a|escribe a|la persona indicada|encargad[oa])\b",
    r"\b(contacter|ecrire a|s'adresser a|la bonne personne|responsable)\b",
)

INDIVIDUAL = _any(
    r"\b(personally|personal capacity|as an individual|individually|my own name|my name only"
    r"|not on behalf of|just me|myself)\b",
    r"\b(a titulo personal|como individuo|en mi nombre)\b",
    r"\b(a titre personnel|en mon nom|individuellement)\b",
)

ORGANIZATION = _any(
    r"\b(our (organi[sz]ation|group|coalition|board|members|network|chapter|union|church"
    r"|association|center|centre|clinic)|on behalf of|we)\b",
    r"\b(nuestra organizacion|nuestro grupo|en nombre de|nosotros|firmamos)\b",
    r"\b(notre organisation|notre association|au nom de|nous)\b",
)

# The name runs to the end of the sentence; enclosing quotes and a final stop are trimmed
# later, so apostrophes inside names (Valley Children's, O'Brien) survive.
_NAME = r"(?P<name>[^\"“”«»\n;!?]{2,150})"
NAME_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\blist (?:us|it|our (?:name|organi[sz]ation)) as[:\s]+[\"“«]?" + _NAME,
        r"\b(?:sign|add) (?:us|it) (?:on )?as[:\s]+[\"“«]?" + _NAME,
        r"\b(?:our name|name to list|the name) (?:should be|is|would be)[:\s]+[\"“«]?" + _NAME,
        r"\b(?:como|bajo el nombre(?: de)?)[:\s]+[\"“«]?(?=[A-ZÁÉÍÓÚÑ])" + _NAME,
        r"\b(?:sous le nom(?: de)?|en tant que|comme)[:\s]+[\"“«]?\s*(?=[A-ZÀ-Ý])" + _NAME,
        r"\b(?:yes|yep|absolutely|si|sí|oui)[,!:\s]+(?:please )?(?:add|include|list)\s+"
        r"(?P<name>[A-ZÁÉÍÓÚÑÀ-Ý][^\n;!?]{1,150}?)(?:\s+(?:to|on|as)\b|[.;!?\n]|$)",
        r"^(?P<name>[A-ZÁÉÍÓÚÑÀ-Ý][^\n;!?]{1,150}?) (?:signs on|will sign|is signing|firma"
        r"|signe)\b",
    )
]

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
NAME_BEFORE_EMAIL = re.compile(
    r"(?P<name>[A-ZÁÉÍÓÚÑÀ-Ý][\w'’-]+(?: [A-ZÁÉÍÓÚÑÀ-Ý][\w'’-]+){0,3})\s*[(<\[]?\s*$")
# A yes to something that is not the letter: a newsletter, a call, a meeting.
OTHER_OBJECT = re.compile(
    r"\b(newsletter|mailing list|email list|e-mail list|listserv|list ?serve|updates|calendar"
    r"|meeting|call|webinar|event|training|rally|survey|petition|boletin|lista de correo"
    r"|reunion|llamada|evento|bulletin|liste de diffusion|reunion|appel|evenement)\b")
INSTRUCTION = re.compile(r"^\s*(reply|respond|responda|responde|repondez|reponds)\b")
PRONOUNS = frozenset({"we", "i", "us", "our board", "our organization", "our organisation",
                      "nosotros", "nosotras", "yo", "nous", "je", "it", "they", "yes"})
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|;\s*")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z']+", folded)


def _is_bare_yes(folded: str, org_words: set[str]) -> bool:
    if not YES_WORD.match(folded):
        return False
    return all(w in BARE_YES_FILLER or w in org_words for w in _words(folded))


def _drop_quoted_ask(parts: list[str], exclude: Iterable[str]) -> list[str]:
    """Sentences that repeat the ask (say, quoted without '>' markers) never count.

    A sentence of one or two words ("Yes", "WITHDRAW") is found somewhere in almost any ask
    or notice ("reply WITHDRAW by ..."), so it is dropped only when the ask has it as a
    sentence of its own; longer ones are dropped when they occur anywhere in the ask."""
    lines = [fold(e) for e in exclude]
    ask = re.sub(r"\s+", " ", " ".join(lines))
    if not ask:
        return parts
    own = {_bare(s) for s in sentences("\n".join(lines))}
    kept = []
    for part in parts:
        folded = re.sub(r"\s+", " ", fold(part))
        quoted = _bare(folded) in own if len(_words(folded)) < 3 else folded in ask
        if not quoted:
            kept.append(part)
    return kept


def _bare(folded: str) -> str:
    return re.sub(r"\s+", " ", folded).strip(" \t.,;:!?\"'“”«»()[]*-")


def understand(text: str, *, organization: str | None = None, exclude: Iterable[str] = (),
               own_addresses: Iterable[str] = ()) -> Understanding:
    """Read the visible text of a reply. `exclude` is the ask it answers, whose words never
    count; `own_addresses` are the sender's and ours, never taken as referrals."""
    parts = _drop_quoted_ask(sentences(text), exclude)
    folded_parts = [fold(p) for p in parts]
    whole = " \n".join(folded_parts)
    org_words = set(_words(fold(organization or "")))
    referrals = _referrals(parts, own_addresses)
    signals: list[str] = []
    # Withdrawals and reconfirmations are read first, clause by clause; the clauses they
    # claim are not read again by the decline, change, approval and time rules ("we will not
    # withdraw" is no decline, "remove our name" no edit to the text).
    marks, rest_parts = _marks(folded_parts)
    rest = " \n".join(rest_parts)
    withdrawal = next((m for m in marks if m.intent == Intent.WITHDRAW and m.doubt is None),
                      None)
    reconfirmation = next(
        (m for m in marks if m.intent == Intent.RECONFIRM and m.doubt is None), None)

    # "Remove us from the letter" names the letter: a withdrawal, not an unsubscribe.
    mailing = [WITHDRAW.sub(" ", f) for f in folded_parts]
    if UNSUBSCRIBE.search(" \n".join(mailing)):
        if withdrawal is not None:  # two requests: a person does both
            return Understanding(Intent.UNKNOWN, parts[withdrawal.part], referrals=referrals,
                                 signals=("withdraw", "unsubscribe"))
        return Understanding(Intent.UNSUBSCRIBE, _first(parts, mailing, UNSUBSCRIBE),
                             signals=("unsubscribe",))

    sign_at: int | None = None
    for index, folded in enumerate(folded_parts):
        if INSTRUCTION.match(folded):  # "Reply YES to sign on": our words, not theirs
            continue
        if SIGN.search(folded) or _is_bare_yes(folded, org_words):
            if NEGATION.search(folded) or DECLINE.search(folded):
                signals.append("negated yes")
                continue
            if CONDITION.search(folded):
                signals.append("conditional yes")
                continue
            if QUESTION.search(folded):
                signals.append("yes in a question")
                continue
            if OTHER_OBJECT.search(folded):
                signals.append("yes to something else")
                continue
            sign_at = index
            break

    others = [
        (Intent.DECLINE, DECLINE), (Intent.CHANGE_REQUEST, CHANGE),
        (Intent.NEEDS_APPROVAL, APPROVAL), (Intent.MORE_TIME, MORE_TIME),
    ]
    found = [(intent, _first(parts, rest_parts, pattern)) for intent, pattern in others
             if pattern.search(rest)]
    conditional = any(CONDITION.search(f) for f in folded_parts)
    questions = [p for p, f in zip(parts, folded_parts, strict=True) if QUESTION.search(f)]
    signals.extend(m.doubt for m in marks if m.doubt is not None)

    keeping = reconfirmation.part if reconfirmation is not None else sign_at
    if withdrawal is not None and keeping is not None:  # takes the name off and keeps it on
        return Understanding(Intent.UNKNOWN, parts[min(withdrawal.part, keeping)],
                             referrals=referrals, signals=(*signals, "contradictory"))
    held = withdrawal or reconfirmation
    if held is not None and held.retracted:
        signals.append(f"retracted {_NOUN[held.intent]}")
    doubtful = conditional or bool(questions) or (held is not None and held.retracted)
    if withdrawal is not None:  # a decline alongside says the same thing
        if not doubtful and all(intent == Intent.DECLINE for intent, _ in found):
            return Understanding(Intent.WITHDRAW, parts[withdrawal.part], referrals=referrals,
                                 signals=("withdraw",))
        signals.append("withdrawal with reservations")
    elif reconfirmation is not None and sign_at is None:
        if not doubtful and not found and "negated yes" not in signals:
            return Understanding(Intent.RECONFIRM, parts[reconfirmation.part],
                                 referrals=referrals, signals=("reconfirm",))
        signals.append("reconfirmation with reservations")

    if sign_at is not None and not found and not conditional and not questions \
            and "negated yes" not in signals and "conditional yes" not in signals:
        return Understanding(
            Intent.SIGN_ON, parts[sign_at], signer_name=_signer_name(parts),
            signer_type=_signer_type(whole), referrals=referrals, signals=("yes",),
        )
    if sign_at is not None:
        signals.append("yes with reservations")
    for intent, evidence in found:
        if intent == Intent.DECLINE and sign_at is None and held is None:
            return Understanding(intent, evidence, referrals=referrals,
                                 signals=(*signals, "decline"))
    for intent, evidence in found:
        if intent != Intent.DECLINE:
            return Understanding(intent, evidence, signer_name=_signer_name(parts),
                                 referrals=referrals, signals=(*signals, intent.value))
    if referrals and REFERRAL_WORDS.search(whole):
        return Understanding(Intent.REFERRAL, _first(parts, folded_parts, REFERRAL_WORDS),
                             referrals=referrals, signals=(*signals, "referral"))
    if questions:
        return Understanding(Intent.QUESTION, questions[0], referrals=referrals,
                             signals=(*signals, "question"))
    if found and withdrawal is None:  # a decline alongside a yes: a person must read it
        return Understanding(Intent.UNKNOWN, found[0][1], referrals=referrals,
                             signals=(*signals, "contradictory"))
    shown = held or next(iter(marks), None)
    return Understanding(Intent.UNKNOWN, parts[shown.part] if shown else None,
                         referrals=referrals, signals=tuple(signals))


@dataclass(frozen=True)
class _Mark:
    """A withdrawal or a reconfirmation worded in one clause of the reply."""

    intent: Intent
    part: int  # the sentence it is in
    doubt: str | None  # why it decides nothing, as a signal ("negated withdrawal"), or None
    retracted: bool  # a later clause takes it back ("Actually, wait")


_NOUN = {Intent.WITHDRAW: "withdrawal", Intent.RECONFIRM: "reconfirmation"}
# A negated clause before is no doubt when what it negates is the opposite wording: "We will
# not withdraw, keep us on".
_OPPOSITE = {Intent.WITHDRAW: (RECONFIRM,), Intent.RECONFIRM: (WITHDRAW, WITHDRAW_BY_REFUSAL)}


def _marks(folded_parts: list[str]) -> tuple[list[_Mark], list[str]]:
    """The withdrawals and reconfirmations in a reply, and each sentence without the clauses
    they claim (those that are not about something else)."""
    clauses = [(index, clause) for index, folded in enumerate(folded_parts)
               for clause in CLAUSE_END.split(folded) if clause.strip()]
    marks: list[_Mark] = []
    claimed: set[int] = set()
    for at, (index, clause) in enumerate(clauses):
        sentence = folded_parts[index]
        if INSTRUCTION.match(sentence) or INSTRUCTION.match(clause):  # our notice's words
            continue
        # (intent, the words, what else the clause says: only that may negate them)
        wordings = [(Intent.WITHDRAW, WITHDRAW.search(clause), clause),
                    (Intent.RECONFIRM, RECONFIRM.search(clause), clause)]
        refusal = WITHDRAW_BY_REFUSAL.search(clause)
        if wordings[0][1] is None and refusal is not None:
            wordings[0] = (Intent.WITHDRAW, refusal,
                           f"{clause[:refusal.start()]} {clause[refusal.end():]}")
        for intent, match, said in wordings:
            if match is None:
                continue
            earlier = [c for i, c in clauses[:at] if i == index and DENIAL.search(c)
                       and not any(p.search(c) for p in _OPPOSITE[intent])]
            noun = _NOUN[intent]
            doubt = None
            if DENIAL.search(said) or (earlier and not FRESH.match(clause)):
                doubt = f"negated {noun}"
            elif CONDITION.search(sentence) or HEDGE.search(sentence) or PURPOSE.match(clause):
                doubt = f"conditional {noun}"
            elif QUESTION.search(sentence):
                doubt = f"{noun} in a question"
            if doubt is None and OTHER_OBJECT.search(clause):
                doubt = f"{noun} of something else"  # the other rules read this clause
            else:
                claimed.add(at)
            retracted = any(RETRACT.match(c) for _, c in clauses[at + 1:])
            marks.append(_Mark(intent, index, doubt, retracted))
    rest_parts = []
    for index, folded in enumerate(folded_parts):
        mine = [at for at, (i, _) in enumerate(clauses) if i == index]
        rest_parts.append(folded if claimed.isdisjoint(mine) else
                          ", ".join(clauses[at][1] for at in mine if at not in claimed))
    return marks, rest_parts


def _first(parts: list[str], folded_parts: list[str], pattern: re.Pattern[str]) -> str | None:
    for part, folded in zip(parts, folded_parts, strict=True):
        if pattern.search(folded):
            return part
    return None


def _signer_name(parts: list[str]) -> str | None:
    for part in parts:
        for pattern in NAME_PATTERNS:
            match = pattern.search(part)
            if match:
                name = match["name"].strip().rstrip(".").strip(" ,:;\"'“”‘’«»").strip()
                if 2 <= len(name) <= 150 and not EMAIL.search(name) \
                        and fold(name) not in PRONOUNS and not fold(name).startswith("our "):
                    return name
    return None


def _signer_type(folded: str) -> str | None:
    if INDIVIDUAL.search(folded):
        return "individual"
    if ORGANIZATION.search(folded):
        return "organization"
    return None


def _referrals(parts: list[str], own_addresses: Iterable[str]) -> tuple[Referral, ...]:
    own = {a.lower() for a in own_addresses}
    found: dict[str, Referral] = {}
    for part in parts:
        for match in EMAIL.finditer(part):
            email = match.group(0).rstrip(".").lower()
            local = email.split("@", 1)[0]
            if email in own or email in found \
                    or local.split("+")[0] in ("reply", "unsubscribe", "bounce"):
                continue
            before = NAME_BEFORE_EMAIL.search(part[: match.start()])
            found[email] = Referral(email, before["name"] if before else None)
    return tuple(found.values())
