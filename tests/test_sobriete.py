"""Sobriété et conformité : énergie et CO2e de chaque fiche (temps CPU connu, méthode
EcoLogits), pseudonymisation par défaut hors local/souverain, `dsp registre`."""

from __future__ import annotations

import copy
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document as LireWord
from typer.testing import CliRunner

from cli.principal import app
from extracteurs.modeles import Document, Ligne
from fiche.llm import RemplisseurLlm
from fiche.modeles import Production
from fiche.production import produire_fiche
from fiche.sobriete import chiffrer
from publication import filtres
from publication.contexte import sobriete
from publication.conversion import en_pdf, nombre_pages
from publication.notice import ecrire_conformite, notice_ia
from publication.registre import registre_rgpd
from socle.reglages import Reglages, reglages
from socle.sobriete import ModeleLlm, co2_g, energie_cpu_wh, energie_llm_wh, gpu_requis
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.outils_llm import reglages_test
from tests.serveur_openai import ServeurOpenAI, completion
from tests.test_publication import charger

SECTIONS_REGISTRE = [
    "Responsable et contact", "Finalité et base légale", "Personnes et données concernées",
    "Destinataires et transferts", "Durée de conservation", "Mesures de sécurité",
]  # fmt: skip
SECTIONS_NOTICE = [
    "Ce que fait le système", "Ce que le système ne fait pas", "Contrôle humain",
    "Modèle et fournisseur", "Limites connues", "Sobriété", "Contester une fiche",
]  # fmt: skip


def production(**autres: Any) -> Production:
    valeurs: dict[str, Any] = {"mode": "regles", "version": "t", "date": datetime.now(UTC)}
    return Production(**{**valeurs, "duree_s": 1.0, **autres})


# --- Chiffres : fonctions pures --------------------------------------------------------------


def test_energie_et_co2_d_un_temps_cpu_connu() -> None:
    # Une heure CPU à 7,5 W par cœur : 7,5 Wh ; au mix français (52 g/kWh) : 0,39 g.
    assert energie_cpu_wh(3600, 7.5) == pytest.approx(7.5)
    assert co2_g(7.5, 52) == pytest.approx(0.39)
    # Deux minutes à 10 W : 1/3 Wh ; à 50 g/kWh : 1/60 g (quatre chiffres significatifs).
    r = Reglages(energie_puissance_coeur_w=10, mix_gco2_kwh=50)
    chiffree = chiffrer(production(), cpu_s=120, reglages=r)
    assert (chiffree.energie_wh, chiffree.co2_g) == (0.3333, 0.01667)


def test_defauts_sources() -> None:
    r = Reglages()
    assert r.energie_puissance_coeur_w == 7.5  # Xeon Gold 6248 : 150 W / 20 cœurs
    assert r.mix_gco2_kwh == 52.0  # ADEME, mix moyen France
    assert r.llm_pue == 1.2  # EcoLogits


def test_energie_llm_selon_ecologits() -> None:
    # 1 000 jetons de sortie, modèle de 7 Md de paramètres, un GPU, PUE 1,2 :
    # GPU 1 000 × (8,91e-8 × 7 + 1,43e-6) = 2,0537e-3 kWh ;
    # latence 1 000 × (8,02e-4 × 7 + 2,23e-2) = 27,914 s → serveur 27,914/3600 × 1 kW / 8 ;
    # total 1,2 × (9,6924e-4 + 2,0537e-3) kWh = 3,6275 Wh.
    sept = ModeleLlm(actifs_md=7, total_md=7)
    assert energie_llm_wh(1000, sept, 1.2) == pytest.approx(3.6275, rel=1e-4)
    # La latence mesurée borne celle qu'on estime.
    borne = 1.2 * (10 / 3600 / 8 + 2.0537e-3) * 1000
    assert energie_llm_wh(1000, sept, 1.2, latence_max_s=10) == pytest.approx(borne, rel=1e-4)
    assert energie_llm_wh(0, sept, 1.2) == 0.0
    assert gpu_requis(ModeleLlm(actifs_md=17, total_md=405)) == 4  # 243 Go / 80 Go


def test_llm_compte_a_son_mix_et_taille_non_declaree_laisse_vide() -> None:
    avec_jetons = production(mode="llm", jetons_entree=5000, jetons_sortie=1000, duree_s=600)
    inconnu = chiffrer(avec_jetons, cpu_s=36, reglages=Reglages())
    assert inconnu.energie_wh is None and inconnu.co2_g is None
    r = Reglages(
        llm_parametres_actifs_md=7, energie_puissance_coeur_w=10, mix_gco2_kwh=50,
        llm_mix_gco2_kwh=400,
    )  # fmt: skip
    chiffree = chiffrer(avec_jetons, cpu_s=36, reglages=r)
    local, llm = 36 * 10 / 3600, 3.6275
    assert chiffree.energie_wh == pytest.approx(local + llm, rel=1e-3)
    assert chiffree.co2_g == pytest.approx(local * 50 / 1000 + llm * 400 / 1000, rel=1e-3)


