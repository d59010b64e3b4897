"""Contrôles de cohérence de la fiche (catalogue `shared/specs/controles.md`) : chaque
contrôle est une fonction pure qui rend des `Anomalie`, jamais une exception."""
