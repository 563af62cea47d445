"""Prompt-set runs: a prompt set x 2-4 models, judged, saved cell by cell, resumable."""
