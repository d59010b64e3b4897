"""Mode `auto` avec un LLM (serveur local compatible OpenAI) : double lecture et DESACCORD,
de l'API jusqu'à `dsp traiter`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.principal import app
from extracteurs.document import extraire
from fiche.modeles import Ancrage, Fiche
from fiche.production import produire_fiche
from socle.reglages import Reglages, reglages
from tests.conftest import CORPUS
from tests.serveur_openai import Reponse, completion, reponse_depuis_fiche, serveur_openai

NOM = "stationnement_forville_2023"


def _reponse_avec_redevance_fausse() -> tuple[dict[str, object], float]:
    document = extraire(CORPUS / f"{NOM}.pdf")
    reference = Fiche.model_validate_json((CORPUS / f"{NOM}.fiche.json").read_text("utf-8"))
    reponse = copy.deepcopy(reponse_depuis_fiche(reference, document))
    for poste in reponse["postes"]:  # type: ignore[union-attr]
        if (poste["poste"], poste["annee"]) == ("redevance", 2023):
            poste["valeur"] = 777_777.0
    return reponse, float(reference.financier.postes["redevance"]["2023"].valeur or 0)


def test_auto_avec_llm_signale_le_desaccord(tmp_path: Path) -> None:
    reponse, attendu = _reponse_avec_redevance_fausse()
    with serveur_openai() as serveur:
        serveur.ajouter(completion(reponse))
        r = Reglages(
            llm_base_url=serveur.url, llm_model="modele-test", llm_cache=False, data_dir=tmp_path
        )
        fiche = produire_fiche(extraire(CORPUS / f"{NOM}.pdf"), "auto", r)
    assert fiche.production.mode == "llm" and fiche.production.modele == "modele-test"
    desaccords = [a for a in fiche.anomalies if a.code == "DESACCORD"]
    assert [a.champs for a in desaccords] == [["financier.postes.redevance.2023"]]
    assert "777" in desaccords[0].message
    redevance = fiche.financier.postes["redevance"]["2023"]
    assert redevance.valeur == attendu and redevance.ancrage == Ancrage.EXACT


def _traiter_avec_llm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *reponses: Reponse
) -> Result:
    """`dsp traiter` sur Forville, le LLM configuré vers un serveur qui rend `reponses`."""
    with serveur_openai() as serveur:
        serveur.ajouter(*reponses)
        monkeypatch.setenv("DSP_LLM_BASE_URL", serveur.url)
        monkeypatch.setenv("DSP_LLM_MODEL", "modele-test")
        monkeypatch.setenv("DSP_LLM_CACHE", "false")
        reglages.cache_clear()
        return CliRunner().invoke(
            app, ["traiter", str(CORPUS / f"{NOM}.pdf"), "--sortie", str(tmp_path / "f")]
        )


def test_dsp_traiter_annonce_le_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reponse, _ = _reponse_avec_redevance_fausse()
    resultat = _traiter_avec_llm(tmp_path, monkeypatch, completion(reponse))
    assert resultat.exit_code == 0, resultat.output
    assert "Mode : LLM (modèle modele-test" in resultat.output
    assert "double lecture par règles" in resultat.output
    fiche = Fiche.model_validate_json((tmp_path / "f" / f"{NOM}.fiche.json").read_text("utf-8"))
    assert fiche.production.jetons_entree and fiche.production.jetons_sortie
    assert any(a.code == "DESACCORD" for a in fiche.anomalies)


def test_dsp_traiter_repli_visible_code_3_et_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Un LLM configuré qui ne rend que des réponses invalides : la fiche est écrite par
    les règles, le bilan le dit, le code de sortie vaut 3 et les réponses brutes sont
    gardées à côté de la fiche."""
    resultat = _traiter_avec_llm(
        tmp_path, monkeypatch, completion("pas du JSON"), completion("toujours pas")
    )
    assert resultat.exit_code == 3, resultat.output
    assert "produite(s) par les règles faute de LLM" in resultat.output
    fiche = Fiche.model_validate_json((tmp_path / "f" / f"{NOM}.fiche.json").read_text("utf-8"))
    production = fiche.production
    assert production.mode == "regles" and production.modele == "modele-test"
    assert (production.jetons_entree, production.jetons_sortie) == (2 * 1234, 2 * 567)
    diagnostic = tmp_path / "f" / f"{NOM}.diagnostic-llm.json"
    assert diagnostic.name in (production.note or "")
    contenus = [
        r["contenu"] for r in json.loads(diagnostic.read_text("utf-8"))["reponses_rejetees"]
    ]
    assert contenus == ["pas du JSON", "toujours pas"]
