"""Gabarits Word : chaque fiche de référence se rend, et le document rouvert par python-docx
porte les chiffres à la française, les anomalies de la plus grave à la moins grave, la
mention de transparence et, sur un brouillon seulement, le filigrane."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentWord
from docx.table import Table
from docxtpl import DocxTemplate
from jinja2 import nodes
from typer.testing import CliRunner

from cli.principal import app
from controles.commun import euros
from fiche.modeles import Anomalie, Champ, Fiche, Gravite, Production, Revue, Source
from publication import publier_rapport, rapports_ccspl, rendre_fiche
from publication.contexte import Reconnaissance
from publication.filtres import FILTRES, environnement
from publication.libelles import FILIGRANE, ORDRE_GRAVITE
from publication.rendu import DOSSIER_GABARITS
from socle.erreurs import PublicationError
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import CORPUS, RACINE

FICHES = sorted(CORPUS.glob("*.fiche.json"))
REVUE = Revue(
    statut="valide",
    agent="Mme Durand",
    date=datetime(2024, 6, 3, 10, 30),
    duree_active_s=900,
    corrections=2,
    avis="Rapport complet ; la redevance progresse comme le chiffre d'affaires.",
)
PREFIXES_VIGILANCE = ("Bloquant (", "Alerte (", "Information (")


# --- Lecture d'un document rendu ---------------------------------------------------------


def charger(nom: str) -> Fiche:
    return Fiche.model_validate_json((CORPUS / nom).read_text(encoding="utf-8"))


def ouvrir(chemin: Path) -> DocumentWord:
    return Document(str(chemin))


def textes(doc: DocumentWord) -> list[str]:
    """Paragraphes du corps puis cellules de chaque tableau."""
    corps = [p.text for p in doc.paragraphs]
    cellules = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return corps + cellules


def entete(doc: DocumentWord) -> str:
    return "\n".join(p.text for p in doc.sections[0].header.paragraphs)


def pied(doc: DocumentWord) -> str:
    return "\n".join(p.text for p in doc.sections[0].footer.paragraphs)


def filigrane_vml(doc: DocumentWord) -> list[str]:
    """Le texte des filigranes VML de l'en-tête (forme que Word pose comme filigrane)."""
    xml = doc.sections[0].header._element.xml
    return re.findall(r'<v:textpath [^>]*string="([^"]*)"', xml)


def tableau(doc: DocumentWord, premiere_entete: str, *suivantes: str) -> Table:
    """Le premier tableau dont l'en-tête commence par ces colonnes."""
    entete = [premiere_entete, *suivantes]
    return next(t for t in doc.tables if [c.text for c in t.rows[0].cells][: len(entete)] == entete)


def ligne(table: Table, libelle: str) -> list[str]:
    return next([c.text for c in r.cells] for r in table.rows if r.cells[0].text == libelle)


def vigilance(doc: DocumentWord) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.startswith(PREFIXES_VIGILANCE)]


# --- Fiches de référence -----------------------------------------------------------------


def verifier_chiffres(doc: DocumentWord, fiche: Fiche) -> None:
    annee = fiche.identification.exercice.valeur
    assert annee is not None
    chiffre_affaires = fiche.financier.postes["chiffre_affaires"]
    courant, precedent = chiffre_affaires[str(annee)], chiffre_affaires[str(annee - 1)]
    assert courant.valeur is not None and precedent.valeur is not None
    table = tableau(doc, "Poste")
    assert [c.text for c in table.rows[0].cells][1:3] == [str(annee - 1), str(annee)]
    cellules = ligne(table, "Chiffre d'affaires")
    assert cellules[1:3] == [euros(precedent.valeur), euros(courant.valeur)]
    assert cellules[4] == f"page {courant.page}"
    assert re.fullmatch(r"[+-]?\d+,\d\u00a0%", cellules[3])  # « 0,0 % » sans signe


def verifier_vigilance(doc: DocumentWord, fiche: Fiche) -> None:
    attendues = sorted(fiche.anomalies, key=lambda a: ORDRE_GRAVITE[a.gravite])
    lues = vigilance(doc)
    assert len(lues) == len(attendues)
    for texte, anomalie in zip(lues, attendues, strict=True):
        assert f"({anomalie.code}) : {anomalie.message}" in texte
    if not attendues:
        assert "Les contrôles de cohérence ne relèvent aucune anomalie." in textes(doc)


