# Deux commandes pour une machine neuve : `make demo` et `make test` (voir README).
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: installer demo test

installer:
	bash scripts/installer.sh

demo: installer
	$(UV) run --frozen dsp demo

test: installer
	bash scripts/verifier.sh
