"""Écriture des nombres, pourcentages et dates « à la française », comme dans les RAD.

Tout montant imprimé doit pouvoir être relu par `extracteurs.nombres.lire_nombre` : le
module vérifie cette relecture à chaque écriture plutôt que de la supposer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from extracteurs.nombres import lire_nombre

StyleNegatif = Literal["moins", "parentheses", "moins_final"]

ESPACE = "\u0020"
INSECABLE = "\u00a0"
FINE = "\u202f"

NOMS_SEPARATEURS = {ESPACE: "U+0020", INSECABLE: "U+00A0", FINE: "U+202F", "": "aucun"}

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class FormatNombre:
    """Comment un rapport écrit ses montants (séparateur, décimales, négatifs)."""

    separateur: str = ESPACE
    decimales: int = 0
    negatif: StyleNegatif = "moins"


def grouper(entier: int, separateur: str) -> str:
    """« 1234567 » → « 1 234 567 » avec le séparateur de milliers choisi."""
    chiffres = str(entier)
    groupes: list[str] = []
    while len(chiffres) > 3:
        groupes.insert(0, chiffres[-3:])
        chiffres = chiffres[:-3]
    groupes.insert(0, chiffres)
    return separateur.join(groupes)


def ecrire_quanta(quanta: int, fmt: FormatNombre) -> str:
    """Écrit un montant donné en plus petite unité imprimée (ex. dixièmes de k€).

    Travailler en entiers garantit que détails et totaux s'additionnent exactement.
    """
    absolu = abs(quanta)
    if fmt.decimales:
        diviseur = 10**fmt.decimales
        entier, reste = divmod(absolu, diviseur)
        corps = f"{grouper(entier, fmt.separateur)},{reste:0{fmt.decimales}d}"
    else:
        corps = grouper(absolu, fmt.separateur)
    if quanta < 0:
        corps = {"moins": f"-{corps}", "parentheses": f"({corps})", "moins_final": f"{corps}-"}[
            fmt.negatif
        ]
    relu = lire_nombre(corps)
    attendu = quanta / 10**fmt.decimales
    if relu is None or abs(relu - attendu) > 1e-9:
        raise ValueError(f"nombre illisible par lire_nombre : {corps!r}")
    return corps


def ecrire_decimal(valeur: float, decimales: int, separateur: str = INSECABLE) -> str:
    """Mesure d'activité ou tarif (« 78,4 », « 2,1543 », « 12 480 »)."""
    quanta = round(valeur * 10**decimales)
    return ecrire_quanta(quanta, FormatNombre(separateur, decimales, "moins"))


def ecrire_pourcent(valeur: float, decimales: int = 1) -> str:
    """« 4,2 % » avec l'espace insécable d'usage avant le signe."""
    return f"{ecrire_decimal(valeur, decimales)}{INSECABLE}%"


def ecrire_euros(euros: float, separateur: str = INSECABLE) -> str:
    """Montant en euros dans le récit : « 1 284 560 € »."""
    return f"{grouper(round(abs(euros)), separateur)}{INSECABLE}€"


def date_longue(jour: date) -> str:
    """« 1er juillet 2015 » : la forme la plus courante dans les rapports."""
    quantieme = "1er" if jour.day == 1 else str(jour.day)
    return f"{quantieme} {MOIS[jour.month - 1]} {jour.year}"


def date_courte(jour: date) -> str:
    """« 01/07/2015 »."""
    return jour.strftime("%d/%m/%Y")


def variation_pct(nouveau: float, ancien: float) -> float:
    """Variation relative en pourcentage ; 0 si la base est nulle (rien à dire)."""
    return 0.0 if ancien == 0 else (nouveau - ancien) / abs(ancien) * 100
