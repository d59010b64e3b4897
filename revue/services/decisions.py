"""Décisions des valideurs, exécutées hors des requêtes HTTP.

`flows.validation.transmettre_decision` reprend le traitement suspendu qui attend la
décision, ou lance le flow `valider-rapport` (qui publie la fiche Word ou retraite le
rapport). Sans serveur Prefect configuré, le premier appel démarre un serveur éphémère
(10 à 20 s) : la décision part donc dans un fil d'exécution dédié, la page affiche
« publication en cours » et interroge `etat()` jusqu'au résultat. Les autres requêtes ne
sont jamais bloquées.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from socle.erreurs import DspError
from stockage.statuts import LIBELLES, Statut

Decision = Literal["valider", "rejeter"]
Executant = Callable[[int, int], str]
"""(rapport, décision enregistrée) → « transmise » ou le statut obtenu."""


class EtatDecision(BaseModel):
    rapport_id: int
    decision: Decision
    agent: str
    etat: Literal["en_cours", "terminee", "erreur"] = "en_cours"
    message: str = "Décision en cours de traitement…"
    debut: datetime
    fin: datetime | None = None


def executer_avec_prefect(rapport_id: int, decision_id: int) -> str:
    """La décision enregistrée transmise au flow de validation (Prefect importé à la
    demande)."""
    from flows.taches import depot_courant
    from flows.validation import DecisionAgent, transmettre_decision

    enregistree = depot_courant().decision(decision_id)
    if enregistree is None:
        raise DspError(f"Décision n° {decision_id} introuvable.")
    return str(transmettre_decision(rapport_id, DecisionAgent.de(enregistree)))


def message_final(decision: Decision, resultat: str) -> str:
    if resultat == "transmise":
        return "Décision transmise au traitement planifié, qui reprend."
    connus = {s.value: LIBELLES[s] for s in Statut}
    statut = connus.get(resultat, resultat)
    if decision == "valider" and resultat == Statut.PUBLIE.value:
        return "Fiche validée et publiée : le document Word est prêt."
    if decision == "rejeter":
        return (
            f"Rejet enregistré : le rapport est « {statut} ». Le nouveau fichier déposé pour "
            "ce contrat et cet exercice en deviendra la version suivante, à valider."
        )
    return f"Décision enregistrée : le rapport est « {statut} »."


class Decisions:
    """File des décisions (un fil : elles s'appliquent l'une après l'autre)."""

    def __init__(self, executant: Executant = executer_avec_prefect) -> None:
        self._executant = executant
        self._fil = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decision")
        self._etats: dict[int, EtatDecision] = {}
        self._verrou = threading.Lock()

    def etat(self, rapport_id: int) -> EtatDecision | None:
        with self._verrou:
            return self._etats.get(rapport_id)

    def lancer(self, rapport_id: int, decision: Decision, agent: str, decision_id: int) -> bool:
        """Met la décision enregistrée en file ; faux si une décision de ce rapport est
        déjà en cours."""
        with self._verrou:
            courant = self._etats.get(rapport_id)
            if courant is not None and courant.etat == "en_cours":
                return False
            self._etats[rapport_id] = EtatDecision(
                rapport_id=rapport_id, decision=decision, agent=agent, debut=datetime.now(UTC)
            )
        self._fil.submit(self._executer, rapport_id, decision, decision_id)
        return True

    def _executer(self, rapport_id: int, decision: Decision, decision_id: int) -> None:
        try:
            resultat = self._executant(rapport_id, decision_id)
            mise_a_jour = {"etat": "terminee", "message": message_final(decision, resultat)}
        except DspError as exc:
            mise_a_jour = {"etat": "erreur", "message": exc.message}
        except Exception as exc:  # l'agent doit voir l'échec, jamais une page figée
            mise_a_jour = {"etat": "erreur", "message": f"La décision a échoué : {exc}"}
        with self._verrou:
            actuel = self._etats[rapport_id]
            self._etats[rapport_id] = actuel.model_copy(
                update={**mise_a_jour, "fin": datetime.now(UTC)}
            )

    def arreter(self) -> None:
        self._fil.shutdown(wait=False, cancel_futures=True)
