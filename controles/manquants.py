"""CHAMP_MANQUANT : un champ d'identification ou un poste principal n'a pas pu être rempli.

La fiche laisse vide ce que le rapport ne contient pas (jamais de valeur devinée) ;
l'agent doit le savoir pour compléter à la main ou le demander au délégataire.
"""

from __future__ import annotations

from controles.base import Contexte
from controles.type_document import est_rapport_du_delegataire, est_regie
from controles.variations import LIBELLES_POSTES, exercice_de
from fiche.evaluation import CHAMPS_IDENTIFICATION
from fiche.modeles import POSTES_PRINCIPAUX, Anomalie, Gravite

CODE = "CHAMP_MANQUANT"
REGLE = "fiche.md (champs d'identification et postes principaux)"

LIBELLES_IDENTIFICATION = {
    "collectivite": "l'autorité délégante (collectivité)",
    "objet": "l'objet du contrat",
    "secteur": "le secteur d'activité",
    "delegataire": "le délégataire (raison sociale)",
    "type_contrat": "le type de contrat",
    "date_debut": "la date de prise d'effet du contrat",
    "date_fin": "la date d'échéance du contrat",
    "exercice": "l'exercice couvert par le rapport",
}


CHAMPS_DU_CONTRAT = ("objet", "delegataire", "type_contrat", "date_debut", "date_fin")


def _manquant(champ: str, message: str) -> Anomalie:
    return Anomalie(
        code=CODE, gravite=Gravite.INFO, message=message, champs=[champ], pages=[], regle=REGLE
    )


def controle_champ_manquant(ctx: Contexte) -> list[Anomalie]:
    """CHAMP_MANQUANT (info) — fiche.md : champs d'identification et postes principaux.

    Une info par champ d'identification vide et par poste principal sans valeur pour
    l'exercice N (si N lui-même est inconnu, seuls les champs d'identification sont vus).
    """
    sortie: list[Anomalie] = []
    rapport = est_rapport_du_delegataire(ctx.fiche)
    for nom in CHAMPS_IDENTIFICATION:
        if nom in CHAMPS_DU_CONTRAT and (est_regie(ctx.fiche) or not rapport):
            # Régie : ni contrat ni délégataire ; RPQS : le contrat se lit dans le RAD.
            continue
        champ = getattr(ctx.fiche.identification, nom, None)
        if champ is None or champ.valeur is None:
            libelle = LIBELLES_IDENTIFICATION.get(nom, nom)
            sortie.append(
                _manquant(
                    f"identification.{nom}",
                    f"La fiche n'a pas pu renseigner {libelle} : le rapport ne l'indique pas "
                    "ou pas sous une forme reconnue. Le compléter à la main (contrat, page de "
                    "garde) ou le demander au délégataire.",
                )
            )
    n = exercice_de(ctx)
    if n is None or not rapport:
        # Hors d'un document du délégataire, l'absence de CARE est dite par TYPE_DOCUMENT.
        return sortie
    for poste in POSTES_PRINCIPAUX:
        valeur = ctx.fiche.financier.postes.get(poste, {}).get(str(n))
        if valeur is None or valeur.valeur is None:
            libelle = LIBELLES_POSTES.get(poste, poste)
            sortie.append(
                _manquant(
                    f"financier.postes.{poste}.{n}",
                    f"Le poste « {libelle} » ne figure pas dans le CARE {n} du rapport : la "
                    "fiche le laisse vide. Vérifier s'il existe sous un autre libellé, sinon "
                    "le demander au délégataire.",
                )
            )
    return sortie
