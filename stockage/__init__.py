"""Persistance : rapports, versions de fiches, anomalies, journal de revue (SQLAlchemy)."""
