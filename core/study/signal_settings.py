"""The Depth page's choices and their limits, with no TensorFlow: URL state reads them too."""

from __future__ import annotations

from core.train.settings import INITIALISERS as _ALL

# The Depth page draws Keras's own initializers (the training table's, core/train/settings.py):
# URL value -> (label, Keras initializer class name). Biases always start at zero.
INITIALISERS = {
    k: (i.label, i.keras_class) for k, i in _ALL.items() if i.keras_class and i.sigma_w2
}
# σ_w² = N·Var(W_ij) of each on the page's square layers: mean-field theory places them there,
# with σ_b² = 0 (the page's biases start at zero).
INIT_SIGMA_W2 = {k: float(_ALL[k].sigma_w2 or 0.0) for k in INITIALISERS}
MAX_DEPTH = 100
# From 2: the dying-ReLU experiment (Lu et al. 2019) shows how narrow nets are born dead.
WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
MAX_SEED = 9999
# "Make it trainable": Deep Kernel Shaping's whole-network C′(1) (its default c_slope_1_target,
# core/study/trainable.py) and the range the page and its URL accept (DKS needs ζ > 1).
ZETA = 1.5
ZETA_RANGE = (1.01, 10.0)
# The Jacobian spectrum's σ_w²: each activation's critical one (σ_b² = 0) or the initialiser's.
SPECTRUM_SCALES = ("edge", "init")
