"""The Hidden features chapter: what each hidden neuron learned, the decision boundary, the hidden space."""
