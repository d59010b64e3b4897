"""Classeurs XLSX : une feuille = une page, chaque bloc de cellules = une grille brute.

Les nombres gardent leur valeur native (pas de relecture du texte affiché) ; le texte
des cellules et des lignes est réécrit « à la française » (« 1 284 560 », « -12,5 »)
pour que la recherche plein texte retrouve les montants comme dans un PDF.
Contient aussi les petites aides communes à `extracteurs.bureautique`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.modeles import Ligne, Mot, Page
from socle.erreurs import ExtractionError

MAX_CELLULES_FEUILLE = 200_000
# Au-delà, un classeur généré sans calcul noierait les avertissements utiles.
MAX_AVERTISSEMENTS_FORMULE = 10
SCORE_GRILLE = 0.9

# Seuls les espaces « ordinaires » séparent les mots : « 1 284 560 » écrit avec
# U+00A0 ou U+202F reste un seul mot, comme le montant qu'il représente.
_SEPARATEURS_MOTS = re.compile(r"[ \t\r\n]+")
_LITTERAUX_FORMAT = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')

Valeur = tuple[str, float | None]
VIDE: Valeur = ("", None)


def creer_ligne(page: int, rang: int, texte: str, *, gras: bool = False) -> Ligne:
    """Une `Ligne` sans coordonnées (format bureautique) ; ses mots sans boîte."""
    mots = [Mot(texte=mot) for mot in _SEPARATEURS_MOTS.split(texte) if mot]
    return Ligne(id=f"p{page}-l{rang}", page=page, texte=texte, gras=gras, mots=mots)


def ajouter_ligne(page: Page, texte: str, *, gras: bool = False) -> None:
    """Ajoute une ligne à la page ; le rang est compté par page à partir de 1."""
    page.lignes.append(creer_ligne(page.numero, len(page.lignes) + 1, texte, gras=gras))


def formater_nombre(
    valeur: float, decimales: int | None = None, *, parentheses: bool = False
) -> str:
    """Écrit un nombre à la française : espace des milliers, virgule décimale."""
    if decimales is None:
        # Format « Standard » d'Excel : pas de zéros décimaux inutiles, six décimales au plus.
        brut = f"{abs(valeur):,.6f}".rstrip("0").rstrip(".")
    else:
        brut = f"{abs(valeur):,.{decimales}f}"
    texte = brut.replace(",", " ").replace(".", ",")
    # Pas de « -0 » : un négatif arrondi à zéro s'affiche sans signe, comme dans Excel.
    if valeur < 0 and any(c in "123456789" for c in texte):
        return f"({texte})" if parentheses else f"-{texte}"
    return texte


@dataclass
class _Format:
    """Ce qu'on retient d'un format de nombre Excel pour réécrire la valeur affichée."""

    decimales: int | None = None
    pourcent: bool = False
    parentheses: bool = False
    milliers: bool = False  # le format groupe-t-il explicitement les milliers (#,##0) ?


def lire_format(format_nombre: str | None) -> _Format:
    """Décimales, pourcentage et négatifs entre parenthèses d'un format Excel."""
    if not format_nombre or format_nombre.lower() == "general":
        return _Format()
    sections = _LITTERAUX_FORMAT.sub("", format_nombre).split(";")
    positif = sections[0]
    _, point, fraction = positif.partition(".")
    decimales = len(fraction) - len(fraction.lstrip("0#?")) if point else 0
    if not re.search(r"[0#?]", positif):
        return _Format()
    negatif_parentheses = len(sections) > 1 and sections[1].lstrip().startswith("(")
    return _Format(decimales, "%" in positif, negatif_parentheses, "," in positif)


def _est_annee(valeur: float, fmt: _Format) -> bool:
    """Un entier 1900-2100 sans groupage explicite est un exercice : « 2023 », pas « 2 023 »."""
    return not fmt.milliers and float(valeur).is_integer() and 1900 <= valeur <= 2100


def convertir_valeur(valeur: Any, format_nombre: str | None = None) -> Valeur:
    """Texte affiché et nombre natif d'une valeur de cellule (nombre seulement si numérique)."""
    if valeur is None or valeur == "":
        return VIDE
    if isinstance(valeur, bool):
        return ("VRAI" if valeur else "FAUX"), None
    if isinstance(valeur, int | float):
        if not math.isfinite(valeur):
            return str(valeur), None
        fmt = lire_format(format_nombre)
        # Un pourcentage est lu comme il est affiché (85,3 %) : même valeur qu'un PDF.
        nombre = float(valeur) * 100 if fmt.pourcent else float(valeur)
        if _est_annee(nombre, fmt):
            return str(int(nombre)), nombre
        texte = formater_nombre(nombre, fmt.decimales, parentheses=fmt.parentheses)
        return (f"{texte} %" if fmt.pourcent else texte), nombre
    if isinstance(valeur, dt.datetime):
        motif = "%d/%m/%Y" if valeur.time() == dt.time() else "%d/%m/%Y %H:%M"
        return valeur.strftime(motif), None
    if isinstance(valeur, dt.date):
        return valeur.strftime("%d/%m/%Y"), None
    return str(valeur), None


