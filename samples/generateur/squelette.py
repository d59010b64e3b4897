"""Assemblage d'un rapport complet à partir d'un profil de secteur et de paramètres."""

from __future__ import annotations

from .care import (
    BlocCare,
    LigneCareDef,
    ReglagesCare,
    calculer,
    imprimer,
    postes_depuis_lignes,
    resultat_lignes,
)
from .modele import Caracteristiques, Rapport, Titre
from .nombres_fr import (
    INSECABLE,
    NOMS_SEPARATEURS,
    FormatNombre,
    ecrire_euros,
    ecrire_pourcent,
    ecrire_quanta,
)
from .parametres import Parametres, Profil
from .plants import (
    anomalie_delai,
    anomalie_injection,
    anomalie_texte,
    anomalie_unite,
    anomalies_arithmetiques,
)
from .redacteur import Redacteur
from .sections import (
    biens_retour,
    contexte,
    engagements,
    entete_annee,
    faits_marquants,
    glossaire,
    methodes,
    page_de_garde,
    patrimoine,
    personnel,
    perspectives,
    presentation,
    qualite,
    sommaire,
    tarifs,
)
from .textes import choisir

SUFFIXE_UNITE = {"millier_euro": "k€", "million_euro": "M€"}


def reglages_care(p: Parametres) -> ReglagesCare:
    annees = list(reversed(p.annees)) if p.recent_dabord else p.annees
    return ReglagesCare(
        annees=annees,
        entetes=[entete_annee(p, a) for a in annees],
        fmt=p.fmt,
        quantum_or=p.quantum_or,
        charges_negatives=p.charges_negatives,
        regle=p.regle,
        titre=p.titre_care,
        legende=p.legende_unite,
        premiere_entete=p.premiere_entete,
        coupe_apres=p.coupe_apres,
        coupe=p.coupe,
        colonne_variation=p.colonne_variation,
        erreurs=dict(p.erreurs),
    )


def montant_recit(quanta: int, p: Parametres) -> str:
    """Un montant du CARE tel que le récit l'écrit (même valeur, unité explicite)."""
    if p.unite_trompeuse or p.unite == "euro":
        return ecrire_euros(quanta * p.quantum_impression)
    fmt = FormatNombre(INSECABLE, p.fmt.decimales, "moins")
    return f"{ecrire_quanta(quanta, fmt)}{INSECABLE}{SUFFIXE_UNITE[p.unite]}"


def ligne_poste(blocs: list[BlocCare], poste: str) -> LigneCareDef:
    for bloc in blocs:
        for ligne in bloc.lignes + ([bloc.total] if bloc.total else []):
            if ligne.poste == poste:
                return ligne
    raise KeyError(poste)


def synthese(r: Redacteur, p: Parametres, profil: Profil, blocs: list[BlocCare]) -> str:
    """Le mot d'introduction, avec les chiffres clés repris du CARE ; rend la clé de la
    phrase chiffrée (utile à TEXTE_TABLEAU et UNITE)."""
    r.titre("Synthèse de l'exercice")
    ctx = contexte(profil, p)
    for texte in choisir("mot", r.rng, 2, ctx):
        r.para(texte)
    ca = ligne_poste(blocs, "chiffre_affaires").montants
    n, n1 = str(p.exercice), str(p.exercice - 1)
    reel = (ca[n] - ca[n1]) / abs(ca[n1]) * 100
    annonce = p.texte_tableau_pct if p.texte_tableau_pct is not None else reel
    sens = "en hausse" if annonce >= 0 else "en baisse"
    phrase = (
        f"Le chiffre d'affaires de l'exercice s'établit à {montant_recit(ca[n], p)}, {sens} de "
        f"{ecrire_pourcent(abs(annonce))} par rapport à {n1}."
    )
    if p.texte_tableau_pct is not None:
        phrase = (
            f"Avec un chiffre d'affaires de {montant_recit(ca[n], p)}, l'activité est très "
            f"dynamique : le chiffre d'affaires progresse de {ecrire_pourcent(annonce, 0)} "
            f"par rapport à {n1}."
        )
    res = ligne_poste(blocs, "resultat").montants[n]
    phrase += f" Le résultat de l'exploitation ressort à {montant_recit(res, p)}."
    cle = r.para(phrase)
    r.para(choisir("mot", r.rng, 1, ctx)[0])
    return cle


def section_care(r: Redacteur, p: Parametres, blocs: list[BlocCare], reglages: ReglagesCare) -> str:
    if p.care_paysage:
        r.paysage_debut()
    cle = r.titre("Compte annuel de résultat de l'exploitation", element="care")
    r.para(
        f"Le compte annuel de résultat de l'exploitation ci-dessous présente les produits et "
        f"les charges de l'exercice {p.exercice} et rappelle ceux de l'exercice {p.exercice - 1}."
    )
    tableau = r.care(blocs, reglages)
    if p.care_paysage:
        r.paysage_fin()
    r.para(
        "Les montants sont présentés hors taxes. Les écarts significatifs d'un exercice à "
        "l'autre sont commentés dans la partie consacrée à l'analyse financière."
    )
    return tableau.cle or cle


