"""Le journal d'audit tel que l'agent le lit : actions en français, champs nommés par leur
libellé, statuts traduits ; ni empreinte, ni identifiant technique, ni chemin du serveur
(le journal en base, lui, garde tout : `dsp journal verifier` s'en sert)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import PurePath

from pydantic import BaseModel

from controles import commun
from fiche.modeles import Fiche
from revue.services.anomalies import titre_anomalie
from revue.services.fiche import ligne_de
from stockage.modeles import EvenementRevue
from stockage.statuts import LIBELLES, Statut

ACTIONS = {
    "correction": "correction d'une valeur",
    "avis": "avis de l'agent",
    "statut": "changement de statut",
    "validation": "validation",
    "rejet": "rejet",
    "publication": "publication de la fiche Word",
    "contrat": "contrat confirmé",
    "attente_validation": "attente de la décision d'un agent",
    "decision": "décision enregistrée",
    "reconnaissance_anomalie": "anomalie reconnue",
    "decision_refusee": "décision refusée",
    "reprise_refusee": "reprise du traitement refusée",
    "derogation_admin": "dérogation d'un administrateur",
    "version": "nouvelle version de la fiche",
    "nouveau_fichier": "nouveau fichier du délégataire",
}
DECISIONS = {"valider": "valider", "rejeter": "rejeter", "annulee": "annulée"}
_TECHNIQUE = re.compile(r"^[0-9a-f]{32,}$|^[0-9a-f-]{36}$|://|^/|^[A-Za-z]:\\")
_NUMERO = re.compile(r"^(version|decision) (\d+)$")


class LigneJournal(BaseModel):
    date: datetime
    agent: str
    action: str
    champ: str
    avant: str
    apres: str
    commentaire: str


def _lisible(valeur: str | None) -> str:
    """Une valeur montrable : les empreintes, identifiants et chemins sont tus."""
    if not valeur or _TECHNIQUE.search(valeur.strip()):
        return ""
    try:
        return LIBELLES[Statut(valeur)]
    except ValueError:
        pass
    try:
        return commun.date_longue(date.fromisoformat(valeur))
    except ValueError:
        pass
    try:  # « 1284560.0 » écrit par l'audit : « 1 284 560 » ; une année reste « 2023 »
        nombre = float(valeur)
    except ValueError:
        return valeur
    return valeur if re.fullmatch(r"-?\d{1,4}", valeur) else commun.nombre_fr(nombre, 4)


def _champ(evenement: EvenementRevue, fiche: Fiche | None) -> str:
    champ = evenement.champ or ""
    if evenement.action == "correction":
        ligne = ligne_de(fiche, champ) if fiche else None
        return ligne.libelle if ligne else "champ retiré de la fiche"
    if evenement.action == "reconnaissance_anomalie":
        return titre_anomalie(champ)
    if numero := _NUMERO.match(champ):
        return f"{'version' if numero[1] == 'version' else 'décision'} n° {numero[2]}"
    return "" if evenement.action in ("attente_validation", "reprise_refusee") else _lisible(champ)


def _valeurs(evenement: EvenementRevue) -> tuple[str, str]:
    avant, apres = _lisible(evenement.ancienne_valeur), _lisible(evenement.nouvelle_valeur)
    action = evenement.action
    if action in ("decision", "derogation_admin"):
        apres = DECISIONS.get(evenement.nouvelle_valeur or "", apres)
        avant = DECISIONS.get(evenement.ancienne_valeur or "", avant)
    elif action == "rejet" and apres:
        apres = f"échéance du délégataire : {apres}"
    elif action == "publication" and evenement.nouvelle_valeur:
        apres = PurePath(evenement.nouvelle_valeur).name
    elif action == "nouveau_fichier":
        avant = f"remplace le rapport n° {evenement.ancienne_valeur}"
    elif action == "reprise_refusee":
        avant, apres = "", f"demandée par {apres}" if apres else ""
    elif action == "reconnaissance_anomalie":
        avant = avant.capitalize()
    return avant, apres


def lignes_journal(journal: list[EvenementRevue], fiche: Fiche | None) -> list[LigneJournal]:
    """Le journal lisible, dans l'ordre donné."""
    lignes = []
    for evenement in journal:
        avant, apres = _valeurs(evenement)
        commentaire = evenement.commentaire or ""
        lignes.append(
            LigneJournal(
                date=evenement.date,
                agent=evenement.agent,
                action=ACTIONS.get(evenement.action, evenement.action.replace("_", " ")),
                champ=_champ(evenement, fiche),
                avant=avant,
                apres=apres,
                # Celui de l'attente est l'adresse du serveur Prefect.
                commentaire="" if evenement.action == "attente_validation" else commentaire,
            )
        )
    return lignes
