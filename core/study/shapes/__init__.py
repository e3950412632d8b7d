"""Learnable shapes: rational (PAU) and spline (KAN) activations, the formulas closest to a learned
shape, and Kolmogorov–Arnold networks."""
