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

/// The shared access-token verifier, wired from the environment (`SIGNING_KEY_ID`,
/// `PREVIOUS_SIGNING_KEY_IDS`, `ISSUER_BASE_URL`).
pub fn verifier(config: &aws_config::SdkConfig) -> Result<domain::auth::Verifier<KmsKeys>, crate::config::MissingEnv> {
    use crate::config::Env;
    Ok(domain::auth::Verifier::new(
        KmsKeys::new(client(config), Env::signing_key_id()?, Env::previous_signing_key_ids()),
        Env::issuer()?,
    ))
}
