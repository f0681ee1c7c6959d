"""LlamaCloud Extract API v1: ``/api/v1/extraction/*`` and ``/api/v1/files``."""
