//! Seed 003 "Access Token API", Keycloak compatible: the form the token endpoint reads, the
//! success body it answers, Keycloak's error bodies and HTTP codes, the JWKS and the discovery
//! document.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::auth::jwk::PublicJwk;
use domain::identity::token_service::{ClientAuth, InvalidGrant};
use domain::identity::{GrantRequest, GrantType, IssuedTokens, TokenError};
use serde::{Deserialize, Serialize};

use crate::Reply;

/// Field limits from the seed's payload table (characters).
pub mod limits {
    pub const SCOPE: usize = 60;
    pub const CLIENT_ID: usize = 60;
    pub const CLIENT_SECRET: usize = 60;
    pub const USERNAME: usize = 60;
    pub const PASSWORD: usize = 60;
    /// The seed's response table: refresh_token max length 600.
    pub const REFRESH_TOKEN: usize = 600;
}

/// The success body, exactly the seed's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub token_type: String,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_expires_in: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    #[serde(rename = "not-before-policy")]
    pub not_before_policy: i64,
    pub session_state: String,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        Self {
            token_type: "bearer".into(),
            access_token: t.access_token,
            expires_in: t.expires_in,
            refresh_expires_in: t.refresh_expires_in,
            refresh_token: t.refresh_token,
            scope: t.scope,
            not_before_policy: 0,
            session_state: t.session_state,
        }
    }
}

/// Keycloak's (RFC 6749 section 5.2) error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    pub error: String,
    pub error_description: String,
}

fn oauth(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(status, OAuthError { error: error.into(), error_description: description.into() })
        .with_header("Cache-Control", "no-store")
}

/// The HTTP status and body Keycloak answers for each failure.
pub fn error_reply(e: &TokenError) -> Reply {
    match e {
        TokenError::InvalidRequest(d) => oauth(400, "invalid_request", d),
        TokenError::InvalidClient => oauth(401, "invalid_client", "Invalid client or Invalid client credentials"),
        TokenError::UnauthorizedClient => oauth(400, "unauthorized_client", "Client not allowed to use this grant"),
        TokenError::UnsupportedGrantType => oauth(400, "unsupported_grant_type", "Unsupported grant_type"),
        TokenError::InvalidGrant(InvalidGrant::UserCredentials) => {
            oauth(401, "invalid_grant", "Invalid user credentials")
        }
        TokenError::InvalidGrant(InvalidGrant::RefreshToken) => oauth(400, "invalid_grant", "Invalid refresh token"),
        TokenError::InvalidScope => oauth(400, "invalid_scope", "Invalid scopes"),
        TokenError::Unavailable(_) => oauth(500, "server_error", "Internal server error"),
    }
}

pub fn success_reply(t: IssuedTokens) -> Reply {
    Reply::json(200, TokenResponse::from(t)).with_header("Cache-Control", "no-store").with_header("Pragma", "no-cache")
}

