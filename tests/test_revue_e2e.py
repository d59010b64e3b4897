"""Bout en bout dans un vrai Chromium sans écran (Selenium, paquets Debian `chromium` et
`chromium-driver` installés par `scripts/installer.sh`).

Deux échantillons passent par le vrai pipeline (extraction, règles, contrôles,
enregistrement) ; `dsp revue` tourne dans un processus à part sur un port libre. Un
valideur se connecte, ouvre un rapport, clique un chiffre (sa page s'affiche, les mots
cités surlignés), corrige la valeur, donne son avis, valide : le flow Prefect de
validation publie la fiche Word, qui porte la valeur corrigée et l'avis, et le tableau de
bord compte la revue.

`DSP_CAPTURES=1` enregistre les captures `docs/revue_rapport.png` et
`docs/tableau_de_bord.png`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="dsp-prefect-"))

import httpx
import pytest
from docx import Document as DocxDocument

from extracteurs.document import empreinte
from revue.comptes import comptes_de, creer_compte
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.moteur import url_base
from tests.conftest import CORPUS, RACINE, document_en_cache
from tests.revue_outils import MOT_DE_PASSE, SECRET

CHROMIUM, PILOTE = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ECHANTILLONS = ("stationnement_forville_2023.pdf", "plage_lot7_2023.pdf")
CA_2023 = "financier.postes.chiffre_affaires.2023"
DELAI_DECISION_S = 180

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and PILOTE.exists()) and os.environ.get("CI", "") != "true",
    reason="chromium et chromium-driver absents (scripts/installer.sh les installe)",
)


def _port_libre() -> int:
    with socket.socket() as prise:
        prise.bind(("127.0.0.1", 0))
        return int(prise.getsockname()[1])


def _traiter(config: pytest.Config, boite: Path) -> dict[str, int]:
    """Le vrai pipeline sur les échantillons (mode règles) ; rend {fichier: rapport}."""
    from fiche.production import produire_fiche
    from flows.etapes import enregistrer_fiche, fiche_controlee

    ids = {}
    for nom in ECHANTILLONS:
        chemin = boite / nom
        shutil.copy(CORPUS / nom, chemin)
        sha = empreinte(chemin)
        document = document_en_cache(config, chemin)
        r = reglages()
        fiche = fiche_controlee(produire_fiche(document, "regles", r), document, r)
        ids[nom] = enregistrer_fiche(chemin, sha, fiche, {"extraction": 3.0}, r).rapport_id
    return ids


@pytest.fixture
def serveur(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, int]]]:
    os.environ["DSP_REVUE_SECRET"] = SECRET
    reglages.cache_clear()
    ids = _traiter(request.config, tmp_path)
    creer_compte(comptes_de(reglages()), "mdurand", "Mme Durand", "valideur", MOT_DE_PASSE)
    port = _port_libre()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(DSP_REVUE_SECRET=SECRET, DSP_REVUE_URL=f"http://127.0.0.1:{port}")
    journal = (tmp_path / "serveur.log").open("w")
    processus = subprocess.Popen(
        [sys.executable, "-m", "cli.principal", "revue", "--port", str(port)],
        cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT,
    )  # fmt: skip
    adresse = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{adresse}/connexion", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.25)
        yield adresse, ids
    finally:
        processus.terminate()
        processus.wait(timeout=20)
        journal.close()
        os.environ.pop("DSP_REVUE_SECRET", None)


@pytest.fixture
def navigateur() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1600,1100", "--lang=fr-FR", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    pilote = webdriver.Chrome(service=Service(str(PILOTE)), options=options)
    pilote.set_page_load_timeout(60)
    try:
        yield pilote
    finally:
        pilote.quit()


def _capturer(pilote: Any, nom: str) -> None:
    if os.environ.get("DSP_CAPTURES") == "1":
        pilote.save_screenshot(str(RACINE / "docs" / nom))


def _espaces(texte: str) -> str:
    return " ".join(texte.replace("\u202f", " ").replace("\u00a0", " ").split())


def _texte_docx(chemin: Path) -> str:
    document = DocxDocument(str(chemin))
    morceaux = [p.text for p in document.paragraphs]
    for tableau in document.tables:
        morceaux += [c.text for ligne in tableau.rows for c in ligne.cells]
    return _espaces(" ".join(morceaux))


def _connexion(pilote: Any, adresse: str, attente: Any) -> None:
    from selenium.webdriver.common.by import By

    pilote.get(f"{adresse}/connexion")
    pilote.find_element(By.ID, "identifiant").send_keys("mdurand")
    pilote.find_element(By.ID, "mot_de_passe").send_keys(MOT_DE_PASSE)
    pilote.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    attente.until(lambda p: p.current_url.endswith("/rapports"))


def _cliquer(pilote: Any, selecteur: str) -> bool:
    """Clic qui résiste au remplacement de la fiche par HTMX pendant la recherche."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        pilote.find_element(By.CSS_SELECTOR, selecteur).click()
    except StaleElementReferenceException:
        return False
    return True


