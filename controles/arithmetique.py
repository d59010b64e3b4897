"""SOMME_POSTES et RESULTAT : l'arithmétique du CARE tel qu'il est imprimé (R.3131-3 1° a)).

Le compte annuel de résultat de l'exploitation (CARE, R.3131-3 1° a) du code de la commande
publique) doit être juste : les lignes de détail d'un bloc font le sous-total ou le total
imprimé, et produits − reversements − charges = résultat. Les contrôles lisent
`fiche.financier.lignes` (chaque ligne imprimée, montants en euros avec le signe imprimé).

Convention d'addition (celle des CARE) : un `sous_total` récapitule les détails qui le
précèdent depuis le sous-total ou le total précédent de sa section ; un `total` additionne
les sous-totaux et les détails qui n'ont pas été absorbés (et un total antérieur de la
section). Les sections (produits, reversements, charges) sont prises séparément, si bien que
l'ordre dans lequel elles sont rangées est sans effet ; dans une section sans sous-total, le
total unique additionne toutes les lignes, où qu'il soit rangé. Seule la portée d'un
sous-total dépend de sa position. Si la convention ne tombe pas juste, les autres lectures
usuelles sont essayées avant de conclure (sous-total de sous-totaux, total de tous les
détails, second bloc après un premier total). « dont ... », « Total à reporter » et
« Report » ne sont jamais des termes.

Pages scannées : l'écart peut venir d'un chiffre mal reconnu ; le message désigne alors la
cellule de plus faible confiance OCR, à vérifier d'abord sur le scan.

Signes : les charges sont imprimées négatives ou positives selon les rapports, et une ligne
de sens contraire (prélèvements d'un casino dans ses produits, reprise sur provision dans
les charges) est une déduction. Un bloc est donc juste si la valeur absolue de la somme
signée de ses termes égale la valeur absolue du total imprimé.

Tolérance : somme des tolérances d'arrondi des termes et du total (`controles.commun`) :
2 € par montant imprimé en euros, une demi-unité du dernier chiffre imprimé en k€ ou M€.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from controles.base import Contexte
from controles.commun import (
    chemin_ligne,
    ecart_euros,
    euros,
    mention_ocr,
    mention_pages,
    tolerance_addition,
    tolerance_montant,
)
from extracteurs.modeles import Document
from fiche.modeles import Anomalie, Champ, Fiche, Gravite, LigneCare, UniteSource
from fiche.regles.texte import normaliser
from socle.reglages import SeuilsControles

journal = logging.getLogger(__name__)

CODE_SOMME = "SOMME_POSTES"
CODE_RESULTAT = "RESULTAT"
REGLE_SOMME = "R.3131-3 1° a) : cohérence arithmétique du CARE (détails = sous-totaux et totaux)"
REGLE_RESULTAT = "R.3131-3 1° a) : cohérence arithmétique du CARE (produits − charges = résultat)"

SECTIONS_ADDITIONNEES = ("produits", "reversements", "charges")
NOMS_SECTIONS = {
    "produits": "des produits",
    "reversements": "des reversements",
    "charges": "des charges",
}
POSTE_DE_SECTION = {
    "produits": "chiffre_affaires",
    "reversements": "reversements",
    "charges": "total_charges",
}
LIBELLES_MAX = 6
"""Au-delà, le message ne nomme plus chaque ligne additionnée."""


@dataclass(frozen=True)
class Terme:
    """Une cellule du CARE : la ligne (et son rang dans la fiche) et le montant d'une année."""

    rang: int
    ligne: LigneCare
    champ: Champ[float]

    @property
    def valeur(self) -> float:
        return float(self.champ.valeur or 0.0)

    @property
    def page(self) -> int:
        return self.champ.page or self.ligne.page


@dataclass(frozen=True)
class Ecart:
    """Un total (ou sous-total) imprimé que ses termes ne font pas."""

    cible: Terme
    termes: tuple[Terme, ...]
    annee: str
    tolerance: float

    @property
    def somme(self) -> float:
        return abs(sum(t.valeur for t in self.termes))

    @property
    def imprime(self) -> float:
        return abs(self.cible.valeur)


