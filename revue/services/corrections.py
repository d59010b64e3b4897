"""Correction d'un champ et avis de l'agent : une nouvelle version de fiche et une ligne
au journal d'audit à chaque fois (les versions précédentes restent)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from extracteurs.nombres import lire_nombre
from fiche.modeles import Champ, Fiche, Origine, Revue
from revue.services.fiche import champ_de, type_saisie
from socle.erreurs import DspError, StockageError
from stockage.depot import Depot
from stockage.statuts import LIBELLES, Statut

MODIFIABLES = (Statut.A_VALIDER,)
_DATE_FR = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


class SaisieError(DspError):
    """La valeur tapée par l'agent ne convient pas au champ (message pour l'agent)."""


def lire_saisie(champ: Champ[Any], texte: str) -> Any:
    """La valeur typée d'une saisie : nombres à la française (« 1 284 560,50 »), dates
    « 31/12/2023 » ou ISO, valeurs de liste ; une saisie vide efface la valeur."""
    texte = texte.strip()
    if not texte:
        return None
    genre = type_saisie(champ)
    if genre in ("nombre", "entier"):
        nombre = lire_nombre(texte)
        if nombre is None:
            raise SaisieError(f"« {texte} » n'est pas un nombre (ex. 1 284 560,50).")
        if genre == "entier" and nombre != int(nombre):
            raise SaisieError(f"« {texte} » : un nombre entier est attendu.")
        return int(nombre) if genre == "entier" else nombre
    if genre == "date":
        trouve = _DATE_FR.match(texte)
        if trouve:
            jour, mois, annee = (int(g) for g in trouve.groups())
            texte = f"{annee:04d}-{mois:02d}-{jour:02d}"
    annotation: Any = type(champ).model_fields["valeur"].annotation
    try:
        return TypeAdapter(annotation).validate_python(texte)
    except ValidationError as exc:
        attendu = "une date (jj/mm/aaaa)" if genre == "date" else "une valeur de la liste"
        raise SaisieError(f"« {texte} » n'est pas valable : {attendu} est attendu.") from exc


def fiche_modifiable(depot: Depot, rapport_id: int) -> Fiche:
    """La dernière fiche, si le rapport est encore en revue ; sinon `StockageError`."""
    rapport = depot.rapport(rapport_id)
    statut = Statut(rapport.statut)
    if statut not in MODIFIABLES:
        raise StockageError(
            f"Le rapport n° {rapport_id} est « {LIBELLES[statut]} » : sa fiche ne se modifie plus."
        )
    fiche = depot.derniere_fiche(rapport_id)
    if fiche is None:
        raise StockageError(f"Le rapport n° {rapport_id} n'a pas de fiche.")
    return fiche


def _texte_audit(valeur: Any) -> Any:
    return valeur.isoformat() if isinstance(valeur, date) else valeur


def corriger(
    depot: Depot, rapport_id: int, chemin: str, texte: str, motif: str, agent: str
) -> Champ[Any]:
    """Remplace la valeur du champ (origine « agent », page et citation gardées), enregistre
    la nouvelle version et l'événement `correction` (ancienne, nouvelle valeur, motif)."""
    if not motif.strip():
        raise SaisieError("Indiquez le motif de la correction.")
    fiche = fiche_modifiable(depot, rapport_id).model_copy(deep=True)
    champ = champ_de(fiche, chemin)
    if champ is None:
        raise SaisieError(f"Champ inconnu : « {chemin} ».")
    ancienne, nouvelle = champ.valeur, lire_saisie(champ, texte)
    champ.valeur, champ.origine = nouvelle, Origine.AGENT
    fiche = Fiche.model_validate(fiche.model_dump(mode="json", by_alias=True))
    depot.enregistrer_fiche(rapport_id, fiche, auteur=agent)
    depot.ajouter_evenement(
        rapport_id, agent=agent, action="correction", champ=chemin,
        ancienne_valeur=_texte_audit(ancienne), nouvelle_valeur=_texte_audit(nouvelle),
        commentaire=motif.strip(),
    )  # fmt: skip
    return champ


def enregistrer_avis(depot: Depot, rapport_id: int, avis: str, agent: str) -> None:
    """L'avis de l'agent : dans la revue d'une nouvelle version de fiche (la fiche Word
    validée l'affiche) et au journal (`avis`)."""
    avis = avis.strip()
    if not avis:
        raise SaisieError("L'avis est vide.")
    fiche = fiche_modifiable(depot, rapport_id)
    ancien = fiche.revue.avis if fiche.revue else None
    evenements = depot.evenements(rapport_id)
    revue = Revue(
        statut=Statut.A_VALIDER.value,
        agent=agent,
        date=datetime.now(UTC),
        duree_active_s=depot.durees(rapport_id).get("revue", 0.0),
        corrections=sum(e.action == "correction" for e in evenements),
        avis=avis,
    )
    depot.enregistrer_fiche(rapport_id, fiche.model_copy(update={"revue": revue}), auteur=agent)
    depot.ajouter_evenement(
        rapport_id, agent=agent, action="avis", ancienne_valeur=ancien, nouvelle_valeur=avis
    )
