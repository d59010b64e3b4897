"""Briques du corpus hostile : un petit rapport plausible, des PDF écrits à la main, des
flux compressés démesurés fabriqués en une fraction de seconde.

Tout est déterministe (reportlab `invariant=1`, archives à date fixe, aucune graine) :
deux générations donnent les mêmes octets. Les valeurs du rapport sont exposées en
constantes : les tests comparent la fiche produite à ce que le générateur a écrit.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

POLICE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

COLLECTIVITE = "Commune de Montclar-sur-Loue"
DELEGATAIRE = "Parcs du Val SAS"
OBJET = "Exploitation du parc de stationnement des Tilleuls"
EXERCICE = 2023
DEBUT, FIN = "01/01/2019", "31/12/2028"

# Le CARE du petit rapport : libellé, N-1, N (en euros). Les totaux sont justes.
CARE: list[tuple[str, int, int]] = [
    ("Recettes horaires", 812_400, 845_100),
    ("Recettes abonnements", 210_300, 221_000),
    ("Total produits", 1_022_700, 1_066_100),
    ("Personnel", 402_000, 410_500),
    ("Entretien et maintenance", 150_200, 149_800),
    ("Redevance versée à la collectivité", 180_000, 185_000),
    ("Frais de siège", 61_000, 62_500),
    ("Total charges", 793_200, 807_800),
    ("Résultat", 229_500, 258_300),
]
POSTES_N = {"chiffre_affaires": 1_066_100.0, "total_charges": 807_800.0, "resultat": 258_300.0}

Ligne = str | tuple[str, ...]
PageTexte = Sequence[Ligne]


def montant(valeur: int) -> str:
    return f"{valeur:,}".replace(",", "\u202f")


def identification(exercice: int = EXERCICE, objet: str = OBJET) -> list[Ligne]:
    return [
        f"Rapport annuel du délégataire — Exercice {exercice}",
        COLLECTIVITE,
        f"Délégataire : {DELEGATAIRE}",
        "Contrat d'affermage du service public du stationnement",
        f"Objet : {objet}",
        f"Durée : du {DEBUT} au {FIN}",
    ]


def recit(*phrases: str) -> list[Ligne]:
    return [
        "Faits marquants de l'exercice",
        "La fréquentation horaire progresse de 4 % par rapport à l'an dernier.",
        *phrases,
    ]


def care(exercice: int = EXERCICE) -> list[Ligne]:
    lignes: list[Ligne] = [
        "Compte annuel de résultat de l'exploitation (en euros)",
        ("", str(exercice - 1), str(exercice)),
    ]
    lignes += [(libelle, montant(n1), montant(n)) for libelle, n1, n in CARE]
    return lignes


def rapport(exercice: int = EXERCICE, *phrases: str) -> list[PageTexte]:
    """Le petit rapport complet : identification et récit, puis le CARE sur sa page."""
    return [identification(exercice) + recit(*phrases), care(exercice)]


def police() -> str:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", POLICE))
    return "DejaVu"


def ecrire_pdf(
    chemin: Path,
    pages: Sequence[PageTexte],
    taille: tuple[float, float] = A4,
    chiffrement: str | None = None,
    rotations: Sequence[int] = (),
    surimpressions: Mapping[int, Callable[[canvas.Canvas], None]] | None = None,
) -> Path:
    """Un PDF natif : une ligne par entrée ; un tuple est une rangée libellé + montants.

    `rotations` : angle /Rotate de chaque page (page posée de travers dans le fichier) ;
    `surimpressions` : ce qu'on dessine en plus sur une page (rang → dessin).
    """
    toile = canvas.Canvas(str(chemin), pagesize=taille, invariant=1, encrypt=chiffrement)
    for indice, lignes in enumerate(pages):
        toile.setPageRotation(rotations[indice] if indice < len(rotations) else 0)
        toile.setFont(police(), 10)
        y = taille[1] - 50
        for ligne in lignes:
            if isinstance(ligne, tuple):
                toile.drawString(40, y, ligne[0])
                for rang, valeur in enumerate(ligne[1:]):
                    toile.drawRightString(taille[0] - 150 + 90 * rang, y, valeur)
            else:
                toile.drawString(40, y, ligne)
            y -= 16
        if surimpressions and indice in surimpressions:
            surimpressions[indice](toile)
        toile.showPage()
    toile.save()
    return chemin


# --- PDF écrits à la main (objets arbitraires, images démesurées) ---------------------


def pdf_brut(objets: Sequence[bytes]) -> bytes:
    """Un PDF minimal valide : objets numérotés à partir de 1 (1 = catalogue), xref exacte."""
    sortie = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    positions = []
    for numero, objet in enumerate(objets, start=1):
        positions.append(len(sortie))
        sortie += b"%d 0 obj\n" % numero + objet + b"\nendobj\n"
    debut_xref = len(sortie)
    sortie += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    sortie += b"".join(b"%010d 00000 n \n" % position for position in positions)
    sortie += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objets) + 1,
        debut_xref,
    )
    return bytes(sortie)


def flux(dictionnaire: bytes, donnees: bytes) -> bytes:
    return (
        b"<< %s /Length %d >>\nstream\n" % (dictionnaire, len(donnees)) + donnees + (b"\nendstream")
    )


def deflate_repete(
    bloc: bytes, fois: int, suite: bytes = b"", *, zlib_entete: bool = True
) -> bytes:
    """`bloc` répété `fois` fois puis `suite`, en deflate, sans compresser le tout.

    Après un vidage complet (Z_FULL_FLUSH) le compresseur repart sans mémoire : le même
    bloc donne les mêmes octets, qu'il suffit de répéter. Seule la somme de contrôle
    parcourt les données. Sert aux images géantes et aux bombes ZIP (`zlib_entete` faux :
    deflate brut, la somme CRC-32 étant alors à la charge de l'archive).
    """
    compresseur = zlib.compressobj(9, zlib.DEFLATED, -15)
    morceau = compresseur.compress(bloc) + compresseur.flush(zlib.Z_FULL_FLUSH)
    fin = compresseur.compress(suite) + compresseur.flush(zlib.Z_FINISH)
    if not zlib_entete:
        return morceau * fois + fin
    somme = 1
    for _ in range(fois):
        somme = zlib.adler32(bloc, somme)
    somme = zlib.adler32(suite, somme)
    return b"\x78\xda" + morceau * fois + fin + struct.pack(">I", somme)


Image = tuple[int, int, tuple[float, float], tuple[float, float]]
"""Largeur et hauteur en pixels, format de la page (pt), taille affichée de l'image (pt)."""


def _objets_page_image(image: Image, numero: int) -> list[bytes]:
    """Page (objet `numero`), son contenu, son image grise unie (page « scannée »).

    L'image est blanche : seule sa taille déclarée compte, le fichier reste petit.
    """
    largeur_px, hauteur_px, (largeur_pt, hauteur_pt), (affiche_l, affiche_h) = image
    contenu = b"q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q" % (affiche_l, affiche_h)
    rangee = b"\xff" * largeur_px
    lot = max(1, (1 << 20) // largeur_px)  # blocs d'environ 1 Mo
    pleins, reste = divmod(hauteur_px, lot)
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
        b"/Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>"
        % (largeur_pt, hauteur_pt, numero + 2, numero + 1)
    )
    dictionnaire = (
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode" % (largeur_px, hauteur_px)
    )
    donnees = deflate_repete(rangee * lot, pleins, rangee * reste)
    return [page, flux(b"", contenu), flux(dictionnaire, donnees)]


def _objets_page_texte(lignes: Sequence[str], numero: int) -> list[bytes]:
    """Page A4 de texte en Helvetica (WinAnsi) : une ligne par entrée."""
    operations = [b"BT /F1 11 Tf 50 790 Td 14 TL"]
    for ligne in lignes:
        texte = ligne.encode("cp1252").replace(b"\\", b"\\\\")
        texte = texte.replace(b"(", b"\\(").replace(b")", b"\\)")
        operations.append(b"(%s) '" % texte)
    operations.append(b"ET")
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (numero + 1, numero + 2)
    )
    police = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    return [page, flux(b"", b"\n".join(operations)), police]


def pdf_pages(pages: Sequence[Image | Sequence[str]]) -> bytes:
    """Un PDF écrit à la main : pages de texte (liste de lignes) ou d'une seule image."""
    objets: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    enfants = []
    for page in pages:
        numero = len(objets) + 1
        if isinstance(page, tuple):
            objets += _objets_page_image(page, numero)
        else:
            objets += _objets_page_texte(page, numero)
        enfants.append(b"%d 0 R" % numero)
    objets[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(enfants), len(enfants))
    return pdf_brut(objets)
