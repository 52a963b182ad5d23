"""The Training chapter: one run and its replay, and the convergence lab over many seeds."""
