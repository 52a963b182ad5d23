"""The Loss landscape chapter (issue 19 §3): L over two of the network's numbers, and L over one."""
