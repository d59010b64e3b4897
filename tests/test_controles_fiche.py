"""Contrôles de la fiche : EXERCICE_PRECEDENT, VARIATION, FRAIS_SIEGE, DATES, COMPLETUDE,
CHAMP_MANQUANT, DELAI, et le lanceur `controler` (catalogue `controles.md`).

Sur le corpus : la fiche de chaque échantillon (règles + ancrage) est contrôlée avec, pour
historique, les fiches des autres échantillons ; les anomalies de ces codes doivent être
exactement celles de la fiche d'or. Les documents sont extraits une fois par session et
gardés dans le cache de pytest (même clé que `test_regles.py`, cache partagé). Les cas
limites sont vus sur de petites fiches construites à la main.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cli.demo
import cli.fiches
from cli.principal import app
from controles import CATALOGUE, CODES_CONTROLES, controler
from controles.base import Contexte
from controles.commun import date_longue
from controles.completude import controle_completude
from controles.dates import controle_dates
from controles.delai import controle_delai
from controles.historique import (
    charger_historique,
    controle_exercice_precedent,
    historique_du_contrat,
)
from controles.manquants import controle_champ_manquant
from controles.ratios import controle_frais_siege
from controles.variations import controle_variation, taux_seuil
from extracteurs.modeles import Document, Ligne, Page
from fiche.ancrage import ancrer
from fiche.evaluation_dossier import evaluer_dossier
from fiche.modeles import (
    ELEMENTS_CONFORMITE,
    Anomalie,
    Champ,
    ElementConformite,
    Fiche,
    Gravite,
    LigneCare,
    Production,
    Revue,
    Secteur,
    Source,
    TypeContrat,
    UniteSource,
)
from fiche.regles import remplir_par_regles
from socle.reglages import Reglages, SeuilsControles
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import CORPUS, document_en_cache

MES_CODES = frozenset(
    {
        "EXERCICE_PRECEDENT",
        "VARIATION",
        "FRAIS_SIEGE",
        "DATES",
        "COMPLETUDE",
        "CHAMP_MANQUANT",
        "DELAI",
    }
)
EXTENSIONS = (".pdf", ".docx", ".xlsx")
ECHANTILLONS = sorted(p.name for p in CORPUS.iterdir() if p.suffix in EXTENSIONS)


# --- Corpus -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def documents(request: pytest.FixtureRequest) -> dict[str, Document]:
    """Chaque échantillon extrait une fois (cache partagé avec test_regles.py)."""
    resultat: dict[str, Document] = {}
    for nom in ECHANTILLONS:
        resultat[nom] = document_en_cache(request.config, CORPUS / nom)
    return resultat


def _reference(nom: str) -> Fiche:
    chemin = CORPUS / f"{Path(nom).stem}.fiche.json"
    return Fiche.model_validate_json(chemin.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def fiches_brutes(documents: dict[str, Document]) -> dict[str, Fiche]:
    """La fiche de chaque échantillon avant contrôles : règles puis ancrage."""
    return {nom: ancrer(remplir_par_regles(doc), doc) for nom, doc in documents.items()}


@pytest.fixture(scope="session")
def controlees(documents: dict[str, Document], fiches_brutes: dict[str, Fiche]) -> dict[str, Fiche]:
    """Chaque fiche contrôlée, avec pour historique les fiches des autres échantillons."""
    reglages = Reglages()
    resultat: dict[str, Fiche] = {}
    for nom, fiche in fiches_brutes.items():
        autres = [f for n, f in fiches_brutes.items() if n != nom]
        historique = historique_du_contrat(fiche, autres)
        resultat[nom] = controler(fiche, documents[nom], reglages, historique)
    return resultat


def _miens(anomalies: list[Anomalie]) -> Counter[tuple[str, str]]:
    return Counter((a.code, a.gravite.value) for a in anomalies if a.code in MES_CODES)


@pytest.mark.parametrize("nom", ECHANTILLONS)
def test_anomalies_de_l_or_retrouvees_sans_extra(nom: str, controlees: dict[str, Fiche]) -> None:
    """Chaque anomalie de l'or (codes de ces contrôles) est retrouvée avec son code et sa
    gravité, et aucune autre de ces codes n'est levée."""
    attendues = _miens(_reference(nom).anomalies)
    obtenues = _miens(controlees[nom].anomalies)
    assert obtenues == attendues, "\n".join(
        f"{a.code} {a.gravite.value} {a.champs}: {a.message}"
        for a in controlees[nom].anomalies
        if a.code in MES_CODES
    )


