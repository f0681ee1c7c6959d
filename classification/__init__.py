"""Classify documents and split bundles of documents, offline first.

Plain Python, no Django yet (the app's models, API and UI come on top). Read in this order:

- ``base``: ``Rule``, ``PageVerdict``, ``ClassifyResult``, the ``PageClassifier`` Protocol a
  model-backed classifier implements, ``ClassificationError`` (a 422 ``detail``).
- ``words``, ``vocabulary``: folded tokens, and the document-kind vocabulary (names, key
  phrases and layout cues of common business documents in several languages) as data.
- ``cues``, ``features``: what one loaded ``Page`` shows (title, layout cues, page numbers,
  running headers/footers, how it opens and ends).
- ``rules``: a rule's type and description -> what to look for (``RuleProfile``).
- ``offline``: ``OfflineClassifier``, the classifier that needs no model.
- ``classify``: ``document_classify`` -> ``ClassifyResult`` (Classify's ``result``).
- ``boundaries``, ``splitting``: ``bundle_split`` -> ``SplitResult`` (Split's ``result``).

``README_API_SHAPES.md`` maps the ``llama-cloud`` 2.x Classify and Split wire shapes onto these.
"""

from classification.base import (
    ClassificationError,
    ClassifyResult,
    PageClassifier,
    PageVerdict,
    Rule,
)
from classification.classify import document_classify
from classification.offline import OfflineClassifier
from classification.splitting import UNCATEGORIZED, Category, Segment, SplitResult, bundle_split

__all__ = [
    "UNCATEGORIZED",
    "Category",
    "ClassificationError",
    "ClassifyResult",
    "OfflineClassifier",
    "PageClassifier",
    "PageVerdict",
    "Rule",
    "Segment",
    "SplitResult",
    "bundle_split",
    "document_classify",
]
