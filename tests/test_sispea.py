"""Indicateurs SISPEA : mécanismes sur petits documents fabriqués, contrôles, et pipeline
complet sur les cinq RPQS réels de `shared/reels/` contre leur colonne `pdf_value`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from controles.base import Contexte
from controles.sispea import (
    controle_sispea_bornes,
    controle_sispea_exercice_precedent,
    controle_sispea_prix,
)
from extracteurs.document import extraire
from extracteurs.modeles import Boite, Document, Ligne, Mot, Page
from fiche.evaluation_sispea import Score, comparer, lire_reference
from fiche.modeles import Ancrage, Champ, Fiche, Production, Source
from fiche.production import produire_fiche
from fiche.regles.sispea import indicateurs_sispea
from socle.reglages import SeuilsControles, reglages

REELS = Path(__file__).resolve().parents[1].parent / "shared" / "reels"


def _ligne(page: int, rang: int, y: float, cellules: list[tuple[float, str]]) -> Ligne:
    """Une ligne de tableau : cellules (x de départ, texte), mots avec leur boîte."""
    mots = []
    for x, texte in cellules:
        for mot in texte.split():
            mots.append(Mot(texte=mot, boite=Boite(x0=x, haut=y, x1=x + 6 * len(mot), bas=y + 10)))
            x += 6 * len(mot) + 4
    boite = Boite(x0=mots[0].boite.x0, haut=y, x1=mots[-1].boite.x1, bas=y + 10)  # type: ignore[union-attr]
    texte = "\t".join(t for _, t in cellules)
    return Ligne(id=f"p{page}-l{rang}", page=page, texte=texte, boite=boite, mots=mots)


def _document(*pages: list[list[tuple[float, str]]]) -> Document:
    resultat = []
    for numero, lignes in enumerate(pages, start=1):
        construites = [_ligne(numero, k, 60 + 20 * k, c) for k, c in enumerate(lignes)]
        resultat.append(Page(numero=numero, largeur=595, hauteur=842, lignes=construites))
    return Document(fichier="essai.pdf", sha256="0" * 64, format="pdf", pages=resultat)


def _valeurs(document: Document, exercice: int = 2021) -> dict[str, float | None]:
    return {k: c.valeur for k, c in indicateurs_sispea(document, exercice).items()}


RECAP = [
    [(50, "Rapport sur le prix et la qualité du service d'assainissement collectif")],
    [(50, "Tableau récapitulatif des indicateurs")],
    [(360, "Valeur 2020"), (470, "Valeur 2021")],
    [(50, "P202.2B"), (120, "Indice de connaissance"), (370, "10"), (480, "85")],
    [(50, "P203.3"), (120, "Conformité de la collecte"), (370, "Non conforme"), (480, "Conforme")],
    [(50, "D202.0"), (120, "Nombre d'autorisations"), (370, "2"), (480, "NEANT")],
    [(50, "P206.3"), (120, "Taux de boues conformes"), (370, "100%"), (480, "____%")],
]


def test_colonne_de_l_exercice_jamais_n_moins_un() -> None:
    document = _document(RECAP)
    assert _valeurs(document, 2021)["P202.2B"] == 85
    assert _valeurs(document, 2020)["P202.2B"] == 10
    # Un tableau qui ne donne que N-1 ne donne rien pour N.
    seul_n1 = _document([[(360, "Valeur 2020")], [(50, "P202.2B"), (120, "Indice"), (370, "10")]])
    assert "P202.2B" not in _valeurs(seul_n1, 2021)


def test_recapitulatif_sur_deux_pages_garde_son_en_tete() -> None:
    suite = [[(50, "P207.0"), (120, "Abandons de créance"), (370, "0,0012"), (480, "0,0008")]]
    document = _document(RECAP, suite)
    assert _valeurs(document)["P207.0"] == 0.0008
    # Sans rangée datée sur la page précédente, deux colonnes sans en-tête : abstention.
    assert "P207.0" not in _valeurs(_document([[(50, "Rapport")]], suite))


def test_libelle_suivi_du_code_exige_une_colonne_datee() -> None:
    rad = _document(
        [
            [(50, "Indicateurs de performance"), (300, "2023"), (400, "2024")],
            [(50, "Rendement du réseau (P104.3)"), (300, "83,2 %"), (400, "83,5 %")],
        ]
    )
    assert _valeurs(rad, 2024) == {"P104.3": 83.5}
    sommaire = _document([[(50, "Taux de desserte (P201.1)"), (500, "7")]])
    assert _valeurs(sommaire) == {}  # un numéro de page n'est pas un taux


def test_conformite_neant_et_blanc() -> None:
    lus = indicateurs_sispea(_document(RECAP), 2021)
    assert lus["P203.3"].valeur == 100 and lus["P203.3"].ancrage == Ancrage.APPROCHE
    assert indicateurs_sispea(_document(RECAP), 2020)["P203.3"].valeur == 0
    # « NEANT » et un blanc à remplir : vide déclaré, citation gardée, jamais la valeur N-1.
    assert lus["D202.0"].valeur is None and "NEANT" in (lus["D202.0"].citation or "")
    assert lus["P206.3"].valeur is None
    assert lus["P202.2B"].citation and "Indice de connaissance" in lus["P202.2B"].citation
    assert lus["P202.2B"].page == 1 and lus["P202.2B"].ancrage == Ancrage.EXACT


def test_recit_sous_le_code_et_annee_precedente_ecartee() -> None:
    document = _document(
        [
            [(50, "assainissement collectif")],
            [(50, "3.8. Points noirs du réseau de collecte (P252.2)")],
            [(50, "L’indicateur P252.2 est donc de 16,76 (pour 100 km).")],
            [(50, "3.6. Taux de boues évacuées (P206.3)")],
            [(50, "Pour l'exercice 2021, le taux de boues évacuées est ____% (100% en 2020).")],
            [(50, "3.1. Taux de desserte (P201.1)")],
            [(50, "En 2020, le taux de desserte était de 98 %.")],
            [(50, "3.2. Population desservie (D201.0)")],
            [(50, "Le service dessert 192 abonnés au 31/12/2021.")],
        ]
    )
    lus = _valeurs(document)
    assert lus["P252.2"] == 16.76
    assert lus["P206.3"] is None  # jamais le 100 % de 2020
    assert "P201.1" not in lus  # phrase datée d'une autre année
    assert "D201.0" not in lus  # 192 abonnés ne sont pas des habitants


def _facture(date: str) -> Document:
    """Une facture d'assainissement de 120 m³ aux 1er janvier N et N+1."""
    return _document(
        [
            [(50, "RPQS assainissement collectif 2021")],
            [(50, "Facture d’assainissement type pour 120 m3")],
            [(50, "Facture type"), (300, f"{date}2021"), (450, f"{date}2022")],
            [(50, "Total TTC"), (310, "243,00 €"), (460, "244,20 €")],
        ]
    )


