"""Ce que le gabarit de la fiche affiche, en enregistrements typés bâtis depuis la `Fiche`.

Les valeurs restent brutes (montants en euros, dates, pages) : les filtres français de
`publication.filtres` les écrivent dans le gabarit, où un agent peut changer la mise en
forme sans toucher au code. Seule la conversion en dictionnaire, au moment du rendu,
quitte le monde typé.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from controles.commun import date_longue
from controles.completude import ARTICLE_RPQS, ELEMENTS, ELEMENTS_RPQS
from fiche.modeles import (
    ELEMENTS_CONFORMITE,
    Champ,
    Fiche,
    Indicateur,
    Production,
    ValeursAnnuelles,
)
from publication import filtres, libelles
from publication.sispea import lignes_fiche_sispea


class Enregistrement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rubrique(Enregistrement):
    """Une ligne du bloc d'identification : la valeur lisible et sa page."""

    valeur: str
    page: int | None = None


class IdentificationFiche(Enregistrement):
    collectivite: Rubrique
    delegataire: Rubrique
    objet: Rubrique
    secteur: Rubrique
    type_contrat: Rubrique
    exercice: Rubrique
    date_debut: date | None
    date_fin: date | None
    pages_dates: list[int]


class LigneChiffree(Enregistrement):
    """Une ligne N-1 / N : montant, indicateur ou tarif, avec ses pages dans le rapport."""

    libelle: str
    unite: str | None = None
    precedent: float | None
    courant: float | None
    variation: float | None
    """En pourcentage (7.2 pour +7,2 %) ; absente quand elle ne signifie rien."""
    pages: list[int]


class FaitMarquant(Enregistrement):
    texte: str
    page: int | None


class PointVigilance(Enregistrement):
    gravite: str
    code: str
    message: str
    pages: list[int]
    reconnaissance: str | None = None
    """« Reconnue par <agent> : <motif> » quand le valideur l'a reconnue pour valider."""


class Reconnaissance(Enregistrement):
    """Une anomalie bloquante ou alerte reconnue par le valideur (`decisions`)."""

    code: str
    message: str
    motif: str
    agent: str


class ElementCompletude(Enregistrement):
    libelle: str
    article: str
    present: bool | None
    """None : la fiche n'a pas évalué cet élément."""
    page: int | None


class Completude(Enregistrement):
    presents: int
    total: int
    elements: list[ElementCompletude]


class Origine(Enregistrement):
    fichier: str
    pages: int
    nature: str
    production: str
    date_production: datetime
    sobriete: str


class LigneSispea(Enregistrement):
    code: str
    libelle: str
    valeur: str
    unite: str
    page: str


class ContexteFiche(Enregistrement):
    brouillon: bool
    filigrane: str
    titre: str
    annee_precedente: str
    annee: str
    identification: IdentificationFiche
    chiffres: list[LigneChiffree]
    indicateurs: list[LigneChiffree]
    tarifs: list[LigneChiffree]
    indicateurs_sispea: list[LigneSispea] = []
    faits_marquants: list[FaitMarquant]
    vigilance: list[PointVigilance]
    completude: Completude
    avis: str | None
    origine: Origine
    mention: str


# --- Construction ------------------------------------------------------------------------


def annees(fiche: Fiche) -> tuple[str | None, str | None]:
    """(N-1, N) : l'exercice de la fiche, à défaut les deux dernières années des postes."""
    exercice = fiche.identification.exercice.valeur
    if exercice is not None:
        return str(exercice - 1), str(exercice)
    vues = sorted({a for valeurs in fiche.financier.postes.values() for a in valeurs})
    if not vues:
        return None, None
    return (vues[-2] if len(vues) > 1 else None), vues[-1]


def variation(precedent: float | None, courant: float | None) -> float | None:
    """(N − N-1) / |N-1| en pourcentage ; rien si N-1 est nul ou si le signe change (un
    résultat qui passe de la perte au bénéfice n'a pas de variation lisible en %)."""
    if precedent is None or courant is None or precedent == 0 or precedent * courant < 0:
        return None
    return (courant - precedent) / abs(precedent) * 100


