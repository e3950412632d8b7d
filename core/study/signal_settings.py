"""The Depth page's choices and their limits, with no TensorFlow: URL state reads them too."""

# URL value -> (label, Keras initializer class name). Biases always start at zero.
INITIALISERS = {
    "glorot_uniform": ("Glorot uniform (Keras's default)", "GlorotUniform"),
    "glorot_normal": ("Glorot normal", "GlorotNormal"),
    "he_normal": ("He normal", "HeNormal"),
    "lecun_normal": ("LeCun normal", "LecunNormal"),
    "orthogonal": ("Orthogonal", "Orthogonal"),
}
# σ_w² = N·Var(W_ij) of each initialiser on the page's square layers (fan_in = fan_out = width):
# Glorot's 2 / (fan_in + fan_out) and LeCun's 1 / fan_in give 1, He's 2 / fan_in gives 2, and an
# orthogonal kernel's rows have unit length (1 / N per entry). Mean-field theory places them at
# these σ_w², with σ_b² = 0 (the page's biases start at zero).
INIT_SIGMA_W2 = {
    "glorot_uniform": 1.0,
    "glorot_normal": 1.0,
    "he_normal": 2.0,
    "lecun_normal": 1.0,
    "orthogonal": 1.0,
}
MAX_DEPTH = 100
# From 2: the dying-ReLU experiment (Lu et al. 2019) shows how narrow nets are born dead.
WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
MAX_SEED = 9999
