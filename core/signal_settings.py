"""The Depth page's choices and their limits, with no TensorFlow: URL state reads them too."""

# URL value -> (label, Keras initializer class name). Biases always start at zero.
INITIALISERS = {
    "glorot_uniform": ("Glorot uniform (Keras's default)", "GlorotUniform"),
    "glorot_normal": ("Glorot normal", "GlorotNormal"),
    "he_normal": ("He normal", "HeNormal"),
    "lecun_normal": ("LeCun normal", "LecunNormal"),
    "orthogonal": ("Orthogonal", "Orthogonal"),
}
MAX_DEPTH = 100
# From 2: the dying-ReLU experiment (Lu et al. 2019) shows how narrow nets are born dead.
WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
MAX_SEED = 9999
