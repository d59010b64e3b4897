"""Lecteurs de tableaux concurrents sur une page native : pdfplumber et camelot.

Chacun rend des `GrilleBrute` ; `extracteurs.choix` garde celui qui lit le mieux la page.
"""

from __future__ import annotations

import logging
import math
import warnings
from bisect import bisect_left
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.page import Page as PagePlumber
from pdfplumber.table import CellGroup
from pdfplumber.utils.text import extract_text

from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.modeles import Boite
from extracteurs.opencv import opencv
from extracteurs.pages_plumber import milieu

journal = logging.getLogger(__name__)

DPI_CAMELOT = 300
"""camelot lattice rend la page à cette résolution pour y chercher les filets."""

_REGLAGES_PLUMBER: dict[str, dict[str, Any]] = {
    "lignes": {
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "text_keep_blank_chars": True,
    },
    "texte": {
        "vertical_strategy": "text",
        "horizontal_strategy": "text",
        "text_keep_blank_chars": True,
        "min_words_vertical": 2,
        "text_x_tolerance": 2,
    },
}


def a_des_filets(page: PagePlumber) -> bool:
    """La page porte des traits (tableau réglé) : lattice et la stratégie « lines » s'imposent."""
    return len(page.lines) + len(page.rects) >= 4


def sans_texte_tourne(page: PagePlumber) -> PagePlumber:
    """La page sans ses caractères tournés quand ils sont minoritaires : un texte de marge
    vertical (« Document établi par … », référence d'imprimeur) tombe sinon dans la
    première colonne et se colle aux libellés des lignes du tableau."""
    tournes = sum(1 for c in page.chars if not c.get("upright", True) and c["text"].strip())
    if not tournes or tournes * 2 > sum(1 for c in page.chars if c["text"].strip()):
        return page
    return page.filter(lambda o: o.get("object_type") != "char" or o.get("upright", True))


def grilles_pdfplumber(page: PagePlumber, numero: int, regle: bool) -> list[GrilleBrute]:
    reglages = _REGLAGES_PLUMBER["lignes" if regle else "texte"]
    grilles = []
    for table in sans_texte_tourne(page).find_tables(reglages):
        rangees = table.rows
        textes = _textes(table.page.chars, rangees)
        lignes = []
        for rangee, textes_rangee in zip(rangees, textes, strict=False):
            cellules = []
            for boite, texte in zip(rangee.cells, textes_rangee, strict=False):
                cellules.append(
                    CelluleBrute(
                        texte=(texte or "").replace("\n", " ").strip(),
                        page=numero,
                        boite=_boite_plumber(boite) if boite else None,
                    )
                )
            lignes.append(cellules)
        grilles.append(
            GrilleBrute(
                methode="pdfplumber", page=numero, lignes=lignes, boite=_boite_plumber(table.bbox)
            )
        )
    return grilles


def _textes(caracteres: list[dict[str, Any]], rangees: list[CellGroup]) -> list[list[str | None]]:
    """Le texte des cellules, comme `table.extract()` de pdfplumber (test d'égalité).

    pdfplumber parcourt tous les caractères de la page pour chaque rangée : sur une page
    lue par la stratégie « text » (une rangée par ligne de texte), c'était ~5 % de la
    lecture. Les caractères sont ici triés une fois par hauteur de leur milieu ; chaque
    rangée prend sa tranche par dichotomie, puis les garde dans l'ordre de la page (celui
    que voit pdfplumber, dont dépend l'assemblage du texte)."""
    centres = [milieu(c) for c in caracteres]
    milieux = sorted((y, i) for i, (_, y) in enumerate(centres))
    hauteurs = [h for h, _ in milieux]
    textes = []
    for rangee in rangees:
        x0, haut, x1, bas = rangee.bbox
        tranche = milieux[bisect_left(hauteurs, haut) : bisect_left(hauteurs, bas)]
        dedans = sorted(i for _, i in tranche if x0 <= centres[i][0] < x1)
        de_la_rangee = [(centres[i], caracteres[i]) for i in dedans]
        textes.append([_texte_cellule(cellule, de_la_rangee) for cellule in rangee.cells])
    return textes


def _texte_cellule(
    cellule: tuple[float, float, float, float] | None,
    caracteres: list[tuple[tuple[float, float], dict[str, Any]]],
) -> str | None:
    """Le texte d'une cellule : les caractères (avec leur milieu) de la rangée dont le
    milieu est dans la cellule, le test de pdfplumber."""
    if cellule is None:
        return None
    x0, haut, x1, bas = cellule
    dedans = [c for (x, y), c in caracteres if x0 <= x < x1 and haut <= y < bas]
    return extract_text(dedans) if dedans else ""


def _boite_plumber(b: tuple[float, float, float, float]) -> Boite:
    return Boite(x0=float(b[0]), haut=float(b[1]), x1=float(b[2]), bas=float(b[3]))


