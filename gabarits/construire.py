"""Construit les deux gabarits Word (`fiche_synthese.docx`, `rapport_ccspl.docx`).

Les gabarits versionnés sont la sortie de ce script : `uv run python gabarits/construire.py`
les régénère. Un agent peut ensuite les retoucher dans Word (mise en page, libellés,
couleurs) ; ils ne contiennent que des balises docxtpl (`{{ }}`, `{%p %}`, `{%tr %}` seule
dans sa ligne) et les filtres français de `publication.filtres`.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document as DocumentWord
from docx.enum.text import WD_ALIGN_PARAGRAPH
from mise_en_page import (
    DOSSIER,
    Morceau,
    balise,
    boucle,
    document,
    entete,
    fixer_largeurs,
    ligne_simple,
    paragraphe,
    pied,
    tableau,
)

# --- Fiche de synthèse -------------------------------------------------------------------

CHIFFRES = (6.4, 3.0, 3.0, 2.4, 2.6)
MESURES = (5.4, 2.0, 2.6, 2.6, 2.2, 2.6)
IDENTIFICATION = (4.2, 10.6, 2.6)
COMPLETUDE = (9.4, 2.8, 2.2, 3.0)
SISPEA = (2.2, 8.6, 2.4, 2.0, 2.2)


def bloc_identification(doc: DocumentWord) -> None:
    doc.add_heading("Identification", 1)
    table = tableau(doc, ["Rubrique", "Valeur", "Source"], IDENTIFICATION)
    for libelle, cle in (
        ("Autorité délégante", "collectivite"),
        ("Délégataire", "delegataire"),
        ("Objet", "objet"),
        ("Secteur", "secteur"),
        ("Type de contrat", "type_contrat"),
        ("Exercice", "exercice"),
    ):
        champ = f"identification.{cle}"
        ligne_simple(
            table, [libelle, f"{{{{ {champ}.valeur }}}}", f"{{{{ {champ}.page | page }}}}"]
        )
    ligne_simple(
        table,
        [
            "Durée du contrat",
            "du {{ identification.date_debut | date_longue }} "
            "au {{ identification.date_fin | date_longue }}",
            "{{ identification.pages_dates | pages }}",
        ],
    )
    fixer_largeurs(table, IDENTIFICATION)


def bloc_chiffres(doc: DocumentWord) -> None:
    doc.add_heading("Chiffres clés (en euros)", 1)
    entetes = ["Poste", "{{ annee_precedente }}", "{{ annee }}", "Variation", "Page"]
    table = tableau(doc, entetes, CHIFFRES, droite=(1, 2, 3))
    cellules = [
        "{{ l.libelle }}",
        "{{ l.precedent | euros }}",
        "{{ l.courant | euros }}",
        "{{ l.variation | pourcentage }}",
        "{{ l.pages | pages }}",
    ]
    boucle(table, "for l in chiffres", cellules, droite=(1, 2, 3))
    fixer_largeurs(table, CHIFFRES)


def tableau_mesures(doc: DocumentWord, premiere: str, liste: str) -> None:
    entetes = [premiere, "Unité", "{{ annee_precedente }}", "{{ annee }}", "Variation", "Page"]
    table = tableau(doc, entetes, MESURES, droite=(2, 3, 4))
    cellules = [
        "{{ l.libelle }}",
        "{{ l.unite | texte }}",
        "{{ l.precedent | nombre }}",
        "{{ l.courant | nombre }}",
        "{{ l.variation | pourcentage }}",
        "{{ l.pages | pages }}",
    ]
    boucle(table, f"for l in {liste}", cellules, droite=(2, 3, 4))
    fixer_largeurs(table, MESURES)


def bloc_activite(doc: DocumentWord) -> None:
    doc.add_heading("Activité et tarifs", 1)
    balise(doc, "{%p if indicateurs %}")
    tableau_mesures(doc, "Indicateur d'activité", "indicateurs")
    balise(doc, "{%p else %}")
    paragraphe(doc, ["Le rapport ne présente pas d'indicateur d'activité."])
    balise(doc, "{%p endif %}")
    balise(doc, "{%p if tarifs %}")
    paragraphe(doc, [""])  # respiration entre les deux tableaux
    tableau_mesures(doc, "Tarif", "tarifs")
    balise(doc, "{%p else %}")
    paragraphe(doc, ["Le rapport ne présente pas de grille tarifaire."])
    balise(doc, "{%p endif %}")


def bloc_sispea(doc: DocumentWord) -> None:
    """Indicateurs SISPEA (RPQS, RAD eau et assainissement) ; rien pour les autres services."""
    balise(doc, "{%p if indicateurs_sispea %}")
    doc.add_heading("Indicateurs SISPEA", 1)
    entetes = ["Code", "Indicateur", "Valeur", "Unité", "Page"]
    table = tableau(doc, entetes, SISPEA, droite=(2,))
    cellules = [
        "{{ l.code }}",
        "{{ l.libelle }}",
        "{{ l.valeur }}",
        "{{ l.unite }}",
        "{{ l.page }}",
    ]
    boucle(table, "for l in indicateurs_sispea", cellules, droite=(2,))
    fixer_largeurs(table, SISPEA)
    balise(doc, "{%p endif %}")


def liste(doc: DocumentWord, boucle_jinja: str, morceaux: Sequence[Morceau], vide: str) -> None:
    """Liste à puces d'une boucle, ou une phrase si elle est vide."""
    balise(doc, f"{{%p if {boucle_jinja.split(' in ')[1]} %}}")
    balise(doc, f"{{%p for {boucle_jinja} %}}")
    paragraphe(doc, morceaux, "List Bullet")
    balise(doc, "{%p endfor %}")
    balise(doc, "{%p else %}")
    paragraphe(doc, [vide])
    balise(doc, "{%p endif %}")