@pytest.mark.parametrize("chemin", FICHES, ids=lambda c: c.name.removesuffix(".fiche.json"))
def test_chaque_fiche_de_reference_se_rend(chemin: Path, tmp_path: Path) -> None:
    fiche = charger(chemin.name)
    brouillon = ouvrir(rendre_fiche(fiche, tmp_path / "brouillon.docx", brouillon=True))
    validee = fiche.model_copy(update={"revue": REVUE})
    finale = ouvrir(rendre_fiche(validee, tmp_path / "finale.docx", brouillon=False))
    for doc in (brouillon, finale):
        verifier_chiffres(doc, fiche)
        verifier_vigilance(doc, fiche)
        assert fiche.source.fichier in pied(doc)
    assert FILIGRANE in entete(brouillon) and filigrane_vml(brouillon) == [FILIGRANE]
    assert FILIGRANE not in entete(finale) and not filigrane_vml(finale)
    mention = "Fiche rédigée par extraction automatique et validée par Mme Durand le 3 juin 2024."
    assert mention in pied(finale) and mention in textes(finale)
    assert "non encore validée par un agent" in pied(brouillon)
    assert REVUE.avis in textes(finale)


def test_gabarit_compile_une_fois_sans_melanger_les_fiches(tmp_path: Path) -> None:
    """Le XML préparé et le gabarit jinja compilé servent d'une fiche à l'autre (docxtpl
    les refaisait à chaque rendu) : chaque document ne porte que les valeurs de sa fiche."""
    a, b = charger("stationnement_forville_2023.fiche.json"), charger("plage_lot7_2023.fiche.json")
    for rang, fiche in enumerate((a, b, a, b)):
        doc = ouvrir(rendre_fiche(fiche, tmp_path / f"{rang}.docx", brouillon=rang < 2))
        verifier_chiffres(doc, fiche)
        autre = b if fiche is a else a
        assert fiche.source.fichier in pied(doc) and autre.source.fichier not in pied(doc)
    compiles = environnement()._compiles  # type: ignore[attr-defined]
    assert 0 < len(compiles) <= 16, "une entrée par partie du gabarit, pas par fiche"


def test_montants_variations_et_pages_a_la_francaise(tmp_path: Path) -> None:
    doc = ouvrir(
        rendre_fiche(
            charger("stationnement_forville_2023.fiche.json"), tmp_path / "f.docx", brouillon=True
        )
    )
    assert ligne(tableau(doc, "Poste"), "Chiffre d'affaires") == [
        "Chiffre d'affaires",
        "2\u202f107\u202f124\u00a0€",
        "2\u202f198\u202f816\u00a0€",
        "+4,4\u00a0%",
        "page 5",
    ]
    assert ligne(tableau(doc, "Rubrique"), "Durée du contrat")[1] == (
        "du 1er avril 2012 au 31 mars 2032"
    )
    completude = tableau(doc, "Élément obligatoire")
    assert len(completude.rows) == 10  # en-tête + les neuf éléments de R.3131-3 et R.3131-4


def test_mention_selon_le_mode_de_production(tmp_path: Path) -> None:
    fiche = charger("plage_lot7_2023.fiche.json")
    llm = fiche.production.model_copy(update={"mode": "llm", "modele": "mistral-small"})
    fiche_llm = fiche.model_copy(update={"production": llm, "revue": REVUE})
    doc = ouvrir(rendre_fiche(fiche_llm, tmp_path / "llm.docx", brouillon=False))
    assert (
        "Fiche rédigée avec l'aide de l'IA générative et validée par Mme Durand le 3 juin 2024."
        in pied(doc)
    )
    assert any("IA générative (modèle mistral-small)" in t for t in textes(doc))
    brouillon = ouvrir(rendre_fiche(fiche_llm, tmp_path / "b.docx", brouillon=True))
    assert "Fiche rédigée avec l'aide de l'IA générative, non encore validée" in pied(brouillon)


def test_une_fiche_sans_revue_reste_un_brouillon(tmp_path: Path) -> None:
    fiche = charger("port_plaisance_2023.fiche.json")
    assert fiche.revue is None
    doc = ouvrir(rendre_fiche(fiche, tmp_path / "f.docx", brouillon=False))
    assert filigrane_vml(doc) == [FILIGRANE]
    assert "Avis à rédiger par l'agent lors de la validation." in textes(doc)


