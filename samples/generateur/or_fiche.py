"""Écriture de la fiche d'or à partir du rapport décrit et des pages rendues."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from fiche.modeles import (
    Activite,
    Ancrage,
    Anomalie,
    Champ,
    ElementConformite,
    Fiche,
    Financier,
    Gravite,
    Identification,
    Indicateur,
    LigneCare,
    Origine,
    Production,
    Source,
    UniteSource,
)

from .modele import Mesure, Rapport, Valeur
from .regles import anomalies_derivees

DATE_PRODUCTION = datetime(2024, 9, 2, 9, 0, 0)
VERSION = "echantillons/1"


def sha256(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def _champ(valeur: object, page: int, citation: str | None, ancrage: Ancrage) -> Champ:  # type: ignore[type-arg]
    return Champ(
        valeur=valeur, page=page, citation=citation, ancrage=ancrage, origine=Origine.AGENT
    )


def _valeurs(valeurs: dict[str, Valeur], pages: dict[str, int]) -> dict[str, Champ[float]]:
    return {
        a: _champ(v.valeur, pages[v.cle], v.citation, Ancrage.EXACT) for a, v in valeurs.items()
    }


def _identification(rapport: Rapport, pages: dict[str, int]) -> Identification:
    champs: dict[str, Champ] = {}  # type: ignore[type-arg]
    for nom in Identification.model_fields:
        fait = rapport.identification.get(nom)
        if fait is None:
            champs[nom] = Champ(ancrage=Ancrage.ABSENT, origine=Origine.AGENT)
        else:
            ancrage = Ancrage.CALCULE if fait.calcule else Ancrage.EXACT
            champs[nom] = _champ(fait.valeur, pages[fait.cle], fait.citation, ancrage)
    return Identification.model_validate({k: v.model_dump() for k, v in champs.items()})


def _financier(rapport: Rapport, pages: dict[str, int]) -> Financier:
    postes: dict[str, dict[str, Champ[float]]] = {}
    for poste, valeurs in rapport.postes.items():
        postes[poste] = {}
        for annee, p in sorted(valeurs.items(), reverse=True):
            ancrage = Ancrage.CALCULE if p.calcule else Ancrage.EXACT
            page = pages[p.cle] if p.cle else None
            postes[poste][annee] = Champ[float](
                valeur=p.valeur,
                page=page,
                citation=p.citation,
                ancrage=ancrage,
                origine=Origine.AGENT,
            )
    lignes = [
        LigneCare(
            libelle=lg.libelle,
            page=pages[lg.cle],
            section=lg.section,
            nature=lg.nature,
            poste=lg.poste,
            valeurs=_valeurs(lg.valeurs, pages),
        )
        for lg in rapport.lignes
    ]
    return Financier(unite_source=UniteSource(rapport.unite_source), postes=postes, lignes=lignes)


def _mesures(mesures: list[Mesure], pages: dict[str, int]) -> list[Indicateur]:
    return [
        Indicateur(libelle=m.libelle, unite=m.unite, valeurs=_valeurs(m.valeurs, pages))
        for m in mesures
    ]


def _plantees(rapport: Rapport, pages: dict[str, int]) -> list[Anomalie]:
    """Résout « {p:cle} » en numéro de page dans les messages des anomalies voulues."""
    sortie = []
    for a in rapport.anomalies:
        message = re.sub(r"\{p:([^}]+)\}", lambda m: str(pages[m.group(1)]), a.message)
        liste = sorted({pages[c] for c in a.cles_pages} | set(a.pages_externes))
        sortie.append(
            Anomalie(
                code=a.code,
                gravite=Gravite(a.gravite),
                message=message,
                champs=a.champs,
                pages=liste,
                regle=a.regle,
            )
        )
    return sortie


def ecrire_or(rapport: Rapport, pages: dict[str, int], fichier: Path, scanne: bool) -> Fiche:
    fiche = Fiche(
        source=Source(
            fichier=fichier.name,
            sha256=sha256(fichier),
            pages=pages["__pages__"],
            scanne=scanne,
            # Une annexe tableur seule est un CARE ; les autres échantillons sont des RAD.
            type_document="care" if fichier.suffix == ".xlsx" else "rad",
        ),
        identification=_identification(rapport, pages),
        financier=_financier(rapport, pages),
        activite=Activite(
            indicateurs=_mesures(rapport.indicateurs, pages),
            effectif_etp=_valeurs(rapport.effectif, pages),
        ),
        tarifs=_mesures(rapport.tarifs, pages),
        faits_marquants=[
            Champ[str](
                valeur=phrase,
                page=pages[cle],
                citation=phrase,
                ancrage=Ancrage.EXACT,
                origine=Origine.AGENT,
            )
            for phrase, cle in rapport.faits_marquants
        ],
        conformite={
            element: ElementConformite(present=cle is not None, page=pages[cle] if cle else None)
            for element, cle in _conformite(rapport).items()
        },
        production=Production(
            mode="regles",
            modele=None,
            version=VERSION,
            date=DATE_PRODUCTION,
            duree_s=0,
            note="Fiche de référence écrite par le générateur d'échantillons",
        ),
    )
    fiche.anomalies = _plantees(rapport, pages) + anomalies_derivees(fiche)
    return Fiche.model_validate_json(fiche.vers_json())


def _conformite(rapport: Rapport) -> dict[str, str | None]:
    from fiche.modeles import ELEMENTS_CONFORMITE

    return {e: rapport.conformite.get(e) for e in ELEMENTS_CONFORMITE}
