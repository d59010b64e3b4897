"""Sections communes d'un rapport : garde, présentation du contrat, qualité, patrimoine...

Chaque fonction écrit des blocs via le `Redacteur` et enregistre ce que l'or doit
reprendre (champs d'identification, indicateurs, présence des éléments obligatoires).
"""

from __future__ import annotations

from datetime import date

from .modele import Bloc, LigneTableau, Paragraphe, SautPage, Tableau
from .nombres_fr import FormatNombre, date_courte, date_longue, ecrire_quanta
from .parametres import Parametres, Profil
from .redacteur import MesureDef, Redacteur
from .textes import GLOSSAIRE, choisir

FEMININS = (
    "Ville",
    "Commune",
    "Communauté",
    "Métropole",
    "Régie",
    "Société",
    "Compagnie",
    "SAS",
    "SEM",
)


def article(nom: str, de: bool = False) -> str:
    """« la Ville de X », « le Syndicat... », « du Syndicat... », « de la Ville... »."""
    premier = nom.split(" ")[0]
    if premier in FEMININS:
        return f"de la {nom}" if de else f"la {nom}"
    if premier in ("Syndicat", "Département", "Conseil", "Groupement", "SIVOM", "SIVU"):
        return f"du {nom}" if de else f"le {nom}"
    return f"de {nom}" if de else nom


def contexte(profil: Profil, p: Parametres) -> dict[str, object]:
    return {
        "collectivite": article(p.collectivite),
        "de_collectivite": article(p.collectivite, de=True),
        "delegataire": article(p.delegataire),
        "service": profil.service,
        "usagers": profil.usagers,
        "equipement": profil.equipement,
        "n": p.exercice,
        "n1": p.exercice - 1,
        "n2": p.exercice + 1,
        "ville": p.ville or p.collectivite,
    }


def libelle_exercice(p: Parametres) -> str:
    if p.entetes == "scolaire":
        return f"Exercice {p.exercice - 1}-{p.exercice}"
    return f"Exercice {p.exercice}"


def entete_annee(p: Parametres, annee: str) -> str:
    """Texte d'en-tête de colonne pour une année, selon le style du rapport."""
    ecart = p.exercice - int(annee)
    if p.entetes == "n":
        return "N" if ecart == 0 else f"N-{ecart}"
    if p.entetes == "scolaire":
        return f"Exercice {int(annee) - 1}-{annee}"
    if p.entetes == "realise":
        return f"Réalisé {annee}"
    return annee


def page_de_garde(r: Redacteur, p: Parametres, profil: Profil) -> str | None:
    """Page de garde ; rend la clé de la mention de réception (DELAI) s'il y en a une."""
    r.para("RAPPORT ANNUEL DU DÉLÉGATAIRE", taille=20, centre=True)
    r.para(p.objet, taille=13, centre=True)
    exercice = libelle_exercice(p)
    cle = r.para(exercice, taille=16, centre=True)
    valeur = p.exercice
    r.identite("exercice", valeur, exercice, cle, exercice)
    r.para(p.collectivite, taille=12, centre=True)
    r.para(f"Présenté par {p.delegataire}", taille=11, centre=True)
    reception = None
    if p.reception:
        texte = f"Rapport reçu le {date_longue(p.reception)}"
        reception = r.para(texte, taille=10, centre=True, italique=True)
    r.saut()
    return reception


def _texte_date(jour: date, forme: str) -> str:
    return date_courte(jour) if forme == "courte" else date_longue(jour)


def presentation(r: Redacteur, p: Parametres, profil: Profil, carte: bool) -> None:
    r.titre("Présentation du contrat")
    ctx = contexte(profil, p)
    r.para(choisir("contexte", r.rng, 1, ctx)[0])
    if carte:
        _carte_identite(r, p, profil)
        return
    debut, fin = _texte_date(p.date_debut, p.forme_dates), _texte_date(p.date_fin, p.forme_dates)
    texte = (
        f"Par {p.phrase_contrat}, {article(p.collectivite)} a confié à {article(p.delegataire)} "
        f"la gestion du {profil.service}."
    )
    champs: dict[str, tuple[object, str]] = {
        "type_contrat": (p.type_contrat, p.phrase_contrat),
        "collectivite": (p.collectivite, p.collectivite),
        "delegataire": (p.delegataire, p.delegataire),
        "secteur": (profil.secteur, profil.service),
    }
    r.para_identite(texte, champs)
    r.para_identite(f"Objet du contrat : {p.objet}.", {"objet": (p.objet, p.objet)})
    r.para_identite(*_phrase_dates(p, debut, fin))
    r.para(
        f"Le délégataire exploite le service à ses risques et périls et se rémunère "
        f"principalement par les recettes perçues auprès des {profil.usagers}."
    )


