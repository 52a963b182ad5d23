"""The Vanishing-gradient chapter: its computations, charts, words and controls."""
