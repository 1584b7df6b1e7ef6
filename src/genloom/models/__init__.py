"""Model cards, the registry, and the base classes of every output kind."""
