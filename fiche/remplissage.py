"""Interface commune des remplisseurs : un `Document` en entrée, une `Fiche` en sortie.

Deux implémentations : `fiche.regles` (déterministe, le défaut et le mode de continuité)
et `fiche.llm` (tout point d'accès compatible OpenAI, repli sur les règles). Chaque valeur
porte sa page et sa citation ; l'ancrage est recalculé ensuite pour toutes
(`fiche.ancrage`), quel que soit le remplisseur.
"""

from __future__ import annotations

from typing import Literal, Protocol

from extracteurs.modeles import Document
from fiche.modeles import Fiche

Mode = Literal["regles", "llm", "auto"]


class Remplisseur(Protocol):
    mode: Literal["regles", "llm"]

    def remplir(self, document: Document) -> Fiche:
        """Remplit la fiche ; ne lève pas pour un rapport incomplet (valeurs `null`)."""
        ...
