"""Ouverture contrôlée d'un PDF et lecture du texte natif de chaque page (pdfplumber).

Tout échec d'ouverture devient une `ExtractionError` au message français : le fichier
n'est pas un PDF, il est vide, tronqué, chiffré (avec ou sans mot de passe fourni).
"""

from __future__ import annotations

import functools
import logging
from itertools import pairwise
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.page import Page as PagePlumber
from pdfplumber.pdf import PDF

from extracteurs.lignes import Element, LigneBrute, grouper_en_lignes, segmenter
from extracteurs.pages_plumber import PdfAllege, journaux_pdfminer, milieu
from socle.erreurs import ExtractionError

SIGNATURE_PDF = b"%PDF-"


def verifier_pdf(chemin: Path, mot_de_passe: str | None) -> int:
    """Valide le fichier avec pdfium (rapide, strict) ; renvoie le nombre de pages."""
    with chemin.open("rb") as flux:
        entete = flux.read(1024)
    if not entete:
        raise ExtractionError("Le fichier est vide.", fichier=chemin)
    if SIGNATURE_PDF not in entete:
        raise ExtractionError(
            "Ce fichier n'est pas un PDF (signature %PDF absente) malgré son extension.",
            fichier=chemin,
        )
    try:
        pdf = pdfium.PdfDocument(chemin, password=mot_de_passe)
    except pdfium.PdfiumError as exc:
        raise _erreur_pdfium(exc, chemin, mot_de_passe) from exc
    try:
        nombre = len(pdf)
    finally:
        pdf.close()
    if nombre == 0:
        raise ExtractionError("Le PDF ne contient aucune page.", fichier=chemin)
    return nombre


def _erreur_pdfium(exc: Exception, chemin: Path, mot_de_passe: str | None) -> ExtractionError:
    """La cause d'un refus de pdfium, confirmée par pypdf.

    La dernière erreur de pdfium est un état du fil d'exécution qu'un échec ne remet pas
    toujours à jour : après un PDF chiffré, un PDF sans page est annoncé « mot de passe
    incorrect ». Le chiffrement et le nombre de pages sont donc relus par pypdf.
    """
    texte = str(exc).lower()
    chiffre, pages = _second_avis_pypdf(chemin)
    if chiffre or (chiffre is None and "password" in texte):
        if mot_de_passe:
            message = (
                "Le PDF est chiffré et le mot de passe configuré (DSP_PDF_PASSWORD) est refusé."
            )
        else:
            message = (
                "Le PDF est protégé par un mot de passe : renseignez DSP_PDF_PASSWORD "
                "ou demandez au délégataire une version non protégée."
            )
        return ExtractionError(message, fichier=chemin)
    if pages == 0:
        return ExtractionError("Le PDF ne contient aucune page.", fichier=chemin)
    # Ni chiffré ni vide, et refusé par pdfium : le message de pdfium (parfois périmé) n'en
    # dirait pas plus à l'agent.
    return ExtractionError(
        "Le PDF est illisible : fichier tronqué ou corrompu. "
        "Demandez une nouvelle copie au délégataire.",
        fichier=chemin,
    )


def _second_avis_pypdf(chemin: Path) -> tuple[bool | None, int | None]:
    """(chiffré, nombre de pages) selon pypdf ; (None, None) si pypdf ne lit pas le fichier."""
    import pypdf  # second avis sur un PDF refusé seulement : pas à chaque démarrage

    journal_pypdf = logging.getLogger("pypdf")
    niveau = journal_pypdf.level
    journal_pypdf.setLevel(logging.CRITICAL)  # ses avertissements ne concernent pas l'agent
    try:
        lecteur = pypdf.PdfReader(chemin)
        if lecteur.is_encrypted:
            return True, None
        return False, len(lecteur.pages)
    except Exception:  # fichier réellement illisible : pas de second avis
        return None, None
    finally:
        journal_pypdf.setLevel(niveau)


def ouvrir_pdfplumber(chemin: Path, mot_de_passe: str | None) -> PDF:
    journaux_pdfminer()
    try:
        return PdfAllege.open(chemin, password=mot_de_passe or "")
    except PDFPasswordIncorrect as exc:
        raise ExtractionError(
            "Le PDF est chiffré et ne peut pas être lu sans mot de passe valide.", fichier=chemin
        ) from exc
    except Exception as exc:  # pdfminer lève des exceptions très variées sur un PDF abîmé
        raise ExtractionError(
            f"Le PDF est illisible ou corrompu ({type(exc).__name__}).", fichier=chemin
        ) from exc


