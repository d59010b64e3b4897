"""Mise en forme commune des grilles : en-têtes, années, unité, nombres, note de lecture."""

from __future__ import annotations

from extracteurs.alignement import VIDES
from extracteurs.entetes import annee_entete, detecter_unite, est_annee, est_entete
from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.modeles import Cellule, Colonne, Tableau
from extracteurs.nombres import (
    finit_par_une_date,
    lire_nombre,
    nombres_dans_texte,
    normaliser_espaces,
)


def _nombre(cellule: CelluleBrute) -> float | None:
    if cellule.nombre is not None:
        return cellule.nombre
    return lire_nombre(cellule.texte)


def _est_annee(cellule: CelluleBrute) -> bool:
    valeur = _nombre(cellule)
    texte = normaliser_espaces(cellule.texte)
    return valeur is not None and texte.isdigit() and 1990 <= valeur <= 2100


def nettoyer(grille: GrilleBrute) -> list[list[CelluleBrute]]:
    """Retire lignes et colonnes entièrement vides ; égalise la largeur des lignes."""
    lignes = [r for r in grille.lignes if any(c.texte.strip() for c in r)]
    if not lignes:
        return []
    largeur = max(len(r) for r in lignes)
    vide = CelluleBrute(texte="", page=grille.page)
    lignes = [r + [vide] * (largeur - len(r)) for r in lignes]
    garder = [k for k in range(largeur) if any(r[k].texte.strip() for r in lignes)]
    return [[r[k] for k in garder] for r in lignes]


def lignes_entete(lignes: list[list[CelluleBrute]]) -> int:
    """Nombre de lignes d'en-tête : jusqu'à la dernière ligne d'en-têtes de colonnes
    (années, N-1, « Variation ») qui précède la première ligne de montants.

    Une ligne de section (« Produits d'exploitation », seule dans la colonne des libellés)
    placée entre l'en-tête et les montants reste une ligne du tableau.
    """
    derniere = -1
    for rang, ligne in enumerate(lignes):
        remplies = [c for c in ligne[1:] if c.texte.strip()]
        if any(_nombre(c) is not None and not _est_annee(c) for c in remplies):
            break
        if remplies and all(_est_annee(c) or est_entete(c.texte) for c in remplies):
            derniere = rang
        elif remplies:
            break
    return derniere + 1


def construire_tableau(
    grille: GrilleBrute, ident: str, exercice: int | None, scores: dict[str, float]
) -> Tableau | None:
    lignes = nettoyer(grille)
    if len(lignes) < 2 or len(lignes[0]) < 2:
        return None
    entete = lignes_entete(lignes)
    colonnes = _colonnes(lignes, entete, exercice)
    textes_unite = [c.entete for c in colonnes] + list(grille.contexte)
    unite, indice = detecter_unite(textes_unite)
    cellules = [
        Cellule(
            texte=c.texte,
            nombre=None if r < entete else _nombre(c),
            page=c.page,
            ligne=r,
            colonne=k,
            boite=c.boite,
        )
        for r, ligne in enumerate(lignes)
        for k, c in enumerate(ligne)
        if c.texte.strip() or c.nombre is not None
    ]
    return Tableau(
        id=ident,
        pages=sorted({c.page for c in cellules}),
        nb_lignes=len(lignes),
        nb_colonnes=len(lignes[0]),
        lignes_entete=entete,
        colonnes=colonnes,
        unite=unite,
        unite_indice=indice,
        titre=grille.contexte[0] if grille.contexte else None,
        methode=grille.methode,
        score=round(scores.get(grille.methode, grille.score), 4),
        scores={k: round(v, 4) for k, v in scores.items()},
        cellules=cellules,
    )


def _colonnes(lignes: list[list[CelluleBrute]], entete: int, exercice: int | None) -> list[Colonne]:
    """En-tête de chaque colonne (lignes d'en-tête jointes) et année d'exercice détectée."""
    colonnes = []
    for k in range(len(lignes[0])):
        texte = " ".join(normaliser_espaces(lignes[r][k].texte) for r in range(entete)).strip()
        annee = annee_entete(texte, exercice) if k > 0 else None
        colonnes.append(Colonne(index=k, entete=texte, annee=annee))
    return colonnes


def qualite_grille(grille: GrilleBrute) -> tuple[int, int]:
    """(cellules bien lues, cellules mal lues) : un nombre seul par cellule de colonne chiffrée.

    Mal lu : plusieurs nombres fusionnés dans une cellule, un montant collé au libellé,
    du texte dans une colonne de montants.
    """
    lignes = nettoyer(grille)
    bonnes = mauvaises = 0
    debut = lignes_entete(lignes) if lignes else 0
    for ligne in lignes[debut:]:
        if montant_colle(ligne):
            mauvaises += 1
        for cellule in ligne[1:]:
            texte = normaliser_espaces(cellule.texte)
            if not texte:
                continue
            if _nombre(cellule) is not None:
                bonnes += 1
            elif texte.lower() not in VIDES:
                mauvaises += 1 + max(0, len(nombres_dans_texte(texte)) - 1)
    return bonnes, mauvaises


def montant_colle(ligne: list[CelluleBrute]) -> bool:
    """Un montant dans la colonne des libellés : collé au libellé (« Charges de personnel
    1 234 567 »), ou seul alors que la ligne porte d'autres valeurs (la ligne est mal
    découpée, son libellé est ailleurs) ; un nombre d'au moins 100 qui termine la cellule.
    Ne le sont pas : un nombre seul sur sa ligne (graduation d'un graphique, numéro), une
    année (« Exercice 2021 »), une date (« Mise en service 01/08/1990 »), un code qui tient
    à ses lettres (« VP.250 », « P203.3 »)."""
    if not ligne:
        return False
    texte = ligne[0].texte.rstrip()
    trouves = nombres_dans_texte(texte)
    if not trouves:
        return False
    forme, valeur = trouves[-1]
    if not texte.endswith(forme) or abs(valeur) < 100:
        return False
    avant = texte[: -len(forme)]
    if avant and not avant[-1].isspace():  # « VP.250 » : le nombre fait partie d'un code
        return False
    if not avant.strip() and not any(c.texte.strip() for c in ligne[1:]):
        return False  # rien à quoi il serait collé, rien qui manquerait à la ligne
    return not (est_annee(forme) or finit_par_une_date(texte))
