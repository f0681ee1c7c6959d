"""Reading untrusted uploaded files outside the web process: ``reader`` (the parent side,
used by page previews and schema suggestions) starts ``child`` in a fresh, limited process."""
