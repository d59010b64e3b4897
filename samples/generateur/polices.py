"""Polices TrueType embarquées : les polices standard du PDF n'ont ni U+202F ni « œ »."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
LIBERATION = Path("/usr/share/fonts/truetype/liberation2")

_FICHIERS: dict[str, tuple[Path, Path]] = {
    "DejaVuSans": (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"),
    "DejaVuSerif": (DEJAVU / "DejaVuSerif.ttf", DEJAVU / "DejaVuSerif-Bold.ttf"),
    "DejaVuSansCondensed": (
        DEJAVU / "DejaVuSansCondensed.ttf",
        DEJAVU / "DejaVuSansCondensed-Bold.ttf",
    ),
    "LiberationSans": (
        LIBERATION / "LiberationSans-Regular.ttf",
        LIBERATION / "LiberationSans-Bold.ttf",
    ),
    "LiberationSerif": (
        LIBERATION / "LiberationSerif-Regular.ttf",
        LIBERATION / "LiberationSerif-Bold.ttf",
    ),
    "LiberationMono": (
        LIBERATION / "LiberationMono-Regular.ttf",
        LIBERATION / "LiberationMono-Bold.ttf",
    ),
}

FAMILLES = tuple(_FICHIERS)


@dataclass(frozen=True)
class Famille:
    normal: str
    gras: str


def famille(nom: str) -> Famille:
    """Enregistre (une fois) la famille et rend les noms reportlab normal / gras."""
    normal, gras = f"{nom}", f"{nom}-Bold"
    if normal not in pdfmetrics.getRegisteredFontNames():
        chemin_normal, chemin_gras = _FICHIERS[nom]
        pdfmetrics.registerFont(TTFont(normal, str(chemin_normal)))
        pdfmetrics.registerFont(TTFont(gras, str(chemin_gras)))
    return Famille(normal, gras)


def largeur(texte: str, police: str, taille: float) -> float:
    return float(pdfmetrics.stringWidth(texte, police, taille))