def test_points_de_vigilance_du_plus_grave_au_moins_grave(tmp_path: Path) -> None:
    def anomalie(code: str, gravite: Gravite) -> Anomalie:
        return Anomalie(code=code, gravite=gravite, message=f"Message {code}.", regle="r")

    fiche = charger("port_plaisance_2023.fiche.json").model_copy(
        update={
            "anomalies": [
                anomalie("INFO_1", Gravite.INFO),
                anomalie("ALERTE_1", Gravite.ALERTE),
                anomalie("BLOQUANT_1", Gravite.BLOQUANT),
                anomalie("ALERTE_2", Gravite.ALERTE),
            ]
        }
    )
    doc = ouvrir(rendre_fiche(fiche, tmp_path / "f.docx", brouillon=True))
    assert vigilance(doc) == [
        "Bloquant (BLOQUANT_1) : Message BLOQUANT_1.",
        "Alerte (ALERTE_1) : Message ALERTE_1.",
        "Alerte (ALERTE_2) : Message ALERTE_2.",
        "Information (INFO_1) : Message INFO_1.",
    ]


def test_anomalies_reconnues_imprimees_sous_leur_point(tmp_path: Path) -> None:
    """Issue 14, point 4 : la reconnaissance du valideur (qui, pourquoi) suit l'anomalie
    dans les points de vigilance ; une anomalie non reconnue n'en porte pas."""
    bloquant = Anomalie(code="CA", gravite=Gravite.BLOQUANT, message="CA × 1 000.", regle="r")
    alerte = Anomalie(code="FRAIS", gravite=Gravite.ALERTE, message="Frais élevés.", regle="r")
    fiche = charger("port_plaisance_2023.fiche.json").model_copy(
        update={"anomalies": [alerte, bloquant], "revue": REVUE}
    )
    reconnue = Reconnaissance(code="CA", message="CA × 1 000.", motif="k€ vérifiés", agent="Mme D")
    doc = ouvrir(
        rendre_fiche(fiche, tmp_path / "f.docx", brouillon=False, reconnaissances=[reconnue])
    )
    corps = [p.text for p in doc.paragraphs]
    rang = corps.index("Bloquant (CA) : CA × 1 000.")
    assert corps[rang + 1] == "Reconnue par Mme D : k€ vérifiés"
    assert corps[rang + 2] == "Alerte (FRAIS) : Frais élevés."
    assert sum(t.startswith("Reconnue par") for t in corps) == 1


HOSTILES = {
    "delegataire": "Dupont & Fils <script>alert('x')</script>",
    "fait": 'Il a dit « oui », puis "non" et l\'a écrit : {{ 7*7 }} {% if x %} & <b>',
    "avis": "Écart < 5 % & conforme ; « à suivre » \"sic\" 'sic'",
}


def fiche_hostile() -> Fiche:
    fiche = charger("plage_lot7_2023.fiche.json")
    identification = fiche.identification.model_copy(
        update={"delegataire": Champ[str](valeur=HOSTILES["delegataire"], page=2)}
    )
    return fiche.model_copy(
        update={
            "identification": identification,
            "faits_marquants": [Champ[str](valeur=HOSTILES["fait"], page=2)],
            "revue": REVUE.model_copy(update={"avis": HOSTILES["avis"]}),
        }
    )


def test_textes_avec_esperluette_chevrons_et_guillemets_intacts(tmp_path: Path) -> None:
    doc = ouvrir(rendre_fiche(fiche_hostile(), tmp_path / "f.docx", brouillon=False))
    lus = textes(doc)
    assert ligne(tableau(doc, "Rubrique"), "Délégataire")[1] == HOSTILES["delegataire"]
    assert f"{HOSTILES['fait']} (page 2)" in lus  # rendu une fois : pas de 49, pas de balise
    assert HOSTILES["avis"] in lus


def test_fiche_presque_vide(tmp_path: Path) -> None:
    fiche = Fiche(
        source=Source(fichier="vide.pdf", sha256="0" * 64, pages=1, scanne=True),
        production=Production(mode="regles", version="1", date=datetime(2024, 1, 1), duree_s=0),
    )
    doc = ouvrir(rendre_fiche(fiche, tmp_path / "f.docx", brouillon=True))
    assert ligne(tableau(doc, "Rubrique"), "Délégataire")[1] == "non renseigné"
    assert ligne(tableau(doc, "Poste"), "Chiffre d'affaires")[1:4] == ["—", "—", "—"]
    assert "Le rapport ne présente pas de grille tarifaire." in textes(doc)
    assert "Le rapport ne signale aucun fait marquant." in textes(doc)


def test_ecriture_atomique_sans_fichier_temporaire(tmp_path: Path) -> None:
    cible = tmp_path / "sortie" / "f.docx"
    rendre_fiche(charger("plage_lot7_2023.fiche.json"), cible, brouillon=True)
    assert [p.name for p in cible.parent.iterdir()] == ["f.docx"]


# --- Gabarits : seulement des balises docxtpl et des filtres enregistrés ------------------


