"""Rendu tableur (openpyxl) : une feuille par « page », montants en cellules numériques.

Pas de formule : une annexe CARE réelle arrive souvent « en valeurs ». La page d'une
valeur est le rang (1-based) de sa feuille. La citation d'une cellule numérique est la
valeur brute telle que Python l'écrit (« 1284560 », « 38.5 ») : c'est ce que rend la
lecture du classeur, indépendamment du format d'affichage.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from extracteurs.nombres import lire_nombre

from .deterministe import figer_zip
from .modele import Bloc, Paragraphe, Rapport, SautPage, Tableau, Titre, Valeur

TRAIT = Side(style="thin")
CADRE = Border(left=TRAIT, right=TRAIT, top=TRAIT, bottom=TRAIT)


def valeur_tableur(texte: str) -> int | float | str:
    nombre = lire_nombre(texte)
    if nombre is None:
        return texte
    return nombre if "," in texte else int(nombre)


def citations_tableur(rapport: Rapport) -> None:
    """Aligne les citations de l'or sur ce que contiennent les cellules du classeur."""
    valeurs: list[Valeur] = [v for lg in rapport.lignes for v in lg.valeurs.values()]
    valeurs += [v for m in rapport.indicateurs + rapport.tarifs for v in m.valeurs.values()]
    valeurs += list(rapport.effectif.values())
    for v in valeurs:
        v.citation = str(valeur_tableur(v.citation))
    for poste in rapport.postes.values():
        for p in poste.values():
            if p.citation is not None:
                p.citation = str(valeur_tableur(p.citation))


def _pages(blocs: list[Bloc]) -> list[list[Bloc]]:
    pages: list[list[Bloc]] = [[]]
    for bloc in blocs:
        if isinstance(bloc, SautPage):
            pages.append([])
        else:
            pages[-1].append(bloc)
    return pages


def _tableau(feuille, bloc: Tableau, ligne: int) -> int:  # type: ignore[no-untyped-def]
    for texte in (bloc.titre, bloc.legende):
        if texte:
            feuille.cell(ligne, 1, texte).font = Font(
                bold=texte == bloc.titre, italic=texte == bloc.legende
            )
            ligne += 1
    for rang, cellules in enumerate([*bloc.entetes, *[lg.cellules for lg in bloc.lignes]]):
        entete = rang < len(bloc.entetes)
        gras = entete or bloc.lignes[rang - len(bloc.entetes)].gras
        for j, texte in enumerate(cellules, 1):
            cellule = feuille.cell(ligne, j, texte if entete or j == 1 else valeur_tableur(texte))
            cellule.font = Font(bold=gras)
            if bloc.regle:
                cellule.border = CADRE
            if j > 1 and not isinstance(cellule.value, str):
                cellule.number_format = "#,##0" if isinstance(cellule.value, int) else "0.0##"
                cellule.alignment = Alignment(horizontal="right")
        ligne += 1
    return ligne + 1


def rendre_xlsx(rapport: Rapport, chemin: Path) -> dict[str, int]:
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    pages: dict[str, int] = {}
    for numero, blocs in enumerate(_pages(rapport.blocs), 1):
        nom = next((b.texte for b in blocs if isinstance(b, Titre)), f"Feuille {numero}")
        feuille = classeur.create_sheet(nom[:31])
        feuille.column_dimensions["A"].width = 58
        for colonne in "BCDE":
            feuille.column_dimensions[colonne].width = 16
        ligne = 1
        for bloc in blocs:
            if isinstance(bloc, Tableau):
                ligne = _tableau(feuille, bloc, ligne)
                pages.update({lg.cle: numero for lg in bloc.lignes if lg.cle})
            elif isinstance(bloc, (Titre, Paragraphe)):
                feuille.cell(ligne, 1, bloc.texte).font = Font(
                    bold=isinstance(bloc, Titre), size=12 if isinstance(bloc, Titre) else 11
                )
                ligne += 1
            if getattr(bloc, "cle", None):
                pages[bloc.cle] = numero  # type: ignore[union-attr,index]
    classeur.properties.creator = "Délégataire"
    classeur.save(str(chemin))
    figer_zip(chemin)
    pages["__pages__"] = len(classeur.sheetnames)
    return pages
