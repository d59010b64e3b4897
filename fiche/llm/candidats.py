"""Les candidats ancrés que les règles trouvent, section par section, pour un petit modèle.

Un petit modèle recopie mal un montant et invente volontiers une date ; il sait mieux
désigner une ligne parmi quelques-unes. Pour chaque champ d'une section, les règles
proposent donc les lignes du document qui portent une valeur de ce genre (une autorité
nommée, une société, une date, une rangée chiffrée du CARE, la lecture d'un indicateur
SISPEA) avec la valeur qu'elles y lisent. Le modèle ne rend qu'un identifiant ; la valeur
de la fiche est celle que nos lecteurs tirent de la ligne choisie (`Lecture`), jamais
le texte du modèle.

Identifiants : `p<page>-l<rang>` pour une ligne du document, `<tableau>-r<rang>` pour une
rangée de tableau (`t4-1-r12`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extracteurs.modeles import Document, Ligne
from extracteurs.nombres import normaliser_espaces
from fiche.llm.selection import estimer_jetons
from fiche.modeles import Ancrage, Champ, Fiche, Origine
from fiche.regles import entites
from fiche.regles.care import trouver_care
from fiche.regles.dates import dates_dans, exercices_du_texte, lire_date
from fiche.regles.paires import paires
from fiche.regles.postes import LECTEURS, POSITIFS, euros
from fiche.regles.tableaux import rangees

Chemin = tuple[str, ...]
Lecture = dict[Chemin, Champ[Any]]
"""Ce que le choix d'un candidat met dans la fiche : chemin du champ → valeur relue."""

PAGES_IDENTIFICATION = 3
MAX_CANDIDATS = 8
CONSIGNES_IDENTIFICATION = {
    "collectivite": "l'autorité délégante (commune, syndicat, agglomération)",
    "delegataire": "la société délégataire",
    "objet": "l'objet du contrat",
    "date_debut": "la date de prise d'effet du contrat",
    "date_fin": "la date d'échéance du contrat",
    "exercice": "l'année couverte par le rapport",
}
CONSIGNES_POSTES = {
    "chiffre_affaires": "le total des produits",
    "total_charges": "le total des charges",
    "resultat": "le résultat avant impôt",
    "resultat_net": "le résultat après impôt",
    "redevance": "la redevance versée à la collectivité",
    "charges_personnel": "les charges de personnel",
    "frais_siege": "les frais de siège ou de structure",
    "reversements": "les sommes reversées (surtaxes, agence de l'eau)",
}


@dataclass
class Question:
    """Un champ demandé au modèle et les candidats qu'il peut désigner."""

    champ: str
    consigne: str
    candidats: dict[str, Lecture] = field(default_factory=dict)


@dataclass
class Section:
    """Un petit appel : ce que le modèle lit (`texte`) et les champs qu'il choisit."""

    nom: str
    consigne: str
    texte: str
    questions: list[Question]
    pages: list[int]


def champ_llm(
    valeur: Any, page: int, citation: str, ancrage: Ancrage = Ancrage.EXACT
) -> Champ[Any]:
    return Champ[Any](
        valeur=valeur, page=page, citation=citation, ancrage=ancrage, origine=Origine.LLM
    )


def _plat(texte: str) -> str:
    return normaliser_espaces(texte.replace("\t", " "))


def ligne_portant(document: Document, page: int | None, citation: str | None) -> Ligne | None:
    """La ligne de `page` dont le texte contient `citation` (None si aucune seule ne la porte)."""
    cherche = _plat(citation or "")
    if not cherche or page is None or not 1 <= page <= len(document.pages):
        return None
    return next((lg for lg in document.pages[page - 1].lignes if cherche in _plat(lg.texte)), None)


def estimer(texte: str) -> int:
    return estimer_jetons(texte)


# --- Identification : les premières pages ---------------------------------------------


def _lectures_ligne(ligne: Ligne) -> dict[str, Champ[Any]]:
    """Ce que nos lecteurs trouvent sur une ligne, champ par champ."""
    texte, page = _plat(ligne.texte), ligne.page
    lus: dict[str, Champ[Any]] = {}
    noms = [n for n in entites.collectivites(texte) if entites.est_autorite(n.texte)]
    if noms:
        lus["collectivite"] = champ_llm(noms[0].texte, page, noms[0].texte)
    societe = entites.nom_confie(texte) or entites.nom_presente(texte)
    societe = societe or entites.nom_a_forme_sociale(texte)
    if societe and entites.est_personne_morale(societe.texte):
        lus["delegataire"] = champ_llm(societe.texte, page, societe.texte)
    dates = dates_dans(texte)
    if dates:
        lus["date_debut"] = champ_llm(dates[0].valeur, page, dates[0].texte)
        lus["date_fin"] = champ_llm(dates[-1].valeur, page, dates[-1].texte)
    return lus