def test_prix_derive_de_la_facture_de_120_m3_marque_calcule() -> None:
    prix = indicateurs_sispea(_facture("1er janvier"), 2021)["D204.0"]
    assert prix.valeur == 2.04  # 244,20 / 120, au 1er janvier N+1, arrondi commercial
    assert prix.ancrage == Ancrage.CALCULE
    assert prix.citation and "244,20" in prix.citation and "120" in prix.citation
    # Une facture eau + assainissement ne dit pas le prix d'un seul service.
    melange = _document(
        [
            [(50, "RPQS assainissement collectif 2021")],
            [(50, "Facture type assainissement et eau potable pour 120 m3")],
            [(50, "Facture type"), (300, "1er janvier 2021"), (450, "1er janvier 2022")],
            [(50, "Total TTC"), (310, "556,22 €"), (460, "559,32 €")],
        ]
    )
    assert "D204.0" not in indicateurs_sispea(melange, 2021)


def test_recit_hors_sujet_et_prix_au_premier_janvier_n() -> None:
    document = _document(
        [
            [(50, "1.3. Estimation de la population desservie (D201.0)")],
            [(50, "Le nombre d'habitants par abonné est de 2,48.")],
            [(50, "2.2. Facture d'assainissement type (D204.0)")],
            [(50, "Le prix au 1er janvier 2021 est de 1,98 €/m³.")],
            [(50, "5.1. Abandons de créance (P207.0)")],
            [(50, "Le montant des abandons de créance est de 16,89 €.")],
        ]
    )
    # 2,48 n'est pas la population ; 1,98 est le prix de N ; 16,89 € ne sont pas des €/m³
    assert _valeurs(document) == {}


