"""`dsp planifier` contre un vrai `prefect server` : lot servi avec son cron, un flow par
rapport suspendu en attendant l'agent, reprise par `dsp valider` (validation → publié ;
rejet motivé → retraité puis de nouveau en attente), historique Prefect de la décision.

Tout passe par des sous-processus (comme chez l'utilisateur) : le serveur Prefect local
est démarré par `dsp planifier` lui-même, sur un port libre et un PREFECT_HOME neuf.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.principal import app
from revue.comptes import creer_compte
from stockage.comptes import Comptes
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import RACINE, depot_d_echantillons
from tests.revue_outils import MOT_DE_PASSE

ECHANTILLONS = ("plage_lot7_2023.pdf", "stationnement_forville_2023.pdf")


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Planification:
    def __init__(self, racine: Path) -> None:
        self.depot_fichiers = racine / "depot"
        self.donnees = racine / "donnees"
        self.port = _port_libre()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.env = {
            **os.environ, "DSP_DATA_DIR": str(self.donnees), "DSP_PREFECT_PORT": str(self.port),
            "PREFECT_HOME": str(racine / "prefect"), "PREFECT_API_URL": "",
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            # `dsp lot` lancé en processus par un autre test abaisse ce niveau pour la session ;
            # ici, les journaux INFO du flow (la décision de l'agent) sont vérifiés.
            "PREFECT_LOGGING_LEVEL": "INFO",
        }  # fmt: skip

    def dsp(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "PREFECT_API_URL": self.api, "DSP_MOT_DE_PASSE": MOT_DE_PASSE}
        return subprocess.run(
            [sys.executable, "-m", "cli.principal", *arguments],
            cwd=RACINE, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def api_post(self, chemin: str, corps: dict[str, Any]) -> Any:
        requete = urllib.request.Request(
            f"{self.api}{chemin}", data=json.dumps(corps).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        # 503 : base SQLite du serveur Prefect occupée sous charge (le client Prefect
        # réessaie de même) ; on réessaie quelques fois avant d'échouer.
        for essai in range(5):
            try:
                with urllib.request.urlopen(requete, timeout=30) as reponse:
                    return json.loads(reponse.read())
            except urllib.error.HTTPError as exc:
                if exc.code != 503 or essai == 4:
                    raise
                time.sleep(2)
        return None

    def api_get(self, chemin: str) -> Any:
        with urllib.request.urlopen(f"{self.api}{chemin}", timeout=30) as reponse:
            return json.loads(reponse.read())

    def depot(self) -> Depot:
        return Depot(f"sqlite:///{self.donnees / 'synthese.db'}")


def attendre(condition: Callable[[], bool], message: str, delai: float = 240) -> None:
    limite = time.monotonic() + delai
    while not condition():
        assert time.monotonic() < limite, message
        time.sleep(1)


@pytest.fixture
def planification(tmp_path: Path) -> Iterator[Planification]:
    p = Planification(tmp_path)
    depot_d_echantillons(p.depot_fichiers, ECHANTILLONS)
    journal = (tmp_path / "planifier.log").open("w")
    processus = subprocess.Popen(
        [sys.executable, "-m", "cli.principal", "planifier", "--dossier", str(p.depot_fichiers),
         "--cron", "0 6 * * *", "--mode", "regles"],
        cwd=RACINE, env=p.env, stdout=journal, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        attendre(lambda: _deploiements(p) == 2, "les déploiements ne sont pas servis", 180)
        yield p
    finally:
        os.killpg(processus.pid, signal.SIGINT)
        try:
            processus.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(processus.pid, signal.SIGKILL)
        journal.close()


def _deploiements(p: Planification) -> int:
    try:
        return len(p.api_post("/deployments/filter", {}))
    except OSError:
        return 0


def _statuts(p: Planification) -> dict[str, str]:
    if not (p.donnees / "synthese.db").exists():
        return {}
    depot = p.depot()
    try:
        return {r.fichier: r.statut for r in depot.rapports()}
    finally:
        depot.fermer()


def _etat_run(p: Planification, identifiant: str) -> str:
    return str(p.api_get(f"/flow_runs/{identifiant}")["state"]["type"])


def _run_en_attente(p: Planification, rapport_id: int) -> str:
    depot = p.depot()
    try:
        attentes = [e for e in depot.evenements(rapport_id) if e.action == "attente_validation"]
        return str(attentes[-1].nouvelle_valeur)
    finally:
        depot.fermer()


def test_planifier_suspend_puis_reprend_sur_decision(planification: Planification) -> None:
    p = planification
    lot = p.api_get("/deployments/name/traiter-lot/planifie")
    assert [s["schedule"]["cron"] for s in lot["schedules"]] == ["0 6 * * *"]
    subprocess.run(
        [shutil.which("prefect") or "prefect", "deployment", "run", "traiter-lot/planifie"],
        env={**p.env, "PREFECT_API_URL": p.api}, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    attendre(
        lambda: list(_statuts(p).values()) == [Statut.A_VALIDER.value] * 2,
        "les deux rapports ne sont pas arrivés « à valider »",
    )
    depot = p.depot()
    ids = {r.fichier: r.id for r in depot.rapports()}
    for identifiant, nom in (("mdurand", "Mme Durand"), ("mroy", "M. Roy")):
        creer_compte(Comptes(depot), identifiant, nom, "valideur", MOT_DE_PASSE)
    depot.fermer()
    plage, stationnement = ids[ECHANTILLONS[0]], ids[ECHANTILLONS[1]]
    run_plage = _run_en_attente(p, plage)
    attendre(lambda: _etat_run(p, run_plage) == "PAUSED", "le flow du rapport n'est pas suspendu")
    _reprises_forgees_refusees(p, plage, run_plage)

    valide = p.dsp("valider", str(plage), "--compte", "mdurand", "--commentaire", "RAS",
                   "--reconnaitre-anomalies", "Annexes demandées au délégataire")  # fmt: skip
    assert valide.returncode == 0, valide.stderr
    assert "transmise" in valide.stdout
    sans_motif = p.dsp("valider", str(stationnement), "--compte", "mroy", "--rejeter")
    assert sans_motif.returncode == 2 and "motivé" in sans_motif.stderr
    run_stationnement = _run_en_attente(p, stationnement)
    rejet = p.dsp("valider", str(stationnement), "--compte", "mroy", "--rejeter",
                  "--commentaire", "CA à revoir")  # fmt: skip
    assert rejet.returncode == 0, rejet.stderr

    attendre(lambda: _statuts(p)[ECHANTILLONS[0]] == Statut.PUBLIE.value, "pas de publication")
    assert _etat_run(p, run_plage) == "COMPLETED"
    depot = p.depot()
    fiche = depot.derniere_fiche(plage)
    assert fiche is not None and fiche.revue is not None
    assert fiche.revue.agent == "Mme Durand" and fiche.revue.avis == "RAS"
    actions = [(e.action, e.agent) for e in depot.evenements(plage)]
    assert ("validation", "Mme Durand") in actions and actions[-1][0] == "publication"
    depot.fermer()

    # Historique Prefect : la décision, l'agent et l'heure sont dans le journal du flow.
    filtre = {"artifacts": {"flow_run_id": {"any_": [run_plage]}}}
    artefacts = p.api_post("/artifacts/filter", filtre)
    assert any("validé par Mme Durand le" in str(a["data"]) for a in artefacts)

    # Les journaux arrivent à l'API par lots, après coup : on les attend.
    def _journal_de_la_decision() -> bool:
        filtre = {"logs": {"flow_run_id": {"any_": [run_plage]}}}
        return any(
            "validé par Mme Durand le" in j["message"] for j in p.api_post("/logs/filter", filtre)
        )

    attendre(_journal_de_la_decision, "la décision n'est pas dans le journal du flow", 60)

    # Rejet : pas de retraitement du même fichier ; le rapport attend le délégataire et
    # son flow se termine (le nouveau fichier aura le sien, lancé par le lot).
    def _en_attente_du_delegataire() -> bool:
        return _statuts(p)[ECHANTILLONS[1]] == Statut.ATTENTE_DELEGATAIRE.value

    attendre(_en_attente_du_delegataire, "le rapport rejeté n'attend pas le délégataire")
    attendre(lambda: _etat_run(p, run_stationnement) == "COMPLETED", "flow du rejet non terminé")
    depot = p.depot()
    assert len(depot.versions(stationnement)) == 1
    assert depot.rapport(stationnement).echeance is not None
    depot.fermer()

    # Plusieurs machines : les déploiements enregistrés dans un work pool du même serveur.
    env = {**p.env, "PREFECT_API_URL": p.api}
    prefect = shutil.which("prefect") or "prefect"
    subprocess.run([prefect, "work-pool", "create", "dsp-machines", "--type", "process"],
                   env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
    pool = p.dsp("planifier", "--dossier", str(p.depot_fichiers), "--pool", "dsp-machines")
    assert pool.returncode == 0, pool.stderr
    assert "prefect worker start --pool dsp-machines" in pool.stdout
    for nom in ("traiter-lot", "traiter-rapport"):
        deploiement = p.api_get(f"/deployments/name/{nom}/planifie")
        assert deploiement["work_pool_name"] == "dsp-machines"


def _reprises_forgees_refusees(p: Planification, rapport_id: int, run: str) -> None:
    """Issue 14, point 3 : le bouton « Resume » de Prefect, sans compte. Sans numéro de
    décision, le serveur refuse l'entrée ; avec un numéro qu'aucune décision de
    l'application ne porte, le flow la refuse, la journalise et se suspend de nouveau."""
    forgee = {"decision": "valider", "agent": "N'importe qui", "commentaire": ""}
    refus = p.api_post(f"/flow_runs/{run}/resume", {"run_input": forgee})
    assert refus["status"] == "REJECT", refus
    reprise = p.api_post(f"/flow_runs/{run}/resume", {"run_input": {**forgee, "decision_id": 999}})
    assert reprise["status"] == "ACCEPT", reprise

    def _refusee_et_suspendu() -> bool:
        depot = p.depot()
        try:
            actions = [e.action for e in depot.evenements(rapport_id)]
        finally:
            depot.fermer()
        return "reprise_refusee" in actions and _etat_run(p, run) == "PAUSED"

    attendre(_refusee_et_suspendu, "la reprise forgée n'a pas été refusée", 120)
    assert _statuts(p)[ECHANTILLONS[0]] == Statut.A_VALIDER.value


def test_cron_invalide_refuse_avant_tout_demarrage(tmp_path: Path) -> None:
    resultat = CliRunner().invoke(
        app, ["planifier", "--dossier", str(tmp_path), "--cron", "tous les matins"]
    )
    assert resultat.exit_code == 2
    assert "Expression cron invalide" in resultat.output


def test_interface_prefect_suit_le_port_configure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hors 4200, l'interface web du serveur local demande son API au bon port (sinon :
    « Can't connect to Server API at http://127.0.0.1:4200/api »)."""
    from flows.planification import serveur_local
    from socle.reglages import Reglages

    port = _port_libre()
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    for variable in ("PREFECT_UI_API_URL", "PREFECT_UI_URL", "PREFECT_SERVER_API_PORT"):
        monkeypatch.delenv(variable, raising=False)
    with serveur_local(Reglages(data_dir=tmp_path, prefect_port=port)) as api:
        assert api == f"http://127.0.0.1:{port}/api"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ui-settings", timeout=30) as r:
            reglages_ui = json.load(r)
    assert reglages_ui["api_url"] == f"http://127.0.0.1:{port}/api"