def _candidats_identification(document: Document, regles: Fiche) -> dict[str, dict[str, Lecture]]:
    """Champ → (identifiant → lecture) : étiquettes, valeur des règles, puis lecteurs."""
    par_champ: dict[str, dict[str, Lecture]] = {nom: {} for nom in CONSIGNES_IDENTIFICATION}

    def proposer(nom: str, ligne: Ligne | None, champ: Champ[Any]) -> None:
        options = par_champ[nom]
        if ligne is not None and ligne.id not in options and len(options) < MAX_CANDIDATS:
            options[ligne.id] = {("identification", nom): champ}

    for paire in paires(document):
        if paire.page > PAGES_IDENTIFICATION or paire.cle not in par_champ:
            continue
        if paire.cle in ("date_debut", "date_fin"):
            lue = lire_date(paire.valeur)
            if lue:
                proposer(paire.cle, paire.ligne, champ_llm(lue.valeur, paire.page, lue.texte))
        elif paire.cle != "exercice":
            proposer(paire.cle, paire.ligne, champ_llm(paire.valeur, paire.page, paire.valeur))
    for nom in par_champ:
        retenu = getattr(regles.identification, nom)
        if retenu.valeur is not None and retenu.ancrage != Ancrage.CALCULE:
            ligne = ligne_portant(document, retenu.page, retenu.citation)
            copie = champ_llm(retenu.valeur, retenu.page or 1, retenu.citation or "")
            proposer(nom, ligne, copie)
    for mention in exercices_du_texte(document):
        if mention.page <= PAGES_IDENTIFICATION:
            ligne = ligne_portant(document, mention.page, mention.citation)
            proposer("exercice", ligne, champ_llm(mention.annee, mention.page, mention.citation))
    for ligne in document.lignes():
        if ligne.page <= PAGES_IDENTIFICATION:
            for nom, champ in _lectures_ligne(ligne).items():
                proposer(nom, ligne, champ)
    return par_champ


def section_identification(document: Document, regles: Fiche, budget: int) -> Section | None:
    """Les premières pages et, pour chaque champ, les lignes candidates. Un champ que les
    règles disent sans objet (régie, RPQS non délégué : `motif`) n'est pas demandé."""
    questions = [
        Question(nom, CONSIGNES_IDENTIFICATION[nom], options)
        for nom, options in _candidats_identification(document, regles).items()
        if options and not _sans_objet(getattr(regles.identification, nom))
    ]
    if not questions:
        return None
    ids = {i for q in questions for i in q.candidats}
    lignes = [lg for lg in document.lignes() if lg.page <= PAGES_IDENTIFICATION or lg.id in ids]
    texte = _rendre(lignes)
    if estimer(texte) > budget:  # trop long : les seules lignes candidates
        texte = _rendre([lg for lg in lignes if lg.id in ids])
    if estimer(texte) > budget:
        return None
    consigne = "Identification du contrat, d'après le début du rapport."
    pages = sorted({lg.page for lg in lignes})
    return Section("identification", consigne, texte, questions, pages)


def _sans_objet(champ: Champ[Any]) -> bool:
    """Vide avec un motif : les règles disent pourquoi le champ n'a pas lieu d'être."""
    return champ.valeur is None and champ.motif is not None


def _rendre(lignes: list[Ligne]) -> str:
    rendu: list[str] = []
    page = 0
    for ligne in lignes:
        if ligne.page != page:
            page = ligne.page
            rendu.append(f"=== page {page} ===")
        if ligne.texte.strip():
            rendu.append(f"{ligne.id} | {ligne.texte}")
    return "\n".join(rendu)


# --- CARE : un appel par tableau --------------------------------------------------------


def sections_care(document: Document, regles: Fiche, budget: int) -> list[Section]:
    """Chaque tableau du CARE que les règles ont retenu, rangée par rangée."""
    if not regles.financier.lignes:
        return []
    exercice = document.exercice_probable or regles.identification.exercice.valeur
    care = trouver_care(document, exercice)
    if care is None:
        return []
    sections: list[Section] = []
    for tableau in care.tableaux:
        chiffrees = [r for r in rangees(tableau, exercice) if r.valeurs and r.libelle]
        rendu, lectures = [f"Montants imprimés en {care.unite}."], {}
        for rangee in chiffrees:
            ident = f"{tableau.id}-r{rangee.rang}"
            montants = " | ".join(f"{a} : {m.texte}" for a, m in sorted(rangee.valeurs.items()))
            rendu.append(f"{ident} | {rangee.libelle} | {montants}")
            lectures[ident] = rangee
        texte = "\n".join(rendu)
        if not lectures or estimer(texte) > budget:
            continue
        questions = [
            Question(
                poste,
                CONSIGNES_POSTES[poste],
                {
                    ident: {
                        ("financier", "postes", poste, str(annee)): champ_llm(
                            abs(euros(m.nombre, care.multiplicateur))
                            if poste in POSITIFS
                            else euros(m.nombre, care.multiplicateur),
                            m.page,
                            m.texte,
                        )
                        for annee, m in rangee.valeurs.items()
                    }
                    for ident, rangee in lectures.items()
                },
            )
            for poste in LECTEURS
        ]
        consigne = "Compte annuel de résultat (CARE) : désigne la rangée de chaque poste."
        sections.append(Section(f"care {tableau.id}", consigne, texte, questions, tableau.pages))
    return sections
