"""The engine: the fused networks of a comparison (plain Keras layers), one class per optimiser
rule, the compiled training epoch, and the probes that measure inside the networks."""
