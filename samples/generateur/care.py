"""Le CARE (compte annuel de résultat de l'exploitation) : montants, totaux, impression.

Les montants sont tenus en *quanta* (la plus petite unité imprimée : euro, dixième de k€,
centième de M€) pour que détails, sous-totaux et totaux s'additionnent exactement ;
l'or est ensuite écrit en euros (valeur imprimée × multiplicateur de l'unité affichée).

Convention d'addition (reprise par les tests) : dans un bloc, chaque sous-total somme
les détails qui le précèdent depuis le sous-total précédent ; le total somme les
sous-totaux et les détails qu'aucun sous-total n'a absorbés.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .modele import LigneOr, LigneTableau, Nature, PosteOr, Section, Tableau, Valeur
from .nombres_fr import FormatNombre, ecrire_quanta

COUTS = {"total_charges", "charges_personnel", "frais_siege", "redevance", "reversements"}
"""Postes toujours positifs dans la fiche, même imprimés en négatif (fiche.md)."""


@dataclass
class LigneCareDef:
    libelle: str
    montants: dict[str, int] = field(default_factory=dict)  # quanta, signe « métier »
    poste: str | None = None
    nature: Nature = "detail"


@dataclass
class BlocCare:
    section: Section
    intertitre: str | None
    lignes: list[LigneCareDef]
    total: LigneCareDef | None = None


@dataclass
class ReglagesCare:
    """Comment imprimer : format des nombres, colonnes, signe des charges, unité."""

    annees: list[str]  # dans l'ordre des colonnes
    entetes: list[str]  # un texte d'en-tête par colonne d'année
    fmt: FormatNombre
    quantum_or: float  # euros par quantum *affiché* (multiplicateur / 10^décimales)
    charges_negatives: bool = False
    regle: bool = True
    titre: str | None = None
    legende: str | None = None
    premiere_entete: str = ""
    coupe_apres: int | None = None
    coupe: str | None = None
    colonne_variation: bool = False
    erreurs: dict[tuple[str, str], int] = field(default_factory=dict)  # anomalies plantées


def calculer(blocs: list[BlocCare], reglages: ReglagesCare) -> None:
    """Remplit sous-totaux et totaux ; applique ensuite les écarts plantés imprimés."""
    for bloc in blocs:
        for annee in reglages.annees:
            courant = 0
            absorbe = 0
            for ligne in bloc.lignes:
                if ligne.nature == "sous_total":
                    ligne.montants[annee] = courant + _ecart(reglages, ligne, annee)
                    absorbe += ligne.montants[annee]
                    courant = 0
                else:
                    courant += ligne.montants[annee]
            if bloc.total is not None:
                bloc.total.montants[annee] = absorbe + courant + _ecart(reglages, bloc.total, annee)


def _ecart(reglages: ReglagesCare, ligne: LigneCareDef, annee: str) -> int:
    return reglages.erreurs.get((ligne.libelle, annee), 0)


def total_bloc(blocs: list[BlocCare], section: Section, annee: str) -> int:
    return sum(b.total.montants[annee] for b in blocs if b.section == section and b.total)


def resultat_lignes(
    blocs: list[BlocCare],
    reglages: ReglagesCare,
    libelle: str,
    impot: dict[str, int] | None = None,
    libelle_net: str = "Résultat net",
) -> BlocCare:
    """Bloc résultat : produits − reversements − charges, puis impôt et résultat net."""
    resultat = LigneCareDef(libelle, poste="resultat", nature="total")
    for annee in reglages.annees:
        brut = total_bloc(blocs, "produits", annee)
        brut -= total_bloc(blocs, "reversements", annee) + total_bloc(blocs, "charges", annee)
        resultat.montants[annee] = brut + _ecart(reglages, resultat, annee)
    lignes = [resultat]
    if impot is not None:
        lignes.append(LigneCareDef("Impôt sur les sociétés", dict(impot), nature="detail"))
        net = LigneCareDef(libelle_net, poste="resultat_net", nature="total")
        for annee in reglages.annees:
            net.montants[annee] = resultat.montants[annee] - impot[annee]
        lignes.append(net)
    return BlocCare("resultat", None, lignes)


def _signe_imprime(section: Section, ligne: LigneCareDef, reglages: ReglagesCare) -> int:
    """Les charges (et l'impôt) s'impriment en négatif si le rapport le fait ainsi."""
    est_charge = section in ("charges", "reversements") or ligne.libelle.startswith("Impôt")
    return -1 if est_charge and reglages.charges_negatives else 1


def _texte_variation(montants: dict[str, int], annees: list[str]) -> str:
    ancien, nouveau = montants[annees[-2]], montants[annees[-1]]
    if ancien == 0:
        return "n.s."
    pct = round((nouveau - ancien) / abs(ancien) * 1000)
    return ecrire_quanta(pct, FormatNombre("\u00a0", 1, "moins")) + "\u00a0%"


def imprimer(
    blocs: list[BlocCare], reglages: ReglagesCare, prefixe: str
) -> tuple[Tableau, list[LigneOr]]:
    """Construit le tableau imprimé et, en parallèle, les lignes d'or (mêmes textes)."""
    lignes: list[LigneTableau] = []
    ors: list[LigneOr] = []
    for bloc in blocs:
        if bloc.intertitre:
            lignes.append(LigneTableau([bloc.intertitre], intertitre=True))
        for ligne in bloc.lignes + ([bloc.total] if bloc.total else []):
            cle = f"{prefixe}-{len(ors)}"
            signe = _signe_imprime(bloc.section, ligne, reglages)
            textes = [
                ecrire_quanta(signe * ligne.montants[a], reglages.fmt) for a in reglages.annees
            ]
            valeurs = {
                a: Valeur(signe * ligne.montants[a] * reglages.quantum_or, t, cle)
                for a, t in zip(reglages.annees, textes, strict=True)
            }
            cellules = [ligne.libelle, *textes]
            if reglages.colonne_variation:
                cellules.append(_texte_variation(ligne.montants, reglages.annees))
            gras = ligne.nature != "detail"
            lignes.append(LigneTableau(cellules, cle=cle, gras=gras))
            section = bloc.section
            ors.append(LigneOr(ligne.libelle, section, ligne.nature, ligne.poste, cle, valeurs))
    entetes = [reglages.premiere_entete, *reglages.entetes]
    if reglages.colonne_variation:
        entetes.append("Variation %")
    tableau = Tableau(
        entetes=[entetes],
        lignes=lignes,
        regle=reglages.regle,
        titre=reglages.titre,
        legende=reglages.legende,
        coupe_apres=_rang_coupe(lignes, reglages.coupe_apres),
        coupe=reglages.coupe,  # type: ignore[arg-type]
        cle=f"{prefixe}-tableau",
    )
    return tableau, ors


def _rang_coupe(lignes: list[LigneTableau], apres_or: int | None) -> int | None:
    """La coupe est donnée en rang de ligne d'or ; on la traduit en rang de ligne imprimée."""
    if apres_or is None:
        return None
    vues = -1
    for rang, ligne in enumerate(lignes):
        if ligne.cle is not None:
            vues += 1
        if vues == apres_or:
            return rang
    return None


def postes_depuis_lignes(ors: list[LigneOr]) -> dict[str, dict[str, PosteOr]]:
    """Agrège les postes ; un poste nourri par plusieurs lignes est « calculé »."""
    par_poste: dict[str, list[LigneOr]] = {}
    for ligne in ors:
        if ligne.poste:
            par_poste.setdefault(ligne.poste, []).append(ligne)
    postes: dict[str, dict[str, PosteOr]] = {}
    for poste, lignes in par_poste.items():
        postes[poste] = {}
        for annee in lignes[0].valeurs:
            vals = [lg.valeurs[annee] for lg in lignes]
            total = sum(v.valeur for v in vals)
            if poste in COUTS:
                total = abs(total)
            if len(vals) == 1:
                postes[poste][annee] = PosteOr(total, vals[0].citation, vals[0].cle)
            else:
                postes[poste][annee] = PosteOr(total, None, vals[0].cle, calcule=True)
    return postes
