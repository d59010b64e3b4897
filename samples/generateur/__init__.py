"""Générateur d'échantillons de rapports annuels du délégataire (RAD) et de leurs fiches d'or.

Chaque rapport est d'abord décrit de façon indépendante du format (blocs de texte et
tableaux, `modele.Rapport`), puis rendu en PDF, DOCX ou XLSX par un moteur qui note la
page de chaque bloc. La fiche d'or est écrite à partir des valeurs *imprimées* et de ces
pages, jamais en relisant le fichier produit.
"""
