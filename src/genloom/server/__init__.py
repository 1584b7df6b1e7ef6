"""genloom's HTTP server: OpenAI-compatible endpoints, jobs, assets, the studio.

``create_app()`` lives in :mod:`genloom.server.app`; ``genloom serve`` runs it.
"""
