"""Graphiques en barres groupées du rapport CCSPL, dessinés en PNG avec Pillow.

Pillow est déjà une dépendance (pages rendues, OCR) : pas besoin de matplotlib pour des
barres. Tout est calculé ici (échelle, graduations à la française) ; le PNG entre dans le
Word par le gabarit (`InlineImage`) et reste lisible hors ligne.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from controles.commun import nombre_fr
from publication.contexte import Enregistrement

LARGEUR, HAUTEUR = 1600, 760
MARGE_GAUCHE, MARGE_DROITE, MARGE_HAUT, MARGE_BAS = 190, 40, 110, 170
TEXTE, AXE, GRILLE = (30, 30, 30), (90, 90, 90), (222, 222, 222)
POLICES = ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Arial.ttf")

Police = ImageFont.FreeTypeFont | ImageFont.ImageFont


class Serie(Enregistrement):
    """Une série de barres : son nom en légende, une valeur par catégorie (None : absente)."""

    nom: str
    valeurs: list[float | None]
    couleur: str


class Graphique(Enregistrement):
    titre: str
    categories: list[str]
    series: list[Serie]
    unite: str = "€"


@cache
def police(taille: int) -> Police:
    """Une police TrueType du système (Liberation, DejaVu), sinon celle de Pillow."""
    for nom in POLICES:
        try:
            return ImageFont.truetype(nom, taille)
        except OSError:
            continue
    return ImageFont.load_default(taille)


def echelle(valeurs: Sequence[float]) -> tuple[float, float, float]:
    """(bas, haut, pas) : bornes rondes qui contiennent zéro et toutes les valeurs."""
    bas, haut = min(0.0, *valeurs), max(0.0, *valeurs)
    if bas == haut:
        return 0.0, 1.0, 0.25
    brut = (haut - bas) / 5
    puissance = 10 ** math.floor(math.log10(brut))
    pas = next(m * puissance for m in (1, 2, 2.5, 5, 10) if m * puissance >= brut)
    return math.floor(bas / pas) * pas, math.ceil(haut / pas) * pas, pas


def graduation(valeur: float, unite: str) -> str:
    """« 1,2 M€ », « 350 k€ », « 12 » : l'ordre de grandeur lisible d'un coup d'œil."""
    if unite != "€":
        return nombre_fr(valeur, 1)
    if abs(valeur) >= 1e6:
        return f"{nombre_fr(valeur / 1e6, 1)} M€"
    if abs(valeur) >= 1e3:
        return f"{nombre_fr(valeur / 1e3, 0)} k€"
    return f"{nombre_fr(valeur, 0)} €"


def _centre(dessin: ImageDraw.ImageDraw, x: float, y: float, texte: str, taille: int) -> None:
    dessin.text((x, y), texte, fill=TEXTE, font=police(taille), anchor="mt")


def _coupe(texte: str, largeur: int) -> str:
    """Un libellé de catégorie sur deux lignes au plus, coupé aux espaces."""
    mots, lignes, courante = texte.split(), [], ""
    for mot in mots:
        essai = f"{courante} {mot}".strip()
        if len(essai) > largeur and courante:
            lignes.append(courante)
            courante = mot
        else:
            courante = essai
    lignes.append(courante)
    if len(lignes) > 2:
        lignes = [lignes[0], " ".join(lignes[1:])[: largeur - 1] + "…"]
    return "\n".join(lignes)


def _axes(dessin: ImageDraw.ImageDraw, graphique: Graphique) -> tuple[float, float]:
    """Grille et graduations ; rend (y du zéro, pixels par unité)."""
    valeurs = [v for s in graphique.series for v in s.valeurs if v is not None]
    bas, haut, pas = echelle(valeurs or [0.0])
    hauteur_utile = HAUTEUR - MARGE_HAUT - MARGE_BAS
    par_unite = hauteur_utile / (haut - bas)
    y_zero = MARGE_HAUT + (haut - 0.0) * par_unite
    crans = round((haut - bas) / pas)
    for rang in range(crans + 1):
        valeur = bas + rang * pas
        y = MARGE_HAUT + (haut - valeur) * par_unite
        dessin.line((MARGE_GAUCHE, y, LARGEUR - MARGE_DROITE, y), fill=GRILLE, width=2)
        texte = graduation(valeur, graphique.unite)
        dessin.text((MARGE_GAUCHE - 14, y), texte, fill=TEXTE, font=police(24), anchor="rm")
    dessin.line((MARGE_GAUCHE, y_zero, LARGEUR - MARGE_DROITE, y_zero), fill=AXE, width=3)
    return y_zero, par_unite


def _legende(dessin: ImageDraw.ImageDraw, series: Sequence[Serie]) -> None:
    x = MARGE_GAUCHE
    for serie in series:
        dessin.rectangle((x, 66, x + 26, 92), fill=serie.couleur)
        dessin.text((x + 36, 79), serie.nom, fill=TEXTE, font=police(24), anchor="lm")
        x += 36 + int(dessin.textlength(serie.nom, font=police(24))) + 40


def _barres(dessin: ImageDraw.ImageDraw, graphique: Graphique, y_zero: float, k: float) -> None:
    largeur_groupe = (LARGEUR - MARGE_GAUCHE - MARGE_DROITE) / max(len(graphique.categories), 1)
    largeur_barre = largeur_groupe * 0.8 / max(len(graphique.series), 1)
    for rang, categorie in enumerate(graphique.categories):
        x0 = MARGE_GAUCHE + rang * largeur_groupe + largeur_groupe * 0.1
        for numero, serie in enumerate(graphique.series):
            valeur = serie.valeurs[rang]
            gauche = x0 + numero * largeur_barre
            if valeur is None:  # une valeur absente se voit : « n.c. » à la place de la barre
                _centre(dessin, gauche + largeur_barre / 2, y_zero - 30, "n.c.", 20)
                continue
            y = y_zero - valeur * k
            dessin.rectangle(
                (gauche + 3, min(y, y_zero), gauche + largeur_barre - 3, max(y, y_zero)),
                fill=serie.couleur,
            )
        centre = MARGE_GAUCHE + (rang + 0.5) * largeur_groupe
        libelle = _coupe(categorie, max(int(largeur_groupe / 13), 8))
        dessin.multiline_text(
            (centre, HAUTEUR - MARGE_BAS + 16), libelle, fill=TEXTE, font=police(23),
            anchor="ma", align="center",
        )  # fmt: skip


def dessiner(graphique: Graphique) -> bytes:
    """Le graphique en PNG (1 600 × 760 px, lisible imprimé sur 16 cm)."""
    image = Image.new("RGB", (LARGEUR, HAUTEUR), "white")
    dessin = ImageDraw.Draw(image)
    dessin.text((MARGE_GAUCHE, 18), graphique.titre, fill=TEXTE, font=police(32))
    _legende(dessin, graphique.series)
    y_zero, par_unite = _axes(dessin, graphique)
    _barres(dessin, graphique, y_zero, par_unite)
    flux = io.BytesIO()
    image.save(flux, format="PNG", optimize=True)
    return flux.getvalue()
