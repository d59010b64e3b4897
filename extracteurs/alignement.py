"""Lecture des tableaux par alignement des segments (PDF natif comme pages OCR).

Une ligne de tableau a un libellé à gauche et des nombres alignés en colonnes ; les
colonnes naissent du chevauchement horizontal des nombres d'une même zone. C'est le
lecteur qui marche aussi sur les mots d'un OCR, où camelot et pdfplumber ne voient rien.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from extracteurs.entetes import est_annee, est_entete
from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.lignes import LigneBrute, Segment, englobante
from extracteurs.modeles import MethodeTableau
from extracteurs.nombres import lire_nombre, normaliser_espaces

VIDES = {"-", "–", "—", "ns", "n.s.", "nc", "n.c.", "n/a", "na", "/", "*", "néant"}
# Symbole d'unité imprimé dans sa propre cellule : il rejoint la cellule chiffrée voisine.
UNITES_SEULES = {"€", "k€", "m€", "%", "eur", "keur"}
LIBELLE_MAX = 90


class Genre(Enum):
    NUMERIQUE = "numerique"
    ENTETE = "entete"
    LIBELLE = "libelle"
    AUTRE = "autre"


def _cle(texte: str) -> str:
    return normaliser_espaces(texte).lower()


def est_valeur(texte: str) -> bool:
    brut = _cle(texte)
    return brut in VIDES or brut in UNITES_SEULES or lire_nombre(brut) is not None


def genre_ligne(ligne: LigneBrute) -> Genre:
    segs = ligne.segments
    valeurs = [s for s in segs if est_valeur(s.texte)]
    if valeurs and all(est_annee(s.texte) for s in valeurs) and len(segs) - len(valeurs) <= 1:
        return Genre.ENTETE
    if valeurs:
        autres = [s for s in segs if not est_valeur(s.texte)]
        if len(autres) <= 2 and all(len(s.texte) <= LIBELLE_MAX for s in autres):
            return Genre.NUMERIQUE
        return Genre.AUTRE
    if len(segs) >= 2 and sum(est_entete(s.texte) for s in segs) >= len(segs) - 1:
        return Genre.ENTETE
    if len(segs) == 1 and len(segs[0].texte) <= LIBELLE_MAX:
        return Genre.LIBELLE
    return Genre.AUTRE


# Lignes non chiffrées tolérées après la dernière ligne chiffrée avant de clore la zone.
_ECART_MAX = {Genre.ENTETE: 2, Genre.LIBELLE: 3, Genre.NUMERIQUE: 10**9, Genre.AUTRE: 0}


@dataclass
class Zone:
    debut: int
    fin: int  # exclusive


def zones_tableaux(lignes: list[LigneBrute]) -> list[Zone]:
    """Suites de lignes numériques / d'en-tête, libellés intercalés admis, ≥ 2 lignes chiffrées."""
    genres = [genre_ligne(ligne) for ligne in lignes]
    zones: list[Zone] = []
    i = 0
    while i < len(lignes):
        if genres[i] not in (Genre.NUMERIQUE, Genre.ENTETE):
            i += 1
            continue
        fin = _etendre(lignes, genres, i)
        chiffrees = sum(g is Genre.NUMERIQUE for g in genres[i:fin])
        # Une seule ligne chiffrée suffit sous un en-tête d'années : fin d'un CARE coupé.
        if chiffrees >= 2 or (chiffrees == 1 and genres[i] is Genre.ENTETE):
            zones.append(Zone(i, fin))
        i = max(fin, i + 1)
    return zones


def _etendre(lignes: list[LigneBrute], genres: list[Genre], debut: int) -> int:
    fin = debut + 1
    dernier_chiffre = debut
    while fin < len(lignes):
        genre = genres[fin]
        if genre is Genre.AUTRE or _rupture(lignes[fin - 1], lignes[fin]):
            break
        if genre is Genre.NUMERIQUE:
            dernier_chiffre = fin
        elif fin - dernier_chiffre > _ECART_MAX[genre]:
            break
        fin += 1
    return dernier_chiffre + 1


def _rupture(avant: LigneBrute, apres: LigneBrute) -> bool:
    """Un grand blanc vertical sépare deux tableaux distincts."""
    ecart = apres.boite.haut - avant.boite.bas
    return ecart > 3.0 * max(avant.taille, apres.taille)


