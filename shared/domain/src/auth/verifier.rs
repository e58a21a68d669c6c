//! The one access-token verifier every protected function uses.
//!
//! ES256 only; the `kid` is looked up in the published key set (loaded on first use and kept for
//! the life of the Lambda instance, refreshed at most once per `refresh_interval` when an unknown
//! `kid` shows up, e.g. after a key rotation); `iss`, `exp` and `nbf` checked with a small leeway.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tokio::sync::Mutex;

use super::jwt::AccessClaims;
use super::permissions::Permission;
use crate::ports::PublicKeySource;

/// Why a token was refused. Only for logs and tests; every variant answers 401 the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    #[error("malformed token")]
    Malformed,
    #[error("algorithm not allowed")]
    Algorithm,
    #[error("unknown key id")]
    UnknownKey,
    #[error("bad signature")]
    Signature,
    #[error("expired")]
    Expired,
    #[error("not yet valid")]
    NotYetValid,
    #[error("wrong issuer")]
    Issuer,
    #[error("claims invalid")]
    Claims,
    #[error("key set unavailable")]
    KeysUnavailable,
}

/// Who is calling, as established by a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub sub: String,
    pub username: String,
    pub email: Option<String>,
    pub client_id: String,
    pub branch: Option<String>,
    pub agent_location_id: Option<String>,
    pub permissions: Vec<Permission>,
}

impl Principal {
    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }
}

struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    loaded_at: Option<Instant>,
}

pub struct Verifier<K> {
    source: K,
    issuer: String,
    leeway_secs: u64,
    refresh_interval: Duration,
    cache: Mutex<KeyCache>,
}

impl<K: PublicKeySource> Verifier<K> {
    pub fn new(source: K, issuer: impl Into<String>) -> Self {
        Self {
            source,
            issuer: issuer.into(),
            leeway_secs: 30,
            refresh_interval: Duration::from_secs(60),
            cache: Mutex::new(KeyCache { keys: HashMap::new(), loaded_at: None }),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    async fn key_for(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(k) = cache.keys.get(kid) {
            return Ok(k.clone());
        }
        let may_reload = cache.loaded_at.is_none_or(|t| t.elapsed() >= self.refresh_interval);
        if !may_reload {
            return Err(AuthError::UnknownKey);
        }
        let jwks = self.source.public_keys().await.map_err(|_| AuthError::KeysUnavailable)?;
        cache.keys.clear();
        for jwk in jwks {
            if jwk.is_es256_signing_key()
                && let Ok(key) = DecodingKey::from_ec_components(&jwk.x, &jwk.y)
            {
                cache.keys.insert(jwk.kid, key);
            }
        }
        cache.loaded_at = Some(Instant::now());
        cache.keys.get(kid).cloned().ok_or(AuthError::UnknownKey)
    }

    /// Verifies a compact JWS access token and returns its principal.
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        // Reject anything but ES256 before looking at keys: `none`, HS256 (including HMAC with
        // the public key as secret), RS256, ...
        let header = jsonwebtoken::decode_header(token).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidAlgorithmName => AuthError::Algorithm,
            _ => AuthError::Malformed,
        })?;
        if header.alg != Algorithm::ES256 {
            return Err(AuthError::Algorithm);
        }
        let kid = header.kid.ok_or(AuthError::UnknownKey)?;
        let key = self.key_for(&kid).await?;

