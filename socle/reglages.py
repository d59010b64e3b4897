"""Un seul objet de réglages validé (préfixe `DSP_`), lu depuis l'environnement et `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from socle.erreurs import ConfigurationError
from socle.explications import expliquer_validation
from socle.sobriete import ECOLOGITS_PUE, MIX_FRANCE_GCO2_KWH, PUISSANCE_COEUR_W

SECRET_PAR_DEFAUT = "a-changer-hors-demonstration"
"""Secret par défaut de l'application de revue : refusé hors mode démonstration."""
Hebergement = Literal["local", "souverain", "externe"]
BOUCLES_LOCALES = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


class SeuilsControles(BaseModel):
    """Seuils des contrôles de cohérence (défauts du catalogue `controles.md`)."""

    model_config = ConfigDict(extra="forbid")

    variation_info: float = Field(0.15, gt=0, description="VARIATION : au-delà, info")
    variation_alerte: float = Field(0.30, gt=0, description="VARIATION : au-delà, alerte")
    frais_siege_ratio: float = Field(0.08, gt=0, lt=1, description="FRAIS_SIEGE / charges")
    tolerance_euros: float = Field(2.0, ge=0, description="Écart toléré, source en euros")
    ecart_texte_points: float = Field(
        1.0, ge=0, description="TEXTE_TABLEAU : écart toléré entre % annoncé et % calculé"
    )
    ratio_unite: float = Field(
        200.0, gt=1, description="UNITE : facteur au-delà duquel deux montants divergent d'échelle"
    )
    mois_limite_depot: int = Field(
        6, ge=1, le=12, description="DELAI : dépôt avant le 1er de ce mois N+1"
    )

    @model_validator(mode="after")
    def _ordonnes(self) -> SeuilsControles:
        if self.variation_alerte < self.variation_info:
            raise ValueError("variation_alerte doit être supérieur ou égal à variation_info")
        return self