def _phrase_dates(p: Parametres, debut: str, fin: str) -> tuple[str, dict[str, tuple[object, str]]]:
    if p.forme_dates == "intervalle":
        texte = f"Le contrat couvre la période du {debut} au {fin}."
        return texte, {"date_debut": (p.date_debut, debut), "date_fin": (p.date_fin, fin)}
    if p.forme_dates == "duree":
        ans = p.date_fin.year - p.date_debut.year
        duree = f"pour une durée de {ans} ans"
        texte = f"Le contrat a pris effet le {debut} {duree}."
        # L'échéance n'est pas imprimée : elle se déduit (veille du 9e anniversaire).
        return texte, {"date_debut": (p.date_debut, debut), "date_fin~": (p.date_fin, duree)}
    texte = f"Le contrat a pris effet le {debut} et arrivera à échéance le {fin}."
    return texte, {"date_debut": (p.date_debut, debut), "date_fin": (p.date_fin, fin)}


def _carte_identite(r: Redacteur, p: Parametres, profil: Profil) -> None:
    nature = p.phrase_contrat[0].upper() + p.phrase_contrat[1:]
    service = profil.service[0].upper() + profil.service[1:]
    lignes = [
        ("Autorité délégante", p.collectivite, "collectivite", p.collectivite),
        ("Délégataire", p.delegataire, "delegataire", p.delegataire),
        ("Objet", p.objet, "objet", p.objet),
        ("Service", service, "secteur", profil.secteur),
        ("Nature du contrat", nature, "type_contrat", p.type_contrat),
        ("Date d'effet", _texte_date(p.date_debut, p.forme_dates), "date_debut", p.date_debut),
        ("Échéance", _texte_date(p.date_fin, p.forme_dates), "date_fin", p.date_fin),
    ]
    tableau = Tableau([], [], regle=True, titre="Fiche d'identité du contrat", numerique=False)
    tableau.largeur_libelle = 0.3
    for libelle, texte, champ, valeur in lignes:
        if champ in p.champs_omis:
            continue
        cle = r.cle("identite")
        tableau.lignes.append(LigneTableau([libelle, texte], cle=cle))
        r.identite(champ, valeur, texte, cle, texte)
    r.ajouter(tableau)


def faits_marquants(r: Redacteur, p: Parametres, profil: Profil, supplements: list[str]) -> None:
    r.titre("Faits marquants de l'exercice")
    faits = [f.format(**contexte(profil, p)) for f in profil.faits]
    r.rng.shuffle(faits)
    for phrase in [*supplements, *faits[:4]]:
        r.fait_marquant(phrase)


def qualite(r: Redacteur, p: Parametres, profil: Profil, entetes: list[str]) -> None:
    if "analyse_qualite" in p.omis:
        return
    r.titre("Qualité du service", element="analyse_qualite")
    ctx = contexte(profil, p)
    for texte in [*choisir("qualite", r.rng, 2, ctx), *profil.qualite]:
        r.para(texte.format(**ctx))
    indicateurs = profil.indicateurs(p)
    if indicateurs:
        r.mesures("Indicateurs de performance", p.annees, entetes, indicateurs, regle=p.regle)
    r.para(choisir("qualite", r.rng, 1, ctx)[0])


def personnel(r: Redacteur, p: Parametres, profil: Profil, entetes: list[str]) -> None:
    r.titre("Moyens humains")
    ctx = contexte(profil, p)
    for texte in choisir("rh", r.rng, 2, ctx):
        r.para(texte)
    lignes = [
        MesureDef(
            "Effectif affecté au contrat",
            "ETP",
            p.mesure("etp", profil.effectif, 0.02),
            1,
            "effectif",
        ),
        MesureDef(
            "Heures de formation", "h", p.mesure("formation", profil.effectif * 22, 0.05, 0.1)
        ),
    ]
    r.mesures(None, p.annees, entetes, lignes, regle=p.regle, premiere="Personnel")


