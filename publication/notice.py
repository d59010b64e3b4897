"""Notice d'usage de l'IA, écrite à partir des réglages réels, et écriture des deux
documents de conformité (`dsp registre`)."""

from __future__ import annotations

from pathlib import Path

from fiche.llm.invites import VERSION_PROMPT
from publication import filtres
from publication.conformite import DocumentConformite, Section, ecrire, section
from publication.registre import (
    HEBERGEMENTS,
    fournisseur,
    pseudonymisation,
    registre_rgpd,
    transferts,
)
from socle.reglages import Reglages
from socle.sobriete import ECOLOGITS_PUE


def _ce_qu_il_fait(reglages: Reglages) -> Section:
    mode = (
        f"Un modèle de langage ({reglages.llm_model}) lit les pages utiles et propose les "
        "valeurs ; les règles déterministes tournent aussi et chaque divergence est signalée "
        "(DESACCORD) ; si le modèle fait défaut, la fiche est produite par les règles et le dit."
        if reglages.llm_configure
        else "Aucun modèle d'IA générative n'est configuré : les valeurs sont lues par des "
        "règles déterministes (dictionnaire de libellés, tableaux), sans apprentissage."
    )
    return section(
        "Ce que fait le système",
        (
            "Rôle",
            (
                "Il lit les rapports annuels reçus (PDF, scans, Word, tableurs), propose une "
                "fiche de synthèse dont chaque valeur renvoie à sa page et à la phrase citée, et "
                "applique "
                "des contrôles de cohérence dont chaque anomalie cite sa règle."
            ),
        ),
        ("Mode de production", mode),
        (
            "Vérification de chaque valeur",
            (
                "Toute valeur, quel que soit son auteur, est recherchée sur sa page : une valeur "
                "introuvable est marquée « absent » et signalée à l'agent."
            ),
        ),
    )


def _ce_qu_il_ne_fait_pas() -> Section:
    return section(
        "Ce que le système ne fait pas",
        (
            "Aucune décision",
            (
                "Il ne valide, ne rejette ni ne publie rien : seul un agent habilité le fait. "
                "Il ne juge ni le délégataire ni la qualité du service, et ne prend aucune "
                "décision sur "
                "une personne."
            ),
        ),
        (
            "Aucune invention",
            (
                "Une valeur absente du rapport reste vide plutôt que devinée ; un texte du rapport "
                "qui s'adresse à une IA est signalé, jamais suivi."
            ),
        ),
        (
            "Aucun apprentissage",
            ("Aucun modèle n'est entraîné sur les rapports ni sur les corrections des agents."),
        ),
    )


def _controle_humain() -> Section:
    return section(
        "Contrôle humain",
        (
            "Relecture",
            (
                "Chaque fiche arrive « à valider » ; l'agent voit la page source surlignée, "
                "corrige une valeur avec un motif (nouvelle version, journalisée) et rédige son "
                "avis."
            ),
        ),
        (
            "Validation",
            (
                "Un valideur décide sur la version affichée ; une anomalie bloquante ou une alerte "
                "doit être reconnue avec un motif. La fiche Word porte la mention « Fiche rédigée "
                "avec l'aide de l'IA générative et validée par [agent] le [date] » (« par "
                "extraction automatique » en mode règles) ; un brouillon porte le filigrane "
                "« PROJET — non validé »."
            ),
        ),
        (
            "Traçabilité",
            ("Journal d'audit chaîné : qui a corrigé, validé ou rejeté, quand et pourquoi."),
        ),
    )


