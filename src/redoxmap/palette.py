"""The colours of every redoxmap figure: Okabe-Ito, distinguishable with every common
colour-vision deficiency."""

COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
