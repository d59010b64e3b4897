"""Les rapports annuels pour la CCSPL d'un exercice : un par autorité délégante, dans
`DSP_DATA_DIR/publications/<exercice>/rapport_ccspl_<exercice>_<autorité>.docx`.

Seules les fiches validées (dernière version validée) y entrent ; les rapports attendus ne
se déduisent que du registre des contrats importé (`dsp contrats importer`).
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from pathlib import Path

from fiche.evaluation import normaliser_texte
from publication.ccspl import (
    ContratRecu,
    DossierAutorite,
    FicheIncluse,
    autorite,
    cle_autorite,
    contexte_ccspl,
    graphique_anomalies,
    graphique_contrat,
    nom_autorite,
    nom_contrat,
    secteur,
)
from publication.graphiques import Graphique, dessiner
from publication.publier import (
    dossier_publications,
    en_instruction,
    fiche_validee,
    rapports_publiables,
    reconnaissances,
)
from publication.rendu import rendre_ccspl, rendre_fiche
from socle.fichiers import ecrire_atomique
from socle.reglages import Reglages
from stockage.contrats import en_cours
from stockage.depot import Depot
from stockage.modeles import Contrat
from stockage.statuts import LIBELLES, Statut


def _validees(depot: Depot, exercice: int, contrats: dict[int, Contrat]) -> list[ContratRecu]:
    recus = []
    for rapport in rapports_publiables(depot, exercice):
        _, fiche = fiche_validee(depot, rapport.id)
        contrat = contrats.get(rapport.contrat_id) if rapport.contrat_id else None
        recus.append(
            ContratRecu(fiche, contrat, reconnaissances=reconnaissances(depot, rapport.id))
        )
    return recus


def _instruction(depot: Depot, exercice: int, contrats: dict[int, Contrat]) -> list[ContratRecu]:
    """Les rapports reçus non validés qui ont une fiche (un fichier illisible n'en a pas et
    ne se rattache à aucune autorité)."""
    recus = []
    for rapport in en_instruction(depot, exercice):
        fiche = depot.derniere_fiche(rapport.id)
        if fiche is None:
            continue
        contrat = contrats.get(rapport.contrat_id) if rapport.contrat_id else None
        recus.append(ContratRecu(fiche, contrat, statut=LIBELLES[Statut(rapport.statut)]))
    return recus


def dossiers_autorites(depot: Depot, exercice: int) -> list[DossierAutorite]:
    """Un dossier par autorité qui a au moins une fiche validée pour l'exercice."""
    registre = depot.contrats()
    contrats = {c.id: c for c in registre}
    groupes: dict[str, list[ContratRecu]] = defaultdict(list)
    for recu in _validees(depot, exercice, contrats):
        groupes[cle_autorite(autorite(recu))].append(recu)
    instruction = _instruction(depot, exercice, contrats)
    manquants = depot.contrats_manquants(exercice)
    dossiers = []
    for cle, validees in sorted(groupes.items()):
        noms = [n for r in validees if (n := autorite(r))]
        attendus = [
            c for c in registre if en_cours(c, exercice) and cle_autorite(c.collectivite) == cle
        ]
        dossiers.append(
            DossierAutorite(
                autorite=nom_autorite(noms),
                validees=sorted(validees, key=lambda r: (secteur(r.fiche), nom_contrat(r))),
                en_instruction=[r for r in instruction if cle_autorite(autorite(r)) == cle],
                attendus=attendus if registre else None,
                manquants=[c for c in manquants if cle_autorite(c.collectivite) == cle],
            )
        )
    return dossiers


def nom_fichier(exercice: int, nom: str) -> str:
    morceaux = re.sub(r"[^a-z0-9]+", "-", normaliser_texte(nom)).strip("-")
    return f"rapport_ccspl_{exercice}_{morceaux[:60] or 'autorite'}.docx"


def _image(graphique: Graphique, cible: Path) -> Path:
    ecrire_atomique(cible, dessiner(graphique))
    return cible


def rapport_autorite(dossier: DossierAutorite, exercice: int, reglages: Reglages) -> Path:
    """Le rapport CCSPL d'une autorité ; rend son chemin."""
    cible = dossier_publications(reglages, exercice) / nom_fichier(exercice, dossier.autorite)
    with tempfile.TemporaryDirectory(prefix="dsp-ccspl-") as temporaire:
        dossier_temp = Path(temporaire)
        incluses = [
            FicheIncluse(
                rang=rang,
                titre=nom_contrat(recu),
                chemin=rendre_fiche(
                    recu.fiche,
                    dossier_temp / f"fiche_{rang}.docx",
                    brouillon=False,
                    reconnaissances=recu.reconnaissances,
                ),
                graphique=_image(
                    graphique_contrat(recu, exercice), dossier_temp / f"graphique_{rang}.png"
                ),
            )
            for rang, recu in enumerate(dossier.validees, start=1)
        ]
        anomalies = _image(graphique_anomalies(dossier.validees), dossier_temp / "anomalies.png")
        contexte = contexte_ccspl(exercice, dossier, incluses, anomalies)
        return rendre_ccspl(contexte, cible)


def rapports_ccspl(depot: Depot, exercice: int, reglages: Reglages) -> list[Path]:
    """Les rapports annuels de l'exercice pour la CCSPL, un par autorité délégante."""
    return [
        rapport_autorite(dossier, exercice, reglages)
        for dossier in dossiers_autorites(depot, exercice)
    ]
