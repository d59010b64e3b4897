"""EXERCICE_PRECEDENT : la colonne N-1 du rapport contredit le rapport de l'an dernier.

Le rapport doit permettre la comparaison avec l'exercice précédent et garder les mêmes
méthodes d'une année sur l'autre (R.3131-2) ; le CARE reprend les montants de N-1
(R.3131-3 1° a)). Si la colonne N-1 de ce rapport ne reprend pas la colonne N de la fiche
de l'an dernier du même contrat, le délégataire a retraité ses comptes sans le dire.

L'historique, ce sont les fiches **validées** par un agent : celles de la base
(`stockage.historique`), ou un dossier de fiches validées (`*.fiche.json`, ex. les fiches
publiées l'an dernier) : `charger_historique` rend celles du même contrat (même
collectivité, même délégataire, même objet, comparés après normalisation) dont
l'exercice est antérieur.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from controles.base import Contexte
from controles.commun import chemin_ligne, ecart_euros, euros, tolerance_montant
from controles.variations import LIBELLES_POSTES, exercice_de
from fiche.evaluation import normaliser_texte
from fiche.modeles import POSTES, Anomalie, Champ, Fiche, Gravite, LigneCare

CODE = "EXERCICE_PRECEDENT"
REGLE = "R.3131-2 (comparaison avec l'exercice précédent, permanence des méthodes)"
MAX_LIGNES_CITEES = 5

journal = logging.getLogger(__name__)


# --- Historique ---------------------------------------------------------------------------


def cle_contrat(fiche: Fiche) -> tuple[str, str, str] | None:
    """(collectivité, délégataire, objet) normalisés ; None s'il en manque un."""
    ident = fiche.identification
    valeurs = (ident.collectivite.valeur, ident.delegataire.valeur, ident.objet.valeur)
    if any(not v for v in valeurs):
        return None
    collectivite, delegataire, objet = (normaliser_texte(str(v)) for v in valeurs)
    return collectivite, delegataire, objet


def meme_contrat(a: Fiche, b: Fiche) -> bool:
    cle = cle_contrat(a)
    return cle is not None and cle == cle_contrat(b)


def _ordre(fiche: Fiche) -> tuple[int, int, float]:
    """Plus récent d'abord ; à exercice égal, une fiche revue par un agent d'abord."""
    return (
        -(fiche.identification.exercice.valeur or 0),
        0 if fiche.revue is not None else 1,
        -fiche.production.date.timestamp(),
    )


def historique_du_contrat(fiche: Fiche, candidates: Iterable[Fiche]) -> list[Fiche]:
    """Parmi des fiches, celles du même contrat et d'un exercice antérieur, récentes d'abord."""
    exercice = fiche.identification.exercice.valeur
    if exercice is None or cle_contrat(fiche) is None:
        return []
    retenues = [
        autre
        for autre in candidates
        if autre.identification.exercice.valeur is not None
        and autre.identification.exercice.valeur < exercice
        and meme_contrat(fiche, autre)
    ]
    return sorted(retenues, key=_ordre)


