"""Comparisons of models side by side: columns, votes, the leaderboard, prices, diffs."""
