"""TYPE_DOCUMENT : ce que le document est, et ce qu'il ne peut pas remplacer.

L'autorité attend du délégataire son rapport annuel (L.3131-5 du code de la commande
publique) ; un RPQS (CGCT L.2224-5) est le rapport de la collectivité sur son service,
un CARE seul n'est qu'une annexe. La fiche le dit en une phrase, et les contrôles propres
au RAD (sommes du CARE, complétude R.3131, délai du 1er juin) ne tournent pas sur eux.
"""

from __future__ import annotations

from controles.base import Contexte
from fiche.modeles import TYPES_DU_DELEGATAIRE, Anomalie, Fiche, Gravite, ModeGestion

CODE = "TYPE_DOCUMENT"
REGLE_RAD = "L.3131-5 du code de la commande publique (rapport annuel du délégataire)"
REGLE_RPQS = "CGCT L.2224-5 et D.2224-1 à D.2224-5 (rapport sur le prix et la qualité du service)"


def est_rapport_du_delegataire(fiche: Fiche) -> bool:
    return fiche.source.type_document in TYPES_DU_DELEGATAIRE


def est_regie(fiche: Fiche) -> bool:
    mode = fiche.identification.mode_gestion.valeur
    return mode in (ModeGestion.REGIE, ModeGestion.REGIE_PRESTATION)


def _ou(fiche: Fiche) -> str:
    page = fiche.source.type_page
    citation = fiche.source.type_citation
    if page and citation:
        return f" (page {page} : « {citation[:120]} »)"
    return ""


def _message_rpqs(fiche: Fiche) -> tuple[Gravite, str]:
    base = (
        f"Ce document est un rapport sur le prix et la qualité du service (RPQS){_ou(fiche)}, "
        "rédigé par la collectivité : il ne contient pas le compte du délégataire (CARE) et ne "
        "relève pas des articles R.3131-2 à R.3131-4."
    )
    if fiche.identification.mode_gestion.valeur == ModeGestion.DELEGATION:
        return Gravite.ALERTE, base + (
            " Le service étant délégué, le rapport annuel du délégataire (L.3131-5) est un "
            "autre document : le demander au délégataire s'il n'a pas été reçu."
        )
    if est_regie(fiche):
        return Gravite.INFO, base + (
            " Le service est exploité en régie : aucun rapport de délégataire n'est attendu ; "
            "la fiche reprend l'identification, les tarifs et les indicateurs."
        )
    return Gravite.INFO, base + (
        " Son mode de gestion n'est pas lu : si le service est délégué, le rapport annuel du "
        "délégataire (L.3131-5) est à demander à part."
    )


def controle_type_document(ctx: Contexte) -> list[Anomalie]:
    """TYPE_DOCUMENT — L.3131-5 CCP et CGCT L.2224-5 : la nature du document reçu.

    Rien pour un RAD ou un CARE seul ; une info pour un RPQS de régie ; une alerte pour un
    RPQS de service délégué (le RAD reste dû) ou un document qui n'est aucun des trois.
    """
    fiche = ctx.fiche
    genre = fiche.source.type_document
    if est_rapport_du_delegataire(fiche):
        # Un CARE seul : les alertes COMPLETUDE disent déjà ce qui manque du RAD.
        return []
    if genre == "rpqs":
        gravite, message = _message_rpqs(fiche)
        regle = REGLE_RPQS
    else:
        gravite, regle = Gravite.ALERTE, REGLE_RAD
        message = (
            "Ce document ne se présente ni comme un rapport annuel du délégataire, ni comme un "
            "CARE, ni comme un RPQS (aucun titre ni texte de loi qui le dise) : la fiche ne "
            "peut pas le contrôler comme un rapport. Vérifier qu'il s'agit du bon fichier."
        )
    return [
        Anomalie(
            code=CODE,
            gravite=gravite,
            message=message,
            champs=["source.type_document"],
            pages=[fiche.source.type_page] if fiche.source.type_page else [],
            regle=regle,
        )
    ]
