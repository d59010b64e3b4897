"""Blocs lus dans un document bureautique (texte, tableau) et leur mise en pages.

Partagé par les lecteurs DOCX et HTML/ODT : mêmes règles de contexte (titre, unité au-
dessus d'un tableau), de cellules fusionnées et de lignes de page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extracteurs.bureautique_tableur import ajouter_ligne
from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.modeles import MethodeTableau, Page
from extracteurs.nombres import lire_nombre

_ESPACES_ORDINAIRES = re.compile(r"[ \t\r\n\f]+")
CONTEXTE_MAX = 3
CONTEXTE_LONGUEUR_MAX = 300

Resultat = tuple[list[Page], list[GrilleBrute], list[str]]


@dataclass
class BlocTexte:
    page: int
    texte: str
    gras: bool = False


@dataclass
class Rangee:
    page: int
    cellules: list[str]
    texte: str  # la rangée lue comme une ligne : chaque cellule fusionnée une seule fois


@dataclass
class BlocTableau:
    methode: MethodeTableau
    rangees: list[Rangee] = field(default_factory=list)


Bloc = BlocTexte | BlocTableau


def assembler(blocs: list[Bloc], nb_pages: int, largeur: float, hauteur: float) -> Resultat:
    """Range les blocs lus dans l'ordre de lecture en pages, lignes et grilles."""
    pages = [Page(numero=n, largeur=largeur, hauteur=hauteur) for n in range(1, nb_pages + 1)]
    grilles: list[GrilleBrute] = []
    recents: list[BlocTexte] = []  # lignes de texte depuis le dernier tableau : titre, unité
    for bloc in blocs:
        if isinstance(bloc, BlocTexte):
            ajouter_ligne(pages[bloc.page - 1], bloc.texte, gras=bloc.gras)
            recents.append(bloc)
            continue
        grille = grille_bloc(bloc, contexte_tableau(recents, bloc.rangees[0].page))
        for rangee in bloc.rangees:
            # Les rangées sont aussi des lignes : la recherche plein texte trouve les montants.
            ajouter_ligne(pages[rangee.page - 1], rangee.texte)
            if grille is None:
                recents.append(BlocTexte(rangee.page, rangee.texte))
        if grille is not None:
            grilles.append(grille)
            recents = []
    return pages, grilles, []


def contexte_tableau(recents: list[BlocTexte], page: int) -> list[str]:
    # Titre et unité sont sur la page du tableau ; un long paragraphe de récit juste
    # avant le tableau n'en est ni le titre ni l'unité.
    return [
        t.texte
        for t in recents[-CONTEXTE_MAX:]
        if t.page == page and len(t.texte) <= CONTEXTE_LONGUEUR_MAX
    ]


def grille_bloc(table: BlocTableau, contexte: list[str]) -> GrilleBrute | None:
    """Grille rectangulaire ; `None` pour un tableau de mise en page à une seule colonne."""
    largeur = max(len(r.cellules) for r in table.rangees)
    if max(sum(1 for c in r.cellules if c) for r in table.rangees) < 2:
        return None
    lignes = [
        [
            CelluleBrute(texte=t, page=r.page)
            for t in r.cellules + [""] * (largeur - len(r.cellules))
        ]
        for r in table.rangees
    ]
    # Structure lue dans le fichier, pas devinée comme dans un PDF : qualité maximale.
    return GrilleBrute(
        methode=table.methode,
        page=table.rangees[0].page,
        lignes=lignes,
        contexte=contexte,
        score=1.0,
    )


def etaler(texte: str, portee: int) -> list[str]:
    """Cellule fusionnée sur `portee` colonnes : un intitulé est répété dans chacune (chaque
    colonne garde son en-tête, ex. l'année), un nombre n'est jamais dupliqué (totaux faux)."""
    repetition = texte if texte and lire_nombre(texte) is None else ""
    return [texte] + [repetition] * (portee - 1)


def normaliser(texte: str) -> str:
    """Espaces ordinaires réduits ; les insécables (séparateurs de milliers) sont gardées."""
    return _ESPACES_ORDINAIRES.sub(" ", texte).strip()
