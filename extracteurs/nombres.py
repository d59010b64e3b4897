"""Un seul lecteur de nombres « à la française » pour tous les extracteurs.

Formats rencontrés dans les rapports réels (domaine.md) : séparateur de milliers espace,
U+00A0, U+202F, U+2009 ou point ; virgule décimale ; négatifs « -1 234 », « −1 234 »,
« (1 234) », « 1 234- » ; suffixes €, k€, M€, %, EUR.
"""

from __future__ import annotations

import re

ESPACES = "\u0020\u00a0\u202f\u2009\u2007\u2008\u200a\u205f"
TIRETS = "-\u2212\u2013\u2014"
_ESPACES_RE = f"[{ESPACES}]"

# Suffixes d'unité tolérés après le nombre ; ils ne changent pas la valeur lue.
_SUFFIXES = re.compile(
    rf"{_ESPACES_RE}*(?:k€|K€|M€|m€|€|KEUR|kEUR|MEUR|EUR|euros?|%|HT|TTC)\.?$", re.IGNORECASE
)
_CORPS = re.compile(r"^\d[\d.,\u0020]*$")


def normaliser_espaces(texte: str) -> str:
    """Remplace toute variante d'espace par une espace simple et retire les bords."""
    return re.sub(_ESPACES_RE, " ", texte).strip()


def lire_nombre(texte: str | None) -> float | None:
    """Lit un nombre écrit à la française ; `None` si le texte n'est pas un nombre seul."""
    if texte is None:
        return None
    brut = normaliser_espaces(texte)
    if not brut:
        return None
    brut = _SUFFIXES.sub("", brut).strip()
    negatif = False
    if brut.startswith("(") and brut.endswith(")"):
        negatif, brut = True, brut[1:-1].strip()
    if brut and brut[0] in TIRETS:
        negatif, brut = not negatif, brut[1:].strip()
    elif brut.startswith("+"):
        brut = brut[1:].strip()
    if brut and brut[-1] in TIRETS:
        negatif, brut = not negatif, brut[:-1].strip()
    brut = _SUFFIXES.sub("", brut).strip()
    valeur = _lire_absolu(brut)
    if valeur is None:
        return None
    return -valeur if negatif else valeur


def _lire_absolu(brut: str) -> float | None:
    if not brut or not _CORPS.match(brut):
        return None
    if "," in brut:
        entier, _, decimales = brut.rpartition(",")
        if "," in entier or not decimales.isdigit():
            return None
        partie = _lire_entier(entier, points_milliers=True)
        return None if partie is None else float(f"{partie}.{decimales}")
    if brut.count(".") == 1 and " " not in brut:
        entier, _, decimales = brut.partition(".")
        # Un seul point suivi de trois chiffres : séparateur de milliers (usage français).
        if len(decimales) != 3 and entier.isdigit() and decimales.isdigit():
            return float(brut)
    partie = _lire_entier(brut, points_milliers=True)
    return None if partie is None else float(partie)


def _lire_entier(texte: str, *, points_milliers: bool) -> int | None:
    """Entier avec groupes de milliers valides (« 12 345 678 », pas « 2023 2024 »)."""
    for sep in (" ", ".") if points_milliers else (" ",):
        if sep in texte:
            groupes = texte.split(sep)
            if not (1 <= len(groupes[0]) <= 3) or any(len(g) != 3 for g in groupes[1:]):
                return None
            texte = "".join(groupes)
            break
    if not texte.isdigit():
        return None
    return int(texte)


_NOMBRE_DANS_TEXTE = re.compile(
    rf"\(?[{TIRETS}]?\d{{1,3}}(?:[{ESPACES}.]\d{{3}})+(?:,\d+)?\)?[{TIRETS}]?"
    rf"|\(?[{TIRETS}]?\d+(?:,\d+)?\)?[{TIRETS}]?"
)


def nombres_dans_texte(texte: str) -> list[tuple[str, float]]:
    """Tous les nombres d'une phrase, avec leur forme écrite (pour l'ancrage et le récit)."""
    trouves: list[tuple[str, float]] = []
    for m in _NOMBRE_DANS_TEXTE.finditer(texte):
        forme = m.group(0).strip()
        valeur = lire_nombre(forme)
        if valeur is not None:
            trouves.append((forme, valeur))
    return trouves


_MOIS = (
    "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
)
_DATE = rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:er)?\s+(?:{_MOIS})\s+\d{{4}}"
_EST_DATE = re.compile(rf"(?:{_DATE})", re.IGNORECASE)
_FINIT_PAR_DATE = re.compile(rf"(?:^|\s)(?:{_DATE})$", re.IGNORECASE)


def est_date(texte: str) -> bool:
    """« 31/12/2021 », « 1er juillet 2021 » : une date, une seule valeur (pas trois nombres)."""
    return _EST_DATE.fullmatch(texte.strip()) is not None


def finit_par_une_date(texte: str) -> bool:
    """« Date de mise en service 01/08/1990 » : le texte se termine par une date."""
    return _FINIT_PAR_DATE.search(texte.rstrip()) is not None
