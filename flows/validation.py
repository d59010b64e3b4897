"""L'étape de validation par un agent, puis la publication, ou l'attente du délégataire.

Deux chemins, une seule décision (`DecisionAgent`) et un seul code qui l'applique :

- sous le déploiement servi par `dsp planifier`, `traiter_rapport` se **suspend** en
  attendant une `DecisionAgent` ; l'application de revue (ou `dsp valider`) la lui envoie
  par `resume_flow_run`. Le processus du flow s'arrête pendant l'attente (des jours s'il
  le faut) ; à la reprise, Prefect relance le flow, qui retrouve la décision par sa clé ;
- sans serveur (exécution ponctuelle), le rapport reste « à valider » ; la décision lance
  alors le flow `valider-rapport`, qui l'applique puis publie.

Dans les deux cas, l'historique Prefect garde qui a décidé et quand : entrée de la
reprise ou paramètres du flow, et une ligne de journal.

Un rejet motivé met le rapport « en attente du délégataire » (échéance :
`DSP_DELAI_DELEGATAIRE_JOURS`) : le nouveau fichier reçu pour ce contrat et cet exercice en
sera la version suivante, de nouveau « à valider » (`stockage.attente`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.context import FlowRunContext
from prefect.flow_runs import resume_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.settings import PREFECT_API_URL, temporary_settings
from pydantic import Field, ValidationError, model_validator

from flows.taches import depot_courant
from publication import publier_rapport
from socle.erreurs import StockageError
from socle.reglages import reglages
from stockage.decisions import DemandeDecision
from stockage.modeles import Decision
from stockage.statuts import Statut

ACTION_ATTENTE = "attente_validation"
ACTIONS_DECISION = ("validation", "rejet")
ACTION_REPRISE_REFUSEE = "reprise_refusee"
Choix = Literal["valider", "rejeter"]
SYSTEME = "traitement planifié"


class DecisionAgent(RunInput):
    """La décision qu'attend un traitement suspendu : le numéro d'une décision enregistrée
    par l'application (compte, version de fiche, hachage) et, pour l'historique Prefect,
    ce qu'elle dit. Seule la décision en base fait foi : une reprise dont le numéro ne
    correspond à aucune décision applicable est refusée et le flow se suspend de nouveau."""

    decision_id: int = Field(ge=1)
    decision: Literal["valider", "rejeter"]
    agent: str = Field(min_length=1, max_length=200)
    commentaire: str = Field("", max_length=5000)

    @model_validator(mode="after")
    def _motif_du_rejet(self) -> DecisionAgent:
        if self.decision == "rejeter" and not self.commentaire.strip():
            raise ValueError("Un rejet doit être motivé : indiquez un commentaire.")
        return self

    @classmethod
    def de(cls, decision: Decision) -> DecisionAgent:
        return cls(
            decision_id=decision.id, decision=cast(Choix, decision.decision),
            agent=decision.agent, commentaire=decision.commentaire or "",
        )  # fmt: skip


def sous_deploiement() -> bool:
    """Vrai dans un flow lancé par un déploiement servi (suspension possible)."""
    contexte = FlowRunContext.get()
    return bool(contexte and contexte.flow_run and contexte.flow_run.deployment_id)


def _cle(rapport_id: int, refus: int) -> str:
    # Une clé par version de fiche relue : après une correction, la nouvelle version
    # attend une nouvelle décision au lieu de relire l'ancienne à la reprise ; et
    # une par reprise refusée, pour se suspendre de nouveau au lieu de relire la refusée.
    return f"validation-{rapport_id}-v{len(depot_courant().versions(rapport_id))}-r{refus}"


def _refusees(rapport_id: int) -> set[str]:
    return {
        e.champ or ""
        for e in depot_courant().evenements(rapport_id)
        if e.action == ACTION_REPRISE_REFUSEE
    }


def attendre_validation(rapport_id: int) -> DecisionAgent:
    """Suspend le flow jusqu'à une décision enregistrée par l'application (à appeler sous
    un déploiement). Une reprise qui n'en porte pas (bouton « Resume » de Prefect, numéro
    inventé, fiche changée) est journalisée comme refusée et le flow se suspend de nouveau."""
    contexte = FlowRunContext.get()
    assert contexte is not None and contexte.flow_run is not None
    identifiant = str(contexte.flow_run.id)
    depot = depot_courant()
    if run_en_attente(rapport_id) != (identifiant, PREFECT_API_URL.value()):
        depot.ajouter_evenement(
            rapport_id, agent=SYSTEME, action=ACTION_ATTENTE, champ="flow_run",
            nouvelle_valeur=identifiant, commentaire=PREFECT_API_URL.value(),
        )  # fmt: skip
    get_run_logger().info("Rapport n° %s : en attente de la validation d'un agent.", rapport_id)
    delai = reglages().validation_delai_jours * 86_400
    refus = 0
    while True:
        cle = _cle(rapport_id, refus)
        try:
            recue = suspend_flow_run(wait_for_input=DecisionAgent, key=cle, timeout=delai)
            motif = depot.motif_de_refus(recue.decision_id, rapport_id)
        except ValidationError as exc:
            recue, motif = None, f"reprise sans décision valable ({exc.error_count()} erreur(s))"
        if recue is not None and motif is None:
            decision = depot.decision(recue.decision_id)
            assert decision is not None
            return DecisionAgent.de(decision)
        _refuser_reprise(rapport_id, cle, recue, motif or "")
        refus += 1


def _refuser_reprise(rapport_id: int, cle: str, recue: DecisionAgent | None, motif: str) -> None:
    """Journalise une reprise refusée (une seule fois : le flow rejoué relit la même)."""
    if cle in _refusees(rapport_id):
        return
    depot = depot_courant()
    if recue is not None:
        depot.refuser_decision(recue.decision_id, rapport_id, motif, SYSTEME)
    agent = recue.agent if recue is not None else "inconnu"
    depot.ajouter_evenement(
        rapport_id, agent=SYSTEME, action=ACTION_REPRISE_REFUSEE, champ=cle,
        nouvelle_valeur=agent, commentaire=f"Reprise refusée : {motif}.",
    )  # fmt: skip
    get_run_logger().warning("Rapport n° %s : reprise refusée (%s).", rapport_id, motif)


def run_en_attente(rapport_id: int) -> tuple[str, str | None] | None:
    """(flow run, adresse de l'API Prefect) du traitement suspendu qui attend une décision
    sur ce rapport, ou None si aucune décision n'est attendue par un flow."""
    attente = None
    for evenement in depot_courant().evenements(rapport_id):
        if evenement.action == ACTION_ATTENTE and evenement.nouvelle_valeur:
            attente = (evenement.nouvelle_valeur, evenement.commentaire)
        elif evenement.action in ACTIONS_DECISION:
            attente = None
    return attente


@task(name="appliquer-decision", retries=2, retry_delay_seconds=1)
def appliquer_decision(rapport_id: int, decision: DecisionAgent) -> Statut:
    """Applique la décision enregistrée n° `decision.decision_id` : fiche signée et
    « validé », ou « en attente du délégataire » avec son motif et son échéance
    (`stockage.decisions.appliquer`).

    Rejouée après une reprise, elle ne refait rien (la décision est déjà appliquée) ; une
    décision qui ne correspond plus à la fiche est refusée et journalisée.
    """
    depot = depot_courant()
    motif = depot.motif_de_refus(decision.decision_id, rapport_id)
    if motif is not None:
        depot.refuser_decision(decision.decision_id, rapport_id, motif, SYSTEME)
        raise StockageError(f"Décision refusée pour le rapport n° {rapport_id} : {motif}.")
    deja = depot.decision(decision.decision_id)
    enregistree, statut = depot.appliquer_decision(decision.decision_id, rapport_id)
    if deja is not None and deja.etat != "appliquee":
        _historiser(rapport_id, statut, DecisionAgent.de(enregistree))
    return statut


def _historiser(rapport_id: int, cible: Statut, decision: DecisionAgent) -> None:
    """La décision dans l'historique Prefect : un artefact du flow (écrit tout de suite
    sur le serveur) et une ligne de son journal."""
    verbe = "validé" if cible == Statut.VALIDE else "rejeté (en attente du délégataire)"
    quand = datetime.now(UTC).astimezone().strftime("%d/%m/%Y à %H:%M")
    phrase = f"Rapport n° {rapport_id} {verbe} par {decision.agent} le {quand}."
    commentaire = f"\n\n> {decision.commentaire}" if decision.commentaire else ""
    create_markdown_artifact(
        key=f"decision-rapport-{rapport_id}", markdown=phrase + commentaire,
        description=f"Décision de l'agent sur le rapport n° {rapport_id}",
    )  # fmt: skip
    get_run_logger().info(phrase)


@task(name="rendre-fiche-word", retries=1, retry_delay_seconds=2)
def rendre_fiche_publiee(rapport_id: int) -> Path:
    """La fiche Word signée dans `DSP_DATA_DIR/publications/<exercice>/`."""
    return publier_rapport(depot_courant(), rapport_id, reglages())


@flow(name="publier", flow_run_name="publication-{rapport_id}", log_prints=True)
def publier(rapport_id: int, agent: str = "systeme") -> Statut:
    """Publication d'un rapport validé : fiche Word écrite, puis statut « publié » et
    événement au journal (qui nomme le fichier). Si l'écriture échoue, le rapport reste
    « validé » et la publication peut être relancée.

    Un rapport qui n'est pas « validé » est refusé (`StockageError` en français).
    """
    depot = depot_courant()
    rapport = depot.rapport(rapport_id)
    if Statut(rapport.statut) == Statut.PUBLIE:
        return Statut.PUBLIE
    if Statut(rapport.statut) != Statut.VALIDE:
        raise StockageError(
            "Seul un rapport validé par un agent peut être publié.", fichier=rapport.fichier
        )
    document = rendre_fiche_publiee(rapport_id)
    version = depot.versions(rapport_id)[-1]
    depot.changer_statut(rapport_id, Statut.PUBLIE, agent=agent)
    depot.ajouter_evenement(
        rapport_id, agent=agent, action="publication", champ=f"version {version.numero}",
        ancienne_valeur=version.hachage, nouvelle_valeur=str(document),
    )  # fmt: skip
    get_run_logger().info("Fiche Word publiée : %s", document)
    return Statut.PUBLIE


def transmettre_decision(rapport_id: int, decision: DecisionAgent) -> Literal["transmise"] | Statut:
    """Point d'entrée de l'application de revue et de `dsp valider`.

    Un traitement suspendu attend la décision : elle lui est transmise (« transmise ») et
    c'est lui qui l'applique. Sinon le flow `valider-rapport` l'applique tout de suite et
    rend le statut obtenu.
    """
    attente = run_en_attente(rapport_id)
    if attente is None:
        try:
            return valider_rapport(rapport_id, decision)
        except Exception:
            _abandonner(rapport_id, decision, "échec de son application")
            raise
    identifiant, adresse = attente
    try:
        with temporary_settings(updates={PREFECT_API_URL: adresse} if adresse else {}):
            resume_flow_run(UUID(identifiant), run_input=decision.model_dump())
    except Exception as exc:
        _abandonner(rapport_id, decision, "le traitement planifié ne l'a pas reçue")
        raise StockageError(
            f"Le traitement planifié du rapport n° {rapport_id} attend cette décision mais "
            f"le serveur Prefect ({adresse or 'configuré'}) ne l'a pas reçue : {exc}. "
            "Vérifiez que `dsp planifier` tourne, puis recommencez."
        ) from exc
    return "transmise"


def _abandonner(rapport_id: int, decision: DecisionAgent, motif: str) -> None:
    """Une décision restée en attente après un échec : refusée, la fiche redevient
    modifiable et l'agent peut décider de nouveau."""
    depot = depot_courant()
    enregistree = depot.decision(decision.decision_id)
    if enregistree is not None and enregistree.etat == "en_attente":
        depot.refuser_decision(decision.decision_id, rapport_id, motif, SYSTEME)


def decider(demande: DemandeDecision) -> Literal["transmise"] | Statut:
    """Enregistre la décision d'un compte (version relue, anomalies reconnues), puis la
    transmet (`transmettre_decision`) : `dsp valider` et les tests."""
    enregistree = depot_courant().enregistrer_decision(demande)
    return transmettre_decision(demande.rapport_id, DecisionAgent.de(enregistree))


@flow(name="valider-rapport", flow_run_name="decision-{rapport_id}", log_prints=True)
def valider_rapport(rapport_id: int, decision: DecisionAgent) -> Statut:
    """Décision d'un agent hors traitement suspendu : l'applique, puis publie la fiche
    validée ; un rapport rejeté attend le nouveau fichier du délégataire."""
    statut = appliquer_decision(rapport_id, decision)
    return suite_de_la_decision(rapport_id, statut, decision.agent)


def suite_de_la_decision(rapport_id: int, statut: Statut, agent: str) -> Statut:
    """Validé → publication. Rejeté (« en attente du délégataire ») : rien à refaire ici ;
    relancer les mêmes règles sur le même fichier redonnerait la même fiche. C'est le
    nouveau fichier du délégataire, traité comme tout fichier reçu, qui revient en revue."""
    if statut == Statut.VALIDE:
        return publier(rapport_id, agent=agent)
    return statut