_REPORT = re.compile(r"(?:^|\s)(?:a reporter|report|reports|reporte)(?:\s|$)")


def _est_ventilation(ligne: LigneCare) -> bool:
    """Ligne qui n'est pas un terme de l'addition : « dont frais de siège » (précision sur
    la ligne du dessus), « Total à reporter » / « Report » (CARE coupé sur deux pages)."""
    norme = normaliser(ligne.libelle)
    return (
        norme.startswith(("dont ", "y compris ")) or norme == "dont" or bool(_REPORT.search(norme))
    )


def _annees(lignes: Sequence[LigneCare]) -> list[str]:
    return sorted({a for ligne in lignes for a in ligne.valeurs})


def _terme(rang: int, ligne: LigneCare, annee: str) -> Terme | None:
    champ = ligne.valeurs.get(annee)
    if champ is None or champ.valeur is None:
        return None
    return Terme(rang, ligne, champ)


def _accord(
    termes: Sequence[Terme], cible: Terme, unite: UniteSource, seuils: SeuilsControles
) -> tuple[bool, float]:
    """Les termes font-ils la cible (valeurs absolues de la somme signée et du total) ?"""
    tolerance = tolerance_addition([t.champ for t in (*termes, cible)], unite, seuils)
    somme = sum(t.valeur for t in termes)
    return abs(abs(somme) - abs(cible.valeur)) <= tolerance + 1e-6, tolerance


@dataclass
class _Bloc:
    """Parcours d'une section pour une année : ce qui reste à additionner."""

    ouverts: list[Terme]
    """Sous-totaux, détails non absorbés et total précédent : ce qu'un total additionne."""
    depuis_sous_total: list[Terme]
    """Détails imprimés depuis le dernier sous-total ou total."""
    details: list[Terme]
    """Tous les détails depuis le dernier total."""


def _candidats(bloc: _Bloc, nature: str) -> list[list[Terme]]:
    """Les additions qu'une ligne récapitulative peut viser, la convention d'abord."""
    if nature == "sous_total":
        # Les détails depuis le sous-total précédent ; à défaut, les sous-totaux et détails
        # encore ouverts (sous-totaux imbriqués).
        candidats = [bloc.depuis_sous_total, bloc.ouverts]
    else:
        # Sous-totaux et détails ouverts (et total précédent) ; ce qui suit le total
        # précédent (second bloc) ; tous les détails depuis le total précédent.
        sans_total = [t for t in bloc.ouverts if t.ligne.nature != "total"]
        candidats = [bloc.ouverts, sans_total, bloc.details]
    uniques: list[list[Terme]] = []
    for candidat in candidats:
        if candidat and all([id(t) for t in candidat] != [id(t) for t in u] for u in uniques):
            uniques.append(candidat)
    return uniques


def parcourir_section(
    lignes: Sequence[tuple[int, LigneCare]],
    annee: str,
    unite: UniteSource,
    seuils: SeuilsControles,
) -> tuple[list[Ecart], list[Terme]]:
    """Vérifie chaque sous-total et total d'une section pour une année ; rend les écarts et
    les termes ouverts en fin de parcours (le dernier total imprimé, ou à défaut ce qu'il
    additionnerait)."""
    bloc = _Bloc([], [], [])
    ecarts: list[Ecart] = []
    for rang, ligne in lignes:
        terme = _terme(rang, ligne, annee)
        if terme is None or _est_ventilation(ligne):
            continue
        if ligne.nature == "detail":
            bloc.ouverts.append(terme)
            bloc.depuis_sous_total.append(terme)
            bloc.details.append(terme)
            continue
        candidats = _candidats(bloc, ligne.nature)
        retenu: list[Terme] = []
        if candidats:
            retenu = next(
                (c for c in candidats if _accord(c, terme, unite, seuils)[0]), candidats[0]
            )
            juste, tolerance = _accord(retenu, terme, unite, seuils)
            if not juste:
                ecarts.append(Ecart(terme, tuple(retenu), annee, tolerance))
        absorbes = {id(t) for t in retenu}
        bloc.ouverts = [t for t in bloc.ouverts if id(t) not in absorbes] + [terme]
        bloc.depuis_sous_total = []
        if ligne.nature == "total":
            bloc.ouverts = [terme]
            bloc.details = []
    return ecarts, bloc.ouverts


