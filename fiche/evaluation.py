"""Comparaison d'une fiche produite avec la fiche de référence d'un échantillon.

Champs « cœur » (ticket 3) : l'identification (collectivité, objet, secteur, délégataire,
type de contrat, dates, exercice) et les sept postes principaux pour N et N-1. Un champ
est exact quand les deux valeurs concordent après normalisation (casse, accents,
espaces, ponctuation de bord ; montants à 0,5 € près) — y compris quand la référence
est vide et la fiche aussi.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from extracteurs.entetes import sans_accents
from fiche.modeles import POSTES_PRINCIPAUX as POSTES_PRINCIPAUX  # réexporté
from fiche.modeles import Champ, Fiche

CHAMPS_IDENTIFICATION = (
    "collectivite",
    "objet",
    "secteur",
    "delegataire",
    "type_contrat",
    "date_debut",
    "date_fin",
    "exercice",
)
TOLERANCE_EUROS = 0.5


class Comparaison(BaseModel):
    champ: str
    attendu: Any
    obtenu: Any
    exact: bool
    page_citation: bool  # la valeur obtenue porte une page et une citation (si non vide)
    famille: Literal["identification", "poste"]


def normaliser_texte(texte: str) -> str:
    sans = sans_accents(texte).casefold()
    sans = re.sub(r"[’'`]", "'", sans)
    sans = re.sub(r"\s+", " ", sans)
    return sans.strip(" .,;:«»\"'")


def valeurs_egales(attendu: Any, obtenu: Any) -> bool:
    if attendu is None or obtenu is None:
        return attendu is None and obtenu is None
    if isinstance(attendu, bool) or isinstance(obtenu, bool):
        return bool(attendu == obtenu)
    if isinstance(attendu, (int, float)) and isinstance(obtenu, (int, float)):
        return math.isclose(float(attendu), float(obtenu), rel_tol=1e-9, abs_tol=TOLERANCE_EUROS)
    if isinstance(attendu, date) or isinstance(obtenu, date):
        return str(attendu) == str(obtenu)
    return normaliser_texte(str(attendu)) == normaliser_texte(str(obtenu))


def _porte_provenance(champ: Champ[Any] | None) -> bool:
    if champ is None or champ.valeur is None:
        return True
    return champ.page is not None and bool(champ.citation)


def _comparer(
    nom: str,
    famille: Literal["identification", "poste"],
    attendu: Champ[Any] | None,
    obtenu: Champ[Any] | None,
) -> Comparaison:
    a = attendu.valeur if attendu else None
    o = obtenu.valeur if obtenu else None
    return Comparaison(
        champ=nom,
        attendu=a,
        obtenu=o,
        exact=valeurs_egales(a, o),
        page_citation=_porte_provenance(obtenu),
        famille=famille,
    )


def annees_cles(reference: Fiche) -> list[str]:
    exercice = reference.identification.exercice.valeur
    if exercice is None:
        return []
    return [str(exercice), str(exercice - 1)]


def comparer_coeur(fiche: Fiche, reference: Fiche) -> list[Comparaison]:
    """Une comparaison par champ cœur de la référence."""
    resultats = [
        _comparer(
            f"identification.{nom}",
            "identification",
            getattr(reference.identification, nom),
            getattr(fiche.identification, nom),
        )
        for nom in CHAMPS_IDENTIFICATION
    ]
    for poste in POSTES_PRINCIPAUX:
        for annee in annees_cles(reference):
            resultats.append(
                _comparer(
                    f"financier.postes.{poste}.{annee}",
                    "poste",
                    reference.financier.postes.get(poste, {}).get(annee),
                    fiche.financier.postes.get(poste, {}).get(annee),
                )
            )
    return resultats


def taux_exact(comparaisons: list[Comparaison]) -> float:
    return sum(c.exact for c in comparaisons) / len(comparaisons) if comparaisons else 1.0
