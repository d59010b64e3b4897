"""Contrôles qui confrontent la fiche au document : SOMME_POSTES, RESULTAT, ANCRAGE,
TEXTE_TABLEAU, UNITE.

- Corpus : chaque échantillon est extrait une fois par session (cache de pytest partagé avec
  `test_regles.py`), rempli par les règles puis ancré ; les cinq codes doivent être trouvés
  là où l'or les attend (anomalies plantées) et nulle part ailleurs, et aucun échantillon
  propre ne reçoit d'anomalie bloquante. La fiche d'or elle-même passe aux mêmes contrôles.
- Propriétés (hypothesis) sur des CARE synthétiques : l'ordre des lignes et la présentation
  € / k€ / M€ ne changent pas les verdicts ; une ligne faussée au-delà de l'arrondi est
  toujours prise (SOMME_POSTES ou RESULTAT) ; aucun contrôle ne lève.
- Cas du récit (TEXTE_TABLEAU, UNITE) et de l'ancrage sur des documents construits à la main.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controles import arithmetique
from controles.ancrage import controle_ancrage
from controles.arithmetique import controle_resultat, controle_somme_postes
from controles.base import Contexte
from controles.commun import (
    chemin_anomalie,
    decimales,
    euros,
    pourcentage,
    tolerance_montant,
)
from controles.texte_tableau import controle_texte_tableau
from controles.unites import controle_unite
from extracteurs.modeles import Document, Ligne, Mot, Page
from extracteurs.nombres import lire_nombre
from fiche.ancrage import ancrer
from fiche.modeles import (
    Ancrage,
    Anomalie,
    Champ,
    Fiche,
    Financier,
    Gravite,
    LigneCare,
    Origine,
    Production,
    Source,
    UniteSource,
)
from fiche.regles import remplir_par_regles
from socle.reglages import SeuilsControles
from tests.conftest import CORPUS, document_en_cache

EXTENSIONS = (".pdf", ".docx", ".xlsx")
CODES = ("SOMME_POSTES", "RESULTAT", "ANCRAGE", "TEXTE_TABLEAU", "UNITE")
CONTROLES: dict[str, Callable[[Contexte], list[Anomalie]]] = {
    "SOMME_POSTES": controle_somme_postes,
    "RESULTAT": controle_resultat,
    "ANCRAGE": controle_ancrage,
    "TEXTE_TABLEAU": controle_texte_tableau,
    "UNITE": controle_unite,
}
SEUILS = SeuilsControles()


def lancer(fiche: Fiche, document: Document, seuils: SeuilsControles = SEUILS) -> list[Anomalie]:
    ctx = Contexte(fiche=fiche, document=document, seuils=seuils)
    return [a for controle in CONTROLES.values() for a in controle(ctx)]


def plat(texte: str) -> str:
    """Espaces insécables et fines ramenées à l'espace simple (pour chercher un montant)."""
    return re.sub(r"[\u00a0\u202f\u2009]", " ", texte)


# --- Corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Echantillon:
    nom: str
    document: Document
    fiche: Fiche
    """Fiche produite par les règles puis ancrée (comme `fiche.production` en mode règles)."""
    reference: Fiche


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest) -> dict[str, Echantillon]:
    """Chaque échantillon extrait une seule fois (même cache que `test_regles.py`)."""
    sortie: dict[str, Echantillon] = {}
    for source in sorted(p for p in CORPUS.iterdir() if p.suffix in EXTENSIONS):
        document = document_en_cache(request.config, source)
        reference = Fiche.model_validate_json(
            (CORPUS / f"{source.stem}.fiche.json").read_text(encoding="utf-8")
        )
        fiche = ancrer(remplir_par_regles(document), document)
        sortie[source.stem] = Echantillon(source.stem, document, fiche, reference)
    return sortie


@pytest.fixture(scope="session")
def verdicts(corpus: dict[str, Echantillon]) -> dict[str, dict[str, list[Anomalie]]]:
    """Anomalies de nos contrôles, par échantillon, sur la fiche des règles et sur l'or."""
    return {
        nom: {
            "regles": lancer(e.fiche, e.document),
            "or": lancer(e.reference, e.document),
        }
        for nom, e in corpus.items()
    }


NOMS = sorted(p.stem for p in CORPUS.iterdir() if p.suffix in EXTENSIONS)


def _attendus(reference: Fiche) -> set[str]:
    return {a.code for a in reference.anomalies if a.code in CODES}


@pytest.mark.parametrize("nom", NOMS)
@pytest.mark.parametrize("fiche", ["regles", "or"])
def test_codes_trouves_la_ou_l_or_les_attend(
    nom: str,
    fiche: str,
    corpus: dict[str, Echantillon],
    verdicts: dict[str, dict[str, list[Anomalie]]],
) -> None:
    """Nos cinq codes : présents où ils sont plantés, absents ailleurs (pas de faux positif)."""
    attendus = _attendus(corpus[nom].reference)
    trouves = {a.code for a in verdicts[nom][fiche]}
    details = [f"{a.code} : {a.message}" for a in verdicts[nom][fiche]]
    assert trouves == attendus, details


@pytest.mark.parametrize("nom", NOMS)
def test_pas_de_bloquant_sur_un_echantillon_propre(
    nom: str, corpus: dict[str, Echantillon], verdicts: dict[str, dict[str, list[Anomalie]]]
) -> None:
    if any(a.gravite == Gravite.BLOQUANT for a in corpus[nom].reference.anomalies):
        pytest.skip("échantillon avec une anomalie bloquante plantée")
    bloquants = [a.message for a in verdicts[nom]["regles"] if a.gravite == Gravite.BLOQUANT]
    assert bloquants == []


def test_les_scans_sont_controles(corpus: dict[str, Echantillon]) -> None:
    """Les échantillons scannés ont bien un CARE lu (le « sans bloquant » n'est pas vide)."""
    scannes = [e for e in corpus.values() if e.document.scanne]
    assert len(scannes) >= 2
    for e in scannes:
        assert len(e.fiche.financier.lignes) >= 8, e.nom


PLANTES = [
    (nom, a.code)
    for nom in NOMS
    for a in Fiche.model_validate_json(
        (CORPUS / f"{nom}.fiche.json").read_text(encoding="utf-8")
    ).anomalies
    if a.code in CODES
]


