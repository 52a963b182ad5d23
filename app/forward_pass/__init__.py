"""The Forward pass chapter: one input written out, the batch as matrices, the activation curve."""