def _lignes_de(fiche: Fiche, section: str) -> list[tuple[int, LigneCare]]:
    """Les lignes d'une section dans l'ordre imprimé. Sans sous-total, un total unique
    additionne toutes les lignes de sa section où qu'il soit rangé : il est mis à la fin
    (seule la portée d'un sous-total dépend de sa position)."""
    lignes = [(k, lg) for k, lg in enumerate(fiche.financier.lignes) if lg.section == section]
    if section in SECTIONS_ADDITIONNEES and not any(lg.nature == "sous_total" for _, lg in lignes):
        totaux = [(k, lg) for k, lg in lignes if lg.nature == "total"]
        if len(totaux) == 1:
            lignes = [x for x in lignes if x[1].nature != "total"] + totaux
    return lignes


# --- SOMME_POSTES ----------------------------------------------------------------------


def controle_somme_postes(ctx: Contexte) -> list[Anomalie]:
    """SOMME_POSTES (bloquant) — R.3131-3 1° a) : le CARE doit être arithmétiquement juste.

    Pour chaque section additionnée (produits, reversements, charges) et chaque année,
    chaque sous-total imprimé doit égaler les détails qu'il récapitule et chaque total les
    sous-totaux et détails de sa section, à la tolérance d'arrondi de la source près
    (2 € par montant en euros, une demi-unité du dernier chiffre imprimé en k€ ou M€,
    cumulées sur les termes). Une anomalie par ligne et par année fautive.
    """
    try:
        return _somme_postes(ctx)
    except Exception:  # un contrôle ne lève jamais : il ne conclut pas
        journal.exception("SOMME_POSTES : contrôle impossible sur %s", ctx.fiche.source.fichier)
        return []


def _somme_postes(ctx: Contexte) -> list[Anomalie]:
    fiche = ctx.fiche
    unite = fiche.financier.unite_source
    anomalies: list[Anomalie] = []
    for section in SECTIONS_ADDITIONNEES:
        lignes = _lignes_de(fiche, section)
        if not lignes:
            continue
        for annee in _annees([lg for _, lg in lignes]):
            ecarts, _ = parcourir_section(lignes, annee, unite, ctx.seuils)
            for ecart in ecarts:
                manquantes = cellules_non_lues(lignes, ecart)
                if manquantes and ecart.imprime > ecart.somme:
                    anomalies.append(_anomalie_cellule(ecart, section, manquantes))
                    continue
                lecture = relire_hierarchie(ecart, unite, ctx.seuils)
                if lecture != "juste":
                    anomalies.append(
                        _anomalie_somme(ecart, section, ctx.document, lecture == "incertain")
                    )
    return anomalies


def cellules_non_lues(lignes: Sequence[tuple[int, LigneCare]], ecart: Ecart) -> list[LigneCare]:
    """Lignes de détail dans la portée du total fautif qui ont un montant pour d'autres
    années mais pas pour celle-ci : la cellule n'a pas été lue (OCR, cellule fusionnée),
    elle n'est pas vide dans le rapport. Le total qui dépasse la somme lue ne prouve alors
    aucune erreur du CARE."""
    recapitulatives = ("total",) if ecart.cible.ligne.nature == "total" else ("total", "sous_total")
    debut = max(
        (k for k, lg in lignes if k < ecart.cible.rang and lg.nature in recapitulatives),
        default=-1,
    )
    return [
        lg
        for k, lg in lignes
        if debut < k < ecart.cible.rang
        and lg.nature == "detail"
        and not _est_ventilation(lg)
        and _terme(k, lg, ecart.annee) is None
        and any(c.valeur is not None for c in lg.valeurs.values())
    ]