def bloc_textes(doc: DocumentWord) -> None:
    doc.add_heading("Faits marquants", 1)
    liste(
        doc,
        "f in faits_marquants",
        ["{{ f.texte }}", "{{ f.page | renvoi }}"],
        "Le rapport ne signale aucun fait marquant.",
    )
    doc.add_heading("Points de vigilance", 1)
    # Chaque anomalie reconnue par le valideur pour valider porte sa reconnaissance en
    # dessous (qui, et pourquoi) : la commission lit ce qui a été accepté en connaissance.
    balise(doc, "{%p if vigilance %}")
    balise(doc, "{%p for v in vigilance %}")
    paragraphe(
        doc,
        [("{{ v.gravite }} ({{ v.code }}) : ", True), "{{ v.message }}", "{{ v.pages | renvoi }}"],
        "List Bullet",
    )
    balise(doc, "{%p if v.reconnaissance %}")
    paragraphe(doc, [("{{ v.reconnaissance }}", False)], "List Bullet 2")
    balise(doc, "{%p endif %}")
    balise(doc, "{%p endfor %}")
    balise(doc, "{%p else %}")
    paragraphe(doc, ["Les contrôles de cohérence ne relèvent aucune anomalie."])
    balise(doc, "{%p endif %}")


def bloc_completude(doc: DocumentWord) -> None:
    doc.add_heading("Complétude du rapport (R.3131-3 et R.3131-4)", 1)
    resume = paragraphe(
        doc,
        [
            "Éléments obligatoires présents : ",
            ("{{ completude.presents }} sur {{ completude.total }}", True),
            ".",
        ],
    )
    resume.paragraph_format.keep_with_next = True  # jamais séparé de son tableau
    table = tableau(doc, ["Élément obligatoire", "Article", "Présent", "Page"], COMPLETUDE)
    cellules = [
        "{{ e.libelle }}",
        "{{ e.article }}",
        "{{ e.present | oui_non }}",
        "{{ e.page | page }}",
    ]
    boucle(table, "for e in completude.elements", cellules)
    fixer_largeurs(table, COMPLETUDE)


