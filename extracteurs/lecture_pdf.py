"""Lecture complète d'un PDF : texte natif ou OCR page à page, tableaux choisis et recollés."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from pdfplumber.page import Page as PagePlumber
from PIL import Image

from extracteurs import alignement, assemblage, choix, lecteurs_pdf, ocr, pdf
from extracteurs.grilles import GrilleBrute
from extracteurs.lignes import LigneBrute, englobante, vers_lignes
from extracteurs.limites import dpi_borne, mega_pixels
from extracteurs.modeles import Page
from socle.erreurs import ExtractionError
from socle.reglages import Reglages

Suivi = Callable[[int, int], None]


@dataclass
class PageLue:
    """Une page lue. Ses lignes brutes (segments, caractères) ne sont pas gardées : le
    recollage des tableaux coupés ne lit que les lignes de la `Page`, et les garder pour
    un rapport de 1 000 pages coûtait ~60 Mo."""

    page: Page
    grilles: list[GrilleBrute]
    avertissement: str | None = None


def lire_pdf(
    chemin: Path, reglages: Reglages, suivi: Suivi | None = None
) -> tuple[list[Page], list[GrilleBrute], list[str]]:
    mot_de_passe = reglages.pdf_password.get_secret_value() if reglages.pdf_password else None
    nombre = pdf.verifier_pdf(chemin, mot_de_passe or None)
    if nombre > reglages.max_pages:
        raise ExtractionError(
            f"Le PDF compte {nombre} pages, au-delà de la limite de {reglages.max_pages} "
            "(DSP_MAX_PAGES).",
            fichier=chemin,
        )
    avertissements: list[str] = []
    rendu = pdfium.PdfDocument(chemin, password=mot_de_passe or None)
    try:
        with (
            pdf.ouvrir_pdfplumber(chemin, mot_de_passe) as document,
            ThreadPoolExecutor(max_workers=reglages.ocr_processus) as pool,
            tempfile.TemporaryDirectory(prefix="dsp-pages-") as dossier,
        ):
            isolees = lecteurs_pdf.PagesIsolees(rendu, Path(dossier))
            lues = _lire_pages(document.pages, rendu, isolees, reglages, pool, suivi)
    finally:
        rendu.close()
    _refuser_si_rien_lu(lues, chemin)
    avertissements += [
        lue.avertissement or f"Page {lue.page.numero} : ni texte ni image lisible."
        for lue in lues
        if lue.avertissement or not lue.page.lignes
    ]
    return [lue.page for lue in lues], _recoller_tout(lues), avertissements


def _refuser_si_rien_lu(lues: list[PageLue], chemin: Path) -> None:
    """Aucune ligne lue et des pages écartées par une limite : l'erreur dit laquelle."""
    ecartees = [lue.avertissement for lue in lues if lue.avertissement]
    if ecartees and not any(lue.page.lignes for lue in lues):
        autres = f" (et {len(ecartees) - 1} autre(s) page(s))" if len(ecartees) > 1 else ""
        raise ExtractionError(f"Aucune page n'a pu être lue. {ecartees[0]}{autres}", fichier=chemin)


def _lire_pages(
    pages: list[PagePlumber],
    rendu: pdfium.PdfDocument,
    isolees: lecteurs_pdf.PagesIsolees,
    reglages: Reglages,
    pool: ThreadPoolExecutor,
    suivi: Suivi | None,
) -> list[PageLue]:
    """Pages natives lues tout de suite ; pages scannées confiées aux threads OCR, en nombre
    borné pour que la mémoire des images en attente reste limitée."""
    lues: list[PageLue | Future[PageLue]] = []
    en_cours: list[Future[PageLue]] = []
    for index, page_plumber in enumerate(pages):
        lue = _lire_page(page_plumber, rendu, index + 1, isolees, reglages, pool)
        page_plumber.close()
        lues.append(lue)
        if isinstance(lue, Future):
            en_cours.append(lue)
        while len(en_cours) > reglages.ocr_processus:
            en_cours.pop(0).result()
        if suivi:
            suivi(index + 1, len(pages))
    return [lue.result() if isinstance(lue, Future) else lue for lue in lues]


