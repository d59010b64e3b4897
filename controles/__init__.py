"""Contrôles de cohérence de la fiche (catalogue `shared/specs/controles.md`) : chaque
contrôle est une fonction pure qui rend des `Anomalie`, jamais une exception.

`controler` les lance tous sur une fiche : seuils du secteur, historique du contrat,
anomalies dédoublonnées et triées (bloquant, alerte, info). Les anomalies déjà posées par
le remplissage (INSTRUCTIONS_SUSPECTES, DESACCORD) sont gardées ; celles d'un contrôle
précédent sont recalculées.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pydantic import ValidationError

from controles.ancrage import controle_ancrage
from controles.arithmetique import controle_resultat, controle_somme_postes
from controles.base import Contexte, Controle
from controles.completude import controle_completude
from controles.dates import controle_dates
from controles.delai import controle_delai
from controles.historique import charger_historique, controle_exercice_precedent
from controles.manquants import controle_champ_manquant
from controles.ratios import controle_frais_siege
from controles.sispea import CODES as CODES_SISPEA
from controles.sispea import CONTROLES_SISPEA
from controles.texte_tableau import controle_texte_tableau
from controles.type_document import controle_type_document
from controles.unites import controle_unite
from controles.variations import controle_variation
from extracteurs.modeles import Document
from fiche.modeles import Anomalie, Fiche, Gravite
from socle.reglages import Reglages, SeuilsControles

__all__ = [
    "CATALOGUE",
    "CODES_CONTROLES",
    "Contexte",
    "Controle",
    "charger_historique",
    "controler",
]

journal = logging.getLogger(__name__)

CODES_CONTROLES = frozenset(
    {
        "SOMME_POSTES",
        "RESULTAT",
        "ANCRAGE",
        "TEXTE_TABLEAU",
        "EXERCICE_PRECEDENT",
        "VARIATION",
        "FRAIS_SIEGE",
        "DATES",
        "UNITE",
        "COMPLETUDE",
        "CHAMP_MANQUANT",
        "DELAI",
        "TYPE_DOCUMENT",
    }
    | CODES_SISPEA
)
"""Codes posés par les contrôles (recalculés à chaque passage) ; les autres codes
(INSTRUCTIONS_SUSPECTES, DESACCORD) viennent du remplissage et restent sur la fiche."""

_ORDRE_GRAVITE = {Gravite.BLOQUANT: 0, Gravite.ALERTE: 1, Gravite.INFO: 2}


CATALOGUE: list[Controle] = [
    controle_somme_postes,
    controle_resultat,
    controle_ancrage,
    controle_texte_tableau,
    controle_exercice_precedent,
    controle_variation,
    controle_frais_siege,
    controle_dates,
    controle_unite,
    controle_completude,
    controle_champ_manquant,
    controle_delai,
    controle_type_document,
    *CONTROLES_SISPEA,
]
"""Tous les contrôles, dans l'ordre du catalogue (`controles.md`)."""


def _seuils(reglages: Reglages, secteur: str | None) -> SeuilsControles:
    try:
        return reglages.seuils(secteur)
    except ValidationError as exc:
        journal.warning(
            "Surcharges de seuils invalides pour le secteur %s, défauts retenus : %s",
            secteur,
            exc,
        )
        return reglages.controles


def _cle(anomalie: Anomalie) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    return anomalie.code, tuple(anomalie.champs), tuple(sorted(anomalie.pages))


def controler(
    fiche: Fiche,
    document: Document,
    reglages: Reglages,
    historique: Sequence[Fiche] = (),
    controles: Sequence[Controle] | None = None,
) -> Fiche:
    """La fiche avec les anomalies de tous les contrôles (une copie ; l'entrée est intacte).

    Un contrôle qui lève malgré tout est noté au journal et n'arrête pas les autres.
    """
    secteur = fiche.identification.secteur.valeur
    ctx = Contexte(
        fiche=fiche.model_copy(deep=True),
        document=document,
        seuils=_seuils(reglages, str(secteur) if secteur is not None else None),
        historique=list(historique),
    )
    trouvees = [a for a in fiche.anomalies if a.code not in CODES_CONTROLES]
    for controle in CATALOGUE if controles is None else controles:
        try:
            trouvees.extend(controle(ctx))
        except Exception:  # un contrôle ne doit jamais faire échouer la fiche
            journal.exception(
                "Le contrôle %s a échoué sur %s",
                getattr(controle, "__name__", repr(controle)),
                fiche.source.fichier,
            )
    vues: set[tuple[str, tuple[str, ...], tuple[int, ...]]] = set()
    uniques: list[Anomalie] = []
    for anomalie in trouvees:
        if _cle(anomalie) not in vues:
            vues.add(_cle(anomalie))
            uniques.append(anomalie)
    uniques.sort(key=lambda a: _ORDRE_GRAVITE.get(a.gravite, 3))
    return fiche.model_copy(update={"anomalies": uniques}, deep=True)
