"""Outils partagés des contrôles : tolérance d'arrondi de la source, écriture à la française.

Tolérance (catalogue `controles.md`) : un montant imprimé en euros est exact à 2 € près
(`SeuilsControles.tolerance_euros`) ; imprimé en k€ ou M€, il l'est à une demi-unité de son
dernier chiffre imprimé (« 1 284,6 » k€ : 50 € ; « 8,63 » M€ : 5 000 €). L'unité et les
décimales de chaque cellule sont relues sur sa citation (le texte imprimé), l'unité de la
fiche ne servant qu'à défaut. Une addition tolère la somme des tolérances de ses termes.

Écriture : « 1 284 560 € » (espace fine insécable entre les milliers, insécable avant €),
« +7,2 % », « pages 4 et 5 ».
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date

from extracteurs.confiance_ocr import confiance_ocr
from extracteurs.modeles import Document
from extracteurs.nombres import lire_nombre, normaliser_espaces
from fiche.modeles import Champ, UniteSource
from socle.reglages import SeuilsControles

ESPACE_FINE = "\u202f"
INSECABLE = "\u00a0"

MULTIPLICATEURS: dict[str, float] = {
    UniteSource.EURO.value: 1.0,
    UniteSource.MILLIER_EURO.value: 1e3,
    UniteSource.MILLION_EURO.value: 1e6,
}
NOMS_UNITES: dict[float, str] = {1.0: "euros", 1e3: "milliers d'euros", 1e6: "millions d'euros"}

_SUFFIXES = re.compile(r"[\s)\-−–%€a-zA-Z]+$")
_TERMES_CALCULES = re.compile(r"\s[+−]\s")


# --- Unité et tolérance ----------------------------------------------------------------


def multiplicateur_unite(unite: UniteSource | str | None) -> float:
    """1, 1 000 ou 1 000 000 selon l'unité déclarée (l'euro à défaut)."""
    if unite is None:
        return 1.0
    return MULTIPLICATEURS.get(str(getattr(unite, "value", unite)), 1.0)


def decimales(citation: str | None) -> int:
    """Nombre de décimales imprimées (« 1 284,6 » : 1 ; « (2 346,20) » : 2 ; « 38.5 » : 1).

    Un point suivi de trois chiffres est un séparateur de milliers (usage français) ; la
    valeur brute d'une cellule de tableur (« 38.5 ») garde son point décimal.
    """
    if not citation:
        return 0
    brut = _SUFFIXES.sub("", normaliser_espaces(citation))
    if "," in brut:
        fin = brut.rsplit(",", 1)[1]
        return len(fin) if fin.isdigit() else 0
    if brut.count(".") == 1:
        fin = brut.rsplit(".", 1)[1]
        if fin.isdigit() and len(fin) != 3:
            return len(fin)
    return 0


def multiplicateur_cellule(champ: Champ[float], unite: UniteSource | str | None) -> float:
    """L'unité dans laquelle la cellule est imprimée : rapport entre la valeur en euros et le
    nombre de sa citation (1, 1 000 ou 1 000 000), l'unité de la fiche à défaut."""
    lu = lire_nombre(champ.citation) if champ.citation else None
    if lu and champ.valeur:
        rapport = abs(float(champ.valeur) / lu)
        for candidat in (1.0, 1e3, 1e6):
            if math.isclose(rapport, candidat, rel_tol=1e-3):
                return candidat
    return multiplicateur_unite(unite)


def demi_unite(citation: str | None, multiplicateur: float) -> float:
    """Moitié d'une unité du dernier chiffre imprimé, convertie en euros."""
    return 0.5 * multiplicateur * 10.0 ** -decimales(citation)


def tolerance_montant(
    champ: Champ[float], unite: UniteSource | str | None, seuils: SeuilsControles
) -> float:
    """Écart toléré sur un montant lu : 2 € (réglable) si la cellule est en euros, sinon une
    demi-unité de son dernier chiffre imprimé. Une valeur calculée (« a + b ») cumule la
    tolérance de chacun des montants imprimés qui la composent."""
    citation = champ.citation or ""
    parties = _TERMES_CALCULES.split(citation) if _TERMES_CALCULES.search(citation) else []
    if len(parties) > 1:
        multiplicateur = multiplicateur_unite(unite)
        return sum(_tolerance_terme(p, multiplicateur, seuils) for p in parties)
    return _tolerance_terme(champ.citation, multiplicateur_cellule(champ, unite), seuils)


def _tolerance_terme(citation: str | None, multiplicateur: float, seuils: SeuilsControles) -> float:
    if multiplicateur == 1.0:
        return seuils.tolerance_euros
    return max(seuils.tolerance_euros, demi_unite(citation, multiplicateur))


def tolerance_addition(
    champs: Iterable[Champ[float]], unite: UniteSource | str | None, seuils: SeuilsControles
) -> float:
    """Tolérance d'une égalité entre montants lus : somme des tolérances de ses termes."""
    return sum(tolerance_montant(c, unite, seuils) for c in champs)


# --- Écriture à la française -----------------------------------------------------------


MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def date_longue(jour: date) -> str:
    """date(2024, 6, 1) → « 1er juin 2024 »."""
    numero = "1er" if jour.day == 1 else str(jour.day)
    return f"{numero} {MOIS[jour.month - 1]} {jour.year}"


