"""Independent check of the token API: gets a token with the seed's payload, fetches the published
JWKS and verifies the ES256 signature, issuer and expiry with PyJWT (not our code, not our crate)."""
import json
import os
import sys
import urllib.parse
import urllib.request

import jwt  # PyJWT

base = os.environ["API_BASE_URL"]
issuer = os.environ["ISSUER_BASE_URL"] + "/auth/realms/cdp"
form = urllib.parse.urlencode([
    ("grant_type", "password"),
    ("scope", "api://3a3f52a1-1b64-4c27-81f0-50a6ca01324d/customer"),
    ("client_id", "cdp-partner"),
    ("client_secret", "cdp-partner-secret"),
    ("grant_type", "password"),
    ("username", "partner1"),
    ("password", "Partner1!pass"),
]).encode()
req = urllib.request.Request(base + "/auth/realms/cdp/protocol/openid-connect/token", data=form,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
body = json.load(urllib.request.urlopen(req, timeout=60))
token = body["access_token"]
jwks = jwt.PyJWKClient(base + "/auth/realms/cdp/protocol/openid-connect/certs")
key = jwks.get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["ES256"], issuer=issuer, options={"verify_aud": False})
failed = 0
for name, ok in [
    ("alg is ES256", jwt.get_unverified_header(token)["alg"] == "ES256"),
    ("preferred_username", claims["preferred_username"] == "partner1"),
    ("agent_location_id", claims["agent_location_id"] == "784101"),
    ("expires_in 7199", body["expires_in"] == 7199 and claims["exp"] - claims["iat"] == 7199),
]:
    print(("ok   " if ok else "FAIL ") + name)
    failed += not ok
print(f"pyjwt: {4 - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