@pytest.mark.parametrize("nom", ECHANTILLONS)
def test_memes_champs_que_l_or(nom: str, controlees: dict[str, Fiche]) -> None:
    """COMPLETUDE, CHAMP_MANQUANT, FRAIS_SIEGE : mêmes champs désignés que l'or ;
    EXERCICE_PRECEDENT : au moins ceux de l'or (les lignes du CARE en plus)."""
    codes_exacts = {"COMPLETUDE", "CHAMP_MANQUANT", "FRAIS_SIEGE", "VARIATION"}
    reference = _reference(nom)

    def champs(fiche: Fiche, codes: set[str]) -> list[tuple[str, tuple[str, ...]]]:
        return sorted((a.code, tuple(a.champs)) for a in fiche.anomalies if a.code in codes)

    assert champs(controlees[nom], codes_exacts) == champs(reference, codes_exacts)
    for attendue in (a for a in reference.anomalies if a.code == "EXERCICE_PRECEDENT"):
        trouvee = next(a for a in controlees[nom].anomalies if a.code == "EXERCICE_PRECEDENT")
        assert set(attendue.champs) <= set(trouvee.champs)
        assert set(attendue.pages) <= set(trouvee.pages)


def test_aucun_bloquant_sur_les_echantillons_propres(controlees: dict[str, Fiche]) -> None:
    propres = [
        n for n in ECHANTILLONS if not any(a.gravite == "bloquant" for a in _reference(n).anomalies)
    ]
    assert len(propres) >= 12
    fautifs = {
        nom: [a.message for a in controlees[nom].anomalies if a.gravite == Gravite.BLOQUANT]
        for nom in propres
    }
    assert not any(fautifs.values()), fautifs


def test_scannes_pas_moins_bien_que_les_natifs(
    documents: dict[str, Document], controlees: dict[str, Fiche]
) -> None:
    scannes = [n for n in ECHANTILLONS if documents[n].scanne]
    assert len(scannes) == 2
    for nom in scannes:
        assert _miens(controlees[nom].anomalies) == _miens(_reference(nom).anomalies), nom
        assert _miens(controlees[nom].anomalies)[("COMPLETUDE", "alerte")] >= 1


def test_exercice_precedent_eau_potable(controlees: dict[str, Fiche]) -> None:
    """Le rapport 2024 réécrit « Énergie électrique » 2023 (+48 000 €) : l'anomalie cite la
    ligne, les deux montants, les totaux modifiés, le fichier de l'an dernier et R.3131-2."""
    (anomalie,) = [
        a for a in controlees["eau_potable_2024.pdf"].anomalies if a.code == "EXERCICE_PRECEDENT"
    ]
    assert anomalie.gravite == Gravite.ALERTE
    for attendu in (
        "« Énergie électrique »",
        "720\u202f513\u00a0€",
        "672\u202f513\u00a0€",
        "+48\u202f000\u00a0€",
        "le total des charges",
        "eau_potable_2023.pdf",
        "R.3131-2",
    ):
        assert attendu in anomalie.message
    assert "financier.postes.total_charges.2023" in anomalie.champs
    assert 26 in anomalie.pages
    assert "R.3131-2" in anomalie.regle
    # La fiche 2023 ne se compare pas à la fiche 2024 (exercice postérieur).
    assert not any(
        a.code == "EXERCICE_PRECEDENT" for a in controlees["eau_potable_2023.pdf"].anomalies
    )


def test_exercice_precedent_sans_historique_ne_dit_rien(
    documents: dict[str, Document], fiches_brutes: dict[str, Fiche]
) -> None:
    nom = "eau_potable_2024.pdf"
    fiche = controler(fiches_brutes[nom], documents[nom], Reglages())
    assert not any(a.code == "EXERCICE_PRECEDENT" for a in fiche.anomalies)


def test_delai_theatre(controlees: dict[str, Fiche]) -> None:
    (anomalie,) = [
        a for a in controlees["equipement_culturel_theatre_2023.pdf"].anomalies if a.code == "DELAI"
    ]
    assert anomalie.gravite == Gravite.INFO and anomalie.pages == [1]
    assert "14 juin 2024" in anomalie.message and "1er juin 2024" in anomalie.message
    assert "L.3131-5" in anomalie.regle


def test_frais_siege_forville_message(controlees: dict[str, Fiche]) -> None:
    (anomalie,) = [
        a
        for a in controlees["stationnement_forville_2023.pdf"].anomalies
        if a.code == "FRAIS_SIEGE"
    ]
    assert "208\u202f222\u00a0€" in anomalie.message and "10,8\u00a0%" in anomalie.message
    assert "8\u00a0%" in anomalie.message and "R.3131-3 1° a)" in anomalie.regle


