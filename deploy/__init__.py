"""Serving XOR Lab to a lecture hall: several replicas behind HAProxy (python -m deploy)."""
