"""The Architecture chapter: the network diagram, the single neuron, the hidden layer's view."""
