"""Ce que coûte et ce qu'a rendu le LLM pour un rapport : jetons, appels, réponses en échec.

Les jetons sont ceux que l'API rapporte (`usage`), additionnés sur tous les appels, ceux
d'une réponse rejetée compris : une fiche produite par repli sur les règles garde ainsi
ce que la tentative a coûté. Les réponses brutes rejetées (tronquées, JSON invalide, hors
schéma) sont gardées pour le fichier de diagnostic écrit à côté de la fiche
(`fiche.production.ecrire_diagnostic`) : c'est ce qu'il faut pour comprendre un échec
sur un point d'accès qu'on évalue.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from extracteurs.modeles import Document
from fiche.llm.client import AppelantLlm, Completion
from socle.erreurs import LlmError


@dataclass
class ReponseRejetee:
    pages: list[int]
    fin: str | None
    erreur: str
    jetons_entree: int | None
    jetons_sortie: int | None
    max_tokens: int
    contenu: str


@dataclass
class Jetons:
    """Jetons comptés par l'API (None tant qu'aucun appel n'en a rapporté)."""

    entree: int | None = None
    sortie: int | None = None
    appels: int = 0
    depuis_cache: int = 0
    estimes: int = 0
    morceaux: list[list[int]] = field(default_factory=list)
    rejetees: list[ReponseRejetee] = field(default_factory=list)

    def ajouter(self, entree: int | None, sortie: int | None) -> None:
        if entree is not None:
            self.entree = (self.entree or 0) + entree
        if sortie is not None:
            self.sortie = (self.sortie or 0) + sortie

    def compter(self, completion: Completion, requetes: int = 1) -> None:
        self.appels += requetes
        self.ajouter(completion.jetons_entree, completion.jetons_sortie)

    def rejeter(
        self, completion: Completion, pages: list[int], erreur: str, max_tokens: int
    ) -> None:
        self.rejetees.append(
            ReponseRejetee(
                pages=pages,
                fin=completion.fin,
                erreur=erreur,
                jetons_entree=completion.jetons_entree,
                jetons_sortie=completion.jetons_sortie,
                max_tokens=max_tokens,
                contenu=completion.contenu or "",
            )
        )


def appeler_en_comptant(
    appelant: AppelantLlm, messages: list[dict[str, str]], jetons: Jetons
) -> Completion:
    """Un appel (réessais compris) : ses requêtes et ses jetons comptés, même en échec ;
    un refus du modèle lève `LlmError` (la fiche se replie, cause dite)."""
    try:
        completion = appelant.appeler(messages)
    except LlmError:
        jetons.appels += appelant.essais_faits  # requêtes parties, sans réponse
        raise
    jetons.compter(completion, appelant.essais_faits)
    if completion.refus:
        raise LlmError(f"Le modèle a refusé de répondre (« {completion.refus[:160]} »)")
    return completion


def diagnostic(
    document: Document, jetons: Jetons, modele: str | None, note: str | None
) -> dict[str, Any]:
    """Le contenu du fichier de diagnostic (JSON) d'un rapport."""
    return {
        "fichier": Path(document.fichier).name,
        "sha256": document.sha256,
        "modele": modele,
        "note": note,
        "appels": jetons.appels,
        "jetons_entree": jetons.entree,
        "jetons_sortie": jetons.sortie,
        "reponses_rejetees": [asdict(r) for r in jetons.rejetees],
    }


def texte_diagnostic(contenu: dict[str, Any]) -> str:
    return json.dumps(contenu, ensure_ascii=False, indent=2) + "\n"
