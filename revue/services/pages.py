"""Pages du rapport d'origine montrées à côté de la fiche : image de la page (pypdfium2,
mise en cache sous `DSP_DATA_DIR/cache_pages/`) et zones des mots cités à surligner.

Les mots viennent de pdfplumber (texte natif) ou, pour une page scannée, de Tesseract
(`extracteurs.ocr`) ; ils sont mis en cache avec l'image. Aucun chemin ne vient de la
requête : le fichier est retrouvé dans l'archive par le sha256 du rapport en base, et tout
chemin lu ou écrit est vérifié sous le dossier des données.
"""

from __future__ import annotations

import json
import math
import re
import threading
from io import BytesIO
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from pydantic import BaseModel, TypeAdapter

from extracteurs.entetes import sans_accents
from extracteurs.ocr import effacer_filets, lire_mots, rendre
from socle.erreurs import StockageError
from socle.fichiers import ecrire_atomique
from socle.reglages import Reglages
from stockage.archives import retrouver
from stockage.modeles import Rapport

DOSSIER_CACHE = "cache_pages"
ECHELLE = 1.5
"""Rendu à 108 ppp : lisible à l'écran, quelques centaines de Ko par page."""
DPI_OCR = 200
MAX_PIXELS_PAGE = 12_000_000
"""Plafond d'une image de page (écran ou OCR), borné aussi par `DSP_MAX_PIXELS_IMAGE` : une
page de 200 × 200 pouces était rendue en 21 600² px (4 Go, 43 s, les autres pages de
toute l'application bloquées derrière le verrou de pdfium)."""
MAX_OCCURRENCES = 6
_PDFIUM = threading.Lock()  # pdfium n'est pas sûr entre threads


class Mot(BaseModel):
    """Un mot de la page ; coordonnées en fraction de la page (0 à 1, origine en haut)."""

    texte: str
    x0: float
    haut: float
    x1: float
    bas: float


class Zone(BaseModel):
    """Un rectangle à surligner, en pourcentage de l'image."""

    gauche: float
    haut: float
    largeur: float
    hauteur: float


_MOTS = TypeAdapter(list[Mot])


def sous_donnees(reglages: Reglages, chemin: Path) -> Path:
    """Le chemin, s'il est bien sous le dossier des données ; `StockageError` sinon."""
    racine = reglages.data_dir.resolve()
    resolu = chemin.resolve()
    if not resolu.is_relative_to(racine):
        raise StockageError("Fichier hors du dossier des données : accès refusé.")
    return resolu


def fichier_source(reglages: Reglages, rapport: Rapport) -> Path:
    chemin = retrouver(reglages.data_dir, rapport.sha256, rapport.fichier)
    return sous_donnees(reglages, chemin)


def est_pdf(rapport: Rapport) -> bool:
    return Path(rapport.fichier).suffix.lower() == ".pdf"


