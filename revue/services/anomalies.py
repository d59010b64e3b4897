"""Les anomalies telles que l'agent les lit : en haut de la page du rapport, chacune avec
son titre en français, sa gravité, ses pages et des liens vers les lignes de la fiche
qu'elle concerne (ces lignes portent en retour un lien vers elle : `fiche.annoter`)."""

from __future__ import annotations

from pydantic import BaseModel

from fiche.modeles import Anomalie
from publication.libelles import GRAVITES, ORDRE_GRAVITE
from revue.services.fiche import Section, ancre_anomalie

TITRES = {
    "SOMME_POSTES": "Les lignes du CARE ne font pas leur total",
    "RESULTAT": "Produits − charges ≠ résultat",
    "ANCRAGE": "Chiffre introuvable sur sa page",
    "TEXTE_TABLEAU": "Le texte contredit les tableaux",
    "EXERCICE_PRECEDENT": "N-1 différent de la fiche validée l'an dernier",
    "VARIATION": "Forte variation d'un exercice à l'autre",
    "FRAIS_SIEGE": "Frais de siège élevés",
    "DATES": "Dates du contrat incohérentes",
    "UNITE": "Montant probablement 1 000 fois trop grand ou trop petit",
    "COMPLETUDE": "Élément obligatoire absent du rapport (R. 3131-3 et R. 3131-4)",
    "DESACCORD": "L'IA et les règles lisent des valeurs différentes",
    "LECTURES_DIVERGENTES": "Le modèle désigne une autre ligne que les règles",
    "INSTRUCTIONS_SUSPECTES": "Texte adressé à une IA dans le rapport",
    "CHAMP_MANQUANT": "Champ non rempli",
    "DELAI": "Rapport reçu après le 1er juin",
    "TYPE_DOCUMENT": "Type de document à confirmer",
    "QUASI_DOUBLON": "Autre rapport pour le même contrat et le même exercice",
    "SISPEA_BORNES": "Indicateur SISPEA hors de ses bornes",
    "SISPEA_TAUX": "Taux SISPEA incohérent",
    "SISPEA_PRIX": "Prix de l'eau SISPEA incohérent",
    "SISPEA_EXERCICE_PRECEDENT": "Indicateur SISPEA très différent de l'an dernier",
}


def titre_anomalie(code: str) -> str:
    return TITRES.get(code, code.replace("_", " ").capitalize())


class LienChamp(BaseModel):
    ligne: str
    """Chemin de la ligne de la fiche (ancre `champ-<chemin>`)."""
    chemin: str
    """Chemin du champ concerné (la ligne elle-même ou sa valeur N-1)."""
    libelle: str


class AnomalieVue(BaseModel):
    ancre: str
    code: str
    titre: str
    gravite: str
    gravite_libelle: str
    message: str
    regle: str
    pages: list[int]
    champs: list[LienChamp]


def _liens(sections: list[Section]) -> dict[str, list[LienChamp]]:
    """Par ancre d'anomalie, les lignes de la fiche qu'elle marque."""
    liens: dict[str, list[LienChamp]] = {}
    for section in sections:
        for ligne in section.lignes:
            for cible in (ligne, ligne.precedent):
                for ref in cible.anomalies if cible else []:
                    assert cible is not None
                    lien = LienChamp(ligne=ligne.chemin, chemin=cible.chemin, libelle=cible.libelle)
                    liens.setdefault(ref.ancre, []).append(lien)
    return liens


def _vue(ancre: str, anomalie: Anomalie, champs: list[LienChamp]) -> AnomalieVue:
    return AnomalieVue(
        ancre=ancre, code=anomalie.code, titre=titre_anomalie(anomalie.code),
        gravite=anomalie.gravite.value, gravite_libelle=GRAVITES[anomalie.gravite],
        message=anomalie.message, regle=anomalie.regle, pages=anomalie.pages, champs=champs,
    )  # fmt: skip


def vue_anomalies(
    doublons: list[Anomalie], fiche: list[Anomalie], sections: list[Section]
) -> list[AnomalieVue]:
    """Les anomalies de la page, les plus graves d'abord : celles calculées à l'affichage
    (autre rapport du même contrat) puis celles de la fiche, liées à leurs lignes."""
    liens = _liens(sections)
    vues = [_vue(f"anomalie-doublon-{n + 1}", a, []) for n, a in enumerate(doublons)]
    vues += [
        _vue(ancre_anomalie(rang), a, liens.get(ancre_anomalie(rang), []))
        for rang, a in enumerate(fiche)
    ]
    ordre = {g.value: rang for g, rang in ORDRE_GRAVITE.items()}
    return sorted(vues, key=lambda v: ordre.get(v.gravite, 9))
