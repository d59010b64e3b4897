"""UNITE : des montants décalés d'un facteur 1 000 (k€ lus comme des euros, ou l'inverse).

Le CARE (R.3131-3 1° a)) est imprimé en euros, en k€ ou en M€ selon les rapports, et la
légende peut mentir (« en k€ » au-dessus de montants en euros) ou manquer. Une fiche dont
tous les montants sont mille fois trop grands ou trop petits reste arithmétiquement juste :
seule la confrontation avec d'autres chiffres du même rapport la trahit.

Preuves, de la plus forte à la plus faible :
1. le récit annonce pour un poste un montant avec son unité (« un chiffre d'affaires de
   4 875 925 € ») que la fiche porte à un facteur ~1 000 (ou ~1 000 000) près, au-delà de
   `ratio_unite`, alors qu'aucune année ne lui correspond à l'échelle ;
2. les charges de personnel rapportées à l'effectif (ETP) du rapport donnent un coût par
   agent hors de toute mesure (un facteur `ratio_unite` au-delà ou en deçà de 50 000 € par
   ETP) ;
3. à défaut de toute autre preuve, un chiffre d'affaires hors de l'échelle des services
   délégués locaux (au-delà de 2 milliards d'euros ou en deçà de 2 000 €).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from controles.base import Contexte
from controles.commun import NOMS_UNITES, citer, euros, mention_pages, multiplicateur_unite
from controles.texte_tableau import (
    NOMS_POSTES,
    Affirmation,
    Serie,
    affirmations,
    exercice,
    meme_echelle,
    series,
)
from fiche.modeles import Anomalie, Fiche, Gravite

journal = logging.getLogger(__name__)

CODE = "UNITE"
REGLE = "R.3131-3 1° a) : unité des montants du CARE (décalage d'un facteur 1 000)"
COUT_ETP_REFERENCE = 50_000.0
"""Coût complet annuel d'un agent (ETP), ordre de grandeur."""
CA_PLAFOND = 2e9
CA_PLANCHER = 2e3
"""Échelle des chiffres d'affaires des services délégués locaux (dernier recours)."""
ECART_PUISSANCE = 0.35
"""Tolérance (en puissances de 10) autour de ×1 000 ou ×1 000 000."""


@dataclass(frozen=True)
class Preuve:
    facteur: float
    """Fiche / réalité présumée : 1 000 si la fiche est mille fois trop grande."""
    message: str
    champs: list[str]
    pages: list[int]


def puissance_de_mille(rapport: float, ratio_unite: float) -> int:
    """k si `rapport` ≈ 1 000^k (k ≠ 0) au-delà de `ratio_unite`, sinon 0."""
    if rapport <= 0 or meme_echelle(rapport, 1.0, ratio_unite):
        return 0
    exposant = math.log10(rapport) / 3
    k = round(exposant)
    if k == 0 or abs(math.log10(rapport) - 3 * k) > ECART_PUISSANCE:
        return 0
    return k


def controle_unite(ctx: Contexte) -> list[Anomalie]:
    """UNITE (alerte) — R.3131-3 1° a) : montants décalés d'un facteur 1 000.

    Une seule alerte par fiche, sur la preuve la plus forte : montant du récit avec son
    unité (écart ≈ ×1 000 au-delà de `ratio_unite`), puis coût du personnel par ETP, puis,
    faute de mieux, échelle du chiffre d'affaires.
    """
    try:
        preuve = _par_le_recit(ctx) or _par_les_effectifs(ctx) or _par_l_echelle(ctx)
    except Exception:  # un contrôle ne lève jamais : il ne conclut pas
        journal.exception("UNITE : contrôle impossible sur %s", ctx.fiche.source.fichier)
        return []
    if preuve is None:
        return []
    return [
        Anomalie(
            code=CODE,
            gravite=Gravite.ALERTE,
            message=preuve.message,
            champs=preuve.champs,
            pages=preuve.pages,
            regle=REGLE,
        )
    ]


def _legende(fiche: Fiche, ctx: Contexte) -> str:
    """« en milliers d'euros » (et la légende imprimée si l'extraction l'a gardée)."""
    multiplicateur = multiplicateur_unite(fiche.financier.unite_source)
    pages = {ligne.page for ligne in fiche.financier.lignes}
    indices = [
        t.unite_indice
        for t in ctx.document.tableaux
        if t.unite_indice and set(t.pages) & pages and t.unite
    ]
    nom = NOMS_UNITES.get(multiplicateur, "euros")
    if indices:
        return f"en {nom} (légende « {indices[0].strip()} »)"
    return f"en {nom}"


def _conclusion(facteur: float) -> str:
    if facteur > 1:
        return (
            f"Les montants de la fiche, lus dans le tableau, seraient {_fois(facteur)} trop "
            "grands (montants en euros présentés comme des k€ ?)"
        )
    return (
        f"Les montants de la fiche, lus dans le tableau, seraient {_fois(1 / facteur)} trop "
        "petits (montants en k€ lus comme des euros ?)"
    )


def _fois(facteur: float) -> str:
    return "mille fois" if round(math.log10(facteur) / 3) == 1 else "un million de fois"


# --- 1. Le récit -----------------------------------------------------------------------


