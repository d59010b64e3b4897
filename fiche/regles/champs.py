"""Fabrication des `Champ` des règles : toujours une page et une citation verbatim."""

from __future__ import annotations

import re
from typing import TypeVar

from fiche.modeles import Ancrage, Champ, Origine

T = TypeVar("T")


def champ_exact(valeur: T, page: int, citation: str) -> Champ[T]:
    """Valeur recopiée d'une cellule ou d'une ligne telle qu'imprimée."""
    return Champ[T](
        valeur=valeur, page=page, citation=citation, ancrage=Ancrage.EXACT, origine=Origine.REGLES
    )


def champ_calcule(valeur: T, page: int, citation: str) -> Champ[T]:
    """Valeur dérivée par arithmétique ; la citation énumère les textes sources utilisés."""
    return Champ[T](
        valeur=valeur,
        page=page,
        citation=citation,
        ancrage=Ancrage.CALCULE,
        origine=Origine.REGLES,
    )


_CALCUL = re.compile(r"\s[+−]\s")
_SIGNE = re.compile(r"^[-−–]\s*|\s*[-−–]$")


def forme_absolue(citation: str) -> str:
    """Un terme d'une citation calculée tel qu'il compte dans l'opération : un montant sans
    son signe imprimé (« (2 346,2) » → « 2 346,2 », la valeur du poste étant positive), un
    calcul entre parenthèses (« (a + b) ») pour que « a + b − c » ne se lise pas autrement."""
    texte = citation.strip()
    if _CALCUL.search(texte):
        return f"({texte})"
    if texte.startswith("(") and texte.endswith(")"):
        texte = texte[1:-1].strip()
    return _SIGNE.sub("", texte)


def champ_vide() -> Champ[T]:
    return Champ[T](valeur=None, ancrage=Ancrage.ABSENT, origine=Origine.REGLES)
