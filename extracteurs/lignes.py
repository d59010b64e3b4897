"""Regroupement de caractères (PDF natif) ou de mots (OCR) en lignes et segments.

Un *segment* est une suite d'éléments séparés par moins d'un écart de colonne : une
cellule de tableau, ou une ligne entière de récit. Les lignes de `Document` joignent
leurs segments par une tabulation, pour que les colonnes d'un tableau restent lisibles.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from extracteurs.modeles import Boite, Ligne, Mot

# Au-delà de cet écart (en fraction de la taille de police), on change de cellule :
# une espace fait ~0,25 em, un écart de colonne plus d'un em.
ECART_COLONNE_EM = 0.75
# En deçà, deux caractères sans espace entre eux appartiennent au même mot.
ECART_MOT_EM = 0.12


@dataclass(slots=True)
class Element:
    """Un caractère (PDF natif) ou un mot (OCR), avec sa boîte en points (un par caractère
    de la page : `slots` les allège et accélère leur lecture)."""

    texte: str
    x0: float
    haut: float
    x1: float
    bas: float
    taille: float
    gras: bool = False
    confiance: float | None = None

    @property
    def milieu(self) -> float:
        return (self.haut + self.bas) / 2


@dataclass
class Segment:
    texte: str
    boite: Boite
    mots: list[Mot] = field(default_factory=list)


@dataclass
class LigneBrute:
    segments: list[Segment]
    taille: float
    gras: bool

    @property
    def boite(self) -> Boite:
        return englobante([s.boite for s in self.segments])

    @property
    def texte(self) -> str:
        return "\t".join(s.texte for s in self.segments)


class Rectangle(Protocol):
    """Ce qui a une boîte en points : une `Boite`, un `Element`."""

    @property
    def x0(self) -> float: ...
    @property
    def haut(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def bas(self) -> float: ...


def englobante(rectangles: Sequence[Rectangle]) -> Boite:
    return Boite(
        x0=min(r.x0 for r in rectangles),
        haut=min(r.haut for r in rectangles),
        x1=max(r.x1 for r in rectangles),
        bas=max(r.bas for r in rectangles),
    )


def grouper_en_lignes(elements: list[Element]) -> list[list[Element]]:
    """Regroupe par bande verticale : un élément rejoint la ligne dont il chevauche le milieu."""
    lignes: list[list[Element]] = []
    somme_milieux = somme_hauteurs = 0.0  # de la ligne courante, tenues à jour pas à pas
    for elem in sorted(elements, key=lambda e: (e.milieu, e.x0)):
        if lignes:
            n = len(lignes[-1])
            centre, hauteur = somme_milieux / n, somme_hauteurs / n
            if abs(elem.milieu - centre) <= max(hauteur, elem.bas - elem.haut) * 0.45:
                lignes[-1].append(elem)
                somme_milieux += elem.milieu
                somme_hauteurs += elem.bas - elem.haut
                continue
        lignes.append([elem])
        somme_milieux, somme_hauteurs = elem.milieu, elem.bas - elem.haut
    return [
        sorted(ligne, key=lambda e: e.x0) for ligne in lignes if any(e.texte.strip() for e in ligne)
    ]


def segmenter(elements: list[Element], *, caracteres: bool) -> LigneBrute:
    """Coupe une ligne en segments aux écarts de colonne ; restitue les espaces imprimées.

    `caracteres` : les éléments sont des caractères (les espaces imprimées, y compris
    U+00A0 et U+202F, sont conservées telles quelles) ; sinon des mots OCR.
    """
    visibles = [e for e in elements if e.texte.strip()]
    taille = statistics.median(e.taille for e in visibles) or 10.0
    segments: list[_Constructeur] = []
    attente = ""
    prec: Element | None = None
    for elem in sorted(elements, key=lambda e: e.x0):
        if not elem.texte.strip():
            attente += elem.texte
            continue
        ecart = elem.x0 - prec.x1 if prec else 0.0
        if prec is None or ecart > ECART_COLONNE_EM * taille:
            segments.append(_Constructeur())
        elif attente or not caracteres or ecart > ECART_MOT_EM * taille:
            segments[-1].couper(attente if caracteres and attente else " ")
        segments[-1].ajouter(elem)
        attente, prec = "", elem
    gras = sum(e.gras for e in visibles) > len(visibles) / 2
    return LigneBrute([s.segment() for s in segments], taille, gras)


@dataclass
class _Constructeur:
    """Accumule les caractères d'un segment et ses mots."""

    texte: str = ""
    mots: list[list[Element]] = field(default_factory=lambda: [[]])

    def ajouter(self, elem: Element) -> None:
        self.texte += elem.texte
        self.mots[-1].append(elem)

    def couper(self, separateur: str) -> None:
        self.texte += separateur
        self.mots.append([])

    def segment(self) -> Segment:
        mots = [
            Mot(texte="".join(e.texte for e in m), boite=englobante(m), confiance=_confiance(m))
            for m in self.mots
            if m
        ]
        return Segment(
            texte=self.texte.strip(), boite=englobante([e for m in self.mots for e in m]), mots=mots
        )


def _confiance(elements: list[Element]) -> float | None:
    valeurs = [e.confiance for e in elements if e.confiance is not None]
    return statistics.fmean(valeurs) if valeurs else None


def vers_lignes(brutes: list[LigneBrute], page: int) -> list[Ligne]:
    """Lignes du `Document`, identifiants stables p<page>-l<rang> dans l'ordre de lecture."""
    return [
        Ligne(
            id=f"p{page}-l{rang}",
            page=page,
            texte=brute.texte,
            boite=brute.boite,
            taille=round(brute.taille, 2),
            gras=brute.gras,
            mots=[mot for s in brute.segments for mot in s.mots],
        )
        for rang, brute in enumerate(brutes, start=1)
    ]