@pytest.mark.parametrize("nom", ["fiche_synthese.docx", "rapport_ccspl.docx"])
def test_gabarits_sans_logique_hors_balises_docxtpl(nom: str) -> None:
    chemin = DOSSIER_GABARITS / nom
    doc = ouvrir(chemin)
    for paragraphe in doc.paragraphs:
        if "{%" in paragraphe.text:
            assert re.fullmatch(r"\{%p [^%]+%\}", paragraphe.text), paragraphe.text
    for table in doc.tables:
        for rangee in table.rows:
            cellules = [c.text for c in rangee.cells]
            if any("{%" in c for c in cellules):
                assert re.fullmatch(r"\{%tr [^%]+%\}", cellules[0]) and not any(cellules[1:])
    gabarit = DocxTemplate(str(chemin))
    gabarit.init_docx()
    source = gabarit.patch_xml(gabarit.get_xml())
    filtres = {f.name for f in environnement().parse(source).find_all(nodes.Filter)}
    assert filtres <= set(FILTRES) | {"length"}


def test_construire_regenere_les_gabarits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(RACINE / "gabarits"))
    import construire

    for fabrique, nom in (
        (construire.gabarit_fiche, "f.docx"),
        (construire.gabarit_ccspl, "c.docx"),
    ):
        fabrique().save(str(tmp_path / nom))
        assert ouvrir(tmp_path / nom).paragraphs


# --- Base : publication d'un rapport validé, rapport CCSPL ----------------------------------

VALIDES = ("stationnement_forville_2023", "plage_lot7_2023", "port_plaisance_2023")
A_VALIDER = "casino_les_pins_2023"


def enregistrer(depot: Depot, nom: str, fiche: Fiche | None = None) -> int:
    fiche = fiche or charger(f"{nom}.fiche.json")
    rapport, _ = depot.enregistrer_rapport(fiche.source.fichier, fiche.source.sha256)
    depot.enregistrer_fiche(rapport.id, fiche)
    depot.changer_statut(rapport.id, Statut.A_VALIDER)
    return rapport.id


@pytest.fixture
def depot() -> Iterator[Depot]:
    """La base de `DSP_DATA_DIR` : trois rapports 2023 validés (l'un porte sa revue, les
    autres n'ont que la validation du journal), un à valider, des contrats sans rapport."""
    depot = Depot()
    depot.importer_contrats(RACINE / "samples" / "contrats.csv")
    for nom in VALIDES:
        fiche = fiche_hostile() if nom == "plage_lot7_2023" else None
        rapport_id = enregistrer(depot, nom, fiche)
        depot.changer_statut(rapport_id, Statut.VALIDE, agent="M. Martin")
    enregistrer(depot, A_VALIDER)
    yield depot
    depot.fermer()


def numero(depot: Depot, fichier: str) -> int:
    return next(r.id for r in depot.rapports() if r.fichier == fichier)


def test_publier_un_rapport_valide(depot: Depot) -> None:
    chemin = publier_rapport(depot, numero(depot, "stationnement_forville_2023.pdf"), reglages())
    attendu = (
        reglages().data_dir / "publications" / "2023" / "stationnement_forville_2023.fiche.docx"
    )
    assert chemin == attendu
    doc = ouvrir(chemin)
    assert not filigrane_vml(doc)
    assert "Fiche rédigée par extraction automatique et validée par M. Martin le " in pied(doc)


def test_publier_refuse_un_rapport_non_valide(depot: Depot) -> None:
    with pytest.raises(PublicationError, match="« à valider » : seule une fiche validée"):
        publier_rapport(depot, numero(depot, f"{A_VALIDER}.pdf"), reglages())


def ccspl(depot: Depot, autorite: str) -> DocumentWord:
    """Le rapport CCSPL 2023 de l'autorité dont le nom de fichier contient `autorite`."""
    rapports = rapports_ccspl(depot, 2023, reglages())
    return ouvrir(next(p for p in rapports if autorite in p.name))


def test_un_rapport_ccspl_par_autorite(depot: Depot) -> None:
    noms = sorted(p.name for p in rapports_ccspl(depot, 2023, reglages()))
    # « Ville de » et « Commune de » Saint-Clair-les-Pins : une seule autorité. Le casino
    # (Bellerive-les-Bains), encore à valider, ne fait pas de rapport à lui seul.
    assert noms == [
        "rapport_ccspl_2023_commune-de-saint-clair-les-pins.docx",
        "rapport_ccspl_2023_ville-de-port-azur.docx",
    ]


