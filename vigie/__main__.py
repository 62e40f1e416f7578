"""``python -m vigie``: the same CLI as the ``vigie`` entry point (the scheduler starts its
jobs this way, so they work from a checkout without an installed script)."""

from vigie.cli import main

if __name__ == "__main__":
    main()