class Reglages(BaseSettings):
    """Réglages de l'application ; chaque valeur a un défaut sûr pour une démonstration locale."""

    model_config = SettingsConfigDict(
        env_prefix="DSP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_nested_delimiter="__",
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
    tableaux_comparaison: Literal["toujours", "si_doute"] = Field(
        "si_doute",
        description="Lancer camelot et pdfplumber sur chaque page chiffrée (toujours) ou "
        "seulement quand la lecture par alignement n'atteint pas le seuil (si_doute)",
    )
    tableaux_seuil: float = Field(
        0.98, ge=0, le=1, description="Note d'alignement au-delà de laquelle on ne compare pas"
    )
    llm_base_url: str | None = Field(
        None, description="URL d'un point d'accès compatible OpenAI (Albert, Mistral, vLLM, Ollama)"
    )
    llm_model: str | None = Field(None, description="Nom du modèle servi à cette URL")
    llm_api_key: SecretStr | None = Field(None, description="Clé d'API du point d'accès")
    llm_timeout_s: float = Field(
        120.0,
        gt=0,
        description="Délai d'une requête au LLM (un modèle local sur CPU : 600 ou plus)",
    )
    llm_essais: int = Field(3, ge=1, le=10, description="Tentatives sur 429, 5xx, connexion")
    llm_relancer_apres_delai: bool = Field(
        False,
        description="Réessayer après un délai dépassé ; à laisser faux pour un serveur local à "
        "un emplacement, qui continue la génération abandonnée : la relance attendrait derrière",
    )
    llm_max_jetons_sortie: int | None = Field(
        None, ge=16, description="Plafond de la réponse (max_tokens) ; vide : borne tirée du schéma"
    )
    llm_contexte_jetons: int | None = Field(
        None,
        ge=512,
        description="Contexte du modèle en jetons ; vide : lu sur /v1/models quand le serveur "
        "le donne (vLLM, llama.cpp, Mistral, Albert), sinon DSP_LLM_MAX_JETONS_PROMPT seul",
    )
    llm_attente_max_s: float = Field(30.0, ge=0, description="Attente maximale entre deux essais")
    llm_max_jetons_prompt: int = Field(
        24000, ge=1000, description="Au-delà, le document est envoyé en plusieurs morceaux"
    )
    llm_pseudonymiser: bool | None = Field(
        None,
        description="Remplacer courriels, téléphones et noms de personnes avant envoi ; "
        "vide : oui, sauf pour un point d'accès local ou souverain (DSP_LLM_HEBERGEMENT)",
    )
    llm_hebergement: Hebergement | None = Field(
        None,
        description="Où tourne le LLM : local (sur les serveurs de la collectivité), "
        "souverain (hébergeur qualifié, données en France ou dans l'UE, déclaré par "
        "contrat) ou externe ; vide : local pour une adresse de boucle locale, externe sinon",
    )
    llm_fournisseur: str | None = Field(
        None, description="Fournisseur du LLM (registre, notice) ; vide : l'hôte de l'URL"
    )
    llm_hors_ue: bool | None = Field(
        None,
        description="Le fournisseur traite-t-il les données hors de l'Union européenne ? "
        "Vide : non déclaré (le registre le dit, à vérifier au contrat)",
    )
    llm_parametres_actifs_md: float | None = Field(
        None, gt=0, description="Paramètres actifs du modèle (milliards) : énergie du LLM"
    )
    llm_parametres_total_md: float | None = Field(
        None, gt=0, description="Paramètres totaux (milliards ; MoE) ; vide : les actifs"
    )
    llm_pue: float = Field(
        ECOLOGITS_PUE, ge=1, le=3, description="PUE du centre de données du LLM (EcoLogits)"
    )
    llm_mix_gco2_kwh: float | None = Field(
        None, ge=0, description="Mix électrique du centre de données du LLM ; vide : DSP_MIX"
    )
    energie_puissance_coeur_w: float = Field(
        PUISSANCE_COEUR_W,
        gt=0,
        le=100,
        description="Watts d'un cœur occupé (TDP ÷ cœurs ; défaut Xeon Gold 6248, 150 W / 20)",
    )
    registre_responsable: str | None = Field(
        None, description="Responsable du traitement (collectivité) : registre RGPD"
    )
    registre_contact: str | None = Field(
        None, description="Contact du délégué à la protection des données : registre RGPD"
    )
    registre_conservation: str | None = Field(
        None, description="Durée de conservation décidée par le responsable : registre RGPD"
    )
    mix_gco2_kwh: float = Field(
        MIX_FRANCE_GCO2_KWH,
        ge=0,
        description="Facteur d'émission de l'électricité (gCO2e/kWh ; défaut France, ADEME)",
    )
    llm_cache: bool = Field(True, description="Mettre en cache disque les réponses du LLM")
    database_url: str | None = Field(
        None,
        description="URL SQLAlchemy de la base (ex. postgresql+psycopg://u:m@hote/base) ; "
        "vide : SQLite dans DSP_DATA_DIR",
    )
    base_attente_s: float = Field(
        10.0, ge=0, le=600, description="Attente d'une base SQLite verrouillée avant d'abandonner"
    )
    umask: int = Field(
        0o027,
        ge=0,
        le=0o777,
        description="Masque des droits des fichiers produits, en octal (027 : lisibles par le "
        "groupe de l'équipe, pas par les autres ; 022 : par tous)",
    )
    prefect_port: int = Field(
        4200, ge=1024, le=65535, description="Port du serveur Prefect local de `dsp planifier`"
    )
    validation_delai_jours: int = Field(
        90, ge=1, description="Durée pendant laquelle un traitement planifié attend l'agent"
    )
    delai_delegataire_jours: int = Field(
        30,
        ge=1,
        le=365,
        description="Délai laissé au délégataire pour envoyer un rapport corrigé après un rejet",
    )
    revue_url: str = Field(
        "http://127.0.0.1:8000",
        description="Adresse de l'application de revue (liens des artefacts Prefect)",
    )
    controles: SeuilsControles = Field(default_factory=SeuilsControles)
    controles_par_secteur: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description='Surcharges par secteur, ex. {"casino": {"variation_alerte": 0.4}}',
    )
    max_pages: int = Field(600, ge=1, description="Nombre maximal de pages lues par rapport")
    max_taille_mo: int = Field(200, ge=1, description="Taille maximale d'un fichier (Mo)")
    max_pixels_image: int = Field(
        100_000_000,
        ge=1_000_000,
        description="Pixels au plus d'une image intégrée décodée ou d'une page rendue pour "
        "l'OCR (garde contre les bombes de décompression ; aussi Image.MAX_IMAGE_PIXELS)",
    )
    max_decompresse_mo: int = Field(
        500, ge=1, description="Taille décompressée maximale d'un DOCX, ODT ou XLSX (Mo)"
    )
    max_ratio_compression: int = Field(
        100,
        ge=10,
        description="Taux de compression maximal d'un fichier interne de plus d'1 Mo d'une "
        "archive DOCX, ODT ou XLSX (une bombe de décompression dépasse 1 000)",
    )
    ocr_resolution_min: int = Field(
        100,
        ge=30,
        le=300,
        description="Résolution (ppp) sous laquelle une image numérisée n'est pas soumise à "
        "l'OCR : le texte lu serait faux",
    )
    texte_min_caracteres: int = Field(
        25, ge=0, description="En dessous, une page sans texte est traitée comme scannée"
    )
    demo: bool = Field(
        False, description="Mode démonstration : secret par défaut accepté, compte de démo"
    )
    revue_secret: SecretStr = Field(
        SecretStr(SECRET_PAR_DEFAUT),
        description="Secret de l'application de revue (sessions, jetons CSRF) ; le défaut "
        "n'est accepté qu'en mode démonstration",
    )
    revue_session_heures: float = Field(
        10.0, gt=0, le=720, description="Durée de validité d'une session de revue"
    )
    revue_cookie_securise: bool = Field(
        False, description="Cookie de session réservé au HTTPS (derrière un proxy TLS)"
    )
    revue_tentatives_max: int = Field(
        5, ge=1, le=100, description="Échecs de connexion tolérés par fenêtre (adresse, compte)"
    )
    revue_tentatives_fenetre_s: int = Field(
        900, ge=10, description="Fenêtre de comptage des échecs de connexion (secondes)"
    )
    revue_proxies: str = Field(
        "",
        description="Adresses des proxies de confiance, séparées par des virgules, dont "
        "l'en-tête X-Forwarded-For est cru ; vide : l'adresse du client est celle du socket",
    )
    heures_reference_total: float = Field(
        1100.0, gt=0, description="Heures de revue manuelle de référence pour tout le parc"
    )
    rapports_reference: int = Field(
        59, ge=1, description="Nombre de rapports relus pendant ces heures de référence"
    )
    heures_reference_par_secteur: dict[str, float] = Field(
        default_factory=dict,
        description='Heures manuelles par rapport, par secteur, ex. {"casino": 30}',
    )
    heures_reference_source: str = Field(
        "1 100 h de lecture manuelle pour les 59 rapports d'un exercice : chiffre donné par le "
        "service commanditaire au cadrage du projet, non mesuré par l'outil",
        min_length=1,
        description="D'où viennent les heures de référence (affiché sur le tableau de bord)",
    )
    revue_minimale_s: float = Field(
        60.0,
        ge=0,
        description="En deçà de cette revue active mesurée, un rapport validé est signalé : "
        "son temps gagné suppose une lecture qui n'a pas été mesurée",
    )
    exactitude_rapports_min: int = Field(
        10, ge=1, description="Rapports relus à partir desquels l'exactitude est affichée"
    )

    def heures_reference(self, secteur: str | None) -> float:
        """Heures de revue manuelle d'un rapport : surcharge du secteur, sinon la moyenne
        de référence (1 100 h / 59 rapports ≈ 18,6 h)."""
        if secteur and secteur in self.heures_reference_par_secteur:
            return self.heures_reference_par_secteur[secteur]
        return self.heures_reference_total / self.rapports_reference

    def seuils(self, secteur: str | None) -> SeuilsControles:
        """Seuils applicables à un secteur : défauts, puis surcharges du secteur."""
        surcharges = self.controles_par_secteur.get(secteur or "", {})
        if not surcharges:
            return self.controles
        return SeuilsControles.model_validate({**self.controles.model_dump(), **surcharges})

    @field_validator("umask", mode="before")
    @classmethod
    def _octal(cls, valeur: object) -> object:
        # « 027 » ou « 0o027 » dans l'environnement : de l'octal, comme la commande umask.
        if isinstance(valeur, str):
            try:
                return int(valeur.strip().lower().removeprefix("0o") or "0", 8)
            except ValueError:
                raise ValueError("umask en octal attendu (ex. 027)") from None
        return valeur

    @property
    def llm_configure(self) -> bool:
        """Un LLM est utilisable : URL et modèle renseignés (la clé peut être vide en local)."""
        return bool(self.llm_base_url and self.llm_model)

    @field_validator(
        "llm_pseudonymiser", "llm_hebergement", "llm_hors_ue", "llm_parametres_actifs_md",
        "llm_parametres_total_md", "llm_mix_gco2_kwh", "llm_fournisseur", "registre_responsable",
        "registre_contact", "registre_conservation", mode="before",
    )  # fmt: skip
    @classmethod
    def _vide_est_absent(cls, valeur: object) -> object:
        """`DSP_LLM_PSEUDONYMISER=` (ligne vide du .env) veut dire « non renseigné »."""
        return None if isinstance(valeur, str) and not valeur.strip() else valeur

    @property
    def llm_hote(self) -> str | None:
        return urlsplit(self.llm_base_url).hostname if self.llm_base_url else None

    @property
    def hebergement_llm(self) -> Hebergement:
        """Le déclaré, sinon `local` pour une adresse de boucle locale (le texte ne quitte
        pas la machine), sinon `externe` : dans le doute, on protège."""
        if self.llm_hebergement is not None:
            return self.llm_hebergement
        return "local" if self.llm_hote in BOUCLES_LOCALES else "externe"

    @property
    def pseudonymisation_active(self) -> bool:
        """Décision explicite (DSP_LLM_PSEUDONYMISER), sinon oui pour un LLM externe."""
        if self.llm_pseudonymiser is not None:
            return self.llm_pseudonymiser
        return self.hebergement_llm == "externe"

    @property
    def dossier_cache_llm(self) -> Path:
        return self.data_dir / "cache_llm"


@lru_cache(maxsize=1)
def reglages() -> Reglages:
    """Réglages du processus (mis en cache : l'environnement est lu une fois) ; un réglage
    invalide lève `ConfigurationError` qui nomme la variable, en français."""
    try:
        return Reglages()
    except ValidationError as exc:
        raise ConfigurationError(expliquer_validation(exc)) from None
