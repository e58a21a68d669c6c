//! The access token: its claims and how it is assembled and signed (ES256 through the `Signer`
//! port, so the private key stays in KMS).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};

use super::jwk::der_signature_to_jws;
use crate::ports::{PortError, Signer};

/// Claims of our access tokens (Keycloak-compatible names, plus the bank's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// `<base>/auth/realms/cdp`
    pub iss: String,
    /// Stable subject id of the user (or `service-account-<client_id>`).
    pub sub: String,
    /// The client the token was issued to.
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub typ: String,
    pub scope: String,
    /// The login session (refresh family); absent for client_credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub preferred_username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Partner users only: their agent location (seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_location_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Port(#[from] PortError),
    #[error("signer returned a malformed signature")]
    BadSignature,
}

/// Builds `header.claims` and signs it: a compact JWS with `alg` ES256 and the given `kid`.
pub async fn sign<S: Signer>(signer: &S, kid: &str, claims: &AccessClaims) -> Result<String, SignError> {
    let header = serde_json::json!({ "alg": "ES256", "typ": "JWT", "kid": kid });
    let mut token = B64.encode(header.to_string());
    token.push('.');
    token.push_str(&B64.encode(serde_json::to_vec(claims).expect("claims serialise")));
    let der = signer.sign_es256(token.as_bytes()).await?;
    let raw = der_signature_to_jws(&der).map_err(|_| SignError::BadSignature)?;
    token.push('.');
    token.push_str(&B64.encode(raw));
    Ok(token)
}
