"""Indicateurs reconnus à leur libellé réglementaire, sans code imprimé (« Indice de
connaissance et de gestion patrimoniale des réseaux de collecte des eaux usées  93  93  93 »
sous « 2019  2020  2021 »).

Les libellés sont ceux de l'arrêté du 2 mai 2007 (fiches descriptives SISPEA) et ceux du
référentiel (`libelle_grand_public`). Garde-fous, plus stricts que pour une rangée au code :
- le libellé de la rangée (avec la ligne qui le prolonge) ressemble à un libellé
  réglementaire à 92 % au moins, et à un seul ;
- un libellé commun à l'eau potable et à l'assainissement (prix, dette, impayés,
  réclamations, solidarité, habitants) n'est retenu que si le document ne traite que d'un
  des deux services ;
- la valeur est sous un en-tête d'années qui nomme l'exercice (pas de colonne devinée).
"""

from __future__ import annotations

from functools import cache

from rapidfuzz import fuzz

from extracteurs.modeles import Document, Ligne, Page
from fiche.regles.sispea.geometrie import segments
from fiche.regles.sispea.prix import competence_du_document
from fiche.regles.sispea.rangees import choisir, entete_annees, valeurs_finales
from fiche.regles.sispea.referentiel import codes_de, referentiel
from fiche.regles.sispea.valeurs import Candidat
from fiche.regles.texte import normaliser

SEUIL = 92.0

_DECRET = "aux prescriptions définies en application du décret 94-469 du 3 juin 1994"
LIBELLES_REGLEMENTAIRES: dict[str, tuple[str, ...]] = {
    "D101.0": ("Estimation du nombre d'habitants desservis",),
    "D102.0": ("Prix TTC du service au m³ pour 120 m³",),
    "D151.0": ("Délai maximal d'ouverture des branchements pour les nouveaux abonnés",),
    "P101.1": (
        "Taux de conformité des prélèvements sur les eaux distribuées réalisés au titre du "
        "contrôle sanitaire par rapport aux limites de qualité pour ce qui concerne la "
        "microbiologie",
    ),
    "P102.1": (
        "Taux de conformité des prélèvements sur les eaux distribuées réalisés au titre du "
        "contrôle sanitaire par rapport aux limites de qualité pour ce qui concerne les "
        "paramètres physico-chimiques",
    ),
    "P103.2B": ("Indice de connaissance et de gestion patrimoniale des réseaux d'eau potable",),
    "P104.3": ("Rendement du réseau de distribution",),
    "P105.3": ("Indice linéaire des volumes non comptés",),
    "P106.3": ("Indice linéaire de pertes en réseau",),
    "P107.2": ("Taux moyen de renouvellement des réseaux d'eau potable",),
    "P108.3": ("Indice d'avancement de la protection de la ressource en eau",),
    "P109.0": ("Montant des abandons de créances ou des versements à un fonds de solidarité",),
    "P151.1": ("Taux d'occurrence des interruptions de service non programmées",),
    "P152.1": (
        "Taux de respect du délai maximal d'ouverture des branchements pour les nouveaux abonnés",
    ),
    "P153.2": ("Durée d'extinction de la dette de la collectivité",),
    "P154.0": ("Taux d'impayés sur les factures d'eau de l'année précédente",),
    "P155.1": ("Taux de réclamations",),
    "D201.0": (
        "Estimation du nombre d'habitants desservis par un réseau de collecte des eaux usées, "
        "unitaire ou séparatif",
        "Estimation du nombre d'habitants desservis",
    ),
    "D202.0": (
        "Nombre d'autorisations de déversement d'effluents d'établissements industriels au "
        "réseau de collecte des eaux usées",
    ),
    "D203.0": ("Quantité de boues issues des ouvrages d'épuration",),
    "D204.0": ("Prix TTC du service au m³ pour 120 m³",),
    "P201.1": ("Taux de desserte par des réseaux de collecte des eaux usées",),
    "P202.2B": (
        "Indice de connaissance et de gestion patrimoniale des réseaux de collecte des eaux usées",
    ),
    "P203.3": (f"Conformité de la collecte des effluents {_DECRET}",),
    "P204.3": (f"Conformité des équipements d'épuration {_DECRET}",),
    "P205.3": (f"Conformité de la performance des ouvrages d'épuration {_DECRET}",),
    "P206.3": (
        "Taux de boues issues des ouvrages d'épuration évacuées selon des filières conformes "
        "à la réglementation",
    ),
    "P207.0": ("Montant des abandons de créances ou des versements à un fonds de solidarité",),
    "P251.1": ("Taux de débordement des effluents dans les locaux des usagers",),
    "P252.2": (
        "Nombre de points du réseau de collecte nécessitant des interventions fréquentes de "
        "curage par 100 km de réseau",
    ),
    "P253.2": ("Taux moyen de renouvellement des réseaux de collecte des eaux usées",),
    "P254.3": (
        "Conformité des performances des équipements d'épuration au regard des prescriptions "
        "de l'acte individuel pris en application de la police de l'eau",
    ),
    "P255.3": (
        "Indice de connaissance des rejets au milieu naturel par les réseaux de collecte des "
        "eaux usées",
    ),
    "P256.2": ("Durée d'extinction de la dette de la collectivité",),
    "P257.0": ("Taux d'impayés sur les factures d'eau de l'année précédente",),
    "P258.1": ("Taux de réclamations",),
    "D301.0": (
        "Évaluation du nombre d'habitants desservis par le service public d'assainissement "
        "non collectif",
    ),
    "D302.0": ("Indice de mise en œuvre de l'assainissement non collectif",),
    "P301.3": ("Taux de conformité des dispositifs d'assainissement non collectif",),
}


