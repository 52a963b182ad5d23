"""XOR Lab's Streamlit layer: the entry point, shared UI helpers and chart builders."""
