"""La fiche telle que l'agent la lit : sections, libellés français, valeurs mises en forme,
provenance (page, citation, ancrage, origine) et chemin de chaque champ pour le corriger."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from controles import commun
from fiche.ancrage import champs_de
from fiche.modeles import Anomalie, Champ, Fiche, Indicateur, Secteur, TypeContrat
from fiche.regles.sispea.referentiel import referentiel
from publication.libelles import POSTES, SECTEURS, TYPES_CONTRAT

TypeSaisie = Literal["texte", "nombre", "entier", "date", "choix"]

IDENTIFICATION: dict[str, str] = {
    "collectivite": "Autorité délégante",
    "objet": "Objet du contrat",
    "secteur": "Secteur",
    "delegataire": "Délégataire",
    "type_contrat": "Type de contrat",
    "date_debut": "Début du contrat",
    "date_fin": "Fin du contrat",
    "exercice": "Exercice",
}

ANCRAGES = {
    "exact": "citation retrouvée",
    "approche": "citation retrouvée après normalisation",
    "absent": "citation introuvable sur la page",
    "calcule": "valeur calculée",
}
ORIGINES = {"llm": "IA", "regles": "règles", "agent": "agent"}


class RefAnomalie(BaseModel):
    """Une anomalie qui concerne un champ : son ancre dans la liste du haut de la page."""

    ancre: str
    code: str
    gravite: str


class LigneChamp(BaseModel):
    """Un champ de la fiche, prêt à afficher et à corriger."""

    chemin: str
    libelle: str
    valeur: str
    saisie: str
    """La valeur telle qu'on la retape (pré-remplit le formulaire de correction)."""
    type_saisie: TypeSaisie
    choix: list[tuple[str, str]] = []
    page: int | None
    citation: str | None
    ancrage: str
    origine: str
    unite: str = ""
    confiance: float | None = None
    motif: str | None = None
    anomalies: list[RefAnomalie] = []
    precedent: LigneChamp | None = None
    """Le même poste à l'exercice précédent (colonne N-1), s'il est dans la fiche."""
    variation: str | None = None
    """Variation N / N-1 en pour cent (« +12,5 % »), pour deux nombres."""

    @property
    def sous_anomalie(self) -> bool:
        return bool(self.anomalies)


class Section(BaseModel):
    titre: str
    lignes: list[LigneChamp]
    repliee: bool = False


def type_saisie(champ: Champ[Any]) -> TypeSaisie:
    annotation = str(type(champ).model_fields["valeur"].annotation)
    for cle, genre in (
        ("Secteur", "choix"), ("TypeContrat", "choix"), ("date", "date"),
        ("int", "entier"), ("float", "nombre"),
    ):  # fmt: skip
        if cle in annotation:
            return genre  # type: ignore[return-value]
    return "texte"


def choix_de(chemin: str) -> list[tuple[str, str]]:
    if chemin == "identification.secteur":
        return [(s.value, SECTEURS[s]) for s in Secteur]
    if chemin == "identification.type_contrat":
        return [(t.value, TYPES_CONTRAT[t]) for t in TypeContrat]
    return []


def afficher(valeur: Any, *, euros: bool = False) -> str:
    """La valeur en français : montants « 1 284 560 € », dates longues, libellés."""
    if valeur is None:
        return "—"
    if isinstance(valeur, Secteur):
        return SECTEURS[valeur]
    if isinstance(valeur, TypeContrat):
        return TYPES_CONTRAT[valeur]
    if isinstance(valeur, date):
        return commun.date_longue(valeur)
    if isinstance(valeur, bool) or (isinstance(valeur, int) and not euros):
        return str(valeur)
    if isinstance(valeur, int | float):
        return commun.euros(valeur) if euros else commun.nombre_fr(valeur, 4)
    return str(valeur)


def saisie(valeur: Any) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, StrEnum):
        return valeur.value
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, float):
        return commun.nombre_fr(valeur, 4).replace("\u202f", " ")
    return str(valeur)


def ligne(
    chemin: str, libelle: str, champ: Champ[Any], *, euros: bool = False, unite: str = ""
) -> LigneChamp:
    return LigneChamp(
        chemin=chemin,
        libelle=libelle,
        valeur=afficher(champ.valeur, euros=euros),
        saisie=saisie(champ.valeur),
        type_saisie=type_saisie(champ),
        choix=choix_de(chemin),
        page=champ.page,
        citation=champ.citation,
        ancrage=champ.ancrage.value,
        origine=champ.origine.value,
        unite="€" if euros else unite,
        confiance=champ.confiance,
        motif=champ.motif,
    )


def variation(actuelle: Any, precedente: Any) -> str | None:
    """« +12,5 % » de N-1 à N ; None sans deux nombres ou si N-1 vaut zéro."""
    nombres = all(isinstance(v, int | float) and not isinstance(v, bool)
                  for v in (actuelle, precedente))  # fmt: skip
    if not nombres or not precedente:
        return None
    taux = 100 * (actuelle - precedente) / abs(precedente)
    return f"{'+' if taux >= 0 else '−'}{commun.nombre_fr(abs(taux), 1)}\u00a0%"


def serie(
    chemin: str,
    libelle: str,
    valeurs: dict[str, Champ[Any]],
    *,
    euros: bool = False,
    unite: str = "",
) -> list[LigneChamp]:
    """Une ligne par année, la plus récente d'abord, qui porte l'année précédente en
    colonne N-1 (une année montrée en N-1 n'a pas sa propre ligne)."""
    lignes, vues = [], set()
    for annee in sorted(valeurs, reverse=True):
        if annee in vues:
            continue
        courante = ligne(f"{chemin}.{annee}", f"{libelle} {annee}", valeurs[annee],
                         euros=euros, unite=unite)  # fmt: skip
        avant = str(int(annee) - 1) if annee.isdigit() else ""
        if avant in valeurs:
            vues.add(avant)
            courante.precedent = ligne(f"{chemin}.{avant}", f"{libelle} {avant}",
                                       valeurs[avant], euros=euros, unite=unite)  # fmt: skip
            courante.variation = variation(valeurs[annee].valeur, valeurs[avant].valeur)
        lignes.append(courante)
    return lignes