@pytest.mark.parametrize(("nom", "code"), PLANTES, ids=[f"{n}-{c}" for n, c in PLANTES])
def test_anomalie_plantee_au_bon_endroit(
    nom: str,
    code: str,
    corpus: dict[str, Echantillon],
    verdicts: dict[str, dict[str, list[Anomalie]]],
) -> None:
    """Gravité, champs et pages de l'or retrouvés ; le message nomme les chiffres et pages."""
    attendue = next(a for a in corpus[nom].reference.anomalies if a.code == code)
    trouvees = [a for a in verdicts[nom]["regles"] if a.code == code]
    assert len(trouvees) == 1, [a.message for a in trouvees]
    trouvee = trouvees[0]
    assert trouvee.gravite == attendue.gravite
    assert set(attendue.champs) <= set(trouvee.champs)
    assert set(attendue.pages) <= set(trouvee.pages)
    assert trouvee.regle
    for page in attendue.pages:
        assert re.search(rf"\bpages? [^.]*\b{page}\b", trouvee.message), (page, trouvee.message)


MONTANTS_DES_MESSAGES = {
    "transport_agglo_orne_2023": ["2 387 779 €", "2 350 779 €", "37 000 €", "(2 387 779)"],
    "petite_enfance_les_lilas_2023": ["114 000 €", "1 189 000 €", "1 120 000 €", "69 000 €"],
    "casino_les_pins_2023": ["12 %", "4,5 %", "8 260 000 €", "8 630 000 €"],
    "chauffage_urbain_nord_2023": ["4 875 925 €", "4 875 925 000 €", "k€"],
}


@pytest.mark.parametrize("nom", sorted(MONTANTS_DES_MESSAGES))
def test_messages_en_francais_avec_les_deux_chiffres(
    nom: str, verdicts: dict[str, dict[str, list[Anomalie]]]
) -> None:
    (anomalie,) = verdicts[nom]["regles"]
    message = plat(anomalie.message)
    for attendu in MONTANTS_DES_MESSAGES[nom]:
        assert attendu in message, (attendu, message)
    assert "demander" in message.lower() or "faire confirmer" in message.lower()
    assert "délégataire" in message


def test_or_et_regles_meme_verdict(verdicts: dict[str, dict[str, list[Anomalie]]]) -> None:
    for nom, parts in verdicts.items():
        assert [a.code for a in parts["regles"]] == [a.code for a in parts["or"]], nom


# --- CARE synthétiques -------------------------------------------------------------------

ANNEES = ("2022", "2023")


@dataclass(frozen=True)
class LigneSynth:
    libelle: str
    section: str
    nature: str
    valeurs: dict[str, int]
    """Montants en euros, positifs (le signe imprimé vient de la présentation)."""
    page: int
    poste: str | None = None
    deduction: bool = False
    """Ligne de sens contraire à sa section (prélèvements dans les produits d'un casino)."""


@dataclass(frozen=True)
class Presentation:
    multiplicateur: float
    decimales: int
    negatifs: str  # "moins", "parentheses", "moins_final"
    charges_negatives: bool
    separateur: str

    @property
    def unite(self) -> UniteSource:
        return {
            1.0: UniteSource.EURO,
            1e3: UniteSource.MILLIER_EURO,
            1e6: UniteSource.MILLION_EURO,
        }[self.multiplicateur]

    def tolerance_terme(self) -> float:
        if self.multiplicateur == 1.0:
            return SEUILS.tolerance_euros
        return max(SEUILS.tolerance_euros, 0.5 * self.multiplicateur * 10.0**-self.decimales)


def ecrire(valeur: float, p: Presentation) -> str:
    """Un montant imprimé comme dans un rapport : « 1 234,5 », « (1 234) », « 1 234- »."""
    brut = f"{abs(valeur) / p.multiplicateur:,.{p.decimales}f}"
    entier, _, fraction = brut.partition(".")
    texte = entier.replace(",", p.separateur) + (f",{fraction}" if fraction else "")
    if valeur >= 0:
        return texte
    return {"moins": f"-{texte}", "parentheses": f"({texte})", "moins_final": f"{texte}-"}[
        p.negatifs
    ]


def rendre(lignes: list[LigneSynth], p: Presentation) -> Fiche:
    """La fiche d'un CARE synthétique dans une présentation donnée."""
    care: list[LigneCare] = []
    for ligne in lignes:
        valeurs: dict[str, Champ[float]] = {}
        for annee, montant in ligne.valeurs.items():
            negatif = (ligne.section in ("charges", "reversements") and p.charges_negatives) != (
                ligne.deduction
            )
            if ligne.section == "resultat":
                negatif = montant < 0
                montant = abs(montant)
            signe = -1 if negatif else 1
            valeurs[annee] = Champ[float](
                valeur=float(signe * montant),
                page=ligne.page,
                citation=ecrire(signe * montant, p),
                ancrage=Ancrage.EXACT,
            )
        care.append(
            LigneCare(
                libelle=ligne.libelle,
                page=ligne.page,
                section=ligne.section,  # type: ignore[arg-type]
                nature=ligne.nature,  # type: ignore[arg-type]
                poste=ligne.poste,
                valeurs=valeurs,
            )
        )
    return Fiche(
        source=Source(fichier="synthetique.pdf", sha256="0" * 64, pages=8, scanne=False),
        financier=Financier(unite_source=p.unite, lignes=care),
        production=Production(
            mode="regles", version="test", date=datetime(2024, 6, 1), duree_s=0.0
        ),
    )


DOCUMENT_VIDE = Document(fichier="synthetique.pdf", sha256="0" * 64, format="pdf")


