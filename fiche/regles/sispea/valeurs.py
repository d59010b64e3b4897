"""Lecture d'une valeur d'indicateur telle qu'imprimée : nombre et unité, conformité, vide.

Trois issues : un nombre (dans l'unité SISPEA, unité imprimée compatible), un vide
*déclaré* (« NEANT », « ND », « Sans objet », « Non estimable », « ____ ») qui dit que le
rapport ne donne pas la valeur, ou rien (le texte n'est pas une valeur : un libellé).
Les mots de conformité ne valent 100 / 0 que pour les indicateurs de conformité.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extracteurs.nombres import lire_nombre, normaliser_espaces
from fiche.regles.sispea.referentiel import DefinitionIndicateur
from fiche.regles.texte import normaliser


@dataclass(frozen=True)
class ValeurLue:
    nombre: float | None
    """None : vide déclaré par le rapport."""
    texte: str


_UNITES = (
    r"€\s*/\s*m\s*[3³]|€\s*ttc|€\s*ht|€|%|‰|pour\s+1\s?000|ans?|ann[ée]es?|points?|pts?"
    r"|hab(?:itants?)?|t\s?ms|tonnes?|jours?|j|km|m\s*[3³]\s*/\s*km\s*/\s*j(?:our)?"
)
_NOMBRE = re.compile(
    rf"^[≈~]?\s*(?P<nombre>[-−]?\d[\d \u00a0\u202f.]*(?:,\d+)?)\s*\*?\s*"
    rf"(?P<unite>{_UNITES})?\s*(?:ttc|ht)?\s*\*?\.?$",
    re.IGNORECASE,
)
_VIDE = re.compile(
    r"^(?:neant|nd|nc|n\s?d|n\s?c|na|sans objet|so|s o|non estimable|non estime|non disponible"
    r"|non renseigne|non calcule|non concerne|non applicable|non pertinent|inconnu|inconnue"
    r"|pas de donnees?|donnee non disponible|en cours|a venir)$"
)
_BLANC = re.compile(r"^[_.\-–—/?\s]*[_?]+[_.\s%€]*$|^[-–—/]$")
_CONFORME = re.compile(r"^(?:conforme|oui)$")
_NON_CONFORME = re.compile(r"^(?:non conforme|non)$")

_TAUX = frozenset({"%", "‰", "pour1000"})

_COMPATIBLES: dict[str, frozenset[str]] = {
    "%": frozenset({"%"}),
    "€/m³": frozenset({"€/m3"}),
    "€": frozenset({"€", "€ttc", "€ht"}),
    "nb/1000ab": frozenset({"‰", "pour1000"}),
    "nb/1000hab": frozenset({"‰", "pour1000"}),
    "an": frozenset({"an", "ans", "annee", "annees"}),
    "points": frozenset({"points", "point", "pts", "pt"}),
    "unité": frozenset({"points", "point", "pts", "pt"}),
    "hab": frozenset({"hab", "habitant", "habitants"}),
    "tMS": frozenset({"tms", "t", "tonne", "tonnes"}),
    "m³/km/j": frozenset({"m3/km/j", "m3/km/jour"}),
    "j ouvrable": frozenset({"j", "jour", "jours"}),
}


def _unite_normale(unite: str | None) -> str | None:
    if not unite:
        return None
    brut = normaliser_espaces(unite).lower().replace(" ", "").replace("³", "3")
    return brut.replace("é", "e")


def lire_valeur(texte: str, definition: DefinitionIndicateur) -> ValeurLue | None:
    """La valeur que porte `texte` pour cet indicateur, ou None si ce n'en est pas une."""
    brut = normaliser_espaces(texte.replace("\t", " ")).strip(" :;")
    if not brut:
        return None
    if _BLANC.match(brut):
        return ValeurLue(None, brut)
    norme = normaliser(brut)
    if _VIDE.match(norme):
        return ValeurLue(None, brut)
    if definition.conformite:
        if _NON_CONFORME.match(norme):
            return ValeurLue(0.0, brut)
        if _CONFORME.match(norme):
            return ValeurLue(100.0, brut)
    m = _NOMBRE.match(brut)
    if not m:
        return None
    nombre = lire_nombre(m["nombre"].replace("−", "-").strip())
    if nombre is None:
        return None
    unite = _unite_normale(m["unite"])
    # « 1 448,39 € » n'est pas un taux : mieux vaut vide que faux.
    if not _unite_compatible(unite, nombre, definition):
        return None
    return ValeurLue(nombre, brut)


def _unite_compatible(unite: str | None, nombre: float, definition: DefinitionIndicateur) -> bool:
    """Un prix au m³ s'écrit souvent « 2,04 € TTC » ; un montant de solidarité en euros
    (« 16,89 € abandonnés ») n'est pas des €/m³, sauf zéro. Un zéro en % pour un taux en ‰
    reste sans ambiguïté."""
    if unite is None or unite in _COMPATIBLES.get(definition.unite, ()):
        return True
    if unite in ("€", "€ttc") and definition.unite == "€/m³":
        return definition.prix or nombre == 0
    return nombre == 0 and unite in _TAUX


def dans_les_bornes(nombre: float, definition: DefinitionIndicateur) -> bool:
    return definition.minimum <= nombre <= definition.maximum


@dataclass(frozen=True)
class Candidat:
    """Une lecture d'un indicateur : valeur (None : vide déclaré), page, citation, source."""

    code: str
    nombre: float | None
    page: int
    citation: str
    source: str
    """« tableau » (rangée au code imprimé), « recit » (phrase), « station » (tableau sous
    le titre au code), « colonne » (code en tête de colonne), « libelle » (libellé
    réglementaire sans code), « calcul » (dérivé de la
    facture de 120 m³)."""
    converti: bool = False
    """Valeur tirée d'un mot (« Conforme » → 100) : ancrage `approche`, pas `exact`."""
    colonne_datee: bool = False
    """La valeur est sous un en-tête qui nomme son année (« Valeur 2020 », « Au 01/01/2022 »)."""
