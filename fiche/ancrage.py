"""Ancrage : chaque valeur de la fiche est recherchée de nouveau sur sa page citée.

Quel que soit le remplisseur (règles, LLM, agent), `ancrage` dit si la valeur se retrouve
dans la source : `exact` (cellule ou texte identique sur la page), `approche` (après
normalisation : autre unité, espaces, rapprochement flou du texte), `absent` (introuvable :
la valeur est signalée, jamais gardée en silence), `calcule` (dérivée par les règles de
valeurs elles-mêmes ancrées). C'est la garde contre les hallucinations (contrôle ANCRAGE).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from extracteurs.modeles import MULTIPLICATEURS, Document
from extracteurs.nombres import lire_nombre, nombres_dans_texte, normaliser_espaces
from fiche.evaluation import normaliser_texte
from fiche.modeles import Ancrage, Champ, Fiche, Origine

SEUIL_FLOU = 90.0


def champs_de(fiche: Fiche) -> Iterator[tuple[str, Champ[Any]]]:
    """Tous les champs de la fiche avec leur chemin (« financier.postes.resultat.2023 »)."""
    for nom in type(fiche.identification).model_fields:
        yield f"identification.{nom}", getattr(fiche.identification, nom)
    for poste, valeurs in fiche.financier.postes.items():
        for annee, champ in valeurs.items():
            yield f"financier.postes.{poste}.{annee}", champ
    for rang, ligne in enumerate(fiche.financier.lignes):
        for annee, champ in ligne.valeurs.items():
            yield f"financier.lignes.{rang}.{annee}", champ
    for famille, liste in (
        ("activite.indicateurs", fiche.activite.indicateurs),
        ("tarifs", fiche.tarifs),
    ):
        for rang, indicateur in enumerate(liste):
            for annee, champ in indicateur.valeurs.items():
                yield f"{famille}.{rang}.{annee}", champ
    for annee, champ in fiche.activite.effectif_etp.items():
        yield f"activite.effectif_etp.{annee}", champ
    for rang, fait in enumerate(fiche.faits_marquants):
        yield f"faits_marquants.{rang}", fait


class Ancreur:
    """Index des pages d'un document : montants des cellules et texte normalisé par page."""

    def __init__(self, document: Document) -> None:
        self.nb_pages = len(document.pages)
        self.textes = {
            p.numero: normaliser_espaces(p.texte.replace("\t", " ")) for p in document.pages
        }
        self.cellules: dict[int, list[tuple[float, float, str]]] = {}
        for tableau in document.tableaux:
            multiplicateur = MULTIPLICATEURS.get(tableau.unite or "euro", 1.0)
            for cellule in tableau.cellules:
                if cellule.nombre is None:
                    continue
                tolerance = _tolerance(cellule.texte, multiplicateur)
                self.cellules.setdefault(cellule.page, []).append(
                    (
                        abs(cellule.nombre * multiplicateur),
                        tolerance,
                        normaliser_espaces(cellule.texte),
                    )
                )

    def ancrer(self, champ: Champ[Any]) -> Ancrage:
        if champ.valeur is None:
            return champ.ancrage
        if champ.ancrage == Ancrage.CALCULE and champ.origine != Origine.LLM:
            # Dérivée par nos règles (ou par l'agent) de valeurs ancrées : on ne la cherche
            # pas telle quelle ; le LLM, lui, ne peut pas se déclarer « calculé ».
            return Ancrage.CALCULE
        if champ.page is None or not 1 <= champ.page <= self.nb_pages:
            return Ancrage.ABSENT
        valeur = champ.valeur
        if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
            return self._ancrer_nombre(float(valeur), champ.page)
        return self._ancrer_texte(valeur, champ.citation, champ.page)

    def _ancrer_nombre(self, valeur: float, page: int) -> Ancrage:
        for montant, tolerance, _ in self.cellules.get(page, []):
            if math.isclose(montant, abs(valeur), abs_tol=tolerance):
                return Ancrage.EXACT
        texte = self.textes.get(page, "")
        for forme, nombre in nombres_dans_texte(texte):
            if math.isclose(abs(nombre), abs(valeur), abs_tol=_tolerance(forme, 1.0)):
                return Ancrage.EXACT
        for forme, nombre, multiplicateur in _montants_avec_unite(texte):
            if math.isclose(
                abs(nombre) * multiplicateur, abs(valeur), abs_tol=_tolerance(forme, multiplicateur)
            ):
                return Ancrage.APPROCHE
        return Ancrage.ABSENT

    def _ancrer_texte(self, valeur: Any, citation: str | None, page: int) -> Ancrage:
        texte = self.textes.get(page, "")
        cherche = citation or (valeur.isoformat() if isinstance(valeur, date) else str(valeur))
        cherche = normaliser_espaces(cherche)
        if cherche and cherche in texte:
            return Ancrage.EXACT
        if (
            cherche
            and fuzz.partial_ratio(normaliser_texte(cherche), normaliser_texte(texte)) >= SEUIL_FLOU
        ):
            return Ancrage.APPROCHE
        return Ancrage.ABSENT


_UNITE_APRES = re.compile(
    r"(\(?[-−–]?\d[\d .]*(?:,\d+)?\)?)\s*"
    r"(k€|keur|k euros|milliers? d['’]\s?euros|m€|meur|millions? d['’]\s?euros|millions? €)",
    re.IGNORECASE,
)


def _montants_avec_unite(texte: str) -> list[tuple[str, float, float]]:
    """Montants du récit suivis d'une unité (« 48 k€ », « 1,2 million d'euros »)."""
    trouves = []
    for m in _UNITE_APRES.finditer(texte):
        nombre = lire_nombre(m.group(1).strip())
        if nombre is not None:
            multiplicateur = (
                1e3
                if m.group(2).lower().startswith("k") or "millier" in m.group(2).lower()
                else 1e6
            )
            trouves.append((m.group(1).strip(), nombre, multiplicateur))
    return trouves


def _tolerance(forme: str, multiplicateur: float) -> float:
    """Demi-unité du dernier chiffre imprimé, dans l'unité de la source (controles.md)."""
    brut = normaliser_espaces(forme)
    decimales = len(brut.rsplit(",", 1)[1].rstrip(")-−– %€kKM")) if "," in brut else 0
    return max(0.5 * 10.0**-decimales * multiplicateur, 1e-6)


def ancrer(fiche: Fiche, document: Document) -> Fiche:
    """Recalcule l'ancrage de chaque valeur de la fiche (la fiche est modifiée et rendue)."""
    ancreur = Ancreur(document)
    for _, champ in champs_de(fiche):
        champ.ancrage = ancreur.ancrer(champ)
    return fiche


def valeur_de_citation(citation: str | None) -> float | None:
    """Le nombre que porte une citation de cellule (utile aux contrôles de cohérence)."""
    return lire_nombre(citation) if citation else None