def test_rapport_ccspl_sans_total_avec_graphiques(depot: Depot) -> None:
    doc = ccspl(depot, "saint-clair")
    synthese = tableau(doc, "Contrat")
    delegataires = [r.cells[1].text for r in synthese.rows[1:]]
    assert delegataires == [HOSTILES["delegataire"], "Société d'Exploitation du Port des Mimosas"]
    assert not any(r.cells[0].text.startswith("Total") for r in synthese.rows)
    lus = textes(doc)
    assert "Indiparc Stationnement SAS" not in " ".join(lus)  # une autre autorité
    assert any(t.startswith("2.2 Gestion du port de plaisance") for t in lus)
    assert HOSTILES["avis"] in lus  # le texte de chaque fiche insérée survit lui aussi
    # Un graphique des anomalies, puis un graphique N-1 / N par contrat.
    assert len(doc.inline_shapes) == 3
    assert "PowerPlusWaterMarkObject" not in doc.element.xml


def test_rapport_ccspl_chiffres_et_suivi_du_registre(depot: Depot) -> None:
    doc = ccspl(depot, "port-azur")
    forville = charger("stationnement_forville_2023.fiche.json")
    postes = forville.financier.postes
    assert ligne(tableau(doc, "Contrat"), "Exploitation du parc de stationnement Forville")[
        1:5
    ] == [
        "Indiparc Stationnement SAS",
        "Stationnement",
        euros(postes["chiffre_affaires"]["2023"].valeur or 0),
        euros(postes["resultat"]["2023"].valeur or 0),
    ]
    lus = textes(doc)
    assert sum("validée par M. Martin le " in t for t in lus) == 1
    # Attendus selon le registre : les deux contrats de Port-Azur, dont les halles manquent.
    assert "Selon le registre des contrats, 2 rapport(s) attendu(s) pour l'exercice 2023, " \
        "1 reçu(s) ; 1 manquant(s) ci-dessous." in lus  # fmt: skip
    manquants = [r.cells[0].text for r in tableau(doc, "Contrat", "Délégataire", "Objet").rows[1:]]
    assert manquants == ["MARCHE-HALLES"]


def test_rapport_ccspl_sans_registre_ne_pretend_rien() -> None:
    depot = Depot()
    try:
        rapport_id = enregistrer(depot, "port_plaisance_2023")
        depot.changer_statut(rapport_id, Statut.VALIDE, agent="M. Martin")
        (chemin,) = rapports_ccspl(depot, 2023, reglages())
    finally:
        depot.fermer()
    lus = " ".join(textes(ouvrir(chemin)))
    assert "Aucun registre des contrats n'a été importé" in lus
    assert "ont été reçus" not in lus


def test_rapport_ccspl_en_instruction_nomme_le_contrat(depot: Depot) -> None:
    fiche = charger("plage_lot7_2023.fiche.json")
    fiche = fiche.model_copy(
        update={"source": fiche.source.model_copy(update={"sha256": "1" * 64})}
    )
    rapport, _ = depot.enregistrer_rapport("plage_corrigee.pdf", "1" * 64)
    depot.enregistrer_fiche(rapport.id, fiche)
    depot.changer_statut(rapport.id, Statut.A_VALIDER)
    doc = ccspl(depot, "saint-clair")
    en_cours = [[c.text for c in r.cells] for r in tableau(doc, "Contrat", "État").rows[1:]]
    assert en_cours == [
        ["Exploitation du lot de plage n° 7 – plage des Mimosas — SARL La Vague Bleue",
         "à valider"]
    ]  # fmt: skip
    assert "plage_corrigee.pdf" not in " ".join(textes(doc))


def test_dsp_publier(depot: Depot) -> None:
    masque = os.umask(0o077)  # même d'un shell très restrictif, DSP_UMASK (027) l'emporte
    try:
        resultat = CliRunner().invoke(app, ["publier", "--exercice", "2023"])
    finally:
        os.umask(masque)
    assert resultat.exit_code == 0, resultat.output
    dossier = reglages().data_dir / "publications" / "2023"
    # Lisibles par l'équipe (groupe), pas par les autres ; plus les 0600 de mkstemp.
    assert {stat.S_IMODE(p.stat().st_mode) for p in dossier.iterdir()} == {0o640}
    assert sorted(p.name for p in dossier.iterdir()) == sorted(
        [f"{nom}.fiche.docx" for nom in VALIDES]
        + [
            "rapport_ccspl_2023_commune-de-saint-clair-les-pins.docx",
            "rapport_ccspl_2023_ville-de-port-azur.docx",
        ]
    )
    refus = CliRunner().invoke(
        app, ["publier", "--rapport", str(numero(depot, f"{A_VALIDER}.pdf"))]
    )
    assert refus.exit_code == 2
    assert "seule une fiche validée par un agent est publiée" in refus.output