/// Reads the token endpoint's `application/x-www-form-urlencoded` body (and an optional
/// `Authorization: Basic` header) into a grant request, enforcing the seed's field limits.
///
/// `grant_type` may appear more than once: the seed's own refresh sample sends
/// `grant_type=password` and then `grant_type=refresh_token`; the last one counts. Any other
/// repeated parameter is refused (RFC 6749 section 3.2).
pub fn parse_token_form(
    content_type: Option<&str>,
    body: &[u8],
    authorization: Option<&str>,
) -> Result<GrantRequest, TokenError> {
    let is_form = content_type
        .map(|c| c.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        .unwrap_or(false);
    if !is_form {
        return Err(TokenError::InvalidRequest("Content-Type must be application/x-www-form-urlencoded"));
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| TokenError::InvalidRequest("Malformed form body"))?;

    let mut grant_type: Option<String> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        if k == "grant_type" {
            grant_type = Some(v);
        } else if fields.iter().any(|(seen, _)| seen == &k) {
            return Err(TokenError::InvalidRequest("Duplicate form parameter"));
        } else {
            fields.push((k, v));
        }
    }
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let limited = |name: &str, max: usize, what: &'static str| -> Result<Option<String>, TokenError> {
        match get(name) {
            Some(v) if v.chars().count() > max => Err(TokenError::InvalidRequest(what)),
            other => Ok(other),
        }
    };

    let grant_type = grant_type.ok_or(TokenError::InvalidRequest("Missing form parameter: grant_type"))?;
    let grant = GrantType::parse(&grant_type).ok_or(TokenError::UnsupportedGrantType)?;

    let form_id = limited("client_id", limits::CLIENT_ID, "Invalid parameter: client_id")?;
    let form_secret = limited("client_secret", limits::CLIENT_SECRET, "Invalid parameter: client_secret")?;
    let client = match (basic_credentials(authorization)?, form_id) {
        (Some(_), Some(_)) if form_secret.is_some() => {
            return Err(TokenError::InvalidRequest("Use one client authentication method"));
        }
        (Some((id, secret)), _) => ClientAuth { client_id: id, client_secret: Some(secret) },
        (None, Some(id)) => ClientAuth { client_id: id, client_secret: form_secret },
        (None, None) => return Err(TokenError::InvalidClient),
    };
    let scope = limited("scope", limits::SCOPE, "Invalid parameter: scope")?;

    Ok(match grant {
        GrantType::Password => GrantRequest::Password {
            client,
            username: limited("username", limits::USERNAME, "Invalid parameter: username")?
                .ok_or(TokenError::InvalidRequest("Missing parameter: username"))?,
            password: limited("password", limits::PASSWORD, "Invalid parameter: password")?
                .ok_or(TokenError::InvalidRequest("Missing parameter: password"))?,
            scope,
        },
        GrantType::RefreshToken => GrantRequest::RefreshToken {
            client,
            refresh_token: limited("refresh_token", limits::REFRESH_TOKEN, "Invalid parameter: refresh_token")?
                .ok_or(TokenError::InvalidRequest("Missing parameter: refresh_token"))?,
            scope,
        },
        GrantType::ClientCredentials => GrantRequest::ClientCredentials { client, scope },
    })
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 section 2.3.1).
fn basic_credentials(header: Option<&str>) -> Result<Option<(String, String)>, TokenError> {
    let Some(h) = header else { return Ok(None) };
    let Some(b64) = h.strip_prefix("Basic ").or_else(|| h.strip_prefix("basic ")) else {
        return Ok(None);
    };
    let bad = || TokenError::InvalidClient;
    let raw = STANDARD.decode(b64.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let decode = |s: &str| -> Result<String, TokenError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={s}")).map_err(|_| bad())?;
        Ok(pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    };
    let (id, secret) = (decode(id)?, decode(secret)?);
    if id.chars().count() > limits::CLIENT_ID || secret.chars().count() > limits::CLIENT_SECRET {
        return Err(TokenError::InvalidRequest("Invalid client credentials length"));
    }
    Ok(Some((id, secret)))
}

/// `GET .../protocol/openid-connect/certs`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

/// `GET /auth/realms/cdp/.well-known/openid-configuration` (the subset this realm implements).
pub fn openid_configuration(issuer: &str) -> serde_json::Value {
    serde_json::json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
        "jwks_uri": format!("{issuer}/protocol/openid-connect/certs"),
        "userinfo_endpoint": format!("{issuer}/protocol/openid-connect/userinfo"),
        "grant_types_supported": ["password", "refresh_token", "client_credentials"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["iss", "sub", "azp", "exp", "iat", "nbf", "scope", "preferred_username", "email",
            "branch", "permissions", "agent_location_id"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    #[test]
    fn seed_access_token_payload_parses() {
        let body = "grant_type=password&scope=api%3A%2F%2F3a3f52a1-1b64-4c27-81f0-50a6ca01324d%2Fcustomer&client_id=cdp-partner&client_secret=s&grant_type=password&username=partner1&password=Partner1%21pass";
        let g = parse_token_form(FORM, body.as_bytes(), None).unwrap();
        assert_eq!(
            g,
            GrantRequest::Password {
                client: ClientAuth { client_id: "cdp-partner".into(), client_secret: Some("s".into()) },
                username: "partner1".into(),
                password: "Partner1!pass".into(),
                scope: Some("api://3a3f52a1-1b64-4c27-81f0-50a6ca01324d/customer".into()),
            }
        );
    }

    #[test]
    fn seed_refresh_payload_with_two_grant_types_is_a_refresh() {
        let body =
            "grant_type=password&client_id=cdp-partner&client_secret=s&grant_type=refresh_token&refresh_token=abc";
        assert!(matches!(
            parse_token_form(FORM, body.as_bytes(), None).unwrap(),
            GrantRequest::RefreshToken { refresh_token, .. } if refresh_token == "abc"
        ));
    }

    #[test]
    fn basic_auth_is_accepted() {
        let h = format!("Basic {}", STANDARD.encode("compliance-system:compliance-secret"));
        let g = parse_token_form(FORM, b"grant_type=client_credentials", Some(&h)).unwrap();
        assert_eq!(
            g,
            GrantRequest::ClientCredentials {
                client: ClientAuth {
                    client_id: "compliance-system".into(),
                    client_secret: Some("compliance-secret".into())
                },
                scope: None
            }
        );
    }

    #[test]
    fn errors() {
        let err = |ct, body: &str| parse_token_form(ct, body.as_bytes(), None).unwrap_err();
        assert!(matches!(err(Some("application/json"), "{}"), TokenError::InvalidRequest(_)));
        assert!(matches!(err(FORM, "client_id=a&client_secret=b"), TokenError::InvalidRequest(_)));
        assert!(matches!(err(FORM, "grant_type=authorization_code&client_id=a"), TokenError::UnsupportedGrantType));
        assert!(matches!(err(FORM, "grant_type=password&username=u&password=p"), TokenError::InvalidClient));
        assert!(matches!(
            err(FORM, "grant_type=password&client_id=a&client_secret=b&password=p"),
            TokenError::InvalidRequest(_)
        ));
        let long = "x".repeat(61);
        assert!(matches!(
            err(FORM, &format!("grant_type=password&client_id=a&client_secret=b&username={long}&password=p")),
            TokenError::InvalidRequest(_)
        ));
        assert!(matches!(
            err(FORM, &format!("grant_type=client_credentials&client_id=a&client_secret=b&scope={long}")),
            TokenError::InvalidRequest(_)
        ));
        assert!(matches!(err(FORM, "grant_type=password&client_id=a&client_id=b"), TokenError::InvalidRequest(_)));
    }

    #[test]
    fn keycloak_status_codes() {
        assert_eq!(error_reply(&TokenError::InvalidClient).status, 401);
        assert_eq!(error_reply(&TokenError::InvalidGrant(InvalidGrant::UserCredentials)).status, 401);
        assert_eq!(error_reply(&TokenError::InvalidGrant(InvalidGrant::RefreshToken)).status, 400);
        assert_eq!(error_reply(&TokenError::UnsupportedGrantType).body["error"], "unsupported_grant_type");
        assert_eq!(error_reply(&TokenError::Unavailable("x".into())).status, 500);
    }

    #[test]
    fn success_body_has_exactly_the_seed_fields() {
        let r = success_reply(IssuedTokens {
            access_token: "a".into(),
            expires_in: 7199,
            refresh_token: Some("r".into()),
            refresh_expires_in: 7199,
            scope: "openid".into(),
            session_state: "s".into(),
        });
        let mut keys: Vec<_> = r.body.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "access_token",
                "expires_in",
                "not-before-policy",
                "refresh_expires_in",
                "refresh_token",
                "scope",
                "session_state",
                "token_type"
            ]
        );
        assert_eq!(r.body["token_type"], "bearer");
    }
}
