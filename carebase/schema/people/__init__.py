"""Schema of the people area: members, clients and the viewer (``clients.py``), log-in and
the session (``sessions.py``)."""

from carebase.schema.people.clients import PeopleMutation, PeopleQuery
from carebase.schema.people.invitations import InvitationMutation
from carebase.schema.people.sessions import SessionMutation

__all__ = ["InvitationMutation", "PeopleMutation", "PeopleQuery", "SessionMutation"]
