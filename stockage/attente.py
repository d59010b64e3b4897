"""Après un rejet : le rapport attend un nouveau fichier du délégataire.

Relancer les mêmes règles sur le même fichier redonnait la même fiche ; on attend donc un
nouveau fichier du délégataire pour le même contrat et le même exercice. Quand il arrive
(lot, `dsp planifier`, tout traitement qui enregistre un rapport), il devient la version
suivante du rapport rejeté, qui passe « remplacé », et il repart « à valider ».
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockage.journal import journaliser, verrouiller
from stockage.modeles import Rapport
from stockage.statuts import Statut, verifier_transition

ACTION_NOUVEAU_FICHIER = "nouveau_fichier"


def _nom(texte: str | None) -> str:
    return " ".join((texte or "").casefold().split())


def meme_contrat(a: Rapport, b: Rapport) -> bool:
    """Même contrat du registre si les deux y sont rattachés, sinon même collectivité et
    même délégataire (noms normalisés)."""
    if a.contrat_id is not None and b.contrat_id is not None:
        return a.contrat_id == b.contrat_id
    noms_a = (_nom(a.collectivite), _nom(a.delegataire))
    return all(noms_a) and noms_a == (_nom(b.collectivite), _nom(b.delegataire))


def en_retard(rapport: Rapport, aujourdhui: date | None = None) -> bool:
    """Vrai si le délégataire n'a pas envoyé de nouveau fichier avant l'échéance."""
    aujourdhui = aujourdhui or datetime.now(UTC).date()
    return (
        rapport.statut == Statut.ATTENTE_DELEGATAIRE.value
        and rapport.echeance is not None
        and rapport.echeance < aujourdhui
    )


def rapport_rejete_remplace(session: Session, rapport: Rapport) -> Rapport | None:
    """Le rapport « en attente du délégataire » que ce nouveau fichier remplace : même
    nom de fichier (version précédente), ou même contrat et même exercice."""
    if rapport.exercice is None and rapport.precedent_id is None:
        return None
    candidats = session.scalars(
        select(Rapport)
        .where(Rapport.statut == Statut.ATTENTE_DELEGATAIRE.value, Rapport.id != rapport.id)
        .order_by(Rapport.id.desc())
    )
    for candidat in candidats:
        if candidat.id == rapport.precedent_id:
            return candidat
        if candidat.exercice == rapport.exercice and meme_contrat(rapport, candidat):
            return candidat
    return None


def remplacer(session: Session, rapport_id: int, agent: str) -> Rapport | None:
    """Rattache le nouveau rapport au rapport rejeté qu'il remplace (version suivante),
    passe ce dernier « remplacé » et l'inscrit au journal des deux ; rend le remplacé."""
    verrouiller(session)
    rapport = session.get(Rapport, rapport_id)
    ancien = rapport_rejete_remplace(session, rapport) if rapport else None
    if rapport is None or ancien is None:
        return None
    verifier_transition(Statut(ancien.statut), Statut.REMPLACE, ancien.fichier)
    ancien.statut, ancien.modifie_le = Statut.REMPLACE.value, datetime.now(UTC)
    if rapport.precedent_id is None:  # nom nouveau : la lignée passe par le contrat
        rapport.precedent_id, rapport.version = ancien.id, ancien.version + 1
    if rapport.contrat_id is None:
        rapport.contrat_id, rapport.contrat_confirme = ancien.contrat_id, ancien.contrat_confirme
    journaliser(
        session, ancien.id, agent, "statut", None, Statut.ATTENTE_DELEGATAIRE.value,
        Statut.REMPLACE.value,
        f"Nouveau fichier du délégataire reçu : « {rapport.fichier} » (rapport n° {rapport.id}).",
    )  # fmt: skip
    journaliser(
        session, rapport.id, agent, ACTION_NOUVEAU_FICHIER, None, str(ancien.id),
        rapport.fichier, f"Remplace le rapport n° {ancien.id} rejeté : {ancien.raison or ''}",
    )  # fmt: skip
    return ancien
