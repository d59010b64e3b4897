"""Flows Prefect : lot sur quelques échantillons, reprise sans double traitement,
fichier modifié (nouvelle version), fichier corrompu (« erreur », le reste continue).

Un seul `prefect_test_harness` pour toute la session (démarrer un serveur Prefect
éphémère prend plusieurs secondes) ; les tâches seules sont testées par `.fn()`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import pkgutil
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document as DocxDocument
from prefect import Task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    FlowFilter,
    FlowFilterName,
)
from prefect.client.schemas.sorting import ArtifactSort
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

import flows
from cli.principal import app
from extracteurs.document import empreinte
from extracteurs.modeles import Document
from fiche.modeles import Fiche
from flows.etapes import lire_document
from flows.lot import traiter_lot
from flows.rapport import publier, traiter_rapport
from flows.taches import depot_courant, extraire_rapport
from flows.validation import DecisionAgent, decider, transmettre_decision
from socle.erreurs import ExtractionError, StockageError
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import CORPUS, RACINE, base_postgres, depot_d_echantillons
from tests.outils_decision import demande

ECHANTILLONS = (
    "plage_lot7_2023.pdf",
    "stationnement_forville_2023.pdf",
    "dechets_val_orne_annexe_care_2023.xlsx",
)


pytestmark = pytest.mark.usefixtures("prefect_harnais")


@pytest.fixture
def boite(tmp_path: Path) -> Path:
    return depot_d_echantillons(tmp_path / "depot", ECHANTILLONS)


def test_extraction_seule_par_fn(boite: Path) -> None:
    chemin = boite / ECHANTILLONS[0]
    ecrit = extraire_rapport.fn(chemin, empreinte(chemin))
    assert lire_document(ecrit).pages
    # Le JSON écrit est le cache d'extraction : une deuxième lecture ne relit pas le PDF.
    avant = ecrit.stat().st_mtime_ns
    assert extraire_rapport.fn(chemin, empreinte(chemin)) == ecrit
    assert ecrit.stat().st_mtime_ns == avant


def _taches_des_flows() -> dict[str, Task[..., Any]]:
    """Chaque tâche Prefect déclarée dans un module de `flows`, par nom qualifié."""
    taches = {}
    for module in pkgutil.iter_modules(flows.__path__):
        importe = importlib.import_module(f"flows.{module.name}")
        for nom, objet in vars(importe).items():
            if isinstance(objet, Task) and objet.fn.__module__ == importe.__name__:
                taches[f"{importe.__name__}.{nom}"] = objet
    return taches


def _modeles_lourds(annotation: Any, vus: set[Any] | None = None) -> set[str]:
    """`Document` ou `Fiche` cachés dans une annotation (types génériques et champs des
    modèles pydantic compris)."""
    vus = set() if vus is None else vus
    if annotation in vus:
        return set()
    vus.add(annotation)
    if isinstance(annotation, type) and issubclass(annotation, (Document, Fiche)):
        return {annotation.__name__}
    trouves: set[str] = set()
    for argument in typing.get_args(annotation):
        trouves |= _modeles_lourds(argument, vus)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for champ in annotation.model_fields.values():
            trouves |= _modeles_lourds(champ.annotation, vus)
    return trouves


def test_aucune_tache_ne_prend_ni_ne_rend_un_document() -> None:
    """Signatures typées : ni paramètre ni résultat de tâche n'est (ou ne contient) un
    `Document` ou une fiche ; le moteur de Prefect parcourt chacun d'eux."""
    taches = _taches_des_flows()
    assert {"flows.taches.extraire_rapport", "flows.validation.appliquer_decision"} <= set(taches)
    for nom, tache in taches.items():
        annotations = typing.get_type_hints(tache.fn)
        assert set(inspect.signature(tache.fn).parameters) | {"return"} == set(annotations), nom
        lourds = {cle: _modeles_lourds(a) for cle, a in annotations.items()}
        assert not any(lourds.values()), f"{nom} : {lourds}"


