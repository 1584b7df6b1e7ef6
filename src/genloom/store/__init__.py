"""Provenance: the generations database and the content-addressed asset store."""
