"""Géométrie des tableaux PDF : largeur des colonnes, retour à la ligne des libellés.

Les colonnes de montants prennent la largeur de leur plus long texte plus un blanc d'au
moins 1,6 em, pour que tout lecteur de tableaux sépare nettement deux nombres voisins.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from extracteurs.nombres import lire_nombre

from .modele import LigneTableau, Tableau
from .polices import Famille, largeur

MARGE_CELLULE = 4.0


@dataclass
class GeometrieTableau:
    taille: float
    bords: list[float]
    numerique: bool
    a_droite: set[int] = field(default_factory=set)  # colonnes de nombres

    @property
    def largeur_totale(self) -> float:
        return self.bords[-1]

    @property
    def hauteur_ligne(self) -> float:
        return self.taille * 1.75

    def _largeur_colonne(self, j: int) -> float:
        return self.bords[j + 1] - self.bords[j] - 2 * MARGE_CELLULE

    def couper(self, texte: str, police: str, utile: float) -> list[str]:
        lignes: list[str] = []
        courante = ""
        for mot in texte.split(" "):
            essai = f"{courante} {mot}" if courante else mot
            if courante and largeur(essai, police, self.taille) > utile:
                lignes.append(courante)
                courante = mot
            else:
                courante = essai
        lignes.append(courante)
        return lignes

    def _gauche(self, j: int) -> bool:
        return j not in self.a_droite

    def cellules(
        self, ligne: LigneTableau, police: str
    ) -> Iterator[tuple[float, str, bool, list[str]]]:
        """(x, texte, aligné à droite, morceaux) pour chaque cellule non vide."""
        for j, texte in enumerate(ligne.cellules):
            if not texte:
                continue
            if ligne.intertitre:
                yield self.bords[0] + MARGE_CELLULE, texte, False, [texte]
                return
            if self._gauche(j):
                morceaux = self.couper(texte, police, self._largeur_colonne(j))
                yield self.bords[j] + MARGE_CELLULE, texte, False, morceaux
            else:
                yield self.bords[j + 1] - MARGE_CELLULE, texte, True, [texte]

    def hauteur(self, ligne: LigneTableau, police: str) -> float:
        n = 1
        for j, texte in enumerate(ligne.cellules):
            if texte and self._gauche(j) and not ligne.intertitre:
                n = max(n, len(self.couper(texte, police, self._largeur_colonne(j))))
        return self.hauteur_ligne + (n - 1) * self.taille * 1.2


def _colonnes_numeriques(bloc: Tableau, famille: Famille, taille: float) -> list[float]:
    largeurs: list[float] = []
    nb = max(len(r) for r in bloc.entetes + [lg.cellules for lg in bloc.lignes])
    for j in range(1, nb):
        textes = [r[j] for r in bloc.entetes if j < len(r)]
        textes += [lg.cellules[j] for lg in bloc.lignes if j < len(lg.cellules)]
        plus_long = max((largeur(t, famille.gras, taille) for t in textes), default=0)
        largeurs.append(max(plus_long + 1.6 * taille + 2 * MARGE_CELLULE, 48.0))
    return largeurs


def geometrie(
    bloc: Tableau, famille: Famille, taille_texte: float, utile: float
) -> GeometrieTableau:
    """Calcule les bords des colonnes ; réduit la police si les montants ne tiennent pas."""
    taille = taille_texte - 0.5
    nb = max(len(r) for r in bloc.entetes + [lg.cellules for lg in bloc.lignes])
    if not bloc.numerique:
        part = bloc.largeur_libelle or 0.35
        reste = (utile * (1 - part)) / max(nb - 1, 1)
        bords = [0.0, utile * part] + [utile * part + reste * k for k in range(1, nb)]
        return GeometrieTableau(taille, bords[: nb + 1], numerique=False)
    while True:
        colonnes = _colonnes_numeriques(bloc, famille, taille)
        libelle = utile - sum(colonnes)
        if bloc.largeur_libelle:
            libelle = min(libelle, utile * bloc.largeur_libelle)
        if libelle >= 130 or taille <= 6:
            break
        taille -= 0.5
    bords = [0.0, libelle]
    for w in colonnes:
        bords.append(bords[-1] + w)
    return GeometrieTableau(taille, bords, numerique=True, a_droite=_colonnes_de_nombres(bloc, nb))


def _colonnes_de_nombres(bloc: Tableau, nb: int) -> set[int]:
    """Colonnes alignées à droite : celles dont toutes les cellules remplies sont des nombres."""
    droites = set()
    for j in range(1, nb):
        textes = [lg.cellules[j] for lg in bloc.lignes if j < len(lg.cellules) and lg.cellules[j]]
        if all(lire_nombre(t) is not None or t == "n.s." for t in textes):
            droites.add(j)
    return droites