def _anomalie_cellule(ecart: Ecart, section: str, manquantes: Sequence[LigneCare]) -> Anomalie:
    """SOMME_POSTES en alerte : l'écart peut venir d'une cellule que la lecture a manquée."""
    cible = ecart.cible
    noms = ", ".join(f"« {lg.libelle.strip()} »" for lg in manquantes[:LIBELLES_MAX])
    message = (
        f"Le CARE ({mention_pages([cible.page])}) imprime pour {ecart.annee} le total "
        f"{NOMS_SECTIONS.get(section, '')} « {cible.ligne.libelle.strip()} » = "
        f"{cible.champ.citation or euros(cible.valeur)} ; les montants lus totalisent "
        f"{euros(ecart.somme)} (écart de {ecart_euros(ecart.imprime - ecart.somme)}), mais le "
        f"montant {ecart.annee} de {noms} n'a pas été lu alors que la ligne en porte pour "
        "d'autres années. Lire la cellule sur la page et la saisir : l'écart n'est pas une "
        "erreur avérée du CARE (R.3131-3 1° a))."
    )
    champs = [chemin_ligne(cible.rang, ecart.annee)]
    if cible.ligne.poste:
        champs.append(f"financier.postes.{cible.ligne.poste}.{ecart.annee}")
    pages = sorted({cible.page, *(lg.page for lg in manquantes)})
    return Anomalie(
        code=CODE_SOMME, gravite=Gravite.ALERTE, message=message, champs=champs, pages=pages,
        regle=REGLE_SOMME,
    )  # fmt: skip


def _groupes_en_tete(termes: Sequence[Terme], tolerance: float) -> list[tuple[int, int]]:
    """(i, j) : la ligne i vaut la somme des lignes i+1..j-1 qui la suivent (au moins deux).

    C'est un sous-total imprimé au-dessus de ses composantes (« Autres recettes : » puis
    leur détail), que la convention des CARE compterait deux fois."""
    groupes: list[tuple[int, int]] = []
    for i, tete in enumerate(termes):
        cumul = 0.0
        for j in range(i + 1, len(termes)):
            cumul += termes[j].valeur
            if j - i >= 2 and abs(abs(cumul) - abs(tete.valeur)) <= tolerance + 1e-6:
                groupes.append((i, j + 1))
                break
    return groupes


def relire_hierarchie(ecart: Ecart, unite: UniteSource, seuils: SeuilsControles) -> str:
    """« juste » si une autre hiérarchie des lignes fait le total (sous-total au-dessus de
    ses composantes) ; « incertain » si l'écart s'explique par des lignes comptées deux
    fois ou par un libellé de regroupement (« … : ») : la structure n'est pas sûre, l'agent
    regarde ; « faux » sinon (le tableau ne tombe juste sous aucune lecture)."""
    termes = list(ecart.termes)
    for i, fin in _groupes_en_tete(termes, ecart.tolerance):
        for retenus in (termes[:i] + termes[i + 1 :], termes[: i + 1] + termes[fin:]):
            if retenus and _accord(retenus, ecart.cible, unite, seuils)[0]:
                return "juste"
    ecart_signe = abs(ecart.imprime - ecart.somme)
    for i in range(len(termes)):
        cumul = 0.0
        for j in range(i, len(termes)):
            cumul += abs(termes[j].valeur)
            if abs(cumul - ecart_signe) <= ecart.tolerance + 1e-6:
                return "incertain"
    if any(t.ligne.libelle.strip().endswith(":") for t in (*termes, ecart.cible)):
        return "incertain"
    return "faux"


def _enumerer(termes: Sequence[Terme]) -> str:
    if len(termes) > LIBELLES_MAX:
        return f"les {len(termes)} lignes qu'il additionne"
    noms = [f"« {t.ligne.libelle.strip()} »" for t in termes]
    if len(noms) == 1:
        return f"la ligne {noms[0]}"
    return "les lignes " + ", ".join(noms[:-1]) + f" et {noms[-1]}"


