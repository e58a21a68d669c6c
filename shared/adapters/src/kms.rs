//! Token signing with an asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256): the private key never
//! leaves KMS. Public keys come from `GetPublicKey`.

use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use domain::auth::jwk::PublicJwk;
use domain::ports::{PortError, PublicKeySource, Signer};
use tokio::sync::OnceCell;

pub struct KmsKeys {
    client: Client,
    current: String,
    previous: Vec<String>,
    current_kid: OnceCell<String>,
}

impl KmsKeys {
    /// `current` signs; `previous` keys are still published so their tokens keep verifying.
    pub fn new(client: Client, current: String, previous: Vec<String>) -> Self {
        Self { client, current, previous, current_kid: OnceCell::new() }
    }

    /// The realm's keys as the environment names them (`SIGNING_KEY_ID`, `PREVIOUS_SIGNING_KEY_IDS`).
    pub fn from_env(config: &aws_config::SdkConfig) -> Result<Self, crate::config::MissingEnv> {
        use crate::config::Env;
        Ok(Self::new(client(config), Env::signing_key_id()?, Env::previous_signing_key_ids()))
    }

    async fn public_jwk(&self, key_id: &str) -> Result<PublicJwk, PortError> {
        let out = self
            .client
            .get_public_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| unavailable("kms:GetPublicKey", &e))?;
        let der = out.public_key().ok_or_else(|| PortError::Unavailable("kms:GetPublicKey: no key".into()))?;
        PublicJwk::from_spki_der(der.as_ref()).map_err(|e| PortError::Unavailable(format!("kms:GetPublicKey: {e}")))
    }
}

fn unavailable<E: std::error::Error + 'static>(op: &str, e: &aws_sdk_kms::error::SdkError<E>) -> PortError {
    PortError::Unavailable(format!("{op}: {}", aws_sdk_kms::error::DisplayErrorContext(e)))
}

impl Signer for KmsKeys {
    async fn sign_es256(&self, message: &[u8]) -> Result<Vec<u8>, PortError> {
        // RAW: KMS hashes with SHA-256 itself (JWS signing inputs are far below its 4 KiB limit).
        // DIGEST would save a few bytes but moto's implementation of it hashes twice.
        let out = self
            .client
            .sign()
            .key_id(&self.current)
            .message(Blob::new(message.to_vec()))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(|e| unavailable("kms:Sign", &e))?;
        out.signature().map(|b| b.as_ref().to_vec()).ok_or_else(|| PortError::Unavailable("kms:Sign: empty".into()))
    }

    async fn key_id(&self) -> Result<String, PortError> {
        self.current_kid.get_or_try_init(|| async { Ok(self.public_jwk(&self.current).await?.kid) }).await.cloned()
    }
}

impl PublicKeySource for KmsKeys {
    async fn public_keys(&self) -> Result<Vec<PublicJwk>, PortError> {
        let mut keys = vec![self.public_jwk(&self.current).await?];
        for k in &self.previous {
            keys.push(self.public_jwk(k).await?);
        }
        Ok(keys)
    }
}

/// A KMS client from the shared configuration.
pub fn client(config: &aws_config::SdkConfig) -> Client {
    Client::new(config)
}

/// Where a verifier finds the realm's public keys. `Pinned`: the JWKS the deployment read from KMS once and
/// put in `SIGNING_PUBLIC_JWKS`, so a protected function's first request makes no KMS call (no TLS
/// connection to KMS on a cold start, no `kms:GetPublicKey` round trip). `Kms`: `GetPublicKey` on first use,
/// when nothing is pinned.
pub enum VerifierKeys {
    Pinned(Vec<PublicJwk>),
    Kms(KmsKeys),
}

impl PublicKeySource for VerifierKeys {
    async fn public_keys(&self) -> Result<Vec<PublicJwk>, PortError> {
        match self {
            Self::Pinned(keys) => Ok(keys.clone()),
            Self::Kms(kms) => kms.public_keys().await,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifierConfigError {
    #[error(transparent)]
    Missing(#[from] crate::config::MissingEnv),
    #[error("SIGNING_PUBLIC_JWKS is not a JWKS of ES256 P-256 keys: {0}")]
    BadJwks(String),
}

/// Parses a pinned JWKS (`{"keys":[...]}`); only ES256 signing keys on P-256 are accepted, at least one.
pub fn parse_pinned_jwks(text: &str) -> Result<Vec<PublicJwk>, VerifierConfigError> {
    #[derive(serde::Deserialize)]
    struct Jwks {
        keys: Vec<PublicJwk>,
    }
    let jwks: Jwks = serde_json::from_str(text).map_err(|e| VerifierConfigError::BadJwks(e.to_string()))?;
    if jwks.keys.is_empty() {
        return Err(VerifierConfigError::BadJwks("no keys".into()));
    }
    for k in &jwks.keys {
        if !k.is_es256_signing_key() {
            return Err(VerifierConfigError::BadJwks(format!("key {} is not an ES256 P-256 signing key", k.kid)));
        }
    }
    Ok(jwks.keys)
}

/// The shared access-token verifier, wired from the environment (`SIGNING_PUBLIC_JWKS` when pinned, else
/// `SIGNING_KEY_ID` and `PREVIOUS_SIGNING_KEY_IDS`; `ISSUER_BASE_URL`). A bad pinned JWKS fails the init.
pub fn verifier(config: &aws_config::SdkConfig) -> Result<domain::auth::Verifier<VerifierKeys>, VerifierConfigError> {
    use crate::config::Env;
    let keys = match Env::signing_public_jwks() {
        Some(text) => VerifierKeys::Pinned(parse_pinned_jwks(&text)?),
        None => VerifierKeys::Kms(KmsKeys::from_env(config)?),
    };
    Ok(domain::auth::Verifier::new(keys, Env::issuer()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(kty: &str, crv: &str) -> String {
        format!(r#"{{"kty":"{kty}","crv":"{crv}","x":"AA","y":"BB","kid":"k1","alg":"ES256","use":"sig"}}"#)
    }

    #[tokio::test]
    async fn a_pinned_jwks_is_served_as_it_was_pinned() {
        let keys = parse_pinned_jwks(&format!(r#"{{"keys":[{}]}}"#, jwk("EC", "P-256"))).unwrap();
        let source = VerifierKeys::Pinned(keys);
        let served = source.public_keys().await.unwrap();
        assert_eq!(served.len(), 1);
        assert_eq!(served[0].kid, "k1");
    }

    #[test]
    fn a_bad_pinned_jwks_is_refused() {
        for text in [
            "not json".to_string(),
            r#"{"keys":[]}"#.to_string(),
            format!(r#"{{"keys":[{}]}}"#, jwk("RSA", "P-256")),
            format!(r#"{{"keys":[{}]}}"#, jwk("EC", "P-384")),
        ] {
            assert!(matches!(parse_pinned_jwks(&text), Err(VerifierConfigError::BadJwks(_))), "{text}");
        }
    }
}
