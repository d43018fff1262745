"""``python -m tmserver`` is the ``tmserver`` command."""

from tmserver.cli import main

main()