@functools.lru_cache(maxsize=256)
def _est_gras(police: str) -> bool:
    police = police.lower()
    return any(marque in police for marque in ("bold", "black", "heavy", "-bd", "semibold"))


def lire_lignes_natives(page: PagePlumber) -> tuple[list[LigneBrute], int]:
    """Lignes et segments du texte natif d'une page, caractères d'espace compris.

    Renvoie aussi l'angle (sens horaire) dont la page affichée a été redressée : un
    tableau paysage posé de travers se lit alors comme une page droite.
    """
    droits = [c for c in page.chars if c.get("upright", True)]
    couches = [c for c in page.chars if not c.get("upright", True)]
    largeur, hauteur = float(page.width), float(page.height)
    if _visibles(couches) <= _visibles(droits):
        renverses = [c for c in droits if _renverse(c)]
        if _visibles(renverses) * 2 <= _visibles(droits):
            elements = [_element(c, c["x0"], c["top"], c["x1"], c["bottom"]) for c in droits]
            return [segmenter(ligne, caracteres=True) for ligne in grouper_en_lignes(elements)], 0
        # Page tête en bas (/Rotate 180, feuille numérisée à l'envers) : demi-tour.
        elements = [
            _element(
                c, largeur - c["x1"], hauteur - c["bottom"], largeur - c["x0"], hauteur - c["top"]
            )
            for c in renverses
        ]
        return [segmenter(ligne, caracteres=True) for ligne in grouper_en_lignes(elements)], 180
    angle = _sens_lecture(couches)
    if angle == 90:  # texte lu de haut en bas : on tourne la page d'un quart de tour à gauche
        elements = [
            _element(c, c["top"], largeur - c["x1"], c["bottom"], largeur - c["x0"])
            for c in couches
        ]
    else:  # texte lu de bas en haut
        elements = [
            _element(c, hauteur - c["bottom"], c["x0"], hauteur - c["top"], c["x1"])
            for c in couches
        ]
    return [segmenter(ligne, caracteres=True) for ligne in grouper_en_lignes(elements)], angle


TAILLE_MIN_PT = 1.0
"""Sous 1 point, un caractère n'est pas lisible à l'œil : il ne sert qu'à tromper un lecteur
automatique (texte de taille nulle)."""


def _blanc(couleur: Any) -> bool:
    """Vrai pour un remplissage blanc en gris (1), RVB (1, 1, 1) ou CMJN (0, 0, 0, 0)."""
    if not isinstance(couleur, (tuple, list)) or not couleur:
        return False
    try:
        valeurs = [float(v) for v in couleur]
    except (TypeError, ValueError):
        return False  # motif, couleur nommée : on ne sait pas, le texte est gardé
    if len(valeurs) == 4:
        return all(v <= 0.01 for v in valeurs)
    return len(valeurs) in (1, 3) and all(v >= 0.99 for v in valeurs)


def _sur_fond_colore(c: dict[str, Any], fonds: list[dict[str, Any]]) -> bool:
    milieu_x, milieu_y = milieu(c)
    return any(
        f["x0"] <= milieu_x <= f["x1"] and f["top"] <= milieu_y <= f["bottom"] for f in fonds
    )


def _hors_page(page: PagePlumber) -> set[int]:
    """Les caractères (par `id`) « hors de la page » : entièrement hors de la boîte de la
    page, sur une ligne dont aucun caractère n'est dans la page (une ligne qui déborde
    du bord reste entière : la couper changerait un montant en un autre)."""
    x0, haut, x1, bas = (float(v) for v in page.bbox)
    if int(getattr(page, "rotation", 0) or 0) % 360:
        # Sur une page tournée (/Rotate), pdfplumber place les caractères hors de sa
        # boîte : le critère n'y est pas appliqué.
        return set()
    dehors: list[dict[str, Any]] = []
    dedans: list[dict[str, Any]] = []
    for c in page.chars:
        exclu = c["x1"] <= x0 or c["x0"] >= x1 or c["bottom"] <= haut or c["top"] >= bas
        (dehors if exclu else dedans).append(c)
    if not dehors:  # le cas courant : rien à comparer
        return set()
    lignes = {round(float(c["top"])) for c in dedans}
    return {id(c) for c in dehors if not {round(float(c["top"])) + d for d in (-1, 0, 1)} & lignes}


@functools.lru_cache(maxsize=256)
def _blanc_connu(couleur: tuple[Any, ...]) -> bool:
    return _blanc(couleur)