def test_affichage_a_la_francaise() -> None:
    assert filtres.energie(0.00625) == "6,2\u00a0mWh"
    assert filtres.energie(2100) == "2,1\u00a0kWh"
    assert filtres.co2(0.000325) == "320\u00a0µg\u00a0CO₂e"
    assert filtres.co2(None) == "—"
    assert sobriete(production(energie_wh=1.5, co2_g=0.078)) == (
        "Énergie de production estimée : 1,5\u00a0Wh, soit 78\u00a0mg\u00a0CO₂e"
    )
    assert "non estimée (taille du modèle" in sobriete(production(jetons_sortie=10))


# --- Chaque fiche produite porte son énergie -------------------------------------------------


def test_chaque_fiche_produite_porte_energie_et_co2(forville: Document) -> None:
    r = Reglages(mix_gco2_kwh=52)
    document = forville.model_copy(update={"cpu_s": 3600.0})  # une heure de lecture connue
    fiche = produire_fiche(document, "regles", r)
    energie, co2 = fiche.production.energie_wh, fiche.production.co2_g
    assert energie is not None and co2 is not None
    assert energie >= 7.5  # au moins l'heure de lecture à 7,5 W
    assert energie < 7.5 + 1  # plus le remplissage (quelques secondes CPU)
    assert co2 == pytest.approx(energie * 52 / 1000, rel=1e-3)
    fiche_sans_lecture = produire_fiche(forville.model_copy(update={"cpu_s": 0.0}), "regles", r)
    assert (fiche_sans_lecture.production.energie_wh or 0) > 0


# --- Pseudonymisation par défaut --------------------------------------------------------------


def test_pseudonymisation_selon_l_hebergement() -> None:
    externe = Reglages(llm_base_url="https://api.mistral.ai/v1", llm_model="m")
    assert externe.hebergement_llm == "externe" and externe.pseudonymisation_active
    local = Reglages(llm_base_url="http://localhost:11434/v1", llm_model="m")
    assert local.hebergement_llm == "local" and not local.pseudonymisation_active
    souverain = externe.model_copy(update={"llm_hebergement": "souverain"})
    assert not souverain.pseudonymisation_active
    force = local.model_copy(update={"llm_pseudonymiser": True})
    assert force.pseudonymisation_active
    assert Reglages(llm_pseudonymiser="").llm_pseudonymiser is None  # ligne vide du .env