def _anomalie_somme(
    ecart: Ecart, section: str, document: Document, incertain: bool = False
) -> Anomalie:
    cible = ecart.cible
    genre = "sous-total" if cible.ligne.nature == "sous_total" else "total"
    pages_termes = mention_pages(t.page for t in ecart.termes)
    imprime = cible.champ.citation or euros(cible.valeur)
    difference = ecart.imprime - ecart.somme
    message = (
        f"Le CARE ({mention_pages([cible.page])}) imprime pour {ecart.annee} le {genre} "
        f"{NOMS_SECTIONS.get(section, '')} « {cible.ligne.libelle.strip()} » = {imprime}, soit "
        f"{euros(ecart.imprime)}, alors que {_enumerer(ecart.termes)} ({pages_termes}) "
        f"{'totalise' if len(ecart.termes) == 1 else 'totalisent'} {euros(ecart.somme)} : "
        f"écart de {ecart_euros(difference)}, au-delà de "
        f"l'arrondi toléré ({euros(ecart.tolerance)}). Une des lignes ou le {genre} est faux : "
        "demander au délégataire un CARE corrigé et l'origine de l'écart (R.3131-3 1° a))."
    )
    if incertain:
        message = (
            f"Le CARE ({mention_pages([cible.page])}) imprime pour {ecart.annee} le {genre} "
            f"{NOMS_SECTIONS.get(section, '')} « {cible.ligne.libelle.strip()} » = {imprime} ; "
            f"{_enumerer(ecart.termes)} ({pages_termes}) ne le font qu'en lisant autrement la "
            f"structure du tableau (écart de {ecart_euros(difference)}, égal à des lignes qui "
            "semblent être des sous-totaux ou des regroupements). La structure n'est pas sûre : "
            "vérifier sur la page quelles lignes s'additionnent avant toute demande au "
            "délégataire."
        )
    message += mention_ocr(
        document,
        [
            (f"« {t.ligne.libelle.strip()} » {ecart.annee}", t.page, t.champ.citation)
            for t in (cible, *ecart.termes)
        ],
    )
    champs = [chemin_ligne(cible.rang, ecart.annee)]
    if cible.ligne.poste:
        champs.append(f"financier.postes.{cible.ligne.poste}.{ecart.annee}")
    pages = sorted({cible.page, *(t.page for t in ecart.termes)})
    return Anomalie(
        code=CODE_SOMME,
        gravite=Gravite.INFO if incertain else Gravite.BLOQUANT,
        message=message,
        champs=champs,
        pages=pages,
        regle=REGLE_SOMME,
    )


# --- RESULTAT --------------------------------------------------------------------------


@dataclass(frozen=True)
class Agregat:
    """Un total de section pour une année : le montant imprimé (ou recomposé) et ses
    cellules (pour la tolérance, les pages et les chemins)."""

    valeur: float
    cellules: tuple[Champ[float], ...]
    libelle: str
    pages: tuple[int, ...]
    champs: tuple[str, ...]
    imprime: bool


def _agregat_lignes(
    fiche: Fiche, section: str, annee: str, seuils: SeuilsControles
) -> Agregat | None:
    lignes = _lignes_de(fiche, section)
    if not lignes:
        return None
    poste = POSTE_DE_SECTION[section]
    totaux = [
        (k, lg)
        for k, lg in lignes
        if lg.nature == "total" and _terme(k, lg, annee) is not None and not _est_ventilation(lg)
    ]
    portes = [(k, lg) for k, lg in totaux if lg.poste == poste]
    choisi = (portes or totaux)[-1:] if totaux else []
    if choisi:
        rang, ligne = choisi[0]
        champ = ligne.valeurs[annee]
        champs = [chemin_ligne(rang, annee)]
        if ligne.poste:
            champs.append(f"financier.postes.{ligne.poste}.{annee}")
        return Agregat(
            abs(float(champ.valeur or 0.0)),
            (champ,),
            f"« {ligne.libelle.strip()} »",
            (champ.page or ligne.page,),
            tuple(champs),
            True,
        )
    _, termes = parcourir_section(lignes, annee, fiche.financier.unite_source, seuils)
    if not termes:
        return None
    return Agregat(
        abs(sum(t.valeur for t in termes)),
        tuple(t.champ for t in termes),
        f"la somme des lignes {NOMS_SECTIONS[section]}",
        tuple(sorted({t.page for t in termes})),
        tuple(chemin_ligne(t.rang, annee) for t in termes),
        False,
    )


