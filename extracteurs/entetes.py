"""Reconnaissance des en-têtes de colonnes (années, N/N-1, variations) et des unités."""

from __future__ import annotations

import re
import unicodedata

from extracteurs.modeles import UniteMontant
from extracteurs.nombres import normaliser_espaces
from socle.traduction import TableMemorisee

_ANNEE = r"(?:19|20)\d{2}"
_EXERCICE_DOUBLE = re.compile(rf"({_ANNEE})\s*[-/–]\s*((?:19|20)?\d{{2}})\b")
_ANNEE_SEULE = re.compile(rf"(?<![\d,.])({_ANNEE})(?![\d,])")
_RELATIVE = re.compile(r"^(?:exercice\s+|annee\s+)?n\s*(?:([-+−–])\s*(\d))?$")
_MOTS_ENTETE = re.compile(
    r"^(?:exercice|realise|réalisé|budget|prevision|prévision|previsionnel|prévisionnel|"
    r"compte|annee|année|montant|variation|var\.?|ecart|écart|evolution|évolution|"
    r"cumul|total|libelle|libellé|rubrique|poste|en\s|%|€|k€|m€|n\b|n-|n\+|au\s|"
    r"31|30|reel|réel|comptes?|ca\s|exo|de\s)",
    re.IGNORECASE,
)


def _sans_accents_caractere(caractere: str) -> str:
    """La décomposition NFKD se fait caractère par caractère et les marques combinantes
    sont toutes retirées : leur réordonnancement canonique (la seule interaction entre
    caractères voisins) n'a donc aucun effet, et le résultat par caractère est celui de la
    chaîne entière."""
    decompose = unicodedata.normalize("NFKD", caractere)
    return "".join(c for c in decompose if not unicodedata.combining(c))


_TABLE_SANS_ACCENTS = TableMemorisee(_sans_accents_caractere)


def sans_accents(texte: str) -> str:
    """Le texte en décomposition de compatibilité (NFKD), marques combinantes retirées."""
    return texte if texte.isascii() else texte.translate(_TABLE_SANS_ACCENTS)


def annee_entete(texte: str, exercice: int | None) -> int | None:
    """Année d'exercice d'un en-tête : « 2023 », « Exercice 2022-2023 » (→ 2023), « N-1 »."""
    brut = normaliser_espaces(sans_accents(texte)).lower()
    if not brut or re.search(r"\b(?:variation|var\.?|ecart|evolution|%)", brut):
        return None
    double = _EXERCICE_DOUBLE.search(brut)
    if double:
        fin = double.group(2)
        return int(fin) if len(fin) == 4 else int(double.group(1)[:2] + fin)
    annees = _ANNEE_SEULE.findall(brut)
    if annees:
        return int(annees[-1])
    relative = _RELATIVE.match(brut.replace("exercice ", ""))
    if relative and exercice is not None:
        signe, ecart = relative.groups()
        if not signe:
            return exercice
        return exercice - int(ecart) if signe in "-−–" else exercice + int(ecart)
    return None


def est_annee(texte: str) -> bool:
    """« 2021 » écrit sans séparateur : une année, pas un montant (« 2 021 » en est un)."""
    return re.fullmatch(_ANNEE, normaliser_espaces(texte)) is not None


def est_entete(texte: str) -> bool:
    """Vrai pour un texte d'en-tête de colonne (année, N-1, Variation, Réalisé 2023...)."""
    brut = normaliser_espaces(texte)
    if not brut:
        return False
    if est_annee(brut) or _EXERCICE_DOUBLE.fullmatch(brut):
        return True
    if _RELATIVE.match(sans_accents(brut).lower()):
        return True
    return bool(_MOTS_ENTETE.match(sans_accents(brut).lower())) and len(brut) <= 40


_UNITES: list[tuple[re.Pattern[str], UniteMontant]] = [
    (
        re.compile(
            r"\b(?:k\s?€|keur|k\s?euros?|milliers? d['’]\s?euros|milliers? (?:de )?€|"
            r"milliers? €|en milliers)",
            re.IGNORECASE,
        ),
        "millier_euro",
    ),
    (
        re.compile(
            r"(?:\bm\s?€|\bmeur\b|millions? d['’]\s?euros|millions? (?:de )?€|en millions)",
            re.IGNORECASE,
        ),
        "million_euro",
    ),
    (
        re.compile(
            r"(?:\ben\s+euros?\b|\ben\s+€|\(\s*€\s*\)|\beuros?\b|€\s*(?:ht|ttc)?\b|\beur\b)",
            re.IGNORECASE,
        ),
        "euro",
    ),
]


def detecter_unite(textes: list[str]) -> tuple[UniteMontant | None, str | None]:
    """Première unité trouvée, des textes les plus proches du tableau aux plus lointains."""
    for texte in textes:
        brut = normaliser_espaces(texte)
        for motif, unite in _UNITES:
            if motif.search(brut):
                return unite, brut
    return None, None


_EXERCICE_TEXTE = re.compile(
    rf"(?:exercice|ann[ée]e|rapport annuel(?: du d[ée]l[ée]gataire)?|RAD|bilan|compte rendu"
    rf"|activit[ée])\s*(?:de\s+l['’]\s*|:\s*)?({_ANNEE}(?:\s*[-/]\s*{_ANNEE})?)",
    re.IGNORECASE,
)


def exercice_probable(textes: list[str]) -> int | None:
    """Année la plus citée après « exercice », « année », « rapport annuel »..."""
    compte: dict[int, int] = {}
    for texte in textes:
        lues = [
            annee_entete(m.group(1), None)
            for m in _EXERCICE_TEXTE.finditer(normaliser_espaces(texte))
        ]
        annees = {a for a in lues if a}
        # « Année 2020 | Année 2021 » : un en-tête de colonnes comparées, dont seule la plus
        # récente peut être l'exercice du rapport (les autres sont N-1, N-2).
        for annee in [max(annees)] if len(annees) > 1 else annees:
            compte[annee] = compte.get(annee, 0) + 1
    if not compte:
        return None
    return max(compte, key=lambda a: (compte[a], a))
