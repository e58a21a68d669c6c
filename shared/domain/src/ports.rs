//! Port traits: what the domain needs from the outside world, and nothing more.

use std::future::Future;

use time::OffsetDateTime;

use crate::auth::jwk::PublicJwk;

/// A failure of a backing service. Never carries PII: adapters put only operation names,
/// error codes and request ids in it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PortError {
    /// A conditional write lost: the guarded state was not what the caller expected.
    #[error("condition failed")]
    Conflict,
    /// The caller passed something the backend cannot use (e.g. a forged page token).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// The backing service failed or could not be reached.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
}

/// The current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// Unpredictable identifiers and secrets.
pub trait IdGenerator: Send + Sync {
    /// A random identifier for records (UUID-like, not secret).
    fn new_id(&self) -> String;
    /// `n` bytes from a cryptographically secure source.
    fn secret_bytes(&self, n: usize) -> Vec<u8>;
}

/// Signs JWS signing inputs with the current token-signing key. The private key never leaves
/// the signer (KMS in AWS and locally).
pub trait Signer: Send + Sync {
    /// Signs `message` (a JWS signing input) with ECDSA P-256 over SHA-256; returns the
    /// DER-encoded signature as KMS does.
    fn sign_es256(&self, message: &[u8]) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send;
    /// The `kid` (RFC 7638 thumbprint) of the key `sign_es256` uses.
    fn key_id(&self) -> impl Future<Output = Result<String, PortError>> + Send;
}

/// Publishes the public half of the signing keys (current first, then keys still accepted).
pub trait PublicKeySource: Send + Sync {
    fn public_keys(&self) -> impl Future<Output = Result<Vec<PublicJwk>, PortError>> + Send;
}

/// Where the realm's users, clients, lockout counters and refresh tokens live.
pub use crate::identity::store::{ClientStore, LockoutStore, RefreshTokenStore, UserStore};

// Shared ownership of an adapter is as good as the adapter.
use std::sync::Arc;

impl<T: Clock + ?Sized> Clock for Arc<T> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}
impl<T: Signer> Signer for Arc<T> {
    fn sign_es256(&self, message: &[u8]) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send {
        (**self).sign_es256(message)
    }
    fn key_id(&self) -> impl Future<Output = Result<String, PortError>> + Send {
        (**self).key_id()
    }
}
impl<T: PublicKeySource> PublicKeySource for Arc<T> {
    fn public_keys(&self) -> impl Future<Output = Result<Vec<PublicJwk>, PortError>> + Send {
        (**self).public_keys()
    }
}