def test_dsp_evaluer_compte_ces_codes(controlees: dict[str, Fiche], tmp_path: Path) -> None:
    """`dsp evaluer` sur les fiches contrôlées : précision et rappel de 100 % pour chacun de
    ces codes présents dans l'or, et le tableau « Anomalies par code » les affiche."""
    for nom, fiche in controlees.items():
        (tmp_path / f"{Path(nom).stem}.fiche.json").write_text(fiche.vers_json(), "utf-8")
    rapport = evaluer_dossier(tmp_path, CORPUS)
    scores = {s.code: s for s in rapport.anomalies if s.code in MES_CODES}
    attendus = Counter(
        a.code for n in ECHANTILLONS for a in _reference(n).anomalies if a.code in MES_CODES
    )
    assert set(scores) == set(attendus) == MES_CODES - {"VARIATION", "DATES"}
    for code, score in scores.items():
        assert (score.vrais_positifs, score.faux_positifs, score.faux_negatifs) == (
            attendus[code],
            0,
            0,
        ), code
    resultat = CliRunner().invoke(app, ["evaluer", str(tmp_path)])
    assert resultat.exit_code == 0, resultat.output
    for code in scores:
        assert code in resultat.output


# --- CLI : ordre des exercices et historique ----------------------------------------------


def _codes(fiche: Fiche) -> list[str]:
    return [a.code for a in fiche.anomalies if a.code in MES_CODES]


def _faux_extraire(documents: dict[str, Document], noms: dict[str, str]) -> Any:
    def extraire_en_cache(fichier: Path, _reglages: Reglages | None = None) -> Document:
        return documents[noms.get(fichier.name, fichier.name)]

    return extraire_en_cache


def _valider_en_base(fiche: Fiche) -> None:
    """Enregistre `fiche` comme validée par un agent dans la base de DSP_DATA_DIR."""
    depot = Depot()
    rapport, _ = depot.enregistrer_rapport(fiche.source.fichier, fiche.source.sha256 or "x" * 64)
    depot.enregistrer_fiche(rapport.id, fiche)
    if Statut(rapport.statut) != Statut.A_VALIDER:  # déjà mis en revue par la démo
        depot.changer_statut(rapport.id, Statut.A_VALIDER)
    depot.changer_statut(rapport.id, Statut.VALIDE, agent="Mme Durand")
    depot.fermer()


