"""``python -m feedpub`` runs the command line."""

from .cli import cli

cli()
