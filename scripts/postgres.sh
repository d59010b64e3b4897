#!/usr/bin/env bash
# Démarre un serveur PostgreSQL local (paquet Debian `postgresql`) et crée le rôle et la base
# des tests du stockage (`dsp_test`). Idempotent : ne fait rien de ce qui est déjà fait.
set -euo pipefail

sudo_si_besoin() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
en_postgres() { sudo_si_besoin su postgres -c "$1"; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "PostgreSQL absent (paquet postgresql) : tests du stockage sur SQLite seulement." >&2
  exit 0
fi
# Un cluster existe-t-il ? Sinon on en crée un (image minimale sans cluster par défaut).
if [ -z "$(pg_lsclusters -h)" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  sudo_si_besoin pg_createcluster "$version" main >/dev/null
fi
pg_lsclusters -h | while read -r version nom _port statut _reste; do
  if [ "$statut" != "online" ]; then
    sudo_si_besoin pg_ctlcluster "$version" "$nom" start
  fi
done
# Attendre que le serveur accepte les connexions (démarrage asynchrone sur certaines images).
for _ in $(seq 1 30); do
  en_postgres "psql -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
if [ "$(en_postgres "psql -tAc \"select 1 from pg_roles where rolname='dsp_test'\"")" != "1" ]; then
  en_postgres "psql -q -c \"create role dsp_test login createdb password 'dsp_test'\""
fi
if [ "$(en_postgres "psql -tAc \"select 1 from pg_database where datname='dsp_test'\"")" != "1" ]; then
  en_postgres "psql -q -c 'create database dsp_test owner dsp_test'"
fi
# Rôle applicatif des tests de séparation des rôles (issue 14) : il se connecte mais ne
# possède rien ; le propriétaire (dsp_test) lui accorde ses droits (`dsp journal proteger`).
if [ "$(en_postgres "psql -tAc \"select 1 from pg_roles where rolname='dsp_test_app'\"")" != "1" ]; then
  en_postgres "psql -q -c \"create role dsp_test_app login password 'dsp_test_app'\""
fi
echo "PostgreSQL prêt (base dsp_test, rôles dsp_test et dsp_test_app)."
