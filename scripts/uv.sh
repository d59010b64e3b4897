#!/usr/bin/env bash
# Lance uv où qu'il soit installé : dans le PATH, dans ~/.local/bin, ou comme module Python.
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
if [ -x "$HOME/.local/bin/uv" ]; then exec "$HOME/.local/bin/uv" "$@"; fi
exec python3 -m uv "$@"
