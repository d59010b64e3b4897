"""Socle des contrôles : le contexte qu'ils lisent et la forme commune d'un contrôle.

Un contrôle est une fonction pure `Contexte -> list[Anomalie]` : elle ne modifie rien, ne
lève jamais (un contrôle qui ne peut pas conclure ne rend rien) et sa docstring cite la
règle ou l'article qu'elle applique. Les seuils viennent de `socle.reglages.SeuilsControles`
(défauts du catalogue, surchargeables par secteur).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from extracteurs.modeles import Document
from fiche.modeles import Anomalie, Fiche
from socle.reglages import SeuilsControles


@dataclass(frozen=True)
class Contexte:
    fiche: Fiche
    document: Document
    seuils: SeuilsControles
    historique: list[Fiche] = field(default_factory=list)
    """Fiches validées des exercices précédents du même contrat (la plus récente d'abord)."""


Controle = Callable[[Contexte], list[Anomalie]]
