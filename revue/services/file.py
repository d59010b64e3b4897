"""La file de revue : rapports filtrés par statut, exercice, secteur, nombre d'alertes et
recherche libre, les plus anciens d'abord, par pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import Select, func, or_, select

from fiche.modeles import Secteur
from publication.libelles import SECTEURS
from revue.services.requetes import alertes_par_rapport, lecture
from stockage.attente import en_retard
from stockage.depot import Depot
from stockage.modeles import Rapport
from stockage.statuts import LIBELLES, Statut

PAR_PAGE = 50


def _vide_en_none(valeur: Any) -> Any:
    return None if valeur == "" else valeur


EN_RETARD = "en_retard"
"""Pseudo-statut du filtre : en attente du délégataire, échéance dépassée."""


class Filtres(BaseModel):
    """Les critères de la file (tous facultatifs ; statut par défaut : « à valider »)."""

    statut: str = Field(Statut.A_VALIDER.value, max_length=20)
    exercice: Annotated[int | None, BeforeValidator(_vide_en_none)] = None
    secteur: Annotated[str | None, BeforeValidator(_vide_en_none)] = Field(None, max_length=50)
    alertes_min: Annotated[int | None, BeforeValidator(_vide_en_none)] = Field(None, ge=0)
    q: str = Field("", max_length=200)
    page: int = Field(1, ge=1)


class LigneFile(BaseModel):
    id: int
    fichier: str
    version: int
    exercice: int | None
    secteur: str
    delegataire: str
    collectivite: str
    statut: str
    statut_libelle: str
    alertes: int
    bloquants: int
    recu_le: datetime
    echeance: date | None = None
    en_retard: bool = False


class PageFile(BaseModel):
    lignes: list[LigneFile]
    total: int
    page: int
    pages: int
    en_attente: int = 0
    """Rapports en attente du délégataire, dont `en_retard` ont dépassé leur échéance."""
    en_retard: int = 0


def libelle_secteur(secteur: str | None) -> str:
    if not secteur:
        return "—"
    try:
        return SECTEURS[Secteur(secteur)]
    except ValueError:
        return secteur


def _filtrer(requete: Select[Any], filtres: Filtres, alertes: Any) -> Select[Any]:
    if filtres.statut == EN_RETARD:
        requete = requete.where(
            Rapport.statut == Statut.ATTENTE_DELEGATAIRE.value,
            Rapport.echeance < datetime.now(UTC).date(),
        )
    elif filtres.statut != "tous":
        requete = requete.where(Rapport.statut == filtres.statut)
    if filtres.exercice is not None:
        requete = requete.where(Rapport.exercice == filtres.exercice)
    if filtres.secteur:
        requete = requete.where(Rapport.secteur == filtres.secteur)
    if filtres.alertes_min:
        requete = requete.where(func.coalesce(alertes.c.alertes, 0) >= filtres.alertes_min)
    if filtres.q.strip():
        motif = f"%{filtres.q.strip().lower()}%"
        requete = requete.where(
            or_(
                func.lower(Rapport.fichier).like(motif),
                func.lower(func.coalesce(Rapport.delegataire, "")).like(motif),
                func.lower(func.coalesce(Rapport.collectivite, "")).like(motif),
            )
        )
    return requete


def file_de_revue(depot: Depot, filtres: Filtres, par_page: int = PAR_PAGE) -> PageFile:
    alertes = alertes_par_rapport()
    base = _filtrer(
        select(Rapport, alertes.c.alertes, alertes.c.bloquants).outerjoin(
            alertes, alertes.c.rapport_id == Rapport.id
        ),
        filtres,
        alertes,
    )
    with lecture(depot) as session:
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
        lignes = session.execute(
            base.order_by(Rapport.cree_le, Rapport.id)
            .limit(par_page)
            .offset((filtres.page - 1) * par_page)
        ).all()
        attente = session.scalars(
            select(Rapport).where(Rapport.statut == Statut.ATTENTE_DELEGATAIRE.value)
        ).all()
    return PageFile(
        lignes=[_ligne(r, a, b) for r, a, b in lignes],
        total=total,
        page=filtres.page,
        pages=max(1, -(-total // par_page)),
        en_attente=len(attente),
        en_retard=sum(en_retard(r) for r in attente),
    )


def _ligne(rapport: Rapport, alertes: int | None, bloquants: int | None) -> LigneFile:
    return LigneFile(
        id=rapport.id,
        fichier=rapport.fichier,
        version=rapport.version,
        exercice=rapport.exercice,
        secteur=libelle_secteur(rapport.secteur),
        delegataire=rapport.delegataire or "—",
        collectivite=rapport.collectivite or "—",
        statut=rapport.statut,
        statut_libelle=LIBELLES[Statut(rapport.statut)],
        alertes=int(alertes or 0),
        bloquants=int(bloquants or 0),
        recu_le=rapport.cree_le,
        echeance=rapport.echeance,
        en_retard=en_retard(rapport),
    )


def valeurs_des_filtres(depot: Depot) -> tuple[list[int], list[tuple[str, str]]]:
    """Les exercices et secteurs présents en base (listes déroulantes)."""
    with lecture(depot) as session:
        exercices = session.scalars(
            select(Rapport.exercice).where(Rapport.exercice.is_not(None)).distinct()
        ).all()
        secteurs = session.scalars(
            select(Rapport.secteur).where(Rapport.secteur.is_not(None)).distinct()
        ).all()
    return (
        sorted((int(e) for e in exercices if e is not None), reverse=True),
        sorted(((s, libelle_secteur(s)) for s in secteurs if s), key=lambda p: p[1]),
    )
