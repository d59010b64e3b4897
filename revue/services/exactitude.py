"""Exactitude en production : la part des chiffres des fiches relues qu'aucun agent n'a eu
à corriger.

Chiffres : les valeurs numériques de la dernière version de chaque fiche relue (postes et
lignes du CARE, indicateurs, tarifs, effectif). Corrigés : les chiffres distincts qui ont
fait l'objet d'un événement `correction`. Sur quelques rapports, ce taux ne dit rien (une
seule correction d'essai sur un rapport donnerait « 0 % ») : il ne s'affiche qu'à partir de
`DSP_EXACTITUDE_RAPPORTS_MIN` rapports relus.
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel
from sqlalchemy import select

from fiche.ancrage import champs_de
from fiche.modeles import Fiche
from revue.services.requetes import dernieres_versions, lecture
from stockage.depot import Depot
from stockage.modeles import EvenementRevue, VersionFiche

FAMILLES_CHIFFREES = ("financier.", "activite.", "tarifs.")


class Exactitude(BaseModel):
    rapports_relus: int
    seuil: int
    chiffres: int
    corriges: int

    @property
    def affichable(self) -> bool:
        return self.rapports_relus >= self.seuil and self.chiffres > 0

    @property
    def taux(self) -> float | None:
        """Part des chiffres non corrigés ; None tant qu'il y a trop peu de rapports relus."""
        return 1 - self.corriges / self.chiffres if self.affichable else None


def chiffres_de(fiche: Fiche) -> set[str]:
    """Chemins des valeurs numériques renseignées de la fiche."""
    return {
        chemin
        for chemin, champ in champs_de(fiche)
        if chemin.startswith(FAMILLES_CHIFFREES) and isinstance(champ.valeur, int | float)
    }


def exactitude(depot: Depot, relus: Collection[int], seuil: int) -> Exactitude:
    dernieres = dernieres_versions()
    versions = (
        select(VersionFiche.rapport_id, VersionFiche.contenu)
        .join(dernieres, dernieres.c.version_id == VersionFiche.id)
        .where(VersionFiche.rapport_id.in_(list(relus)))
    )
    corrections = select(EvenementRevue.rapport_id, EvenementRevue.champ).where(
        EvenementRevue.action == "correction"
    )
    with lecture(depot) as session:
        chiffres = {
            rapport_id: chiffres_de(Fiche.model_validate(contenu))
            for rapport_id, contenu in session.execute(versions)
        }
        corriges = {
            (rapport_id, champ)
            for rapport_id, champ in session.execute(corrections)
            if rapport_id in chiffres and champ in chiffres[rapport_id]
        }
    return Exactitude(
        rapports_relus=len(relus),
        seuil=seuil,
        chiffres=sum(len(c) for c in chiffres.values()),
        corriges=len(corriges),
    )
