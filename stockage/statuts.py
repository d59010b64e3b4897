"""Statuts d'un rapport et transitions permises.

Le cycle suit le traitement : extraction, revue par un agent, publication. Une transition
absente de `TRANSITIONS` est refusée : un rapport publié ne redevient pas « à valider »
sans trace, un rapport en erreur repasse par l'extraction.
"""

from __future__ import annotations

from enum import StrEnum

from socle.erreurs import StockageError


class Statut(StrEnum):
    EXTRAIT = "extrait"
    A_VALIDER = "a_valider"
    VALIDE = "valide"
    ATTENTE_DELEGATAIRE = "attente_delegataire"
    """Rejeté avec un motif : on attend du délégataire un nouveau fichier, avant l'échéance."""
    REMPLACE = "remplace"
    """Rejeté puis remplacé par le nouveau fichier du délégataire (nouvelle version)."""
    PUBLIE = "publie"
    ERREUR = "erreur"


TRANSITIONS: dict[Statut, frozenset[Statut]] = {
    Statut.EXTRAIT: frozenset({Statut.A_VALIDER, Statut.ERREUR}),
    Statut.A_VALIDER: frozenset({Statut.VALIDE, Statut.ATTENTE_DELEGATAIRE, Statut.ERREUR}),
    # Une fiche validée peut être rouverte avant publication (correction tardive).
    Statut.VALIDE: frozenset({Statut.PUBLIE, Statut.A_VALIDER}),
    # Un rejet attend un nouveau fichier du délégataire : relancer les mêmes règles sur le
    # même fichier redonnerait la même fiche. Le nouveau fichier est une nouvelle version,
    # relue à son tour ; l'ancienne est alors « remplacée » et ne bouge plus.
    Statut.ATTENTE_DELEGATAIRE: frozenset({Statut.REMPLACE}),
    Statut.REMPLACE: frozenset(),
    Statut.PUBLIE: frozenset(),
    Statut.ERREUR: frozenset({Statut.EXTRAIT}),
}

STATUTS_VALIDES = (Statut.VALIDE, Statut.PUBLIE)
"""Une fiche validée par un agent (publiée ou non) sert d'historique."""

LIBELLES = {
    Statut.EXTRAIT: "extrait",
    Statut.A_VALIDER: "à valider",
    Statut.VALIDE: "validé",
    Statut.ATTENTE_DELEGATAIRE: "en attente du délégataire",
    Statut.REMPLACE: "remplacé par une nouvelle version",
    Statut.PUBLIE: "publié",
    Statut.ERREUR: "en erreur",
}


def verifier_transition(actuel: Statut, cible: Statut, fichier: str | None = None) -> None:
    """Lève `StockageError` (message pour l'agent) si `actuel → cible` n'est pas permise."""
    if cible in TRANSITIONS[actuel]:
        return
    permises = ", ".join(f"« {LIBELLES[s]} »" for s in sorted(TRANSITIONS[actuel])) or "aucune"
    raise StockageError(
        f"Transition interdite : un rapport « {LIBELLES[actuel]} » ne peut pas passer "
        f"« {LIBELLES[cible]} » (transitions permises : {permises}).",
        fichier=fichier,
    )
