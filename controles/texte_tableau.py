"""TEXTE_TABLEAU : un chiffre ou une évolution annoncés dans le récit que les tableaux
démentent (« le chiffre d'affaires progresse de 12 % » quand le CARE donne +4,5 %).

Le rapport doit permettre la comparaison de l'exercice avec le précédent (R.3131-2) et son
récit commente le CARE (R.3131-3) : un récit qui contredit les tableaux trompe l'assemblée.

Lecture du récit : les lignes hors tableaux de chaque page sont réunies puis coupées en
phrases. Dans une phrase, chaque pourcentage d'évolution (« en hausse de 6,7 % »), chaque
montant avec son unité (« 2 590,1 k€ », « 1,2 M€ », « 25 900 € ») et chaque écart en montant
(« en hausse de 48 k€ ») est rattaché au sujet le plus proche qui le précède : un poste
(chiffre d'affaires, charges, résultat / bénéfice / déficit, redevance, personnel, frais de
siège) ou le libellé d'une ligne du CARE (« les recettes horaires »). Un nombre suivi d'un
complément (« 12 % de la fréquentation ») appartient à ce complément. Un sujet étranger
aux comptes (fréquentation, tarif, prix, volumes, taux...) coupe le rattachement, de même
que les phrases de prévision (budget, prévisionnel, objectif).

Seules les contradictions nettes sont signalées : le nombre ne correspond à aucune année ni
à aucune évolution du poste (ou des lignes du CARE qui le portent), au-delà de
`ecart_texte_points` pour un pourcentage et de la tolérance d'arrondi (celle du récit et
celle du tableau) pour un montant. Un montant mille fois trop grand ou trop petit relève
d'UNITE (`controles.unites`), pas d'ici.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from controles.base import Contexte
from controles.commun import (
    INSECABLE,
    citer,
    demi_unite,
    euros,
    mention_pages,
    pourcentage,
    tolerance_montant,
)
from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document
from extracteurs.nombres import ESPACES, lire_nombre
from fiche.modeles import Anomalie, Champ, Fiche, Gravite, UniteSource
from socle.reglages import SeuilsControles
from socle.traduction import TableMemorisee

journal = logging.getLogger(__name__)

CODE = "TEXTE_TABLEAU"
REGLE = "R.3131-2 et R.3131-3 : le récit du rapport doit concorder avec ses tableaux"
FENETRE_MAX = 160
"""Au-delà de cette distance (caractères) entre un sujet et un nombre, pas de rattachement."""

Genre = Literal["niveau", "ecart", "taux"]


# --- Phrases du récit ------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    page: int
    texte: str
    """Texte d'origine (espaces réduites)."""
    norme: str
    """Même longueur que `texte` : minuscules sans accents, apostrophes et espaces unifiées."""


def _norme_caractere(c: str) -> str:
    d = sans_accents(c)
    d = d.lower() if len(d) == 1 else c.lower()
    if len(d) != 1:
        d = c
    if d in "’‘`´":
        d = "'"
    elif d in ESPACES or d == "\t":
        d = " "
    elif d in "−–—":
        d = "-"
    return d


_TABLE_NORMES = TableMemorisee(_norme_caractere)


def normer(texte: str) -> str:
    """Minuscules sans accents, caractère pour caractère (les positions restent valables)."""
    return texte.translate(_TABLE_NORMES)


_COUPURE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ«\"(\d•])|\s*[•▪►]\s*")


def phrases(document: Document) -> list[Phrase]:
    """Les phrases du récit : lignes hors tableaux de chaque page, réunies puis coupées."""
    sortie: list[Phrase] = []
    for page in document.pages:
        morceaux = [ligne.texte for ligne in page.lignes if ligne.genre != "tableau"]
        texte = " ".join(" ".join(m.replace("\t", " ").split()) for m in morceaux if m.strip())
        texte = re.sub(r"(\w)- (\w)", r"\1\2", texte)  # césures de fin de ligne
        texte = " ".join(texte.split())
        for morceau in _COUPURE.split(texte):
            morceau = morceau.strip()
            if morceau and re.search(r"\d", morceau):
                sortie.append(Phrase(page.numero, morceau, normer(morceau)))
    return sortie


# --- Sujets ----------------------------------------------------------------------------


