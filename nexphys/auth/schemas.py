"""Request and response shapes of the auth API."""

from __future__ import annotations

from typing import Literal

from nexphys.web.schemas import Body, Shape, Text


class Credentials(Body):
    email: Text
    password: Text


class RefreshRequest(Body):
    refresh_token: Text


class RevokeRequest(Body):
    """Revoke the sign-in of this refresh token instead of the calling access token's."""

    refresh_token: str | None = None


class SignOutEverywhere(Body):
    """Nothing to send (an empty object, or no body): the request itself is the instruction."""


class Tokens(Shape):
    """An access token (15 minutes) and, for studio people, a refresh token that rotates on use."""

    access_token: str
    refresh_token: str | None = None
    token_type: Literal["Bearer"]
    expires_in: int


class RoleSummary(Shape):
    id: int
    key: str
    name: str
    level: int


class Me(Shape):
    """The caller: a studio person, an API key, or a platform administrator."""

    id: int
    kind: Literal["user", "api_key", "platform_admin"]
    email: str | None = None
    name: str | None = None
    role: RoleSummary | None
    permissions: list[str]
