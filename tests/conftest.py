"""Fixtures communes : petits PDF réels fabriqués à la volée (reportlab, pypdf), rapport
Forville et serveur local compatible OpenAI pour les tests du remplisseur LLM."""

from __future__ import annotations

import os
import tempfile

# Avant tout import de Prefect : ses données de test dans un dossier jetable.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="dsp-prefect-"))

import hashlib
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from extracteurs.document import empreinte, extraire
from extracteurs.modeles import Document
from fiche.modeles import Fiche
from socle.gardien import arreter, heure_de_demarrage, vivant
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.moteur import base_postgres_jetable
from tests.outils_llm import FORVILLE
from tests.serveur_openai import ServeurOpenAI, reponse_depuis_fiche, serveur_openai

POLICE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
RACINE = Path(__file__).resolve().parent.parent
CORPUS = RACINE / "samples" / "corpus"


@pytest.fixture(autouse=True)
def _reglages_isoles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Chaque test lit ses réglages à neuf, avec un dossier de données jetable."""
    monkeypatch.setenv("DSP_DATA_DIR", str(tmp_path / "donnees"))
    reglages.cache_clear()
    yield
    reglages.cache_clear()


def depot_d_echantillons(dossier: Path, noms: Iterable[str]) -> Path:
    """Un dossier de dépôt (créé au besoin) garni d'une copie des échantillons `noms`."""
    dossier.mkdir(parents=True, exist_ok=True)
    for nom in noms:
        shutil.copy(CORPUS / nom, dossier / nom)
    return dossier


def base_postgres() -> Iterator[str]:
    """Une base PostgreSQL neuve pour le test, supprimée ensuite."""
    url = os.environ.get("DSP_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI : DSP_TEST_POSTGRES_URL absente, PostgreSQL obligatoire")
        pytest.skip("DSP_TEST_POSTGRES_URL absente : PostgreSQL non testé en local")
    with base_postgres_jetable(url, f"dsp_t_{uuid.uuid4().hex[:12]}") as base:
        yield base


@pytest.fixture(params=["sqlite", "postgresql"])
def url_base(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Le test tourne sur SQLite puis sur PostgreSQL (base neuve, sautée sans serveur)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'base.db'}"
    else:
        yield from base_postgres()


@pytest.fixture
def depot(url_base: str) -> Iterator[Depot]:
    depot = Depot(url_base)
    yield depot
    depot.fermer()


def _police() -> str:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", POLICE))
    return "DejaVu"


def pdf_tableau(
    chemin: Path, lignes: list[tuple[str, ...]], titre: str = "CARE (en euros)"
) -> Path:
    """Un PDF d'une page : un titre et un tableau libellé + colonnes chiffrées alignées à droite."""
    toile = canvas.Canvas(str(chemin), pagesize=A4, invariant=1)
    toile.setFont(_police(), 11)
    toile.drawString(60, 780, titre)
    y = 740
    for ligne in lignes:
        toile.drawString(60, y, ligne[0])
        for k, valeur in enumerate(ligne[1:]):
            toile.drawRightString(330 + 90 * k, y, valeur)
        y -= 18
    toile.showPage()
    toile.save()
    return chemin


@pytest.fixture
def pdf_simple(tmp_path: Path) -> Path:
    return pdf_tableau(
        tmp_path / "simple.pdf",
        [
            ("", "2022", "2023"),
            ("Recettes", "1\u202f200", "1\u202f300"),
            ("Charges", "(900)", "1 000-"),
            ("Résultat", "300", "300"),
        ],
    )


@pytest.fixture
def pdf_chiffre(pdf_simple: Path, tmp_path: Path) -> Path:
    ecrivain = pypdf.PdfWriter(clone_from=str(pdf_simple))
    ecrivain.encrypt("secret", algorithm="AES-256")
    cible = tmp_path / "chiffre.pdf"
    with cible.open("wb") as flux:
        ecrivain.write(flux)
    return cible


def _empreinte_extraction() -> str:
    """Empreinte du code d'extraction : le cache se périme dès qu'un extracteur change."""
    sha = hashlib.sha256()
    for chemin in sorted((RACINE / "extracteurs").glob("*.py")):
        sha.update(chemin.read_bytes())
    return sha.hexdigest()[:16]