def _modele(reglages: Reglages) -> Section:
    if not reglages.llm_configure:
        return section(
            "Modèle et fournisseur",
            ("Modèle", "Aucun (mode règles déterministes)."),
        )
    taille = reglages.llm_parametres_actifs_md
    return section(
        "Modèle et fournisseur",
        (
            "Modèle",
            (
                f"{reglages.llm_model}, consignes version {VERSION_PROMPT}, taille "
                + (
                    f"{filtres.nombre(taille)} milliards de paramètres actifs"
                    if taille
                    else "non déclarée (DSP_LLM_PARAMETRES_ACTIFS_MD)"
                )
                + "."
            ),
        ),
        (
            "Fournisseur et hébergement",
            (
                f"{fournisseur(reglages)}, point d'accès {reglages.llm_base_url}, "
                f"{HEBERGEMENTS[reglages.hebergement_llm]}."
            ),
        ),
        ("Transferts hors UE", transferts(reglages)),
        ("Données personnelles", pseudonymisation(reglages)),
    )


def _limites() -> Section:
    return section(
        "Limites connues",
        (
            "Lecture",
            (
                "Un scan de mauvaise qualité peut être mal lu par l'OCR ; un tableau à la mise en "
                "page inhabituelle peut être mal découpé ; un libellé inconnu des règles laisse "
                "le champ vide."
            ),
        ),
        (
            "Modèle de langage",
            (
                "Un modèle peut se tromper de ligne ou d'exercice : la vérification sur la page et "
                "les contrôles en rattrapent une partie, la relecture de l'agent reste nécessaire."
            ),
        ),
        (
            "Pseudonymisation",
            (
                "La reconnaissance des noms est statistique : un nom peut passer ; les raisons "
                "sociales et le nom du fichier ne sont pas masqués."
            ),
        ),
    )


def _sobriete(reglages: Reglages) -> Section:
    llm = (
        "jetons de sortie × taille déclarée du modèle selon la méthode EcoLogits (PUE "
        f"{filtres.nombre(reglages.llm_pue)}, défaut EcoLogits {filtres.nombre(ECOLOGITS_PUE)}) ; "
        "sans taille déclarée, l'énergie d'une fiche produite par le LLM n'est pas estimée"
    )
    return section(
        "Sobriété",
        (
            "Énergie et émissions de chaque fiche",
            (
                "Temps CPU mesuré × "
                f"{filtres.nombre(reglages.energie_puissance_coeur_w)} W par cœur, "
                "plus pour le LLM : "
                f"{llm}. Émissions : mix électrique de {filtres.nombre(reglages.mix_gco2_kwh)} "
                "gCO2e/kWh. Affichées sur la page du rapport, dans le pied de la fiche Word, au "
                "bilan des lots et au tableau de bord."
            ),
        ),
    )


def _contester(reglages: Reglages) -> Section:
    contact = reglages.registre_contact or "le délégué à la protection des données"
    return section(
        "Contester une fiche",
        (
            "Une valeur ou une anomalie",
            (
                "Le délégataire ou tout lecteur signale l'erreur au service qui a validé la fiche "
                "en citant la page du rapport ; l'agent corrige avec un motif (nouvelle version "
                "journalisée) ou fait retraiter le rapport, puis la fiche est validée à nouveau."
            ),
        ),
        (
            "Vos données personnelles",
            (
                f"Droits d'accès, de rectification, de limitation et d'opposition : {contact} ; "
                "réclamation possible auprès de la CNIL."
            ),
        ),
    )


def notice_ia(reglages: Reglages) -> DocumentConformite:
    return DocumentConformite(
        titre="Notice d'usage de l'intelligence artificielle",
        chapeau="Ce que fait l'application Synthèse DSP avec les rapports reçus, telle "
        "qu'elle est configurée au moment de la génération de cette notice (dsp registre).",
        sections=[
            _ce_qu_il_fait(reglages),
            _ce_qu_il_ne_fait_pas(),
            _controle_humain(),
            _modele(reglages),
            _limites(),
            _sobriete(reglages),
            _contester(reglages),
        ],
    )


def ecrire_conformite(reglages: Reglages, dossier: Path) -> list[Path]:
    """`registre_rgpd.md`/`.docx` et `notice_ia.md`/`.docx` dans `dossier`."""
    return ecrire(registre_rgpd(reglages), dossier, "registre_rgpd") + ecrire(
        notice_ia(reglages), dossier, "notice_ia"
    )
