"""The Train and Runs pages' parts: the training settings' widgets, a comparison's charts, results
and downloads, and its "Inside the network" and "Learned activation parameters" sections."""