def _groupes(entier: int) -> str:
    return f"{entier:,}".replace(",", ESPACE_FINE)


def nombre_fr(valeur: float, decimales_max: int = 2) -> str:
    """« 1 284 560 », « 12,9 », « -3,25 » (décimales nulles retirées)."""
    texte = f"{abs(valeur):,.{decimales_max}f}"
    entier, _, fraction = texte.partition(".")
    fraction = fraction.rstrip("0")
    signe = "-" if valeur < 0 and (entier.strip("0,") or fraction) else ""
    corps = entier.replace(",", ESPACE_FINE) + (f",{fraction}" if fraction else "")
    return signe + corps


def euros(valeur: float) -> str:
    """« 1 284 560 € » ; les centimes ne sont écrits que s'il y en a (« 12,50 € »)."""
    if abs(valeur - round(valeur)) >= 0.005:
        signe = "-" if valeur < 0 else ""
        entier, centimes = divmod(round(abs(valeur) * 100), 100)
        return f"{signe}{_groupes(int(entier))},{int(centimes):02d}{INSECABLE}€"
    arrondi = round(valeur)
    signe = "-" if arrondi < 0 else ""
    return f"{signe}{_groupes(abs(arrondi))}{INSECABLE}€"


def ecart_euros(valeur: float) -> str:
    """Écart toujours signé : « +48 000 € », « -12 € »."""
    return ("+" if valeur >= 0.005 else "") + euros(valeur)


def pourcentage(points: float, signe: bool = True, decimales_max: int = 1) -> str:
    """Un pourcentage exprimé en points : 7.2 → « +7,2 % » (ou « 7,2 % » sans signe)."""
    texte = f"{abs(points):.{decimales_max}f}".replace(".", ",")
    nul = float(f"{abs(points):.{decimales_max}f}") == 0
    prefixe = ("+" if points > 0 else "-") if signe and not nul else ""
    return f"{prefixe}{texte}{INSECABLE}%"


def points_fr(points: float) -> str:
    """« 7,5 points »."""
    return (
        f"{abs(points):.1f}".replace(".", ",")
        + f"{INSECABLE}point"
        + ("s" if abs(points) >= 2 else "")
    )


def mention_pages(pages: Iterable[int | None]) -> str:
    """« page 4 », « pages 4 et 5 », « pages 3, 4 et 7 » ; vide si aucune page."""
    uniques = sorted({p for p in pages if p is not None})
    if not uniques:
        return ""
    if len(uniques) == 1:
        return f"page {uniques[0]}"
    debut = ", ".join(map(str, uniques[:-1]))
    return f"pages {debut} et {uniques[-1]}"


def citer(texte: str, longueur: int = 160) -> str:
    """Un extrait du rapport entre guillemets français, raccourci au besoin."""
    propre = " ".join(normaliser_espaces(texte).split())
    if len(propre) > longueur:
        propre = propre[: longueur - 1].rstrip() + "…"
    return f"«{INSECABLE}{propre}{INSECABLE}»"


# --- Chemins des champs ----------------------------------------------------------------


def chemin_ligne(rang: int, annee: str) -> str:
    """Chemin d'une cellule du CARE dans les anomalies (« financier.lignes[11].valeurs.2023 »)."""
    return f"financier.lignes[{rang}].valeurs.{annee}"


_LISTES = (
    (re.compile(r"^financier\.lignes\.(\d+)\.(.+)$"), r"financier.lignes[\1].valeurs.\2"),
    (re.compile(r"^activite\.indicateurs\.(\d+)\.(.+)$"), r"activite.indicateurs[\1].valeurs.\2"),
    (re.compile(r"^tarifs\.(\d+)\.(.+)$"), r"tarifs[\1].valeurs.\2"),
    (re.compile(r"^faits_marquants\.(\d+)$"), r"faits_marquants[\1]"),
)


def chemin_anomalie(chemin: str) -> str:
    """Chemin de `fiche.ancrage.champs_de` (« financier.lignes.11.2023 ») réécrit comme dans
    les anomalies des fiches (« financier.lignes[11].valeurs.2023 ») ; inchangé sinon."""
    for motif, remplacement in _LISTES:
        if motif.match(chemin):
            return motif.sub(remplacement, chemin)
    return chemin


# --- Pages scannées --------------------------------------------------------------------


def mention_ocr(document: Document, cellules: Iterable[tuple[str, int | None, str | None]]) -> str:
    """Phrase à ajouter quand des montants viennent d'une page scannée : la cellule la moins
    sûre de l'OCR, à vérifier d'abord sur le scan (« » si aucune page scannée)."""
    lues = [
        (confiance, nom, citation)
        for nom, page, citation in cellules
        if (confiance := confiance_ocr(document, page, citation)) is not None and citation
    ]
    if not lues:
        return ""
    confiance, nom, citation = min(lues)
    return (
        f" Ces montants sont lus par reconnaissance de caractères sur une page scannée : "
        f"l'écart peut venir d'un chiffre mal lu ; vérifier d'abord sur le scan {nom} "
        f"(lu « {normaliser_espaces(citation)} », confiance {confiance:.0f} %)."
    )