_VERBES = (
    r"(?=\s+(?:progress|augment|diminu|baiss|recul|s'etabl|atteign|s'elev|ressort|sont|se son"
    r"|ont|evolu|croi|chut|passent|totalis|repr))"
)
MOTIFS_POSTES: tuple[tuple[str, int, str], ...] = (
    (
        "chiffre_affaires",
        0,
        r"chiffres? d'affaires|total des (?:produits|recettes)|produits d'exploitation"
        r"|produits (?:totaux|de l'exercice|de l'exploitation)|recettes (?:totales|globales"
        r"|d'exploitation|de l'exercice|de l'exploitation)|(?:les|des) (?:recettes|produits)"
        + _VERBES,
    ),
    (
        "total_charges",
        0,
        r"total des charges|charges (?:totales|globales|d'exploitation|de l'exercice"
        r"|de l'exploitation)|ensemble des charges|depenses (?:totales|d'exploitation)"
        r"|(?:les|des) (?:charges|depenses)" + _VERBES,
    ),
    (
        "charges_personnel",
        0,
        r"(?:charges|frais|depenses|couts?) (?:de|du) personnel|masse salariale"
        r"|charges salariales",
    ),
    (
        "frais_siege",
        0,
        r"frais de (?:siege|structure|gestion du groupe)|charges de structure"
        r"|contribution des services centraux|honoraires de gestion",
    ),
    ("redevance", 0, r"\bredevances?\b"),
    (
        "resultat",
        0,
        r"\bresultats?\b(?!\s+(?:financiers?|exceptionnels?|des analyses|d'analyses?))"
        r"(?:\s+(?:net|nets|d'exploitation|de l'exploitation|de l'exercice|avant impots?"
        r"|courant|comptable|d'ensemble))?",
    ),
    ("resultat", 1, r"\b(?:benefices?|excedents?)\b(?!\s+(?:brut|de tresorerie))"),
    ("resultat", -1, r"\b(?:deficits?|pertes?)\b(?!\s+(?:sur|de (?:charge|chaleur|l'eau)))"),
)
"""Postes que le récit commente : (poste, signe imposé au montant, motif sur le texte normé)."""

MOTIF_ETRANGER = re.compile(
    r"\b(?:frequentation|volumes?|tarifs?|prix|nombre|effectifs?|abonnes|usagers?|entrees"
    r"|visiteurs|voyageurs|passagers|repas|heures|taux|rendements?|consommations?|energies?"
    r"|electricite|gaz|kilometres?|trafic|nuitees|places|occupation|inflation|indices?"
    r"|indexation|habitants|population|enfants|spectateurs|clients|jours|tonnages?|tonnes"
    r"|etp|salaries|agents|investissements?|travaux|subventions?|emprunts?|capital"
    r"|provisions?|dotations?|amortissements?|impots?|tva|dette|tresorerie|part|parts"
    r"|proportion|marge|ratio|couverture|cautions?|garanties?|penalites?|budgets?)\b"
)
"""Sujets étrangers aux postes suivis : un nombre qui s'y rattache n'est pas comparé."""

MOTIF_PREVISION = re.compile(
    r"previsionnel|previsions?\b|prevu|budget|objectif|estim|projection|prospecti|attendu"
    r"|contrat prevoyait|a l'horizon|d'ici \d{4}"
)


@dataclass(frozen=True)
class Sujet:
    debut: int
    fin: int
    cle: str
    """Un poste (« chiffre_affaires »), « ligne:<rang> » ou « autre » (sujet étranger)."""
    signe: int = 0
    qualificatif: str | None = None
    """Le nom qui restreint un poste (« le chiffre d'affaires de la *restauration* »)."""


def _norme_libelle(libelle: str) -> str:
    texte = normer(" ".join(libelle.split()))
    texte = re.sub(r"\s*\(.*?\)\s*", " ", texte)
    texte = re.sub(r"^(?:\d+|[ivx]+|[a-h])[.)]\s+", "", texte)
    return " ".join(re.sub(r"[^\w' ]", " ", texte).split())


