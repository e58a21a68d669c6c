//! In-memory fakes of the ports, for unit tests. They honour the same conditional-write
//! contracts as the real adapters (which are tested against DynamoDB Local and moto).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;

use crate::auth::jwk::PublicJwk;
use crate::identity::store::*;
use crate::identity::{Client, ClientId, LockoutRecord, RefreshFamily, RefreshRecord, RefreshStatus, User, Username};
use crate::ports::*;

/// A clock that stands still until moved.
pub struct FixedClock(pub Mutex<OffsetDateTime>);
impl FixedClock {
    pub fn at(unix: i64) -> Self {
        Self(Mutex::new(OffsetDateTime::from_unix_timestamp(unix).unwrap()))
    }
    pub fn advance(&self, secs: i64) {
        let mut t = self.0.lock().unwrap();
        *t += time::Duration::seconds(secs);
    }
}
impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// Deterministic ids; secrets are distinct per call.
#[derive(Default)]
pub struct SeqIds(AtomicU64);
impl IdGenerator for SeqIds {
    fn new_id(&self) -> String {
        format!("id-{}", self.0.fetch_add(1, Ordering::SeqCst))
    }
    fn secret_bytes(&self, n: usize) -> Vec<u8> {
        let k = self.0.fetch_add(1, Ordering::SeqCst);
        (0..n).map(|i| (k as u8).wrapping_mul(31).wrapping_add(i as u8)).collect()
    }
}

/// An ES256 signer with a software key made fresh for each test (the real one is KMS).
pub struct SoftwareSigner {
    key: aws_lc_rs::signature::EcdsaKeyPair,
    pub jwk: PublicJwk,
}
impl SoftwareSigner {
    pub fn generate() -> Self {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let jwk = PublicJwk::from_uncompressed_point(key.public_key().as_ref()).unwrap();
        Self { key, jwk }
    }
}
impl Signer for SoftwareSigner {
    async fn sign_es256(&self, message: &[u8]) -> Result<Vec<u8>, PortError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sig = self.key.sign(&rng, message).map_err(|_| PortError::Unavailable("sign".into()))?;
        Ok(sig.as_ref().to_vec())
    }
    async fn key_id(&self) -> Result<String, PortError> {
        Ok(self.jwk.kid.clone())
    }
}

#[derive(Default)]
pub struct MemoryIdentity {
    pub users: Mutex<HashMap<String, User>>,
    pub clients: Mutex<HashMap<String, Client>>,
    pub lockouts: Mutex<HashMap<String, LockoutRecord>>,
    pub refresh: Mutex<HashMap<String, RefreshRecord>>,
    pub families: Mutex<HashMap<String, RefreshFamily>>,
}

impl UserStore for MemoryIdentity {
    async fn get_user(&self, username: &Username) -> Result<Option<User>, PortError> {
        Ok(self.users.lock().unwrap().get(username.as_str()).cloned())
    }
    async fn put_user(&self, user: &User) -> Result<(), PortError> {
        self.users.lock().unwrap().insert(user.username.as_str().to_owned(), user.clone());
        Ok(())
    }
}

impl ClientStore for MemoryIdentity {
    async fn get_client(&self, id: &ClientId) -> Result<Option<Client>, PortError> {
        Ok(self.clients.lock().unwrap().get(id.as_str()).cloned())
    }
    async fn put_client(&self, client: &Client) -> Result<(), PortError> {
        self.clients.lock().unwrap().insert(client.client_id.as_str().to_owned(), client.clone());
        Ok(())
    }
}

impl LockoutStore for MemoryIdentity {
    async fn get_lockout(&self, username: &Username) -> Result<Option<LockoutRecord>, PortError> {
        Ok(self.lockouts.lock().unwrap().get(username.as_str()).cloned())
    }
    async fn put_lockout(
        &self,
        username: &Username,
        record: &LockoutRecord,
        expected_version: Option<u64>,
    ) -> Result<(), PortError> {
        let mut map = self.lockouts.lock().unwrap();
        let current = map.get(username.as_str()).map(|r| r.version);
        if current != expected_version {
            return Err(PortError::Conflict);
        }
        map.insert(username.as_str().to_owned(), record.clone());
        Ok(())
    }
    async fn clear_lockout(&self, username: &Username) -> Result<(), PortError> {
        self.lockouts.lock().unwrap().remove(username.as_str());
        Ok(())
    }
}

impl RefreshTokenStore for MemoryIdentity {
    async fn start_family(&self, family: &RefreshFamily, first: &RefreshRecord) -> Result<(), PortError> {
        self.families.lock().unwrap().insert(family.family_id.clone(), family.clone());
        self.refresh.lock().unwrap().insert(first.token_hash.clone(), first.clone());
        Ok(())
    }
    async fn get_refresh(&self, token_hash: &str) -> Result<Option<RefreshRecord>, PortError> {
        Ok(self.refresh.lock().unwrap().get(token_hash).cloned())
    }
    async fn get_family(&self, family_id: &str) -> Result<Option<RefreshFamily>, PortError> {
        Ok(self.families.lock().unwrap().get(family_id).cloned())
    }
    async fn rotate(&self, old_hash: &str, next: &RefreshRecord) -> Result<(), PortError> {
        let families = self.families.lock().unwrap();
        let mut refresh = self.refresh.lock().unwrap();
        let revoked = families.get(&next.family_id).is_none_or(|f| f.revoked);
        let old = refresh.get_mut(old_hash).ok_or(PortError::Conflict)?;
        if revoked || old.status != RefreshStatus::Active {
            return Err(PortError::Conflict);
        }
        old.status = RefreshStatus::Rotated;
        refresh.insert(next.token_hash.clone(), next.clone());
        Ok(())
    }
    async fn revoke_family(&self, family_id: &str) -> Result<(), PortError> {
        if let Some(f) = self.families.lock().unwrap().get_mut(family_id) {
            f.revoked = true;
        }
        Ok(())
    }
}

impl PublicKeySource for SoftwareSigner {
    async fn public_keys(&self) -> Result<Vec<PublicJwk>, PortError> {
        Ok(vec![self.jwk.clone()])
    }
}