def _bloc(
    section: str,
    groupes: list[list[tuple[int, int]]],
    libres: list[tuple[int, int]],
    q: int,
    page: int,
    poste: str | None,
    deduction: tuple[int, int] | None = None,
) -> list[LigneSynth]:
    """Une section : groupes de détails fermés par un sous-total, détails libres, total."""
    sortie: list[LigneSynth] = []
    total = dict.fromkeys(ANNEES, 0)
    for g, groupe in enumerate(groupes):
        somme = dict.fromkeys(ANNEES, 0)
        for d, (a, b) in enumerate(groupe):
            valeurs = {ANNEES[0]: a * q, ANNEES[1]: b * q}
            sortie.append(LigneSynth(f"{section} {g}.{d}", section, "detail", valeurs, page))
            for annee in ANNEES:
                somme[annee] += valeurs[annee]
        if g == 0 and deduction is not None:
            valeurs = {ANNEES[0]: deduction[0] * q, ANNEES[1]: deduction[1] * q}
            sortie.append(
                LigneSynth(
                    f"Prélèvement {section}", section, "detail", valeurs, page, deduction=True
                )
            )
            for annee in ANNEES:
                somme[annee] -= valeurs[annee]
        sortie.append(LigneSynth(f"Sous-total {section} {g}", section, "sous_total", somme, page))
        for annee in ANNEES:
            total[annee] += somme[annee]
    for d, (a, b) in enumerate(libres):
        valeurs = {ANNEES[0]: a * q, ANNEES[1]: b * q}
        sortie.append(LigneSynth(f"{section} libre {d}", section, "detail", valeurs, page + 1))
        for annee in ANNEES:
            total[annee] += valeurs[annee]
    sortie.append(LigneSynth(f"Total {section}", section, "total", total, page + 1, poste))
    return sortie


@dataclass(frozen=True)
class Care:
    lignes: list[LigneSynth]
    quantum: int

    def sections(self) -> dict[str, list[LigneSynth]]:
        sortie: dict[str, list[LigneSynth]] = {}
        for ligne in self.lignes:
            sortie.setdefault(ligne.section, []).append(ligne)
        return sortie


QUANTA = (1, 100, 1000, 10_000)
MONTANT_MIN, MONTANT_MAX = 300_000, 5_000_000