def test_un_point_d_acces_externe_recoit_le_texte_pseudonymise(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    document = forville.model_copy(deep=True)
    contact = "Contact : Marie Dupont, marie.dupont@indiparc.fr, 04 93 12 34 56"
    document.pages[2].lignes.append(Ligne(id="p3-l99", page=3, texte=contact, genre="recit"))
    serveur.ajouter(completion(copy.deepcopy(reponse_forville)))
    r = reglages_test(serveur.url, tmp_path, llm_hebergement="externe")
    assert r.llm_pseudonymiser is None  # rien demandé : c'est le défaut qui protège
    RemplisseurLlm(r).remplir(document)
    envoye = serveur.requetes[0].texte
    assert "Marie Dupont" not in envoye and "marie.dupont@indiparc.fr" not in envoye
    assert "[PERSONNE_1]" in envoye and "[COURRIEL_1]" in envoye


# --- Registre RGPD et notice d'usage de l'IA -------------------------------------------------


def test_registre_sans_llm() -> None:
    registre = registre_rgpd(Reglages(registre_responsable="Ville de Forville"))
    assert [s.titre for s in registre.sections] == SECTIONS_REGISTRE
    textes = {r.intitule: r.texte for s in registre.sections for r in s.rubriques}
    assert textes["Responsable du traitement"] == "Ville de Forville"
    assert textes["Transferts hors de l'Union européenne"].startswith("Aucun : aucun LLM")
    assert textes["Pseudonymisation avant le LLM"].startswith("Sans objet")
    notice = notice_ia(Reglages())
    assert [s.titre for s in notice.sections] == SECTIONS_NOTICE
    assert "Aucun (mode règles" in notice.section("Modèle et fournisseur").rubriques[0].texte


def test_registre_selon_le_point_d_acces() -> None:
    externe = Reglages(llm_base_url="https://api.exemple.com/v1", llm_model="grand-modele")
    textes = {r.intitule: r.texte for s in registre_rgpd(externe).sections for r in s.rubriques}
    assert textes["Transferts hors de l'Union européenne"].startswith("Non déterminé")
    assert "api.exemple.com" in textes["Transferts hors de l'Union européenne"]
    assert textes["Pseudonymisation avant le LLM"].startswith("Active (par défaut")
    assert "sous-traitant" in textes["Destinataires"]
    hors_ue = externe.model_copy(update={"llm_hors_ue": True})
    transfert = registre_rgpd(hors_ue).section("Destinataires et transferts").rubriques[1]
    assert transfert.texte.startswith("Oui") and "clauses contractuelles types" in transfert.texte
    local = Reglages(llm_base_url="http://127.0.0.1:8000/v1", llm_model="petit")
    textes = {r.intitule: r.texte for s in registre_rgpd(local).sections for r in s.rubriques}
    transfert_local = textes["Transferts hors de l'Union européenne"]
    assert transfert_local.startswith("Aucun : le LLM est déclaré local")
    assert textes["Pseudonymisation avant le LLM"].startswith("Non appliquée")
    modele = notice_ia(local).section("Modèle et fournisseur").rubriques[0].texte
    assert "petit" in modele and "non déclarée" in modele


def test_dsp_registre_ecrit_word_et_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSP_LLM_BASE_URL", "https://albert.exemple.gouv.fr/v1")
    monkeypatch.setenv("DSP_LLM_MODEL", "modele-albert")
    monkeypatch.setenv("DSP_LLM_HEBERGEMENT", "souverain")
    monkeypatch.setenv("DSP_LLM_PSEUDONYMISER", "")
    reglages.cache_clear()
    resultat = CliRunner().invoke(app, ["registre", "--sortie", str(tmp_path / "conformite")])
    assert resultat.exit_code == 0, resultat.output
    assert "Pseudonymisation : Non appliquée" in resultat.output
    dossier = tmp_path / "conformite"
    markdown = (dossier / "registre_rgpd.md").read_text(encoding="utf-8")
    for titre in SECTIONS_REGISTRE:
        assert f"## {titre}" in markdown
    assert "albert.exemple.gouv.fr" in markdown
    for nom, sections in (("registre_rgpd", SECTIONS_REGISTRE), ("notice_ia", SECTIONS_NOTICE)):
        word = LireWord(str(dossier / f"{nom}.docx"))
        titres = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
        assert titres == sections
    notice = (dossier / "notice_ia.md").read_text(encoding="utf-8")
    assert "modele-albert" in notice and "souverain" in notice


def test_les_documents_word_se_convertissent(tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI : LibreOffice (paquet libreoffice-writer) est obligatoire")
        pytest.skip("LibreOffice absent : scripts/installer.sh installe libreoffice-writer")
    chemins = ecrire_conformite(Reglages(), tmp_path / "c")
    pdfs = en_pdf([c for c in chemins if c.suffix == ".docx"], tmp_path / "pdf")
    assert len(pdfs) == 2 and all(nombre_pages(p) >= 1 for p in pdfs)


# --- Tableau de bord : énergie par rapport et par exercice (SQLite et PostgreSQL) -----------


def test_tableau_de_bord_somme_l_energie_des_rapports_relus(depot: Depot) -> None:
    from revue.services.graphiques import csv_rapports
    from revue.services.tableau import tableau_de_bord

    for nom, energie in (("plage_lot7_2023", 0.5), ("port_plaisance_2023", None)):
        fiche = charger(f"{nom}.fiche.json")
        fiche.production = fiche.production.model_copy(
            update={"energie_wh": energie, "co2_g": None if energie is None else 0.026}
        )
        rapport, _ = depot.enregistrer_rapport(fiche.source.fichier, fiche.source.sha256)
        depot.enregistrer_fiche(rapport.id, fiche)
        depot.changer_statut(rapport.id, Statut.A_VALIDER)
        depot.changer_statut(rapport.id, Statut.VALIDE, agent="valideur")
    tableau = tableau_de_bord(depot, Reglages())
    assert [ligne.energie_wh for ligne in tableau.lignes] == [0.5, None]
    assert (tableau.total.energie_wh, tableau.total.co2_g) == (0.5, 0.026)
    assert tableau.total.sans_energie == 1
    assert [t.energie_wh for t in tableau.par_exercice] == [0.5]
    entete, premiere, _ = csv_rapports(tableau).lstrip("\ufeff").splitlines()
    colonnes = entete.split(";")
    assert colonnes.index("energie_wh") == colonnes.index("reference_h") + 1
    assert premiere.split(";")[colonnes.index("energie_wh")] == "0,500000"


def test_bloc_de_la_page_rapport() -> None:
    from types import SimpleNamespace

    from revue.app import gabarits

    bloc = gabarits().env.get_template("_sobriete.html")
    fiche = SimpleNamespace(production=production(energie_wh=0.00625, co2_g=0.000325))
    html = bloc.render(vue=SimpleNamespace(fiche=fiche))
    assert "6,2\u00a0mWh" in html and "320\u00a0µg\u00a0CO₂e" in html
    llm = production(mode="llm", jetons_entree=3000, jetons_sortie=600)
    html = bloc.render(vue=SimpleNamespace(fiche=SimpleNamespace(production=llm)))
    assert "non estimée (taille du modèle LLM non déclarée)" in html and "600 en sortie" in html
