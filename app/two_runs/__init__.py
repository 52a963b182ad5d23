"""Two runs, one start: two training settings from the same initial weights, compared."""
