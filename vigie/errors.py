"""Errors a user can act on: the CLI prints them on one line and exits 2."""


class UserError(Exception):
    """Bad input, with the place it came from (file, line, field) in the message."""