def test_demo_historique_des_fiches_validees_en_base(
    documents: dict[str, Document],
    fiches_brutes: dict[str, Fiche],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """La fiche 2023 produite dans le même lancement n'est pas un historique (non relue) ;
    validée en base, elle l'est."""
    noms = {"a_eau_2024.pdf": "eau_potable_2024.pdf", "b_eau_2023.pdf": "eau_potable_2023.pdf"}
    dossier = tmp_path / "rapports"
    dossier.mkdir()
    for nom in noms:
        (dossier / nom).write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(cli.demo, "lire_isole", _faux_extraire(documents, noms))
    fiches = tmp_path / "donnees" / "fiches"

    def demo() -> Fiche:
        resultat = CliRunner().invoke(app, ["demo", "--sans-revue", "--dossier", str(dossier)])
        assert resultat.exit_code == 0, resultat.output
        return Fiche.model_validate_json((fiches / "a_eau_2024.fiche.json").read_text("utf-8"))

    assert _codes(demo()) == ["CHAMP_MANQUANT"]
    _valider_en_base(fiches_brutes["eau_potable_2023.pdf"])
    assert _codes(demo()) == ["EXERCICE_PRECEDENT", "CHAMP_MANQUANT"]


def test_traiter_option_historique(
    documents: dict[str, Document],
    fiches_brutes: dict[str, Fiche],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli.fiches, "lire_isole", _faux_extraire(documents, {}))
    source = tmp_path / "eau_potable_2024.pdf"
    source.write_bytes(b"%PDF-1.7\n")
    archives = tmp_path / "archives"
    archives.mkdir()
    (archives / "eau_2023.fiche.json").write_text(
        fiches_brutes["eau_potable_2023.pdf"].vers_json(), "utf-8"
    )
    (archives / "illisible.fiche.json").write_text("{pas du json", "utf-8")

    def traiter(*options: str) -> Fiche:
        sortie = tmp_path / f"sortie{len(options)}"
        resultat = CliRunner().invoke(
            app, ["traiter", str(source), "--sortie", str(sortie), *options]
        )
        assert resultat.exit_code == 0, resultat.output
        return Fiche.model_validate_json((sortie / "eau_potable_2024.fiche.json").read_text())

    sans = traiter()  # historique par défaut : les fiches validées de la base, aucune ici
    avec = traiter("--historique", str(archives))
    assert _codes(sans) == ["CHAMP_MANQUANT"]
    assert _codes(avec) == ["EXERCICE_PRECEDENT", "CHAMP_MANQUANT"]


def test_traiter_n_prend_pas_une_fiche_non_relue_pour_historique(
    documents: dict[str, Document],
    fiches_brutes: dict[str, Fiche],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2023 et 2024 traités ensemble : la fiche 2023 n'est pas relue, elle ne sert pas
    d'historique ; une fois validée en base, le retraitement de 2024 la lit."""
    monkeypatch.setattr(cli.fiches, "lire_isole", _faux_extraire(documents, {}))
    fichiers = []
    for nom in ("eau_potable_2024.pdf", "eau_potable_2023.pdf"):
        (tmp_path / nom).write_bytes(b"%PDF-1.7\n")
        fichiers.append(str(tmp_path / nom))
    sortie = tmp_path / "fiches"

    def codes() -> list[str]:
        resultat = CliRunner().invoke(app, ["traiter", *fichiers, "--sortie", str(sortie)])
        assert resultat.exit_code == 0, resultat.output
        fiche = json.loads((sortie / "eau_potable_2024.fiche.json").read_text("utf-8"))
        return [a["code"] for a in fiche["anomalies"]]

    assert "EXERCICE_PRECEDENT" not in codes()
    _valider_en_base(fiches_brutes["eau_potable_2023.pdf"])
    assert "EXERCICE_PRECEDENT" in codes()


# --- Fiches synthétiques ------------------------------------------------------------------


def _champ(valeur: Any, page: int | None = 3, citation: str | None = None) -> Champ[Any]:
    if valeur is None:
        return Champ(valeur=None)
    return Champ(
        valeur=valeur, page=page, citation=citation if citation is not None else str(valeur)
    )


def fiche_test(
    postes: dict[str, dict[int, float | None]] | None = None,
    exercice: int | None = 2023,
    secteur: Secteur | None = Secteur.STATIONNEMENT,
    debut: date | None = date(2015, 1, 1),
    fin: date | None = date(2030, 12, 31),
    unite: UniteSource = UniteSource.EURO,
    **identite: Any,
) -> Fiche:
    fiche = Fiche(
        source=Source(fichier="rapport.pdf", sha256="0" * 64, pages=10, scanne=False),
        production=Production(
            mode="regles", version="test", date=datetime(2024, 7, 1, tzinfo=UTC), duree_s=0
        ),
    )
    ident = fiche.identification
    valeurs: dict[str, Any] = {
        "collectivite": "Ville de Port-Azur",
        "delegataire": "Indiparc SAS",
        "objet": "Exploitation du parc Forville",
        "type_contrat": TypeContrat.CONCESSION,
        **identite,
    }
    for nom, valeur in valeurs.items():
        setattr(ident, nom, _champ(valeur, page=1))
    ident.secteur = _champ(secteur, page=1)
    ident.exercice = _champ(exercice, page=1)
    ident.date_debut = _champ(debut, page=2)
    ident.date_fin = _champ(fin, page=2)
    fiche.financier.unite_source = unite
    for poste, annees in (postes or {}).items():
        fiche.financier.postes[poste] = {
            str(annee): _champ(valeur, page=4) for annee, valeur in annees.items()
        }
    return fiche


def document_test(*lignes: str, page: int = 1) -> Document:
    return Document(
        fichier="rapport.pdf",
        sha256="0" * 64,
        format="pdf",
        pages=[
            Page(
                numero=page,
                largeur=595,
                hauteur=842,
                lignes=[
                    Ligne(id=f"p{page}-l{i}", page=page, texte=texte)
                    for i, texte in enumerate(lignes)
                ],
            )
        ],
    )


def ctx(
    fiche: Fiche,
    document: Document | None = None,
    seuils: SeuilsControles | None = None,
    historique: list[Fiche] | None = None,
) -> Contexte:
    return Contexte(
        fiche=fiche,
        document=document or document_test(),
        seuils=seuils or SeuilsControles(),
        historique=historique or [],
    )


# --- Formats ------------------------------------------------------------------------------


def test_formats_francais() -> None:
    assert taux_seuil(0.08) == "8\u00a0%" and taux_seuil(0.075) == "7,5\u00a0%"
    assert date_longue(date(2024, 6, 1)) == "1er juin 2024"


# --- VARIATION ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ancien", "actuel", "gravite"),
    [
        (1_000_000, 1_200_000, Gravite.INFO),  # +20 %
        (1_000_000, 1_400_000, Gravite.ALERTE),  # +40 %
        (1_000_000, 840_000, Gravite.INFO),  # -16 %
        (1_000_000, 650_000, Gravite.ALERTE),  # -35 %
        (1_000_000, 1_150_000, None),  # 15 % pile : pas au-delà du seuil
        (1_000_000, 1_300_000, Gravite.INFO),  # 30 % pile : info, pas alerte
        (0, 500_000, None),  # N-1 nul : pas de taux
        (-100_000, 50_000, Gravite.ALERTE),  # N-1 négatif : |N-1| au dénominateur, +150 %
        (None, 500_000, None),  # N-1 absent
        (500_000, None, None),  # N absent
    ],
)
def test_variation_seuils(
    ancien: float | None, actuel: float | None, gravite: Gravite | None
) -> None:
    fiche = fiche_test({"charges_personnel": {2022: ancien, 2023: actuel}})
    anomalies = controle_variation(ctx(fiche))
    assert [a.gravite for a in anomalies] == ([gravite] if gravite else [])
    for a in anomalies:
        assert a.code == "VARIATION" and "R.3131-2" in a.regle
        assert a.champs == [
            "financier.postes.charges_personnel.2023",
            "financier.postes.charges_personnel.2022",
        ]
        assert "les charges de personnel" in a.message.lower() and "délégataire" in a.message


def test_variation_message_et_postes_suivis() -> None:
    fiche = fiche_test(
        {
            "chiffre_affaires": {2022: 1_000_000, 2023: 1_200_000},
            "resultat": {2022: 10_000, 2023: 90_000},  # non suivi (signé, souvent proche de 0)
            "investissements": {2022: 10_000, 2023: 90_000},  # non suivi
        }
    )
    (anomalie,) = controle_variation(ctx(fiche))
    assert "1\u202f000\u202f000\u00a0€ en 2022" in anomalie.message
    assert "1\u202f200\u202f000\u00a0€ en 2023" in anomalie.message
    assert "hausse de 20,0\u00a0%" in anomalie.message and "+20,0\u00a0%" in anomalie.message
    assert anomalie.pages == [4]


def test_variation_seuils_surcharges_par_secteur() -> None:
    """Les surcharges de `Reglages(controles_par_secteur=...)` s'appliquent au secteur de la
    fiche, et à lui seul."""
    reglages = Reglages(
        controles_par_secteur={"casino": {"variation_info": 0.5, "variation_alerte": 0.6}}
    )
    postes = {"redevance": {2022: 1_000_000, 2023: 1_400_000}}  # +40 %
    casino = fiche_test(postes, secteur=Secteur.CASINO)
    parking = fiche_test(postes, secteur=Secteur.STATIONNEMENT)
    document = document_test()
    assert not [a for a in controler(casino, document, reglages).anomalies if a.code == "VARIATION"]
    (alerte,) = [
        a for a in controler(parking, document, reglages).anomalies if a.code == "VARIATION"
    ]
    assert alerte.gravite == Gravite.ALERTE


# --- FRAIS_SIEGE --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siege", "charges", "attendu"),
    [
        (100_000, 1_000_000, True),  # 10 %
        (80_000, 1_000_000, False),  # 8 % pile
        (79_000, 1_000_000, False),
        (None, 1_000_000, False),
        (100_000, None, False),
        (100_000, 0, False),  # total nul : pas de ratio
    ],
)
def test_frais_siege(siege: float | None, charges: float | None, attendu: bool) -> None:
    fiche = fiche_test({"frais_siege": {2023: siege}, "total_charges": {2023: charges}})
    anomalies = controle_frais_siege(ctx(fiche))
    assert len(anomalies) == attendu
    for a in anomalies:
        assert a.gravite == Gravite.ALERTE and "R.3131-3 1° a)" in a.regle
        assert "10,0\u00a0%" in a.message and "clé de répartition" in a.message