def ligne(
    libelle: str,
    valeurs: ValeursAnnuelles,
    periode: tuple[str | None, str | None],
    unite: str | None = None,
) -> LigneChiffree:
    avant = valeurs.get(periode[0]) if periode[0] else None
    apres = valeurs.get(periode[1]) if periode[1] else None
    precedent = avant.valeur if avant else None
    courant = apres.valeur if apres else None
    # Un taux qui varie se lit en points, pas en pourcentage de pourcentage : pas de variation.
    evolution = None if unite == "%" else variation(precedent, courant)
    pages = sorted({c.page for c in (avant, apres) if c is not None and c.page is not None})
    return LigneChiffree(
        libelle=libelle,
        unite=unite,
        precedent=precedent,
        courant=courant,
        variation=evolution,
        pages=pages,
    )


def chiffres_cles(fiche: Fiche, periode: tuple[str | None, str | None]) -> list[LigneChiffree]:
    lignes = []
    for poste, libelle in libelles.POSTES.items():
        valeurs = fiche.financier.postes.get(poste, {})
        renseigne = any(c.valeur is not None for c in valeurs.values())
        if poste in libelles.POSTES_FACULTATIFS and not renseigne:
            continue
        lignes.append(ligne(libelle, valeurs, periode))
    return lignes


def mesures(
    series: list[Indicateur], periode: tuple[str | None, str | None]
) -> list[LigneChiffree]:
    return [ligne(s.libelle, s.valeurs, periode, s.unite) for s in series]


def indicateurs(fiche: Fiche, periode: tuple[str | None, str | None]) -> list[LigneChiffree]:
    lignes = mesures(fiche.activite.indicateurs, periode)
    if fiche.activite.effectif_etp:
        lignes.append(ligne("Effectif", fiche.activite.effectif_etp, periode, "ETP"))
    return lignes


def rubrique(champ: Champ[str] | Champ[int], libelle: str | None = None) -> Rubrique:
    if champ.valeur is None:
        return Rubrique(valeur=libelles.NON_RENSEIGNE, page=champ.page)
    return Rubrique(valeur=libelle or str(champ.valeur), page=champ.page)


def identification(fiche: Fiche) -> IdentificationFiche:
    ident = fiche.identification
    secteur, type_contrat = ident.secteur.valeur, ident.type_contrat.valeur
    dates = (ident.date_debut, ident.date_fin)
    return IdentificationFiche(
        collectivite=rubrique(ident.collectivite),
        delegataire=rubrique(ident.delegataire),
        objet=rubrique(ident.objet),
        secteur=Rubrique(
            valeur=libelles.SECTEURS[secteur] if secteur else libelles.NON_RENSEIGNE,
            page=ident.secteur.page,
        ),
        type_contrat=Rubrique(
            valeur=libelles.TYPES_CONTRAT[type_contrat] if type_contrat else libelles.NON_RENSEIGNE,
            page=ident.type_contrat.page,
        ),
        exercice=rubrique(ident.exercice),
        date_debut=ident.date_debut.valeur,
        date_fin=ident.date_fin.valeur,
        pages_dates=sorted({c.page for c in dates if c.page is not None}),
    )


def vigilance(fiche: Fiche, reconnaissances: Sequence[Reconnaissance] = ()) -> list[PointVigilance]:
    """Les anomalies, de la plus grave à la moins grave (ordre des contrôles conservé),
    chacune avec la reconnaissance du valideur s'il l'a reconnue pour valider."""
    triees = sorted(fiche.anomalies, key=lambda a: libelles.ORDRE_GRAVITE[a.gravite])
    motifs = {(r.code, r.message): f"Reconnue par {r.agent} : {r.motif}" for r in reconnaissances}
    return [
        PointVigilance(
            gravite=libelles.GRAVITES[a.gravite],
            code=a.code,
            message=a.message,
            pages=a.pages,
            reconnaissance=motifs.get((a.code, a.message)),
        )
        for a in triees
    ]


