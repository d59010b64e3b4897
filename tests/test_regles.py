"""Remplissage par règles : exactitude sur le corpus, provenance, cas unitaires du domaine.

Les documents du corpus sont extraits une fois par session (et gardés dans le cache de
pytest, clé = empreinte du fichier et du code d'extraction) ; les cas unitaires sont des
`Document` construits à la main, au plus près de ce que rend l'extraction.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from extracteurs.modeles import Boite, Cellule, Colonne, Document, Ligne, Page, Tableau
from extracteurs.nombres import lire_nombre
from fiche.ancrage import champs_de
from fiche.evaluation import Comparaison, comparer_coeur, taux_exact
from fiche.modeles import Ancrage, Champ, Fiche, Secteur, TypeContrat
from fiche.regles import RemplisseurRegles, remplir_par_regles
from fiche.regles.care import poste_detail
from fiche.regles.champs import champ_calcule, champ_exact
from fiche.regles.dates import debut_et_fin, fin_selon_duree
from fiche.remplissage import Remplisseur
from tests.conftest import CORPUS, document_en_cache

SEUIL_NATIF = 0.98
SEUIL_SCANNE = 0.95
EXTENSIONS = (".pdf", ".docx", ".xlsx")


# --- Corpus -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest) -> dict[str, tuple[Document, Fiche]]:
    """Chaque échantillon extrait une seule fois, avec sa fiche de référence."""
    resultat: dict[str, tuple[Document, Fiche]] = {}
    for source in sorted(p for p in CORPUS.iterdir() if p.suffix in EXTENSIONS):
        document = document_en_cache(request.config, source)
        reference = Fiche.model_validate_json(
            (CORPUS / f"{source.stem}.fiche.json").read_text(encoding="utf-8")
        )
        resultat[source.name] = (document, reference)
    return resultat


@pytest.fixture(scope="session")
def fiches(corpus: dict[str, tuple[Document, Fiche]]) -> dict[str, Fiche]:
    return {nom: remplir_par_regles(document) for nom, (document, _) in corpus.items()}


def _bilan(
    corpus: dict[str, tuple[Document, Fiche]], fiches: dict[str, Fiche], scanne: bool
) -> tuple[list[Comparaison], list[str]]:
    comparaisons: list[Comparaison] = []
    echecs: list[str] = []
    for nom, (document, reference) in corpus.items():
        if document.scanne != scanne:
            continue
        resultat = comparer_coeur(fiches[nom], reference)
        comparaisons += resultat
        echecs += [
            f"{nom} {c.champ}: attendu {c.attendu!r}, obtenu {c.obtenu!r}"
            for c in resultat
            if not c.exact
        ]
    return comparaisons, echecs


def test_exactitude_natifs(
    corpus: dict[str, tuple[Document, Fiche]], fiches: dict[str, Fiche]
) -> None:
    comparaisons, echecs = _bilan(corpus, fiches, scanne=False)
    taux = taux_exact(comparaisons)
    assert len(comparaisons) > 250
    assert taux >= SEUIL_NATIF, f"{taux:.3f} < {SEUIL_NATIF}\n" + "\n".join(echecs)


def test_exactitude_scannes(
    corpus: dict[str, tuple[Document, Fiche]], fiches: dict[str, Fiche]
) -> None:
    comparaisons, echecs = _bilan(corpus, fiches, scanne=True)
    taux = taux_exact(comparaisons)
    assert comparaisons, "le corpus doit contenir des scans"
    assert taux >= SEUIL_SCANNE, f"{taux:.3f} < {SEUIL_SCANNE}\n" + "\n".join(echecs)


def test_provenance_de_chaque_valeur(fiches: dict[str, Fiche]) -> None:
    """Toute valeur remplie (postes, lignes, indicateurs, tarifs, effectif, identification,
    faits marquants) porte une page du document et une citation non vide."""
    manquantes = [
        f"{nom} {chemin}"
        for nom, fiche in fiches.items()
        for chemin, champ in champs_de(fiche)
        if champ.valeur is not None
        and (not champ.citation or champ.page is None or champ.page > fiche.source.pages)
    ]
    remplies = sum(
        1 for fiche in fiches.values() for _, c in champs_de(fiche) if c.valeur is not None
    )
    assert remplies > 900
    assert not manquantes, "\n".join(manquantes)


def test_fiche_complete_et_tracable(
    corpus: dict[str, tuple[Document, Fiche]], fiches: dict[str, Fiche]
) -> None:
    for nom, fiche in fiches.items():
        document, reference = corpus[nom]
        assert fiche.source.sha256 == document.sha256 == reference.source.sha256
        assert fiche.source.pages == len(document.pages)
        assert fiche.production.mode == "regles" and fiche.production.modele is None
        assert set(fiche.conformite) == set(reference.conformite)
        assert fiche.financier.lignes, f"{nom} : CARE non lu"
        for ligne in fiche.financier.lignes:
            assert all(c.ancrage == Ancrage.EXACT for c in ligne.valeurs.values())


def test_instructions_suspectes_signalees(fiches: dict[str, Fiche]) -> None:
    codes = {nom: [a.code for a in f.anomalies] for nom, f in fiches.items()}
    assert "INSTRUCTIONS_SUSPECTES" in codes["marche_halles_2023.pdf"]
    assert not codes["stationnement_forville_2023.pdf"]


def test_deterministe(corpus: dict[str, tuple[Document, Fiche]]) -> None:
    document, _ = corpus["plage_lot7_2023.pdf"]
    une, deux = remplir_par_regles(document), remplir_par_regles(document)
    exclus: Any = {"production"}
    assert une.model_dump(exclude=exclus) == deux.model_dump(exclude=exclus)


def test_protocole_remplisseur(corpus: dict[str, tuple[Document, Fiche]]) -> None:
    remplisseur: Remplisseur = RemplisseurRegles()
    assert remplisseur.mode == "regles"
    document, _ = corpus["casino_les_pins_2023.pdf"]
    assert remplisseur.remplir(document).production.version.startswith("regles/")


# --- Documents construits à la main ---------------------------------------------------------

Rangees = list[tuple[str, ...]]


def _tableau(
    rangees: Rangees,
    annees: tuple[int, ...] = (2022, 2023),
    unite: str | None = "euro",
    titre: str | None = None,
    page: int = 2,
    ident: str = "t2-1",
) -> Tableau:
    """Un tableau comme l'extraction le rend : en-tête d'années, libellé, montants."""
    cellules = [
        Cellule(texte=str(a), page=page, ligne=0, colonne=k + 1) for k, a in enumerate(annees)
    ]
    for rang, rangee in enumerate(rangees, start=1):
        cellules.append(Cellule(texte=rangee[0], page=page, ligne=rang, colonne=0))
        for k, texte in enumerate(rangee[1:], start=1):
            nombre = lire_nombre(texte)
            cellules.append(Cellule(texte=texte, nombre=nombre, page=page, ligne=rang, colonne=k))
    colonnes = [Colonne(index=0)] + [
        Colonne(index=k + 1, entete=str(a), annee=a) for k, a in enumerate(annees)
    ]
    return Tableau(
        id=ident,
        pages=[page],
        nb_lignes=len(rangees) + 1,
        nb_colonnes=len(annees) + 1,
        lignes_entete=1,
        colonnes=colonnes,
        unite=unite,  # type: ignore[arg-type]
        titre=titre,
        methode="alignement",
        score=1.0,
        cellules=cellules,
    )


def _document(
    textes: list[str],
    tableaux: list[Tableau] | None = None,
    exercice: int | None = 2023,
    pages: int = 2,
) -> Document:
    """Page 1 : les textes donnés (un titre puis du récit) ; pages suivantes : les tableaux."""
    lignes = [
        Ligne(
            id=f"p1-l{k + 1}",
            page=1,
            texte=t,
            genre="titre" if t.isupper() else "recit",
            boite=Boite(x0=50, haut=50 + 12 * k, x1=540, bas=60 + 12 * k),
        )
        for k, t in enumerate(textes)
    ]
    liste_pages = [Page(numero=1, largeur=595, hauteur=842, lignes=lignes)]
    liste_pages += [Page(numero=n, largeur=595, hauteur=842) for n in range(2, pages + 1)]
    for tableau in tableaux or []:
        page = liste_pages[tableau.pages[0] - 1]
        for rang in range(tableau.nb_lignes):
            textes_rang = [c.texte for c in tableau.cellules if c.ligne == rang]
            page.lignes.append(
                Ligne(
                    id=f"p{page.numero}-l{len(page.lignes) + 1}",
                    page=page.numero,
                    texte="\t".join(textes_rang),
                    genre="tableau",
                )
            )
    return Document(
        fichier="essai.pdf",
        sha256="0" * 64,
        format="pdf",
        pages=liste_pages,
        tableaux=tableaux or [],
        exercice_probable=exercice,
    )


def _postes(rangees: Rangees, **options: Any) -> dict[str, dict[str, float | None]]:
    fiche = remplir_par_regles(
        _document(["COMPTE ANNUEL DE RÉSULTAT"], [_tableau(rangees, **options)])
    )
    return {
        poste: {annee: champ.valeur for annee, champ in valeurs.items()}
        for poste, valeurs in fiche.financier.postes.items()
    }


@pytest.mark.parametrize(
    ("libelle", "section", "poste"),
    [
        ("Personnel", "charges", "charges_personnel"),
        ("Charges de personnel", "charges", "charges_personnel"),
        ("Frais de personnel", "charges", "charges_personnel"),
        ("Salaires et charges sociales", "charges", "charges_personnel"),
        ("641 - Rémunérations du personnel", "charges", "charges_personnel"),
        ("Sous-total personnel", "charges", "charges_personnel"),
        ("Personnel intérimaire", "charges", None),
        ("Contribution des services centraux et recherche", "charges", "frais_siege"),
        ("Frais de siège", "charges", "frais_siege"),
        ("Frais de structure", "charges", "frais_siege"),
        ("Charges de structure", "charges", "frais_siege"),
        ("Honoraires de gestion du groupe", "charges", "frais_siege"),
        ("Quote-part frais de siège", "charges", "frais_siege"),
        ("Redevance versée à la collectivité", "charges", "redevance"),
        ("Redevance d'occupation du domaine public", "charges", "redevance"),
        ("Redevance domaniale", "charges", "redevance"),
        ("Redevance – part variable", "charges", "redevance"),
        ("Prélèvement communal", "produits", "redevance"),
        ("Prélèvement de l'État", "produits", None),
        ("Redevances reversées à l'Agence de l'eau", "charges", None),
        ("Redevance assainissement – part délégataire", "produits", None),
        ("Produit brut des jeux", "produits", None),
        ("Énergie électrique", "charges", None),
        ("Produits de traitement", "charges", None),
    ],
)
def test_libelles_reels(libelle: str, section: Any, poste: str | None) -> None:
    assert poste_detail(libelle, section) == poste


@pytest.mark.parametrize(
    ("personnel", "total", "resultat"),
    [
        ("(1 234)", "(2 000)", "500"),
        ("1 234-", "2 000-", "500"),
        ("-1 234", "-2 000", "500"),
        ("−1 234", "−2 000", "(250)"),
    ],
)
def test_charges_positives_resultat_signe(personnel: str, total: str, resultat: str) -> None:
    postes = _postes(
        [
            ("Produits",),
            ("Ventes", "2 400", "2 500"),
            ("Total produits", "2 400", "2 500"),
            ("Charges",),
            ("Personnel", "1 200", personnel),
            ("Autres charges", "700", "766"),
            ("Total charges", "1 900", total),
            ("Résultat", "500", resultat),
        ]
    )
    assert postes["charges_personnel"]["2023"] == 1234
    assert postes["total_charges"]["2023"] == 2000
    assert postes["chiffre_affaires"]["2023"] == 2500
    signe = -1 if resultat.startswith("(") else 1
    assert postes["resultat"]["2023"] == signe * float(resultat.strip("()").replace(" ", ""))


@pytest.mark.parametrize(
    ("unite", "texte", "euros"),
    [("millier_euro", "2 590,1", 2_590_100.0), ("million_euro", "8,63", 8_630_000.0)],
)
def test_conversion_en_euros(unite: str, texte: str, euros: float) -> None:
    postes = _postes(
        [("Recettes", "1", texte), ("Total produits", "1", texte), ("Résultat", "1", "1")],
        unite=unite,
    )
    assert postes["chiffre_affaires"]["2023"] == euros


def test_reversements_et_resultat_calcule() -> None:
    """Format « grands groupes » : produits − reversements − charges, sans résultat imprimé."""
    document = _document(
        ["COMPTE ANNUEL DE RÉSULTAT DE L'EXPLOITATION"],
        [
            _tableau(
                [
                    ("PRODUITS",),
                    ("Exploitation du service", "5 500", "5 900"),
                    ("Collectivités et autres organismes publics", "2 700", "2 800"),
                    ("Total produits", "8 200", "8 700"),
                    ("REVERSEMENTS",),
                    ("Part syndicale reversée à la collectivité", "-1 700", "-1 800"),
                    ("Redevances reversées à l'Agence de l'eau", "-1 000", "-1 000"),
                    ("CHARGES",),
                    ("Personnel", "-1 900", "-2 000"),
                    ("Énergie électrique", "-600", "-700"),
                    ("Total charges", "-2 500", "-2 700"),
                ]
            )
        ],
    )
    fiche = remplir_par_regles(document)
    postes = fiche.financier.postes
    assert postes["reversements"]["2023"].valeur == 2800
    assert postes["reversements"]["2023"].ancrage == Ancrage.CALCULE
    assert postes["total_charges"]["2023"].valeur == 2700
    resultat = postes["resultat"]["2023"]
    assert resultat.valeur == 8700 - 2800 - 2700
    assert resultat.ancrage == Ancrage.CALCULE and resultat.citation and resultat.page == 2
    assert "redevance" not in postes
    sections = {ligne.libelle: ligne.section for ligne in fiche.financier.lignes}
    assert sections["Redevances reversées à l'Agence de l'eau"] == "reversements"


def test_produit_brut_des_jeux_n_est_pas_le_chiffre_d_affaires() -> None:
    rangees: Rangees = [
        ("Produits",),
        ("Produit brut des jeux", "14,57", "15,35"),
        ("Prélèvement de l'État", "-6,41", "-6,63"),
        ("Prélèvement communal", "-2,11", "-2,26"),
        ("Produit net des jeux", "6,05", "6,46"),
        ("Restauration et bar", "1,78", "1,73"),
        ("Charges",),
        ("Personnel", "4,12", "4,16"),
        ("Total charges", "7,46", "7,57"),
    ]
    postes = _postes(rangees, unite="million_euro")
    assert postes["chiffre_affaires"]["2023"] == 8_190_000.0  # 6,46 + 1,73 : net des prélèvements
    assert postes["redevance"]["2023"] == 2_260_000.0
    avec_total = _postes(
        [*rangees[:6], ("Total chiffre d'affaires", "7,83", "8,19"), *rangees[6:]],
        unite="million_euro",
    )
    assert avec_total["chiffre_affaires"]["2023"] == 8_190_000.0


def test_redevance_en_deux_parts_et_trois_exercices() -> None:
    tableau = _tableau(
        [
            ("Chiffre d'affaires restauration", "600", "620", "650"),
            ("Chiffre d'affaires total", "600", "620", "650"),
            ("Redevance – part fixe", "40-", "42-", "46-"),
            ("Redevance – part variable", "38-", "40-", "39-"),
            ("Total des charges", "500-", "510-", "520-"),
            ("Résultat de l'exploitation", "100", "110", "130"),
        ],
        annees=(2021, 2022, 2023),
    )
    fiche = remplir_par_regles(_document(["COMPTE ANNUEL DE RÉSULTAT"], [tableau]))
    redevance = fiche.financier.postes["redevance"]
    assert set(redevance) == {"2021", "2022", "2023"}
    assert redevance["2023"].valeur == 85 and redevance["2023"].ancrage == Ancrage.CALCULE
    assert redevance["2023"].citation == "46- + 39-"


def test_care_en_deux_tableaux_et_annees_relatives() -> None:
    """Produits et charges lus dans deux tableaux voisins ; « N-1 » / « N » résolus par
    l'exercice écrit dans le texte quand l'extraction ne le connaissait pas."""
    produits = _tableau(
        [("PRODUITS",), ("Ventes", "100", "120"), ("TOTAL DES PRODUITS (A)", "110", "132")],
        annees=(0, 0),
    )
    charges = _tableau(
        [
            ("CHARGES",),
            ("641 Salaires et traitements", "50", "55"),
            ("Frais de siège", "5", "6"),
            ("TOTAL DES CHARGES (B)", "55", "61"),
            ("RÉSULTAT (A-B)", "55", "71"),
        ],
        annees=(0, 0),
        page=3,
        ident="t3-1",
    )
    for tableau in (produits, charges):
        for colonne, entete in zip(tableau.colonnes[1:], ("N-1", "N"), strict=True):
            colonne.entete, colonne.annee = entete, None
    document = _document(
        ["COMPTE ANNUEL DE RÉSULTAT", "Rapport de l'exercice clos le 31 décembre 2023."],
        [produits, charges],
        exercice=None,
        pages=3,
    )
    fiche = remplir_par_regles(document)
    postes = fiche.financier.postes
    assert fiche.identification.exercice.valeur == 2023
    assert postes["chiffre_affaires"]["2022"].valeur == 110
    assert postes["total_charges"]["2023"].page == 3
    assert postes["charges_personnel"]["2023"].valeur == 55
    assert postes["resultat"]["2023"].valeur == 71


def test_valeurs_absentes_restent_vides() -> None:
    fiche = remplir_par_regles(_document(["RAPPORT ANNUEL", "Bonne année à tous."], exercice=None))
    assert fiche.financier.postes == {} and fiche.financier.lignes == []
    for nom in type(fiche.identification).model_fields:
        assert getattr(fiche.identification, nom).valeur is None, nom
    assert fiche.faits_marquants == [] and fiche.tarifs == []
    assert not any(e.present for e in fiche.conformite.values())
    sans_redevance = _postes([("Recettes", "1", "2"), ("Total produits", "1", "2")])
    assert "redevance" not in sans_redevance and "frais_siege" not in sans_redevance


# --- Identification ---------------------------------------------------------------------------


def _identification(textes: list[str], exercice: int | None = 2023) -> dict[str, Any]:
    fiche = remplir_par_regles(_document(textes, exercice=exercice))
    return {
        nom: getattr(fiche.identification, nom).valeur
        for nom in type(fiche.identification).model_fields
    }


def test_identification_par_phrases() -> None:
    valeurs = _identification(
        [
            "RAPPORT ANNUEL DU DÉLÉGATAIRE",
            "Exercice 2023",
            "Par contrat d'affermage, le Syndicat intercommunal des eaux du Val de Loue a confié "
            "à la Société des Eaux du Littoral la gestion du service public de production et de "
            "distribution d'eau potable.",
            "Objet du contrat : Production et distribution d'eau potable.",
            "Le contrat a pris effet le 1er juillet 2015 et arrivera à échéance le 30 juin 2027.",
        ]
    )
    assert valeurs["collectivite"] == "Syndicat intercommunal des eaux du Val de Loue"
    assert valeurs["delegataire"] == "Société des Eaux du Littoral"
    assert valeurs["objet"] == "Production et distribution d'eau potable"
    assert valeurs["secteur"] == Secteur.EAU_POTABLE
    assert valeurs["type_contrat"] == TypeContrat.AFFERMAGE
    assert valeurs["date_debut"] == date(2015, 7, 1)
    assert valeurs["date_fin"] == date(2027, 6, 30)
    assert valeurs["exercice"] == 2023


def test_identification_par_etiquettes() -> None:
    valeurs = _identification(
        [
            "Collectivité délégante : Communauté d'Agglomération du Grand Orne",
            "Titulaire du contrat : Parkings du Sud SAS",
            "Nature du contrat : Délégation de service public (concession)",
            "Service : stationnement payant sur voirie et en ouvrage",
            "Durée : du 01/01/2019 au 31/12/2030",
            "Exercice 2022-2023",
        ],
        exercice=None,
    )
    assert valeurs["collectivite"] == "Communauté d'Agglomération du Grand Orne"
    assert valeurs["delegataire"] == "Parkings du Sud SAS"
    assert valeurs["type_contrat"] == TypeContrat.CONCESSION
    assert valeurs["secteur"] == Secteur.STATIONNEMENT
    assert (valeurs["date_debut"], valeurs["date_fin"]) == (date(2019, 1, 1), date(2030, 12, 31))
    assert valeurs["exercice"] == 2023


def test_delegataire_en_apposition() -> None:
    valeurs = _identification(
        [
            "La société Aquavie Services SAS, délégataire du service depuis 2016, présente "
            "son rapport à la Commune de Lisle-sur-Orne.",
        ]
    )
    assert valeurs["delegataire"] == "Aquavie Services SAS"
    assert valeurs["collectivite"] == "Commune de Lisle-sur-Orne"


def test_type_de_contrat_et_secteur_de_plage() -> None:
    valeurs = _identification(
        [
            "Par sous-traité d'exploitation de plage, la Commune de Saint-Clair a confié à "
            "SARL La Vague Bleue la gestion du lot de plage n° 7."
        ]
    )
    assert valeurs["type_contrat"] == TypeContrat.SOUS_TRAITE_PLAGE
    assert valeurs["secteur"] == Secteur.PLAGE
    assert valeurs["delegataire"] == "SARL La Vague Bleue"
    assert valeurs["collectivite"] == "Commune de Saint-Clair"


@pytest.mark.parametrize(
    ("phrase", "debut", "fin"),
    [
        ("Le contrat couvre la période du 1er janvier 2018 au 31 décembre 2029.", "2018-01-01",
         "2029-12-31"),
        ("Le contrat a pris effet le 01/04/2019 et expire le 31/03/2031.", "2019-04-01",
         "2031-03-31"),
        ("Convention entrée en vigueur le 1 septembre 2021, échéance au 31 août 2028.",
         "2021-09-01", "2028-08-31"),
        ("Le contrat a pris effet le ler avril 2018 (lecture OCR).", "2018-04-01", None),
        ("Saison ouverte du 1er avril 2023 au 30 septembre 2023.", None, None),
    ],
)  # fmt: skip
def test_tournures_de_dates(phrase: str, debut: str | None, fin: str | None) -> None:
    lu_debut, lu_fin = debut_et_fin(phrase)
    assert (lu_debut.valeur.isoformat() if lu_debut else None) == debut
    assert (lu_fin.valeur.isoformat() if lu_fin else None) == fin


def test_fin_deduite_d_une_duree() -> None:
    fiche = remplir_par_regles(
        _document(["Le contrat a pris effet le 1er avril 2019 pour une durée de 9 ans."])
    )
    fin = fiche.identification.date_fin
    assert fin.valeur == date(2028, 3, 31) == fin_selon_duree(date(2019, 4, 1), 9)
    assert fin.ancrage == Ancrage.CALCULE and fin.citation == "pour une durée de 9 ans"
    amortissement = remplir_par_regles(
        _document(
            [
                "Le contrat a pris effet le 1er avril 2019.",
                "Les équipements sont amortis sur une durée de 10 ans.",
            ]
        )
    )
    assert amortissement.identification.date_fin.valeur is None


def test_faits_marquants_et_conformite() -> None:
    document = _document(
        [
            "FAITS MARQUANTS DE L'EXERCICE",
            "• Remplacement complet du système de péage en octobre 2023.",
            "• Fermeture partielle du niveau -3 pendant six semaines pour travaux",
            "d'étanchéité.",
            "MÉTHODES DE CALCUL ET DE RÉPARTITION DES CHARGES",
            "Les charges de structure sont réparties au prorata du chiffre d'affaires.",
            "INVENTAIRE DES BIENS DE RETOUR",
        ]
    )
    fiche = remplir_par_regles(document)
    assert [f.valeur for f in fiche.faits_marquants] == [
        "Remplacement complet du système de péage en octobre 2023.",
        "Fermeture partielle du niveau -3 pendant six semaines pour travaux d'étanchéité.",
    ]
    assert fiche.conformite["methodes_calcul"].present
    assert fiche.conformite["inventaire_biens_retour"].page == 1
    assert not fiche.conformite["tarifs"].present


def _evaluer_citation(citation: str) -> float:
    """L'opération qu'une citation calculée écrit, faite comme un agent la ferait."""
    expression = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d)", "", citation)
    expression = expression.replace(",", ".").replace("−", "-")
    assert re.fullmatch(r"[\d.()+\- ]+", expression), citation
    return float(eval(expression))  # chiffres, parenthèses et signes seulement (vérifié)


def test_resultat_calcule_citation_refait_l_operation() -> None:
    """Régression (RPQS réels) : « a + b − c » affiché pour (a + b) − c, et des charges
    imprimées « (1 200,0) » soustraites : la citation refaisait une autre opération."""
    from fiche.regles.postes import _resultat_calcule

    postes = {
        "chiffre_affaires": {"2023": champ_calcule(1_500.0, 3, "1 000 + 500")},
        "reversements": {"2023": champ_exact(100.0, 3, "-100")},
        "total_charges": {"2023": champ_exact(1_200.0, 3, "(1 200,0)")},
    }
    resultat = _resultat_calcule(postes, "2023")
    assert resultat is not None and resultat.valeur == 200.0
    assert resultat.citation == "(1 000 + 500) − 100 − 1 200,0"
    assert _evaluer_citation(resultat.citation) == resultat.valeur
    postes["total_charges"]["2023"] = Champ[float](valeur=1_200.0, page=3)
    assert _resultat_calcule(postes, "2023") is None  # terme sans texte : pas de calcul
