"""Orchestration Prefect : traitement d'un rapport, lots planifiés, étape de validation."""
