"""JWT bearer tokens: HS256 with a shared secret, or RS256 with keys from a JWKS file or URL.

Each algorithm has its own key source, and a token's `alg` header only picks among those
configured: an HS256 token is never checked against an RSA public key (algorithm confusion), and
`none` is never accepted. A JWKS URL is fetched through `connectors/http.py` and cached (see
`app/privacy/jwks.py`); when it cannot be fetched, tokens are refused (401), never accepted.
"""

from __future__ import annotations

from typing import Any

import httpx
import jwt
from jwt import PyJWKSet

from app.errors import UnauthenticatedError
from app.privacy.jwks import JwtConfigurationError, Keys, RemoteJwks, pick, rs256_keys
from app.privacy.principals import Principal, Role, parse_purpose, parse_role
from app.settings import Settings
from connectors.http import DocumentClient

__all__ = ["JwtConfigurationError", "JwtVerifier"]
_REQUIRED_CLAIMS = ["exp", "sub"]


def _load_rs256_keys(settings: Settings) -> Keys:
    """The RS256 signing keys of the JWKS file, by `kid`."""
    if settings.jwt_jwks_file is None:
        return {}
    try:
        key_set = PyJWKSet.from_json(settings.jwt_jwks_file.read_text())
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise JwtConfigurationError(
            f"C360_JWT_JWKS_FILE cannot be used: {type(exc).__name__}"
        ) from None
    keys = rs256_keys(key_set)
    if not keys:
        raise JwtConfigurationError("C360_JWT_JWKS_FILE holds no RS256 signing key")
    return keys


def _remote_jwks(
    settings: Settings, transport: httpx.AsyncBaseTransport | None
) -> RemoteJwks | None:
    if settings.jwt_jwks_url is None:
        return None
    client = DocumentClient("jwks", timeout=settings.jwt_jwks_timeout_seconds, transport=transport)
    return RemoteJwks(
        settings.jwt_jwks_url,
        client,
        ttl=settings.jwt_jwks_cache_ttl_seconds,
        min_refetch_interval=settings.jwt_jwks_min_refetch_seconds,
    )


class JwtVerifier:
    """Verifies bearer tokens and turns their claims into a `Principal`."""

    def __init__(
        self, settings: Settings, *, jwks_transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        secret = settings.jwt_hs256_secret
        self._hs256_secret = secret.get_secret_value() if secret is not None else None
        self._rs256_keys = _load_rs256_keys(settings)
        self.remote_jwks = _remote_jwks(settings, jwks_transport)

    @property
    def enabled(self) -> bool:
        """Whether any key is configured (else every bearer token is refused)."""
        return (
            self._hs256_secret is not None or bool(self._rs256_keys) or self.remote_jwks is not None
        )

    async def aclose(self) -> None:
        """Close the JWKS client, if any."""
        if self.remote_jwks is not None:
            await self.remote_jwks.aclose()

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; `UnauthenticatedError` (never echoing it) otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise UnauthenticatedError("the bearer token is malformed") from None
        algorithm = header.get("alg")
        key = await self._key_for(algorithm, header.get("kid"))
        claims = self._decode(token, key, str(algorithm))
        return self._principal_from(claims)

    async def _key_for(self, algorithm: object, kid: object) -> Any:
        if algorithm == "HS256" and self._hs256_secret is not None:
            return self._hs256_secret
        if algorithm == "RS256" and self._rs256_keys:
            # A token without `kid` is fine only when there is a single key to try.
            key = pick(self._rs256_keys, kid)
            if key is None:
                raise UnauthenticatedError("the bearer token's signing key is unknown")
            return key.key
        if algorithm == "RS256" and self.remote_jwks is not None:
            return (await self.remote_jwks.key_for(kid)).key
        raise UnauthenticatedError("the bearer token's algorithm is not accepted")

    def _decode(self, token: str, key: Any, algorithm: str) -> dict[str, Any]:
        settings = self.settings
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                leeway=settings.jwt_leeway_seconds,
                options={
                    "require": _REQUIRED_CLAIMS,
                    "verify_aud": settings.jwt_audience is not None,
                    "verify_iss": settings.jwt_issuer is not None,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.ExpiredSignatureError:
            raise UnauthenticatedError("the bearer token has expired") from None
        except jwt.InvalidSignatureError:
            raise UnauthenticatedError("the bearer token's signature is not valid") from None
        except jwt.MissingRequiredClaimError as exc:
            raise UnauthenticatedError(f"the bearer token has no `{exc.claim}` claim") from None
        except jwt.InvalidAudienceError:
            raise UnauthenticatedError("the bearer token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise UnauthenticatedError("the bearer token is from another issuer") from None
        except jwt.PyJWTError:
            raise UnauthenticatedError("the bearer token is not valid") from None

    def _principal_from(self, claims: dict[str, Any]) -> Principal:
        settings = self.settings
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise UnauthenticatedError("the bearer token's `sub` claim is not a string")
        try:
            role = parse_role(claims.get(settings.jwt_role_claim))
            purpose = parse_purpose(claims.get(settings.jwt_purpose_claim))
        except ValueError:
            raise UnauthenticatedError(
                "the bearer token needs a valid "
                f"`{settings.jwt_role_claim}` and `{settings.jwt_purpose_claim}` claim"
            ) from None
        customer_id = None
        if role is Role.CUSTOMER:
            customer_id = claims.get(settings.jwt_customer_claim)
            if not isinstance(customer_id, str) or not customer_id:
                raise UnauthenticatedError(
                    f"a customer token needs a `{settings.jwt_customer_claim}` claim"
                )
        name = claims.get("name")
        return Principal(
            id=subject,
            name=name if isinstance(name, str) and name else subject,
            role=role,
            purpose=purpose,
            subject=customer_id,
            via="jwt",
        )