def methodes(r: Redacteur, p: Parametres, profil: Profil) -> None:
    if "methodes_calcul" in p.omis:
        return
    r.titre("Méthodes de calcul et de répartition des charges", element="methodes_calcul")
    for texte in choisir("methodes", r.rng, 3, contexte(profil, p)):
        r.para(texte)


def patrimoine(r: Redacteur, p: Parametres, profil: Profil) -> None:
    ctx = contexte(profil, p)
    if "variation_patrimoine" not in p.omis:
        r.titre("Variation du patrimoine", element="variation_patrimoine")
        for texte in choisir("patrimoine", r.rng, 2, ctx):
            r.para(texte)
    if "situation_biens" not in p.omis:
        r.titre("Situation des biens et immobilisations", element="situation_biens")
        r.para(choisir("patrimoine", r.rng, 1, ctx)[0])
        lignes = []
        for rang, (designation, lieu) in enumerate(profil.biens[:8]):
            etat = ("bon", "satisfaisant", "moyen", "à surveiller")[rang % 4]
            lignes.append([designation, lieu, etat])
        r.tableau_texte(
            ["Équipement", "Localisation", "État"], lignes, regle=p.regle, numerique=False
        )


def biens_retour(r: Redacteur, p: Parametres, profil: Profil) -> None:
    if "inventaire_biens_retour" in p.omis:
        return
    r.titre("Inventaire des biens de retour et de reprise", element="inventaire_biens_retour")
    for texte in choisir("biens", r.rng, 2, contexte(profil, p)):
        r.para(texte)
    rng = p.rng("biens")
    fmt = FormatNombre(p.fmt.separateur or "\u00a0", 0, "moins")
    lignes = []
    for rang in range(max(6, 10 * p.volume)):
        designation, lieu = profil.biens[rang % len(profil.biens)]
        annee = str(rng.randint(1978, p.exercice - 1))
        valeur = ecrire_quanta(rng.randint(8, 900) * 1000 + rng.randint(0, 999), fmt)
        nature = "Retour" if rng.random() < 0.8 else "Reprise"
        lignes.append([f"{designation} n° {rang + 1}", lieu, nature, annee, valeur])
    entetes = ["Désignation", "Localisation", "Catégorie", "Mise en service", "Valeur brute (€)"]
    r.tableau_texte(entetes, lignes, regle=p.regle, numerique=True, largeur_libelle=0.32)


def engagements(r: Redacteur, p: Parametres, profil: Profil) -> None:
    if "engagements_financiers" in p.omis:
        return
    r.titre("Engagements à incidence financière", element="engagements_financiers")
    for texte in choisir("engagements", r.rng, 3, contexte(profil, p)):
        r.para(texte)


def tarifs(r: Redacteur, p: Parametres, profil: Profil, entetes: list[str]) -> None:
    if "tarifs" in p.omis:
        return
    r.titre("Annexe : tarifs et autres recettes", element="tarifs")
    ctx = contexte(profil, p)
    r.para(choisir("tarifs", r.rng, 1, ctx)[0])
    lignes = profil.tarifs(p)
    if lignes:
        r.mesures("Grille tarifaire", p.annees, entetes, lignes, regle=p.regle, premiere="Tarif")
    for texte in choisir("tarifs", r.rng, 2, ctx):
        r.para(texte)


def glossaire(r: Redacteur, p: Parametres) -> None:
    r.titre("Glossaire")
    for terme, definition in GLOSSAIRE:
        r.para(f"{terme} : {definition}")


def perspectives(r: Redacteur, p: Parametres, profil: Profil) -> None:
    r.titre("Perspectives")
    ctx = contexte(profil, p)
    for texte in [
        *choisir("perspectives", r.rng, 2, ctx),
        *choisir("environnement", r.rng, 1, ctx),
    ]:
        r.para(texte)


def sommaire(blocs: list[Bloc], titres: list[str]) -> None:
    """Insère un sommaire (titres de premier niveau, sans numéros de page) après la garde."""
    rang = next(i for i, b in enumerate(blocs) if isinstance(b, SautPage)) + 1
    contenu: list[Bloc] = [Paragraphe("SOMMAIRE", taille=14)]
    contenu += [Paragraphe(t, puce=True) for t in titres]
    blocs[rang:rang] = [*contenu, SautPage()]