def _identification(fiche: Fiche) -> Section:
    lignes = [
        ligne(f"identification.{nom}", libelle, getattr(fiche.identification, nom))
        for nom, libelle in IDENTIFICATION.items()
    ]
    return Section(titre="Identification", lignes=lignes)


def _postes(fiche: Fiche) -> Section:
    lignes = []
    for poste, valeurs in fiche.financier.postes.items():
        lignes += serie(f"financier.postes.{poste}", POSTES.get(poste, poste), valeurs, euros=True)
    return Section(titre="Chiffres clés (en euros)", lignes=lignes)


def _mesures(titre: str, famille: str, liste: list[Indicateur], *, repliee: bool) -> Section:
    # L'unité a sa colonne : l'ajouter au libellé le doublait quand il la contient déjà.
    lignes = []
    for rang, indicateur in enumerate(liste):
        lignes += serie(f"{famille}.{rang}", indicateur.libelle, indicateur.valeurs,
                        unite=indicateur.unite or "")  # fmt: skip
    return Section(titre=titre, lignes=lignes, repliee=repliee)


def _care(fiche: Fiche) -> Section:
    lignes = []
    for rang, ligne_care in enumerate(fiche.financier.lignes):
        lignes += serie(f"financier.lignes.{rang}", ligne_care.libelle, ligne_care.valeurs,
                        euros=True)  # fmt: skip
    return Section(titre="Lignes du CARE telles que lues", lignes=lignes, repliee=True)


def _faits(fiche: Fiche) -> Section:
    lignes = [
        ligne(f"faits_marquants.{rang}", f"Fait marquant {rang + 1}", fait)
        for rang, fait in enumerate(fiche.faits_marquants)
    ]
    effectif = serie("activite.effectif_etp", "Effectif", fiche.activite.effectif_etp,
                     unite="ETP")  # fmt: skip
    return Section(titre="Effectif et faits marquants", lignes=effectif + lignes)


def _sispea(fiche: Fiche) -> Section:
    """Indicateurs SISPEA : code, libellé réglementaire, unité ; même source surlignée."""
    definitions = referentiel()
    lignes = []
    for code, champ in fiche.indicateurs_sispea.items():
        definition = definitions.get(code)
        libelle = f"{code} — {definition.libelle}" if definition else code
        unite = definition.unite if definition else ""
        lignes.append(ligne(f"indicateurs_sispea.{code}", libelle, champ, unite=unite))
    return Section(titre="Indicateurs SISPEA", lignes=lignes)


def sections(fiche: Fiche) -> list[Section]:
    """Les sections de la fiche dans l'ordre de lecture de l'agent, chaque ligne marquée
    des anomalies de la fiche qui la concernent (`annoter`)."""
    toutes = [
        _identification(fiche),
        _postes(fiche),
        _mesures(
            "Indicateurs d'activité", "activite.indicateurs", fiche.activite.indicateurs,
            repliee=False,
        ),
        _mesures("Tarifs", "tarifs", fiche.tarifs, repliee=False),
        _sispea(fiche),
        _faits(fiche),
        _care(fiche),
    ]  # fmt: skip
    retenues = [s for s in toutes if s.lignes]
    annoter(retenues, fiche.anomalies)
    return retenues


def ancre_anomalie(rang: int) -> str:
    """L'ancre de la n-ième anomalie de la fiche dans la liste du haut de la page."""
    return f"anomalie-{rang + 1}"


def annoter(liste: list[Section], anomalies: list[Anomalie]) -> None:
    """Chaque ligne (et sa valeur N-1) reçoit les anomalies dont elle est un des champs.
    Les chemins des anomalies suivent `controles.commun.chemin_anomalie`."""
    par_chemin: dict[str, list[RefAnomalie]] = {}
    for rang, anomalie in enumerate(anomalies):
        ref = RefAnomalie(ancre=ancre_anomalie(rang), code=anomalie.code,
                          gravite=anomalie.gravite.value)  # fmt: skip
        for chemin in anomalie.champs:
            par_chemin.setdefault(chemin, []).append(ref)
    for section in liste:
        for ligne_champ in section.lignes:
            for cible in (ligne_champ, ligne_champ.precedent):
                if cible is None:
                    continue
                forme = commun.chemin_anomalie(cible.chemin)
                autres = par_chemin.get(cible.chemin, []) if forme != cible.chemin else []
                cible.anomalies = par_chemin.get(forme, []) + autres


def champ_de(fiche: Fiche, chemin: str) -> Champ[Any] | None:
    """Le champ désigné par son chemin (celui de `fiche.ancrage.champs_de`), ou None."""
    if chemin.startswith("indicateurs_sispea."):
        return fiche.indicateurs_sispea.get(chemin.removeprefix("indicateurs_sispea."))
    return next((c for p, c in champs_de(fiche) if p == chemin), None)


def ligne_de(fiche: Fiche, chemin: str) -> LigneChamp | None:
    """La ligne affichée d'un chemin (libellé compris), valeur N-1 comprise."""
    for section in sections(fiche):
        for ligne_champ in section.lignes:
            if ligne_champ.chemin == chemin:
                return ligne_champ
            if ligne_champ.precedent and ligne_champ.precedent.chemin == chemin:
                return ligne_champ.precedent
    return None
