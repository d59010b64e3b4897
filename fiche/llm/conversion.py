"""De la réponse du LLM (`FicheLlm`) à la `Fiche` du contrat, et fusion des morceaux.

Toute provenance est recalculée ici depuis les identifiants de ligne
(`fiche.llm.citations`) ; aucune page ni citation ne vient du modèle. Les charges sont
remises en positif (fiche.md) ; seuls les résultats gardent leur signe.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document
from fiche.llm.citations import (
    IndexLignes,
    Provenance,
    ancrer_annee,
    ancrer_categorie,
    ancrer_date,
    ancrer_nombre,
    ancrer_texte,
)
from fiche.llm.schema import (
    ConformiteLlm,
    FaitLlm,
    FicheLlm,
    IdentificationLlm,
    PosteLlm,
    SerieLlm,
    ValeurAnnee,
)
from fiche.modeles import (
    ELEMENTS_CONFORMITE,
    Activite,
    Ancrage,
    Champ,
    ElementConformite,
    Fiche,
    Financier,
    Identification,
    Indicateur,
    Origine,
    Production,
    Source,
    UniteSource,
)

T = TypeVar("T")
POSTES_SIGNES = {"resultat", "resultat_net"}
SANS_VALEUR = Provenance(None, None, Ancrage.ABSENT)


def _champ(valeur: T | None, provenance: Provenance) -> Champ[T]:
    if valeur is None:
        return Champ[T](origine=Origine.LLM)
    return Champ[T](
        valeur=valeur,
        page=provenance.page,
        citation=provenance.citation,
        ancrage=provenance.ancrage,
        origine=Origine.LLM,
    )


def _texte(valeur: str | None, ligne: str | None, index: IndexLignes) -> Champ[str]:
    propre = valeur.strip() if valeur else None
    if not propre:
        return Champ[str](origine=Origine.LLM)
    return _champ(propre, ancrer_texte(propre, index.citees(ligne)))


def identification(rep: IdentificationLlm, index: IndexLignes) -> Identification:
    secteur, contrat = rep.secteur, rep.type_contrat
    debut, fin, exercice = rep.date_debut, rep.date_fin, rep.exercice
    return Identification(
        collectivite=_texte(rep.collectivite.valeur, rep.collectivite.ligne, index),
        objet=_texte(rep.objet.valeur, rep.objet.ligne, index),
        secteur=_champ(secteur.valeur, _provenance_categorie(secteur.valeur, secteur.ligne, index)),
        delegataire=_texte(rep.delegataire.valeur, rep.delegataire.ligne, index),
        type_contrat=_champ(
            contrat.valeur, _provenance_categorie(contrat.valeur, contrat.ligne, index)
        ),
        date_debut=_champ(debut.valeur, _provenance_date(debut.valeur, debut.ligne, index)),
        date_fin=_champ(fin.valeur, _provenance_date(fin.valeur, fin.ligne, index)),
        exercice=_champ(
            exercice.valeur,
            ancrer_annee(exercice.valeur, index.citees(exercice.ligne))
            if exercice.valeur is not None
            else SANS_VALEUR,
        ),
    )


def _provenance_categorie(
    valeur: StrEnum | None, ligne: str | None, index: IndexLignes
) -> Provenance:
    if valeur is None:
        return SANS_VALEUR
    return ancrer_categorie(valeur, index.citees(ligne))


def _provenance_date(valeur: Any, ligne: str | None, index: IndexLignes) -> Provenance:
    if valeur is None:
        return SANS_VALEUR
    return ancrer_date(valeur, index.citees(ligne))


def _nombre(valeur: float, ligne: str, index: IndexLignes, *, montant: bool) -> Champ[float]:
    ancre = ancrer_nombre(valeur, index.citees(ligne), index, montant=montant)
    return _champ(float(ancre.valeur), ancre.provenance)


def postes(reponses: list[PosteLlm], index: IndexLignes) -> dict[str, dict[str, Champ[float]]]:
    resultat: dict[str, dict[str, Champ[float]]] = {}
    for poste in reponses:
        champ = _nombre(poste.valeur, poste.ligne, index, montant=True)
        if poste.poste not in POSTES_SIGNES and champ.valeur is not None:
            champ.valeur = abs(champ.valeur)  # charges imprimées négatives : positives ici
        resultat.setdefault(poste.poste, {})[str(poste.annee)] = champ
    return resultat


def _valeurs(valeurs: list[ValeurAnnee], index: IndexLignes) -> dict[str, Champ[float]]:
    return {str(v.annee): _nombre(v.valeur, v.ligne, index, montant=False) for v in valeurs}


def series(reponses: list[SerieLlm], index: IndexLignes) -> list[Indicateur]:
    return [
        Indicateur(libelle=s.libelle.strip(), unite=s.unite, valeurs=_valeurs(s.valeurs, index))
        for s in reponses
        if s.libelle.strip()
    ]


def conformite(reponses: list[ConformiteLlm], index: IndexLignes) -> dict[str, ElementConformite]:
    """Les neuf éléments, toujours : un élément non rendu par le modèle est « absent »."""
    elements = {e: ElementConformite(present=False) for e in ELEMENTS_CONFORMITE}
    for rep in reponses:
        lignes = index.citees(rep.ligne) if rep.present else []
        elements[rep.element] = ElementConformite(
            present=rep.present, page=lignes[0].page if lignes else None
        )
    return elements


def vers_fiche(reponse: FicheLlm, document: Document, production: Production) -> Fiche:
    """La fiche complète : valeurs du modèle, provenance calculée ici."""
    index = IndexLignes(document)
    return Fiche(
        source=source(document),
        identification=identification(reponse.identification, index),
        financier=Financier(
            unite_source=UniteSource(reponse.unite_source),
            postes=postes(reponse.postes, index),
        ),
        activite=Activite(
            indicateurs=series(reponse.indicateurs, index),
            effectif_etp=_valeurs(reponse.effectif_etp, index),
        ),
        tarifs=series(reponse.tarifs, index),
        faits_marquants=[
            _texte(f.texte, f.ligne, index) for f in reponse.faits_marquants if f.texte.strip()
        ],
        conformite=conformite(reponse.conformite, index),
        production=production,
    )


def source(document: Document) -> Source:
    return Source(
        fichier=Path(document.fichier).name,
        sha256=document.sha256,
        pages=len(document.pages),
        scanne=document.scanne,
    )


def maintenant() -> datetime:
    return datetime.now(UTC)


def _cle_libelle(texte: str) -> str:
    return " ".join(sans_accents(texte).casefold().split())


def _fusionner_series(listes: list[list[SerieLlm]]) -> list[SerieLlm]:
    """Séries de même libellé réunies ; pour une année, la première valeur rendue gagne."""
    par_libelle: dict[str, SerieLlm] = {}
    for serie in (s for liste in listes for s in liste):
        deja = par_libelle.get(_cle_libelle(serie.libelle))
        if deja is None:
            par_libelle[_cle_libelle(serie.libelle)] = serie.model_copy(deep=True)
            continue
        annees = {v.annee for v in deja.valeurs}
        deja.valeurs.extend(v for v in serie.valeurs if v.annee not in annees)
    return list(par_libelle.values())


def _fusionner_identification(reponses: list[FicheLlm]) -> IdentificationLlm:
    """Champ par champ, la première valeur non nulle (les morceaux suivent les pages)."""
    fusion = reponses[0].identification.model_copy(deep=True)
    for nom in IdentificationLlm.model_fields:
        for rep in reponses:
            champ = getattr(rep.identification, nom)
            if champ.valeur is not None:
                setattr(fusion, nom, champ)
                break
    return fusion


def fusionner(reponses: list[FicheLlm]) -> FicheLlm:
    """Une seule réponse à partir des réponses des morceaux d'un long rapport."""
    if len(reponses) == 1:
        return reponses[0]
    vus_postes: set[tuple[str, int]] = set()
    postes_: list[PosteLlm] = []
    for poste in (p for rep in reponses for p in rep.postes):
        if (poste.poste, poste.annee) not in vus_postes:
            vus_postes.add((poste.poste, poste.annee))
            postes_.append(poste)
    faits: dict[str, FaitLlm] = {}
    for fait in (f for rep in reponses for f in rep.faits_marquants):
        faits.setdefault(_cle_libelle(fait.texte), fait)
    conformites: dict[str, ConformiteLlm] = {}
    for element in (c for rep in reponses for c in rep.conformite):
        # Présent dans un morceau suffit : la première occurrence présente l'emporte.
        deja = conformites.get(element.element)
        if deja is None or (element.present and not deja.present):
            conformites[element.element] = element
    avec_postes = [rep for rep in reponses if rep.postes]
    annees_etp: dict[int, ValeurAnnee] = {}
    for valeur in (v for rep in reponses for v in rep.effectif_etp):
        annees_etp.setdefault(valeur.annee, valeur)
    return FicheLlm(
        identification=_fusionner_identification(reponses),
        unite_source=(avec_postes or reponses)[0].unite_source,
        postes=postes_,
        indicateurs=_fusionner_series([rep.indicateurs for rep in reponses]),
        effectif_etp=sorted(annees_etp.values(), key=lambda v: v.annee),
        tarifs=_fusionner_series([rep.tarifs for rep in reponses]),
        faits_marquants=list(faits.values()),
        conformite=list(conformites.values()),
    )
