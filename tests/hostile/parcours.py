"""Aides des tests hostiles : corpus généré à la demande, parcours complet d'un rapport."""

from __future__ import annotations

from pathlib import Path

from controles import controler
from extracteurs.document import extraire
from extracteurs.modeles import Document
from fiche.modeles import Anomalie, Fiche
from fiche.production import produire_fiche
from socle.reglages import Reglages
from tests.hostile.generer import generer


class CorpusHostile:
    """Chaque sorte n'est générée qu'au premier test qui la demande."""

    def __init__(self, dossier: Path) -> None:
        self.dossier = dossier
        self._faits: dict[str, list[Path]] = {}

    def fichiers(self, sorte: str) -> list[Path]:
        if sorte not in self._faits:
            self._faits[sorte] = generer(self.dossier, [sorte])[sorte]
        return self._faits[sorte]

    def fichier(self, sorte: str) -> Path:
        (chemin, *_) = self.fichiers(sorte)
        return chemin


def fiche_controlee(chemin: Path, reglages: Reglages) -> tuple[Document, Fiche]:
    """Le parcours d'un rapport en mode règles : extraction, fiche, contrôles."""
    document = extraire(chemin, reglages)
    return document, controler(produire_fiche(document, "regles", reglages), document, reglages)


def par_code(fiche: Fiche, code: str) -> list[Anomalie]:
    return [a for a in fiche.anomalies if a.code == code]
