"""Remplissage de la fiche par règles : CARE, identification, activité, sections.

Modules : `libelles` (dictionnaire des libellés réels), `tableaux` (rangées et contexte
des tableaux extraits), `care` et `postes` (compte annuel de résultat), `investissements`,
`paires`, `entites`, `dates`, `classement` et `identification` (identité du contrat),
`activite` (indicateurs, tarifs, effectif), `sections` (faits marquants, conformité),
`remplisseur` (assemblage de la fiche).
"""

from fiche.regles.remplisseur import VERSION, RemplisseurRegles, remplir_par_regles

__all__ = ["VERSION", "RemplisseurRegles", "remplir_par_regles"]
