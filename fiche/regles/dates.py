"""Dates du contrat et exercice couvert, dans les formes des rapports réels.

Formes lues : « 1er juillet 2015 », « 1 juillet 2015 », « 01/07/2015 », « 01.07.2015 »,
« 2015-07-01 » ; tournures « a pris effet le », « à compter du », « date d'effet »,
« du ... au ... », « arrivera à échéance le », « jusqu'au », « pour une durée de N ans ».
L'exercice est l'année de clôture : « Exercice 2022-2023 » → 2023.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from extracteurs.entetes import annee_entete
from extracteurs.modeles import Document

NOMS_MOIS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}  # fmt: skip
_MOIS = "|".join(sorted(NOMS_MOIS, key=len, reverse=True))
# « 1er » et ses lectures OCR : « ler », « Ler », « Ier », « 1 er », voire « er » seul.
_PREMIER = r"1\s?er|[lLI|]er|1°|premier|er"
DATE = (
    rf"(?:(?<![\w])(?P<j1>{_PREMIER}|\d{{1,2}})(?:er)?\s+(?P<m1>{_MOIS})\s+(?P<a1>(?:19|20)\d{{2}})"
    rf"|(?P<j2>\d{{1,2}})\s*[/.]\s*(?P<m2>\d{{1,2}})\s*[/.]\s*(?P<a2>(?:19|20)\d{{2}})"
    rf"|(?P<a3>(?:19|20)\d{{2}})-(?P<m3>\d{{2}})-(?P<j3>\d{{2}}))"
)
_DATE = re.compile(DATE, re.IGNORECASE)
_DEBUT = re.compile(
    r"(?:prise d['’]effet|pris effet|prend(?:ra)? effet|prenant effet|[àa] compter du"
    r"|[àa] partir du|date d['’]effet|d[ée]butant (?:le|au)"
    r"|entr[ée]e? en vigueur|d[ée]but[ée]? (?:le|au)|commenc[ée] (?:le|au)|d[ée]marr[ée] (?:le|au)"
    r"|depuis le|effet (?:au|le|du))\s*(?:le\s+|au\s+|du\s+|:\s*)?$",
    re.IGNORECASE,
)
_FIN = re.compile(
    r"(?:[ée]ch[ée]ance|[ée]choit|expir\w*|prendra fin|prend fin|prenant fin"
    r"|se termin\w*|s['’]ach[èe]v\w*|jusqu['’]au|terme(?: du contrat)?|fin du contrat)"
    r"\s*(?:le\s+|au\s+|du\s+|:\s*|fix[ée]e? au\s+)?$",
    re.IGNORECASE,
)
_CONTRAT = re.compile(r"contrat|convention|d[ée]l[ée]gation|p[ée]riode|dur[ée]e|trait[ée]", re.I)
_DUREE = re.compile(
    r"(?:(?:pour une |d['’]une )?dur[ée]e (?:de |totale de )?|^)(?P<n>\d{1,2}|un|deux|trois"
    r"|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente)\s+ans\b",
    re.IGNORECASE,
)
_NOMBRES = {
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
}  # fmt: skip


@dataclass(frozen=True)
class DateLue:
    valeur: date
    texte: str  # la date telle qu'imprimée (« 1er juillet 2015 »)
    debut: int  # position dans le texte
    fin: int


def _construire(m: re.Match[str], prefixe: str = "") -> date | None:
    g = {k[len(prefixe) :]: v for k, v in m.groupdict().items() if k.startswith(prefixe) and v}
    jour = g.get("j1") or g.get("j2") or g.get("j3")
    mois = g.get("m1") or g.get("m2") or g.get("m3")
    annee = g.get("a1") or g.get("a2") or g.get("a3")
    if not (jour and mois and annee):
        return None
    numero = NOMS_MOIS.get(mois.lower()) if not mois.isdigit() else int(mois)
    try:
        return date(int(annee), numero or 0, int(jour) if jour.isdigit() else 1)
    except ValueError:
        return None


def dates_dans(texte: str) -> list[DateLue]:
    """Toutes les dates complètes (jour, mois, année) d'un texte."""
    lues: list[DateLue] = []
    for m in _DATE.finditer(texte):
        valeur = _construire(m)
        if valeur is not None:
            lues.append(DateLue(valeur, m.group(0), m.start(), m.end()))
    return lues