def bloc_avis_et_origine(doc: DocumentWord) -> None:
    doc.add_heading("Avis de l'agent", 1)
    balise(doc, "{%p if avis %}")
    paragraphe(doc, ["{{ avis }}"])
    balise(doc, "{%p else %}")
    paragraphe(doc, ["Avis à rédiger par l'agent lors de la validation."])
    balise(doc, "{%p endif %}")
    doc.add_heading("Origine de la fiche", 2)
    paragraphe(
        doc,
        [
            "Source : {{ origine.fichier }} ({{ origine.pages }} pages, document "
            "{{ origine.nature }}). Chaque valeur renvoie à la page du rapport d'où elle est "
            "tirée (colonnes « Page » et « Source »)."
        ],
        "Pied de fiche",
    )
    paragraphe(
        doc,
        ["Production : {{ origine.production }}, le {{ origine.date_production | date_longue }}."],
        "Pied de fiche",
    )
    paragraphe(doc, [("{{ mention }}", True)], "Pied de fiche")


def gabarit_fiche() -> DocumentWord:
    doc = document()
    entete(doc, "Fiche de synthèse DSP — {{ identification.collectivite.valeur }}")
    pied(doc, ["{{ mention }}", "Source : {{ origine.fichier }}. {{ origine.sobriete }}."])
    paragraphe(doc, ["{{ titre }}"], "Title")
    paragraphe(
        doc,
        [
            "Fiche de synthèse du rapport annuel du délégataire — exercice "
            "{{ identification.exercice.valeur }}"
        ],
    )
    bloc_identification(doc)
    bloc_chiffres(doc)
    bloc_activite(doc)
    bloc_sispea(doc)
    bloc_textes(doc)
    bloc_completude(doc)
    bloc_avis_et_origine(doc)
    return doc


# --- Rapport annuel pour la CCSPL --------------------------------------------------------

SYNTHESE = (4.0, 3.2, 2.0, 2.5, 2.2, 2.3, 1.2)
MANQUANTS = (4.0, 5.0, 8.4)
RETARDS = (6.6, 10.8)
EN_COURS = (12.4, 5.0)


def couverture(doc: DocumentWord) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(6):
        paragraphe(doc, [""])
    paragraphe(doc, ["Rapport annuel des délégataires de service public"], "Title", centre)
    paragraphe(doc, [("{{ autorite }}", True)], "Heading 1", centre)
    paragraphe(doc, [("Exercice {{ exercice }}", True)], "Heading 2", centre)
    paragraphe(
        doc,
        [
            "Document présenté à la commission consultative des services publics locaux "
            "(article L.1413-1 du code général des collectivités territoriales)"
        ],
        alignement=centre,
    )
    paragraphe(doc, [""])
    paragraphe(
        doc,
        [
            ("{{ fiches | length }}", True),
            " fiche(s) de synthèse validée(s) — ",
            ("{{ retards | length }}", True),
            " rapport(s) remis en retard",
        ],
        alignement=centre,
    )
    paragraphe(doc, ["{{ suivi }}"], alignement=centre)
    paragraphe(doc, ["Document produit le {{ date_production | date_longue }}"], alignement=centre)


def bloc_synthese(doc: DocumentWord) -> None:
    titre = doc.add_heading("1. Synthèse des contrats", 1)
    titre.paragraph_format.page_break_before = True
    paragraphe(
        doc,
        [
            "Montants de l'exercice {{ exercice }} en euros, tels que validés par les agents, "
            "contrat par contrat : des contrats distincts ne s'additionnent pas. « Alertes » "
            "compte les anomalies bloquantes et les alertes des contrôles de cohérence (hors "
            "simples informations)."
        ],
    )
    entetes = ["Contrat", "Délégataire", "Secteur", "Chiffre d'affaires", "Résultat",
               "Redevance", "Alertes"]  # fmt: skip
    droite = (3, 4, 5, 6)
    table = tableau(doc, entetes, SYNTHESE, droite)
    cellules = [
        "{{ l.contrat }}",
        "{{ l.delegataire }}",
        "{{ l.secteur }}",
        "{{ l.chiffre_affaires | euros }}",
        "{{ l.resultat | euros }}",
        "{{ l.redevance | euros }}",
        "{{ l.alertes }}",
    ]
    boucle(table, "for l in synthese", cellules, droite)
    fixer_largeurs(table, SYNTHESE)
    paragraphe(doc, [""])
    paragraphe(doc, ["{{ graphique_anomalies }}"], alignement=WD_ALIGN_PARAGRAPH.CENTER)


