"""The Backpropagation chapter: its cached computations, tables, charts, words and controls."""
