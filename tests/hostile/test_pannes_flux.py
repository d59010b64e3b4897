"""Pannes pendant un lot : base verrouillée ou injoignable, disque plein, serveur Prefect
perdu en cours de route. Chaque fois : message clair en français, rien d'écrit à moitié,
et la relance termine le lot sans doublon."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.principal import app
from fiche.modeles import Fiche
from flows.lot import traiter_lot
from flows.validation import decider
from socle.erreurs import StockageError
from socle.fichiers import ecrire_atomique
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import CORPUS, RACINE, depot_d_echantillons
from tests.outils_decision import demande

ECHANTILLONS = ("plage_lot7_2023.pdf", "stationnement_forville_2023.pdf", "port_plaisance_2023.pdf")


@pytest.fixture
def boite(tmp_path: Path) -> Path:
    return depot_d_echantillons(tmp_path / "depot", ECHANTILLONS)


def _rapports(base: Path) -> list[tuple[str, str]]:
    depot = Depot(f"sqlite:///{base}")
    try:
        return sorted((r.fichier, r.statut) for r in depot.rapports())
    finally:
        depot.fermer()


def test_disque_plein_a_l_ecriture_rien_a_moitie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cible = tmp_path / "fiche.json"
    cible.write_text("ancienne version", "utf-8")

    def plein(_descripteur: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("socle.fichiers.os.fsync", plein)
    with pytest.raises(StockageError, match="espace disque insuffisant"):
        ecrire_atomique(cible, "nouvelle version")
    assert cible.read_text("utf-8") == "ancienne version"
    assert [p.name for p in tmp_path.iterdir()] == ["fiche.json"]


@pytest.mark.usefixtures("prefect_harnais")
def test_base_injoignable_le_lot_s_arrete_proprement(
    boite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:  # un port où rien n'écoute
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DSP_DATABASE_URL", f"postgresql+psycopg://dsp:x@127.0.0.1:{port}/dsp")
    reglages.cache_clear()
    resultat = CliRunner().invoke(app, ["lot", str(boite)])
    assert resultat.exit_code == 2
    assert "La base de données" in resultat.output and "injoignable" in resultat.output


@pytest.mark.usefixtures("prefect_harnais")
def test_base_verrouillee_puis_relance(boite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSP_BASE_ATTENTE_S", "0.2")
    reglages.cache_clear()
    base = reglages().data_dir / "synthese.db"
    Depot().fermer()  # base créée et migrée
    verrou = sqlite3.connect(base, isolation_level=None)
    verrou.execute("BEGIN EXCLUSIVE")  # un autre traitement écrit et ne lâche pas la base
    try:
        resultat = CliRunner().invoke(app, ["lot", str(boite)])
    finally:
        verrou.execute("ROLLBACK")
        verrou.close()
    assert resultat.exit_code == 2
    assert "verrouillée" in resultat.output
    assert _rapports(base) == []
    relance = traiter_lot(boite)
    assert [b.statut for b in relance] == [Statut.A_VALIDER] * 3
    assert _rapports(base) == sorted((n, Statut.A_VALIDER.value) for n in ECHANTILLONS)


@pytest.mark.usefixtures("prefect_harnais")
def test_disque_plein_pendant_le_lot_puis_relance(
    boite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L'archive d'un fichier ne peut pas s'écrire (disque plein) : ce fichier est signalé
    et attend le prochain lot, les autres sont traités ; la relance le reprend, une fois."""
    vraie_copie = shutil.copyfile

    def copie(source: Path, cible: Path) -> object:
        if Path(source).name == ECHANTILLONS[1]:
            Path(cible).write_bytes(b"%PDF-1.7 debut")  # écriture partielle avant la panne
            raise OSError(errno.ENOSPC, "No space left on device")
        return vraie_copie(source, cible)

    monkeypatch.setattr("stockage.archives.shutil.copyfile", copie)
    resultat = CliRunner().invoke(app, ["lot", str(boite)])
    assert resultat.exit_code == 1
    sortie = " ".join(resultat.output.replace("│", " ").split())
    assert "espace disque insuffisant" in sortie and "1 en erreur" in sortie
    base = reglages().data_dir / "synthese.db"
    assert [n for n, _ in _rapports(base)] == sorted({ECHANTILLONS[0], ECHANTILLONS[2]})
    archives = reglages().data_dir / "archives"
    assert not [p for p in archives.rglob("*") if p.is_file() and p.name.startswith(".")]
    monkeypatch.setattr("stockage.archives.shutil.copyfile", vraie_copie)
    relance = {b.fichier: b for b in traiter_lot(boite)}
    assert relance[ECHANTILLONS[1]].traite and not relance[ECHANTILLONS[0]].traite
    assert _rapports(base) == sorted((n, Statut.A_VALIDER.value) for n in ECHANTILLONS)


