"""The REST APIs. ``v1`` is the LlamaCloud-compatible Extract API (``/api/v1/extraction/*``)."""
