"""Les filtres français des gabarits, enregistrés ici et nulle part ailleurs.

Un agent qui modifie un gabarit dans Word écrit `{{ ligne.courant | euros }}` : la mise en
forme reste lisible dans le document, le calcul reste dans le code. Chaque filtre écrit
« — » pour une valeur absente, pour qu'une case vide se voie sans afficher « None ».
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from jinja2 import Environment

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
}


def environnement() -> Environment:
    """Environnement jinja des gabarits : filtres français, échappement XML automatique
    (un « & » ou un « < » venu d'un rapport ne casse jamais le document)."""
    env = Environment(autoescape=True)
    env.filters.update(FILTRES)
    return env