def test_un_lot_ne_fait_passer_que_des_chemins_entre_taches(
    boite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pendant un vrai lot, chaque valeur reçue ou rendue par une tâche est espionnée :
    aucune n'est un modèle lourd ; les étapes du rapport échangent des chemins."""
    vues: list[tuple[str, object]] = []
    for nom, tache in _taches_des_flows().items():
        monkeypatch.setattr(tache, "fn", _espion(nom, tache.fn, vues))
    bilans = traiter_lot(boite)
    assert [b.statut for b in bilans] == [Statut.A_VALIDER] * 3
    assert {nom for nom, _ in vues} >= {"flows.taches.remplir_fiche", "flows.taches.enregistrer"}
    lourdes = [(nom, type(v).__name__) for nom, v in vues if isinstance(v, (Document, Fiche))]
    assert not lourdes
    for nom, valeur in vues:
        if nom in ("flows.taches.extraire_rapport", "flows.taches.controler_fiche"):
            assert isinstance(valeur, (Path, str)), (nom, type(valeur))


def _espion(nom: str, fn: Any, vues: list[tuple[str, object]]) -> Any:
    @functools.wraps(fn)
    def espion(*args: Any, **kwargs: Any) -> Any:
        vues.extend((nom, v) for v in (*args, *kwargs.values()))
        resultat = fn(*args, **kwargs)
        vues.append((nom, resultat))
        return resultat

    return espion


def test_lot_puis_relance_puis_modification_puis_corruption(boite: Path) -> None:
    bilans = traiter_lot(boite)
    assert [b.statut for b in bilans] == [Statut.A_VALIDER] * 3
    depot = depot_courant()
    for bilan in bilans:
        assert bilan.rapport_id is not None
        fiche = depot.derniere_fiche(bilan.rapport_id)
        assert fiche is not None and fiche.identification.exercice.valeur == 2023
        assert set(depot.durees(bilan.rapport_id)) >= {"extraction", "remplissage"}

    relance = traiter_lot(boite)
    assert not any(b.traite for b in relance)
    assert len(depot.rapports()) == 3

    # Un fichier modifié : nouvelle version du rapport ; un fichier corrompu : « erreur ».
    modifie = boite / "stationnement_forville_2023.pdf"
    modifie.write_bytes(modifie.read_bytes() + b"\n% annexe ajoutee\n")
    (boite / "tronque_2023.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type")
    troisieme = {b.fichier: b for b in traiter_lot(boite)}
    assert troisieme["stationnement_forville_2023.pdf"].traite
    assert troisieme["stationnement_forville_2023.pdf"].version_rapport == 2
    assert troisieme["stationnement_forville_2023.pdf"].statut == Statut.A_VALIDER
    assert not troisieme["plage_lot7_2023.pdf"].traite
    casse = troisieme["tronque_2023.pdf"]
    assert casse.statut == Statut.ERREUR and casse.raison
    assert depot.rapport(casse.rapport_id or 0).raison == casse.raison
    assert len(depot.rapports()) == 5


def test_rapport_seul_puis_validation_et_publication(boite: Path) -> None:
    bilan = traiter_rapport(boite / ECHANTILLONS[0])
    assert bilan.statut == Statut.A_VALIDER and bilan.rapport_id is not None
    depot = depot_courant()
    with pytest.raises(StockageError):
        publier(bilan.rapport_id, agent="agent.test")
    assert decider(demande(depot, bilan.rapport_id, commentaire="RAS")) == Statut.PUBLIE
    fiche = depot.derniere_fiche(bilan.rapport_id)
    assert fiche is not None and fiche.revue is not None
    assert (fiche.revue.agent, fiche.revue.avis, fiche.revue.statut) == (
        "Mme Durand",
        "RAS",
        "valide",
    )
    evenements = depot.evenements(bilan.rapport_id)
    actions = [(e.action, e.agent) for e in evenements]
    assert ("validation", "Mme Durand") in actions and actions[-1] == ("publication", "Mme Durand")
    # La fiche Word publiée est signée : mention de l'agent, pas de filigrane.
    publiee = Path(str(evenements[-1].nouvelle_valeur))
    texte = "\n".join(p.text for p in DocxDocument(str(publiee)).paragraphs)
    assert publiee.is_file() and "validée par Mme Durand" in texte
    # Rejouer la décision ne refait rien (reprise après une panne).
    [appliquee] = [e for e in evenements if e.action == "validation"]
    enregistree = depot.decision(int(str(appliquee.champ).split()[-1]))
    assert enregistree is not None
    rejouee = DecisionAgent.de(enregistree)
    assert transmettre_decision(bilan.rapport_id, rejouee) == Statut.PUBLIE
    assert len(depot.evenements(bilan.rapport_id)) == len(actions)
    # Historique Prefect : le flow `valider-rapport` porte la décision en paramètres.
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["valider-rapport"]))
        )
    assert any(r.parameters["decision"]["agent"] == "Mme Durand" for r in runs)


