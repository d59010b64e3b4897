"""Requêtes de lecture communes à la file de revue et au tableau de bord.

Une seule idée : la « dernière version » d'une fiche est celle de plus grand `id` de son
rapport ; les anomalies comptées sont les siennes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Subquery, case, func, select
from sqlalchemy.orm import Session

from stockage.depot import Depot
from stockage.modeles import AnomalieEnregistree, VersionFiche


@contextmanager
def lecture(depot: Depot) -> Iterator[Session]:
    """Une session de lecture seule (aucune écriture ne passe par ici)."""
    with Session(depot.moteur, expire_on_commit=False) as session:
        yield session  # fermée sans commit : rien n'est écrit


def dernieres_versions() -> Subquery:
    """(rapport_id, version_id) de la dernière version de fiche de chaque rapport."""
    return (
        select(
            VersionFiche.rapport_id.label("rapport_id"),
            func.max(VersionFiche.id).label("version_id"),
        )
        .group_by(VersionFiche.rapport_id)
        .subquery("dernieres")
    )


def alertes_par_rapport() -> Subquery:
    """(rapport_id, alertes, bloquants) : anomalies de la dernière version de chaque fiche."""
    dernieres = dernieres_versions()
    bloquant = case((AnomalieEnregistree.gravite == "bloquant", 1), else_=0)
    return (
        select(
            dernieres.c.rapport_id.label("rapport_id"),
            func.count(AnomalieEnregistree.id).label("alertes"),
            func.coalesce(func.sum(bloquant), 0).label("bloquants"),
        )
        .select_from(dernieres)
        .outerjoin(AnomalieEnregistree, AnomalieEnregistree.version_id == dernieres.c.version_id)
        .group_by(dernieres.c.rapport_id)
        .subquery("alertes")
    )


def sobriete_par_rapport() -> Subquery:
    """(rapport_id, energie_wh, co2_g) de la dernière version de fiche de chaque rapport
    (`production.energie_wh`, `production.co2_g` ; NULL quand ils n'ont pas été estimés)."""
    dernieres = dernieres_versions()
    production = VersionFiche.contenu
    return (
        select(
            dernieres.c.rapport_id.label("rapport_id"),
            production[("production", "energie_wh")].as_float().label("energie_wh"),
            production[("production", "co2_g")].as_float().label("co2_g"),
        )
        .join(VersionFiche, VersionFiche.id == dernieres.c.version_id)
        .subquery("sobriete")
    )
