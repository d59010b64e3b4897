"""Fabrication des `Champ` des règles : toujours une page et une citation verbatim."""

from __future__ import annotations

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


def champ_vide() -> Champ[T]:
    return Champ[T](valeur=None, ancrage=Ancrage.ABSENT, origine=Origine.REGLES)
