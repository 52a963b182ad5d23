"""The Handwritten digits chapter: the XOR network's own class on real handwritten digits."""