def test_frais_siege_n_moins_1_ignore_et_seuil_par_secteur() -> None:
    fiche = fiche_test(
        {"frais_siege": {2022: 200_000, 2023: 100_000}, "total_charges": {2022: 1e6, 2023: 1e6}}
    )
    assert len(controle_frais_siege(ctx(fiche))) == 1  # N seulement (10 %), pas N-1 (20 %)
    reglages = Reglages(controles_par_secteur={"stationnement": {"frais_siege_ratio": 0.12}})
    controlee = controler(fiche, document_test(), reglages)
    assert not [a for a in controlee.anomalies if a.code == "FRAIS_SIEGE"]


# --- DATES --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("debut", "fin", "exercice", "champs"),
    [
        (date(2015, 1, 1), date(2030, 12, 31), 2023, None),
        (
            date(2030, 1, 1),
            date(2015, 12, 31),
            2023,
            ["identification.date_debut", "identification.date_fin"],
        ),
        (
            date(2020, 1, 1),
            date(2020, 1, 1),
            2020,
            ["identification.date_debut", "identification.date_fin"],
        ),
        (
            date(2024, 7, 1),
            date(2030, 6, 30),
            2023,
            ["identification.exercice", "identification.date_debut"],
        ),
        (date(2024, 7, 1), date(2030, 6, 30), 2024, None),  # premier exercice partiel
        (
            date(2010, 1, 1),
            date(2021, 12, 31),
            2022,
            ["identification.exercice", "identification.date_fin"],
        ),
        (date(2010, 1, 1), date(2021, 12, 31), 2021, None),
        (date(2010, 9, 1), date(2022, 8, 31), 2023, None),  # exercice décalé qui se clôt après
        (
            date(2010, 9, 1),
            date(2022, 8, 31),
            2024,
            ["identification.exercice", "identification.date_fin"],
        ),
        (None, None, 2023, None),
        (date(2015, 1, 1), date(2030, 12, 31), None, None),
    ],
)
def test_dates(
    debut: date | None, fin: date | None, exercice: int | None, champs: list[str] | None
) -> None:
    fiche = fiche_test(debut=debut, fin=fin, exercice=exercice)
    anomalies = controle_dates(ctx(fiche))
    assert [a.champs for a in anomalies] == ([champs] if champs else [])
    for a in anomalies:
        assert a.gravite == Gravite.BLOQUANT and a.pages and "L.3131-5" in a.regle