@dataclass
class Feuille:
    """Les valeurs d'une feuille, rangée par rangée, colonnes alignées depuis A."""

    nom: str
    rangees: list[list[Valeur]] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    formules_sans_valeur: int = 0


def lire_classeur(chemin: Path) -> tuple[list[Page], list[GrilleBrute], list[str]]:
    """XLSX -> une page par feuille, les grilles de chaque feuille, les avertissements."""
    if chemin.suffix.lower() == ".xls":
        raise ExtractionError(
            "Le format Excel 97-2003 (.xls) n'est pas pris en charge : "
            "enregistrez le classeur au format .xlsx",
            fichier=chemin,
        )
    feuilles = _lire_feuilles_xlsx(chemin)
    if not any(texte.strip() for f in feuilles for r in f.rangees for texte, _ in r):
        formules = sum(f.formules_sans_valeur for f in feuilles)
        if formules:
            raise ExtractionError(
                f"Le classeur ne contient que des formules dont le résultat n'a pas été "
                f"enregistré ({formules} cellules) : ouvrez-le dans un tableur puis "
                "enregistrez-le avant de le déposer",
                fichier=chemin,
            )
        raise ExtractionError("Le document ne contient aucun texte exploitable", fichier=chemin)
    pages: list[Page] = []
    grilles: list[GrilleBrute] = []
    avertissements: list[str] = []
    for numero, feuille in enumerate(feuilles, start=1):
        page, grilles_feuille = feuille_en_page(numero, feuille)
        pages.append(page)
        grilles.extend(grilles_feuille)
        avertissements.extend(feuille.avertissements)
    return pages, grilles, avertissements


def _ouvrir_classeur(chemin: Path, *, valeurs: bool) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(chemin, data_only=valeurs, read_only=True)
    except Exception as exc:  # openpyxl lève zipfile, KeyError, InvalidFileException…
        raise ExtractionError(
            f"Le classeur XLSX est illisible ou corrompu : {_cause(chemin, exc)}", fichier=chemin
        ) from exc


def _cause(chemin: Path, exc: Exception) -> str:
    """Explique l'échec d'ouverture ; un fichier OLE est chiffré ou au vieux format Office."""
    try:
        with chemin.open("rb") as flux:
            if flux.read(4) == b"\xd0\xcf\x11\xe0":
                return "fichier protégé par mot de passe ou au format Office 97-2003"
    except OSError:
        pass
    if isinstance(exc, zipfile.BadZipFile):
        return "ce n'est pas une archive Office valide"
    return f"{type(exc).__name__} : {exc}"


def _lire_feuilles_xlsx(chemin: Path) -> list[Feuille]:
    # Deux lectures en parallèle : les valeurs calculées, et les formules pour
    # repérer les cellules calculées dont le fichier n'a pas gardé le résultat.
    valeurs = _ouvrir_classeur(chemin, valeurs=True)
    formules = _ouvrir_classeur(chemin, valeurs=False)
    try:
        return [
            _lire_feuille(fv, ff, chemin)
            for fv, ff in zip(valeurs.worksheets, formules.worksheets, strict=True)
        ]
    finally:
        valeurs.close()
        formules.close()


def _lire_feuille(fv: Any, ff: Any, chemin: Path) -> Feuille:
    from openpyxl.utils import get_column_letter

    feuille = Feuille(nom=fv.title)
    # Les dimensions déclarées peuvent être fausses (A1:XFD1048576) : on ne lit que
    # les cellules réellement présentes, sans bourrage.
    fv.reset_dimensions()
    ff.reset_dimensions()
    sans_valeur: list[str] = []
    compte = 0
    for i, (rv, rf) in enumerate(zip(fv.iter_rows(), ff.iter_rows(), strict=False), start=1):
        compte += len(rv)
        if compte > MAX_CELLULES_FEUILLE:
            raise ExtractionError(
                f"La feuille « {feuille.nom} » dépasse {formater_nombre(MAX_CELLULES_FEUILLE)} "
                "cellules : elle est trop grande pour être lue",
                fichier=chemin,
            )
        rangee: list[Valeur] = []
        for j, (cv, cf) in enumerate(zip(rv, rf, strict=False), start=1):
            valeur = getattr(cv, "value", None)
            if valeur is None and getattr(cf, "data_type", None) == "f":
                sans_valeur.append(f"{get_column_letter(j)}{i}")
            rangee.append(convertir_valeur(valeur, getattr(cv, "number_format", None)))
        feuille.rangees.append(rangee)
    feuille.avertissements = _avertir_formules(feuille.nom, sans_valeur)
    feuille.formules_sans_valeur = len(sans_valeur)
    return feuille