def _sujets(phrase: Phrase, fiche: Fiche) -> list[Sujet]:
    trouves: list[Sujet] = []
    for poste, signe, motif in MOTIFS_POSTES:
        for m in re.finditer(motif, phrase.norme):
            trouves.append(Sujet(m.start(), m.end(), poste, signe))
    for m in re.finditer(r"\bCA\b", phrase.texte):
        trouves.append(Sujet(m.start(), m.end(), "chiffre_affaires"))
    mots = re.sub(r"[^\w']", " ", phrase.norme)  # même longueur que la phrase
    for rang, ligne in enumerate(fiche.financier.lignes):
        libelle = _norme_libelle(ligne.libelle)
        if len(libelle) < 8 or " " not in libelle or not ligne.valeurs:
            continue
        motif = r"\b" + r"\s+".join(map(re.escape, libelle.split())) + r"\b"
        for m in re.finditer(motif, mots):
            trouves.append(Sujet(m.start(), m.end(), f"ligne:{rang}"))
    for m in MOTIF_ETRANGER.finditer(phrase.norme):
        trouves.append(Sujet(m.start(), m.end(), "autre"))
    # Le motif le plus long l'emporte (« chiffre d'affaires restauration » sur « chiffre
    # d'affaires », « résultat avant impôts » sur « impôts »).
    trouves.sort(key=lambda s: (-(s.fin - s.debut), s.debut))
    retenus: list[Sujet] = []
    for sujet in trouves:
        if all(sujet.fin <= r.debut or sujet.debut >= r.fin for r in retenus):
            retenus.append(sujet)
    return sorted((_qualifier(phrase, s) for s in retenus), key=lambda s: s.debut)


_QUALIFICATIF = re.compile(r"^\s+(?:de la |de l'|du |des |d'|de )\s*([a-z]+)")
GENERIQUES = frozenset(
    (
        "exercice",
        "annee",
        "service",
        "delegation",
        "contrat",
        "delegataire",
        "periode",
        "exploitation",
        "societe",
        "ensemble",
        "total",
        "compte",
        "gestion",
        "groupe",
        "concession",
        "affermage",
        "mois",
        "semestre",
    )
)
"""Compléments qui ne restreignent pas un poste (« le résultat de l'exercice »)."""


def _qualifier(phrase: Phrase, sujet: Sujet) -> Sujet:
    if sujet.cle in ("autre",) or sujet.cle.startswith("ligne:"):
        return sujet
    m = _QUALIFICATIF.match(phrase.norme[sujet.fin :])
    if m is None or m.group(1) in GENERIQUES or len(m.group(1)) < 3:
        return sujet
    return replace(sujet, qualificatif=m.group(1))


# --- Nombres ---------------------------------------------------------------------------


_UNITES_MONTANT = (
    r"k ?€|k ?eur\b|keuros?\b|milliers? d'euros|m ?€|m ?eur\b|millions? d'euros|millions? €"
    r"|md ?€|milliards? d'euros|€|euros?\b|eur\b"
)
_MONTANT = re.compile(
    r"(?<![\w,.])(?P<signe>[+-]\s?)?(?P<nombre>\d{1,3}(?:[ .]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
    rf"\s?(?P<unite>{_UNITES_MONTANT})"
)
_TAUX = re.compile(r"(?<![\w,.])(?P<signe>[+-]\s?)?(?P<nombre>\d+(?:,\d+)?)\s?%")
_PAR_UNITE = re.compile(
    r"^\s*(?:ht|ttc)?\s*(?:/|par\b|le (?:m|kwh|mwh|repas|ticket|litre|metre|mois)|l'heure"
    r"|de l'heure|la (?:nuit|place|journee|tonne|seance|heure)|l'unite|l'entree|du m|au m)"
)
_COMPLEMENT = re.compile(r"^\s*(?:de la |de l'|du |des |d'|de )")
_HAUSSE = r"hausse|progress\w*|augment\w*|croissance|croit|accroissement|amelior\w*|gagne\w*"
_BAISSE = (
    r"baisse|diminu\w*|recul\w*|repli|chute|regress\w*|degrad\w*|contraction|perd\w*"
    r"|reduction|reduit\w*|recul"
)
_NEUTRE = r"evolu\w*|variation|varie"
_VARIATION = re.compile(rf"\b(?P<hausse>{_HAUSSE})|\b(?P<baisse>{_BAISSE})|\b(?:{_NEUTRE})")
_ECART_AVANT = re.compile(
    rf"\b(?:{_HAUSSE}|{_BAISSE}|{_NEUTRE})\s+(?:de\s+|d'\s*)?(?:l'ordre de\s+|pres de\s+"
    r"|plus de\s+|environ\s+)?$"
)
_PART = re.compile(r"\b(?:part|proportion|poids|ratio|niveau)\s+(?:de la |de l'|des |du |de |d')?$")
_PERIODE = re.compile(
    r"\bdepuis\b|sur la duree|\bcumul|en moyenne|moyenne annuelle|\bpar an\b|sur \d+ ans"
    r"|debut du contrat|entre \d{4} et \d{4}|sur (?:les|la) (?:\w+ )?(?:dernier|periode)"
)
_ANNEE = re.compile(r"\b(?:19|20)\d{2}\b(?!\s?(?:€|%|k ?€|m ?€|euros?\b|,\d))")
_AUTRE_EXERCICE = re.compile(
    r"^\s*,?\s*(?:l'an dernier|l'annee derniere|(?:lors|au cours) de l'exercice precedent"
    r"|sur l'exercice precedent|un an plus tot)"
)
"""« après une hausse de 5 % l'an dernier » : l'évolution d'un exercice antérieur."""


