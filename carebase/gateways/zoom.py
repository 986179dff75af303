"""Zoom meetings through its REST API with server-to-server OAuth, in plain values."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from carebase.config import Settings
from carebase.errors import DomainError, ErrorCode

_tokens: dict[str, tuple[str, float]] = {}


class MeetingGone(Exception):
    """Zoom no longer has the meeting (deleted there, or by an earlier cancel)."""


@dataclass(frozen=True)
class Meeting:
    id: str
    join_url: str
    start_url: str | None


class ZoomGateway:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def _token(self, client: httpx.AsyncClient) -> str:
        cached = _tokens.get(self.settings.zoom_client_id)
        if cached and cached[1] > time.monotonic() + 60:
            return cached[0]
        response = await client.post(
            self.settings.zoom_oauth_url,
            params={
                "grant_type": "account_credentials",
                "account_id": self.settings.zoom_account_id,
            },
            auth=(
                self.settings.zoom_client_id,
                self.settings.zoom_client_secret.get_secret_value(),
            ),
        )
        self._check(response)
        body = response.json()
        _tokens[self.settings.zoom_client_id] = (
            body["access_token"],
            time.monotonic() + float(body.get("expires_in", 3600)),
        )
        return str(body["access_token"])

    async def _call(
        self, method: str, path: str, json: dict[str, object] | None = None
    ) -> httpx.Response:
        async with httpx.AsyncClient(timeout=15) as client:
            token = await self._token(client)
            response = await client.request(
                method,
                f"{self.settings.zoom_api_base}{path}",
                json=json,
                headers={"Authorization": f"Bearer {token}"},
            )
            self._check(response)
            return response

    @staticmethod
    def _check(response: httpx.Response) -> None:
        if response.status_code == 404:
            raise MeetingGone()
        if response.status_code >= 400:
            raise DomainError(
                ErrorCode.VIDEO_NOT_CONFIGURED,
                f"Zoom refused the request ({response.status_code})",
            )

    async def create_meeting(
        self, *, topic: str, starts_at: datetime, duration_minutes: int, timezone: str
    ) -> Meeting:
        response = await self._call(
            "POST",
            "/users/me/meetings",
            {
                "topic": topic,
                "type": 2,
                "start_time": starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "duration": duration_minutes,
                "timezone": timezone,
            },
        )
        body = response.json()
        return Meeting(str(body["id"]), body["join_url"], body.get("start_url"))

    async def get_meeting(self, meeting_id: str) -> Meeting | None:
        try:
            body = (await self._call("GET", f"/meetings/{meeting_id}")).json()
        except MeetingGone:
            return None
        return Meeting(str(body["id"]), body["join_url"], body.get("start_url"))

    async def update_meeting(
        self, meeting_id: str, *, starts_at: datetime, duration_minutes: int
    ) -> None:
        await self._call(
            "PATCH",
            f"/meetings/{meeting_id}",
            {
                "start_time": starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "duration": duration_minutes,
            },
        )

    async def delete_meeting(self, meeting_id: str) -> None:
        with contextlib.suppress(MeetingGone):  # already gone: the outcome we wanted
            await self._call("DELETE", f"/meetings/{meeting_id}")