def grille_zone(
    lignes: list[LigneBrute],
    zone: Zone,
    page: int,
    contexte: list[str],
    methode: MethodeTableau = "alignement",
) -> GrilleBrute:
    rangees = lignes[zone.debut : zone.fin]
    nombres = [
        s
        for r in rangees
        for s in r.segments
        if est_valeur(s.texte) and _cle(s.texte) not in UNITES_SEULES
    ]
    bord_libelle = min(s.boite.x0 for s in nombres) - 1.0
    colonnes = _colonnes([s for s in nombres if not est_annee(s.texte)] or nombres)
    cellules: list[list[CelluleBrute]] = []
    for rangee in rangees:
        libelle = [s for s in rangee.segments if s.boite.x1 <= bord_libelle]
        reste = [s for s in rangee.segments if s.boite.x1 > bord_libelle]
        ligne = [_cellule(libelle, page)] + [_cellule([], page) for _ in colonnes]
        for seg in reste:
            k = _colonne_de(seg, colonnes)
            ligne[k + 1] = _fusion(ligne[k + 1], seg, page)
        cellules.append(ligne)
    return GrilleBrute(
        methode=methode,
        page=page,
        lignes=_recoller_libelles(cellules, page),
        contexte=contexte,
        boite=englobante([r.boite for r in rangees]),
    )


def _libelle_seul(ligne: list[CelluleBrute]) -> bool:
    return bool(ligne[0].texte) and not any(c.texte for c in ligne[1:])


def _suite_de_libelle(texte: str) -> bool:
    return bool(texte) and texte[0].islower()


def _recoller_libelles(lignes: list[list[CelluleBrute]], page: int) -> list[list[CelluleBrute]]:
    """Libellé imprimé sur deux lignes : la ligne qui commence par une minuscule complète
    sa voisine (« Contribution des services centraux et » + « recherche   123 456 »)."""
    resultat: list[list[CelluleBrute]] = []
    for ligne in lignes:
        if resultat and _suite_de_libelle(ligne[0].texte):
            precedente = resultat[-1]
            if _libelle_seul(precedente) and not _libelle_seul(ligne):
                ligne[0] = _fusion_cellules(precedente[0], ligne[0], page)
                resultat[-1] = ligne
                continue
            if _libelle_seul(ligne) and not _libelle_seul(precedente):
                precedente[0] = _fusion_cellules(precedente[0], ligne[0], page)
                continue
        resultat.append(ligne)
    return resultat


def _fusion_cellules(haut: CelluleBrute, bas: CelluleBrute, page: int) -> CelluleBrute:
    boites = [b for b in (haut.boite, bas.boite) if b is not None]
    return CelluleBrute(
        texte=f"{haut.texte} {bas.texte}", page=page, boite=englobante(boites) if boites else None
    )


def _colonnes(segments: list[Segment]) -> list[tuple[float, float]]:
    """Intervalles horizontaux fusionnés des nombres : une colonne par groupe chevauchant."""
    intervalles = sorted((s.boite.x0, s.boite.x1) for s in segments)
    colonnes: list[tuple[float, float]] = []
    for x0, x1 in intervalles:
        if colonnes and x0 <= colonnes[-1][1]:
            colonnes[-1] = (colonnes[-1][0], max(colonnes[-1][1], x1))
        else:
            colonnes.append((x0, x1))
    return colonnes


def _colonne_de(seg: Segment, colonnes: list[tuple[float, float]]) -> int:
    def recouvrement(col: tuple[float, float]) -> float:
        return min(col[1], seg.boite.x1) - max(col[0], seg.boite.x0)

    meilleure = max(range(len(colonnes)), key=lambda k: recouvrement(colonnes[k]))
    if recouvrement(colonnes[meilleure]) > 0:
        return meilleure
    centre = (seg.boite.x0 + seg.boite.x1) / 2
    return min(range(len(colonnes)), key=lambda k: abs(sum(colonnes[k]) / 2 - centre))


def _cellule(segments: list[Segment], page: int) -> CelluleBrute:
    if not segments:
        return CelluleBrute(texte="", page=page)
    return CelluleBrute(
        texte=" ".join(s.texte for s in segments),
        page=page,
        boite=englobante([s.boite for s in segments]),
    )


def _fusion(cellule: CelluleBrute, seg: Segment, page: int) -> CelluleBrute:
    if not cellule.texte:
        return CelluleBrute(texte=seg.texte, page=page, boite=seg.boite)
    return _fusion_cellules(
        cellule, CelluleBrute(texte=seg.texte, page=page, boite=seg.boite), page
    )


def grilles_page(lignes: list[LigneBrute], page: int) -> list[GrilleBrute]:
    """Toutes les grilles lues par alignement sur une page."""
    grilles = []
    for zone in zones_tableaux(lignes):
        avant = lignes[max(0, zone.debut - 3) : zone.debut]
        grilles.append(grille_zone(lignes, zone, page, [ligne.texte for ligne in reversed(avant)]))
    return grilles
