"""La fiche de synthèse standardisée (`fiche-dsp/1`) : modèles et remplissage."""