class PagesIsolees:
    """Chaque page confiée à camelot, copiée seule dans un PDF temporaire.

    camelot rouvre le fichier et en parcourt toutes les pages à chaque appel : appelé page
    par page sur le fichier entier, il coûte n² pour un rapport de n pages (une minute
    pour 500 pages). Copier une page avec pdfium prend quelques millisecondes. La copie est
    en clair (le mot de passe a servi à l'ouverture) et disparaît avec `dossier`.
    """

    def __init__(self, rendu: pdfium.PdfDocument, dossier: Path) -> None:
        self.rendu = rendu
        self.dossier = dossier

    def chemin(self, numero: int) -> Path:
        cible = self.dossier / f"page-{numero}.pdf"
        if not cible.exists():
            seule = pdfium.PdfDocument.new()
            try:
                seule.import_pages(self.rendu, [numero - 1])
                retirer_texte_tourne(seule[0])
                seule.save(cible)
            finally:
                seule.close()
        return cible


def _sens(objet: Any) -> int:
    a, b, _, _, _, _ = objet.get_matrix().get()
    return round(math.degrees(math.atan2(b, a))) % 360


def retirer_texte_tourne(page: pdfium.PdfPage) -> None:
    """Retire de la copie les textes minoritaires écrits dans un autre sens que le corps de
    la page (texte de marge vertical) : camelot les répartit sinon entre les cellules de la
    première colonne (« Personnel\nbin », « Total charges\nEtabli p »)."""
    textes = [o for o in page.get_objects(max_depth=1) if o.type == pdfium_c.FPDF_PAGEOBJ_TEXT]
    sens = [_sens(o) for o in textes]
    if len(set(sens)) < 2:
        return
    majoritaire = max(set(sens), key=sens.count)
    tournes = [o for o, s in zip(textes, sens, strict=True) if s != majoritaire]
    if len(tournes) * 2 >= len(textes):
        return
    for objet in tournes:
        page.remove_obj(objet)
    page.gen_content()


class RenduCamelot:
    """Rendu des pages pour camelot lattice, mêmes pixels que son moteur pdfium.

    camelot rend la page en BGR, la convertit en image PIL RGB puis la retourne en BGR
    (deux copies d'une image de 8,7 Mpx à 300 ppp : ~0,1 s par page, dix fois le rendu
    lui-même). pdfium rend directement en BGR, l'ordre qu'attend OpenCV.
    """

    def to_array(self, pdf_path: str, resolution: int = DPI_CAMELOT, page: int = 1) -> Any:
        import numpy as np

        document = pdfium.PdfDocument(pdf_path)
        try:
            document.init_forms()  # comme camelot : les champs de formulaire sont rendus
            rendu = document[page - 1].render(scale=resolution / 72)
            if rendu.mode != "BGR":  # rendu avec transparence : la voie de camelot
                image = rendu.to_pil().convert("RGB")
                return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
            # Vue sur le tampon du rendu, sans copie (26 Mo par page A4) : le tableau garde
            # le tampon vivant (pypdfium2 y attache sa libération), fermer le document
            # n'y touche pas. Copié seulement si ses lignes ont du remplissage.
            return np.ascontiguousarray(rendu.to_numpy())
        finally:
            document.close()

    def convert(
        self, pdf_path: str, png_path: str, resolution: int = DPI_CAMELOT, page: int = 1
    ) -> None:
        from PIL import Image

        Image.fromarray(self.to_array(pdf_path, resolution, page)[:, :, ::-1]).save(png_path)


def grilles_camelot(
    pages: PagesIsolees, numero: int, hauteur: float, regle: bool
) -> list[GrilleBrute]:
    """camelot (moteur de rendu pdfium) : lattice sur page réglée, stream sinon."""
    # camelot (pandas, OpenCV) coûte ~0,3 s CPU à importer : seulement quand une page le demande.
    from camelot.io import read_pdf

    opencv()  # camelot lattice seuille et filtre la page rendue avec OpenCV
    saveur = "lattice" if regle else "stream"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = read_pdf(
                str(pages.chemin(numero)),
                pages="1",
                flavor=saveur,
                suppress_stdout=True,
                # Un texte à cheval sur deux cellules (colonnes serrées) est coupé aux filets.
                split_text=True,
                **({"backend": RenduCamelot()} if regle else {}),
            )
    except Exception as exc:  # camelot échoue sur des pages atypiques : ce lecteur s'abstient
        journal.info("camelot n'a pas lu la page %s : %s", numero, exc)
        return []
    methode = "camelot-lattice" if regle else "camelot-stream"
    grilles = []
    for table in tables:
        lignes = []
        for r, rangee in enumerate(table.cells):
            lignes.append(
                [
                    CelluleBrute(
                        texte=str(table.df.iat[r, k]).replace("\n", " ").strip(),
                        page=numero,
                        boite=Boite(x0=c.x1, haut=hauteur - c.y2, x1=c.x2, bas=hauteur - c.y1),
                    )
                    for k, c in enumerate(rangee)
                ]
            )
        grilles.append(GrilleBrute(methode=methode, page=numero, lignes=lignes))
    return grilles
