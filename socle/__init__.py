"""Socle commun : réglages validés et hiérarchie d'erreurs, sans dépendance métier."""