def _catalogue(fiche: Fiche) -> list[tuple[str, str, str]]:
    """(clé, libellé, article) du contenu obligatoire selon le type du document."""
    if fiche.source.type_document == "rpqs":
        return [(cle, libelle, ARTICLE_RPQS) for cle, libelle in ELEMENTS_RPQS.items()]
    return [(cle, *ELEMENTS.get(cle, (cle, "R.3131-3 et R.3131-4"))) for cle in ELEMENTS_CONFORMITE]


def completude(fiche: Fiche) -> Completude:
    elements = []
    for cle, libelle, article in _catalogue(fiche):
        etat = fiche.conformite.get(cle)
        elements.append(
            ElementCompletude(
                libelle=libelle[0].upper() + libelle[1:],
                article=article,
                present=etat.present if etat else None,
                page=etat.page if etat else None,
            )
        )
    presents = sum(e.present is True for e in elements)
    return Completude(presents=presents, total=len(elements), elements=elements)


def mention(fiche: Fiche, validee: bool) -> str:
    """« Fiche rédigée avec l'aide de l'IA générative et validée par <agent> le <date> »,
    « … par extraction automatique … » en mode règles ; un brouillon le dit."""
    debut = libelles.REDACTION[fiche.production.mode]
    if validee and fiche.revue is not None:
        return f"{debut} et validée par {fiche.revue.agent} le {date_longue(fiche.revue.date)}."
    return f"{debut}, non encore validée par un agent."


def origine(fiche: Fiche) -> Origine:
    production = fiche.production
    if production.mode == "llm":
        texte = f"IA générative (modèle {production.modele or 'non précisé'})"
    else:
        texte = "extraction automatique par règles déterministes"
    return Origine(
        fichier=fiche.source.fichier,
        pages=fiche.source.pages,
        nature="scanné" if fiche.source.scanne else "natif",
        production=f"{texte}, version {production.version}",
        date_production=production.date,
        sobriete=sobriete(production),
    )


def sobriete(production: Production) -> str:
    """« Énergie de production estimée : 6,2 mWh, soit 0,32 mg CO₂e » ; sinon pourquoi."""
    if production.energie_wh is None or production.co2_g is None:
        pourquoi = "taille du modèle non déclarée" if production.jetons_sortie else "non mesurée"
        return f"Énergie de production : non estimée ({pourquoi})"
    return (
        f"Énergie de production estimée : {filtres.energie(production.energie_wh)}, "
        f"soit {filtres.co2(production.co2_g)}"
    )


def contexte_fiche(
    fiche: Fiche, *, brouillon: bool, reconnaissances: Sequence[Reconnaissance] = ()
) -> ContexteFiche:
    """Le contexte du gabarit ; une fiche sans revue reste un brouillon quoi qu'on demande."""
    brouillon = brouillon or fiche.revue is None
    periode = annees(fiche)
    objet = fiche.identification.objet.valeur
    return ContexteFiche(
        brouillon=brouillon,
        filigrane=libelles.FILIGRANE,
        titre=objet or fiche.source.fichier,
        annee_precedente=periode[0] or "N-1",
        annee=periode[1] or "N",
        identification=identification(fiche),
        chiffres=chiffres_cles(fiche, periode),
        indicateurs=indicateurs(fiche, periode),
        tarifs=mesures(fiche.tarifs, periode),
        indicateurs_sispea=[LigneSispea(**ligne) for ligne in lignes_fiche_sispea(fiche)],
        faits_marquants=[
            FaitMarquant(texte=f.valeur, page=f.page) for f in fiche.faits_marquants if f.valeur
        ],
        vigilance=vigilance(fiche, reconnaissances),
        completude=completude(fiche),
        avis=fiche.revue.avis if fiche.revue else None,
        origine=origine(fiche),
        mention=mention(fiche, validee=not brouillon),
    )