def test_codes_en_tete_de_colonnes() -> None:
    def document(*stations: tuple[str, str]) -> Document:
        entete = [(300, "(P203.3)"), (400, "(P204.3)")]
        rangees = [
            [(50, nom), (305, a), (405, b)] for nom, (a, b) in zip("AB", stations, strict=False)
        ]
        return _document(
            [[(50, "Station"), (300, "Collecte"), (400, "Équipements")], entete, *rangees]
        )

    assert _valeurs(document(("OUI", "NON"))) == {"P203.3": 100, "P204.3": 0}
    assert _valeurs(document(("OUI", "OUI"), ("OUI", "NON"))) == {"P203.3": 100}


def test_libelle_reglementaire_sans_code_sous_les_annees() -> None:
    def document(titre: str) -> Document:
        return _document(
            [
                [(50, titre)],
                [(50, "Indicateurs financiers"), (300, "2020"), (400, "2021")],
                [(50, "Durée d’extinction de la dette de")],
                [(300, "14,6 ans"), (400, "13,3 ans")],
                [(50, "la collectivité")],
                [(50, "Indice de connaissance et de gestion patrimoniale des réseaux de collecte "
                  "des eaux usées"), (300, "90"), (400, "93")],
            ]
        )  # fmt: skip

    assert _valeurs(document("Rapport annuel assainissement collectif")) == {
        "P202.2B": 93,
        "P256.2": 13.3,
    }
    # Eau et assainissement dans le même rapport : la dette de quel service ? Abstention.
    melange = _valeurs(document("Rapport eau potable et assainissement"))
    assert melange == {"P202.2B": 93}


def test_taux_par_station_sous_le_titre() -> None:
    def document(taux: tuple[str, str]) -> Document:
        return _document(
            [
                [(50, "3.6. Taux de boues évacuées selon les filières conformes (P206.3)")],
                [(50, "Station"), (300, "Taux de conformité (%)")],
                [(50, "Station du bourg"), (320, taux[0])],
                [(50, "Station du village"), (320, taux[1])],
            ]
        )

    assert _valeurs(document(("100", "100")))["P206.3"] == 100  # moyenne pondérée de 100
    assert "P206.3" not in _valeurs(document(("100", "80")))  # moyenne inconnue


def _fiche(indicateurs: dict[str, float], exercice: int = 2021) -> Fiche:
    fiche = Fiche(
        source=Source(fichier="essai.pdf", sha256="0" * 64, pages=1, scanne=False),
        production=Production(mode="regles", version="t", date=datetime.now(UTC), duree_s=0),
        indicateurs_sispea={k: Champ[float](valeur=v, page=1) for k, v in indicateurs.items()},
    )
    fiche.identification.exercice = Champ[int](valeur=exercice)
    return fiche


def _contexte(fiche: Fiche, document: Document, historique: list[Fiche] | None = None) -> Contexte:
    return Contexte(fiche, document, SeuilsControles(), historique or [])


def test_controles_bornes_et_taux() -> None:
    ctx = _contexte(_fiche({"P201.1": 120.0, "D204.0": 45.0, "P202.2B": 85.0}), _document([]))
    codes = {(a.code, a.champs[0]) for a in controle_sispea_bornes(ctx)}
    assert codes == {
        ("SISPEA_TAUX", "indicateurs_sispea.P201.1"),
        ("SISPEA_BORNES", "indicateurs_sispea.D204.0"),
    }


def test_controle_prix_contre_la_facture() -> None:
    document = _facture("Au 01/01/")
    assert controle_sispea_prix(_contexte(_fiche({"D204.0": 2.04}), document)) == []
    anomalies = controle_sispea_prix(_contexte(_fiche({"D204.0": 2.03 + 0.5}), document))
    assert [a.code for a in anomalies] == ["SISPEA_PRIX"]


def test_controle_n_moins_un_contre_la_fiche_validee() -> None:
    document = _document(RECAP)
    precedente = _fiche({"P202.2B": 12.0}, exercice=2020)
    anomalies = controle_sispea_exercice_precedent(
        _contexte(_fiche({"P202.2B": 85.0}), document, [precedente])
    )
    assert [a.code for a in anomalies] == ["SISPEA_EXERCICE_PRECEDENT"]
    assert "10" in anomalies[0].message and "12" in anomalies[0].message
    identique = _fiche({"P202.2B": 10.0}, exercice=2020)
    ctx = _contexte(_fiche({"P202.2B": 85.0}), document, [identique])
    assert controle_sispea_exercice_precedent(ctx) == []


