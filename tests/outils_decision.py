"""Comptes et décisions pour les tests : une décision vient toujours d'un compte de
l'application (valideur ou admin), enregistrée sur une version de fiche."""

from __future__ import annotations

from typing import Literal

from stockage.comptes import Comptes
from stockage.decisions import DemandeDecision
from stockage.depot import Depot

MOTIF = "Vérifié avec le délégataire (test)"


def compte(
    depot: Depot, identifiant: str = "mdurand", nom: str = "Mme Durand", role: str = "valideur"
) -> str:
    """Le compte (créé s'il manque ; l'empreinte importe peu : pas de connexion ici)."""
    comptes = Comptes(depot)
    if comptes.utilisateur(identifiant) is None:
        comptes.creer(identifiant, nom, "scrypt$sans-connexion", role)
    return identifiant


def demande(
    depot: Depot,
    rapport_id: int,
    decision: Literal["valider", "rejeter"] = "valider",
    *,
    identifiant: str = "mdurand",
    nom: str = "Mme Durand",
    commentaire: str = "",
    motif: str = MOTIF,
) -> DemandeDecision:
    """La demande d'un valideur (créé au besoin) qui reconnaît chaque anomalie ouverte."""
    return DemandeDecision(
        rapport_id=rapport_id, decision=decision, compte=compte(depot, identifiant, nom),
        commentaire=commentaire, motif_commun=motif,
    )  # fmt: skip
