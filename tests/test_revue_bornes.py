"""Bornes de l'application de revue : connexions limitées de façon atomique et par
l'adresse réelle du client, temps de revue borné par l'horloge, image d'une page bornée
en pixels."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from reportlab.pdfgen import canvas

from revue.app import creer_app
from revue.routes import connexion
from revue.securite import options_proxy
from revue.services.pages import MAX_PIXELS_PAGE, image_page
from revue.services.rapport import vue_rapport
from socle.reglages import Reglages
from stockage.depot import Depot
from stockage.moteur import url_base
from stockage.statuts import Statut
from tests.revue_outils import (
    MOT_DE_PASSE,
    connecter,
    creer_comptes,
    csrf_de,
    fiche_reference,
    reglages_revue,
    semer,
)


@pytest.fixture
def depot() -> Iterator[Depot]:
    depot = Depot(url_base(reglages_revue()))
    creer_comptes(depot)
    yield depot
    depot.fermer()


@contextmanager
def serveur_reel(application: FastAPI, reglages: Reglages) -> Iterator[str]:
    """L'application servie par uvicorn (comme `dsp revue`) dans un fil, sur un port libre."""
    with socket.socket() as prise:
        prise.bind(("127.0.0.1", 0))
        port = prise.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", **options_proxy(reglages)
    )
    serveur = uvicorn.Server(config)
    fil = threading.Thread(target=serveur.run, daemon=True)
    fil.start()
    limite = time.monotonic() + 30
    while not serveur.started:
        assert time.monotonic() < limite, "uvicorn n'a pas démarré"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        serveur.should_exit = True
        fil.join(timeout=10)


def _essai(adresse: str, identifiant: str, mot_de_passe: str, **entetes: str) -> int:
    with httpx.Client(base_url=adresse, headers=entetes) as client:
        page = client.get("/connexion")
        donnees = {"identifiant": identifiant, "mot_de_passe": mot_de_passe,
                   "csrf": csrf_de(page.text)}  # fmt: skip
        return client.post("/connexion", data=donnees).status_code


