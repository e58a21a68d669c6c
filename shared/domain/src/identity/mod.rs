//! The realm: users (bank staff and partner agents), OAuth clients, login lockout and refresh
//! token families, and the token service that implements the grants.

pub mod lockout;
pub mod password;
pub mod store;
pub mod token_service;

use serde::{Deserialize, Serialize};

use crate::auth::Permission;

pub use lockout::{LockoutPolicy, LockoutRecord};
pub use token_service::{GrantRequest, IssuedTokens, TokenError, TokenService, TokenSettings};

/// A login name: 1..=60 characters (seed 003 payload table), no control characters.
/// Compared case-insensitively, as Keycloak does: stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub const MAX: usize = 60;
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if t.is_empty() || t.chars().count() > Self::MAX || t.chars().any(char::is_control) {
            return None;
        }
        Some(Self(t.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An OAuth client id: 1..=60 of `[A-Za-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientId(String);

impl ClientId {
    pub const MAX: usize = 60;
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bank branch code (`BR001`, `HQ`): 1..=20 of `[A-Z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Branch(String);

impl Branch {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= 20
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A partner's agent location (seed 003 `agent_location_id`: string, max 10): digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgentLocationId(String);

impl AgentLocationId {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person who logs in with the password grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable subject id (`sub`), never reused, independent of the username.
    pub sub: String,
    pub username: Username,
    pub email: String,
    pub password_hash: String,
    pub branch: Option<Branch>,
    pub agent_location_id: Option<AgentLocationId>,
    pub permissions: Vec<Permission>,
    pub enabled: bool,
}

/// The OAuth 2.0 grants the token endpoint knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    Password,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "password" => Some(Self::Password),
            "refresh_token" => Some(Self::RefreshToken),
            "client_credentials" => Some(Self::ClientCredentials),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

/// A confidential OAuth client (partner app, bank console, compliance system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub client_id: ClientId,
    /// SHA-256 (hex) of the secret. Secrets are generated with 256 bits of entropy by the admin
    /// CLI, so a slow hash adds latency without adding safety (argon2id is for human passwords).
    pub secret_sha256: String,
    pub grants: Vec<GrantType>,
    /// Scopes this client may request; the first is the default when none is requested.
    pub scopes: Vec<String>,
    /// For `client_credentials`: what the service account may do.
    pub permissions: Vec<Permission>,
    pub enabled: bool,
}

/// Status of one refresh token of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefreshStatus {
    Active,
    Rotated,
}

/// A refresh token, known only by the SHA-256 of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    pub token_hash: String,
    pub family_id: String,
    pub username: Username,
    pub client_id: ClientId,
    pub scope: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub status: RefreshStatus,
}

/// A login session: all refresh tokens descending from one password grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFamily {
    pub family_id: String,
    pub revoked: bool,
    pub expires_at: i64,
}

/// SHA-256 hex of a secret (client secrets and refresh tokens are stored only this way).
pub fn sha256_hex(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality for hex digests.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newtypes_parse_and_reject() {
        assert_eq!(Username::parse(" Maker1 ").unwrap().as_str(), "maker1");
        assert!(Username::parse("").is_none());
        assert!(Username::parse(&"a".repeat(61)).is_none());
        assert!(Username::parse("a\u{0}b").is_none());
        assert!(ClientId::parse("cdp-partner").is_some());
        assert!(ClientId::parse("bad id").is_none());
        assert!(Branch::parse("BR001").is_some());
        assert!(Branch::parse("br001").is_none());
        assert!(AgentLocationId::parse("784101").is_some());
        assert!(AgentLocationId::parse("78410123456").is_none());
        assert!(AgentLocationId::parse("78A").is_none());
    }

    #[test]
    fn digests_compare_in_constant_time_shape() {
        let h = sha256_hex("cdp-partner-secret");
        assert_eq!(h.len(), 64);
        assert!(ct_eq(&h, &sha256_hex("cdp-partner-secret")));
        assert!(!ct_eq(&h, &sha256_hex("cdp-partner-secreT")));
        assert!(!ct_eq(&h, "short"));
    }
}
