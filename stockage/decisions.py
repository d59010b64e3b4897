"""Décisions des valideurs, liées à une version de fiche (son hachage).

Une décision n'est enregistrée que pour un compte actif de l'application (valideur ou
administrateur), sur la dernière version de la fiche d'un rapport « à valider » :

- tant qu'elle attend d'être appliquée, aucune nouvelle version n'est acceptée
  (`verifier_modifiable`) ; une fois appliquée, le rapport est « validé » puis « publié » et
  sa fiche ne change plus, ou, rejeté, « en attente du délégataire » jusqu'à son échéance ;
- une validation exige que chaque anomalie bloquante ou alerte ouverte de la version soit
  reconnue avec un motif (journalisé, imprimé dans la fiche Word) ;
- l'application (`appliquer`) vérifie que la fiche est toujours la version décidée, même
  hachage ; sinon la décision est refusée.

Chaque fonction travaille dans la transaction de l'appelant (`Depot`), verrou du journal
pris d'abord : deux écritures concurrentes ne voient jamais un état périmé.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fiche.modeles import Fiche, Gravite, Revue
from socle.erreurs import StockageError
from stockage.journal import hachage_contenu, journaliser, verrouiller
from stockage.modeles import (
    AnomalieEnregistree,
    Decision,
    Duree,
    EvenementRevue,
    Rapport,
    Utilisateur,
    VersionFiche,
)
from stockage.statuts import LIBELLES, Statut, verifier_transition

ROLES_DECISION = ("valideur", "admin")
GRAVITES_A_RECONNAITRE = (Gravite.BLOQUANT.value, Gravite.ALERTE.value)
EN_ATTENTE, APPLIQUEE, REFUSEE, ANNULEE = "en_attente", "appliquee", "refusee", "annulee"


class DemandeDecision(BaseModel):
    """Ce qu'un compte demande : valider ou rejeter la version qu'il a relue."""

    rapport_id: int
    decision: Literal["valider", "rejeter"]
    compte: str = Field(min_length=1, max_length=100)
    commentaire: str = Field("", max_length=5000)
    version: int | None = None
    """Numéro de la version relue ; None : la dernière (ligne de commande)."""
    motifs: dict[int, str] = Field(default_factory=dict)
    """Motif de reconnaissance par anomalie (numéro en base)."""
    motif_commun: str = ""
    """Un même motif pour chaque anomalie (`--reconnaitre-anomalies`)."""
    derogation: str = ""
    """Motif d'une dérogation d'administrateur : remplace une décision restée en attente."""


def derniere_version(session: Session, rapport_id: int) -> VersionFiche | None:
    return session.scalar(
        select(VersionFiche)
        .where(VersionFiche.rapport_id == rapport_id)
        .order_by(VersionFiche.numero.desc())
        .limit(1)
    )


def en_attente(session: Session, rapport_id: int) -> Decision | None:
    return session.scalar(
        select(Decision).where(Decision.rapport_id == rapport_id, Decision.etat == EN_ATTENTE)
    )


def verifier_modifiable(session: Session, rapport: Rapport) -> None:
    """Refuse une nouvelle version pendant une décision ou après la validation."""
    statut = Statut(rapport.statut)
    if statut in (Statut.VALIDE, Statut.PUBLIE):
        raise StockageError(
            f"Le rapport n° {rapport.id} est « {LIBELLES[statut]} » : la version validée de "
            "sa fiche ne se modifie plus. Une modification passe par une nouvelle version "
            "du rapport, relue et validée à son tour.",
            fichier=rapport.fichier,
        )
    attente = en_attente(session, rapport.id)
    if attente is not None:
        raise StockageError(
            f"Modification refusée : la décision de {attente.agent} (« {attente.decision} ») "
            f"sur la version relue de la fiche du rapport n° {rapport.id} est en cours. La "
            "fiche ne change plus tant qu'elle n'est pas appliquée.",
            fichier=rapport.fichier,
        )


def _compte(session: Session, demande: DemandeDecision) -> Utilisateur:
    compte = session.scalar(select(Utilisateur).where(Utilisateur.identifiant == demande.compte))
    if compte is None or not compte.actif:
        raise StockageError(f"Compte inconnu ou désactivé : « {demande.compte} ».")
    if compte.role not in ROLES_DECISION:
        raise StockageError(
            f"Le compte « {compte.identifiant} » ({compte.role}) ne peut pas décider : "
            "rôle valideur ou administrateur requis."
        )
    if demande.derogation.strip() and compte.role != "admin":
        raise StockageError("Une dérogation est réservée à un compte administrateur.")
    return compte


def _version_relue(session: Session, rapport: Rapport, demande: DemandeDecision) -> VersionFiche:
    version = derniere_version(session, rapport.id)
    if version is None:
        raise StockageError(f"Le rapport n° {rapport.id} n'a pas de fiche à décider.")
    if demande.version is not None and demande.version != version.numero:
        raise StockageError(
            f"La fiche du rapport n° {rapport.id} a changé depuis que vous l'avez ouverte "
            f"(version n° {version.numero}, vous aviez la n° {demande.version}) : rechargez "
            "la page et relisez les modifications avant de décider."
        )
    return version


def _reconnaissances(
    session: Session, version: VersionFiche, demande: DemandeDecision
) -> list[dict[str, str]]:
    """Chaque anomalie bloquante ou alerte de la version, avec son motif ; refus s'il en
    manque un (contrôle cité : une anomalie ouverte n'est validée que reconnue)."""
    ouvertes = session.scalars(
        select(AnomalieEnregistree)
        .where(
            AnomalieEnregistree.version_id == version.id,
            AnomalieEnregistree.gravite.in_(GRAVITES_A_RECONNAITRE),
        )
        .order_by(AnomalieEnregistree.id)
    )
    reconnues, manquantes = [], []
    for anomalie in ouvertes:
        motif = (demande.motifs.get(anomalie.id) or demande.motif_commun).strip()
        if not motif:
            manquantes.append(f"{anomalie.code} ({anomalie.gravite})")
            continue
        reconnues.append({
            "code": anomalie.code, "gravite": anomalie.gravite, "message": anomalie.message,
            "motif": motif,
        })  # fmt: skip
    if manquantes:
        raise StockageError(
            f"Validation refusée : {len(manquantes)} anomalie(s) bloquante(s) ou alerte(s) "
            f"non reconnue(s) : {', '.join(manquantes)}. Reconnaissez chacune avec un motif "
            f"(application de revue, ou `dsp valider {demande.rapport_id} "
            '--reconnaitre-anomalies "motif"`).'
        )
    return reconnues


def _deroger(session: Session, rapport: Rapport, compte: Utilisateur, motif: str) -> None:
    attente = en_attente(session, rapport.id)
    if attente is None:
        raise StockageError("Aucune décision en attente : la dérogation est sans objet.")
    attente.etat = ANNULEE
    journaliser(
        session, rapport.id, compte.nom, "derogation_admin", f"decision {attente.id}",
        attente.decision, ANNULEE, f"Dérogation de {compte.identifiant} : {motif.strip()}",
    )  # fmt: skip


def enregistrer(session: Session, demande: DemandeDecision) -> Decision:
    """Inscrit la décision (en attente d'application) et la journalise ; refus en français
    si le compte, le statut, la version ou les anomalies ne le permettent pas."""
    verrouiller(session)
    compte = _compte(session, demande)
    rapport = session.get(Rapport, demande.rapport_id)
    if rapport is None:
        raise StockageError(f"Rapport inconnu : n° {demande.rapport_id}.")
    if Statut(rapport.statut) != Statut.A_VALIDER:
        raise StockageError(f"Le rapport n° {rapport.id} n'attend pas de décision.")
    if demande.derogation.strip():
        _deroger(session, rapport, compte, demande.derogation)
    elif (attente := en_attente(session, rapport.id)) is not None:
        raise StockageError(
            f"Une décision de {attente.agent} est déjà en cours sur le rapport n° {rapport.id}."
        )
    version = _version_relue(session, rapport, demande)
    if demande.decision == "rejeter" and not demande.commentaire.strip():
        raise StockageError("Un rejet doit être motivé : indiquez un commentaire.")
    reconnues = _reconnaissances(session, version, demande) if demande.decision == "valider" else []
    decision = Decision(
        rapport_id=rapport.id, version_id=version.id,
        hachage=hachage_contenu(version.contenu), decision=demande.decision,
        compte=compte.identifiant, agent=compte.nom, commentaire=demande.commentaire.strip(),
        reconnaissances=reconnues, derogation=demande.derogation.strip() or None,
        etat=EN_ATTENTE,
    )  # fmt: skip
    session.add(decision)
    session.flush()
    journaliser(
        session, rapport.id, compte.nom, "decision", f"version {version.numero}",
        decision.hachage, demande.decision, decision.commentaire or None,
    )  # fmt: skip
    for r in reconnues:
        journaliser(session, rapport.id, compte.nom, "reconnaissance_anomalie", r["code"],
                    r["gravite"], r["message"], r["motif"])  # fmt: skip
    return decision


def motif_de_refus(session: Session, decision_id: int, rapport_id: int) -> str | None:
    """Pourquoi cette décision ne peut pas (ou plus) s'appliquer ; None si elle le peut."""
    decision = session.get(Decision, decision_id)
    if decision is None or decision.rapport_id != rapport_id:
        return f"aucune décision n° {decision_id} n'a été enregistrée pour ce rapport"
    if decision.etat == APPLIQUEE:
        return None
    if decision.etat != EN_ATTENTE:
        return f"la décision n° {decision_id} est « {decision.etat} »"
    version = derniere_version(session, rapport_id)
    if version is None or version.id != decision.version_id:
        return "la fiche n'est plus la version sur laquelle porte la décision"
    # Recalculé sur le contenu lu, pas relu dans la colonne : une version réécrite derrière
    # l'application (colonne `hachage` laissée intacte) ne passe pas.
    if hachage_contenu(version.contenu) != decision.hachage:
        return "le contenu de la version décidée a changé (hachage différent)"
    return None


def refuser(session: Session, decision_id: int, rapport_id: int, motif: str, agent: str) -> None:
    """Une décision inapplicable : refusée (la fiche redevient modifiable) et journalisée."""
    decision = session.get(Decision, decision_id)
    if decision is not None and decision.rapport_id == rapport_id and decision.etat == EN_ATTENTE:
        decision.etat = REFUSEE
    journaliser(session, rapport_id, agent, "decision_refusee", f"decision {decision_id}",
                None, None, motif)  # fmt: skip


def _fiche_signee(session: Session, decision: Decision, contenu: dict[str, object]) -> Fiche:
    fiche = Fiche.model_validate(contenu)
    revue_s = session.scalar(
        select(func.coalesce(func.sum(Duree.duree_s), 0.0)).where(
            Duree.rapport_id == decision.rapport_id, Duree.etape == "revue"
        )
    )
    corrections = session.scalar(
        select(func.count(EvenementRevue.id)).where(
            EvenementRevue.rapport_id == decision.rapport_id,
            EvenementRevue.action == "correction",
        )
    )
    avis = fiche.revue.avis if fiche.revue and fiche.revue.avis else None
    revue = Revue(
        statut=Statut.VALIDE.value, agent=decision.agent, date=datetime.now(UTC),
        duree_active_s=float(revue_s or 0.0), corrections=int(corrections or 0),
        avis=avis or decision.commentaire or None,
    )  # fmt: skip
    return fiche.model_copy(update={"revue": revue})


def _signer(session: Session, decision: Decision) -> None:
    """La version validée, signée (revue : agent, date, avis) en nouvelle version, avec ses
    anomalies ; journalisée comme toute version."""
    version = session.get(VersionFiche, decision.version_id)
    assert version is not None
    signee = _fiche_signee(session, decision, version.contenu)
    contenu = signee.model_dump(mode="json", by_alias=True)
    nouvelle = VersionFiche(
        rapport_id=decision.rapport_id, numero=version.numero + 1, contenu=contenu,
        auteur=decision.agent, hachage=hachage_contenu(contenu),
    )  # fmt: skip
    session.add(nouvelle)
    session.flush()
    session.add_all(
        AnomalieEnregistree(version_id=nouvelle.id, **a.model_dump(mode="json"))
        for a in signee.anomalies
    )
    decision.version_signee_id = nouvelle.id
    journaliser(session, decision.rapport_id, decision.agent, "version",
                f"version {nouvelle.numero}", None, nouvelle.hachage,
                "fiche signée par la validation")  # fmt: skip


def appliquer(
    session: Session, decision_id: int, rapport_id: int, delai_jours: int
) -> tuple[Decision, Statut]:
    """Applique une décision en attente : fiche signée (nouvelle version, même contenu plus
    la revue) et « validé », ou rejet motivé : « en attente du délégataire », échéance à
    `delai_jours`. Déjà appliquée : rien à refaire."""
    verrouiller(session)
    rapport = session.get(Rapport, rapport_id)
    if rapport is None:
        raise StockageError(f"Rapport inconnu : n° {rapport_id}.")
    motif = motif_de_refus(session, decision_id, rapport_id)
    decision = session.get(Decision, decision_id)
    if motif is not None or decision is None:
        raise StockageError(f"Décision refusée pour le rapport n° {rapport_id} : {motif}.")
    if decision.etat == APPLIQUEE:
        return decision, Statut(rapport.statut)
    cible = Statut.VALIDE if decision.decision == "valider" else Statut.ATTENTE_DELEGATAIRE
    verifier_transition(Statut(rapport.statut), cible, rapport.fichier)
    if cible == Statut.VALIDE:
        _signer(session, decision)
    else:
        rapport.echeance = (datetime.now(UTC) + timedelta(days=delai_jours)).date()
    ancien = rapport.statut
    rapport.statut, rapport.raison = cible.value, decision.commentaire or None
    rapport.modifie_le = datetime.now(UTC)
    decision.etat = APPLIQUEE
    journaliser(session, rapport_id, decision.agent, "statut", None, ancien, cible.value,
                decision.commentaire or None)  # fmt: skip
    action = "validation" if cible == Statut.VALIDE else "rejet"
    echeance = rapport.echeance.isoformat() if action == "rejet" and rapport.echeance else None
    journaliser(session, rapport_id, decision.agent, action, f"decision {decision.id}",
                decision.hachage, echeance, decision.commentaire or None)  # fmt: skip
    return decision, cible
