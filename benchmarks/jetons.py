"""Banc d'essai des jetons LLM : prompt avec choix des pages contre prompt du texte entier.

Sur le plus long échantillon (`eau_potable_2023.pdf`, 45 pages), compare les jetons
d'entrée estimés (`fiche.llm.estimer_jetons`, 3,5 caractères par jeton : tiktoken est
inutilisable hors ligne) de trois prompts complets (consignes + schéma + document) :
- texte entier : toutes les lignes de toutes les pages, telles qu'extraites ;
- texte entier nettoyé : sans pieds de page ni en-têtes répétés ;
- pages choisies : ce que `RemplisseurLlm` envoie vraiment (cible ≤ 0,5 × le texte entier).
Pour tout le corpus, vérifie aussi que les pages choisies couvrent toutes les pages où la
fiche d'or lit une valeur ou situe une partie obligatoire (sinon le choix coûterait des
valeurs). Écrit la section « ## Jetons LLM » de `benchmarks/RESULTS.md`.

Usage : `uv run python benchmarks/jetons.py [--corpus DOSSIER] [--resultats FICHIER]`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
sys.path.insert(0, str(RACINE))

from extraction import remplacer_section  # noqa: E402  (même dossier : benchmarks/)

from extracteurs.document import extraire  # noqa: E402
from extracteurs.modeles import Document  # noqa: E402
from fiche.ancrage import champs_de  # noqa: E402
from fiche.llm import VERSION_PROMPT  # noqa: E402
from fiche.llm.invites import (  # noqa: E402
    gabarit,
    message_systeme,
    preparer_morceaux,
    remplir_gabarit,
)
from fiche.llm.pseudonymes import sans_masque  # noqa: E402
from fiche.llm.schema import schema_strict  # noqa: E402
from fiche.llm.selection import estimer_jetons, selectionner_pages  # noqa: E402
from fiche.modeles import Fiche  # noqa: E402

LONG = "eau_potable_2023.pdf"
SANS_LIMITE = 10**9  # un seul morceau : on compare des prompts entiers
EXTENSIONS = {".pdf", ".docx", ".xlsx", ".odt", ".html"}


def prompt_texte_entier(document: Document) -> int:
    """Le prompt naïf : chaque ligne de chaque page, sans choix ni nettoyage."""
    corps = "\n".join(
        f"=== page {page.numero} ===\n"
        + "\n".join(f"{ligne.id} | {ligne.texte}" for ligne in page.lignes)
        for page in document.pages
    )
    utilisateur = remplir_gabarit(
        gabarit("document"),
        fichier=Path(document.fichier).name,
        nb_pages=str(len(document.pages)),
        transmises="Toutes les pages sont transmises.",
        morceau="",
        document=corps,
    )
    schema = json.dumps(schema_strict(), ensure_ascii=False)
    return estimer_jetons(message_systeme() + utilisateur) + estimer_jetons(schema)


def prompt_prepare(document: Document, *, selection: bool, max_jetons: int = SANS_LIMITE) -> int:
    morceaux = preparer_morceaux(document, max_jetons, sans_masque, selection=selection)
    return sum(m.jetons_estimes for m in morceaux)


def pages_de_l_or(fiche: Fiche) -> set[int]:
    """Pages où la fiche d'or lit une valeur ou situe une partie obligatoire."""
    pages = {c.page for _, c in champs_de(fiche) if c.valeur is not None and c.page}
    return pages | {e.page for e in fiche.conformite.values() if e.present and e.page}


def mesurer(chemin: Path) -> dict[str, Any]:
    document = extraire(chemin)
    choisies = selectionner_pages(document)
    or_ = chemin.with_name(chemin.name.rsplit(".", 1)[0] + ".fiche.json")
    manquantes: list[int] = []
    if or_.exists():
        fiche = Fiche.model_validate_json(or_.read_text(encoding="utf-8"))
        manquantes = sorted(pages_de_l_or(fiche) - set(choisies))
    return {
        "fichier": chemin.name,
        "pages": len(document.pages),
        "choisies": len(choisies),
        "entier": prompt_texte_entier(document),
        "nettoye": prompt_prepare(document, selection=False),
        "choix": prompt_prepare(document, selection=True),
        "morceaux_24k": len(preparer_morceaux(document, 24000, sans_masque)),
        "manquantes": manquantes,
    }


def section(mesures: list[dict[str, Any]]) -> str:
    long = next(m for m in mesures if m["fichier"] == LONG)
    ratio = long["choix"] / long["entier"]
    total_entier = sum(m["entier"] for m in mesures)
    total_choix = sum(m["choix"] for m in mesures)
    couverts = sum(not m["manquantes"] for m in mesures)
    lignes = [
        "## Jetons LLM (`benchmarks/jetons.py`)",
        "",
        f"Mesuré le {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, consignes `{VERSION_PROMPT}`. "
        "Jetons d'entrée **estimés** (3,5 caractères par jeton, tiktoken inutilisable hors "
        "ligne) pour le prompt complet : consignes, schéma de réponse et document. Les "
        "fiches produites enregistrent en plus les jetons comptés par l'API "
        "(`production.jetons_entree`, `jetons_sortie`).",
        "",
        f"**{LONG}** ({long['pages']} pages) : texte entier {long['entier']} jetons, "
        f"texte entier nettoyé (pieds de page, en-têtes répétés) {long['nettoye']}, "
        f"pages choisies ({long['choisies']} pages) **{long['choix']}**, soit "
        f"**{ratio:.2f} ×** le texte entier (cible ≤ 0,5 : "
        f"{'atteinte' if ratio <= 0.5 else 'MANQUÉE'}).",
        "",
        f"Corpus : {total_choix} jetons contre {total_entier} "
        f"({total_choix / total_entier:.2f} ×) ; pages de la fiche d'or toutes envoyées "
        f"pour {couverts}/{len(mesures)} rapports.",
        "",
        "| rapport | pages | choisies | texte entier | nettoyé | choix | ratio | morceaux (24 k) "
        "| pages d'or omises |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in mesures:
        lignes.append(
            f"| {m['fichier']} | {m['pages']} | {m['choisies']} | {m['entier']} | "
            f"{m['nettoye']} | {m['choix']} | {m['choix'] / m['entier']:.2f} | "
            f"{m['morceaux_24k']} | {', '.join(map(str, m['manquantes'])) or '—'} |"
        )
    return "\n".join(lignes) + "\n"


def main() -> None:
    analyse = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyse.add_argument("--corpus", type=Path, default=RACINE / "samples" / "corpus")
    analyse.add_argument("--resultats", type=Path, default=ICI / "RESULTS.md")
    args = analyse.parse_args()
    fichiers = sorted(p for p in args.corpus.iterdir() if p.suffix.lower() in EXTENSIONS)
    mesures = []
    for chemin in fichiers:
        print(f"Mesure : {chemin.name}…", flush=True)
        mesures.append(mesurer(chemin))
    texte = section(mesures)
    remplacer_section(args.resultats, "## Jetons LLM", texte)
    print(texte)


if __name__ == "__main__":
    main()
