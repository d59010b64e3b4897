"""Publication depuis la base : la fiche Word d'un rapport validé, le rapport CCSPL d'un
exercice (`publication.annuel`), dans `DSP_DATA_DIR/publications/<exercice>/`.

Le changement de statut (« publié ») et le journal restent au flow `publier` : ce module
ne fait qu'écrire les documents, ce qui permet de les régénérer sans toucher à la base.
"""

from __future__ import annotations

from pathlib import Path

from fiche.modeles import Fiche, Revue
from publication.contexte import Reconnaissance
from publication.rendu import rendre_fiche
from socle.erreurs import PublicationError
from socle.reglages import Reglages
from stockage.depot import Depot
from stockage.modeles import Rapport
from stockage.statuts import LIBELLES, STATUTS_VALIDES, Statut

DOSSIER_PUBLICATIONS = "publications"


def dossier_publications(reglages: Reglages, exercice: int | None) -> Path:
    return reglages.data_dir / DOSSIER_PUBLICATIONS / (str(exercice) if exercice else "inconnu")


def versions_remplacees(rapports: list[Rapport]) -> set[int]:
    """Les versions antérieures d'un rapport dont une version plus récente est validée :
    la commission ne lit que la dernière fiche validée."""
    par_id = {r.id: r for r in rapports}
    remplacees: set[int] = set()
    for rapport in rapports:
        if Statut(rapport.statut) not in STATUTS_VALIDES:
            continue
        precedent = rapport.precedent_id
        while precedent is not None and precedent not in remplacees:
            remplacees.add(precedent)
            precedent = par_id[precedent].precedent_id if precedent in par_id else None
    return remplacees


def rapports_publiables(depot: Depot, exercice: int | None = None) -> list[Rapport]:
    """Les rapports validés ou publiés (d'un exercice), dernière version validée seulement."""
    tous = depot.rapports()
    remplacees = versions_remplacees(tous)
    return [
        r
        for r in tous
        if Statut(r.statut) in STATUTS_VALIDES
        and r.id not in remplacees
        and (exercice is None or r.exercice == exercice)
    ]


def en_instruction(depot: Depot, exercice: int) -> list[Rapport]:
    """Rapports de l'exercice reçus mais pas (encore) validés, dernière version seulement."""
    tous = depot.rapports()
    precedents = {r.precedent_id for r in tous if r.precedent_id is not None}
    return [
        r
        for r in tous
        if r.exercice == exercice
        and Statut(r.statut) not in STATUTS_VALIDES
        and r.id not in precedents
    ]


def avec_revue(depot: Depot, rapport: Rapport, fiche: Fiche) -> Fiche:
    """La fiche et sa revue ; si la fiche ne la porte pas, la dernière validation inscrite
    au journal (agent, date) en tient lieu pour la mention de transparence."""
    if fiche.revue is not None:
        return fiche
    validations = [
        e
        for e in depot.evenements(rapport.id)
        if e.action == "statut" and e.nouvelle_valeur == Statut.VALIDE.value
    ]
    if not validations:
        raise PublicationError(
            "Aucune validation n'est inscrite au journal de ce rapport : la fiche ne peut "
            "pas porter le nom de l'agent qui l'a validée.",
            fichier=rapport.fichier,
        )
    derniere = validations[-1]
    revue = Revue(
        statut=Statut.VALIDE.value,
        agent=derniere.agent,
        date=derniere.date,
        duree_active_s=0,
        corrections=0,
    )
    return fiche.model_copy(update={"revue": revue})


def fiche_validee(depot: Depot, rapport_id: int) -> tuple[Rapport, Fiche]:
    """Le rapport et sa dernière fiche, s'il est validé ou publié ; sinon `PublicationError`."""
    rapport = depot.rapport(rapport_id)
    statut = Statut(rapport.statut)
    if statut not in STATUTS_VALIDES:
        raise PublicationError(
            f"Le rapport n° {rapport_id} est « {LIBELLES[statut]} » : seule une fiche validée "
            "par un agent est publiée.",
            fichier=rapport.fichier,
        )
    fiche = depot.derniere_fiche(rapport_id)
    if fiche is None:
        raise PublicationError("Ce rapport n'a aucune fiche enregistrée.", fichier=rapport.fichier)
    return rapport, avec_revue(depot, rapport, fiche)


def nom_fiche(rapport: Rapport) -> str:
    suffixe = f"_v{rapport.version}" if rapport.version > 1 else ""
    return f"{Path(rapport.fichier).stem}{suffixe}.fiche.docx"


def reconnaissances(depot: Depot, rapport_id: int) -> list[Reconnaissance]:
    """Les anomalies reconnues par le valideur de la validation appliquée."""
    decision = depot.decision_appliquee(rapport_id)
    if decision is None:
        return []
    return [
        Reconnaissance(code=r["code"], message=r["message"], motif=r["motif"], agent=decision.agent)
        for r in decision.reconnaissances
    ]


def deja_publiee(depot: Depot, rapport_id: int) -> str | None:
    """Ce qu'il faut dire quand on republie une fiche déjà publiée : quelle version, quand,
    et qu'elle ne peut pas avoir changé (une version publiée est immuable)."""
    publications = [e for e in depot.evenements(rapport_id) if e.action == "publication"]
    if not publications:
        return None
    derniere = publications[-1]
    quand = derniere.date.strftime("%d/%m/%Y")
    return (
        f"Rapport n° {rapport_id} déjà publié le {quand} ({derniere.champ or 'version'} de la "
        f"fiche, hachage {(derniere.ancienne_valeur or '?')[:12]}…) : document régénéré "
        "depuis cette même version, immuable. Une modification passe par une nouvelle "
        "version du rapport, relue et validée à son tour."
    )


def publier_rapport(depot: Depot, rapport_id: int, reglages: Reglages) -> Path:
    """La fiche Word définitive d'un rapport validé ou publié ; rend son chemin."""
    rapport, fiche = fiche_validee(depot, rapport_id)
    exercice = fiche.identification.exercice.valeur or rapport.exercice
    cible = dossier_publications(reglages, exercice) / nom_fiche(rapport)
    return rendre_fiche(
        fiche, cible, brouillon=False, reconnaissances=reconnaissances(depot, rapport_id)
    )