def _couleur_blanche(couleur: Any) -> bool:
    """`_blanc`, mémorisé par couleur : une page n'en porte que quelques-unes, pour des
    milliers de caractères."""
    if type(couleur) is tuple:
        try:
            return _blanc_connu(couleur)
        except TypeError:  # composante non hachable : calculée sans mémoire
            pass
    return _blanc(couleur)


def caracteres_visibles(page: PagePlumber) -> list[dict[str, Any]]:
    """Les caractères qu'un lecteur voit. Sont ignorés : ceux de moins d'1 point, les
    lignes entièrement hors de la page, et le texte blanc qui ne repose ni sur un aplat
    coloré ni sur une image (blanc sur blanc). Un texte invisible ne doit jamais décider
    d'une valeur de la fiche avec un ancrage « exact »."""
    hors_page = _hors_page(page)
    fonds: list[dict[str, Any]] | None = None
    gardes = []
    for c in page.chars:
        if float(c.get("size") or 0.0) < TAILLE_MIN_PT or (hors_page and id(c) in hors_page):
            continue
        if _couleur_blanche(c.get("non_stroking_color")):
            if fonds is None:  # calculés seulement si la page porte du texte blanc
                aplats = [r for r in page.rects if r.get("fill")]
                fonds = [r for r in aplats if not _blanc(r.get("non_stroking_color"))]
                fonds += list(page.images)
            if not _sur_fond_colore(c, fonds):
                continue
        gardes.append(c)
    return gardes


def sans_texte_invisible(page: PagePlumber) -> tuple[PagePlumber, int]:
    """La page sans ses caractères invisibles (pour toute lecture : lignes et tableaux de
    pdfplumber) et le nombre de caractères écartés."""
    gardes = caracteres_visibles(page)
    ecartes = len(page.chars) - len(gardes)
    if not ecartes:
        return page, 0
    ids = {id(c) for c in gardes}
    filtree = page.filter(lambda o: o.get("object_type") != "char" or id(o) in ids)
    return filtree, ecartes


def _visibles(caracteres: list[dict[str, Any]]) -> int:
    return sum(1 for c in caracteres if c["text"].strip())


def _renverse(caractere: dict[str, Any]) -> bool:
    """Glyphe droit mais tête en bas : matrice de texte (-1, 0, 0, -1) à l'échelle près."""
    matrice = caractere.get("matrix") or (1, 0, 0, 1, 0, 0)
    return float(matrice[0]) < 0 and float(matrice[3]) < 0


def _element(c: dict[str, Any], x0: float, haut: float, x1: float, bas: float) -> Element:
    return Element(
        texte=c["text"],
        x0=float(x0),
        haut=float(haut),
        x1=float(x1),
        bas=float(bas),
        taille=float(c.get("size") or 10.0),
        gras=_est_gras(str(c.get("fontname", ""))),
    )


def _sens_lecture(caracteres: list[dict[str, Any]]) -> int:
    """90 si le texte couché se lit de haut en bas, 270 s'il se lit de bas en haut."""
    descend = sum(
        1 if b["top"] > a["top"] else -1
        for a, b in pairwise(caracteres)
        if abs(a["x0"] - b["x0"]) < 1 and a["top"] != b["top"]
    )
    return 90 if descend >= 0 else 270


def nombre_caracteres_visibles(page: PagePlumber) -> int:
    return sum(1 for c in page.chars if c["text"].strip())


def a_des_images(page: PagePlumber) -> bool:
    return bool(page.images)


def pixels_plus_grande_image(page: PagePlumber) -> int:
    """Pixels (largeur × hauteur déclarées) de la plus grande image de la page, sans la décoder."""
    tailles = [image.get("srcsize") or (0, 0) for image in page.images]
    return max((int(largeur) * int(hauteur) for largeur, hauteur in tailles), default=0)


def resolution_images(page: PagePlumber) -> float | None:
    """Résolution (points par pouce) de la plus grande image de la page, si elle en a une.

    Rendre une page scannée au-delà de la résolution du scan n'ajoute aucun détail et
    ralentit l'OCR : on s'aligne dessus.
    """
    meilleure: tuple[float, float] | None = None
    for image in page.images:
        largeur_pt = float(image["x1"]) - float(image["x0"])
        pixels = float((image.get("srcsize") or (0, 0))[0])
        if largeur_pt > 0 and pixels > 0 and (meilleure is None or largeur_pt > meilleure[0]):
            meilleure = (largeur_pt, pixels * 72 / largeur_pt)
    return meilleure[1] if meilleure else None