def lire_date(texte: str) -> DateLue | None:
    trouvees = dates_dans(texte)
    return trouvees[0] if trouvees else None


def debut_et_fin(texte: str) -> tuple[DateLue | None, DateLue | None]:
    """Dates de début et de fin qu'une phrase attribue au contrat (tournure qui précède).

    « du D1 au D2 » ne compte que dans une phrase qui parle du contrat (une saison
    « du 1er avril au 30 septembre » n'est pas la durée du contrat).
    """
    debut = fin = None
    lues = dates_dans(texte)
    for rang, lue in enumerate(lues):
        avant = texte[max(0, lue.debut - 45) : lue.debut]
        suivante = lues[rang + 1] if rang + 1 < len(lues) else None
        entre = texte[lue.fin : suivante.debut] if suivante else ""
        if re.search(r"\bdu\s+$", avant) and re.fullmatch(r"\s+au\s+", entre):
            if _CONTRAT.search(texte) and suivante is not None:
                debut, fin = debut or lue, fin or suivante
        elif _DEBUT.search(avant):
            debut = debut or lue
        elif _FIN.search(avant):
            fin = fin or lue
    return debut, fin


def duree_en_ans(texte: str) -> tuple[int, str] | None:
    """« pour une durée de 9 ans » → (9, « pour une durée de 9 ans »)."""
    m = _DUREE.search(texte)
    if m is None:
        return None
    brut = m.group("n").lower()
    return (int(brut) if brut.isdigit() else _NOMBRES[brut]), m.group(0)


def fin_selon_duree(debut: date, ans: int) -> date:
    """Échéance d'un contrat de N ans : la veille de l'anniversaire.

    (1/4/2019 + 9 ans → 31/3/2028.)
    """
    try:
        anniversaire = debut.replace(year=debut.year + ans)
    except ValueError:  # 29 février
        anniversaire = debut.replace(year=debut.year + ans, day=28)
    return anniversaire - timedelta(days=1)


_EXERCICE = re.compile(
    r"\b(?:exercice|ann[ée]e|rapport annuel(?: du d[ée]l[ée]gataire)?|RAD|compte rendu annuel"
    r"|rapport d['’]activit[ée]|bilan)\s*(?:de\s+l['’]\s*)?:?\s*"
    r"(?P<a>(?:19|20)\d{2}(?:\s*[-/–]\s*(?:19|20)?\d{2})?)\b",
    re.IGNORECASE,
)
_CLOS = re.compile(rf"exercice clos (?:le|au)\s+(?P<d>{DATE.replace('?P<', '?P<c')})", re.I)


@dataclass(frozen=True)
class ExerciceLu:
    annee: int
    page: int
    citation: str


def exercices_du_texte(document: Document) -> list[ExerciceLu]:
    """Mentions d'exercice, dans l'ordre des pages (« Exercice 2023 », « exercice clos le ... »)."""
    lus: list[ExerciceLu] = []
    for ligne in document.lignes():
        entete = [
            ExerciceLu(annee, ligne.page, m.group(0).strip())
            for m in _EXERCICE.finditer(ligne.texte)
            if (annee := annee_entete(m.group("a"), None))
        ]
        # Plusieurs années sur une ligne : un en-tête de colonnes (« Année 2020 | Année
        # 2021 ») ; les plus anciennes sont les exercices précédents, jamais celui du rapport.
        recente = max((e.annee for e in entete), default=None)
        lus += [e for e in entete if e.annee == recente]
        for m in _CLOS.finditer(ligne.texte):
            valeur = _construire(m, "c")
            if valeur is not None:
                lus.append(ExerciceLu(valeur.year, ligne.page, m.group(0).strip()))
    return lus