def _agregat_poste(fiche: Fiche, poste: str, annee: str, signe: bool = False) -> Agregat | None:
    champ = fiche.financier.postes.get(poste, {}).get(annee)
    if champ is None or champ.valeur is None:
        return None
    valeur = float(champ.valeur) if signe else abs(float(champ.valeur))
    return Agregat(
        valeur,
        (champ,),
        "",
        (champ.page,) if champ.page else (),
        (f"financier.postes.{poste}.{annee}",),
        champ.ancrage != "calcule",
    )


_PERTE = ("perte", "deficit")


def _resultats_imprimes(fiche: Fiche, annee: str) -> list[tuple[int, LigneCare, float]]:
    """Lignes de résultat imprimées (rang, ligne, valeur signée) ; une « perte » imprimée
    en positif est un résultat négatif."""
    sortie = []
    for rang, ligne in _lignes_de(fiche, "resultat"):
        terme = _terme(rang, ligne, annee)
        if terme is None or ligne.nature == "detail":
            continue
        valeur = terme.valeur
        if valeur > 0 and normaliser(ligne.libelle).startswith(_PERTE):
            valeur = -valeur
        sortie.append((rang, ligne, valeur))
    return sortie


@dataclass(frozen=True)
class _Equation:
    annee: str
    produits: Agregat
    reversements: Agregat | None
    charges: Agregat
    resultat: Agregat
    resultat_libelle: str
    autres: tuple[Terme, ...]


def controle_resultat(ctx: Contexte) -> list[Anomalie]:
    """RESULTAT (bloquant) — R.3131-3 1° a) : total des produits − reversements − total des
    charges = résultat imprimé, pour chaque année du CARE, à la tolérance d'arrondi près.

    Les totaux viennent des lignes du CARE (le total imprimé de chaque section, à défaut la
    somme de ses lignes) ou, sans lignes, des postes de la fiche ; un résultat calculé par
    le remplisseur n'est pas contrôlé (il vérifie l'égalité par construction). Lorsqu'un
    résultat net suit l'impôt, résultat net = résultat avant impôt − impôt est vérifié aussi.
    """
    try:
        return _resultat(ctx)
    except Exception:  # un contrôle ne lève jamais : il ne conclut pas
        journal.exception("RESULTAT : contrôle impossible sur %s", ctx.fiche.source.fichier)
        return []


def _annees_fiche(fiche: Fiche) -> list[str]:
    annees = set(_annees(fiche.financier.lignes))
    for valeurs in fiche.financier.postes.values():
        annees.update(valeurs)
    return sorted(annees)


def _resultat(ctx: Contexte) -> list[Anomalie]:
    fiche = ctx.fiche
    anomalies: list[Anomalie] = []
    for annee in _annees_fiche(fiche):
        equation = _equation(fiche, annee, ctx.seuils)
        if equation is not None:
            anomalie = _verifier_equation(fiche, equation, ctx.seuils, ctx.document)
            if anomalie is not None:
                anomalies.append(anomalie)
        anomalies.extend(_resultat_net(fiche, annee, ctx.seuils))
    return anomalies