def test_quarante_essais_simultanes_cinq_verifications(
    depot: Depot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compter l'échec après le calcul scrypt laissait passer 14 vérifications sur 40 essais
    simultanés ; l'essai est désormais réservé sous verrou avant le calcul."""
    r = reglages_revue()
    verifications: list[str] = []
    authentifier = connexion.authentifier

    def compter(*args: Any) -> Any:
        verifications.append(args[1])
        return authentifier(*args)

    monkeypatch.setattr(connexion, "authentifier", compter)
    with serveur_reel(creer_app(r), r) as adresse, ThreadPoolExecutor(40) as fils:
        statuts = list(fils.map(lambda _: _essai(adresse, "valideur", "faux"), range(40)))
    assert len(verifications) == r.revue_tentatives_max
    assert sorted(statuts) == [401] * 5 + [429] * 35


def test_x_forwarded_for_d_un_client_ignore(depot: Depot) -> None:
    """Un client local qui change d'en-tête X-Forwarded-For à chaque essai reste limité sur
    son adresse réelle (uvicorn croyait cet en-tête de 127.0.0.1) ; ni sa limite ne se
    remet à zéro, ni il ne peut faire bloquer l'adresse d'un autre."""
    r = reglages_revue()
    with serveur_reel(creer_app(r), r) as adresse:
        statuts = [
            _essai(adresse, f"inconnu{k}", "faux", **{"X-Forwarded-For": f"10.0.0.{k}"})
            for k in range(6)
        ]
        victime = _essai(adresse, "valideur", MOT_DE_PASSE, **{"X-Forwarded-For": "10.0.0.1"})
    assert statuts == [401] * 5 + [429]
    assert victime == 429  # même socket, même adresse : l'en-tête n'y change rien


def test_x_forwarded_for_cru_d_un_proxy_declare(depot: Depot) -> None:
    r = reglages_revue(revue_proxies="127.0.0.1")
    with serveur_reel(creer_app(r), r) as adresse:
        statuts = [
            _essai(adresse, f"inconnu{k}", "faux", **{"X-Forwarded-For": f"10.0.0.{k}"})
            for k in range(6)
        ]
    assert statuts == [401] * 6  # chaque client derrière le proxy a sa propre limite


def test_pulsations_rejouees_bornees_par_l_horloge(depot: Depot) -> None:
    r = reglages_revue()
    rapport_id = semer(depot, r, "stationnement_forville_2023.pdf")
    with TestClient(creer_app(r)) as client:
        csrf = connecter(client, "relecteur")
        debut = time.monotonic()
        for _ in range(20):  # une pulsation de 120 s rejouée 20 fois en un instant
            reponse = client.post(
                f"/rapports/{rapport_id}/temps", data={"secondes": "120", "csrf": csrf}
            )
            assert reponse.status_code == 204
        ecoule = time.monotonic() - debut
    assert depot.durees(rapport_id)["revue"] <= 120 + ecoule


def _pdf_geant(chemin: Path) -> Path:
    toile = canvas.Canvas(str(chemin), pagesize=(200 * 72, 200 * 72))
    toile.setFont("Helvetica", 400)
    toile.drawString(1000, 7000, "Page de 200 pouces de côté")
    toile.showPage()
    toile.save()
    return chemin


def test_image_d_une_page_demesuree_plafonnee(depot: Depot, tmp_path: Path) -> None:
    """Une page de 200 × 200 pouces était rendue en 21 600² px (4 Go, 43 s)."""
    r = reglages_revue()
    source = _pdf_geant(tmp_path / "geant_2023.pdf")
    rapport_id = semer(depot, r, "stationnement_forville_2023.pdf")
    rapport = depot.rapport(rapport_id)
    from extracteurs.document import empreinte
    from stockage.archives import archiver

    sha = empreinte(source)
    archiver(source, sha, r.data_dir)
    rapport.sha256, rapport.fichier = sha, source.name
    debut = time.monotonic()
    with Image.open(image_page(r, rapport, 1)) as image:
        largeur, hauteur = image.size
    assert largeur * hauteur <= MAX_PIXELS_PAGE
    assert largeur > 1000  # réduite, pas vide
    assert time.monotonic() - debut < 20
    assert Statut(rapport.statut) == Statut.A_VALIDER


def test_quasi_doublon_signale_sur_les_deux_rapports(depot: Depot) -> None:
    """Un octet changé et un autre nom : même contrat, même exercice, deux rapports ;
    chacun porte l'alerte QUASI_DOUBLON dans la revue. Une nouvelle version du même
    fichier, elle, n'en est pas un."""
    fiche = fiche_reference("stationnement_forville_2023")
    ids = []
    for nom, sha in (("forville_2023.pdf", "a" * 64), ("forville_bis_2023.pdf", "b" * 64)):
        rapport, _ = depot.enregistrer_rapport(nom, sha)
        depot.enregistrer_fiche(rapport.id, fiche)
        ids.append(rapport.id)
    version, _ = depot.enregistrer_rapport("forville_2023.pdf", "c" * 64)
    depot.enregistrer_fiche(version.id, fiche)
    for rapport_id, autre in ((ids[0], "forville_bis_2023.pdf"), (ids[1], "forville_2023.pdf")):
        alertes = [a for a in vue_rapport(depot, rapport_id).anomalies if a.code == "QUASI_DOUBLON"]
        assert len(alertes) == 1 and f"« {autre} »" in alertes[0].message
        assert "même contrat et le même exercice (2023)" in alertes[0].message
    autre_exercice = fiche.model_copy(deep=True)
    autre_exercice.identification.exercice.valeur = 2022
    seul, _ = depot.enregistrer_rapport("forville_2022.pdf", "d" * 64)
    depot.enregistrer_fiche(seul.id, autre_exercice)
    assert not [a for a in vue_rapport(depot, seul.id).anomalies if a.code == "QUASI_DOUBLON"]
