"""Orchestration Prefect : traitement d'un rapport, lots, étape de validation.

À l'import, l'environnement Prefect est préparé (avant tout import de `prefect`) :
`PREFECT_HOME` sous `DSP_DATA_DIR/prefect` (sauf s'il est déjà défini), aucune
télémétrie, démarrage du serveur éphémère patient (90 s).
"""

from __future__ import annotations

import os
from pathlib import Path

from socle.processus import regler_environnement


def preparer_environnement() -> None:
    """Valeurs par défaut des variables Prefect ; une valeur déjà définie est gardée."""
    donnees = Path(os.environ.get("DSP_DATA_DIR", "donnees")).resolve()
    os.environ.setdefault("PREFECT_HOME", str(donnees / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "0.5")
    regler_environnement()  # aussi pour un flux lancé sans la CLI (Prefect, tests)
    # Le serveur éphémère n'ouvre sa base SQLite que si le dossier existe.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


preparer_environnement()
