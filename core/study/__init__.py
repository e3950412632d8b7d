"""The studies: a random network's signal at initialisation (the Depth page), mean-field theory,
what learned activation parameters did, and the experiments that reproduce published results."""
