"""Where files derived from an uploaded document live on disk (page images, text previews).

The uploaded bytes themselves are ``SourceFile.content`` (Django storage); what is computed from
them for the pages is kept under ``DATA_DIR/renders/<file id>/`` so deleting a file can remove
all of it in one place (``services.files.file_delete``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings


def derived_files_dir(file_id: str) -> Path:
    """The folder of the page images and text previews of file ``file_id``."""
    return Path(settings.DATA_DIR) / "renders" / file_id


def derived_files_delete(*, file_id: str) -> None:
    """Remove everything derived from file ``file_id``; a missing folder is fine."""
    shutil.rmtree(derived_files_dir(file_id), ignore_errors=True)
