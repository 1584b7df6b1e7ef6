"""Model backends: one module per backend, registered in :mod:`genloom.backends.builtin`."""