# --- COMPLETUDE ---------------------------------------------------------------------------


def test_completude_une_alerte_par_element_absent() -> None:
    fiche = fiche_test()
    fiche.conformite = {e: ElementConformite(present=True, page=3) for e in ELEMENTS_CONFORMITE}
    fiche.conformite["inventaire_biens_retour"] = ElementConformite(present=False)
    fiche.conformite["tarifs"] = ElementConformite(present=False)
    anomalies = controle_completude(ctx(fiche))
    assert [a.champs for a in anomalies] == [
        ["conformite.inventaire_biens_retour"],
        ["conformite.tarifs"],
    ]
    assert all(a.gravite == Gravite.ALERTE for a in anomalies)
    assert "biens de retour" in anomalies[0].message and "R.3131-4" in anomalies[0].regle
    assert "R.3131-3" in anomalies[1].regle


def test_completude_element_non_evalue_n_est_pas_manquant() -> None:
    assert controle_completude(ctx(fiche_test())) == []


# --- CHAMP_MANQUANT -----------------------------------------------------------------------


def test_champ_manquant_identification_et_postes_de_n() -> None:
    postes = {p: {2022: 1.0, 2023: 1.0} for p in ("chiffre_affaires", "total_charges", "resultat")}
    postes |= {p: {2022: 1.0, 2023: 1.0} for p in ("charges_personnel", "frais_siege")}
    postes["investissements"] = {2022: 5.0}  # N-1 seulement : manquant pour N
    fiche = fiche_test(postes, delegataire=None)
    anomalies = controle_champ_manquant(ctx(fiche))
    assert [a.champs for a in anomalies] == [
        ["identification.delegataire"],
        ["financier.postes.redevance.2023"],
        ["financier.postes.investissements.2023"],
    ]
    assert all(a.gravite == Gravite.INFO for a in anomalies)
    assert "délégataire" in anomalies[0].message


def test_champ_manquant_sans_exercice() -> None:
    """Exercice inconnu (ni sur la fiche, ni dans le document) : il est signalé, et les
    postes de N ne peuvent pas l'être."""
    anomalies = controle_champ_manquant(ctx(fiche_test(exercice=None)))
    assert [a.champs for a in anomalies] == [["identification.exercice"]]


# --- DELAI --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ligne", "en_retard"),
    [
        ("Rapport reçu le 14 juin 2024", True),
        ("Reçu en mairie le 3 juillet 2024", True),
        ("Date de réception : 14/06/2024", True),
        ("Le présent rapport a été transmis à la collectivité le 20 juin 2024.", True),
        ("Rapport reçu le 28 mai 2024", False),
        ("Rapport reçu le 1er juin 2024", False),  # le 1er juin est dans le délai
        ("Rapport reçu le 14 juin 2023", False),  # année de l'exercice : pas le dépôt
        ("Réception des travaux du poste de relèvement en juin 2024.", False),
        ("Courrier de l'ARS reçu le 12 juillet 2024 sur la qualité de l'eau distribuée.", False),
        (
            "Les bordereaux de la campagne de mesures de qualité de l'eau ont été transmis "
            "au laboratoire le 18 juin 2024 pour contre-analyse.",
            False,
        ),
    ],
)
def test_delai(ligne: str, en_retard: bool) -> None:
    anomalies = controle_delai(ctx(fiche_test(), document_test("Rapport annuel 2023", ligne)))
    assert len(anomalies) == en_retard
    for a in anomalies:
        assert a.gravite == Gravite.INFO and a.pages == [1] and "L.3131-5" in a.regle
        assert "1er juin 2024" in a.message


def test_delai_mois_limite_reglable_et_exercice_du_document() -> None:
    document = document_test("Rapport reçu le 14 juin 2024")
    assert controle_delai(ctx(fiche_test(), document, SeuilsControles(mois_limite_depot=7))) == []
    sans_exercice = fiche_test(exercice=None)
    assert controle_delai(ctx(sans_exercice, document)) == []
    document.exercice_probable = 2023
    assert len(controle_delai(ctx(sans_exercice, document))) == 1


# --- EXERCICE_PRECEDENT -------------------------------------------------------------------


