"""The Search page's tables and figures: the leaderboard of an activation search, its refused
candidates and its progress, from a SearchState (plain data in, DataFrame or go.Figure out)."""