@dataclass(frozen=True)
class Affirmation:
    """Un nombre du récit rattaché à un sujet."""

    phrase: Phrase
    sujet: Sujet
    genre: Genre
    valeur: float
    """En euros (niveau, écart) ou en points (taux) ; signé si le récit donne le sens."""
    sens: int
    """+1 hausse, -1 baisse, 0 inconnu (niveau : signe imposé ou imprimé)."""
    tolerance: float
    forme: str
    """Le nombre tel qu'imprimé, avec son unité."""
    debut: int


def _multiplicateur(unite: str) -> float:
    unite = unite.replace(" ", "")
    if unite.startswith(("k", "millier")):
        return 1e3
    if unite.startswith(("md", "milliard")):
        return 1e9
    if unite.startswith(("m€", "meur", "million")):
        return 1e6
    return 1.0


def _sens(fenetre: str) -> int:
    dernier = None
    for m in _VARIATION.finditer(fenetre):
        dernier = m
    if dernier is None:
        return 0
    if dernier.group("hausse"):
        return 1
    if dernier.group("baisse"):
        return -1
    return 0


def _sujet_de(
    phrase: Phrase, sujets: list[Sujet], debut: int, fin: int, autres_nombres: list[int]
) -> Sujet | None:
    """Le sujet d'un nombre : le complément qui le suit, sinon le sujet le plus proche qui le
    précède (sans autre nombre du même genre entre eux, à moins de FENETRE_MAX)."""
    suite = phrase.norme[fin:]
    complement = _COMPLEMENT.match(suite)
    if complement:
        apres = fin + complement.end()
        suivant = next((s for s in sujets if s.debut == apres), None)
        if suivant is not None:
            return None if suivant.cle == "autre" else suivant
        if re.match(r"[a-z]", phrase.norme[apres : apres + 1]):
            return None  # complément inconnu : le nombre parle d'autre chose
    avant = [s for s in sujets if s.fin <= debut]
    if not avant:
        return None
    sujet = avant[-1]
    if sujet.cle == "autre" or debut - sujet.fin > FENETRE_MAX:
        return None
    if _PART.search(phrase.norme[max(0, sujet.debut - 25) : sujet.debut]):
        return None  # « la part des charges de personnel » : un ratio, pas le poste
    if any(sujet.fin <= k < debut for k in autres_nombres):
        return None
    return sujet


def _fenetre(phrase: Phrase, sujet: Sujet, debut: int) -> str:
    """Le texte qui mène au nombre : depuis son sujet, ou (sujet en complément, après le
    nombre : « une hausse de 12 % du chiffre d'affaires ») les mots qui le précèdent."""
    if sujet.debut >= debut:
        return phrase.norme[max(0, debut - 40) : debut]
    return phrase.norme[sujet.fin : debut]


def affirmations(document: Document, fiche: Fiche) -> Iterator[Affirmation]:
    """Les nombres du récit rattachés à un poste ou à une ligne du CARE."""
    annees = _annees_fiche(fiche)
    for phrase in phrases(document):
        if MOTIF_PREVISION.search(phrase.norme):
            continue
        if any(m.group(0) not in annees for m in _ANNEE.finditer(phrase.norme)):
            continue  # un autre exercice que ceux du CARE (« en 2019, ... »)
        sujets = _sujets(phrase, fiche)
        if not any(s.cle != "autre" for s in sujets):
            continue
        periode = bool(_PERIODE.search(phrase.norme))
        for affirmation in (*_taux(phrase, sujets), *_montants(phrase, sujets)):
            if periode and affirmation.genre != "niveau":
                continue  # évolution sur plusieurs exercices ou moyenne
            if affirmation.genre != "taux" and re.search(r"\bttc\b", phrase.norme):
                continue  # montant toutes taxes, le CARE est hors taxes
            yield affirmation