def _avec_lignes(
    fiche: Fiche, lignes: list[tuple[str, str, str | None, dict[int, float]]]
) -> Fiche:
    fiche.financier.lignes = [
        LigneCare(
            libelle=libelle,
            page=4,
            section=section,  # type: ignore[arg-type]
            poste=poste,
            valeurs={str(a): _champ(v, page=4) for a, v in valeurs.items()},
        )
        for libelle, section, poste, valeurs in lignes
    ]
    return fiche


def test_exercice_precedent_lignes_et_postes() -> None:
    avant = _avec_lignes(
        fiche_test({"total_charges": {2022: 1_000_000}}, exercice=2022),
        [
            ("Énergie", "charges", None, {2022: -100_000}),
            ("Total charges", "charges", "total_charges", {2022: -1e6}),
        ],
    )
    apres = _avec_lignes(
        fiche_test({"total_charges": {2022: 1_020_000, 2023: 1_100_000}}),
        [
            ("ÉNERGIE ", "charges", None, {2022: 120_000, 2023: 130_000}),
            ("Total charges", "charges", "total_charges", {2022: -1_020_000}),
        ],
    )
    (anomalie,) = controle_exercice_precedent(ctx(apres, historique=[avant]))
    assert anomalie.code == "EXERCICE_PRECEDENT" and anomalie.gravite == Gravite.ALERTE
    assert anomalie.champs == [
        "financier.postes.total_charges.2022",
        "financier.lignes[0].valeurs.2022",
    ]
    assert "« ÉNERGIE »" in anomalie.message and "+20\u202f000\u00a0€" in anomalie.message
    assert "rapport.pdf" in anomalie.message


@pytest.mark.parametrize(
    ("unite", "citation", "avant", "apres", "attendu"),
    [
        (UniteSource.EURO, "1 000 002", 1_000_000, 1_000_002, False),  # 2 € : arrondi
        (UniteSource.EURO, "1 000 003", 1_000_000, 1_000_003, True),
        (UniteSource.MILLIER_EURO, "1 284,6", 1_284_600, 1_284_640, False),  # < 50 €
        (UniteSource.MILLIER_EURO, "1 284,7", 1_284_600, 1_284_700, True),
        (UniteSource.MILLIER_EURO, "1 285", 1_284_600, 1_285_000, False),  # k€ entiers : 500 €
        (UniteSource.MILLION_EURO, "8,63", 8_630_000, 8_634_000, False),  # M€ à 2 déc. : 5 000 €
    ],
)
def test_exercice_precedent_tolerance_de_l_unite(
    unite: UniteSource, citation: str, avant: float, apres: float, attendu: bool
) -> None:
    ancienne = fiche_test({"chiffre_affaires": {2022: avant}}, exercice=2022, unite=unite)
    nouvelle = fiche_test({"chiffre_affaires": {2022: apres, 2023: apres}}, unite=unite)
    nouvelle.financier.postes["chiffre_affaires"]["2022"].citation = citation
    ancienne.financier.postes["chiffre_affaires"]["2022"].citation = citation
    assert len(controle_exercice_precedent(ctx(nouvelle, historique=[ancienne]))) == attendu


def test_exercice_precedent_signe_imprime_des_charges_et_autre_contrat() -> None:
    avant = _avec_lignes(fiche_test(exercice=2022), [("Personnel", "charges", None, {2022: -5000})])
    apres = _avec_lignes(fiche_test(), [("Personnel", "charges", None, {2022: 5000, 2023: 6000})])
    assert controle_exercice_precedent(ctx(apres, historique=[avant])) == []
    autre = fiche_test({"chiffre_affaires": {2022: 1}}, exercice=2022, delegataire="Autre SAS")
    apres.financier.postes["chiffre_affaires"] = {"2022": _champ(1000.0)}
    assert controle_exercice_precedent(ctx(apres, historique=[autre])) == []


