"""OCR des pages image : rendu pypdfium2, retrait des filets (OpenCV), Tesseract `fra`.

Les filets de tableau gênent Tesseract (ils deviennent des « | » ou fusionnent des
chiffres) : on les efface avant l'OCR. L'orientation est corrigée par l'OSD de Tesseract
quand la lecture droite est mauvaise (page numérisée de travers, à 90°).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image

from extracteurs import tesseract
from extracteurs.lignes import Element, LigneBrute, grouper_en_lignes, segmenter
from extracteurs.nombres import lire_nombre
from extracteurs.opencv import opencv
from socle.processus import regler_environnement

# Un seul fil OpenMP pour Tesseract, même pour une lecture lancée hors de la CLI.
regler_environnement()

# Hauteur d'une boîte de mot OCR ≈ 0,72 em (corps des minuscules et chiffres).
RAPPORT_HAUTEUR_EM = 0.72
CONFIANCE_MIN_DROITE = 70.0


@dataclass
class PageOcr:
    lignes: list[LigneBrute]
    largeur: float
    hauteur: float
    rotation: int
    confiance: float | None


def rendre(page: pdfium.PdfPage, dpi: int) -> Image.Image:
    image: Image.Image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    return image


def effacer_filets(image: Image.Image) -> Image.Image:
    """Efface les traits horizontaux et verticaux longs (filets de tableau)."""
    # OpenCV et numpy ne servent qu'aux pages scannées : importés ici, pas au démarrage.
    import numpy as np

    cv2 = opencv()

    gris = np.array(image)
    binaire = cv2.adaptiveThreshold(
        ~gris, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2
    )
    largeur = max(25, gris.shape[1] // 35)
    hauteur = max(25, gris.shape[0] // 35)
    horizontaux = cv2.morphologyEx(
        binaire, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (largeur, 1))
    )
    verticaux = cv2.morphologyEx(
        binaire, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, hauteur))
    )
    masque = cv2.dilate(cv2.bitwise_or(horizontaux, verticaux), np.ones((3, 3), np.uint8))
    nettoye = gris.copy()
    nettoye[masque > 0] = 255
    return Image.fromarray(nettoye)


_CHIFFRES_DOUTEUX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def corriger_mot(texte: str) -> str:
    """Corrige les confusions lettre/chiffre dans un mot surtout numérique (« 1O2 » → « 102 »).

    Les restes de filets verticaux que Tesseract lit « | » ou « [ » en bord de mot sont
    retirés d'abord ; un mot qui n'est que cela devient vide (et sera ignoré).
    """
    texte = texte.strip("|[]¦")
    chiffres = sum(c.isdigit() for c in texte)
    if chiffres and chiffres >= len(texte) / 2 and re.fullmatch(r"[\dOoIl|,.()\-−–%€]+", texte):
        return texte.translate(_CHIFFRES_DOUTEUX)
    return texte


def lire_mots(image: Image.Image, langue: str, dpi: int) -> tuple[list[Element], float | None]:
    import numpy as np

    donnees = tesseract.mots(image, langue, ["--psm", "6"])
    echelle = 72 / dpi
    elements, confiances = [], []
    for i, texte in enumerate(donnees["text"]):
        confiance = float(donnees["conf"][i])
        mot = corriger_mot(str(texte).strip())
        if not mot or confiance < 0:
            continue
        x, y, w, h = (int(donnees[k][i]) for k in ("left", "top", "width", "height"))
        confiances.append(confiance)
        elements.append(
            Element(
                texte=mot,
                x0=x * echelle,
                haut=y * echelle,
                x1=(x + w) * echelle,
                bas=(y + h) * echelle,
                taille=h * echelle / RAPPORT_HAUTEUR_EM,
                confiance=confiance,
            )
        )
    moyenne = float(np.mean(confiances)) if confiances else None
    return elements, moyenne


_CHIFFRES_ESPACES = re.compile(r"^(\(?[-−–]?)(\d[\d ]*\d)(,\d+)?(\)?[-−–]?)$")


def regrouper_chiffres(ligne: LigneBrute) -> LigneBrute:
    """Rétablit les groupes de milliers qu'un OCR a mal espacés (« 1542 631 » → « 1 542 631 »).

    Une espace fine imprimée entre deux groupes est souvent perdue par Tesseract ; un
    nombre de cellule dont les groupes sont incohérents est relu chiffres accolés.
    """
    for segment in ligne.segments:
        trouve = _CHIFFRES_ESPACES.match(segment.texte)
        if not trouve or lire_nombre(segment.texte) is not None:
            continue
        avant, entier, decimales, apres = trouve.groups()
        if all(re.fullmatch(r"(?:19|20)\d\d", g) for g in entier.split()):
            continue  # des années côte à côte, pas un montant
        chiffres = entier.replace(" ", "")
        groupes = [chiffres[max(0, i - 3) : i] for i in range(len(chiffres), 0, -3)][::-1]
        segment.texte = f"{avant}{' '.join(groupes)}{decimales or ''}{apres}"
    return ligne


def orientation(image: Image.Image) -> int:
    """Angle (0, 90, 180, 270) dont il faut tourner l'image, selon l'OSD de Tesseract."""
    try:
        osd = tesseract.orientation_osd(image)
    except tesseract.TesseractError:
        return 0
    trouve = re.search(r"Rotate:\s*(\d+)", osd)
    return int(trouve.group(1)) if trouve else 0


def preparer_image(page: pdfium.PdfPage, dpi: int) -> Image.Image:
    """Rendu et effacement des filets ; pdfium n'étant pas sûr entre threads, à faire ici."""
    return effacer_filets(rendre(page, dpi))


def lire_image(image: Image.Image, dpi: int, langue: str) -> PageOcr:
    """OCR d'une page déjà rendue (appelable depuis un thread : Tesseract est un processus).

    Une image plus large que haute est d'abord soumise à l'OSD : c'est le cas typique d'une
    page portrait numérisée couchée, et cela évite un premier OCR inutile et lent.
    """
    rotation = orientation(image) if image.width > image.height else 0
    if rotation:
        image = image.rotate(-rotation, expand=True)
    elements, confiance = lire_mots(image, langue, dpi)
    if not rotation and (
        confiance is None or confiance < CONFIANCE_MIN_DROITE or len(elements) < 15
    ):
        rotation = orientation(image)
        if rotation:
            image = image.rotate(-rotation, expand=True)
            elements, confiance = lire_mots(image, langue, dpi)
    lignes = [
        regrouper_chiffres(segmenter(ligne, caracteres=False))
        for ligne in grouper_en_lignes(elements)
    ]
    largeur, hauteur = (image.width * 72 / dpi, image.height * 72 / dpi)
    return PageOcr(lignes, largeur, hauteur, rotation, confiance)
