"""Le serveur Prefect éphémère ne survit pas à la commande qui l'a démarré.

Sans `PREFECT_API_URL`, Prefect démarre à la demande un serveur local dans un
sous-processus (`SubprocessASGIServer`) qu'il arrête à la sortie normale de Python ; un
`dsp lot` tué par SIGKILL le laissait orphelin. Chaque serveur ainsi démarré est confié à
un gardien (`socle.gardien`) qui l'arrête à la mort de la commande, quelle qu'en soit la
cause.
"""

from __future__ import annotations

import subprocess
from functools import wraps
from typing import Any

from socle.gardien import surveiller


def garder_serveur_ephemere() -> None:
    """À appeler avant le premier flow : chaque serveur éphémère démarré ensuite dans ce
    processus a son gardien. Sans effet la deuxième fois."""
    from prefect.server.api.server import SubprocessASGIServer

    lancer = SubprocessASGIServer._run_uvicorn_command
    if getattr(lancer, "garde", False):
        return

    @wraps(lancer)
    def lancer_sous_garde(serveur: SubprocessASGIServer) -> subprocess.Popen[Any]:
        processus = lancer(serveur)
        surveiller(processus.pid)
        return processus

    lancer_sous_garde.garde = True  # type: ignore[attr-defined]
    SubprocessASGIServer._run_uvicorn_command = lancer_sous_garde  # type: ignore[method-assign,assignment]