def test_charger_historique(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Même contrat (après normalisation : casse, accents, espaces), exercice antérieur,
    le plus récent d'abord ; à exercice égal, la fiche revue par un agent d'abord ;
    fichiers illisibles ignorés avec une trace au journal."""
    courante = fiche_test(exercice=2024)
    ecrire = {
        "a2021.fiche.json": fiche_test(exercice=2021),
        "a2023.fiche.json": fiche_test(exercice=2023, collectivite="VILLE DE PORT-AZUR  "),
        "a2023_revue.fiche.json": fiche_test(exercice=2023),
        "a2024.fiche.json": fiche_test(exercice=2024),
        "a2025.fiche.json": fiche_test(exercice=2025),
        "autre.fiche.json": fiche_test(exercice=2023, objet="Parc de la gare"),
    }
    ecrire["a2023_revue.fiche.json"].revue = Revue(
        statut="validee", agent="A. Martin", date=datetime(2024, 9, 1, tzinfo=UTC),
        duree_active_s=60, corrections=0,
    )  # fmt: skip
    for nom, fiche in ecrire.items():
        (tmp_path / nom).write_text(fiche.vers_json(), "utf-8")
    (tmp_path / "casse.fiche.json").write_text('{"schema": "autre"}', "utf-8")
    (tmp_path / "notes.txt").write_text("pas une fiche", "utf-8")
    with caplog.at_level(logging.INFO, logger="controles.historique"):
        historique = charger_historique(tmp_path, courante)
    assert [(f.identification.exercice.valeur, f.revue is not None) for f in historique] == [
        (2023, True),
        (2023, False),
        (2021, False),
    ]
    assert "casse.fiche.json" in caplog.text
    assert charger_historique(tmp_path / "absent", courante) == []
    assert charger_historique(tmp_path, fiche_test(exercice=2024, objet=None)) == []


# --- Lanceur ------------------------------------------------------------------------------


def test_catalogue_complet_et_documente() -> None:
    """Ces contrôles sont au catalogue et leur docstring cite la règle appliquée."""
    for controle in (
        controle_exercice_precedent,
        controle_variation,
        controle_frais_siege,
        controle_dates,
        controle_completude,
        controle_champ_manquant,
        controle_delai,
    ):
        assert controle in CATALOGUE
        doc = controle.__doc__ or ""
        assert any(r in doc for r in ("R.3131", "L.3131", "fiche.md")), controle


def test_aucun_controle_ne_leve_sur_une_fiche_vide() -> None:
    vide = Fiche(
        source=Source(fichier="vide.pdf", sha256="0", pages=0, scanne=False),
        production=Production(mode="regles", version="t", date=datetime.now(UTC), duree_s=0),
    )
    document = Document(fichier="vide.pdf", sha256="0", format="pdf")
    for controle in CATALOGUE:
        controle(Contexte(vide, document, SeuilsControles(), [vide]))
    codes = {a.code for a in controler(vide, document, Reglages()).anomalies}
    assert codes & MES_CODES == {"CHAMP_MANQUANT"}


def test_controler_garde_dedoublonne_trie_et_survit(caplog: pytest.LogCaptureFixture) -> None:
    fiche = fiche_test(
        {"chiffre_affaires": {2022: 1e6, 2023: 2e6}},
        debut=date(2024, 1, 1),
    )
    gardees = [
        Anomalie(
            code="INSTRUCTIONS_SUSPECTES", gravite=Gravite.ALERTE, message="m", pages=[7], regle="r"
        ),
        Anomalie(code="DESACCORD", gravite=Gravite.ALERTE, message="m", champs=["x"], regle="r"),
        Anomalie(
            code="VARIATION", gravite=Gravite.INFO, message="ancienne", champs=["y"], regle="r"
        ),
    ]
    fiche.anomalies = list(gardees)
    double = Anomalie(code="DELAI", gravite=Gravite.INFO, message="a", pages=[1, 2], regle="r")

    def en_double(_: Contexte) -> list[Anomalie]:
        return [double, double.model_copy(update={"message": "b", "pages": [2, 1]})]

    def en_panne(_: Contexte) -> list[Anomalie]:
        raise ZeroDivisionError("bogue")

    with caplog.at_level(logging.ERROR, logger="controles"):
        resultat = controler(
            fiche,
            document_test(),
            Reglages(),
            controles=[en_double, en_panne, controle_variation, controle_dates],
        )
    assert "en_panne" in caplog.text and "ZeroDivisionError" in caplog.text
    assert [(a.code, a.gravite.value) for a in resultat.anomalies] == [
        ("DATES", "bloquant"),
        ("INSTRUCTIONS_SUSPECTES", "alerte"),
        ("DESACCORD", "alerte"),
        ("VARIATION", "alerte"),
        ("DELAI", "info"),
    ]
    assert fiche.anomalies == gardees  # l'entrée n'est pas modifiée
    # Relancer ne duplique rien : les anomalies des contrôles sont recalculées.
    encore = controler(resultat, document_test(), Reglages(), controles=[controle_variation])
    assert [a.code for a in encore.anomalies].count("VARIATION") == 1


def test_controler_surcharges_invalides_retombe_sur_les_defauts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reglages = Reglages(controles_par_secteur={"stationnement": {"variation_alerte": 0.01}})
    fiche = fiche_test({"chiffre_affaires": {2022: 1e6, 2023: 1.2e6}})
    with caplog.at_level(logging.WARNING, logger="controles"):
        resultat = controler(fiche, document_test(), reglages)
    assert "stationnement" in caplog.text
    assert [a.gravite for a in resultat.anomalies if a.code == "VARIATION"] == [Gravite.INFO]


def test_codes_des_controles() -> None:
    assert MES_CODES <= CODES_CONTROLES
    assert not {"INSTRUCTIONS_SUSPECTES", "DESACCORD"} & CODES_CONTROLES
