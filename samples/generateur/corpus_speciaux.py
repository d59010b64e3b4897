"""Échantillons qui sortent du squelette commun : l'annexe CARE en tableur, et le rapport
2024 du contrat d'eau dont la colonne N-1 contredit le rapport 2023 (EXERCICE_PRECEDENT)."""

from __future__ import annotations

from datetime import date

from fiche.modeles import Fiche

from .care import calculer, resultat_lignes
from .modele import AnomaliePlantee, Caracteristiques, Rapport
from .nombres_fr import FormatNombre
from .parametres import Parametres
from .profils_secteurs2 import dechets
from .redacteur import MesureDef, Redacteur
from .regles import euros
from .sections import entete_annee
from .squelette import reglages_care, section_investissements

OBJET_DECHETS = (
    "Collecte et évacuation des déchets ménagers et assimilés du territoire communautaire"
)
LIGNE_MODIFIEE = "Énergie électrique"
ECART_ENERGIE = 48_000.0


def parametres_dechets() -> Parametres:
    return Parametres(
        nom="dechets_val_orne_annexe_care_2023",
        graine=131,
        exercice=2023,
        format="xlsx",
        collectivite="Communauté d'agglomération du Val d'Orne",
        delegataire="Sotrival Environnement SAS",
        objet=OBJET_DECHETS,
        type_contrat="concession",
        phrase_contrat="Contrat de concession",
        date_debut=date(2019, 1, 1),
        date_fin=date(2028, 12, 31),
        forme_dates="courte",
        fmt=FormatNombre("", 0, "moins"),
        legende_unite="en euros",
        volume=0,
    )


def _entete_dechets(r: Redacteur, p: Parametres, service: str) -> None:
    lignes: list[tuple[str, dict[str, tuple[object, str]]]] = [
        (p.collectivite, {"collectivite": (p.collectivite, p.collectivite)}),
        (f"Délégataire : {p.delegataire}", {"delegataire": (p.delegataire, p.delegataire)}),
        (
            f"{p.phrase_contrat} du {service}",
            {"type_contrat": (p.type_contrat, p.phrase_contrat), "secteur": ("dechets", service)},
        ),
        (f"Objet : {p.objet}", {"objet": (p.objet, p.objet)}),
        (
            "Durée : du 01/01/2019 au 31/12/2028",
            {"date_debut": (p.date_debut, "01/01/2019"), "date_fin": (p.date_fin, "31/12/2028")},
        ),
        (f"Exercice {p.exercice}", {"exercice": (p.exercice, f"Exercice {p.exercice}")}),
    ]
    for texte, champs in lignes:
        r.para_identite(texte, champs)


def rediger_dechets(p: Parametres) -> Rapport:
    """Classeur de quatre feuilles : CARE, indicateurs, investissements, tarifs."""
    profil = dechets()
    rapport = Rapport(p.nom, "xlsx", f"Annexe CARE {p.exercice}", p.exercice)
    r = Redacteur(rapport, p.rng("redaction"))
    reglages = reglages_care(p)
    reglages.titre = "Compte annuel de résultat de l'exploitation"
    blocs = profil.care(p)
    calculer(blocs, reglages)
    blocs.append(resultat_lignes(blocs, reglages, "Résultat d'exploitation"))
    entetes = [entete_annee(p, a) for a in p.annees]
    r.titre("CARE", element="care")
    _entete_dechets(r, p, profil.service)
    r.care(blocs, reglages)
    r.saut()
    r.titre("Indicateurs", element="analyse_qualite")
    mesures = profil.indicateurs(p)
    for m in mesures:
        m.suffixe = ""
    effectif = MesureDef(
        "Effectif affecté au contrat", "ETP", p.mesure("etp", profil.effectif, 0.02), 1, "effectif"
    )
    r.mesures(
        "Indicateurs d'activité", p.annees, entetes, [*mesures, effectif], premiere="Indicateur"
    )
    r.saut()
    r.titre("Investissements")  # premier titre de la feuille : son nom
    section_investissements(r, p, profil, entetes)
    r.saut()
    r.titre("Tarifs", element="tarifs")
    r.mesures("Prix unitaires", p.annees, entetes, profil.tarifs(p), premiere="Prestation")
    rapport.unite_source = "euro"
    rapport.caracteristiques = Caracteristiques(
        format="xlsx",
        secteur="dechets",
        unite="euro",
        separateur_milliers="aucun",
        style_negatif=None,
        tableau_regle=True,
        entetes_annees=entetes,
        legende_unite=p.legende_unite,
    )
    rapport.anomalies_plantees = ["COMPLETUDE"]
    return rapport


def parametres_eau_2024(p2024: Parametres, p2023: Parametres) -> None:
    """Le N-1 du rapport 2024 diffère du N du rapport 2023 sur l'énergie électrique."""
    base = 620_000.0
    valeur_2023 = round(p2023.euros(LIGNE_MODIFIEE, base, "2023"))
    p2024.surcharges[(LIGNE_MODIFIEE, "2023")] = valeur_2023 + ECART_ENERGIE
    p2024.plants.add("EXERCICE_PRECEDENT")


def anomalie_exercice_precedent(rapport: Rapport, fiche_2023: Fiche) -> None:
    ancienne = next(lg for lg in fiche_2023.financier.lignes if lg.libelle == LIGNE_MODIFIEE)
    nouvelle = next(lg for lg in rapport.lignes if lg.libelle == LIGNE_MODIFIEE)
    av, nv = ancienne.valeurs["2023"], nouvelle.valeurs["2023"]
    message = (
        f"La colonne 2023 du CARE de ce rapport (page {{p:{nouvelle.cle}}}) indique pour "
        f"« {LIGNE_MODIFIEE} » {nv.citation} ({euros(abs(nv.valeur))}), alors que le rapport 2023 "
        f"du même contrat ({fiche_2023.source.fichier}, page {av.page}) indiquait {av.citation} "
        f"({euros(abs(av.valeur or 0))}) ; le total des charges et le résultat 2023 sont modifiés "
        "d'autant. Demander au délégataire la justification de ce retraitement (R.3131-2 : "
        "permanence des méthodes)."
    )
    total = next(lg for lg in rapport.lignes if lg.poste == "total_charges")
    rapport.anomalies.append(
        AnomaliePlantee(
            "EXERCICE_PRECEDENT",
            "alerte",
            message,
            ["financier.postes.total_charges.2023", "financier.postes.resultat.2023"],
            [nouvelle.cle, total.cle],
            "R.3131-2 (comparaison avec l'exercice précédent)",
        )
    )
    rapport.anomalies_plantees = sorted({*rapport.anomalies_plantees, "EXERCICE_PRECEDENT"})
