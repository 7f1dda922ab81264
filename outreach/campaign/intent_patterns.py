"""The words a reply is read with, in English, Spanish and French: one pattern per idea
(a yes to sign, a negation, a condition, a withdrawal...), kept apart from the reading
logic in `outreach.campaign.intent`. Every pattern is written in `fold`ed text.
"""

from __future__ import annotations

import re
import unicodedata


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
# Starts only where a run of white space starts, so a long run is scanned once.
CLAUSE_END = re.compile(r"(?<!\s)\s*+(?:[,:–—]|(?<=\s)-+(?=\s))\s*+")

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
        r"^(?:(?:yes|yep|yeah|si|sí|oui|sim|ja)\b[,!:\s]+)?"
        r"(?P<name>[A-ZÁÉÍÓÚÑÀ-Ý][^\n;!?]{1,150}?) (?:signs on|will sign|is signing|firma"
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