def _annees_fiche(fiche: Fiche) -> set[str]:
    annees = {a for valeurs in fiche.financier.postes.values() for a in valeurs}
    annees |= {a for ligne in fiche.financier.lignes for a in ligne.valeurs}
    return annees


def _taux(phrase: Phrase, sujets: list[Sujet]) -> Iterator[Affirmation]:
    trouves = list(_TAUX.finditer(phrase.norme))
    debuts = [m.start() for m in trouves]
    for m in trouves:
        sujet = _sujet_de(phrase, sujets, m.start(), m.end(), [d for d in debuts if d < m.start()])
        if sujet is None:
            continue
        if re.search(r"\ba\s*$", phrase.norme[: m.start()]):
            continue  # « passe à 48 % » : un niveau, pas une évolution
        fenetre = _fenetre(phrase, sujet, m.start())
        sens = _sens(fenetre)
        signe = (m.group("signe") or "").strip()
        if signe:
            sens = 1 if signe == "+" else -1
        elif not _VARIATION.search(fenetre):
            continue  # une part (« 48 % des charges »), pas une évolution
        if _AUTRE_EXERCICE.match(phrase.norme[m.end() :]):
            continue
        nombre = lire_nombre(m.group("nombre"))
        if nombre is None:
            continue
        yield Affirmation(
            phrase,
            sujet,
            "taux",
            abs(nombre) * (sens or 1),
            sens,
            demi_unite(m.group("nombre"), 1.0),
            phrase.texte[m.start() : m.end()],
            m.start(),
        )


def _montants(phrase: Phrase, sujets: list[Sujet]) -> Iterator[Affirmation]:
    trouves = list(_MONTANT.finditer(phrase.norme))
    debuts = [m.start() for m in trouves]
    for m in trouves:
        if _PAR_UNITE.match(phrase.norme[m.end() :]):
            continue
        sujet = _sujet_de(phrase, sujets, m.start(), m.end(), [d for d in debuts if d < m.start()])
        if sujet is None:
            continue
        nombre = lire_nombre(m.group("nombre"))
        if nombre is None:
            continue
        multiplicateur = _multiplicateur(m.group("unite"))
        montant = abs(nombre) * multiplicateur
        signe = (m.group("signe") or "").strip()
        avant = _fenetre(phrase, sujet, m.start())[-40:]
        tolerance = demi_unite(m.group("nombre"), multiplicateur)
        forme = phrase.texte[m.start() : m.end()]
        if _ECART_AVANT.search(avant) or signe == "+":
            sens = _sens(avant) if not signe else (1 if signe == "+" else -1)
            valeur = montant * (sens or 1)
            yield Affirmation(phrase, sujet, "ecart", valeur, sens, tolerance, forme, m.start())
            continue
        sens = sujet.signe or (-1 if signe == "-" else 0)
        if re.search(r"deficitaire|negatif", _fenetre(phrase, sujet, m.start())):
            sens = -1
        valeur = montant * (sens or 1)
        yield Affirmation(phrase, sujet, "niveau", valeur, sens, tolerance, forme, m.start())


# --- Séries du tableau -----------------------------------------------------------------


@dataclass(frozen=True)
class Serie:
    """Les montants d'un poste ou d'une ligne, par année, avec leur chemin dans la fiche."""

    nom: str
    valeurs: dict[str, Champ[float]]
    chemin: str
    """Gabarit du chemin : « financier.postes.chiffre_affaires.{annee} »."""
    signee: bool = False
    """Le signe compte (résultat) ; sinon on compare les valeurs absolues."""

    def montant(self, annee: str) -> float | None:
        champ = self.valeurs.get(annee)
        if champ is None or champ.valeur is None:
            return None
        return float(champ.valeur) if self.signee else abs(float(champ.valeur))

    def annees(self) -> list[str]:
        return sorted(a for a in self.valeurs if self.montant(a) is not None)


