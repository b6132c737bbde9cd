"""The old home of `issue_label`, kept while schemes/engine.py still imports it from here.

The bulletin's figures, words and statement rows moved to transforms.figures,
transforms.verdicts, transforms.wording, transforms.statement_rows, transforms.csvsafe and
transforms.changes; issue numbers to transforms.publication_text. Remove this module once
nothing imports it.
"""

from transforms.publication_text import issue_label

__all__ = ["issue_label"]
