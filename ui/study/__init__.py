"""The Depth and Experiments pages' parts: cached signal and theory computations, and the
experiment runner as the page uses it."""