NOMS_POSTES = {
    "chiffre_affaires": "le chiffre d'affaires",
    "total_charges": "le total des charges",
    "charges_personnel": "les charges de personnel",
    "frais_siege": "les frais de siège",
    "redevance": "la redevance",
    "resultat": "le résultat",
    "resultat_net": "le résultat net",
    "reversements": "les reversements",
}


def series(fiche: Fiche, sujet: Sujet) -> list[Serie]:
    """Les séries qu'un sujet peut désigner, la plus directe d'abord."""
    lignes = fiche.financier.lignes
    sortie: list[Serie] = []
    if sujet.cle.startswith("ligne:"):
        rang = int(sujet.cle.split(":", 1)[1])
        ligne = lignes[rang]
        signee = ligne.section == "resultat"
        sortie.append(
            Serie(
                f"la ligne « {ligne.libelle.strip()} »",
                ligne.valeurs,
                f"financier.lignes[{rang}].valeurs.{{annee}}",
                signee,
            )
        )
        if ligne.poste:
            sortie.extend(_serie_poste(fiche, ligne.poste))
        return sortie
    if sujet.qualificatif:
        # « le chiffre d'affaires de la restauration » : les lignes qui nomment la
        # restauration ; un complément que le CARE ne connaît pas (« du casino ») désigne
        # le poste entier.
        mot = re.compile(rf"\b{re.escape(sujet.qualificatif)}")
        restreintes = [
            Serie(
                f"la ligne « {ligne.libelle.strip()} »",
                ligne.valeurs,
                f"financier.lignes[{rang}].valeurs.{{annee}}",
                ligne.section == "resultat",
            )
            for rang, ligne in enumerate(lignes)
            if ligne.valeurs and mot.search(_norme_libelle(ligne.libelle))
        ]
        if restreintes:
            return restreintes
        if sujet.qualificatif not in _mots_du_contrat(fiche):
            return []  # une partie du poste que le CARE ne détaille pas : rien à comparer
    postes = [sujet.cle] + (["resultat_net"] if sujet.cle == "resultat" else [])
    for poste in postes:
        sortie.extend(_serie_poste(fiche, poste))
    for rang, ligne in enumerate(lignes):
        if _ligne_du_poste(ligne.libelle, ligne.section, ligne.nature, ligne.poste, sujet.cle):
            sortie.append(
                Serie(
                    f"la ligne « {ligne.libelle.strip()} »",
                    ligne.valeurs,
                    f"financier.lignes[{rang}].valeurs.{{annee}}",
                    ligne.section == "resultat",
                )
            )
    return sortie


def _mots_du_contrat(fiche: Fiche) -> set[str]:
    """Les mots qui désignent le service entier (« le chiffre d'affaires du *casino* »)."""
    ident = fiche.identification
    textes = [ident.objet.valeur or "", str(getattr(ident.secteur.valeur, "value", "") or "")]
    return {m for t in textes for m in re.findall(r"[a-z]{3,}", normer(t).replace("_", " "))}


def _serie_poste(fiche: Fiche, poste: str) -> list[Serie]:
    valeurs = fiche.financier.postes.get(poste)
    if not valeurs:
        return []
    return [
        Serie(
            NOMS_POSTES.get(poste, poste),
            valeurs,
            f"financier.postes.{poste}.{{annee}}",
            poste in ("resultat", "resultat_net"),
        )
    ]


def _ligne_du_poste(libelle: str, section: str, nature: str, poste: str | None, cle: str) -> bool:
    """Lignes du CARE qu'un poste nommé dans le récit peut aussi désigner."""
    norme = _norme_libelle(libelle)
    if poste == cle:
        return True
    if cle == "chiffre_affaires":
        return section == "produits" and (nature != "detail" or "chiffre d'affaires" in norme)
    if cle == "total_charges":
        return section == "charges" and nature == "total"
    if cle == "resultat":
        return section == "resultat" and nature == "total"
    if cle == "redevance":
        return "redevance" in norme
    return False


# --- Comparaison -----------------------------------------------------------------------


def meme_echelle(a: float, b: float, ratio: float) -> bool:
    """Deux montants du même ordre de grandeur (rapport inférieur à `ratio_unite`)."""
    a, b = abs(a), abs(b)
    if a == 0 or b == 0:
        return True
    return max(a, b) / min(a, b) < ratio


