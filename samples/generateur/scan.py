"""Simulation d'un rapport scanné : pages rendues en image, bruit léger, biais minime.

Le PDF produit ne contient que des images JPEG (aucun texte) ; une page peut être
pivotée d'un quart de tour, comme une feuille posée de travers dans le chargeur.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

DPI = 200
QUALITE_JPEG = 70


def _salir(image: Image.Image, rng: random.Random) -> Image.Image:
    """Bruit gaussien faible et biais ≤ 0,3° : assez pour un OCR, sans alourdir le JPEG."""
    tableau = np.asarray(image, dtype=np.int16)
    generateur = np.random.default_rng(rng.randrange(2**32))
    bruit = generateur.normal(0, 5, tableau.shape).astype(np.int16)
    sali = Image.fromarray(np.clip(tableau + bruit, 0, 255).astype(np.uint8), mode="L")
    angle = rng.uniform(-0.3, 0.3)
    return sali.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=250)


def _jpeg(image: Image.Image) -> bytes:
    tampon = io.BytesIO()
    image.save(tampon, format="JPEG", quality=QUALITE_JPEG, optimize=True)
    return tampon.getvalue()


def numeriser(chemin: Path, rng: random.Random, page_tournee: int | None) -> None:
    """Remplace le PDF natif par sa version scannée (mêmes pages, même ordre)."""
    source = pdfium.PdfDocument(str(chemin))
    images: list[tuple[bytes, float, float]] = []
    for rang in range(len(source)):
        page = source[rang]
        largeur, hauteur = page.get_size()
        image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
        image = _salir(image, rng)
        if rang + 1 == page_tournee:
            image = image.rotate(90, expand=True)
            largeur, hauteur = hauteur, largeur
        images.append((_jpeg(image), largeur, hauteur))
    source.close()
    toile = Canvas(str(chemin), invariant=1, pageCompression=1)
    toile.setTitle(chemin.stem)
    toile.setCreator("Numériseur de bureau")
    for donnees, largeur, hauteur in images:
        toile.setPageSize((largeur, hauteur))
        toile.drawImage(ImageReader(io.BytesIO(donnees)), 0, 0, largeur, hauteur)
        toile.showPage()
    toile.save()
