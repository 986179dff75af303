"""Every actor module, imported once so their actors register."""

from carebase.jobs import billing, chat, email, reminders, sms  # noqa: F401