def variation(serie: Serie, avant: str, apres: str) -> float | None:
    """Évolution en points de `avant` à `apres` (sur les valeurs absolues, sauf résultat)."""
    a, b = serie.montant(avant), serie.montant(apres)
    if a is None or b is None or a == 0:
        return None
    return (b - a) / abs(a) * 100


def _paires(serie: Serie) -> list[tuple[str, str]]:
    annees = serie.annees()
    return list(itertools.pairwise(annees))


def concorde(
    affirmation: Affirmation, serie: Serie, unite: UniteSource, seuils: SeuilsControles
) -> bool:
    """Le nombre du récit correspond à une année ou une évolution de la série."""
    if affirmation.genre == "taux":
        for avant, apres in _paires(serie):
            calcule = variation(serie, avant, apres)
            if calcule is None:
                continue
            if affirmation.sens:
                ecart = abs(affirmation.valeur - calcule)
            else:
                ecart = abs(abs(affirmation.valeur) - abs(calcule))
            if ecart <= seuils.ecart_texte_points + 1e-9:
                return True
        return False
    if affirmation.genre == "ecart":
        for avant, apres in _paires(serie):
            a, b = serie.montant(avant), serie.montant(apres)
            if a is None or b is None:
                continue
            tolerance = affirmation.tolerance + sum(
                tolerance_montant(serie.valeurs[x], unite, seuils) for x in (avant, apres)
            )
            calcule = b - a
            if affirmation.sens:
                ecart = abs(affirmation.valeur - calcule)
            else:
                ecart = abs(abs(affirmation.valeur) - abs(calcule))
            if ecart <= tolerance + 1e-6:
                return True
        return False
    for annee in serie.annees():
        montant = serie.montant(annee)
        if montant is None:
            continue
        tolerance = affirmation.tolerance + tolerance_montant(serie.valeurs[annee], unite, seuils)
        if serie.signee and affirmation.sens:
            ecart = abs(affirmation.valeur - montant)
        else:
            ecart = abs(abs(affirmation.valeur) - abs(montant))
        if ecart <= tolerance + 1e-6:
            return True
    return False


def comparable(affirmation: Affirmation, serie: Serie, seuils: SeuilsControles) -> bool:
    """Un montant du récit se compare à la série s'il est de la même échelle qu'une de ses
    valeurs (sinon c'est une affaire d'unité, contrôle UNITE)."""
    if affirmation.genre == "taux":
        return len(_paires(serie)) > 0
    if affirmation.genre == "ecart":
        ecarts = []
        for a, b in _paires(serie):
            x, y = serie.montant(a), serie.montant(b)
            if x is not None and y is not None:
                ecarts.append((y - x, max(abs(x), abs(y))))
        # Un écart se juge à l'échelle des montants dont il est la différence.
        return any(
            abs(affirmation.valeur) < base and meme_echelle(affirmation.valeur, base, 1e6)
            for _, base in ecarts
        ) or any(meme_echelle(affirmation.valeur, e, seuils.ratio_unite) for e, _ in ecarts)
    return any(
        meme_echelle(affirmation.valeur, m, seuils.ratio_unite)
        for a in serie.annees()
        if (m := serie.montant(a)) is not None
    )


# --- Contrôle --------------------------------------------------------------------------


def controle_texte_tableau(ctx: Contexte) -> list[Anomalie]:
    """TEXTE_TABLEAU (alerte) — R.3131-2 / R.3131-3 : le récit doit concorder avec le CARE.

    Pour chaque phrase du récit qui rattache un pourcentage d'évolution, un montant ou un
    écart à un poste (ou à une ligne du CARE nommée), une alerte si aucune année ni aucune
    évolution du poste (ni des lignes qui le portent) ne lui correspond : au-delà de
    `ecart_texte_points` pour un pourcentage, de l'arrondi du récit et du tableau pour un
    montant. Une alerte par phrase et par sujet.
    """
    try:
        return _controle(ctx)
    except Exception:  # un contrôle ne lève jamais : il ne conclut pas
        journal.exception("TEXTE_TABLEAU : contrôle impossible sur %s", ctx.fiche.source.fichier)
        return []


def exercice(fiche: Fiche, document: Document) -> int | None:
    """L'exercice de la fiche, à défaut celui de l'extraction, à défaut l'année la plus
    récente des postes."""
    if fiche.identification.exercice.valeur:
        return fiche.identification.exercice.valeur
    if document.exercice_probable:
        return document.exercice_probable
    annees = [int(a) for v in fiche.financier.postes.values() for a in v if a.isdigit()]
    return max(annees) if annees else None