def _equation(fiche: Fiche, annee: str, seuils: SeuilsControles) -> _Equation | None:
    if fiche.financier.lignes:
        produits = _agregat_lignes(fiche, "produits", annee, seuils)
        charges = _agregat_lignes(fiche, "charges", annee, seuils)
        reversements = _agregat_lignes(fiche, "reversements", annee, seuils)
        imprimes = _resultats_imprimes(fiche, annee)
        portes = [r for r in imprimes if r[1].poste == "resultat"]
        if produits is not None and charges is not None and (portes or imprimes):
            rang, ligne, valeur = (portes or imprimes)[0]
            champ = ligne.valeurs[annee]
            champs = [chemin_ligne(rang, annee)]
            if ligne.poste:
                champs.insert(0, f"financier.postes.{ligne.poste}.{annee}")
            resultat = Agregat(
                valeur, (champ,), "", (champ.page or ligne.page,), tuple(champs), True
            )
            autres = tuple(
                t
                for k, lg in _lignes_de(fiche, "autre")
                if k < rang and (t := _terme(k, lg, annee)) is not None
            )
            return _Equation(
                annee, produits, reversements, charges, resultat, ligne.libelle.strip(), autres
            )
    p_produits = _agregat_poste(fiche, "chiffre_affaires", annee)
    p_charges = _agregat_poste(fiche, "total_charges", annee)
    p_resultat = _agregat_poste(fiche, "resultat", annee, signe=True)
    if p_produits is None or p_charges is None or p_resultat is None:
        return None
    if not p_resultat.imprime:
        return None  # résultat déduit des totaux : l'égalité tient par construction
    p_reversements = _agregat_poste(fiche, "reversements", annee)
    return _Equation(annee, p_produits, p_reversements, p_charges, p_resultat, "Résultat", ())


def _verifier_equation(
    fiche: Fiche, eq: _Equation, seuils: SeuilsControles, document: Document
) -> Anomalie | None:
    unite = fiche.financier.unite_source
    deduit = eq.reversements.valeur if eq.reversements else 0.0
    attendu = eq.produits.valeur - deduit - eq.charges.valeur
    parties = [eq.produits, eq.charges, eq.resultat] + (
        [eq.reversements] if eq.reversements else []
    )
    cellules = [c for p in parties for c in p.cellules]
    tolerance = tolerance_addition(cellules, unite, seuils)
    if abs(eq.resultat.valeur - attendu) <= tolerance + 1e-6:
        return None
    # Une autre ligne de résultat imprimée (résultat d'exploitation avant résultat
    # financier...) qui fait l'égalité : c'est elle que l'égalité vise.
    sans_resultat = tolerance - tolerance_addition(eq.resultat.cellules, unite, seuils)
    for _, ligne, valeur in _resultats_imprimes(fiche, eq.annee):
        marge = sans_resultat + tolerance_montant(ligne.valeurs[eq.annee], unite, seuils)
        if abs(valeur - attendu) <= marge + 1e-6:
            return None
    # Des lignes hors sections (produits et charges financiers...) entre les charges et le
    # résultat : elles entrent dans le résultat, dans un sens ou dans l'autre.
    if eq.autres:
        marge = tolerance + tolerance_addition([t.champ for t in eq.autres], unite, seuils)
        signee = sum(t.valeur for t in eq.autres)
        deductions = sum(abs(t.valeur) for t in eq.autres)
        for variante in (attendu + signee, attendu - deductions, attendu + deductions):
            if abs(eq.resultat.valeur - variante) <= marge + 1e-6:
                return None
    return _anomalie_resultat(eq, attendu, tolerance, document)


def _decrire(agregat: Agregat) -> str:
    """« (« Total produits », 1 189 000 €, page 3) »."""
    morceaux = [agregat.libelle, euros(agregat.valeur), mention_pages(agregat.pages)]
    return "(" + ", ".join(m for m in morceaux if m) + ")"


