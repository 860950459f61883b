"""``python -m extractor`` runs the ``nianbao`` command line."""

from .cli import script

script()
