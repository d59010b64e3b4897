"""Le référentiel des indicateurs SISPEA (arrêté du 2 mai 2007) : codes, unités, bornes.

Copie versionnée de `shared/reels/indicateurs_sispea.csv` dans `fiche/referentiels/` : la
production ne lit jamais `shared/`. Les codes s'impriment de bien des façons dans les
rapports réels (« P202.2B », « P202.2 » pour l'indice patrimonial d'après 2013,
« D.202.0 », « P 204.3 ») : `code_normalise` les ramène au code du référentiel.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CHEMIN_CSV = Path(__file__).resolve().parents[2] / "referentiels" / "indicateurs_sispea.csv"

COMPETENCES = ("eau potable", "assainissement collectif", "assainissement non collectif")


@dataclass(frozen=True)
class DefinitionIndicateur:
    code: str
    competence: str
    unite: str
    decimales: int
    minimum: float
    maximum: float
    libelle: str

    @property
    def conformite(self) -> bool:
        """Indicateur de conformité 0 / 100 (le rapport écrit « conforme », « oui »...)."""
        return self.code in CODES_CONFORMITE

    @property
    def prix(self) -> bool:
        return self.code in CODES_PRIX


CODES_CONFORMITE = frozenset({"P203.3", "P204.3", "P205.3", "P254.3"})
"""Conformités ERU et arrêté : 100 si conforme, 0 sinon (fiches descriptives SISPEA)."""

CODES_PRIX = frozenset({"D102.0", "D204.0"})
"""Prix TTC au m³ pour 120 m³, valeur au 1er janvier N+1."""

PRIX_PAR_COMPETENCE = {"eau potable": "D102.0", "assainissement collectif": "D204.0"}


@cache
def referentiel() -> dict[str, DefinitionIndicateur]:
    """Code → définition, lu une fois depuis la copie versionnée du CSV."""
    with CHEMIN_CSV.open(encoding="utf-8-sig", newline="") as flux:
        lignes = list(csv.DictReader(flux))
    return {
        ligne["code_ip"]: DefinitionIndicateur(
            code=ligne["code_ip"],
            competence=ligne["name_competence"],
            unite=ligne["symbol_unit"],
            decimales=int(ligne["decimal_ip"] or 0),
            minimum=float(ligne["min_critic_ip"]),
            maximum=float(ligne["max_critic_ip"]),
            libelle=ligne["libelle_grand_public"],
        )
        for ligne in lignes
    }


CODE_IMPRIME = re.compile(
    r"(?<![A-Za-z0-9.])(?P<lettre>[DP])\s?\.?\s?(?P<num>[1-3]\d{2})\s?\.\s?(?P<rang>\d)"
    r"(?P<suffixe>[AB])?(?![0-9])"
)
"""Un code tel qu'imprimé : « D204.0 », « P202.2B », « D.202.0 », « P 204.3 »."""


def code_normalise(lettre: str, num: str, rang: str, suffixe: str | None) -> str | None:
    """Le code du référentiel, ou None s'il n'existe pas (faute de frappe : « D201.1 »).

    « P202.2 » / « P103.2 » sans lettre désignent l'indice patrimonial en vigueur depuis
    2013 (variante B) ; la variante A (jusqu'à 2012) n'est retenue qu'écrite en toutes lettres.
    """
    base = f"{lettre}{num}.{rang}"
    connus = referentiel()
    if suffixe:
        return base + suffixe if base + suffixe in connus else None
    if base in connus:
        return base
    return base + "B" if base + "B" in connus else None


def codes_de(texte: str) -> list[tuple[str, re.Match[str]]]:
    """Les codes du référentiel présents dans un texte, avec leur position."""
    trouves = []
    for m in CODE_IMPRIME.finditer(texte):
        code = code_normalise(m["lettre"], m["num"], m["rang"], m["suffixe"])
        if code is not None:
            trouves.append((code, m))
    return trouves
