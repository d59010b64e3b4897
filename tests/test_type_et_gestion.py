"""Type du document, mode de gestion, entités et hiérarchie des tableaux (ticket 12) : un
mécanisme par test, sur de petits textes qui reprennent les pièges des documents réels."""

from __future__ import annotations

from datetime import date

from controles.arithmetique import parcourir_section, relire_hierarchie
from extracteurs.entetes import exercice_probable
from extracteurs.modeles import Document, Ligne, Page
from fiche.modeles import Champ, LigneCare, ModeGestion, UniteSource
from fiche.regles import entites
from fiche.regles.dates import exercices_du_texte
from fiche.regles.gestion import cases, classer_mode, est_conditionnel
from fiche.regles.paires import paires, premiere
from fiche.regles.type_document import Preuve, decider_type
from socle.reglages import SeuilsControles


def test_cases_cochees_lues_depuis_leurs_glyphes() -> None:
    assert cases("☒ en régie") == [cases("☒ en régie")[0]]
    lues = cases("Le service est géré au niveau \uf0fe communal")
    assert lues[0].cochee and lues[0].libelle == "communal"
    assert not cases("☐ par une compagnie fermière")[0].cochee
    assert not cases("\uf06f intercommunal")[0].cochee


def test_mode_de_gestion_et_phrases_conditionnelles() -> None:
    assert classer_mode("Le service est exploité en régie") == ModeGestion.REGIE
    assert classer_mode("régie avec prestation de service") == ModeGestion.REGIE_PRESTATION
    assert classer_mode("contrat d'affermage") == ModeGestion.DELEGATION
    # La note de TVA des gabarits départementaux ne dit rien de CE service.
    note = (
        "L'assujettissement à la TVA est volontaire pour les services en régie et "
        "obligatoire en cas de délégation de service public."
    )
    assert est_conditionnel(note)


def test_type_decide_par_le_titre_puis_par_les_textes() -> None:
    rpqs = [Preuve("titre_rpqs", 1, "Rapport sur le prix et la qualité du service")]
    assert decider_type(rpqs, care_trouve=False).valeur == "rpqs"
    rad = [Preuve("titre_rad", 1, "Rapport annuel du délégataire")]
    assert decider_type(rad + rpqs[:0], care_trouve=True).valeur == "rad"
    sispea = [Preuve("sispea", 5, f"P20{k}.3") for k in range(3)]
    loi = [Preuve("loi_rpqs", 2, "article L.2224-5 du CGCT")]
    assert decider_type(loi + sispea, care_trouve=False).valeur == "rpqs"
    assert decider_type([], care_trouve=True, pages_recit=1).valeur == "care"
    assert decider_type([], care_trouve=True, pages_recit=12).valeur == "rad"
    assert decider_type([], care_trouve=False).valeur == "autre"


def test_delegataire_et_collectivite_jamais_un_en_tete_une_personne_ou_un_code() -> None:
    for faux in ("Collectivité", "Gérard STUTZMANN", "M. Durand", "Code Général des Collectivités"):
        assert not entites.est_personne_morale(faux), faux
    assert entites.est_personne_morale("Vert Marine Loisirs")
    assert entites.est_personne_morale("SAUR SAS")
    assert not entites.est_autorite("Code Général des Collectivités Territoriales")
    assert entites.est_autorite("Allain")
    assert entites.rang_autorite("COMMUNE DE DURSTEL") < entites.rang_autorite("TERRITOIRE OUEST")


def _ligne(libelle: str, valeur: float, nature: str = "detail") -> LigneCare:
    return LigneCare(
        libelle=libelle,
        page=1,
        section="produits",
        nature=nature,  # type: ignore[arg-type]
        valeurs={"2021": Champ[float](valeur=valeur, page=1, citation=str(valeur))},
    )


def _lectures(lignes: list[LigneCare]) -> list[str]:
    seuils = SeuilsControles()
    ecarts, _ = parcourir_section(list(enumerate(lignes)), "2021", UniteSource.EURO, seuils)
    return [relire_hierarchie(e, UniteSource.EURO, seuils) for e in ecarts]