def test_rejet_attend_le_nouveau_fichier_du_delegataire(boite: Path) -> None:
    with pytest.raises(ValidationError, match="motivé"):
        DecisionAgent(decision_id=1, decision="rejeter", agent="M. Roy")
    bilan = traiter_rapport(boite / ECHANTILLONS[1])
    assert bilan.rapport_id is not None
    depot = depot_courant()
    rejet = demande(depot, bilan.rapport_id, "rejeter", identifiant="mroy", nom="M. Roy",
                    commentaire="CA à revoir")  # fmt: skip
    # Le même fichier n'est pas retraité : il attend le délégataire, avec une échéance.
    assert decider(rejet) == Statut.ATTENTE_DELEGATAIRE
    rapport = depot.rapport(bilan.rapport_id)
    assert len(depot.versions(bilan.rapport_id)) == 1 and rapport.raison == "CA à revoir"
    delai = (rapport.echeance - datetime.now(UTC).date()).days if rapport.echeance else None
    assert delai == reglages().delai_delegataire_jours
    evenements = depot.evenements(bilan.rapport_id)
    assert ("rejet", "M. Roy") in [(e.action, e.agent) for e in evenements]
    # Le délégataire renvoie son rapport, sous un autre nom : nouvelle version, à valider.
    corrige = boite / "rapport_corrige_du_delegataire.pdf"
    shutil.copy(boite / ECHANTILLONS[1], corrige)
    with corrige.open("ab") as flux:
        flux.write(b"\n% corrige\n")
    nouveau = traiter_rapport(corrige)
    assert nouveau.statut == Statut.A_VALIDER and nouveau.rapport_id != bilan.rapport_id
    assert depot.rapport(bilan.rapport_id).statut == Statut.REMPLACE
    suivant = depot.rapport(nouveau.rapport_id or 0)
    assert (suivant.precedent_id, suivant.version) == (bilan.rapport_id, 2)