def _controle(ctx: Contexte) -> list[Anomalie]:
    fiche, seuils = ctx.fiche, ctx.seuils
    unite = fiche.financier.unite_source
    n = exercice(fiche, ctx.document)
    anomalies: list[Anomalie] = []
    vues: set[tuple[int, str, str, str]] = set()
    for affirmation in affirmations(ctx.document, fiche):
        candidates = series(fiche, affirmation.sujet)
        if not candidates:
            continue
        if any(concorde(affirmation, s, unite, seuils) for s in candidates):
            continue
        principale = candidates[0]
        if not comparable(affirmation, principale, seuils):
            continue
        cle = (
            affirmation.phrase.page,
            affirmation.phrase.texte,
            affirmation.sujet.cle,
            affirmation.genre,
        )
        if cle in vues:
            continue
        vues.add(cle)
        anomalies.append(_anomalie(affirmation, principale, n))
    return anomalies


def _annees_message(serie: Serie, n: int | None) -> tuple[str, str] | None:
    annees = serie.annees()
    if not annees:
        return None
    apres = str(n) if n is not None and str(n) in annees else annees[-1]
    precedentes = [a for a in annees if a < apres]
    return (precedentes[-1] if precedentes else apres), apres


def _annonce(affirmation: Affirmation) -> str:
    if affirmation.genre == "taux":
        imprime = affirmation.forme.lstrip("+-−– ").replace(" %", f"{INSECABLE}%")
        sens = {1: "une hausse", -1: "une baisse"}.get(affirmation.sens, "une évolution")
        return f"{sens} de {imprime}"
    if affirmation.genre == "ecart":
        sens = {1: "une hausse", -1: "une baisse"}.get(affirmation.sens, "un écart")
        return f"{sens} de {euros(abs(affirmation.valeur))}"
    if affirmation.sens < 0 and affirmation.sujet.cle == "resultat":
        return f"un résultat négatif de {euros(abs(affirmation.valeur))}"
    return f"un montant de {euros(abs(affirmation.valeur))}"


def _constat(affirmation: Affirmation, serie: Serie, n: int | None) -> tuple[str, list[str]]:
    """Ce que dit le tableau, et les années citées."""
    bornes = _annees_message(serie, n)
    if bornes is None:
        return "", []
    avant, apres = bornes
    x, y = serie.montant(avant), serie.montant(apres)
    champs = [serie.chemin.format(annee=apres)]
    if y is None:
        return "", champs
    if x is None or avant == apres:
        return f"{euros(y)} en {apres}", champs
    champs.append(serie.chemin.format(annee=avant))
    texte = f"{euros(x)} en {avant} et {euros(y)} en {apres}"
    calcule = variation(serie, avant, apres)
    if affirmation.genre == "taux" and calcule is not None:
        sens = "une hausse" if calcule > 0 else "une baisse" if calcule < 0 else "une stabilité"
        texte += f", soit {sens} de {pourcentage(abs(calcule), signe=False)}"
    elif affirmation.genre == "ecart":
        texte += f", soit un écart de {euros(y - x)}"
    return texte, champs


def _anomalie(affirmation: Affirmation, serie: Serie, n: int | None) -> Anomalie:
    phrase = affirmation.phrase
    nom = NOMS_POSTES.get(affirmation.sujet.cle, serie.nom)
    constat, champs = _constat(affirmation, serie, n)
    pages_tableau = sorted(
        {
            c.page
            for a, c in serie.valeurs.items()
            if c.page and serie.chemin.format(annee=a) in champs
        }
    )
    message = (
        f"Le récit ({mention_pages([phrase.page])}) annonce pour {nom} {_annonce(affirmation)} "
        f"({citer(phrase.texte)}), alors que le CARE ({mention_pages(pages_tableau)}) donne "
        f"{constat}. Demander au délégataire quel chiffre est exact et faire corriger le "
        "rapport."
    )
    if not pages_tableau:
        message = message.replace(" ()", "")
    return Anomalie(
        code=CODE,
        gravite=Gravite.ALERTE,
        message=message,
        champs=champs,
        pages=sorted({phrase.page, *pages_tableau}),
        regle=REGLE,
    )