def test_sous_total_au_dessus_de_ses_composantes_tombe_juste() -> None:
    # Régression (RPQS réel) : « Autres recettes : » imprimé au-dessus de son détail.
    lignes = [
        _ligne("Redevance", 18_964.51),
        _ligne("Autres recettes :", 4_118.00),
        _ligne("Prime de l'Agence de l'eau", 3_000.00),
        _ligne("Travaux", 1_118.00),
        _ligne("Total des recettes", 23_082.51, "total"),
    ]
    assert _lectures(lignes) == ["juste"]


def test_un_vrai_ecart_reste_faux() -> None:
    lignes = [
        _ligne("Recettes horaires", 1_000.00),
        _ligne("Abonnements", 500.00),
        _ligne("Total des produits", 1_700.00, "total"),
    ]
    assert _lectures(lignes) == ["faux"]


def test_precision_a_part_du_rappel() -> None:
    from fiche.evaluation import Comparaison
    from fiche.evaluation_dossier import precision_rappel

    def comparaison(attendu: object, obtenu: object) -> Comparaison:
        exact = attendu == obtenu
        return Comparaison(
            champ="x", attendu=attendu, obtenu=obtenu, exact=exact, page_citation=True,
            famille="poste",
        )  # fmt: skip

    score = precision_rappel(
        [comparaison(1, 1), comparaison(2, 3), comparaison(None, 5), comparaison(4, None),
         comparaison(None, None)]
    )  # fmt: skip
    assert (score.ecrites, score.justes_ecrites, score.inventees) == (3, 1, 1)
    assert (score.attendues, score.trouvees) == (3, 1)
    assert round(score.precision, 3) == 0.333 and round(score.rappel, 3) == 0.333


def _document(*textes: str) -> Document:
    lignes = [Ligne(id=f"p1-l{k}", page=1, texte=t) for k, t in enumerate(textes)]
    return Document(
        fichier="r.pdf", sha256="0" * 64, format="pdf",
        pages=[Page(numero=1, largeur=595, hauteur=842, lignes=lignes)],
    )  # fmt: skip


def test_valeur_coupee_en_fin_de_ligne_reprend_la_suivante() -> None:
    """« de type / affermage » : coupée, la valeur se lisait « délégation de service
    public » (concession). Une valeur achevée ne prend jamais la ligne suivante."""
    doc = _document(
        "Type de contrat : Délégation de service public de type",
        "affermage",
        "Délégataire : Société des Eaux de l'Est",
        "Le délégataire assure la distribution.",
    )
    lues = {p.cle: p.valeur for p in paires(doc)}
    assert lues["type_contrat"] == "Délégation de service public de type affermage"
    assert lues["delegataire"] == "Société des Eaux de l'Est"
    coupee = _document("Délégataire : Compagnie Fermière de", "Services Publics", "Objet : eau")
    assert premiere(paires(coupee), "delegataire").valeur == (  # type: ignore[union-attr]
        "Compagnie Fermière de Services Publics"
    )


def test_exercice_jamais_lu_dans_une_colonne_d_annee_precedente() -> None:
    """Régression (RPQS réel) : « Année 2020 » d'un tableau comparatif pris pour l'exercice.
    Sur une ligne qui porte plusieurs années, seule la plus récente peut l'être."""
    entetes = ["Indicateur\tAnnée 2020\tAnnée 2021"] * 3
    assert exercice_probable([*entetes, "Année 2020 : 1 200 abonnés", "Année 2020"]) == 2021
    doc = _document("Indicateur\tAnnée 2020\tAnnée 2021", "Volumes facturés en 2021")
    assert [e.annee for e in exercices_du_texte(doc)] == [2021]


def test_dates_du_contrat_jamais_celles_du_contrat_suivant() -> None:
    """Régression (RPQS réel) : la fin du contrat lue dans la phrase qui annonce le contrat
    suivant. Les dates d'un autre contrat (nouveau, futur, précédent) sont ignorées."""
    from fiche.regles.identification import identifier

    doc = _document(
        "Le contrat d'affermage a pris effet le 1er janvier 2012 pour une durée de 12 ans.",
        "",
        "Le nouveau contrat prendra effet le 1er janvier 2024 et s'achèvera le 31 décembre 2035.",
    )
    ident = identifier(doc)
    assert ident.date_debut.valeur == date(2012, 1, 1)
    assert ident.date_fin.valeur == date(2023, 12, 31)
