"""Repérage du texte adressé à une IA dans un rapport (injection d'instructions).

Catalogue `controles.md`, code `INSTRUCTIONS_SUSPECTES` (alerte) : un rapport n'a aucune
raison de donner des ordres à un outil d'IA. Le passage est signalé à l'agent dans tous
les modes ; en mode LLM il reste de toute façon dans la zone « document » balisée que
les consignes demandent d'ignorer en tant qu'instructions.
"""

from __future__ import annotations

import re

from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document, Ligne
from fiche.modeles import Anomalie, Gravite

CODE = "INSTRUCTIONS_SUSPECTES"
REGLE = "Sécurité : un rapport ne contient pas d'instructions destinées à une IA"

_MOTIFS = [
    r"\bignor(?:e|ez|er)\b.{0,40}\b(?:instructions?|consignes?|regles?|ce qui precede)",
    r"\boubli(?:e|ez|er)\b.{0,40}\b(?:instructions?|consignes?|regles?)",
    r"\b(?:reponds|repondez)\b.{0,20}\bque\b",
    r"\b(?:tu es|vous etes|agis|agissez)\b.{0,30}"
    r"\b(?:assistant|ia|intelligence artificielle|modele|chatbot)",
    r"\b(?:ignore|disregard|forget)\b.{0,30}\b(?:previous|above|prior)\b.{0,20}\binstructions?",
    r"\b(?:system prompt|prompt systeme|jailbreak)\b",
    r"\b(?:en tant qu'|as an?) "
    r"(?:ia|ai|intelligence artificielle|language model|modele de langage)",
    r"\b(?:a l'attention|destine) (?:de l'|a l'|aux?) "
    r"(?:ia|intelligence artificielle|outils? d'ia|llm)",
]
_RE = re.compile("|".join(f"(?:{m})" for m in _MOTIFS), re.IGNORECASE)


def lignes_suspectes(document: Document) -> list[Ligne]:
    return [ligne for ligne in document.lignes() if _RE.search(sans_accents(ligne.texte).lower())]


def detecter_instructions(document: Document) -> list[Anomalie]:
    """Une anomalie par page portant un texte adressé à une IA, avec la citation."""
    par_page: dict[int, list[Ligne]] = {}
    for ligne in lignes_suspectes(document):
        par_page.setdefault(ligne.page, []).append(ligne)
    return [
        Anomalie(
            code=CODE,
            gravite=Gravite.ALERTE,
            message=(
                f"Le rapport contient, page {page}, un texte qui s'adresse à un outil "
                f"d'intelligence artificielle (« {lignes[0].texte.strip()[:160]} »). Il n'a "
                "pas été suivi ; vérifiez la fiche à la main et signalez ce passage au "
                "délégataire."
            ),
            champs=[],
            pages=[page],
            regle=REGLE,
        )
        for page, lignes in sorted(par_page.items())
    ]
