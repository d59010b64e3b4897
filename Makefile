# Deux commandes pour une machine neuve : `make demo` et `make test` (voir README).

.PHONY: installer demo test

installer:
	bash scripts/installer.sh

demo: installer
	bash scripts/uv.sh run --frozen dsp demo

test: installer
	bash scripts/verifier.sh