@cache
def _modeles() -> list[tuple[str, str]]:
    """(libellé normalisé, code) : libellés réglementaires et du référentiel."""
    modeles = {
        (normaliser(t), code) for code, textes in LIBELLES_REGLEMENTAIRES.items() for t in textes
    }
    modeles |= {(normaliser(d.libelle), code) for code, d in referentiel().items()}
    return sorted(modeles)


def reconnaitre(libelle: str, competence: str | None) -> str | None:
    """Le code dont le libellé réglementaire est celui-ci, ou None (aucun, ou ambigu)."""
    norme = normaliser(libelle)
    if len(norme) < 12:
        return None
    codes = {code for modele, code in _modeles() if fuzz.ratio(norme, modele) >= SEUIL}
    if len(codes) > 1 and competence is not None:
        codes = {c for c in codes if referentiel()[c].competence == competence}
    return codes.pop() if len(codes) == 1 else None


def _texte_seul(page: Page, rang: int) -> str | None:
    """Le texte d'une ligne d'une seule cellule, sans code ni chiffre en tête (un morceau de
    libellé), ou None."""
    if not 0 <= rang < len(page.lignes):
        return None
    ligne = page.lignes[rang]
    texte = ligne.texte.strip()
    if len(segments(ligne)) != 1 or codes_de(texte) or not texte or texte[0].isdigit():
        return None
    return texte


def _libelles_possibles(page: Page, rang: int, libelle: str | None) -> list[str]:
    """Le libellé de la rangée, seul ou prolongé par la ligne du dessous ou du dessus ; une
    rangée de valeurs seules prend le libellé écrit sur les lignes qui l'encadrent."""
    dessus, dessous = _texte_seul(page, rang - 1), _texte_seul(page, rang + 1)
    if libelle is None:
        libelle, dessus = dessus, None
        if libelle is None:
            return []
    possibles = [libelle]
    if dessous:
        possibles.append(f"{libelle} {dessous}")
    if dessus:
        possibles.append(f"{dessus} {libelle}")
    return possibles


def _sans_libelle(texte: str) -> bool:
    return texte[:1].isdigit() or normaliser(texte) in ("nd", "nc", "")


def _lire(
    page: Page, rang: int, ligne: Ligne, exercice: int, competence: str | None
) -> Candidat | None:
    segs = segments(ligne)
    if codes_de(ligne.texte) or not segs:
        return None
    seul = _sans_libelle(segs[0].texte)
    if not seul and len(segs) < 2:
        return None
    libelles = _libelles_possibles(page, rang, None if seul else segs[0].texte)
    codes = {reconnaitre(t, competence) for t in libelles}
    codes.discard(None)
    if len(codes) != 1:
        return None
    code = codes.pop()
    assert code is not None
    definition = referentiel()[code]
    cellules = valeurs_finales(ligne, segs, -1 if seul else 0, definition)
    entete = entete_annees(page, ligne, cellules, exercice) if cellules else []
    choisie = choisir(cellules, entete, exercice, definition) if entete else None
    if choisie is None:
        return None
    haut = rang - 1 if seul else rang
    citation = " ".join(x.texte.replace("\t", " ") for x in page.lignes[haut : rang + 2])
    return Candidat(code, choisie.lue.nombre, page.numero, citation, "libelle", colonne_datee=True)


def candidats_libelles(document: Document, exercice: int) -> list[Candidat]:
    competence = competence_du_document(document)
    trouves = []
    for page in document.pages:
        for rang, ligne in enumerate(page.lignes):
            lu = _lire(page, rang, ligne, exercice, competence)
            if lu is not None:
                trouves.append(lu)
    return trouves
