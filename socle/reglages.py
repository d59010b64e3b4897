"""Un seul objet de réglages validé (préfixe `DSP_`), lu depuis l'environnement et `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Reglages(BaseSettings):
    """Réglages de l'application ; chaque valeur a un défaut sûr pour une démonstration locale."""

    model_config = SettingsConfigDict(
        env_prefix="DSP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("donnees"), description="Dossier des données produites")
    pdf_password: SecretStr | None = Field(None, description="Mot de passe des PDF chiffrés")
    ocr_langue: str = Field("fra", description="Langue Tesseract pour les pages scannées")
    ocr_dpi: int = Field(300, ge=100, le=600, description="Résolution du rendu avant OCR")
    ocr_processus: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=64,
        description="Pages OCR traitées en parallèle (un processus Tesseract chacune)",
    )
    max_pages: int = Field(600, ge=1, description="Nombre maximal de pages lues par rapport")
    max_taille_mo: int = Field(200, ge=1, description="Taille maximale d'un fichier (Mo)")
    texte_min_caracteres: int = Field(
        25, ge=0, description="En dessous, une page sans texte est traitée comme scannée"
    )


@lru_cache(maxsize=1)
def reglages() -> Reglages:
    """Réglages du processus (mis en cache : l'environnement est lu une fois)."""
    return Reglages()