def _lire_page(
    page: PagePlumber,
    rendu: pdfium.PdfDocument,
    numero: int,
    isolees: lecteurs_pdf.PagesIsolees,
    reglages: Reglages,
    pool: ThreadPoolExecutor,
) -> PageLue | Future[PageLue]:
    page, invisibles = pdf.sans_texte_invisible(page)
    visibles = pdf.nombre_caracteres_visibles(page)
    if visibles < reglages.texte_min_caracteres and pdf.a_des_images(page):
        dpi, refus = _dpi_ocr(page, numero, reglages)
        if refus:
            return _page_non_lue(page, numero, refus)
        # La page pdfium n'est chargée que pour une page à rendre (son analyse coûtait
        # ~1 % de la lecture d'un PDF natif, où seul pdfplumber la lit).
        image = ocr.preparer_image(rendu[numero - 1], dpi)
        return pool.submit(_lire_page_ocr, image, numero, reglages, dpi)
    lignes, redressement = pdf.lire_lignes_natives(page)
    largeur, hauteur = float(page.width), float(page.height)
    if redressement in (90, 270):  # quart de tour : la page redressée est couchée
        largeur, hauteur = hauteur, largeur
    modele = Page(
        numero=numero,
        largeur=largeur,
        hauteur=hauteur,
        rotation=redressement,
        scannee=False,
        lignes=vers_lignes(lignes, numero),
    )
    # camelot relit le fichier lui-même, texte invisible compris : écarté sur une telle page.
    grilles = _grilles_natives(page, lignes, numero, isolees if not invisibles else None, reglages)
    return PageLue(modele, grilles)


def _dpi_ocr(page: PagePlumber, numero: int, reglages: Reglages) -> tuple[int, str | None]:
    """Résolution du rendu avant OCR, ou la raison de ne pas lire la page.

    Rien n'est décodé ici : dimensions et résolution viennent du dictionnaire de l'image.
    Une image démesurée n'est jamais rendue (mémoire) ; une image trop grossière donnerait
    un texte faux, plus trompeur qu'une page signalée comme non lue.
    """
    plus_grande = pdf.pixels_plus_grande_image(page)
    if plus_grande > reglages.max_pixels_image:
        return 0, (
            f"Page {numero} : image de {mega_pixels(plus_grande)}, au-delà de la limite de "
            f"{mega_pixels(reglages.max_pixels_image)} (DSP_MAX_PIXELS_IMAGE) : page non lue."
        )
    native = pdf.resolution_images(page)
    if native is not None and native < reglages.ocr_resolution_min:
        return 0, (
            f"Page {numero} : image numérisée à {native:.0f} ppp, sous le minimum de "
            f"{reglages.ocr_resolution_min} ppp (DSP_OCR_RESOLUTION_MIN) : page non lue, "
            "demandez au délégataire un scan à 300 ppp."
        )
    voulu = reglages.ocr_dpi if native is None else int(min(reglages.ocr_dpi, max(150, native)))
    dpi = dpi_borne(float(page.width), float(page.height), voulu, reglages)
    if dpi < reglages.ocr_resolution_min:
        return 0, (
            f"Page {numero} : format démesuré ({float(page.width) / 72 * 2.54:.0f} × "
            f"{float(page.height) / 72 * 2.54:.0f} cm), son rendu dépasserait "
            f"{mega_pixels(reglages.max_pixels_image)} (DSP_MAX_PIXELS_IMAGE) : page non lue."
        )
    return dpi, None


def _page_non_lue(page: PagePlumber, numero: int, raison: str) -> PageLue:
    modele = Page(
        numero=numero, largeur=float(page.width), hauteur=float(page.height), scannee=True
    )
    return PageLue(modele, [], avertissement=raison)


