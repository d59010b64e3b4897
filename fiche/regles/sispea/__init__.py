"""Indicateurs réglementaires SISPEA (arrêté du 2 mai 2007) lus dans un RPQS ou un RAD eau
et assainissement : chaque valeur avec sa page et sa citation, dans l'unité SISPEA.

Sources, de la plus sûre à la moins sûre : la rangée de tableau qui commence par le code
imprimé (`rangees`), la phrase qui énonce la valeur sous le code (`recit`), le taux du
petit tableau sous le titre au code (`stations`), la colonne dont l'en-tête porte le code
(`colonnes`), le libellé réglementaire sans code sous un en-tête d'années (`libelles`), la
facture de 120 m³ pour le prix au m³
(`prix`). Plusieurs sources qui donnent des nombres différents
pour un même code : abstention (mieux vaut vide que faux). Une source qui dit « NEANT »,
« ND », « Sans objet »... donne un champ vide qui garde sa citation, sauf si une autre
source donne un nombre. Une valeur hors des bornes du référentiel est écartée.
"""

from __future__ import annotations

import math

from extracteurs.modeles import Document
from fiche.modeles import Ancrage, Champ
from fiche.regles.champs import champ_calcule, champ_exact
from fiche.regles.sispea.colonnes import candidats_colonnes
from fiche.regles.sispea.libelles import candidats_libelles
from fiche.regles.sispea.prix import candidats_prix
from fiche.regles.sispea.rangees import candidats_rangees
from fiche.regles.sispea.recit import candidats_recit
from fiche.regles.sispea.referentiel import referentiel
from fiche.regles.sispea.stations import candidats_stations
from fiche.regles.sispea.valeurs import Candidat, dans_les_bornes

__all__ = ["candidats", "indicateurs_sispea"]

_PRIORITE = {"tableau": 0, "recit": 1, "libelle": 2, "colonne": 2, "station": 2, "calcul": 3}


def candidats(document: Document, exercice: int) -> list[Candidat]:
    """Toutes les lectures, toutes sources confondues (utile aux contrôles et au banc)."""
    lus = (
        candidats_rangees(document, exercice)
        + candidats_recit(document, exercice)
        + candidats_stations(document, exercice)
        + candidats_colonnes(document)
        + candidats_libelles(document, exercice)
    )
    codes_lus = {c.code for c in lus if c.nombre is not None}
    lus += [c for c in candidats_prix(document, exercice) if c.code not in codes_lus]
    return [
        c
        for c in lus
        if c.nombre is None
        or (math.isfinite(c.nombre) and dans_les_bornes(c.nombre, referentiel()[c.code]))
    ]


def _egaux(a: float, b: float) -> bool:
    """Même valeur à l'arrondi près (16,76 et 16,8 ne se contredisent pas)."""
    return math.isclose(a, b, abs_tol=0.05 + 1e-9) or math.isclose(a, b, rel_tol=1e-6)


def _retenir(lus: list[Candidat]) -> Champ[float] | None:
    lus = sorted(lus, key=lambda c: _PRIORITE[c.source])
    nombres = [c for c in lus if c.nombre is not None]
    if not nombres:
        vide = lus[0]
        return Champ[float](valeur=None, page=vide.page, citation=vide.citation)
    premier = nombres[0]
    assert premier.nombre is not None
    if any(c.nombre is not None and not _egaux(c.nombre, premier.nombre) for c in nombres[1:]):
        return None  # sources contradictoires : l'agent tranchera, la règle s'abstient
    fabrique = champ_calcule if premier.source == "calcul" else champ_exact
    champ = fabrique(premier.nombre, premier.page, premier.citation)
    if premier.converti:
        champ.ancrage = Ancrage.APPROCHE  # « Conforme » lu 100 : le nombre n'est pas imprimé
    return champ


def indicateurs_sispea(document: Document, exercice: int | None) -> dict[str, Champ[float]]:
    """Code SISPEA → valeur de l'exercice (vide déclaré : valeur None et sa citation)."""
    if exercice is None:
        return {}  # sans exercice, impossible de choisir la colonne : rien plutôt que N-1
    par_code: dict[str, list[Candidat]] = {}
    for candidat in candidats(document, exercice):
        par_code.setdefault(candidat.code, []).append(candidat)
    retenus = {code: _retenir(lus) for code, lus in par_code.items()}
    # Ordre de lecture : descriptifs (D) puis performances (P), par numéro.
    return {
        code: champ
        for code, champ in sorted(retenus.items(), key=lambda kv: (kv[0][0] != "D", kv[0]))
        if champ is not None
    }
