"""Lecture des `Tableau` extraits : rangées (libellé + montants par année) et contexte.

Un tableau extrait garde ses cellules dans l'unité de la source et leur page ; les colonnes
portent l'année détectée dans l'en-tête (« 2023 », « N-1 », « Exercice 2022-2023 »,
« Réalisé 2023 »). Les colonnes sans année (« Variation % », « Écart ») sont ignorées.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extracteurs.entetes import annee_entete
from extracteurs.modeles import Cellule, Document, Ligne, Tableau
from extracteurs.nombres import normaliser_espaces
from fiche.regles.libelles import COLONNE_BUDGET
from fiche.regles.texte import normaliser


@dataclass(frozen=True)
class Montant:
    """Un nombre imprimé : valeur dans l'unité de la source, signe imprimé, texte tel quel."""

    nombre: float
    texte: str
    page: int


@dataclass
class Rangee:
    rang: int
    libelle: str
    page: int
    valeurs: dict[int, Montant] = field(default_factory=dict)
    autres: list[str] = field(default_factory=list)  # textes hors libellé et hors années


def colonnes_annees(tableau: Tableau, exercice: int | None) -> dict[int, int]:
    """Index de colonne → année ; une colonne budget/prévision cède la place au réalisé."""
    par_annee: dict[int, list[int]] = {}
    for colonne in tableau.colonnes:
        # « N-1 » / « N » ne se résolvent qu'avec l'exercice : l'extraction ne le connaissait
        # peut-être pas, l'identification l'a parfois trouvé depuis (« exercice clos le ... »).
        annee = colonne.annee or annee_entete(colonne.entete, exercice)
        if annee is not None and colonne.index > 0:
            par_annee.setdefault(annee, []).append(colonne.index)
    if not par_annee:
        return _annees_supposees(tableau, exercice)
    choix: dict[int, int] = {}
    for annee, index in par_annee.items():
        reels = [k for k in index if not COLONNE_BUDGET.search(_entete(tableau, k))]
        choix[(reels or index)[0]] = annee
    return dict(sorted(choix.items()))


def _entete(tableau: Tableau, index: int) -> str:
    return normaliser(tableau.colonnes[index].entete) if index < len(tableau.colonnes) else ""


def _annees_supposees(tableau: Tableau, exercice: int | None) -> dict[int, int]:
    """Sans année lisible, deux ou trois colonnes chiffrées sous un en-tête valent N-1, N.

    L'ordre croissant est celle de presque tous les rapports ; un en-tête « précédent » /
    « en cours » le précise. On ne suppose rien sans exercice connu ni ligne d'en-tête.
    """
    if exercice is None or tableau.lignes_entete == 0:
        return {}
    chiffrees = sorted(
        {
            c.colonne
            for c in tableau.cellules
            if c.nombre is not None and c.colonne > 0 and "%" not in c.texte
        }
    )
    if not 2 <= len(chiffrees) <= 3:
        return {}
    premier = exercice - len(chiffrees) + 1
    annees = {k: premier + rang for rang, k in enumerate(chiffrees)}
    for k in chiffrees:
        entete = _entete(tableau, k)
        if re.search(r"precedent|anterieur", entete):
            annees[k] = exercice - 1
        elif re.search(r"en cours|actuel|courant", entete):
            annees[k] = exercice
    return annees if len(set(annees.values())) == len(annees) else {}


def rangees(tableau: Tableau, exercice: int | None) -> list[Rangee]:
    """Les rangées de données : libellé (première colonne texte) et montants par année."""
    annees = colonnes_annees(tableau, exercice)
    par_ligne: dict[int, list[Cellule]] = {}
    for cellule in tableau.cellules:
        par_ligne.setdefault(cellule.ligne, []).append(cellule)
    resultat: list[Rangee] = []
    for rang in sorted(par_ligne):
        if rang < tableau.lignes_entete:
            continue
        rangee = _rangee(rang, sorted(par_ligne[rang], key=lambda c: c.colonne), annees)
        if rangee is not None:
            resultat.append(rangee)
    return resultat


def _rangee(rang: int, cellules: list[Cellule], annees: dict[int, int]) -> Rangee | None:
    textes = [c for c in cellules if c.colonne not in annees and c.texte.strip()]
    # Le libellé est la première cellule qui contient des lettres : une colonne de numéros
    # de compte (« 641 ») ou de codes peut la précéder.
    lettrees = [c for c in textes if len(re.findall(r"[^\W\d_]", c.texte)) >= 2]
    porteuse = lettrees[0] if lettrees else (textes[0] if textes else None)
    libelle = normaliser_espaces(porteuse.texte) if porteuse else ""
    page = porteuse.page if porteuse else cellules[0].page
    autres = [normaliser_espaces(c.texte) for c in textes if c is not porteuse]
    rangee = Rangee(rang, libelle, page, autres=autres)
    for cellule in cellules:
        annee = annees.get(cellule.colonne)
        if annee is not None and cellule.nombre is not None:
            rangee.valeurs[annee] = Montant(cellule.nombre, cellule.texte, cellule.page)
    if not libelle and _entete_repete(rangee):
        return None  # en-tête d'années répété en haut de la page de suite
    if not libelle and not rangee.valeurs:
        return None
    return rangee


def _entete_repete(rangee: Rangee) -> bool:
    return bool(rangee.valeurs) and all(
        normaliser_espaces(m.texte) == str(annee) for annee, m in rangee.valeurs.items()
    )


def premiere_ligne(document: Document, tableau: Tableau, exercice: int | None) -> Ligne | None:
    """La ligne de texte de la page où commence le tableau, qui porte sa première rangée."""
    donnees = [r for r in rangees(tableau, exercice) if r.libelle]
    if not donnees or not tableau.pages:
        return None
    cible = donnees[0]
    valeurs = [normaliser_espaces(m.texte) for m in cible.valeurs.values()]
    page = document.pages[tableau.pages[0] - 1] if tableau.pages[0] <= len(document.pages) else None
    for ligne in page.lignes if page else []:
        champs = [normaliser_espaces(t) for t in ligne.texte.split("\t")]
        if champs and champs[0] == cible.libelle and all(v in champs for v in valeurs[:1]):
            return ligne
    return None


def contexte(document: Document, tableau: Tableau, exercice: int | None) -> list[str]:
    """Textes au-dessus du tableau, du plus proche au plus lointain, et le titre de section.

    On remonte les lignes de la page en sautant l'en-tête du tableau, on garde au plus
    quatre lignes de texte et on ajoute le dernier titre rencontré plus haut (même sur la
    page précédente) : c'est là que les rapports nomment leurs tableaux.
    """
    textes = [tableau.titre] if tableau.titre else []
    premiere = premiere_ligne(document, tableau, exercice)
    lignes = document.lignes()
    if premiere is None:
        return textes + [c.entete for c in tableau.colonnes if c.entete]
    rang = next(k for k, ligne in enumerate(lignes) if ligne.id == premiere.id)
    proches: list[str] = []
    for ligne in reversed(lignes[max(0, rang - 40) : rang]):
        if ligne.genre == "titre":
            proches.append(ligne.texte)
            break
        if ligne.genre != "tableau" and len(proches) < 4 and ligne.page == premiere.page:
            proches.append(ligne.texte)
    entetes = [c.entete for c in tableau.colonnes if c.entete]
    return textes + proches + entetes
