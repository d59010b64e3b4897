"""Outils communs aux profils de secteur : blocs du CARE, mesures, annexes de volume."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .care import BlocCare, LigneCareDef
from .modele import Section
from .nombres_fr import MOIS
from .parametres import Parametres
from .redacteur import MesureDef, Redacteur
from .sections import entete_annee


@dataclass(frozen=True)
class Sous:
    """Sous-total : additionne les détails qui le précèdent dans le bloc."""

    libelle: str
    poste: str | None = None


Entree = tuple[str, float] | tuple[str, float, str | None] | Sous


def bloc(
    p: Parametres,
    section: Section,
    intertitre: str | None,
    entrees: list[Entree],
    total: tuple[str, str | None] | None,
    pente: float = 0.025,
    bruit: float = 0.03,
) -> BlocCare:
    """Bloc du CARE à partir de (libellé, montant de l'année de référence, poste)."""
    lignes: list[LigneCareDef] = []
    for entree in entrees:
        if isinstance(entree, Sous):
            lignes.append(LigneCareDef(entree.libelle, poste=entree.poste, nature="sous_total"))
            continue
        libelle, base = entree[0], entree[1]
        poste = entree[2] if len(entree) > 2 else None
        montants = p.serie(libelle, base, pente=pente, bruit=bruit)
        lignes.append(LigneCareDef(libelle, montants, poste=poste))
    fin = LigneCareDef(total[0], poste=total[1], nature="total") if total else None
    return BlocCare(section, intertitre, lignes, fin)


def mesure(
    p: Parametres,
    libelle: str,
    unite: str | None,
    base: float,
    decimales: int = 0,
    role: str | None = "indicateur",
    pente: float = 0.01,
    bruit: float = 0.02,
    suffixe: str = "",
) -> MesureDef:
    return MesureDef(
        libelle, unite, p.mesure(libelle, base, pente, bruit), decimales, role, suffixe=suffixe
    )


def sites(
    r: Redacteur,
    p: Parametres,
    titre: str,
    noms: list[str],
    colonnes: Sequence[tuple[str, str | None, float, int]],
    recit: list[str],
) -> None:
    """Une sous-partie par site (commune, parking, école...) avec un petit tableau chiffré :
    des tableaux numériques qui ne sont pas le CARE (distracteurs)."""
    r.titre(titre)
    entetes = [entete_annee(p, a) for a in p.annees]
    for rang, nom in enumerate(noms):
        if p.volume >= 3:
            r.saut()  # les grands rapports consacrent une page à chaque site
        r.titre(nom, niveau=2)
        r.para(recit[rang % len(recit)].format(site=nom, n=p.exercice, n1=p.exercice - 1))
        lignes = [
            MesureDef(
                lib, unite, p.mesure(f"{nom}:{lib}", base * (0.6 + 0.1 * (rang % 7))), dec, None
            )
            for lib, unite, base, dec in colonnes
        ]
        r.mesures(None, p.annees, entetes, lignes, regle=p.regle, premiere=nom)


def annexe_mensuelle(
    r: Redacteur, p: Parametres, titre: str, libelle: str, base: float, dec: int = 0
) -> None:
    """Tableau mois par mois sur deux exercices (statistiques d'activité, sans valeur comptable)."""
    r.titre(titre, niveau=2)
    r.para("Statistiques d'exploitation, sans valeur comptable.", italique=True)
    entetes = [entete_annee(p, a) for a in p.annees]
    lignes = []
    for rang, mois in enumerate(MOIS):
        saison = 1 + 0.25 * ((rang - 6) ** 2 / 36 - 0.5) * (-1 if "été" in titre else 1)
        lignes.append(
            MesureDef(
                mois.capitalize(),
                None,
                p.mesure(f"{libelle}:{mois}", base * saison, 0.01, 0.08),
                dec,
            )
        )
    r.mesures(None, p.annees, entetes, lignes, regle=p.regle, premiere=libelle)


COMMUNES = [
    "Saint-Aubin-des-Prés",
    "Montfleury",
    "La Vallée-aux-Chênes",
    "Brissac-sur-Loue",
    "Les Essarts-le-Bourg",
    "Champeaux",
    "Villeneuve-la-Rivière",
    "Sainte-Colombe",
    "Le Mesnil-Hardy",
    "Orvault-sur-Mer",
    "Puyloubier-les-Vignes",
    "Saint-Rémy-de-l'Étang",
    "Bellecombe",
    "La Chapelle-Verte",
    "Fontaine-Daniel",
    "Marcillac-le-Haut",
]


RUES = [
    "rue des Tilleuls",
    "avenue de la Gare",
    "chemin du Moulin",
    "route départementale 12",
    "impasse des Vignes",
    "rue Pasteur",
    "allée des Peupliers",
    "boulevard de la Mer",
    "rue du Château",
    "chemin des Écoliers",
    "place de l'Église",
    "rue Victor-Hugo",
]


def liste_travaux(
    r: Redacteur, p: Parametres, titre: str, lignes: int, materiaux: list[str]
) -> None:
    """Liste détaillée des chantiers de l'année : tableau long, sans montant du CARE."""
    r.titre(titre, niveau=2)
    rng = p.rng("travaux", titre)
    corps = []
    for rang in range(lignes):
        rue = RUES[rng.randrange(len(RUES))]
        commune = COMMUNES[rng.randrange(len(COMMUNES))]
        longueur = str(rng.randint(12, 640))
        diametre = str(rng.choice([60, 80, 100, 125, 150, 200, 250]))
        corps.append(
            [f"{rue.capitalize()}", commune, longueur, diametre, materiaux[rang % len(materiaux)]]
        )
    r.tableau_texte(
        ["Voie", "Commune", "Linéaire (ml)", "DN", "Matériau"],
        corps,
        regle=p.regle,
        largeur_libelle=0.3,
    )