        let mut validation = Validation::new(Algorithm::ES256);
        validation.leeway = self.leeway_secs;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => AuthError::Signature,
                K::ExpiredSignature => AuthError::Expired,
                K::ImmatureSignature => AuthError::NotYetValid,
                K::InvalidIssuer => AuthError::Issuer,
                K::InvalidAlgorithm => AuthError::Algorithm,
                K::InvalidToken | K::Base64(_) | K::Json(_) | K::Utf8(_) => AuthError::Malformed,
                _ => AuthError::Claims,
            }
        })?;
        let c = data.claims;
        Ok(Principal {
            sub: c.sub,
            username: c.preferred_username,
            email: c.email,
            client_id: c.azp,
            branch: c.branch,
            agent_location_id: c.agent_location_id,
            permissions: c.permissions.iter().filter_map(|p| Permission::parse(p)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::jwt::{AccessClaims, sign};
    use crate::testing::SoftwareSigner;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    const ISS: &str = "http://localhost:9000/auth/realms/cdp";

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    fn claims() -> AccessClaims {
        AccessClaims {
            iss: ISS.into(),
            sub: "sub-1".into(),
            azp: "bpm-console".into(),
            exp: now() + 600,
            iat: now(),
            nbf: now(),
            jti: "j1".into(),
            typ: "Bearer".into(),
            scope: "openid".into(),
            sid: Some("s1".into()),
            preferred_username: "checker1".into(),
            email: Some("checker1@bank.local".into()),
            branch: Some("BR001".into()),
            permissions: vec!["approval.decide".into(), "not.a.permission".into()],
            agent_location_id: None,
        }
    }

    async fn token(signer: &SoftwareSigner, c: &AccessClaims) -> String {
        sign(signer, &signer.jwk.kid, c).await.unwrap()
    }

    #[tokio::test]
    async fn accepts_a_good_token_and_drops_unknown_permissions() {
        let s = SoftwareSigner::generate();
        let t = token(&s, &claims()).await;
        let v = Verifier::new(s, ISS);
        let p = v.verify(&t).await.unwrap();
        assert_eq!(p.permissions, vec![Permission::ApprovalDecide]);
        assert_eq!(p.branch.as_deref(), Some("BR001"));
    }

    #[tokio::test]
    async fn refuses_forgeries() {
        let s = SoftwareSigner::generate();
        let good = token(&s, &claims()).await;
        let parts: Vec<&str> = good.split('.').collect();

        // alg none, no signature.
        let none_header = B64.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let alg_none = format!("{none_header}.{}.", parts[1]);

        // HS256 "signed" with the public key as the HMAC secret (classic key-confusion attack).
        let pubkey_json = serde_json::to_vec(&s.jwk).unwrap();
        let mut h = jsonwebtoken::Header::new(Algorithm::HS256);
        h.kid = Some(s.jwk.kid.clone());
        let hs256 = jsonwebtoken::encode(&h, &claims(), &jsonwebtoken::EncodingKey::from_secret(&pubkey_json)).unwrap();

        // Payload changed after signing.
        let mut evil = claims();
        evil.permissions = vec!["approval.cross_branch".into()];
        let tampered = format!("{}.{}.{}", parts[0], B64.encode(serde_json::to_vec(&evil).unwrap()), parts[2]);

        let mut old = claims();
        old.exp = now() - 120;
        old.iat = now() - 7400;
        let expired = token(&s, &old).await;

        let mut early = claims();
        early.nbf = now() + 600;
        let not_yet = token(&s, &early).await;

        let mut other_iss = claims();
        other_iss.iss = "http://evil/auth/realms/cdp".into();
        let wrong_issuer = token(&s, &other_iss).await;

        let stranger = SoftwareSigner::generate();
        let unknown_kid = token(&stranger, &claims()).await;
        // Right kid, wrong key.
        let wrong_key = sign(&stranger, &s.jwk.kid, &claims()).await.unwrap();

        let v = Verifier::new(s, ISS);
        let cases = [
            (alg_none, "alg none"),
            (hs256, "HS256 with public key"),
            (tampered, "tampered payload"),
            (expired, "expired"),
            (not_yet, "nbf in the future"),
            (wrong_issuer, "wrong issuer"),
            (unknown_kid, "unknown kid"),
            (wrong_key, "wrong key"),
            ("garbage".into(), "garbage"),
            (String::new(), "empty"),
        ];
        for (t, what) in cases {
            assert!(v.verify(&t).await.is_err(), "{what} was accepted");
        }
        assert_eq!(v.verify(&good).await.map(|p| p.sub), Ok("sub-1".to_string()));
    }

    #[tokio::test]
    async fn unknown_kid_reloads_the_key_set_at_most_once_per_interval() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        struct Counting(SoftwareSigner, AtomicUsize);
        impl PublicKeySource for Counting {
            async fn public_keys(&self) -> Result<Vec<crate::auth::jwk::PublicJwk>, crate::ports::PortError> {
                self.1.fetch_add(1, Ordering::SeqCst);
                Ok(vec![self.0.jwk.clone()])
            }
        }
        let s = SoftwareSigner::generate();
        let good = token(&s, &claims()).await;
        let stranger = SoftwareSigner::generate();
        let unknown = token(&stranger, &claims()).await;
        let v = Verifier::new(Counting(s, AtomicUsize::new(0)), ISS);
        assert!(v.verify(&good).await.is_ok());
        assert!(v.verify(&good).await.is_ok());
        assert_eq!(v.verify(&unknown).await, Err(AuthError::UnknownKey));
        assert_eq!(v.verify(&unknown).await, Err(AuthError::UnknownKey));
        assert_eq!(v.source.1.load(Ordering::SeqCst), 1, "one load, cached, no reload storm");
    }
}
