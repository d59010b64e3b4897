"""Une seule hiérarchie d'erreurs, enracinée dans `DspError`.

Les problèmes trouvés *dans* un rapport sont des données (`Anomalie`), pas des
exceptions : ces classes ne servent qu'aux échecs qui empêchent de continuer.
Chaque message est rédigé en français pour un agent.
"""

from __future__ import annotations

from pathlib import Path


class DspError(Exception):
    """Racine de toutes les erreurs de Synthèse DSP."""

    def __init__(self, message: str, *, fichier: Path | str | None = None) -> None:
        self.message = message
        self.fichier = str(fichier) if fichier is not None else None
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.fichier:
            return f"{self.message} (fichier : {self.fichier})"
        return self.message


class ConfigurationError(DspError):
    """Réglages invalides ou incomplets."""


class ExtractionError(DspError):
    """Le fichier ne peut pas être lu : format, chiffrement, fichier vide ou tronqué."""


class LlmError(DspError):
    """Le LLM n'a pas produit de fiche exploitable (réseau, quota, refus, réponse non conforme).

    Attrapée par `fiche.llm`, qui se replie alors sur le remplisseur par règles.
    """


class StockageError(DspError):
    """La base refuse l'opération : transition de statut interdite, CSV de contrats
    invalide, rapport ou contrat inconnu, base injoignable."""


class PublicationError(DspError):
    """Un document Word ne peut pas être produit : fiche non validée, gabarit absent ou
    illisible, conversion en PDF impossible."""
