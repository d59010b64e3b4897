"""Les filtres français des gabarits, enregistrés ici et nulle part ailleurs.

Un agent qui modifie un gabarit dans Word écrit `{{ ligne.courant | euros }}` : la mise en
forme reste lisible dans le document, le calcul reste dans le code. Chaque filtre écrit
« — » pour une valeur absente, pour qu'une case vide se voie sans afficher « None ».
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from jinja2 import Environment, Template

from controles import commun

ABSENT = "—"


def euros(valeur: float | None) -> str:
    """1284560 → « 1 284 560 € »."""
    return ABSENT if valeur is None else commun.euros(valeur)


def pourcentage(valeur: float | None) -> str:
    """7.2 → « +7,2 % »."""
    return ABSENT if valeur is None else commun.pourcentage(valeur)


def nombre(valeur: float | None) -> str:
    """« 24 839 », « 27,32 », « 0,9681 » (jusqu'à quatre décimales, celles des prix au m³)."""
    return ABSENT if valeur is None else commun.nombre_fr(valeur, 4)


def date_longue(valeur: date | None) -> str:
    """« 1er juin 2024 »."""
    return ABSENT if valeur is None else commun.date_longue(valeur)


def page(valeur: int | None) -> str:
    """« page 5 »."""
    return pages([valeur])


def pages(valeurs: Iterable[int | None] | None) -> str:
    """« page 5 », « pages 4 et 5 »."""
    return commun.mention_pages(valeurs or []) or ABSENT


def renvoi(valeur: int | Iterable[int | None] | None) -> str:
    """Renvoi en fin de phrase : « (page 5) », « (pages 4 et 5) », rien sans page."""
    liste = [valeur] if isinstance(valeur, int) or valeur is None else valeur
    mention = commun.mention_pages(liste)
    return f" ({mention})" if mention else ""


def oui_non(valeur: bool | None) -> str:
    """Présence d'un élément obligatoire : « oui », « non », « non évalué »."""
    if valeur is None:
        return "non évalué"
    return "oui" if valeur else "non"


def texte(valeur: Any) -> str:
    """Une valeur quelconque, « — » si absente."""
    return ABSENT if valeur is None or valeur == "" else str(valeur)


def _grandeur(valeur: float, unites: tuple[tuple[float, str], ...]) -> str:
    """Deux chiffres significatifs dans l'unité la plus lisible (« 6,3 mWh », « 1,2 kg »)."""
    facteur, unite = unites[0] if valeur else next(u for u in unites if u[0] == 1.0)
    for candidat, nom in unites:
        if valeur and abs(valeur) >= candidat:
            facteur, unite = candidat, nom
    ramene = float(f"{valeur / facteur:.2g}")
    return f"{commun.nombre_fr(ramene, 3)}\u00a0{unite}"


def energie(valeur_wh: float | None) -> str:
    """Wh → « 6,3 mWh », « 1,5 Wh », « 2,1 kWh »."""
    if valeur_wh is None:
        return ABSENT
    return _grandeur(valeur_wh, ((1e-6, "µWh"), (1e-3, "mWh"), (1.0, "Wh"), (1e3, "kWh")))


def co2(valeur_g: float | None) -> str:
    """gCO2e → « 0,33 mg CO₂e », « 12 g CO₂e », « 1,2 kg CO₂e »."""
    if valeur_g is None:
        return ABSENT
    unites = ((1e-6, "µg"), (1e-3, "mg"), (1.0, "g"), (1e3, "kg"), (1e6, "t"))
    return f"{_grandeur(valeur_g, unites)}\u00a0CO₂e"


FILTRES: dict[str, Callable[..., str]] = {
    "euros": euros,
    "pourcentage": pourcentage,
    "nombre": nombre,
    "date_longue": date_longue,
    "page": page,
    "pages": pages,
    "renvoi": renvoi,
    "oui_non": oui_non,
    "texte": texte,
    "energie": energie,
    "co2": co2,
}


_GABARITS_MEMORISES = 64


class _EnvironnementMemorise(Environment):
    """Compile une fois chaque source de gabarit : docxtpl passe à `from_string` le même
    XML à chaque fiche (~20 ms de compilation par rendu, un tiers du brouillon Word).
    La clé comprend l'échappement, que docxtpl règle sur l'environnement avant l'appel."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiles: dict[tuple[str, bool], Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cle = (source, bool(self.autoescape))
        compile = self._compiles.get(cle)
        if compile is None:
            compile = super().from_string(source)
            if len(self._compiles) < _GABARITS_MEMORISES:  # quelques parties par gabarit
                self._compiles[cle] = compile
        return compile


@functools.cache
def environnement() -> Environment:
    """Environnement jinja des gabarits : filtres français, échappement XML automatique
    (un « & » ou un « < » venu d'un rapport ne casse jamais le document). Le même pour
    tous les rendus : ses gabarits compilés servent à chaque fiche."""
    env = _EnvironnementMemorise(autoescape=True)
    env.filters.update(FILTRES)
    return env
