"""Probe the reader's doubt rules: every real yes of the blind sets, followed by a sentence that
makes it wait or takes it back, must no longer be a sign-on. Prints one JSON line.

    .venv/bin/python bench/doubts.py [--every K] [--failures N]

For each reply labelled `sign` in tests/data/replies_blind*/ (and pending/) that the reader
reads as a sign-on, the sentence that said yes (its evidence) is taken alone, and each sentence
of `DOUBTS` in the reply's language is put after it, in a paragraph of its own under it, and
before it: a condition said on its own ("Assuming the coalition drops the part about
rates."), a writer who cannot commit the organization, a decider still to agree, a check
still to make, a change wanted first. The sentences of `TAKEN_BACK` ("Nevermind, our lawyer
says no.") go after it, and in a paragraph under it. The yes and the doubt are read together by
`outreach.campaign.intent.understand`; a sign-on is a miss (target: none).

This is a regression guard written from the issue's categories, not a blind measure: the
sentences are ours, and the rules were fixed for them. `--every K` probes every K-th yes only.

A second probe puts each sentence of `DENIED_STOPS` ("Please don't unsubscribe us from the
updates.", "Nous ne retirons pas notre signature.") beside each yes that ends with its own stop:
it may not be read as a withdrawal, an unsubscribe or a decline (target: none).

Figures: `yeses` (distinct yes sentences probed), `doubts` (sentences), `probes`,
`still_sign_on` (misses), `denied_stop_probes`, `read_as_stop` (misses), and the same per
language.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from outreach.campaign.intent import Intent, understand  # noqa: E402
from outreach.campaign.reading import classify  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replies import LETTER_TITLE, build  # noqa: E402

DOUBTS = {
    "en": ["I haven't been able to reach our director yet.",
           "Our board meets next Tuesday to decide.", "I'm only an intern here.",
           "We can only sign if the point on rates is removed.",
           "This depends on our lawyer's review.", "I'm writing in a personal capacity.",
           "The decision isn't mine to make.", "Our members vote on this at the March assembly.",
           "But I need to check with our board first.",
           "That is, if the board approves it on Thursday.", "Only if you drop point 3, though.",
           "I'm just a volunteer though, so I can't speak for the organization.",
           "We'd want the language on wells changed first.",
           "Let me get back to you on it next week.", "Our ED still has to sign off on it.",
           "Assuming the coalition drops the part about rates.",
           "Please don't list us until I confirm.", "Well, I think so, anyway; I'll double-check.",
           "Pending approval from our national office."],
    "es": ["Todavía no he podido hablar con la directora.",
           "La junta se reúne el martes para decidirlo.", "Solo soy practicante aquí.",
           "Solo podemos firmar si quitan el punto sobre tarifas.",
           "Esto depende de la revisión de nuestro abogado.", "La decisión no me corresponde a mí.",
           "Pero primero tengo que consultarlo con la junta.",
           "Siempre y cuando quiten el punto 3.",
           "Solo soy voluntaria, no puedo hablar por la organización.",
           "Te confirmo la próxima semana.", "Falta que la directiva lo apruebe.",
           "No nos pongan todavía hasta que confirme."],
    "fr": ["Je n'ai pas encore pu joindre notre directrice.",
           "Le conseil se réunit mardi prochain pour décider.", "Je ne suis que stagiaire ici.",
           "Nous ne pouvons signer que si le point sur les tarifs est retiré.",
           "Cela dépend de l'avis de notre avocat.", "La décision ne m'appartient pas.",
           "Mais je dois d'abord en parler au conseil d'administration.",
           "À condition que vous retiriez le point 3.",
           "Je ne suis que bénévole, je ne peux pas engager l'association.",
           "Je vous confirme la semaine prochaine.", "Le bureau doit encore valider.",
           "Ne nous ajoutez pas encore, j'attends la confirmation."],
    "pt": ["Ainda não consegui falar com a diretora.",
           "A diretoria se reúne terça que vem para decidir.", "Sou só estagiária aqui.",
           "Só podemos assinar se tirarem o ponto sobre tarifas.",
           "Isso depende da análise do nosso advogado.", "A decisão não cabe a mim.",
           "Mas antes preciso consultar a diretoria.",
           "Desde que tirem o ponto 3.",
           "Sou só voluntária, não posso falar pela organização.", "Confirmo na semana que vem.",
           "Ainda falta a aprovação da diretoria.",
           "Não coloquem a gente ainda, aguardem minha confirmação."],
    "de": ["Ich habe unsere Geschäftsführerin noch nicht erreicht.",
           "Der Vorstand tagt nächsten Dienstag und entscheidet dann.",
           "Ich bin hier nur Praktikantin.",
           "Wir können nur unterschreiben, wenn der Punkt zu den Tarifen gestrichen wird.",
           "Das hängt von der Prüfung durch unseren Anwalt ab.",
           "Die Entscheidung liegt nicht bei mir.",
           "Aber ich muss das erst mit dem Vorstand besprechen.",
           "Vorausgesetzt, ihr streicht Punkt 3.",
           "Ich bin nur Ehrenamtliche und kann nicht für den Verein sprechen.",
           "Ich melde mich nächste Woche mit der Bestätigung.", "Der Vorstand muss noch zustimmen.",
           "Tragt uns bitte noch nicht ein, erst nach meiner Bestätigung."],
}

# Sentences that take back a yes said before them: probed after the yes only.
TAKEN_BACK = {
    "en": ["Actually, wait, let me confirm with our director before you add us.",
           "Sorry, scratch that, we can't sign after all.",
           "Hmm, on second thought, hold off for now.",
           "Nevermind, our lawyer says no."],
    "es": ["Bueno, espera, mejor lo confirmo con la directora antes.",
           "Perdón, olvídalo, al final no podemos firmar."],
    "fr": ["Attendez, je préfère vérifier avec la directrice avant.",
           "Pardon, oubliez ça, finalement nous ne pouvons pas signer."],
    "pt": ["Espera, melhor confirmar com a coordenadora antes.",
           "Desculpa, esquece, no fim não podemos assinar."],
    "de": ["Moment, ich kläre das lieber vorher mit unserer Geschäftsführerin.",
           "Sorry, vergesst das, wir können doch nicht unterschreiben."],
}


# Sentences that deny a stop to the mail or to the signature: beside a yes they take nothing
# off (no withdrawal, unsubscribe or decline may be read).
DENIED_STOPS = {
    "en": ["We won't withdraw.", "No need to remove us.", "Others have withdrawn, but not us.",
           "Please don't take us off the letter.",
           "Please don't unsubscribe us from the updates.", "We are not asking to opt out.",
           "Don't stop sending the updates, we read them."],
    "es": ["No vamos a retirar nuestra firma.", "No hace falta que nos quiten.",
           "Por favor no nos den de baja de las novedades.", "Otros se retiraron, nosotros no."],
    "fr": ["Nous ne retirons pas notre signature.", "Pas besoin de nous retirer.",
           "Ne nous désabonnez pas des nouvelles, svp.", "D'autres se sont retirés, pas nous."],
    "pt": ["Não vamos retirar a nossa assinatura.", "Não precisa nos tirar.",
           "Por favor não nos descadastrem das novidades.", "Outros saíram, nós não."],
    "de": ["Wir ziehen unsere Unterschrift nicht zurück.", "Ihr müsst uns nicht streichen.",
           "Bitte meldet uns nicht vom Newsletter ab.", "Andere sind ausgestiegen, wir nicht."],
}
_STOPS = (Intent.WITHDRAW, Intent.UNSUBSCRIBE, Intent.DECLINE)


def yeses() -> list[tuple[str, str, str]]:
    """(language, organization, the sentence that said yes) for every real yes read as one."""
    found: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    data = REPO / "tests" / "data"
    for path in sorted([*data.glob("replies_blind*/replies.jsonl"),
                        *data.glob("pending/replies_blind*/replies.jsonl")]):
        for line in path.read_text(encoding="utf-8").splitlines():
            reply = json.loads(line) if line.strip() else None
            if not reply or reply["expected"]["action"] != "sign":
                continue
            result = classify(build(reply), organization=reply["organization"],
                              letter_title=LETTER_TITLE)
            understood = result.understanding
            if understood is None or understood.intent != Intent.SIGN_ON \
                    or not understood.evidence or understood.evidence.strip() in seen:
                continue
            seen.add(understood.evidence.strip())
            found.append((reply["lang"], reply["organization"], understood.evidence.strip()))
    return found


def probe(every: int = 1) -> tuple[dict[str, Any], list[str]]:
    probes: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    failures: list[str] = []
    probed = yeses()[::every]
    for lang, organization, yes in probed:
        for doubt in [*DOUBTS[lang], *TAKEN_BACK[lang]]:
            # a new sentence after the yes (after its own stop, or on a line of its own),
            # the same in a paragraph of its own under it (a long reply's other paragraphs
            # are read apart), and the same sentence before it, unless it takes back what
            # came before
            after = f"{yes} {doubt}" if yes.endswith((".", "!", "?")) else f"{yes}\n{doubt}"
            apart = f"{yes}\n\n{doubt}"
            before = [] if doubt in TAKEN_BACK[lang] else [f"{doubt} {yes}"]
            for text in (after, apart, *before):
                probes[lang] += 1
                if understand(text, organization=organization).intent == Intent.SIGN_ON:
                    missed[lang] += 1
                    failures.append(f"{lang}: {text!r}")
    stops: Counter[str] = Counter()
    read_as_stop: Counter[str] = Counter()
    for lang, organization, yes in probed:
        if not yes.endswith((".", "!", "?")):
            continue  # (glued to the yes, a denial would be read in its sentence)
        for denied in DENIED_STOPS[lang]:
            for text in (f"{yes} {denied}", f"{denied} {yes}"):
                stops[lang] += 1
                if understand(text, organization=organization).intent in _STOPS:
                    read_as_stop[lang] += 1
                    failures.append(f"{lang} (a stop read): {text!r}")
    return {
        "yeses": len(probed),
        "doubts": sum(map(len, DOUBTS.values())) + sum(map(len, TAKEN_BACK.values())),
        "probes": sum(probes.values()), "still_sign_on": sum(missed.values()),
        "denied_stop_probes": sum(stops.values()), "read_as_stop": sum(read_as_stop.values()),
        "per_language": {lang: {"probes": probes[lang], "still_sign_on": missed[lang],
                                "denied_stop_probes": stops[lang],
                                "read_as_stop": read_as_stop[lang]}
                         for lang in sorted(probes)},
    }, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, default=1, help="probe every K-th yes only")
    parser.add_argument("--failures", type=int, default=40, help="how many to list on stderr")
    args = parser.parse_args()
    report, failures = probe(args.every)
    for line in failures[:args.failures]:
        print(line, file=sys.stderr)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
