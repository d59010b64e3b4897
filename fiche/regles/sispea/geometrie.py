"""Géométrie des lignes : segments (cellules séparées par des tabulations) et leur étendue.

Une ligne de `Document` sépare ses cellules par des tabulations et garde ses mots avec
leur boîte : on rebâtit l'étendue horizontale de chaque segment pour rattacher une valeur
à l'en-tête de sa colonne (« Valeur 2021 » plutôt que « Valeur 2020 »). Sans boîtes
(DOCX, classeur), on se rabat sur le rang du segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from extracteurs.modeles import Ligne
from extracteurs.nombres import normaliser_espaces

TOLERANCE_X = 12.0
"""Marge (points PDF) pour rattacher une valeur à l'en-tête de sa colonne."""


@dataclass(frozen=True)
class Segment:
    texte: str
    rang: int
    x0: float | None = None
    x1: float | None = None

    @property
    def centre(self) -> float | None:
        return None if self.x0 is None or self.x1 is None else (self.x0 + self.x1) / 2


_MEMOIRE: dict[int, tuple[Ligne, list[Segment]]] = {}
_TAILLE_MEMOIRE = 8192


def segments(ligne: Ligne) -> list[Segment]:
    """Les cellules de la ligne, avec leur étendue quand les mots portent leur boîte.

    Mémorisées par ligne (identité de l'objet, gardé avec son résultat : un identifiant
    réutilisé ne peut pas tromper) : les règles SISPEA redemandent les segments des mêmes
    lignes, voisines et en-têtes, ~7 fois chacune (40 % du remplissage des RPQS réels).
    Les lignes d'un `Document` ne changent pas pendant le remplissage."""
    trouve = _MEMOIRE.get(id(ligne))
    if trouve is not None and trouve[0] is ligne:
        return list(trouve[1])
    if len(_MEMOIRE) >= _TAILLE_MEMOIRE:
        _MEMOIRE.clear()  # borne la mémoire ; pas d'ordre à tenir entre fils
    resultat = _segments(ligne)
    _MEMOIRE[id(ligne)] = (ligne, resultat)
    return list(resultat)


def _segments(ligne: Ligne) -> list[Segment]:
    textes = [normaliser_espaces(t) for t in ligne.texte.split("\t")]
    mots = ligne.mots
    if sum(len(t.split()) for t in textes) != len(mots) or any(m.boite is None for m in mots):
        return [Segment(t, k) for k, t in enumerate(textes)]
    resultat: list[Segment] = []
    debut = 0
    for rang, texte in enumerate(textes):
        nombre = len(texte.split())
        boites = [m.boite for m in mots[debut : debut + nombre] if m.boite is not None]
        debut += nombre
        if boites:
            resultat.append(
                Segment(texte, rang, min(b.x0 for b in boites), max(b.x1 for b in boites))
            )
        else:
            resultat.append(Segment(texte, rang))
    return resultat


def chevauchement(a: Segment, b: Segment) -> float | None:
    """Recouvrement horizontal (avec marge) de deux segments ; None sans boîtes."""
    if a.x0 is None or a.x1 is None or b.x0 is None or b.x1 is None:
        return None
    return min(a.x1, b.x1) + TOLERANCE_X - max(a.x0, b.x0)


def centre_vertical(ligne: Ligne) -> float | None:
    return None if ligne.boite is None else (ligne.boite.haut + ligne.boite.bas) / 2


def hauteur(ligne: Ligne) -> float:
    return 10.0 if ligne.boite is None else max(ligne.boite.bas - ligne.boite.haut, 4.0)
