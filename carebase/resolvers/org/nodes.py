"""What ``node`` reads of the org area: the organization, its credentials, its audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import (
    org_id,
    require_authenticated,
    require_manager,
    require_member,
    scoped,
)
from carebase.auth.principal import Principal
from carebase.models import ApiKey, AuditEvent, OAuthClient, Organization
from carebase.resolvers.core.nodes import NodeSource


def _organizations(principal: Principal) -> Select[Any]:
    # every member, client, key and OAuth client reads its own organization, and only it
    require_authenticated(principal)
    return select(Organization).where(Organization.id == org_id(principal))


def _api_keys(principal: Principal) -> Select[Any]:
    require_manager(principal, "settings")
    return select(ApiKey).where(ApiKey.organization_id == org_id(principal))


def _oauth_clients(principal: Principal) -> Select[Any]:
    require_manager(principal, "settings")
    return select(OAuthClient).where(OAuthClient.organization_id == org_id(principal))


def _audit_events(principal: Principal) -> Select[Any]:
    require_member(principal, "audit")
    return scoped(select(AuditEvent), principal, AuditEvent.organization_id)


ORGANIZATIONS = NodeSource(Organization.id, _organizations)
API_KEYS = NodeSource(ApiKey.id, _api_keys)
OAUTH_CLIENTS = NodeSource(OAuthClient.id, _oauth_clients)
AUDIT_EVENTS = NodeSource(AuditEvent.id, _audit_events)
