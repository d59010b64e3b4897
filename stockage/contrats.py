"""Registre des contrats : import d'un CSV modifiable, rapprochement d'une fiche à son
contrat, contrats dont le rapport d'un exercice n'a pas été reçu.

Le rapprochement est flou (rapidfuzz) parce que les rapports écrivent rarement la
collectivité ou le délégataire exactement comme le contrat (« SAS », « Ville de », etc.) :
le score est conservé pour que l'agent confirme.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from fiche.evaluation import normaliser_texte
from fiche.modeles import Identification
from socle.erreurs import StockageError
from stockage.modeles import Contrat, Rapport, maintenant

ENTETES = {
    "clé": "cle",
    "collectivité": "collectivite",
    "délégataire": "delegataire",
    "objet": "objet",
    "secteur": "secteur",
    "type de contrat": "type_contrat",
    "date de début": "date_debut",
    "date de fin": "date_fin",
    "heures de revue de référence": "heures_revue_reference",
}
"""En-tête français du CSV → champ ; toute autre colonne devient un paramètre contractuel."""

OBLIGATOIRES = ("clé", "collectivité", "délégataire", "objet")
POIDS = {"collectivite": 0.4, "delegataire": 0.3, "objet": 0.3}
SEUIL_RAPPROCHEMENT = 75.0
"""En dessous (sur 100), le rapport n'est rattaché à aucun contrat : l'agent choisit."""


class LigneContrat(BaseModel):
    """Une ligne du CSV, validée avant toute écriture en base."""

    model_config = ConfigDict(extra="forbid")

    cle: str = Field(min_length=1)
    collectivite: str = Field(min_length=1)
    delegataire: str = Field(min_length=1)
    objet: str = Field(min_length=1)
    secteur: str | None = None
    type_contrat: str | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    heures_revue_reference: float | None = Field(None, ge=0)
    parametres: dict[str, Any] = Field(default_factory=dict)

    @field_validator("heures_revue_reference", mode="before")
    @classmethod
    def _virgule_decimale(cls, valeur: object) -> object:
        # Un tableur français écrit « 6,5 » : on accepte la virgule décimale.
        return valeur.replace(",", ".") if isinstance(valeur, str) else valeur


def _normaliser_entete(entete: str) -> str:
    return " ".join(entete.strip().lstrip("\ufeff").lower().split())


def _parametre(valeur: str) -> str | float:
    """Un paramètre numérique (« 0,06 ») est stocké en nombre, le reste en texte."""
    try:
        return float(valeur.replace(",", ".").replace(" ", ""))
    except ValueError:
        return valeur


def _ligne(numero: int, brute: dict[str, str], nom: str) -> LigneContrat:
    donnees: dict[str, Any] = {"parametres": {}}
    for entete, valeur in brute.items():
        valeur = (valeur or "").strip()
        champ = ENTETES.get(_normaliser_entete(entete))
        if champ is not None:
            donnees[champ] = valeur or None
        elif valeur:
            donnees["parametres"][_normaliser_entete(entete).replace(" ", "_")] = _parametre(valeur)
    try:
        return LigneContrat.model_validate(donnees)
    except ValidationError as exc:
        erreur = exc.errors()[0]
        champ = str(erreur["loc"][0]) if erreur["loc"] else "?"
        entete = next((e for e, c in ENTETES.items() if c == champ), champ)
        raise StockageError(
            f"Ligne {numero} du fichier {nom} : colonne « {entete} » invalide "
            f"(valeur « {erreur.get('input') or ''} » : {erreur['msg']}).",
            fichier=nom,
        ) from exc


def lire_csv(chemin: Path) -> list[LigneContrat]:
    """Lit le CSV des contrats (séparateur `;` ou `,`, UTF-8) ; erreur claire et numéro
    de ligne au premier défaut, avant toute écriture."""
    try:
        texte = chemin.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise StockageError(
            f"Lecture impossible du CSV des contrats : {exc}", fichier=chemin
        ) from exc
    separateur = ";" if texte.split("\n", 1)[0].count(";") else ","
    lecteur = csv.DictReader(io.StringIO(texte), delimiter=separateur)
    entetes = {_normaliser_entete(e) for e in lecteur.fieldnames or []}
    absentes = [e for e in OBLIGATOIRES if e not in entetes]
    if absentes:
        raise StockageError(
            f"Ligne 1 du fichier {chemin.name} : colonne(s) obligatoire(s) absente(s) : "
            + ", ".join(f"« {e} »" for e in absentes),
            fichier=chemin,
        )
    lignes: list[LigneContrat] = []
    for brute in lecteur:
        numero = lecteur.line_num
        if None in brute:
            raise StockageError(
                f"Ligne {numero} du fichier {chemin.name} : plus de valeurs que de colonnes.",
                fichier=chemin,
            )
        if any((v or "").strip() for v in brute.values()):
            lignes.append(_ligne(numero, brute, chemin.name))
    return lignes


def importer(session: Session, lignes: Iterable[LigneContrat]) -> int:
    """Crée ou met à jour (par clé) chaque contrat ; rend le nombre de lignes importées."""
    nombre = 0
    for ligne in lignes:
        contrat = session.scalar(select(Contrat).where(Contrat.cle == ligne.cle))
        if contrat is None:
            contrat = Contrat(cle=ligne.cle)
            session.add(contrat)
        for champ, valeur in ligne.model_dump(exclude={"cle"}).items():
            setattr(contrat, champ, valeur)
        contrat.modifie_le = maintenant()
        nombre += 1
    return nombre


@dataclass(frozen=True)
class Rapprochement:
    contrat: Contrat
    score: float
    """0 à 100 : moyenne pondérée des ressemblances collectivité, délégataire, objet."""


def score(identification: Identification, contrat: Contrat) -> float:
    """Ressemblance d'une fiche et d'un contrat, après normalisation (casse, accents)."""
    total = 0.0
    for champ, poids in POIDS.items():
        valeur = getattr(identification, champ).valeur
        if not valeur:
            continue  # un champ absent de la fiche ne rapporte rien
        a, b = normaliser_texte(str(valeur)), normaliser_texte(getattr(contrat, champ))
        total += poids * fuzz.token_set_ratio(a, b)
    return round(total, 1)


def rapprocher(identification: Identification, contrats: Sequence[Contrat]) -> Rapprochement | None:
    """Le contrat le plus ressemblant, quel que soit son score (le seuil est appliqué par
    l'appelant) ; None si le registre est vide."""
    notes = [Rapprochement(c, score(identification, c)) for c in contrats]
    return max(notes, key=lambda r: r.score, default=None)


def en_cours(contrat: Contrat, exercice: int) -> bool:
    """Le contrat couvre au moins une partie de l'exercice (dates absentes : toujours)."""
    debut = contrat.date_debut.year if contrat.date_debut else exercice
    fin = contrat.date_fin.year if contrat.date_fin else exercice
    return debut <= exercice <= fin


def manquants(session: Session, exercice: int) -> list[Contrat]:
    """Contrats en cours pendant `exercice` dont aucun rapport de cet exercice n'est reçu."""
    recus = set(
        session.scalars(
            select(Rapport.contrat_id).where(
                Rapport.exercice == exercice, Rapport.contrat_id.is_not(None)
            )
        )
    )
    contrats = session.scalars(select(Contrat).order_by(Contrat.cle))
    return [c for c in contrats if en_cours(c, exercice) and c.id not in recus]
