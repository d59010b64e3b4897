"""ANCRAGE : une valeur de la fiche introuvable sur la page qu'elle cite (garde contre les
hallucinations).

Chaque valeur de la fiche porte sa provenance (page, citation) et son `ancrage`, recalculé
par `fiche.ancrage.ancrer` quel que soit le remplisseur : `absent` veut dire que la valeur
ne se retrouve pas sur sa page. Elle a pu être mal lue, prise ailleurs, ou inventée par le
LLM : elle ne doit jamais être gardée en silence (fiche.md, « Champ »). Le rapport est le
document de référence (L.3131-5, R.3131-2) : un chiffre de la fiche qui n'y figure pas
ne peut pas être présenté à l'assemblée ni à la CCSPL.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from controles.base import Contexte
from controles.commun import chemin_anomalie, citer, date_longue, euros, nombre_fr
from fiche.ancrage import champs_de
from fiche.modeles import Ancrage, Anomalie, Champ, Gravite, Origine

journal = logging.getLogger(__name__)

CODE = "ANCRAGE"
REGLE = "L.3131-5 et R.3131-2 : chaque valeur de la fiche doit se lire dans le rapport"


def controle_ancrage(ctx: Contexte) -> list[Anomalie]:
    """ANCRAGE (bloquant) — L.3131-5 / R.3131-2 : garde contre les hallucinations.

    Une anomalie par champ renseigné dont l'ancrage est `absent` (valeur introuvable sur la
    page citée, ou sans page), avec le chemin du champ et la page. Les valeurs saisies par
    l'agent (`origine` = agent) sont sa décision et ne sont pas signalées ; les valeurs
    calculées (`calcule`) ou retrouvées après normalisation (`approche`) non plus.
    """
    try:
        return [
            _anomalie(chemin, champ)
            for chemin, champ in champs_de(ctx.fiche)
            if champ.valeur is not None
            and champ.ancrage == Ancrage.ABSENT
            and champ.origine != Origine.AGENT
        ]
    except Exception:  # un contrôle ne lève jamais : il ne conclut pas
        journal.exception("ANCRAGE : contrôle impossible sur %s", ctx.fiche.source.fichier)
        return []


def _valeur(chemin: str, valeur: Any) -> str:
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, (int, float)):
        if chemin.startswith("financier."):
            return euros(float(valeur))
        if chemin.startswith("identification.exercice"):
            return str(valeur)
        return nombre_fr(float(valeur))
    if isinstance(valeur, date):
        return date_longue(valeur)
    return citer(str(getattr(valeur, "value", valeur)), 120)


def _anomalie(chemin: str, champ: Champ[Any]) -> Anomalie:
    valeur = _valeur(chemin, champ.valeur)
    origine = "le LLM" if champ.origine == Origine.LLM else "l'extraction automatique"
    if champ.page is None:
        ou = "aucune page du rapport n'est citée pour elle"
        pages: list[int] = []
    else:
        ou = f"elle est introuvable à la page {champ.page} qu'elle cite"
        pages = [champ.page]
    citation = f" (citation donnée : {citer(champ.citation, 120)})" if champ.citation else ""
    message = (
        f"La valeur {valeur} du champ {chemin_anomalie(chemin)}, proposée par {origine}, ne "
        f"se retrouve pas dans le rapport : {ou}{citation}. Elle a pu être mal lue, prise "
        "ailleurs ou inventée : la vérifier dans le rapport et la corriger ou la retirer "
        "avant toute présentation."
    )
    return Anomalie(
        code=CODE,
        gravite=Gravite.BLOQUANT,
        message=message,
        champs=[chemin_anomalie(chemin)],
        pages=pages,
        regle=REGLE,
    )