def _par_le_recit(ctx: Contexte) -> Preuve | None:
    fiche = ctx.fiche
    n = exercice(fiche, ctx.document)
    for affirmation in affirmations(ctx.document, fiche):
        if affirmation.genre != "niveau":
            continue
        for serie in series(fiche, affirmation.sujet)[:1]:
            preuve = _preuve_recit(ctx, affirmation, serie, n)
            if preuve is not None:
                return preuve
    return None


def _preuve_recit(
    ctx: Contexte, affirmation: Affirmation, serie: Serie, n: int | None
) -> Preuve | None:
    annees = serie.annees()
    if not annees or affirmation.valeur == 0:
        return None
    ratio = ctx.seuils.ratio_unite
    puissances = set()
    for annee in annees:
        montant = serie.montant(annee)
        if montant is None or montant == 0:
            return None
        puissances.add(puissance_de_mille(abs(montant) / abs(affirmation.valeur), ratio))
    if len(puissances) != 1 or 0 in puissances:
        return None  # une année à l'échelle du récit : pas de décalage d'unité
    k = puissances.pop()
    annee = str(n) if n is not None and str(n) in annees else annees[-1]
    montant = serie.montant(annee) or 0.0
    champ = serie.valeurs[annee]
    facteur = 1000.0**k
    phrase = affirmation.phrase
    nom = NOMS_POSTES.get(affirmation.sujet.cle, serie.nom)
    imprime = f" (imprimé « {champ.citation} »)" if champ.citation else ""
    pages_care = {ligne.page for ligne in ctx.fiche.financier.lignes}
    if not pages_care and champ.page is not None:
        pages_care = {champ.page}
    ou = mention_pages(pages_care)
    ecart = f"{_fois(facteur)} plus" if facteur > 1 else f"{_fois(1 / facteur)} moins"
    message = (
        f"Le CARE ({ou}) est lu {_legende(ctx.fiche, ctx)}, mais le récit "
        f"({mention_pages([phrase.page])}) annonce pour {nom} {euros(abs(affirmation.valeur))} "
        f"({citer(phrase.texte)}), quand la fiche porte {euros(montant)} pour {annee}"
        f"{imprime}, soit {ecart}. {_conclusion(facteur)}. Faire confirmer l'unité du CARE "
        "par le délégataire avant d'utiliser les montants de la fiche."
    )
    return Preuve(
        facteur,
        message,
        ["financier.unite_source", serie.chemin.format(annee=annee)],
        sorted({p for p in (phrase.page, champ.page, *pages_care) if p is not None}),
    )


# --- 2. Les effectifs ------------------------------------------------------------------


def _par_les_effectifs(ctx: Contexte) -> Preuve | None:
    fiche = ctx.fiche
    personnel = fiche.financier.postes.get("charges_personnel", {})
    etp = fiche.activite.effectif_etp
    ratio = ctx.seuils.ratio_unite
    for annee in sorted(set(personnel) & set(etp), reverse=True):
        cout, effectif = personnel[annee], etp[annee]
        if cout.valeur is None or effectif.valeur is None or effectif.valeur < 1:
            continue
        par_agent = abs(float(cout.valeur)) / float(effectif.valeur)
        if par_agent == 0:
            continue
        k = puissance_de_mille(par_agent / COUT_ETP_REFERENCE, ratio)
        if k == 0:
            continue
        facteur = 1000.0**k
        message = (
            f"Les charges de personnel de la fiche ({euros(abs(float(cout.valeur)))} en "
            f"{annee}, {mention_pages([cout.page])}) rapportées à l'effectif du rapport "
            f"({str(effectif.valeur).replace('.', ',')} ETP, {mention_pages([effectif.page])}) "
            f"donnent {euros(par_agent)} par agent, quand un agent coûte de l'ordre de "
            f"{euros(COUT_ETP_REFERENCE)} par an. Le CARE est lu {_legende(fiche, ctx)}. "
            f"{_conclusion(facteur)}. Faire confirmer l'unité du CARE par le délégataire."
        )
        return Preuve(
            facteur,
            message,
            [
                "financier.unite_source",
                f"financier.postes.charges_personnel.{annee}",
                f"activite.effectif_etp.{annee}",
            ],
            sorted({p for p in (cout.page, effectif.page) if p is not None}),
        )
    return None


# --- 3. L'échelle ----------------------------------------------------------------------


def _par_l_echelle(ctx: Contexte) -> Preuve | None:
    fiche = ctx.fiche
    ca = fiche.financier.postes.get("chiffre_affaires", {})
    for annee in sorted(ca, reverse=True):
        champ = ca[annee]
        if champ.valeur is None or champ.valeur == 0:
            continue
        valeur = abs(float(champ.valeur))
        if CA_PLANCHER <= valeur <= CA_PLAFOND:
            return None
        facteur = 1000.0 if valeur > CA_PLAFOND else 1e-3
        borne = (
            f"au-delà de {euros(CA_PLAFOND)}"
            if valeur > CA_PLAFOND
            else f"en deçà de {euros(CA_PLANCHER)}"
        )
        message = (
            f"Le chiffre d'affaires de la fiche ({euros(valeur)} en {annee}, "
            f"{mention_pages([champ.page])}) est hors de l'échelle d'un service délégué local "
            f"({borne}). Le CARE est lu {_legende(fiche, ctx)}. {_conclusion(facteur)}. "
            "Faire confirmer l'unité du CARE par le délégataire."
        )
        return Preuve(
            facteur,
            message,
            ["financier.unite_source", f"financier.postes.chiffre_affaires.{annee}"],
            [champ.page] if champ.page else [],
        )
    return None