def bloc_fiches(doc: DocumentWord) -> None:
    """Chaque fiche validée : son graphique N-1 / N, puis la fiche rendue par le gabarit de
    la fiche, insérée telle quelle."""
    balise(doc, "{%p for f in fiches %}")
    titre = doc.add_heading("2.{{ f.rang }} {{ f.titre }}", 1)
    titre.paragraph_format.page_break_before = True
    paragraphe(doc, ["{{ f.graphique }}"], alignement=WD_ALIGN_PARAGRAPH.CENTER)
    paragraphe(doc, ["{{p f.document }}"])
    balise(doc, "{%p endfor %}")


def bloc_manquants(doc: DocumentWord) -> None:
    titre = doc.add_heading("3. Rapports attendus, en retard ou en cours d'instruction", 1)
    titre.paragraph_format.page_break_before = True
    doc.add_heading("Rapports attendus et reçus", 2)
    paragraphe(doc, ["{{ suivi }}"])
    balise(doc, "{%p if manquants %}")
    table = tableau(doc, ["Contrat", "Délégataire", "Objet"], MANQUANTS)
    boucle(table, "for m in manquants", ["{{ m.cle }}", "{{ m.delegataire }}", "{{ m.objet }}"])
    fixer_largeurs(table, MANQUANTS)
    balise(doc, "{%p endif %}")
    doc.add_heading("Rapports remis après le 1er juin {{ exercice_suivant }}", 2)
    balise(doc, "{%p if retards %}")
    table = tableau(doc, ["Contrat", "Constat"], RETARDS)
    boucle(table, "for r in retards", ["{{ r.contrat }}", "{{ r.constat }}"])
    fixer_largeurs(table, RETARDS)
    balise(doc, "{%p else %}")
    paragraphe(doc, ["Aucun rapport validé n'a été remis en retard."])
    balise(doc, "{%p endif %}")
    doc.add_heading("Rapports reçus en cours d'instruction", 2)
    balise(doc, "{%p if en_cours %}")
    table = tableau(doc, ["Contrat", "État"], EN_COURS)
    boucle(table, "for c in en_cours", ["{{ c.contrat }}", "{{ c.statut }}"])
    fixer_largeurs(table, EN_COURS)
    balise(doc, "{%p else %}")
    paragraphe(doc, ["Aucun rapport reçu de cette autorité n'attend de validation."])
    balise(doc, "{%p endif %}")


def gabarit_ccspl() -> DocumentWord:
    doc = document()
    pied(
        doc,
        [
            "Rapport annuel des délégataires — {{ autorite }} — exercice {{ exercice }} — "
            "fiches rédigées à partir des rapports des délégataires et validées par les agents"
        ],
    )
    couverture(doc)
    bloc_synthese(doc)
    paragraphe(doc, [""])
    paragraphe(doc, ["Les fiches de synthèse validées suivent, une par contrat."])
    bloc_fiches(doc)
    bloc_manquants(doc)
    return doc


def main() -> None:
    gabarit_fiche().save(str(DOSSIER / "fiche_synthese.docx"))
    gabarit_ccspl().save(str(DOSSIER / "rapport_ccspl.docx"))
    print(f"Gabarits écrits dans {DOSSIER}")


if __name__ == "__main__":
    main()
