"""`dsp planifier` : un serveur Prefect (local si aucun n'est configuré) et les
déploiements servis — le lot planifié par cron, et le flow d'un rapport qu'il lance pour
chaque fichier et qui attend la validation de l'agent.

Un serveur local est démarré sous `DSP_DATA_DIR/prefect` quand `PREFECT_API_URL` est
vide ; il s'arrête avec la commande. Les flows suspendus survivent à cet arrêt : ils
reprennent quand la planification est relancée et qu'un agent décide.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from prefect import serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from fiche.remplissage import Mode
from flows.deploiement import NOM_DEPLOIEMENT
from flows.lot import traiter_lot
from flows.rapport import traiter_rapport
from socle.erreurs import ConfigurationError
from socle.gardien import surveiller
from socle.reglages import Reglages

DEMARRAGE_MAX_S = 120.0


def repond(url_api: str, delai_s: float = 2.0) -> bool:
    """Vrai si le serveur Prefect de `url_api` répond à son contrôle de santé."""
    try:
        with urllib.request.urlopen(f"{url_api.rstrip('/')}/health", timeout=delai_s) as rep:
            return bool(rep.status == 200)
    except OSError:
        return False


def _attendre(processus: subprocess.Popen[bytes], url_api: str, journal: Path) -> None:
    limite = time.monotonic() + DEMARRAGE_MAX_S
    while not repond(url_api):
        if processus.poll() is not None or time.monotonic() > limite:
            processus.kill()
            fin = journal.read_text(encoding="utf-8", errors="replace")[-1500:]
            raise ConfigurationError(
                f"Le serveur Prefect local n'a pas démarré sur {url_api}. "
                f"Fin de son journal ({journal}) :\n{fin}"
            )
        time.sleep(0.5)


def adresses_du_serveur(port: int) -> dict[str, str]:
    """L'environnement d'un serveur local sur `port`. `prefect server start --port` n'écoute
    que sur ce port : l'interface web, elle, demande l'adresse de l'API à ses réglages, qui
    restent à 4200 sans ces variables (« Can't connect to Server API at …:4200/api »). Une
    adresse d'interface déjà configurée (derrière un proxy) est respectée."""
    adresses = {
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_UI_URL": f"http://127.0.0.1:{port}",
    }
    return {cle: os.environ.get(cle) or valeur for cle, valeur in adresses.items()}


@contextmanager
def serveur_local(r: Reglages) -> Iterator[str]:
    """L'adresse d'un serveur Prefect local, démarré pour la durée du bloc s'il ne tourne
    pas déjà sur `DSP_PREFECT_PORT` ; rend l'adresse de son API."""
    url_api = f"http://127.0.0.1:{r.prefect_port}/api"
    if repond(url_api):
        yield url_api
        return
    dossier = Path(os.environ.get("PREFECT_HOME", r.data_dir / "prefect"))
    dossier.mkdir(parents=True, exist_ok=True)
    journal = dossier / "serveur.log"
    commande = [sys.executable, "-m", "prefect", "server", "start",
                "--host", "127.0.0.1", "--port", str(r.prefect_port)]  # fmt: skip
    env = {**os.environ, **adresses_du_serveur(r.prefect_port), "PREFECT_API_URL": ""}
    with journal.open("wb") as sortie:
        processus = subprocess.Popen(commande, stdout=sortie, stderr=subprocess.STDOUT, env=env)
    surveiller(processus.pid)  # arrêté même si `dsp planifier` est tué par SIGKILL
    try:
        _attendre(processus, url_api, journal)
        yield url_api
    finally:
        processus.terminate()
        try:
            processus.wait(timeout=30)
        except subprocess.TimeoutExpired:
            processus.kill()


@contextmanager
def serveur_prefect(r: Reglages) -> Iterator[str]:
    """Le serveur configuré (`PREFECT_API_URL`), sinon un serveur local ; l'adresse de
    l'API est exportée pour les flows que le planificateur lance en sous-processus."""
    configure = PREFECT_API_URL.value()
    if configure:
        if not repond(configure):
            raise ConfigurationError(
                f"Le serveur Prefect configuré ({configure}) ne répond pas. Vérifiez "
                "PREFECT_API_URL, ou videz-la pour démarrer un serveur local."
            )
        yield configure
        return
    with serveur_local(r) as url_api:
        os.environ["PREFECT_API_URL"] = url_api
        with temporary_settings(updates={PREFECT_API_URL: url_api}):
            yield url_api


def verifier_cron(cron: str) -> None:
    """`ConfigurationError` en français si l'expression cron est invalide (vérifiée avant
    de démarrer quoi que ce soit)."""
    try:
        CronSchedule(cron=cron)
    except ValueError as exc:
        raise ConfigurationError(
            f"Expression cron invalide « {cron} » : cinq champs attendus, minute heure "
            "jour mois jour-de-semaine (ex. « 0 6 * * * » : chaque jour à 6 h)."
        ) from exc


def servir(dossier: Path, cron: str, mode: Mode, concurrence: int) -> None:
    """Sert les déploiements jusqu'à l'interruption (Ctrl+C) ; bloque.

    `concurrence` borne les flows exécutés en même temps (le lot compte pour un) ; un flow
    suspendu en attente de l'agent n'occupe aucune place.
    """
    try:
        lot = cast(
            RunnerDeployment,
            traiter_lot.to_deployment(
                name=NOM_DEPLOIEMENT,
                cron=cron,
                parameters={"dossier": str(dossier.resolve()), "mode": mode},
                description=f"Lot planifié sur le dossier {dossier.resolve()}",
            ),
        )
    except ValueError as exc:
        raise ConfigurationError(
            f"Expression cron invalide « {cron} » (ex. « 0 6 * * * » : chaque jour à 6 h) : {exc}"
        ) from exc
    rapport = cast(
        RunnerDeployment,
        traiter_rapport.to_deployment(
            name=NOM_DEPLOIEMENT,
            description="Un rapport, de l'extraction à la publication après validation",
        ),
    )
    serve(lot, rapport, limit=concurrence + 1, print_starting_message=False)


def deployer(dossier: Path, cron: str, mode: Mode, pool: str) -> list[str]:
    """Enregistre les deux déploiements dans le work pool `pool` d'un serveur existant,
    pour des workers sur d'autres machines (`prefect worker start --pool …`), qui doivent
    voir ce code et le dossier de dépôt au même chemin. Rend les noms des déploiements."""
    verifier_cron(cron)
    racine = str(Path(__file__).resolve().parent.parent)
    noms = []
    for entree, options in (
        ("flows/lot.py:traiter_lot", {"cron": cron, "parameters": {
            "dossier": str(dossier.resolve()), "mode": mode}}),
        ("flows/rapport.py:traiter_rapport", {}),
    ):  # fmt: skip
        source = cast(Any, traiter_lot.from_source(source=racine, entrypoint=entree))
        identifiant = source.deploy(
            name=NOM_DEPLOIEMENT, work_pool_name=pool, build=False, push=False,
            print_next_steps=False, **options,
        )  # fmt: skip
        noms.append(f"{source.name}/{NOM_DEPLOIEMENT} ({identifiant})")
    return noms