def _anomalie_resultat(
    eq: _Equation, attendu: float, tolerance: float, document: Document
) -> Anomalie:
    res = eq.resultat
    cellule = res.cellules[0]
    imprime = euros(res.valeur)
    if cellule.citation:
        imprime = f"{cellule.citation}, soit {imprime}"
    ou = mention_pages(res.pages)
    diminue = f"du total des charges {_decrire(eq.charges)}"
    if eq.reversements is not None:
        diminue = f"des reversements {_decrire(eq.reversements)} et {diminue}"
    message = (
        f"Le résultat imprimé pour {eq.annee} (« {eq.resultat_libelle} »"
        f"{', ' + ou if ou else ''} : {imprime}) ne correspond pas au total des produits "
        f"{_decrire(eq.produits)} diminué {diminue}, qui donne {euros(attendu)} : écart de "
        f"{ecart_euros(res.valeur - attendu)}, au-delà de l'arrondi toléré "
        f"({euros(tolerance)}). Demander au délégataire le compte de résultat rectifié "
        "(R.3131-3 1° a))."
    )
    parties = [res, eq.produits, *([eq.reversements] if eq.reversements else []), eq.charges]
    message += mention_ocr(
        document,
        [
            (partie.libelle or "le montant", cellule.page, cellule.citation)
            for partie in parties
            for cellule in partie.cellules
        ],
    )
    chemins = [c for partie in parties for c in partie.champs]
    postes = [c for c in chemins if c.startswith("financier.postes.")]
    autres = [c for c in chemins if not c.startswith("financier.postes.")]
    champs = list(dict.fromkeys(postes + autres))
    pages = sorted({p for partie in parties for p in partie.pages})
    return Anomalie(
        code=CODE_RESULTAT,
        gravite=Gravite.BLOQUANT,
        message=message,
        champs=champs,
        pages=pages,
        regle=REGLE_RESULTAT,
    )


def _resultat_net(fiche: Fiche, annee: str, seuils: SeuilsControles) -> list[Anomalie]:
    """Résultat net = résultat avant impôt − impôt (et autres lignes imprimées entre eux)."""
    lignes = fiche.financier.lignes
    avant = next(
        (k for k, lg in enumerate(lignes) if lg.poste == "resultat" and _terme(k, lg, annee)),
        None,
    )
    net = next(
        (k for k, lg in enumerate(lignes) if lg.poste == "resultat_net" and _terme(k, lg, annee)),
        None,
    )
    if avant is None or net is None or net <= avant:
        return []
    entre = [
        t
        for k in range(avant + 1, net)
        if lignes[k].section in ("resultat", "autre")
        and lignes[k].nature == "detail"
        and (t := _terme(k, lignes[k], annee)) is not None
    ]
    if not entre:
        return []
    t_avant = _terme(avant, lignes[avant], annee)
    t_net = _terme(net, lignes[net], annee)
    if t_avant is None or t_net is None:
        return []
    unite = fiche.financier.unite_source
    tolerance = tolerance_addition([t.champ for t in (t_avant, t_net, *entre)], unite, seuils)
    signee = t_avant.valeur + sum(t.valeur for t in entre)
    deduite = t_avant.valeur - sum(abs(t.valeur) for t in entre)
    if min(abs(t_net.valeur - signee), abs(t_net.valeur - deduite)) <= tolerance + 1e-6:
        return []
    attendu = deduite
    noms = ", ".join(f"« {t.ligne.libelle.strip()} » ({euros(t.valeur)})" for t in entre)
    message = (
        f"Le résultat net imprimé pour {annee} (« {t_net.ligne.libelle.strip()} », "
        f"{mention_pages([t_net.page])} : {euros(t_net.valeur)}) ne correspond pas au résultat "
        f"avant impôt (« {t_avant.ligne.libelle.strip()} », {euros(t_avant.valeur)}) diminué "
        f"de {noms}, qui donne {euros(attendu)} : écart de "
        f"{ecart_euros(t_net.valeur - attendu)}, au-delà de l'arrondi toléré "
        f"({euros(tolerance)}). Demander au délégataire le compte de résultat rectifié "
        "(R.3131-3 1° a))."
    )
    return [
        Anomalie(
            code=CODE_RESULTAT,
            gravite=Gravite.BLOQUANT,
            message=message,
            champs=[
                f"financier.postes.resultat_net.{annee}",
                chemin_ligne(net, annee),
                chemin_ligne(avant, annee),
            ],
            pages=sorted({t_net.page, t_avant.page, *(t.page for t in entre)}),
            regle=REGLE_RESULTAT,
        )
    ]