@pytest.fixture(scope="module")
def scores_reels() -> dict[str, Score]:
    if not REELS.is_dir():
        pytest.skip(f"dossier des RPQS réels absent : {REELS}")
    scores = {}
    for reference in sorted(REELS.glob("*.indicateurs.csv")):
        pdf = reference.with_name(reference.name.replace(".indicateurs.csv", ".pdf"))
        fiche = produire_fiche(extraire(pdf), "regles", reglages())
        for code, champ in fiche.indicateurs_sispea.items():
            if champ.valeur is not None:  # chaque valeur porte sa page et sa citation
                assert champ.page and champ.citation, code
                assert champ.ancrage != Ancrage.ABSENT, code
        scores[pdf.stem] = comparer(fiche.indicateurs_sispea, lire_reference(reference), pdf.stem)
    return scores


def test_rpqs_reels_contre_pdf_value(scores_reels: dict[str, Score]) -> None:
    assert len(scores_reels) == 5
    total = Score()
    for score in scores_reels.values():
        total.ajouter(score)
    assert total.faux_positifs == 0, total.ecarts  # aucune valeur fausse
    assert total.exactitude >= 0.96, total.ecarts
    assert total.rappel >= 0.94, total.ecarts


def test_dsp_indicateurs_depuis_un_dossier_de_fiches(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.principal import app

    fiche = _fiche({"D204.0": 1.05, "P207.0": 0.0008, "D201.0": 476.0})
    fiche.indicateurs_sispea["P206.3"] = Champ[float](valeur=None, page=19, citation="____%")
    (tmp_path / "allain.fiche.json").write_text(fiche.vers_json(), encoding="utf-8")
    sortie = tmp_path / "sispea.csv"
    resultat = CliRunner().invoke(app, ["indicateurs", str(sortie), "--fiches", str(tmp_path)])
    assert resultat.exit_code == 0, resultat.output
    lignes = sortie.read_text(encoding="utf-8-sig").splitlines()
    assert lignes[0].startswith("code;valeur;page;")
    assert "D204.0;1,05;1;€/m³" in lignes[1]
    assert any(ligne.startswith("P207.0;0,0008;1;") for ligne in lignes)
    assert any(ligne.startswith("D201.0;476;1;") for ligne in lignes)
    assert any(ligne.startswith("P206.3;;19;") for ligne in lignes)


def test_revue_section_et_correction_d_un_indicateur() -> None:
    from revue.services.corrections import lire_saisie
    from revue.services.fiche import champ_de, sections

    fiche = _fiche({"D204.0": 1.05})
    fiche.indicateurs_sispea["D204.0"].citation = "D204.0 Prix TTC du service au m³ 1,05"
    section = next(s for s in sections(fiche) if s.titre == "Indicateurs SISPEA")
    ligne = section.lignes[0]
    assert ligne.chemin == "indicateurs_sispea.D204.0" and ligne.page == 1
    assert ligne.citation == "D204.0 Prix TTC du service au m³ 1,05"
    champ = champ_de(fiche, "indicateurs_sispea.D204.0")
    assert champ is not None and lire_saisie(champ, "1,06") == 1.06


def test_fiche_word_tableau_des_indicateurs() -> None:
    from publication.contexte import contexte_fiche

    fiche = _fiche({"D204.0": 2.04, "P201.1": 100.0})
    fiche.indicateurs_sispea["D204.0"].ancrage = Ancrage.CALCULE
    lignes = contexte_fiche(fiche, brouillon=True).indicateurs_sispea
    assert sorted((x.code, x.valeur) for x in lignes) == [
        ("D204.0", "2,04 (calculé : facture 120 m³ / 120)"),
        ("P201.1", "100"),
    ]


def test_segments_memorises_par_ligne_sans_melange() -> None:
    """Les segments d'une ligne sont mémorisés (les règles les redemandent ~7 fois) : même
    résultat que le calcul, une liste neuve à chaque appel, et deux lignes de même texte
    mais de boîtes différentes gardent chacune leurs étendues."""
    from fiche.regles.sispea.geometrie import _segments, segments

    gauche = _ligne(1, 0, 60, [(60, "Abonnés"), (300, "1 234")])
    droite = _ligne(1, 1, 80, [(60, "Abonnés"), (420, "1 234")])
    premiers = segments(gauche)
    premiers.append(premiers[0])  # la liste rendue appartient à l'appelant
    assert segments(gauche) == _segments(gauche) and len(segments(gauche)) == 2
    assert segments(droite)[1].x0 == 420 and segments(gauche)[1].x0 == 300