def _cliquer_chiffre(pilote: Any, attente: Any) -> None:
    """Clic sur le chiffre d'affaires 2023 : sa page s'affiche, surlignée."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    ligne = f"tr[data-chemin='{CA_2023}'] button.valeur"
    ancien = pilote.find_elements(By.CSS_SELECTOR, "#source .source")
    attente.until(lambda p: _cliquer(p, ligne))
    if ancien:  # le panneau précédent doit avoir été remplacé
        attente.until(expected_conditions.staleness_of(ancien[0]))
    attente.until(lambda p: p.find_elements(By.CSS_SELECTOR, "#source .surlignage"))
    image = pilote.find_element(By.CSS_SELECTOR, "#source .page-source img")
    attente.until(lambda p: p.execute_script("return arguments[0].naturalWidth", image) > 0)
    assert "Page 5 sur" in pilote.find_element(By.ID, "source").text
    zone = pilote.find_element(By.CSS_SELECTOR, "#source .surlignage")
    assert zone.is_displayed() and zone.size["width"] > 5 and zone.size["height"] > 5
    assert pilote.find_elements(By.CSS_SELECTOR, f"tr.choisi[data-chemin='{CA_2023}']")


def _corriger(pilote: Any, attente: Any, valeur: str) -> None:
    from selenium.webdriver.common.by import By

    champ = pilote.find_element(By.ID, "valeur-corrigee")
    champ.clear()
    champ.send_keys(valeur)
    pilote.find_element(By.ID, "motif").send_keys("Chiffre relu sur le CARE page 5")
    pilote.find_element(By.ID, "enregistrer-correction").click()
    attente.until(lambda p: p.find_elements(By.CSS_SELECTOR, "#correction .succes"))
    ligne = f"tr[data-chemin='{CA_2023}']"
    attente.until(lambda p: valeur in _espaces(p.find_element(By.CSS_SELECTOR, ligne).text))


def test_revue_complete_dans_chromium(serveur: tuple[str, dict[str, int]], navigateur: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    adresse, ids = serveur
    rapport_id = ids["stationnement_forville_2023.pdf"]
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    ignorees = (NoSuchElementException, StaleElementReferenceException)
    pilote, attente = navigateur, WebDriverWait(navigateur, 30, ignored_exceptions=ignorees)
    _connexion(pilote, adresse, attente)
    pilote.find_element(By.LINK_TEXT, "stationnement_forville_2023.pdf").click()
    attente.until(lambda p: p.current_url.endswith(f"/rapports/{rapport_id}"))
    _cliquer_chiffre(pilote, attente)
    _corriger(pilote, attente, "2 250 000")
    _cliquer_chiffre(pilote, attente)
    time.sleep(2.5)  # revue active : la page est visible et l'agent vient d'agir
    pilote.find_element(By.TAG_NAME, "body").send_keys(" ")
    time.sleep(1.2)
    pilote.execute_script("window.dspEnvoyerTemps()")
    pilote.execute_script("window.scrollTo(0, 0)")
    _capturer(pilote, "revue_rapport.png")

    pilote.find_element(By.ID, "texte-avis").send_keys("Fiche conforme après correction du CA.")
    pilote.find_element(
        By.CSS_SELECTOR, "#avis + form button, form[action$='/avis'] button"
    ).click()
    attente.until(lambda p: "conforme" in p.find_element(By.CSS_SELECTOR, "blockquote.avis").text)
    motifs = pilote.find_elements(By.CSS_SELECTOR, ".reconnaissances input[name='motif']")
    for motif in motifs:  # chaque anomalie bloquante ou alerte, reconnue avec un motif
        motif.send_keys("Vu avec le délégataire")
    pilote.find_element(By.ID, "valider").click()
    WebDriverWait(pilote, DELAI_DECISION_S).until(
        lambda p: p.find_elements(By.CSS_SELECTOR, "#decision.terminee, #decision.erreur")
    )
    assert "validée et publiée" in pilote.find_element(By.ID, "decision").text

    depot = Depot(url_base(reglages()))
    publication = [e for e in depot.evenements(rapport_id) if e.action == "publication"]
    assert publication and publication[-1].agent == "Mme Durand"
    docx = Path(publication[-1].nouvelle_valeur or "")
    assert docx.is_file() and docx.suffix == ".docx"
    texte = _texte_docx(docx)
    assert "2 250 000" in texte and "Fiche conforme après correction du CA." in texte
    assert ("Reconnue par Mme Durand : Vu avec le délégataire" in texte) == bool(motifs)
    assert depot.rapport(rapport_id).statut == "publie"
    durees = depot.durees(rapport_id)
    assert durees.get("revue", 0) >= 2

    pilote.get(f"{adresse}/tableau-de-bord")
    attente.until(lambda p: p.find_elements(By.CSS_SELECTOR, "#graphique-exercices .main-svg"))
    assert pilote.find_element(By.ID, "rapports-relus").text == "1"
    # Les graphiques CCSPL de l'autorité : anomalies par gravité, chiffres clés N-1 / N.
    for graphique in ("#ccspl-1-anomalies", "#ccspl-1-1"):
        attente.until(lambda p, g=graphique: p.find_elements(By.CSS_SELECTOR, f"{g} .main-svg"))
    assert "estimation" in pilote.find_element(By.ID, "hypotheses").text
    _capturer(pilote, "tableau_de_bord.png")
    erreurs = [e for e in pilote.get_log("browser") if e["level"] == "SEVERE"]
    assert not erreurs, erreurs
    depot.fermer()


def _erreur_focalisee(pilote: Any, attente: Any, selecteur: str, texte: str) -> None:
    """L'erreur de l'action refusée est affichée dans son formulaire et a le focus."""
    from selenium.webdriver.common.by import By

    attente.until(lambda p: texte in p.find_element(By.CSS_SELECTOR, selecteur).text)
    zone = pilote.find_element(By.CSS_SELECTOR, selecteur)
    assert zone.is_displayed() and zone.get_attribute("role") == "alert"
    assert pilote.execute_script("return document.activeElement === arguments[0]", zone)


def test_erreurs_visibles_puis_rejet_et_nouveau_fichier(
    serveur: tuple[str, dict[str, int]], navigateur: Any, request: pytest.FixtureRequest
) -> None:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from fiche.production import produire_fiche
    from flows.etapes import enregistrer_fiche, fiche_controlee

    adresse, ids = serveur
    rapport_id = ids["stationnement_forville_2023.pdf"]
    ignorees = (NoSuchElementException, StaleElementReferenceException)
    pilote, attente = navigateur, WebDriverWait(navigateur, 30, ignored_exceptions=ignorees)
    _connexion(pilote, adresse, attente)
    pilote.get(f"{adresse}/rapports/{rapport_id}")
    _cliquer_chiffre(pilote, attente)
    # Une correction invalide : l'erreur s'affiche, la saisie reste, la fiche ne change pas.
    champ = pilote.find_element(By.ID, "valeur-corrigee")
    champ.clear()
    champ.send_keys("douze mille")
    pilote.find_element(By.ID, "motif").send_keys("relu")
    pilote.find_element(By.ID, "enregistrer-correction").click()
    _erreur_focalisee(pilote, attente, "#correction .erreur-action", "pas un nombre")
    assert pilote.find_element(By.ID, "valeur-corrigee").get_attribute("value") == "douze mille"
    # Un rejet sans motif : refusé, dit dans le formulaire de décision.
    pilote.find_element(By.ID, "rejeter").click()
    _erreur_focalisee(pilote, attente, "#decision-titre + form .erreur-action", "motivé")
    pilote.find_element(By.ID, "commentaire").send_keys("CARE illisible : renvoyez-le")
    pilote.find_element(By.ID, "rejeter").click()
    WebDriverWait(pilote, DELAI_DECISION_S).until(
        lambda p: p.find_elements(By.CSS_SELECTOR, "#decision.terminee, #decision.erreur")
    )
    assert "en attente du délégataire" in pilote.find_element(By.ID, "decision").text
    pilote.get(f"{adresse}/rapports?statut=attente_delegataire")
    assert (
        "stationnement_forville_2023.pdf" in pilote.find_element(By.CSS_SELECTOR, "table.file").text
    )

    # Le délégataire renvoie son rapport : nouvelle version, de retour dans la file.
    depot = Depot(url_base(reglages()))
    original = Path(request.getfixturevalue("tmp_path")) / "stationnement_forville_2023.pdf"
    nouveau = original.with_name("stationnement_forville_2023_corrige.pdf")
    shutil.copy(original, nouveau)
    with nouveau.open("ab") as flux:
        flux.write(b"\n% rapport corrige\n")
    sha = empreinte(nouveau)
    document = document_en_cache(request.config, original)
    r = reglages()
    fiche = fiche_controlee(produire_fiche(document, "regles", r), document, r)
    retenu = enregistrer_fiche(nouveau, sha, fiche, {"extraction": 3.0}, r)
    assert depot.rapport(rapport_id).statut == "remplace"
    depot.fermer()
    pilote.get(f"{adresse}/rapports")
    file = pilote.find_element(By.CSS_SELECTOR, "table.file").text
    assert "stationnement_forville_2023_corrige.pdf (v2)" in _espaces(file)
    pilote.get(f"{adresse}/rapports/{rapport_id}")
    lien = pilote.find_element(By.CSS_SELECTOR, "#remplace a")
    assert lien.get_attribute("href").endswith(f"/rapports/{retenu.rapport_id}")
    erreurs = [e for e in pilote.get_log("browser") if e["level"] == "SEVERE"]
    assert not [e for e in erreurs if "422" not in e["message"]], erreurs
