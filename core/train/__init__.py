"""Training: the settings table and `TrainConfig`, the datasets, a comparison's record, the
training loop, learning-rate selection, and the Keras code a run or an activation is written as.

The networks themselves (models, optimiser rules, the compiled epoch, the probes inside) are in
`core/train/network/`.
"""
