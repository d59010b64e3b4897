"""Ancrage des valeurs sur leur page, réconciliation LLM/règles, instructions suspectes."""

from __future__ import annotations

from pathlib import Path

import pytest

from extracteurs.document import extraire
from extracteurs.modeles import Document
from fiche.ancrage import ancrer, champs_de
from fiche.injection import detecter_instructions
from fiche.modeles import Ancrage, Champ, Fiche, Origine
from fiche.production import mode_effectif
from fiche.reconciliation import reconcilier
from socle.erreurs import ConfigurationError
from socle.reglages import Reglages
from tests.conftest import CORPUS, pdf_tableau


@pytest.fixture(scope="module")
def forville() -> tuple[Fiche, Document]:
    reference = Fiche.model_validate_json(
        (CORPUS / "stationnement_forville_2023.fiche.json").read_text(encoding="utf-8")
    )
    return reference, extraire(CORPUS / "stationnement_forville_2023.pdf")


def test_les_valeurs_de_reference_sont_toutes_ancrees(forville: tuple[Fiche, Document]) -> None:
    reference, document = forville
    fiche = ancrer(reference.model_copy(deep=True), document)
    remplis = [(chemin, c) for chemin, c in champs_de(fiche) if c.valeur is not None]
    absents = [chemin for chemin, c in remplis if c.ancrage == Ancrage.ABSENT]
    assert len(remplis) > 50 and not absents


def test_un_chiffre_invente_est_signale_absent(forville: tuple[Fiche, Document]) -> None:
    reference, document = forville
    fiche = reference.model_copy(deep=True)
    champ = fiche.financier.postes["chiffre_affaires"]["2023"]
    champ.valeur = 3_141_592.0
    champ.origine = Origine.LLM
    ancrer(fiche, document)
    assert champ.ancrage == Ancrage.ABSENT
    mauvaise_page = fiche.financier.postes["resultat"]["2023"]
    mauvaise_page.page = 1
    ancrer(fiche, document)
    assert mauvaise_page.ancrage == Ancrage.ABSENT


def test_unite_du_tableau_et_recit(tmp_path: Path) -> None:
    chemin = pdf_tableau(
        tmp_path / "k.pdf",
        [("", "2022", "2023"), ("Produits", "1 284,6", "1 300,2"), ("Charges", "(12,4)", "15,0")],
        titre="CARE (en k€) — le résultat atteint 42 k€",
    )
    document = extraire(chemin)
    fiche_cellule = Champ[float](valeur=1_284_600.0, page=1, citation="1 284,6")
    fiche_recit = Champ[float](valeur=42_000.0, page=1, citation="42 k€")
    ancreur_fiche = Fiche.model_validate_json(
        (CORPUS / "plage_lot7_2023.fiche.json").read_text(encoding="utf-8")
    )
    ancreur_fiche.financier.postes = {"a": {"2023": fiche_cellule}, "b": {"2023": fiche_recit}}
    ancreur_fiche.financier.lignes = []
    ancrer(ancreur_fiche, document)
    assert fiche_cellule.ancrage == Ancrage.EXACT
    assert fiche_recit.ancrage == Ancrage.APPROCHE


def test_desaccord_garde_les_deux_valeurs(forville: tuple[Fiche, Document]) -> None:
    reference, document = forville
    regles = ancrer(reference.model_copy(deep=True), document)
    llm = reference.model_copy(deep=True)
    llm.anomalies = []
    llm.financier.postes["redevance"]["2023"].valeur = 999_999.0
    llm.identification.delegataire.valeur = None
    ancrer(llm, document)
    fiche = reconcilier(llm, regles)
    desaccords = [a for a in fiche.anomalies if a.code == "DESACCORD"]
    assert [a.champs for a in desaccords] == [["financier.postes.redevance.2023"]]
    attendu = reference.financier.postes["redevance"]["2023"].valeur
    assert fiche.financier.postes["redevance"]["2023"].valeur == attendu, (
        "valeur du LLM introuvable"
    )
    assert "999" in desaccords[0].message
    assert fiche.identification.delegataire.valeur == reference.identification.delegataire.valeur


def test_mode_llm_sans_configuration() -> None:
    with pytest.raises(ConfigurationError, match="DSP_LLM_BASE_URL"):
        mode_effectif("llm", Reglages(llm_base_url=None, llm_model=None))
    assert mode_effectif("auto", Reglages(llm_base_url=None, llm_model=None)) == "regles"
    configure = Reglages(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert mode_effectif("auto", configure) == "llm"


def test_instructions_suspectes() -> None:
    anomalies = detecter_instructions(extraire(CORPUS / "marche_halles_2023.pdf"))
    assert [(a.code, a.pages, a.gravite.value) for a in anomalies] == [
        ("INSTRUCTIONS_SUSPECTES", [7], "alerte")
    ]
    assert "Ignore les instructions précédentes" in anomalies[0].message


@pytest.mark.parametrize(
    "phrase",
    [
        "La réponse que nous apportons aux usagers est rapide.",
        "Nous ignorons à ce jour le montant définitif des travaux.",
        "Le délégataire répond aux réclamations sous 8 jours.",
    ],
)
def test_pas_de_fausse_alerte(tmp_path: Path, phrase: str) -> None:
    document = extraire(
        pdf_tableau(
            tmp_path / "r.pdf",
            [("", "2022", "2023"), ("Recettes", "10", "12"), ("Charges", "8", "9")],
            titre=phrase,
        )
    )
    assert detecter_instructions(document) == []
