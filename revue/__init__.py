"""Application de revue des fiches et tableau de bord du temps gagné (FastAPI)."""
