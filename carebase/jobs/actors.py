"""Every actor module, imported once so their actors register."""

from carebase.jobs import email  # noqa: F401