@st.composite
def cares(draw: st.DrawFn) -> Care:
    """Un CARE cohérent : produits (avec sous-totaux et, parfois, une déduction), reversements
    facultatifs, charges avec sous-totaux, résultat = produits − reversements − charges."""
    q = draw(st.sampled_from(QUANTA))
    unites = st.integers(MONTANT_MIN // q, MONTANT_MAX // q)
    paire = st.tuples(unites, unites)

    def groupes(maxi: int, taille: int) -> list[list[tuple[int, int]]]:
        return draw(st.lists(st.lists(paire, min_size=1, max_size=taille), max_size=maxi))

    g_produits = groupes(2, 3)
    deduction = None
    if g_produits and draw(st.booleans()):
        brut = [sum(x[k] for x in g_produits[0]) for k in (0, 1)]
        deduction = (
            draw(st.integers(1, max(1, brut[0] // 2))),
            draw(st.integers(1, max(1, brut[1] // 2))),
        )
    lignes = _bloc(
        "produits",
        g_produits,
        draw(st.lists(paire, min_size=1, max_size=4)),
        q,
        3,
        "chiffre_affaires",
        deduction,
    )
    if draw(st.booleans()):
        lignes += _bloc(
            "reversements", [], draw(st.lists(paire, min_size=1, max_size=3)), q, 4, "reversements"
        )
    lignes += _bloc(
        "charges",
        groupes(3, 4),
        draw(st.lists(paire, min_size=1, max_size=5)),
        q,
        4,
        "total_charges",
    )
    totaux = {lg.section: lg.valeurs for lg in lignes if lg.nature == "total"}
    resultat = {
        a: totaux["produits"][a] - totaux.get("reversements", {a: 0})[a] - totaux["charges"][a]
        for a in ANNEES
    }
    lignes.append(
        LigneSynth("Résultat de l'exploitation", "resultat", "total", resultat, 5, "resultat")
    )
    return Care(lignes, q)


@st.composite
def presentations(draw: st.DrawFn, quantum: int) -> Presentation:
    """Une présentation où chaque montant du CARE s'imprime exactement."""
    multiplicateur = draw(st.sampled_from([1.0, 1e3, 1e6]))
    chiffres = {1: 0, 100: 2, 1000: 3, 10_000: 4}[quantum]
    nb = max(0, {1.0: 0, 1e3: 3, 1e6: 6}[multiplicateur] - chiffres)
    return Presentation(
        multiplicateur,
        nb,
        draw(st.sampled_from(["moins", "parentheses", "moins_final"])),
        draw(st.booleans()),
        draw(st.sampled_from([" ", "\u00a0", "\u202f"])),
    )


def verdict(fiche: Fiche) -> list[tuple[str, tuple[str, ...], tuple[int, ...]]]:
    """Verdicts comparables d'une fiche à l'autre : code, champs (lignes nommées par leur
    libellé, pas par leur rang), pages."""
    anomalies = controle_somme_postes(
        Contexte(fiche=fiche, document=DOCUMENT_VIDE, seuils=SEUILS)
    ) + controle_resultat(Contexte(fiche=fiche, document=DOCUMENT_VIDE, seuils=SEUILS))
    sortie = []
    for a in anomalies:
        champs = []
        for champ in a.champs:
            m = re.match(r"financier\.lignes\[(\d+)\](.*)", champ)
            champs.append(
                fiche.financier.lignes[int(m.group(1))].libelle + m.group(2) if m else champ
            )
        sortie.append((a.code, tuple(sorted(champs)), tuple(a.pages)))
    return sorted(sortie)


def melanger(care: Care, graine: int) -> list[LigneSynth]:
    """Un autre ordre des lignes qui garde ce que chaque ligne récapitule : sections
    entremêlées, résultat n'importe où ; dans une section, détails permutés dans leur groupe
    et groupes (détails + sous-total) permutés entre eux ; sans sous-total, toute la
    section est permutée (le total compris)."""
    hasard = random.Random(graine)
    files: list[list[LigneSynth]] = []
    for section, lignes in care.sections().items():
        if section == "resultat":
            files.append(list(lignes))
            continue
        if not any(lg.nature == "sous_total" for lg in lignes):
            melangees = list(lignes)
            hasard.shuffle(melangees)
            files.append(melangees)
            continue
        groupes: list[list[LigneSynth]] = []
        courant: list[LigneSynth] = []
        for ligne in lignes:
            if ligne.nature == "sous_total":
                hasard.shuffle(courant)
                groupes.append([*courant, ligne])
                courant = []
            elif ligne.nature == "detail":
                courant.append(ligne)
        hasard.shuffle(groupes)
        hasard.shuffle(courant)
        total = [lg for lg in lignes if lg.nature == "total"]
        files.append([lg for g in groupes for lg in g] + courant + total)
    sortie: list[LigneSynth] = []
    while any(files):
        file = hasard.choice([f for f in files if f])
        sortie.append(file.pop(0))
    return sortie


def borne(care: Care, p: Presentation) -> int:
    """Un écart sûrement au-delà de l'arrondi toléré (tous les termes d'une année)."""
    return int((len(care.lignes) + 2) * p.tolerance_terme()) + 1


def fausser(care: Care, rang: int, annee: str, delta: int) -> Care:
    lignes = list(care.lignes)
    ligne = lignes[rang]
    lignes[rang] = replace(ligne, valeurs={**ligne.valeurs, annee: ligne.valeurs[annee] + delta})
    return Care(lignes, care.quantum)


REGLAGES_HYPOTHESIS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@REGLAGES_HYPOTHESIS
@given(data=st.data())
def test_care_coherent_sans_anomalie(data: st.DataObject) -> None:
    care = data.draw(cares())
    p = data.draw(presentations(care.quantum))
    assert verdict(rendre(care.lignes, p)) == []


@REGLAGES_HYPOTHESIS
@given(data=st.data())
def test_une_ligne_faussee_est_toujours_prise(data: st.DataObject) -> None:
    """Détail, sous-total, total ou résultat faussé au-delà de l'arrondi : SOMME_POSTES ou
    RESULTAT le signale, en nommant la ligne (ou le total qui la contient) et l'année."""
    care = data.draw(cares())
    p = data.draw(presentations(care.quantum))
    rang = data.draw(st.integers(0, len(care.lignes) - 1))
    annee = data.draw(st.sampled_from(ANNEES))
    b = borne(care, p)
    q = care.quantum
    delta = data.draw(st.integers(b // q + 1, (b + 50_000) // q + 1)) * q
    delta *= data.draw(st.sampled_from([1, -1]))
    fiche = rendre(fausser(care, rang, annee, delta).lignes, p)
    trouvees = verdict(fiche)
    assert trouvees, (care.lignes[rang], delta)
    assert all(annee in " ".join(champs) for _, champs, _ in trouvees)


@REGLAGES_HYPOTHESIS
@given(data=st.data())
def test_l_ordre_des_lignes_ne_change_pas_le_verdict(data: st.DataObject) -> None:
    care = data.draw(cares())
    p = data.draw(presentations(care.quantum))
    if data.draw(st.booleans()):
        rang = data.draw(st.integers(0, len(care.lignes) - 1))
        b = borne(care, p)
        delta = (b // care.quantum + 1) * care.quantum
        care = fausser(care, rang, data.draw(st.sampled_from(ANNEES)), delta)
    graine = data.draw(st.integers(0, 2**32 - 1))
    avant = verdict(rendre(care.lignes, p))
    apres = verdict(rendre(melanger(care, graine), p))
    assert avant == apres


@REGLAGES_HYPOTHESIS
@given(data=st.data())
def test_euros_ou_milliers_meme_verdict(data: st.DataObject) -> None:
    """Mêmes montants en euros, imprimés en € ou en k€ / M€ (citations et décimales
    réécrites) : mêmes verdicts, pour un CARE juste comme pour un CARE faussé au-delà de
    l'arrondi de la présentation la plus grossière."""
    care = data.draw(cares())
    en_euros = data.draw(presentations(care.quantum).filter(lambda p: p.multiplicateur == 1.0))
    autre = data.draw(presentations(care.quantum).filter(lambda p: p.multiplicateur > 1.0))
    autre = replace(autre, charges_negatives=en_euros.charges_negatives)
    if data.draw(st.booleans()):
        rang = data.draw(st.integers(0, len(care.lignes) - 1))
        b = max(borne(care, en_euros), borne(care, autre))
        care = fausser(
            care, rang, data.draw(st.sampled_from(ANNEES)), (b // care.quantum + 1) * care.quantum
        )
    fiche_euros, fiche_autre = rendre(care.lignes, en_euros), rendre(care.lignes, autre)
    assert fiche_autre.financier.unite_source != UniteSource.EURO
    assert [c.valeur for lg in fiche_euros.financier.lignes for c in lg.valeurs.values()] == [
        c.valeur for lg in fiche_autre.financier.lignes for c in lg.valeurs.values()
    ]
    assert verdict(fiche_euros) == verdict(fiche_autre)


LIGNES_QUELCONQUES = st.lists(
    st.builds(
        LigneCare,
        libelle=st.text(max_size=20),
        page=st.integers(1, 50),
        section=st.sampled_from(["produits", "charges", "reversements", "resultat", "autre"]),
        nature=st.sampled_from(["detail", "sous_total", "total"]),
        poste=st.sampled_from(
            [None, "chiffre_affaires", "total_charges", "resultat", "resultat_net", "reversements"]
        ),
        valeurs=st.dictionaries(
            st.sampled_from(["2021", "2022", "2023"]),
            st.builds(
                Champ[float],
                valeur=st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False)),
                page=st.one_of(st.none(), st.integers(1, 50)),
                citation=st.one_of(st.none(), st.text(max_size=12)),
            ),
            max_size=3,
        ),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(lignes=LIGNES_QUELCONQUES, unite=st.sampled_from(list(UniteSource)))
def test_l_arithmetique_ne_leve_jamais(lignes: list[LigneCare], unite: UniteSource) -> None:
    """Les corps des contrôles (sans le filet qui rattrape les exceptions) tiennent sur
    n'importe quelles lignes : valeurs nulles, citations illisibles, natures incohérentes."""
    fiche = Fiche(
        source=Source(fichier="x.pdf", sha256="0" * 64, pages=1, scanne=False),
        financier=Financier(unite_source=unite, lignes=lignes),
        production=Production(mode="regles", version="t", date=datetime(2024, 1, 1), duree_s=0),
    )
    ctx = Contexte(fiche=fiche, document=DOCUMENT_VIDE, seuils=SEUILS)
    for anomalie in arithmetique._somme_postes(ctx) + arithmetique._resultat(ctx):
        # Une structure incertaine (lignes comptées deux fois) n'est qu'une info ; une
        # cellule non lue (montant présent pour d'autres années), une alerte.
        attendues = (
            (Gravite.BLOQUANT, Gravite.INFO, Gravite.ALERTE)
            if anomalie.code == "SOMME_POSTES"
            else (Gravite.BLOQUANT,)
        )
        assert anomalie.gravite in attendues and anomalie.message


# --- Cas unitaires de l'arithmétique ------------------------------------------------------


def _fiche(lignes: list[tuple[str, str, str, dict[str, str]]], unite: UniteSource) -> Fiche:
    """Une fiche depuis des cellules imprimées (« 1 284,6 ») dans l'unité donnée."""
    m = {UniteSource.EURO: 1.0, UniteSource.MILLIER_EURO: 1e3, UniteSource.MILLION_EURO: 1e6}[unite]
    care = [
        LigneCare(
            libelle=libelle,
            page=4,
            section=section,  # type: ignore[arg-type]
            nature=nature,  # type: ignore[arg-type]
            valeurs={
                a: Champ[float](valeur=round((lire_nombre(t) or 0) * m, 2), page=4, citation=t)
                for a, t in cellules.items()
            },
        )
        for libelle, section, nature, cellules in lignes
    ]
    return Fiche(
        source=Source(fichier="x.pdf", sha256="0" * 64, pages=5, scanne=False),
        financier=Financier(unite_source=unite, lignes=care),
        production=Production(mode="regles", version="t", date=datetime(2024, 1, 1), duree_s=0),
    )


def _codes(fiche: Fiche) -> list[str]:
    ctx = Contexte(fiche=fiche, document=DOCUMENT_VIDE, seuils=SEUILS)
    return [a.code for a in controle_somme_postes(ctx) + controle_resultat(ctx)]


def test_tolerance_de_l_unite_source() -> None:
    """k€ à une décimale : 50 € par montant ; euros : 2 € par montant, cumulés."""
    assert decimales("(2 346,2)") == 1 and decimales("1 234-") == 0 and decimales("38.5") == 1
    champ = Champ[float](valeur=-2_346_200, citation="(2 346,2)")
    assert tolerance_montant(champ, UniteSource.MILLIER_EURO, SEUILS) == 50
    assert tolerance_montant(Champ[float](valeur=12, citation="12"), UniteSource.EURO, SEUILS) == 2
    juste_en_keur = [
        ("Ventes", "produits", "detail", {"2023": "1 000,1"}),
        ("Autres", "produits", "detail", {"2023": "200,1"}),
        ("Total produits", "produits", "total", {"2023": "1 200,3"}),  # arrondi : 100 € d'écart
    ]
    assert _codes(_fiche(juste_en_keur, UniteSource.MILLIER_EURO)) == []
    faux_en_euros = [
        ("Ventes", "produits", "detail", {"2023": "1 000 100"}),
        ("Autres", "produits", "detail", {"2023": "200 100"}),
        ("Total produits", "produits", "total", {"2023": "1 200 300"}),
    ]
    assert _codes(_fiche(faux_en_euros, UniteSource.EURO)) == ["SOMME_POSTES"]
    arrondi_en_euros = [
        ("Ventes", "produits", "detail", {"2023": "1 000 100"}),
        ("Autres", "produits", "detail", {"2023": "200 100"}),
        ("Total produits", "produits", "total", {"2023": "1 200 202"}),  # 2 € : arrondi réel
    ]
    assert _codes(_fiche(arrondi_en_euros, UniteSource.EURO)) == []


def test_signes_deductions_et_ventilations() -> None:
    """Charges négatives sous un total positif, prélèvements déduits des produits, ligne
    « dont » ignorée, sous-totaux imbriqués, perte imprimée en positif."""
    lignes = [
        ("Produit brut des jeux", "produits", "detail", {"2023": "15,35"}),
        ("Prélèvement de l'État", "produits", "detail", {"2023": "-6,63"}),
        ("Prélèvement communal", "produits", "detail", {"2023": "-2,26"}),
        ("Produit net des jeux", "produits", "sous_total", {"2023": "6,46"}),
        ("Restauration", "produits", "detail", {"2023": "1,73"}),
        ("Total chiffre d'affaires", "produits", "total", {"2023": "8,19"}),
        ("Personnel de salle", "charges", "detail", {"2023": "-3,00"}),
        ("Personnel de cuisine", "charges", "detail", {"2023": "-1,00"}),
        ("Sous-total personnel", "charges", "sous_total", {"2023": "-4,00"}),
        ("dont intérimaires", "charges", "detail", {"2023": "-0,50"}),
        ("Achats", "charges", "detail", {"2023": "-2,00"}),
        ("Énergie", "charges", "detail", {"2023": "-3,00"}),
        ("Sous-total externes", "charges", "sous_total", {"2023": "-5,00"}),
        ("Charges d'exploitation", "charges", "sous_total", {"2023": "-9,00"}),
        ("Total charges", "charges", "total", {"2023": "9,00"}),
        ("Total à reporter", "charges", "total", {"2023": "-9,00"}),
        ("Report", "charges", "detail", {"2023": "-9,00"}),
        ("Perte de l'exercice", "resultat", "total", {"2023": "0,81"}),
    ]
    assert _codes(_fiche(lignes, UniteSource.MILLION_EURO)) == []
    lignes[10] = ("Achats", "charges", "detail", {"2023": "-2,10"})
    assert _codes(_fiche(lignes, UniteSource.MILLION_EURO)) == ["SOMME_POSTES"]


def test_resultat_net_apres_impot() -> None:
    lignes = [
        ("Ventes", "produits", "detail", {"2023": "1 000"}),
        ("Total produits", "produits", "total", {"2023": "1 000"}),
        ("Achats", "charges", "detail", {"2023": "-600"}),
        ("Total charges", "charges", "total", {"2023": "-600"}),
        ("Résultat avant impôt", "resultat", "total", {"2023": "400"}),
        ("Impôt sur les sociétés", "resultat", "detail", {"2023": "-100"}),
        ("Résultat", "resultat", "total", {"2023": "300"}),
    ]
    fiche = _fiche(lignes, UniteSource.MILLIER_EURO)
    fiche.financier.lignes[4].poste = "resultat"
    fiche.financier.lignes[6].poste = "resultat_net"
    assert _codes(fiche) == []
    fiche.financier.lignes[6].valeurs["2023"].valeur = 320_000
    fiche.financier.lignes[6].valeurs["2023"].citation = "320"
    ctx = Contexte(fiche=fiche, document=DOCUMENT_VIDE, seuils=SEUILS)
    (anomalie,) = controle_resultat(ctx)
    assert "résultat net" in anomalie.message and "300 000 €" in plat(anomalie.message)


def test_resultat_depuis_les_postes_sans_lignes(corpus: dict[str, Echantillon]) -> None:
    """Fiche du LLM (postes seuls, pas de lignes) : l'égalité est vérifiée sur les postes ;
    un résultat calculé par le remplisseur n'est pas contrôlé."""
    fiche = corpus["petite_enfance_les_lilas_2023"].reference.model_copy(deep=True)
    fiche.financier.lignes = []
    ctx = Contexte(fiche=fiche, document=DOCUMENT_VIDE, seuils=SEUILS)
    (anomalie,) = controle_resultat(ctx)
    assert "69 000 €" in plat(anomalie.message) and anomalie.pages
    fiche.financier.postes["resultat"]["2023"].ancrage = Ancrage.CALCULE
    assert controle_resultat(ctx) == []


# --- Récit : TEXTE_TABLEAU et UNITE -------------------------------------------------------


def document_recit(*phrases: str, page: int = 3) -> Document:
    lignes = [
        Ligne(id=f"p{page}-l{k}", page=page, texte=texte, genre="recit")
        for k, texte in enumerate(phrases)
    ]
    return Document(
        fichier="x.pdf",
        sha256="0" * 64,
        format="pdf",
        pages=[Page(numero=n, largeur=595, hauteur=842) for n in range(1, page)]
        + [Page(numero=page, largeur=595, hauteur=842, lignes=lignes)],
        exercice_probable=2023,
    )


def fiche_postes(unite: UniteSource = UniteSource.EURO, facteur: float = 1.0) -> Fiche:
    """Postes d'un CARE en euros (2022, 2023) lus page 4 ; `facteur` simule une unité fausse."""

    def champ(valeur: float) -> Champ[float]:
        imprime = valeur * facteur / {"euro": 1, "millier_euro": 1e3, "million_euro": 1e6}[unite]
        texte = f"{imprime:,.0f}".replace(",", " ") if imprime >= 1000 else f"{imprime:g}"
        return Champ[float](valeur=valeur * facteur, page=4, citation=texte, ancrage=Ancrage.EXACT)

    postes = {
        "chiffre_affaires": {"2022": champ(8_260_000), "2023": champ(8_630_000)},
        "total_charges": {"2022": champ(7_460_000), "2023": champ(7_570_000)},
        "resultat": {"2022": champ(800_000), "2023": champ(1_060_000)},
        "redevance": {"2022": champ(2_110_000), "2023": champ(2_260_000)},
        "charges_personnel": {"2022": champ(4_120_000), "2023": champ(4_160_000)},
    }
    return Fiche(
        source=Source(fichier="x.pdf", sha256="0" * 64, pages=5, scanne=False),
        financier=Financier(unite_source=unite, postes=postes),
        production=Production(mode="regles", version="t", date=datetime(2024, 1, 1), duree_s=0),
    )


def codes_recit(document: Document, fiche: Fiche) -> list[str]:
    ctx = Contexte(fiche=fiche, document=document, seuils=SEUILS)
    return [a.code for a in controle_texte_tableau(ctx) + controle_unite(ctx)]


@pytest.mark.parametrize(
    "phrase",
    [
        "Le chiffre d'affaires progresse de 12 % par rapport à 2022.",
        "Le chiffre d'affaires recule de 4,5 % sur l'exercice.",
        "Le chiffre d'affaires s'établit à 9,1 M€, en hausse de 4,5 %.",
        "Les charges d'exploitation sont en hausse de 48 k€.",
        "L'exercice se solde par un déficit de 1 060 000 €.",
        "Le résultat de l'exercice s'établit à 1,2 M€.",
        "La redevance versée à la Ville atteint 2 500 000 €.",
        "Les frais de personnel progressent de 8 % sous l'effet des recrutements.",
        "Le chiffre d'affaires progresse de 12 % par rapport à l'exercice précédent.",
        "On constate une hausse de 12 % du chiffre d'affaires.",
        "Une hausse de 48 k€ des charges d'exploitation est constatée.",
    ],
)
def test_recit_contredit_signale(phrase: str) -> None:
    assert codes_recit(document_recit(phrase), fiche_postes()) == ["TEXTE_TABLEAU"]


@pytest.mark.parametrize(
    "phrase",
    [
        "Le chiffre d'affaires progresse de 4,5 % par rapport à 2022.",
        "Le chiffre d'affaires s'établit à 8 630 000 €, en hausse de 4 %.",
        "Le chiffre d'affaires de l'exercice s'établit à 8,63 M€.",
        "Les charges d'exploitation augmentent de 110 k€ (+1,5 %).",
        "Le résultat de l'exploitation ressort à 1 060 k€, contre 800 k€ en 2022.",
        "L'exercice dégage un bénéfice de 1,06 million d'euros.",
        # Hors sujet : fréquentation, tarifs, parts, prévisions, comparaisons.
        "La fréquentation progresse de 12 % et les entrées de 9 %.",
        "Le chiffre d'affaires progresse de 4,5 % grâce à la hausse de 12 % de la fréquentation.",
        "Le tarif horaire passe de 2,10 € à 2,20 € le 1er janvier.",
        "La redevance représente 26 % du chiffre d'affaires.",
        "Le compte prévisionnel prévoyait un chiffre d'affaires de 9,5 M€.",
        "Le prix du ticket progresse de 12 % ; le chiffre d'affaires suit (+4,5 %).",
        "Le taux de marge progresse de 3 points.",
        "Les investissements de l'exercice s'élèvent à 1,2 M€.",
        "Le chiffre d'affaires de la restauration atteint 1,5 M€.",
        "Depuis 2019, le chiffre d'affaires a progressé de 25 %.",
        "Sur la durée du contrat, le chiffre d'affaires progresse de 25 %.",
        "En 2019, le chiffre d'affaires était de 6 M€.",
        "La part des charges de personnel progresse de 2 points à 55 %.",
        "Le chiffre d'affaires TTC atteint 10,3 M€.",
        "Le chiffre d'affaires progresse de 4,5 % par rapport à l'exercice précédent.",
        "Le chiffre d'affaires progresse de 4,5 %, après une hausse de 9 % l'an dernier.",
        "On constate une hausse de 4,5 % du chiffre d'affaires.",
        "Le chiffre d'affaires atteint 8,63 M€, dont 1,5 M€ de recettes de restauration.",
    ],
)
def test_recit_concordant_ou_hors_sujet_silencieux(phrase: str) -> None:
    assert codes_recit(document_recit(phrase), fiche_postes()) == []


def test_recit_complement_du_poste() -> None:
    """« Le chiffre d'affaires du casino » : le service entier (mot de l'objet du contrat) ;
    « de la restauration » : la ligne du CARE qui la nomme, sinon rien à comparer."""
    fiche = fiche_postes()
    fiche.identification.objet.valeur = "Exploitation du casino municipal"
    phrase = "Le chiffre d'affaires du casino progresse de 12 % par rapport à 2022."
    assert codes_recit(document_recit(phrase), fiche) == ["TEXTE_TABLEAU"]
    fiche.financier.lignes = [
        LigneCare(
            libelle="Restauration et bar",
            page=4,
            section="produits",
            valeurs={
                "2022": Champ[float](valeur=1_780_000, page=4, citation="1,78"),
                "2023": Champ[float](valeur=1_730_000, page=4, citation="1,73"),
            },
        )
    ]
    fiche.financier.unite_source = UniteSource.MILLION_EURO
    juste = "Le chiffre d'affaires de la restauration recule de 2,8 % en 2023."
    faux = "Le chiffre d'affaires de la restauration progresse de 10 % en 2023."
    assert codes_recit(document_recit(juste), fiche) == []
    assert codes_recit(document_recit(faux), fiche) == ["TEXTE_TABLEAU"]


def test_recit_message_nomme_les_deux_chiffres_et_les_pages() -> None:
    document = document_recit("Le chiffre d'affaires progresse de 12 % par rapport à 2022.")
    ctx = Contexte(fiche=fiche_postes(), document=document, seuils=SEUILS)
    (anomalie,) = controle_texte_tableau(ctx)
    message = plat(anomalie.message)
    assert "12 %" in message and "4,5 %" in message
    assert "8 260 000 €" in message and "8 630 000 €" in message
    assert "page 3" in message and "page 4" in message
    assert anomalie.pages == [3, 4] and anomalie.gravite == Gravite.ALERTE


def test_recit_phrase_coupee_sur_plusieurs_lignes() -> None:
    document = document_recit(
        "Le chiffre d'affaires de l'exercice s'établit à 8 630 000 €, en hausse de",
        "12,0 % par rapport à 2022. Le résultat de l'exploitation ressort à",
        "1 060 000 €.",
    )
    assert codes_recit(document, fiche_postes()) == ["TEXTE_TABLEAU"]


def test_unite_euros_lus_en_milliers() -> None:
    """Légende « k€ » sur des euros : la fiche porte 8,63 milliards ; le récit dit 8 630 000 €.
    UNITE, et pas TEXTE_TABLEAU (l'écart est une affaire d'unité)."""
    fiche = fiche_postes(UniteSource.MILLIER_EURO, facteur=1000)
    document = document_recit("Le chiffre d'affaires de l'exercice s'établit à 8 630 000 €.")
    ctx = Contexte(fiche=fiche, document=document, seuils=SEUILS)
    assert controle_texte_tableau(ctx) == []
    (anomalie,) = controle_unite(ctx)
    message = plat(anomalie.message)
    assert "8 630 000 €" in message and "8 630 000 000 €" in message
    assert "mille fois" in message and anomalie.pages == [3, 4]
    assert "financier.unite_source" in anomalie.champs


def test_unite_milliers_lus_en_euros() -> None:
    fiche = fiche_postes(UniteSource.EURO, facteur=1e-3)
    document = document_recit("Le chiffre d'affaires atteint 8 630 k€ en 2023.")
    (anomalie,) = controle_unite(Contexte(fiche=fiche, document=document, seuils=SEUILS))
    assert "trop petits" in anomalie.message


def test_unite_par_le_cout_du_personnel_puis_par_l_echelle() -> None:
    fiche = fiche_postes(UniteSource.MILLIER_EURO, facteur=1000)
    fiche.activite.effectif_etp = {"2023": Champ[float](valeur=92.1, page=6, citation="92,1")}
    ctx = Contexte(fiche=fiche, document=document_recit("Rien à signaler en 2023."), seuils=SEUILS)
    (anomalie,) = controle_unite(ctx)
    assert "ETP" in anomalie.message and "activite.effectif_etp.2023" in anomalie.champs
    fiche.activite.effectif_etp = {}
    (anomalie,) = controle_unite(ctx)
    assert "échelle" in anomalie.message
    assert controle_unite(Contexte(fiche_postes(), ctx.document, SEUILS)) == []


def test_unite_seuil_reglable() -> None:
    """Un écart d'un facteur 100 n'est pas un décalage d'unité ; au-delà de `ratio_unite`,
    seul un facteur proche de 1 000 en est un."""
    fiche = fiche_postes()
    document = document_recit("Le chiffre d'affaires de l'exercice s'établit à 86 300 €.")
    ctx = Contexte(fiche=fiche, document=document, seuils=SEUILS)
    assert controle_unite(ctx) == []
    assert [a.code for a in controle_texte_tableau(ctx)] == ["TEXTE_TABLEAU"]


# --- ANCRAGE -----------------------------------------------------------------------------


def test_ancrage_une_anomalie_par_valeur_introuvable(corpus: dict[str, Echantillon]) -> None:
    echantillon = corpus["plage_lot7_2023"]
    fiche = echantillon.fiche.model_copy(deep=True)
    ca = fiche.financier.postes["chiffre_affaires"]["2023"]
    ca.valeur, ca.origine = 1_234_567.0, Origine.LLM  # valeur inventée, page citée
    ligne = fiche.financier.lignes[0].valeurs["2022"]
    ligne.valeur = 999_999.0
    fiche.identification.delegataire.valeur = "Société Imaginaire des Plages"
    fiche.identification.delegataire.citation = "Société Imaginaire des Plages"
    agent = fiche.financier.postes["total_charges"]["2023"]
    agent.valeur, agent.origine = 1.0, Origine.AGENT  # saisie de l'agent : sa décision
    sans_page = fiche.financier.postes["resultat"]["2022"]
    sans_page.page, sans_page.origine = None, Origine.LLM
    fiche = ancrer(fiche, echantillon.document)
    ctx = Contexte(fiche=fiche, document=echantillon.document, seuils=SEUILS)
    anomalies = controle_ancrage(ctx)
    champs = {a.champs[0]: a for a in anomalies}
    assert set(champs) == {
        "financier.postes.chiffre_affaires.2023",
        "financier.lignes[0].valeurs.2022",
        "identification.delegataire",
        "financier.postes.resultat.2022",
    }
    assert all(a.gravite == Gravite.BLOQUANT for a in anomalies)
    premier = champs["financier.postes.chiffre_affaires.2023"]
    assert premier.pages == [ca.page] and f"page {ca.page}" in premier.message
    assert "1 234 567 €" in plat(premier.message) and "LLM" in premier.message
    assert champs["financier.postes.resultat.2022"].pages == []
    assert "aucune page" in champs["financier.postes.resultat.2022"].message


def test_chemins_des_anomalies() -> None:
    assert chemin_anomalie("financier.lignes.3.2023") == "financier.lignes[3].valeurs.2023"
    assert chemin_anomalie("activite.indicateurs.1.2022") == "activite.indicateurs[1].valeurs.2022"
    assert chemin_anomalie("faits_marquants.0") == "faits_marquants[0]"
    assert chemin_anomalie("financier.postes.resultat.2023") == "financier.postes.resultat.2023"
    assert plat(euros(1_284_560)) == "1 284 560 €" and plat(pourcentage(7.2)) == "+7,2 %"


# --- Robustesse --------------------------------------------------------------------------


def test_aucun_controle_ne_leve(corpus: dict[str, Echantillon]) -> None:
    """Document vide, fiche sans CARE, valeurs absurdes : des listes, jamais d'exception."""
    e = corpus["casino_les_pins_2023"]
    abimee = e.fiche.model_copy(deep=True)
    for ligne in abimee.financier.lignes:
        for champ in ligne.valeurs.values():
            champ.citation = "n/a"
    abimee.financier.lignes[0].valeurs["2023"].valeur = None
    abimee.identification.exercice.valeur = None
    vide = Fiche(
        source=Source(fichier="x.pdf", sha256="0" * 64, pages=0, scanne=False),
        production=Production(mode="regles", version="t", date=datetime(2024, 1, 1), duree_s=0),
    )
    for fiche in (abimee, vide):
        for document in (e.document, DOCUMENT_VIDE):
            for controle in CONTROLES.values():
                resultat: Any = controle(Contexte(fiche, document, SEUILS))
                assert isinstance(resultat, list)


def test_arithmetique_sur_scan_designe_le_chiffre_le_moins_sur() -> None:
    """Page scannée : le message désigne la cellule de plus faible confiance OCR."""
    lignes = [
        ("Denrées alimentaires", "charges", "detail", {"2022": "1 221 532"}),
        ("Personnel", "charges", "detail", {"2022": "1 000 000"}),
        ("Total des charges", "charges", "total", {"2022": "2 221 332"}),
    ]
    fiche = _fiche(lignes, UniteSource.EURO)
    mots = [("Denrées", 92.0), ("alimentaires", 96.0), ("1221", 84.0), ("532", 74.0)]
    page = Page(
        numero=4,
        largeur=595,
        hauteur=842,
        scannee=True,
        lignes=[
            Ligne(
                id="p4-l0",
                page=4,
                texte="Denrées alimentaires 1 221 532",
                mots=[Mot(texte=t, confiance=c) for t, c in mots],
            ),
            Ligne(
                id="p4-l1",
                page=4,
                texte="Personnel 1 000 000",
                mots=[Mot(texte=t, confiance=95.0) for t in ("Personnel", "1", "000", "000")],
            ),
        ],
    )
    document = Document(
        fichier="x.pdf",
        sha256="0" * 64,
        format="pdf",
        pages=[Page(numero=n, largeur=595, hauteur=842) for n in range(1, 4)] + [page],
    )
    (anomalie,) = controle_somme_postes(Contexte(fiche, document, SEUILS))
    message = plat(anomalie.message)
    assert "scannée" in message and "« Denrées alimentaires » 2022" in message
    assert "1 221 532" in message and "confiance 74 %" in message
    (sans_scan,) = controle_somme_postes(Contexte(fiche, DOCUMENT_VIDE, SEUILS))
    assert "scannée" not in sans_scan.message


def test_cellule_non_lue_n_est_pas_un_bloquant() -> None:
    """Régression (page scannée, held-out lot 211) : l'OCR n'a pas lu la cellule 2022 de
    « Personnel », que la ligne porte pour 2023. Le total 2022 dépasse la somme lue : une
    alerte qui nomme la ligne, pas un « bloquant » qui accuserait le CARE. Une ligne
    vide pour toutes les années ne change rien : l'écart reste bloquant."""
    lignes = [
        ("Personnel", "charges", "detail", {"2023": "120 000"}),
        ("Énergie", "charges", "detail", {"2022": "30 000", "2023": "32 000"}),
        ("Total charges", "charges", "total", {"2022": "145 000", "2023": "152 000"}),
    ]
    ctx = Contexte(fiche=_fiche(lignes, UniteSource.EURO), document=DOCUMENT_VIDE, seuils=SEUILS)
    (anomalie,) = controle_somme_postes(ctx)
    assert anomalie.gravite == Gravite.ALERTE and "2022" in anomalie.message
    assert "« Personnel »" in anomalie.message and "n'a pas été lu" in anomalie.message
    lignes[0] = ("Personnel", "charges", "detail", {})
    lignes[2] = ("Total charges", "charges", "total", {"2022": "145 000", "2023": "32 000"})
    ctx = Contexte(fiche=_fiche(lignes, UniteSource.EURO), document=DOCUMENT_VIDE, seuils=SEUILS)
    assert [a.gravite for a in controle_somme_postes(ctx)] == [Gravite.BLOQUANT]