def _avertir_formules(nom: str, cellules: list[str]) -> list[str]:
    messages = [
        f"Cellule à formule sans valeur calculée (feuille {nom}, {c})"
        for c in cellules[:MAX_AVERTISSEMENTS_FORMULE]
    ]
    reste = len(cellules) - MAX_AVERTISSEMENTS_FORMULE
    if reste > 0:
        messages.append(
            f"… et {reste} autres cellules à formule sans valeur calculée (feuille {nom}) : "
            "ouvrez et enregistrez le classeur dans un tableur pour calculer les formules"
        )
    return messages


@dataclass
class _Bloc:
    """Rangées contiguës d'au moins deux cellules remplies : un tableau de la feuille."""

    rangs: list[int]
    col_min: int
    col_max: int
    contexte: list[str]
    nb_pleines: int = 1


def _remplies(rangee: list[Valeur]) -> list[int]:
    return [j for j, (texte, _) in enumerate(rangee) if texte.strip()]


def _rattachable(attente: list[int], rangees: list[list[Valeur]], bloc: _Bloc) -> bool:
    """Une seule rangée intercalée (vide ou intitulé de section en 1re colonne) ne coupe
    pas le tableau : « PRODUITS » / « CHARGES » au milieu d'un CARE en font partie."""
    if len(attente) > 1:
        return False
    if not attente:
        return True
    remplies = _remplies(rangees[attente[0]])
    return not remplies or remplies[0] <= bloc.col_min


def _contexte(attente: list[int], rangees: list[list[Valeur]]) -> list[str]:
    """Les cellules texte seules au-dessus du tableau : titre, « en k€ »…"""
    textes = []
    for i in attente:
        remplies = _remplies(rangees[i])
        if len(remplies) == 1 and rangees[i][remplies[0]][1] is None:
            textes.append(rangees[i][remplies[0]][0].strip())
    return textes[-3:]


def decouper_blocs(rangees: list[list[Valeur]]) -> list[_Bloc]:
    """Repère les tableaux d'une feuille ; un bloc d'une seule rangée n'en est pas un."""
    blocs: list[_Bloc] = []
    courant: _Bloc | None = None
    attente: list[int] = []
    for i, rangee in enumerate(rangees):
        remplies = _remplies(rangee)
        if len(remplies) < 2:
            attente.append(i)
            continue
        if courant is not None and _rattachable(attente, rangees, courant):
            courant.rangs.extend([*attente, i])
            courant.col_min = min(courant.col_min, remplies[0])
            courant.col_max = max(courant.col_max, remplies[-1])
            courant.nb_pleines += 1
        else:
            courant = _Bloc([i], remplies[0], remplies[-1], _contexte(attente, rangees))
            blocs.append(courant)
        attente = []
    return [bloc for bloc in blocs if bloc.nb_pleines >= 2]


def _grille(numero: int, bloc: _Bloc, rangees: list[list[Valeur]]) -> GrilleBrute:
    lignes: list[list[CelluleBrute]] = []
    for i in bloc.rangs:
        rangee = rangees[i]
        if not _remplies(rangee):
            continue
        cellules = []
        for j in range(bloc.col_min, bloc.col_max + 1):
            texte, nombre = rangee[j] if j < len(rangee) else VIDE
            cellules.append(CelluleBrute(texte=texte, page=numero, nombre=nombre))
        lignes.append(cellules)
    # Cellules exactes, mais limites du bloc déduites des rangées vides : presque sûr.
    return GrilleBrute(
        methode="xlsx", page=numero, lignes=lignes, contexte=bloc.contexte, score=SCORE_GRILLE
    )


def feuille_en_page(numero: int, feuille: Feuille) -> tuple[Page, list[GrilleBrute]]:
    """La page d'une feuille (nom de l'onglet en tête, puis une ligne par rangée)."""
    page = Page(numero=numero, largeur=0, hauteur=0)
    textes = [[t.strip() for t, _ in r if t.strip()] for r in feuille.rangees]
    if any(textes):
        # Le nom de l'onglet (« CARE 2023 ») sert souvent de titre : on le garde en tête.
        ajouter_ligne(page, feuille.nom, gras=True)
    for cellules in textes:
        if cellules:
            ajouter_ligne(page, "\t".join(cellules))
    grilles = [_grille(numero, b, feuille.rangees) for b in decouper_blocs(feuille.rangees)]
    return page, grilles
