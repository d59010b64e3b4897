"""Limites de ressources appliquées avant de décoder un fichier reçu (mémoire bornée).

Un rapport vient de l'extérieur : il peut être tronqué, piégé ou simplement démesuré.
Trois familles de gardes, toutes réglées dans `socle.reglages` :

- archives bureautiques (DOCX, ODT, XLSX sont des ZIP) : le répertoire central est lu
  *avant* toute analyse ; nombre de membres, taille décompressée totale
  (`DSP_MAX_DECOMPRESSE_MO`) et taux de compression d'un membre volumineux
  (`DSP_MAX_RATIO_COMPRESSION`) sont bornés : une « bombe » est refusée sans être ouverte.
  Le module `zipfile` ne décompresse jamais plus que la taille déclarée (au-delà, erreur
  de CRC) : borner les tailles déclarées suffit donc pour python-docx et openpyxl ;
- images : une image intégrée ou un rendu de page au-delà de `DSP_MAX_PIXELS_IMAGE`
  n'est pas décodé (le rendu est réduit, ou la page signalée et laissée de côté) ; la
  même borne sert de garde de Pillow (`Image.MAX_IMAGE_PIXELS`) ;
- taille du fichier et nombre de pages : contrôlés à l'ouverture (`extracteurs.document`).
"""

from __future__ import annotations

import math
import struct
import zipfile
from pathlib import Path

from PIL import Image

from socle.erreurs import ExtractionError
from socle.reglages import Reglages

MO = 1024 * 1024
# Un DOCX ou un XLSX réel compte quelques dizaines à quelques centaines de membres ; le
# répertoire central d'une archive forgée peut en annoncer des millions (mémoire).
MAX_MEMBRES_ARCHIVE = 10_000
# Le taux de compression n'est jugé que sur un membre volumineux : un petit fichier XML
# très répétitif (styles) se compresse légitimement beaucoup, sans danger.
TAILLE_MIN_RATIO = MO
# Prologue XML lu pour y chercher une DTD (déclaration XML, commentaires, DOCTYPE).
TAILLE_PROLOGUE = 64 * 1024
_FIN_REPERTOIRE = b"PK\x05\x06"
_ZIP64 = 0xFFFF


def appliquer_garde_pillow(reglages: Reglages) -> None:
    """Aligne la garde « bombe de décompression » de Pillow sur notre limite de pixels.

    Réglage global du processus (Pillow n'en a pas d'autre) : toute image ouverte par
    Pillow au-delà du double de la limite lève `DecompressionBombError`.
    """
    Image.MAX_IMAGE_PIXELS = reglages.max_pixels_image


def _membres_annonces(chemin: Path) -> int | None:
    """Nombre de membres annoncé par la fin du répertoire central, lu sans `zipfile`
    (qui chargerait d'abord tout le répertoire en mémoire)."""
    with chemin.open("rb") as flux:
        flux.seek(0, 2)
        taille = flux.tell()
        flux.seek(max(0, taille - (22 + 65535)))
        queue = flux.read()
    position = queue.rfind(_FIN_REPERTOIRE)
    if position < 0 or position + 22 > len(queue):
        return None
    (total,) = struct.unpack("<H", queue[position + 10 : position + 12])
    return None if total == _ZIP64 else int(total)


def verifier_archive(chemin: Path, reglages: Reglages) -> None:
    """Refuse une archive bureautique démesurée avant qu'un lecteur ne la décompresse."""
    annonces = _membres_annonces(chemin)
    if annonces is not None and annonces > MAX_MEMBRES_ARCHIVE:
        raise ExtractionError(
            f"L'archive annonce {annonces} fichiers internes (au plus {MAX_MEMBRES_ARCHIVE} "
            "pour un document bureautique) : fichier forgé ou corrompu, il n'est pas ouvert.",
            fichier=chemin,
        )
    try:
        with zipfile.ZipFile(chemin) as archive:
            membres = archive.infolist()
            _verifier_tailles(membres, chemin, reglages)
            _refuser_doctype(archive, membres, chemin)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(
            "L'archive bureautique est tronquée ou corrompue.", fichier=chemin
        ) from exc


def _verifier_tailles(membres: list[zipfile.ZipInfo], chemin: Path, reglages: Reglages) -> None:
    total = sum(m.file_size for m in membres)
    if total > reglages.max_decompresse_mo * MO:
        raise ExtractionError(
            f"Le document se décompresse en {total / MO:.0f} Mo, au-delà de la limite de "
            f"{reglages.max_decompresse_mo} Mo (DSP_MAX_DECOMPRESSE_MO) : possible bombe de "
            "décompression, le fichier n'est pas ouvert.",
            fichier=chemin,
        )
    for membre in membres:
        ratio = membre.file_size / max(1, membre.compress_size)
        if membre.file_size >= TAILLE_MIN_RATIO and ratio > reglages.max_ratio_compression:
            raise ExtractionError(
                f"Le fichier interne « {membre.filename} » est compressé {ratio:.0f} fois "
                f"(au plus {reglages.max_ratio_compression}, DSP_MAX_RATIO_COMPRESSION) : "
                "bombe de décompression probable, le document n'est pas ouvert.",
                fichier=chemin,
            )


def _refuser_doctype(
    archive: zipfile.ZipFile, membres: list[zipfile.ZipInfo], chemin: Path
) -> None:
    """Les formats Office (OOXML, ODF) interdisent les DTD : une déclaration `<!DOCTYPE`
    ne sert qu'à définir des entités (fichier local lu par XXE, « milliard de rires »).

    Les lecteurs XML employés ne résolvent pas les entités externes et bornent l'expansion
    des autres ; ce refus en amont donne en plus une raison claire à l'agent. Seul le début
    de chaque partie XML est décompressé (le prologue précède l'élément racine).
    """
    for membre in membres:
        if not membre.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(membre) as flux:
            debut = flux.read(TAILLE_PROLOGUE)
        if b"<!doctype" in debut.lower():
            raise ExtractionError(
                f"Le fichier interne « {membre.filename} » déclare un DOCTYPE (entités XML), "
                "interdit dans un document bureautique : fichier forgé, il n'est pas ouvert.",
                fichier=chemin,
            )


def mega_pixels(pixels: float) -> str:
    """« 1 600 Mpx » : l'ordre de grandeur qui parle à un agent."""
    return f"{pixels / 1e6:,.0f} Mpx".replace(",", " ")


def dpi_borne(largeur_pt: float, hauteur_pt: float, dpi: int, reglages: Reglages) -> int:
    """La résolution de rendu la plus proche de `dpi` qui tient dans `max_pixels_image`.

    Le rendu d'une page coûte (largeur × hauteur × (dpi / 72)²) pixels, quelle que soit
    l'image qu'elle porte : une page au format démesuré épuiserait la mémoire.
    """
    surface = max(1.0, largeur_pt * hauteur_pt)
    plafond = 72 * math.sqrt(reglages.max_pixels_image / surface)
    return int(min(dpi, math.floor(plafond)))
