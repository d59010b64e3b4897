"""Le lot sous déploiement : un flow `traiter-rapport` par fichier, lancé sur le serveur.

Chaque rapport a ainsi son propre flow, qui peut se suspendre en attendant l'agent sans
bloquer le lot. Le lot attend seulement que chaque flow soit suspendu (fiche « à
valider ») ou terminé, puis relit le résultat en base.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment

from fiche.remplissage import Mode
from flows.taches import depot_courant
from flows.traitement import BilanRapport
from stockage.statuts import Statut

NOM_DEPLOIEMENT = "planifie"
DEPLOIEMENT_RAPPORT = f"traiter-rapport/{NOM_DEPLOIEMENT}"
ATTENTE_MAX_S = 6 * 3600
INTERVALLE_S = 1.0


def lancer(chemin: Path, mode: Mode) -> UUID:
    """Crée le flow run `traiter-rapport` d'un fichier sans l'attendre.

    Il n'est pas rattaché au lot (pas un sous-flow) : Prefect ne suspend qu'un flow de
    premier niveau, et la revue d'un rapport peut durer bien plus que le lot.
    """
    run = cast(
        FlowRun,
        run_deployment(
            DEPLOIEMENT_RAPPORT,
            parameters={"chemin": str(chemin), "mode": mode},
            timeout=0,
            as_subflow=False,
            tags=["lot"],
        ),
    )
    return run.id


def _bilan(chemin: Path, sha256: str, message: str | None) -> BilanRapport:
    rapport = depot_courant().par_sha256(sha256)
    if rapport is None and message is None:
        raison = "Traitement toujours en cours dans Prefect : voir `dsp statut` plus tard."
        return BilanRapport(
            fichier=chemin.name, sha256=sha256, statut=Statut.EXTRAIT, raison=raison
        )
    if rapport is None:
        raison = f"Le flow de traitement a échoué sans enregistrer le rapport : {message}"
        return BilanRapport(fichier=chemin.name, sha256=sha256, statut=Statut.ERREUR, raison=raison)
    return BilanRapport(
        fichier=chemin.name, sha256=sha256, statut=Statut(rapport.statut),
        rapport_id=rapport.id, version_rapport=rapport.version, raison=rapport.raison,
    )  # fmt: skip


def par_deploiement(a_traiter: dict[Path, str], mode: Mode) -> Iterator[tuple[Path, BilanRapport]]:
    """Lance un flow par fichier puis rend chaque bilan dès que son flow attend l'agent
    (suspendu) ou s'est terminé."""
    runs = {lancer(chemin, mode): chemin for chemin in a_traiter}
    limite = time.monotonic() + ATTENTE_MAX_S
    with get_client(sync_client=True) as client:
        while runs and time.monotonic() < limite:
            for identifiant, chemin in list(runs.items()):
                etat = client.read_flow_run(identifiant).state
                if etat is not None and (etat.is_paused() or etat.is_final()):
                    del runs[identifiant]
                    yield chemin, _bilan(chemin, a_traiter[chemin], etat.message or etat.name)
            time.sleep(INTERVALLE_S if runs else 0)
    for chemin in runs.values():  # toujours en cours : le lot rend la main, le flow continue
        yield chemin, _bilan(chemin, a_traiter[chemin], None)
