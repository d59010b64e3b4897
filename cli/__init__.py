"""Interface en ligne de commande `dsp` (messages en français)."""