def section_investissements(
    r: Redacteur, p: Parametres, profil: Profil, entetes: list[str]
) -> None:
    if "suivi_investissements" in p.omis or not profil.investissements:
        return
    r.titre(
        "Suivi du programme d'investissements et de renouvellement", element="suivi_investissements"
    )
    r.para(choisir("investissements", r.rng, 1, contexte(profil, p))[0])
    euros = p.unite_trompeuse or p.unite == "euro"
    quantum = 1.0 if euros else p.quantum_or
    fmt = FormatNombre(p.fmt.separateur, 0 if euros else p.fmt.decimales, "moins")
    details = [
        LigneCareDef(
            lib, {a: round(p.euros("inv:" + lib, base, a, 0.0, 0.25) / quantum) for a in p.annees}
        )
        for lib, base in profil.investissements
    ]
    total = LigneCareDef("Total", poste="investissements", nature="total")
    bloc = BlocCare("autre", None, details, total)
    reglages = ReglagesCare(
        annees=p.annees,
        entetes=entetes,
        fmt=fmt,
        quantum_or=quantum,
        regle=p.regle,
        titre="Programme d'investissements réalisé",
        legende="Montants en euros" if euros else p.legende_unite,
        premiere_entete="Opération",
    )
    calculer([bloc], reglages)
    tableau, ors = imprimer([bloc], reglages, r.cle("inv"))
    r.rapport.postes.update(postes_depuis_lignes(ors))
    r.ajouter(tableau)


def observations(r: Redacteur, p: Parametres) -> str | None:
    """Commentaires libres du délégataire ; rend la clé d'un texte adressé à une IA."""
    if not p.observations:
        return None
    r.titre("Observations du délégataire")
    suspecte = None
    for texte in p.observations:
        cle = r.para(texte)
        if "ignore les instructions" in texte.lower():
            suspecte = cle
    return suspecte


def rediger(profil: Profil, p: Parametres) -> Rapport:
    rapport = Rapport(p.nom, p.format, f"{p.objet} – rapport {p.exercice}", p.exercice)  # type: ignore[arg-type]
    rapport.unite_source = p.unite
    r = Redacteur(rapport, p.rng("redaction"), saut_chapitre=p.saut_chapitre)
    reglages = reglages_care(p)
    blocs = profil.care(p)
    calculer(blocs, reglages)
    resultat = profil.resultat(p, blocs) if profil.resultat else None
    blocs.append(resultat or resultat_lignes(blocs, reglages, "Résultat de l'exploitation"))
    entetes = [entete_annee(p, a) for a in p.annees]
    cle_reception = page_de_garde(r, p, profil)
    cle_recit = synthese(r, p, profil, blocs)
    presentation(r, p, profil, p.carte_identite)
    faits_marquants(r, p, profil, p.faits_supplementaires)
    if profil.activite:
        profil.activite(r, p)
    qualite(r, p, profil, entetes)
    personnel(r, p, profil, entetes)
    cle_care = section_care(r, p, blocs, reglages)
    methodes(r, p, profil)
    patrimoine(r, p, profil)
    section_investissements(r, p, profil, entetes)
    biens_retour(r, p, profil)
    engagements(r, p, profil)
    tarifs(r, p, profil, entetes)
    if profil.annexes:
        profil.annexes(r, p)
    perspectives(r, p, profil)
    cle_injection = observations(r, p)
    if p.volume >= 2:
        glossaire(r, p)
    _planter(r, p, blocs, reglages, cle_recit, cle_care, cle_reception)
    if cle_injection:
        rapport.anomalies.append(anomalie_injection(cle_injection))
        rapport.anomalies_plantees = sorted({*rapport.anomalies_plantees, "INSTRUCTIONS_SUSPECTES"})
    if p.sommaire:
        sommaire(
            rapport.blocs,
            [b.texte for b in rapport.blocs if isinstance(b, Titre) and b.niveau == 1],
        )
    rapport.caracteristiques = caracteristiques(profil, p, rapport)
    return rapport


def _planter(
    r: Redacteur,
    p: Parametres,
    blocs: list[BlocCare],
    reglages: ReglagesCare,
    cle_recit: str,
    cle_care: str,
    cle_reception: str | None,
) -> None:
    rapport = r.rapport
    rapport.anomalies += anomalies_arithmetiques(rapport, blocs, reglages)
    if p.texte_tableau_pct is not None:
        rapport.anomalies.append(anomalie_texte(rapport, p, cle_recit))
    if p.unite_trompeuse:
        rapport.anomalies.append(anomalie_unite(rapport, p, cle_recit, cle_care))
    if cle_reception and p.reception:
        delai = anomalie_delai(p, cle_reception)
        if delai:
            rapport.anomalies.append(delai)
    codes = [a.code for a in rapport.anomalies] + sorted(p.plants)
    if p.omis:
        codes.append("COMPLETUDE")
    rapport.anomalies_plantees = sorted(set(codes))


def caracteristiques(profil: Profil, p: Parametres, rapport: Rapport) -> Caracteristiques:
    tournee, maniere = None, None
    if p.care_paysage or p.page_tournee:
        # La page tournée est celle qui porte la première ligne du CARE.
        tournee = rapport.lignes[0].cle
        maniere = "image_pivotee" if p.page_tournee else "rotate_pdf"
    return Caracteristiques(
        format=p.format,
        secteur=profil.secteur,
        unite=p.unite,
        separateur_milliers=NOMS_SEPARATEURS[p.fmt.separateur],
        style_negatif=p.fmt.negatif,
        tableau_regle=p.regle,
        care_coupe=p.coupe,  # type: ignore[arg-type]
        scanne=p.scanne,
        page_tournee=tournee,
        page_tournee_maniere=maniere,
        entetes_annees=[entete_annee(p, a) for a in p.annees],
        legende_unite=p.legende_unite,
        police=p.style.police_texte,
        style_titres=p.style.titres,
    )