def _cache(reglages: Reglages, rapport: Rapport, nom: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", rapport.sha256):
        raise StockageError("Empreinte de rapport invalide.")
    return sous_donnees(reglages, reglages.data_dir / DOSSIER_CACHE / rapport.sha256 / nom)


def plafond_pixels(reglages: Reglages) -> int:
    return min(MAX_PIXELS_PAGE, reglages.max_pixels_image)


def echelle_bornee(largeur_pt: float, hauteur_pt: float, reglages: Reglages) -> float:
    """L'échelle de rendu `ECHELLE`, réduite pour que l'image tienne sous le plafond (avec
    un millième de marge : pdfium arrondit chaque côté au pixel supérieur)."""
    surface = max(1.0, largeur_pt * hauteur_pt)
    return min(ECHELLE, 0.999 * math.sqrt(plafond_pixels(reglages) / surface))


def image_page(reglages: Reglages, rapport: Rapport, page: int) -> Path:
    """Le PNG de la page (1-based), rendu une fois puis lu dans le cache."""
    cible = _cache(reglages, rapport, f"p{page}.png")
    if cible.is_file():
        return cible
    source = fichier_source(reglages, rapport)
    with _PDFIUM:
        document = pdfium.PdfDocument(source)
        try:
            if not 1 <= page <= len(document):
                raise StockageError(f"Page {page} absente du rapport.")
            pdf_page = document[page - 1]
            largeur, hauteur = pdf_page.get_size()
            echelle = echelle_bornee(largeur, hauteur, reglages)
            image = pdf_page.render(scale=echelle).to_pil()
        finally:
            document.close()
    tampon = BytesIO()
    image.convert("RGB").save(tampon, format="PNG", optimize=True)
    ecrire_atomique(cible, tampon.getvalue())
    return cible


def _mots_natifs(source: Path, page: int) -> list[Mot]:
    with pdfplumber.open(source) as pdf:
        if not 1 <= page <= len(pdf.pages):
            raise StockageError(f"Page {page} absente du rapport.")
        p = pdf.pages[page - 1]
        largeur, hauteur = float(p.width), float(p.height)
        return [
            Mot(
                texte=m["text"],
                x0=m["x0"] / largeur,
                x1=m["x1"] / largeur,
                haut=m["top"] / hauteur,
                bas=m["bottom"] / hauteur,
            )
            for m in p.extract_words()
        ]


def _mots_ocr(reglages: Reglages, source: Path, page: int) -> list[Mot]:
    with _PDFIUM:
        document = pdfium.PdfDocument(source)
        try:
            pdf_page = document[page - 1]
            largeur, hauteur = pdf_page.get_size()
            surface = max(1.0, largeur * hauteur)
            dpi = min(DPI_OCR, math.floor(72 * math.sqrt(plafond_pixels(reglages) / surface)))
            if dpi < reglages.ocr_resolution_min:
                return []  # page démesurée : pas de surlignage plutôt qu'un texte mal lu
            image = effacer_filets(rendre(pdf_page, dpi))
        finally:
            document.close()
    elements, _ = lire_mots(image, reglages.ocr_langue, dpi)
    return [
        Mot(
            texte=e.texte,
            x0=e.x0 / largeur,
            x1=e.x1 / largeur,
            haut=e.haut / hauteur,
            bas=e.bas / hauteur,
        )
        for e in elements
    ]


def mots_page(reglages: Reglages, rapport: Rapport, page: int) -> list[Mot]:
    """Les mots de la page avec leur position (texte natif, sinon OCR), en cache."""
    cible = _cache(reglages, rapport, f"p{page}.mots.json")
    if cible.is_file():
        return _MOTS.validate_json(cible.read_bytes())
    source = fichier_source(reglages, rapport)
    mots = _mots_natifs(source, page)
    if len(mots) < 3:
        mots = _mots_ocr(reglages, source, page)
    ecrire_atomique(cible, json.dumps([m.model_dump() for m in mots]))
    return mots


def normaliser(texte: str) -> str:
    """Minuscules sans accents ni ponctuation de bord (« « Forville, » » → « forville »)."""
    return sans_accents(texte.casefold()).strip(" \t«»\"'’“”.,;:!?()[]{}€%")


def jetons(texte: str) -> list[str]:
    return [j for j in (normaliser(m) for m in re.split(r"\s+", texte)) if j]


def _fenetres(page: list[str], cherche: list[str]) -> list[int]:
    """Débuts des fenêtres de la page qui ressemblent le plus à la citation (≥ 60 %)."""
    n = len(cherche)
    scores = [sum(page[i + k] == cherche[k] for k in range(n)) for i in range(len(page) - n + 1)]
    meilleur = max(scores, default=0)
    if meilleur == 0 or meilleur < 0.6 * n:
        return []
    return [i for i, s in enumerate(scores) if s == meilleur][:MAX_OCCURRENCES]


def zones_citation(mots: list[Mot], citation: str | None) -> list[Zone]:
    """Les zones des mots de la citation sur la page (chaque occurrence la plus proche)."""
    cherche = jetons(citation or "")
    if not cherche:
        return []
    index = [(j, m) for m in mots for j in jetons(m.texte)]
    trouves: list[Mot] = []
    for debut in _fenetres([j for j, _ in index], cherche):
        for _, mot in index[debut : debut + len(cherche)]:
            if mot not in trouves:
                trouves.append(mot)
    return fusionner(trouves)


def fusionner(mots: list[Mot]) -> list[Zone]:
    """Un rectangle par suite de mots voisins sur une même ligne."""
    zones: list[Mot] = []
    for mot in mots:
        precedent = zones[-1] if zones else None
        if (
            precedent
            and abs(precedent.haut - mot.haut) < 0.006
            and -0.01 < mot.x0 - precedent.x1 < 0.03
        ):
            precedent.x1, precedent.bas = max(precedent.x1, mot.x1), max(precedent.bas, mot.bas)
            continue
        zones.append(mot.model_copy())
    marge = 0.002
    return [
        Zone(
            gauche=100 * (z.x0 - marge),
            haut=100 * (z.haut - marge),
            largeur=100 * (z.x1 - z.x0 + 2 * marge),
            hauteur=100 * (z.bas - z.haut + 2 * marge),
        )
        for z in zones
    ]
