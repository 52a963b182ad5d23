"""The One-epoch chapter: a single gradient-descent epoch in slow motion, phase by phase."""
