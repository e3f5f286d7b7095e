"""``python -m feedpub`` runs the command line."""

from .cli import main

main()