def charger_historique(dossier: Path, fiche: Fiche) -> list[Fiche]:
    """Les fiches du dossier pour le même contrat et un exercice antérieur (récentes d'abord).

    Un fichier illisible (JSON cassé, autre schéma) est ignoré et noté au journal.
    """
    if not dossier.is_dir():
        return []
    candidates: list[Fiche] = []
    for chemin in sorted(dossier.glob("*.fiche.json")):
        try:
            candidates.append(Fiche.model_validate_json(chemin.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValidationError, ValueError) as exc:
            journal.info("Historique : %s ignorée (%s)", chemin.name, exc.__class__.__name__)
    return historique_du_contrat(fiche, candidates)


# --- Comparaison --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ecart:
    libelle: str
    champ: str
    actuel: Champ[float]
    ancien: Champ[float]
    absolu: bool = False
    """Ligne de charges ou de reversements : comparée et décrite sans son signe imprimé."""

    @property
    def ligne(self) -> bool:
        return self.champ.startswith("financier.lignes")


def _differe(
    actuel: Champ[float], ancien: Champ[float], ctx: Contexte, precedente: Fiche, absolu: bool
) -> bool:
    if actuel.valeur is None or ancien.valeur is None:
        return False
    a, b = actuel.valeur, ancien.valeur
    if absolu:
        a, b = abs(a), abs(b)
    seuil = max(
        tolerance_montant(actuel, ctx.fiche.financier.unite_source, ctx.seuils),
        tolerance_montant(ancien, precedente.financier.unite_source, ctx.seuils),
    )
    return abs(a - b) > seuil


def _cles_lignes(lignes: list[LigneCare]) -> dict[tuple[str, str, int], int]:
    """(section, libellé normalisé, rang d'occurrence) → rang de la ligne."""
    vues: dict[tuple[str, str], int] = {}
    cles: dict[tuple[str, str, int], int] = {}
    for rang, ligne in enumerate(lignes):
        base = (ligne.section, normaliser_texte(ligne.libelle))
        occurrence = vues.get(base, 0)
        vues[base] = occurrence + 1
        cles[(*base, occurrence)] = rang
    return cles


def ecarts(ctx: Contexte, precedente: Fiche, annee: int) -> list[Ecart]:
    """Les postes puis les lignes du CARE (hors lignes déjà portées par un poste) dont la
    colonne `annee` diffère entre cette fiche et la fiche précédente."""
    cle = str(annee)
    trouves: list[Ecart] = []
    for poste in POSTES:
        actuel = ctx.fiche.financier.postes.get(poste, {}).get(cle)
        ancien = precedente.financier.postes.get(poste, {}).get(cle)
        if (
            actuel is not None
            and ancien is not None
            and _differe(actuel, ancien, ctx, precedente, absolu=False)
        ):
            libelle = LIBELLES_POSTES.get(poste, poste)
            trouves.append(Ecart(libelle, f"financier.postes.{poste}.{cle}", actuel, ancien))
    lignes_avant = precedente.financier.lignes
    cles_avant = _cles_lignes(lignes_avant)
    for (section, nom, occurrence), rang in _cles_lignes(ctx.fiche.financier.lignes).items():
        ligne = ctx.fiche.financier.lignes[rang]
        if ligne.poste is not None or (section, nom, occurrence) not in cles_avant:
            continue
        avant = lignes_avant[cles_avant[(section, nom, occurrence)]]
        actuel, ancien = ligne.valeurs.get(cle), avant.valeurs.get(cle)
        absolu = section in ("charges", "reversements")  # signe imprimé propre à chaque rapport
        if (
            actuel is not None
            and ancien is not None
            and _differe(actuel, ancien, ctx, precedente, absolu)
        ):
            trouves.append(
                Ecart(
                    f"« {ligne.libelle.strip()} »", chemin_ligne(rang, cle), actuel, ancien, absolu
                )
            )
    return trouves


def _decrire(ecart: Ecart) -> str:
    actuel, ancien = ecart.actuel.valeur or 0.0, ecart.ancien.valeur or 0.0
    if ecart.absolu:
        actuel, ancien = abs(actuel), abs(ancien)
    ici = f" (page {ecart.actuel.page})" if ecart.actuel.page else ""
    avant = f" (page {ecart.ancien.page})" if ecart.ancien.page else ""
    return (
        f"{ecart.libelle} {euros(actuel)}{ici} contre {euros(ancien)}{avant} l'an dernier, "
        f"écart de {ecart_euros(actuel - ancien)}"
    )


def controle_exercice_precedent(ctx: Contexte) -> list[Anomalie]:
    """EXERCICE_PRECEDENT (alerte) — R.3131-2 (permanence des méthodes) et R.3131-3 1° a).

    La colonne d'une année de ce CARE est comparée à la colonne N de la fiche la plus
    récente du même contrat qui porte cette année (normalement la fiche N-1), poste par
    poste et ligne par ligne (lignes appariées par section et libellé), au-delà de la
    tolérance de l'unité source. Tous les écarts forment une seule anomalie.
    """
    n = exercice_de(ctx)
    if n is None:
        return []
    for precedente in historique_du_contrat(ctx.fiche, ctx.historique):
        annee = precedente.identification.exercice.valeur
        if annee is None or annee >= n:
            continue
        cle = str(annee)
        porte = any(cle in valeurs for valeurs in ctx.fiche.financier.postes.values())
        if not porte:
            continue
        trouves = ecarts(ctx, precedente, annee)
        return [_anomalie(precedente, annee, trouves)] if trouves else []
    return []


def _anomalie(precedente: Fiche, annee: int, trouves: list[Ecart]) -> Anomalie:
    """Une seule anomalie : les lignes du CARE d'abord (la cause), puis les postes touchés."""
    lignes = [e for e in trouves if e.ligne]
    postes = [e for e in trouves if not e.ligne]
    cites = (lignes + postes)[:MAX_LIGNES_CITEES]
    reste = len(trouves) - len(cites)
    details = " ; ".join(_decrire(e) for e in cites)
    if reste:
        details += (
            f" ; et {reste} autre{'s' if reste > 1 else ''} montant{'s' if reste > 1 else ''}"
        )
    source = precedente.source.fichier
    message = (
        f"La colonne {annee} du CARE de ce rapport ne reprend pas les montants du rapport "
        f"{annee} du même contrat ({source}) : {details}. Demander au délégataire la "
        "justification de ce retraitement et, le cas échéant, le CARE corrigé (R.3131-2 : "
        "comparaison avec l'exercice précédent et permanence des méthodes)."
    )
    champs = [e.champ for e in postes] + [e.champ for e in lignes]
    pages = sorted({e.actuel.page for e in trouves if e.actuel.page is not None})
    return Anomalie(
        code=CODE,
        gravite=Gravite.ALERTE,
        message=message,
        champs=champs,
        pages=pages,
        regle=REGLE,
    )