def _grilles_natives(
    page: PagePlumber,
    lignes: list[LigneBrute],
    numero: int,
    isolees: lecteurs_pdf.PagesIsolees | None,
    reglages: Reglages,
) -> list[GrilleBrute]:
    reference = choix.reference_page(lignes)
    lecteurs: dict[str, choix.Lecteur] = {
        "alignement": lambda: alignement.grilles_page(lignes, numero)
    }
    lents: dict[str, choix.Lecteur] = {}
    regle = False
    # camelot rend la page à 300 ppp : sur une page démesurée, l'alignement seul (mémoire).
    dpi = lecteurs_pdf.DPI_CAMELOT
    rendu_borne = dpi_borne(float(page.width), float(page.height), dpi, reglages)
    if (reference or choix.page_chiffree(lignes)) and rendu_borne >= dpi:
        regle = lecteurs_pdf.a_des_filets(page)
        # pdfplumber réutilise les objets déjà analysés de la page : il passe avant camelot,
        # qui recopie la page, la relit et la rend en image.
        lecteurs["pdfplumber"] = lambda: lecteurs_pdf.grilles_pdfplumber(page, numero, regle)
        if isolees is not None:
            copies = isolees
            saveur = "camelot-lattice" if regle else "camelot-stream"
            lents[saveur] = lambda: lecteurs_pdf.grilles_camelot(
                copies, numero, float(page.height), regle
            )
    seuil = reglages.tableaux_seuil if reglages.tableaux_comparaison == "si_doute" else None
    _, grilles, _ = choix.choisir(lecteurs, reference, seuil, lents, regle)
    for grille in grilles:
        grille.contexte = _contexte(grille, lignes)
    return grilles


def _lire_page_ocr(image: Image.Image, numero: int, reglages: Reglages, dpi: int) -> PageLue:
    lue = ocr.lire_image(image, dpi, reglages.ocr_langue)
    modele = Page(
        numero=numero,
        largeur=lue.largeur,
        hauteur=lue.hauteur,
        rotation=lue.rotation,
        scannee=True,
        ocr_confiance=lue.confiance,
        lignes=vers_lignes(lue.lignes, numero),
    )
    reference = choix.reference_page(lue.lignes)
    _, grilles, _ = choix.choisir(
        {"alignement": lambda: alignement.grilles_page(lue.lignes, numero)}, reference
    )
    for grille in grilles:
        grille.contexte = _contexte(grille, lue.lignes)
    return PageLue(modele, grilles)


def _boite_grille(grille: GrilleBrute) -> tuple[float, float] | None:
    if grille.boite:
        return grille.boite.haut, grille.boite.bas
    boites = [c.boite for ligne in grille.lignes for c in ligne if c.boite]
    if not boites:
        return None
    tout = englobante(boites)
    return tout.haut, tout.bas


def _contexte(grille: GrilleBrute, lignes: list[LigneBrute]) -> list[str]:
    """Jusqu'à trois lignes au-dessus du tableau, la plus proche d'abord (titre, unité)."""
    bornes = _boite_grille(grille)
    if bornes is None:
        return grille.contexte
    dessus = [ligne for ligne in lignes if ligne.boite.bas <= bornes[0] + 1]
    return [ligne.texte for ligne in reversed(dessus[-3:])]


def _recoller_tout(lues: list[PageLue]) -> list[GrilleBrute]:
    """Recolle la première grille d'une page à la dernière de la page précédente si elle la suit."""
    resultat: list[GrilleBrute] = []
    fin_de_page = False  # la dernière grille du résultat termine-t-elle la page précédente ?
    for index, lue in enumerate(lues):
        for rang, grille in enumerate(lue.grilles):
            if rang == 0 and fin_de_page and _continue(resultat[-1], grille, lues[index - 1], lue):
                resultat[-1] = assemblage.recoller(resultat[-1], grille)
            else:
                resultat.append(grille)
        fin_de_page = bool(lue.grilles)
    return resultat


def _continue(
    avant: GrilleBrute, apres: GrilleBrute, page_avant: PageLue, page_apres: PageLue
) -> bool:
    bas_avant = _boite_grille(page_avant.grilles[-1])
    haut_apres = _boite_grille(apres)
    if bas_avant is None or haut_apres is None:
        return False
    lignes_avant, lignes_apres = page_avant.page.lignes, page_apres.page.lignes
    apres_avant = [
        ligne.texte
        for ligne in lignes_avant
        if ligne.boite is not None and ligne.boite.haut >= bas_avant[1] - 1
    ]
    avant_apres = [
        ligne.texte
        for ligne in lignes_apres
        if ligne.boite is not None and ligne.boite.bas <= haut_apres[0] + 1
    ]
    return assemblage.peut_suivre(
        avant,
        apres,
        apres_avant,
        avant_apres,
        assemblage.cles_page([ligne.texte for ligne in lignes_avant]),
    )
