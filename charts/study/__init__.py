"""The studies' pictures: the Depth page's signal at initialisation, the mean-field phase
diagram, and each experiment's figure and numbers."""