def test_meme_contenu_sous_deux_noms_dans_un_lot(boite: Path) -> None:
    shutil.copy(boite / ECHANTILLONS[0], boite / "zz_copie_du_rapport.pdf")
    bilans = {b.fichier: b for b in traiter_lot(boite)}
    copie, original = bilans["zz_copie_du_rapport.pdf"], bilans[ECHANTILLONS[0]]
    assert original.traite and not copie.traite
    assert copie.rapport_id == original.rapport_id and copie.raison
    assert "identique" in copie.raison
    assert len(depot_courant().rapports()) == 3
    with get_client(sync_client=True) as client:
        artefacts = [a for a in client.read_artifacts() if a.key]
        # Le serveur de la session garde les artefacts des autres lots, et la liste par
        # défaut est bornée et sans ordre garanti : le bilan de ce lot est le plus récent.
        (dernier,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["bilan-lot"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    # Un seul artefact par lot, en français, avec le lien vers la revue de chaque rapport.
    assert not [a for a in artefacts if (a.key or "").startswith("rapport-")]
    texte = str(dernier.data)
    assert all(f"/rapports/{b.rapport_id})" in texte for b in bilans.values() if b.traite)
    assert "à valider" in texte and "a_valider" not in texte


def test_exercice_precedent_lu_dans_les_fiches_validees(tmp_path: Path) -> None:
    dossier = tmp_path / "eau"
    dossier.mkdir()
    shutil.copy(CORPUS / "eau_potable_2023.pdf", dossier / "eau_potable_2023.pdf")
    premier = traiter_rapport(dossier / "eau_potable_2023.pdf")
    assert premier.rapport_id is not None
    shutil.copy(CORPUS / "eau_potable_2024.pdf", dossier / "eau_potable_2024.pdf")
    # Fiche 2023 non validée : pas d'historique, pas d'alerte.
    avant = traiter_rapport(dossier / "eau_potable_2024.pdf")
    depot = depot_courant()
    codes = {a.code for a in (depot.derniere_fiche(avant.rapport_id or 0) or _vide()).anomalies}
    assert "EXERCICE_PRECEDENT" not in codes
    decider(demande(depot, premier.rapport_id))
    decider(demande(depot, avant.rapport_id or 0, "rejeter", commentaire="N-1 validé"))
    # Le rapport 2024 renvoyé par le délégataire est contrôlé contre la fiche 2023 validée.
    renvoye = dossier / "eau_potable_2024_renvoye.pdf"
    shutil.copy(CORPUS / "eau_potable_2024.pdf", renvoye)
    with renvoye.open("ab") as flux:
        flux.write(b"\n% renvoi\n")
    apres = traiter_rapport(renvoye)
    codes = {a.code for a in (depot.derniere_fiche(apres.rapport_id or 0) or _vide()).anomalies}
    assert "EXERCICE_PRECEDENT" in codes


def _vide() -> Fiche:
    raise AssertionError("fiche absente")


def test_lot_sur_postgresql(boite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for url in base_postgres():
        monkeypatch.setenv("DSP_DATABASE_URL", url)
        reglages.cache_clear()
        bilans = traiter_lot(boite)
        assert [b.statut for b in bilans] == [Statut.A_VALIDER] * 3
        assert not any(b.traite for b in traiter_lot(boite))
        depot = depot_courant()
        assert depot.moteur.dialect.name == "postgresql"
        assert decider(demande(depot, bilans[0].rapport_id or 0)) == Statut.PUBLIE
        depot.fermer()


def test_fichier_corrompu_seul_leve_une_erreur_francaise(tmp_path: Path) -> None:
    vide = tmp_path / "vide.pdf"
    vide.write_bytes(b"")
    with pytest.raises(ExtractionError, match="vide"):
        extraire_rapport.fn(vide, empreinte(vide))


def test_cli_lot_et_statut(boite: Path) -> None:
    (boite / "vide_2023.pdf").write_bytes(b"")
    resultat = CliRunner().invoke(app, ["lot", str(boite), "--concurrence", "2"])
    assert resultat.exit_code == 1, resultat.output
    assert "Bilan du lot" in resultat.output and "3 rapport(s) traité(s)" in resultat.output
    statut = CliRunner().invoke(app, ["statut", "--json"])
    assert statut.exit_code == 0, statut.output
    lignes = json.loads(statut.output)
    assert sorted(ligne["statut"] for ligne in lignes) == ["a_valider"] * 3 + ["erreur"]
    assert "vide" in next(ligne["raison"] for ligne in lignes if ligne["statut"] == "erreur")
    relance = CliRunner().invoke(app, ["lot", str(boite)])
    assert "4 déjà connu(s)" in relance.output


def _lancer_lot(dossier: Path, donnees: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DSP_DATA_DIR": str(donnees),
        "PREFECT_HOME": str(donnees / "prefect"),
        "PREFECT_API_URL": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cli.principal", "lot", str(dossier), "--concurrence", "1"],
        cwd=RACINE, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _nombre_rapports(base: Path) -> int:
    if not base.exists():
        return 0
    try:
        with sqlite3.connect(base, timeout=5) as connexion:
            return int(connexion.execute("select count(*) from rapports").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_lot_tue_par_sigkill_puis_relance(tmp_path: Path) -> None:
    """Le processus du lot est tué (SIGKILL) après le premier rapport enregistré ; la
    relance termine le lot : chaque rapport une seule fois, avec une fiche complète."""
    dossier, donnees = depot_d_echantillons(tmp_path / "depot", ECHANTILLONS), tmp_path / "donnees"
    variante = (CORPUS / ECHANTILLONS[0]).read_bytes() + b"\n% variante\n"
    (dossier / "plage_lot8_2023.pdf").write_bytes(variante)
    processus = _lancer_lot(dossier, donnees)
    limite = time.monotonic() + 180
    while _nombre_rapports(donnees / "synthese.db") < 1 and processus.poll() is None:
        assert time.monotonic() < limite, "le lot n'a enregistré aucun rapport à temps"
        time.sleep(0.05)
    assert processus.poll() is None, "le lot s'est terminé avant d'être tué"
    os.killpg(processus.pid, signal.SIGKILL)  # le lot et son serveur Prefect éphémère
    processus.wait(timeout=30)
    assert 1 <= _nombre_rapports(donnees / "synthese.db") < 4
    relance = _lancer_lot(dossier, donnees)
    _, erreur = relance.communicate(timeout=300)
    assert relance.returncode == 0, erreur.decode("utf-8", "replace")[-2000:]
    depot = Depot(f"sqlite:///{donnees / 'synthese.db'}")
    rapports = depot.rapports()
    assert sorted(r.fichier for r in rapports) == sorted(p.name for p in dossier.iterdir())
    assert len({r.sha256 for r in rapports}) == 4
    for rapport in rapports:
        assert rapport.statut == Statut.A_VALIDER.value
        fiche = depot.derniere_fiche(rapport.id)
        assert fiche is not None and fiche.identification.exercice.valeur == 2023
    depot.fermer()