def document_en_cache(config: pytest.Config, source: Path) -> Document:
    """Le `Document` d'un échantillon, extrait une fois et gardé dans le cache de pytest
    (clé : contenu du fichier + code des extracteurs) pour les suites qui le relisent."""
    dossier = Path(config.cache.mkdir("regles_documents")) if config.cache else None
    cle = empreinte(source)[:16]
    cache = dossier / f"{source.stem}-{cle}-{_empreinte_extraction()}.json" if dossier else None
    if cache and cache.exists():
        return Document.model_validate_json(cache.read_text(encoding="utf-8"))
    document = extraire(source)
    if cache:
        cache.write_text(document.model_dump_json(), encoding="utf-8")
    return document


# --- Remplisseur LLM : un rapport réel, sa fiche d'or, la réponse d'un modèle parfait ----


@pytest.fixture(scope="module")
def forville(request: pytest.FixtureRequest) -> Document:
    return document_en_cache(request.config, CORPUS / f"{FORVILLE}.pdf")


@pytest.fixture(scope="module")
def or_forville() -> Fiche:
    return Fiche.model_validate_json((CORPUS / f"{FORVILLE}.fiche.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def reponse_forville(forville: Document, or_forville: Fiche) -> dict[str, Any]:
    return reponse_depuis_fiche(or_forville, forville)


@pytest.fixture(scope="session")
def llm_reel() -> Iterator[str]:
    """URL `/v1` d'un vrai petit modèle (SmolLM2-135M, node-llama-cpp) pour la session."""
    from tests.llm_reel import serveur_reel

    with serveur_reel() as url:
        yield url


@pytest.fixture
def serveur() -> Iterator[ServeurOpenAI]:
    with serveur_openai() as s:
        yield s


@pytest.fixture(scope="session")
def prefect_harnais() -> Iterator[None]:
    """Un seul serveur Prefect de test pour toute la session (le démarrer prend plusieurs
    secondes) ; les modules qui exécutent des flows le demandent par `usefixtures`."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.ephemere import garder_serveur_ephemere

    garder_serveur_ephemere()  # pytest tué par SIGKILL : le serveur de test s'arrête aussi
    with prefect_test_harness(server_startup_timeout=90):
        yield


# --- Aucun serveur ne survit à la session de tests -----------------------------------------

MARQUE_SESSION = "DSP_SESSION_TESTS"
os.environ[MARQUE_SESSION] = uuid.uuid4().hex  # héritée par chaque processus lancé
SERVEURS = (
    "prefect.server.api.server:create_app",
    "prefect server start",
    "cli.principal revue",
    "llm_local/serveur.mjs",
)


def serveurs_de_la_session() -> dict[int, str]:
    """Les serveurs (Prefect, application de revue) encore vivants lancés par cette
    session : reconnus à la marque qu'ils ont héritée dans leur environnement."""
    marque = f"{MARQUE_SESSION}={os.environ[MARQUE_SESSION]}".encode()
    trouves = {}
    for dossier in Path("/proc").glob("[0-9]*"):
        try:
            ligne = (dossier / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if any(s in ligne for s in SERVEURS) and marque in (dossier / "environ").read_bytes():
                trouves[int(dossier.name)] = ligne
        except OSError:
            continue
    return {pid: ligne for pid, ligne in trouves.items() if vivant(pid)}


@pytest.fixture(scope="session", autouse=True)
def _aucun_serveur_orphelin() -> Iterator[None]:
    """Défait en dernier : un serveur laissé par un test fait échouer la session (et il
    est arrêté, pour ne pas encombrer la machine)."""
    yield
    limite = time.monotonic() + 15  # le temps pour un gardien d'arrêter son serveur
    while (restants := serveurs_de_la_session()) and time.monotonic() < limite:
        time.sleep(0.5)
    for pid in restants:
        arreter(pid, heure_de_demarrage(pid))
    assert not restants, f"Serveurs laissés par les tests : {restants}"