def _nombre(base: Path) -> int:
    try:
        with sqlite3.connect(base, timeout=5) as connexion:
            return int(connexion.execute("select count(*) from rapports").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_serveur_prefect_perdu_en_cours_de_lot(boite: Path, tmp_path: Path) -> None:
    """Le serveur Prefect s'arrête au milieu d'un lot : le lot s'interrompt avec un message
    clair ; relancé (ici sur un serveur éphémère), il termine sans doublon."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    donnees = tmp_path / "donnees"
    env = {**os.environ, "DSP_DATA_DIR": str(donnees), "PREFECT_HOME": str(tmp_path / "pf"),
           "PREFECT_CLIENT_MAX_RETRIES": "1", "PREFECT_API_URL": ""}  # fmt: skip
    serveur = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    api = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    try:
        _attendre_sante(port)
        lot = subprocess.Popen(
            [sys.executable, "-m", "cli.principal", "lot", str(boite), "--concurrence", "1"],
            cwd=RACINE, env=api, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        limite = time.monotonic() + 180
        while _nombre(donnees / "synthese.db") < 1 and lot.poll() is None:
            assert time.monotonic() < limite, "aucun rapport enregistré à temps"
            time.sleep(0.05)
    finally:
        os.killpg(serveur.pid, signal.SIGKILL)
        serveur.wait(timeout=30)
    _, erreur = lot.communicate(timeout=300)
    assert lot.returncode == 2, erreur[-2000:]
    assert "serveur Prefect ne répond plus" in erreur
    relance = subprocess.run(
        [sys.executable, "-m", "cli.principal", "lot", str(boite)],
        cwd=RACINE, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert relance.returncode == 0, relance.stderr[-2000:]
    assert _rapports(donnees / "synthese.db") == sorted(
        (n, Statut.A_VALIDER.value) for n in ECHANTILLONS
    )


def _attendre_sante(port: int) -> None:
    import urllib.request

    limite = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return
        except OSError:
            assert time.monotonic() < limite, "le serveur Prefect n'a pas démarré"
            time.sleep(0.5)


@pytest.mark.usefixtures("prefect_harnais")
def test_decision_pour_un_flow_dont_le_serveur_est_arrete(boite: Path) -> None:
    """Un flow suspendu attend la décision mais son serveur Prefect est arrêté : message
    clair, et la décision n'est pas appliquée à côté du flow (elle attendra)."""
    depot = Depot()
    rapport, _ = depot.enregistrer_rapport(boite / ECHANTILLONS[0], "a" * 64)
    depot.changer_statut(rapport.id, Statut.A_VALIDER)
    depot.ajouter_evenement(
        rapport.id, agent="traitement planifié", action="attente_validation",
        nouvelle_valeur=str(uuid.uuid4()), commentaire="http://127.0.0.1:9/api",
    )  # fmt: skip
    fiche = Fiche.model_validate_json((CORPUS / "plage_lot7_2023.fiche.json").read_text())
    version = depot.enregistrer_fiche(rapport.id, fiche)
    assert version.numero == 1
    with pytest.raises(StockageError, match="ne l'a pas reçue"):
        decider(demande(depot, rapport.id))
    assert depot.rapport(rapport.id).statut == Statut.A_VALIDER.value
    # La décision non transmise est refusée : la fiche redevient modifiable.
    assert depot.decision_en_attente(rapport.id) is None
    depot.fermer()
