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
#[derive(Clone)]
pub struct SoftwareSigner {
    key: std::sync::Arc<aws_lc_rs::signature::EcdsaKeyPair>,
    pub jwk: PublicJwk,
}
impl SoftwareSigner {
    pub fn generate() -> Self {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let jwk = PublicJwk::from_uncompressed_point(key.public_key().as_ref()).unwrap();
        Self { key: std::sync::Arc::new(key), jwk }
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

/// In-memory bank store with the same guards as the DynamoDB adapter.
#[derive(Default)]
pub struct MemoryBank {
    pub id_documents: Mutex<HashMap<(String, String), String>>,
    pub ecrns: Mutex<HashMap<String, String>>,
    pub alerts: Mutex<Vec<crate::banking::store::AmlAlert>>,
    pub customers: Mutex<HashMap<String, crate::banking::Customer>>,
    pub deposits: Mutex<HashMap<String, crate::banking::Deposit>>,
    pub audit: Mutex<Vec<crate::banking::AuditRecord>>,
    pub outbox: Mutex<Vec<crate::banking::Notification>>,
    pub sequence: AtomicU64,
}

impl crate::banking::store::BankStore for MemoryBank {
    async fn get_customer(
        &self,
        key: &crate::banking::values::EncodedKey,
    ) -> Result<Option<crate::banking::Customer>, PortError> {
        Ok(self.customers.lock().unwrap().get(key.as_str()).cloned())
    }
    async fn get_deposit(
        &self,
        key: &crate::banking::values::EncodedKey,
    ) -> Result<Option<crate::banking::Deposit>, PortError> {
        Ok(self.deposits.lock().unwrap().get(key.as_str()).cloned())
    }
    async fn insert(
        &self,
        record: &crate::banking::store::Record,
        audit: &crate::banking::AuditRecord,
    ) -> Result<(), PortError> {
        use crate::banking::store::Record;
        match record {
            Record::Customer(c) => {
                let mut map = self.customers.lock().unwrap();
                let mut docs = self.id_documents.lock().unwrap();
                let doc = (c.id_type.as_str().to_owned(), c.id_number.as_str().to_owned());
                if docs.contains_key(&doc) || map.contains_key(c.key.as_str()) {
                    return Err(PortError::Conflict);
                }
                docs.insert(doc, c.key.as_str().to_owned());
                map.insert(c.key.as_str().to_owned(), c.clone());
            }
            Record::Deposit(d) => {
                let mut map = self.deposits.lock().unwrap();
                if map.contains_key(d.key.as_str()) {
                    return Err(PortError::Conflict);
                }
                map.insert(d.key.as_str().to_owned(), d.clone());
            }
        }
        self.audit.lock().unwrap().push(audit.clone());
        Ok(())
    }
    async fn commit(&self, change: &crate::banking::store::Change) -> Result<(), PortError> {
        use crate::banking::store::Record;
        let mut customers = self.customers.lock().unwrap();
        let mut deposits = self.deposits.lock().unwrap();
        match &change.record {
            Record::Customer(c) => {
                let cur = customers.get(c.key.as_str()).ok_or(PortError::Conflict)?;
                if cur.version != change.expected_version || cur.status.as_str() != change.expected_status {
                    return Err(PortError::Conflict);
                }
                customers.insert(c.key.as_str().to_owned(), c.clone());
            }
            Record::Deposit(d) => {
                let cur = deposits.get(d.key.as_str()).ok_or(PortError::Conflict)?;
                if cur.version != change.expected_version || cur.status.as_str() != change.expected_status {
                    return Err(PortError::Conflict);
                }
                deposits.insert(d.key.as_str().to_owned(), d.clone());
            }
        }
        self.audit.lock().unwrap().push(change.audit.clone());
        if let Some(n) = &change.notification {
            self.outbox.lock().unwrap().push(n.clone());
        }
        Ok(())
    }
    async fn find_by_id_document(
        &self,
        id_type: &crate::banking::values::IdType,
        id_number: &crate::banking::values::IdNumber,
    ) -> Result<Option<crate::banking::values::EncodedKey>, PortError> {
        let docs = self.id_documents.lock().unwrap();
        Ok(docs
            .get(&(id_type.as_str().to_owned(), id_number.as_str().to_owned()))
            .and_then(|k| crate::banking::values::EncodedKey::parse(k)))
    }
    async fn save_onboarding(&self, w: &crate::banking::store::OnboardingWrite) -> Result<(), PortError> {
        let c = &w.customer;
        let mut map = self.customers.lock().unwrap();
        let mut docs = self.id_documents.lock().unwrap();
        match (w.expected_version, map.get(c.key.as_str())) {
            (None, None) => {}
            (Some(v), Some(cur)) if cur.version == v => {}
            _ => return Err(PortError::Conflict),
        }
        let key = c.key.as_str().to_owned();
        let wanted: Vec<(String, String)> =
            w.id_documents.iter().map(|(t, n)| (t.as_str().to_owned(), n.as_str().to_owned())).collect();
        if wanted.iter().any(|d| docs.get(d).is_some_and(|owner| owner != &key)) {
            return Err(PortError::Conflict);
        }
        for d in wanted {
            docs.insert(d, key.clone());
        }
        if let Some(p) = &c.cdp {
            self.ecrns.lock().unwrap().insert(p.ecrn.clone(), key.clone());
        }
        if let Some(a) = &w.alert {
            self.alerts.lock().unwrap().push(a.clone());
        }
        self.outbox.lock().unwrap().extend(w.notifications.iter().cloned());
        map.insert(key, c.clone());
        self.audit.lock().unwrap().push(w.audit.clone());
        Ok(())
    }
    async fn find_by_ecrn(&self, ecrn: &str) -> Result<Option<crate::banking::values::EncodedKey>, PortError> {
        Ok(self.ecrns.lock().unwrap().get(ecrn).and_then(|k| crate::banking::values::EncodedKey::parse(k)))
    }
    async fn get_alert(&self, id: &str) -> Result<Option<crate::banking::store::AmlAlert>, PortError> {
        Ok(self.alerts.lock().unwrap().iter().find(|a| a.alert_id == id).cloned())
    }
    async fn alerts_of(
        &self,
        customer: &crate::banking::values::EncodedKey,
    ) -> Result<Vec<crate::banking::store::AmlAlert>, PortError> {
        Ok(self.alerts.lock().unwrap().iter().filter(|a| &a.customer_key == customer).cloned().collect())
    }
    async fn close_alert(&self, w: &crate::banking::store::AlertClosure) -> Result<(), PortError> {
        let mut map = self.customers.lock().unwrap();
        let mut alerts = self.alerts.lock().unwrap();
        let cur = map.get(w.customer.key.as_str()).ok_or(PortError::Conflict)?;
        let alert = alerts.iter_mut().find(|a| a.alert_id == w.alert.alert_id).ok_or(PortError::Conflict)?;
        if cur.version != w.expected_version || !alert.is_open() {
            return Err(PortError::Conflict);
        }
        *alert = w.alert.clone();
        map.insert(w.customer.key.as_str().to_owned(), w.customer.clone());
        self.audit.lock().unwrap().push(w.audit.clone());
        Ok(())
    }
    async fn next_sequence(&self, _name: &str) -> Result<u64, PortError> {
        Ok(self.sequence.fetch_add(1, Ordering::SeqCst) + 1)
    }
    async fn history(
        &self,
        entity: crate::banking::EntityKind,
        key: &crate::banking::values::EncodedKey,
    ) -> Result<Vec<crate::banking::AuditRecord>, PortError> {
        Ok(self
            .audit
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.entity == entity && a.entity_key == key.as_str())
            .cloned()
            .collect())
    }
    async fn pending(
        &self,
        q: &crate::banking::store::InboxQuery,
    ) -> Result<crate::banking::store::InboxPage, PortError> {
        use crate::banking::store::{InboxItem, InboxPage};
        let customers = self.customers.lock().unwrap();
        let deposits = self.deposits.lock().unwrap();
        let mut items: Vec<InboxItem> = customers
            .values()
            .filter_map(|c| pending_item(c, q))
            .chain(deposits.values().filter_map(|d| pending_item(d, q)))
            .collect();
        items.sort_by(|a, b| a.requested_at.cmp(&b.requested_at).then(a.key.cmp(&b.key)));
        let start =
            q.page_token.as_ref().and_then(|t| items.iter().position(|i| &i.key == t).map(|p| p + 1)).unwrap_or(0);
        let rest: Vec<_> = items.into_iter().skip(start).collect();
        let next = (rest.len() > q.limit).then(|| rest[q.limit - 1].key.clone());
        Ok(InboxPage { items: rest.into_iter().take(q.limit).collect(), next_page_token: next })
    }
}

fn pending_item<E: crate::banking::approval::Approvable>(
    e: &E,
    q: &crate::banking::store::InboxQuery,
) -> Option<crate::banking::store::InboxItem> {
    let a = e.approval()?;
    let ok = e.is_pending()
        && e.created_by() != q.exclude_sub
        && a.requested_by != q.exclude_sub
        && q.branch.as_deref().is_none_or(|b| b == e.branch())
        && q.kind.is_none_or(|k| k == E::KIND);
    ok.then(|| crate::banking::store::InboxItem {
        entity: E::KIND,
        key: e.key().as_str().to_owned(),
        branch: e.branch().to_owned(),
        status: e.status_label(),
        requested_by: a.requested_by.clone(),
        requested_by_username: a.requested_by_username.clone(),
        requested_at: a.requested_at.clone(),
        request_comment: a.request_comment.clone(),
    })
}

/// (payload hash, stored reply once completed, expiry)
type IdempotencyEntry = (String, Option<crate::idempotency::StoredReply>, i64);

/// In-memory idempotency records with the same claim rules as the DynamoDB adapter.
#[derive(Default)]
pub struct MemoryIdempotency {
    records: Mutex<HashMap<String, IdempotencyEntry>>,
}

impl crate::idempotency::IdempotencyStore for MemoryIdempotency {
    async fn claim(
        &self,
        key: &str,
        payload_hash: &str,
        now: i64,
        policy: &crate::idempotency::IdempotencyPolicy,
    ) -> Result<crate::idempotency::Claim, PortError> {
        use crate::idempotency::Claim;
        let mut map = self.records.lock().unwrap();
        match map.get(key) {
            Some((hash, _, until)) if *until > now && hash != payload_hash => Ok(Claim::Mismatch),
            Some((_, Some(reply), until)) if *until > now => Ok(Claim::Completed(reply.clone())),
            Some((_, None, until)) if *until > now => Ok(Claim::InProgress),
            _ => {
                map.insert(key.to_owned(), (payload_hash.to_owned(), None, now + policy.in_progress_secs));
                Ok(Claim::Acquired)
            }
        }
    }
    async fn complete(
        &self,
        key: &str,
        reply: &crate::idempotency::StoredReply,
        now: i64,
        policy: &crate::idempotency::IdempotencyPolicy,
    ) -> Result<(), PortError> {
        if let Some(r) = self.records.lock().unwrap().get_mut(key) {
            r.1 = Some(reply.clone());
            r.2 = now + policy.keep_secs;
        }
        Ok(())
    }
    async fn release(&self, key: &str) -> Result<(), PortError> {
        self.records.lock().unwrap().remove(key);
        Ok(())
    }
}

/// In-memory outbox: (notification, status "pending"|"sending"|"sent", lease_until).
#[derive(Default)]
pub struct MemoryOutbox {
    items: Mutex<Vec<(crate::banking::Notification, &'static str, i64)>>,
}

impl MemoryOutbox {
    pub fn add(&self, n: crate::banking::Notification) {
        self.items.lock().unwrap().push((n, "pending", 0));
    }
}

impl crate::banking::relay::Outbox for MemoryOutbox {
    async fn pending(&self, limit: usize) -> Result<Vec<crate::banking::Notification>, PortError> {
        Ok(self.items.lock().unwrap().iter().filter(|i| i.1 != "sent").take(limit).map(|i| i.0.clone()).collect())
    }
    async fn get(&self, id: &str) -> Result<Option<crate::banking::Notification>, PortError> {
        Ok(self.items.lock().unwrap().iter().find(|i| i.0.id == id).map(|i| i.0.clone()))
    }
    async fn claim(&self, id: &str, now: i64, lease: i64) -> Result<bool, PortError> {
        let mut items = self.items.lock().unwrap();
        let Some(i) = items.iter_mut().find(|i| i.0.id == id) else { return Ok(false) };
        if i.1 == "pending" || (i.1 == "sending" && i.2 < now) {
            i.1 = "sending";
            i.2 = now + lease;
            Ok(true)
        } else {
            Ok(false)
        }
    }
    async fn mark_sent(&self, id: &str, _now: i64) -> Result<(), PortError> {
        if let Some(i) = self.items.lock().unwrap().iter_mut().find(|i| i.0.id == id) {
            i.1 = "sent";
        }
        Ok(())
    }
    async fn release(&self, id: &str) -> Result<(), PortError> {
        if let Some(i) = self.items.lock().unwrap().iter_mut().find(|i| i.0.id == id) {
            i.1 = "pending";
        }
        Ok(())
    }
}

/// Records what was published; can be switched "down".
#[derive(Default)]
pub struct RecordingPublisher {
    down: std::sync::atomic::AtomicBool,
    published: Mutex<Vec<crate::banking::Notification>>,
}

impl RecordingPublisher {
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
    pub fn published(&self) -> Vec<crate::banking::Notification> {
        self.published.lock().unwrap().clone()
    }
}

impl crate::banking::relay::Publisher for RecordingPublisher {
    async fn publish(&self, n: &crate::banking::Notification) -> Result<(), PortError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::Unavailable("sns down".into()));
        }
        self.published.lock().unwrap().push(n.clone());
        Ok(())
    }
}

/// In-memory document store; can be told to fail the n-th put.
#[derive(Default)]
pub struct MemoryDocuments {
    pub objects: Mutex<HashMap<String, (Vec<u8>, String)>>,
    pub fail_put_number: Mutex<Option<usize>>,
    puts: AtomicU64,
}

impl crate::cdp::ports::DocumentStore for MemoryDocuments {
    async fn put(&self, key: &str, bytes: &[u8], content_type: &str, _sha256: &str) -> Result<(), PortError> {
        let n = self.puts.fetch_add(1, Ordering::SeqCst) as usize;
        if *self.fail_put_number.lock().unwrap() == Some(n) {
            return Err(PortError::Unavailable("s3 down".into()));
        }
        self.objects.lock().unwrap().insert(key.to_owned(), (bytes.to_vec(), content_type.to_owned()));
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.objects.lock().unwrap().remove(key);
        Ok(())
    }
}

/// The repository's code tables (`infra/reference-data/code-tables.json`), as loaded in AWS.
pub struct RepoCodeTables(pub std::sync::Arc<crate::cdp::ports::CodeTables>);

impl RepoCodeTables {
    pub fn load() -> Self {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/reference-data/code-tables.json")).unwrap();
        let tables = v["tables"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, t)| (k.clone(), t.as_object().unwrap().keys().cloned().collect()))
            .collect();
        Self(std::sync::Arc::new(crate::cdp::ports::CodeTables {
            version: v["version"].as_str().unwrap().into(),
            tables,
        }))
    }
}

impl crate::cdp::ports::ReferenceData for RepoCodeTables {
    async fn code_tables(&self) -> Result<std::sync::Arc<crate::cdp::ports::CodeTables>, PortError> {
        Ok(self.0.clone())
    }
}

/// Screening with a fixed answer.
pub struct FixedScreening(pub crate::cdp::ports::ScreeningVerdict, pub bool);

impl crate::cdp::ports::Screening for FixedScreening {
    async fn screen(
        &self,
        _s: &crate::cdp::ports::ScreeningSubject,
    ) -> Result<crate::cdp::ports::ScreeningResult, PortError> {
        Ok(crate::cdp::ports::ScreeningResult { verdict: self.0, pep_match: self.1, matched_ids: vec![] })
    }
}

/// A bank store whose backend is down: every call fails as an outage would.
pub struct DownBank;

fn down<T>() -> Result<T, PortError> {
    Err(PortError::Unavailable("backend down".into()))
}

impl crate::banking::store::BankStore for DownBank {
    async fn get_customer(
        &self,
        _: &crate::banking::values::EncodedKey,
    ) -> Result<Option<crate::banking::Customer>, PortError> {
        down()
    }
    async fn get_deposit(
        &self,
        _: &crate::banking::values::EncodedKey,
    ) -> Result<Option<crate::banking::Deposit>, PortError> {
        down()
    }
    async fn insert(
        &self,
        _: &crate::banking::store::Record,
        _: &crate::banking::AuditRecord,
    ) -> Result<(), PortError> {
        down()
    }
    async fn commit(&self, _: &crate::banking::store::Change) -> Result<(), PortError> {
        down()
    }
    async fn next_sequence(&self, _: &str) -> Result<u64, PortError> {
        down()
    }
    async fn history(
        &self,
        _: crate::banking::EntityKind,
        _: &crate::banking::values::EncodedKey,
    ) -> Result<Vec<crate::banking::AuditRecord>, PortError> {
        down()
    }
    async fn pending(
        &self,
        _: &crate::banking::store::InboxQuery,
    ) -> Result<crate::banking::store::InboxPage, PortError> {
        down()
    }
    async fn find_by_id_document(
        &self,
        _: &crate::banking::values::IdType,
        _: &crate::banking::values::IdNumber,
    ) -> Result<Option<crate::banking::values::EncodedKey>, PortError> {
        down()
    }
    async fn save_onboarding(&self, _: &crate::banking::store::OnboardingWrite) -> Result<(), PortError> {
        down()
    }
    async fn find_by_ecrn(&self, _: &str) -> Result<Option<crate::banking::values::EncodedKey>, PortError> {
        down()
    }
    async fn get_alert(&self, _: &str) -> Result<Option<crate::banking::store::AmlAlert>, PortError> {
        down()
    }
    async fn alerts_of(
        &self,
        _: &crate::banking::values::EncodedKey,
    ) -> Result<Vec<crate::banking::store::AmlAlert>, PortError> {
        down()
    }
    async fn close_alert(&self, _: &crate::banking::store::AlertClosure) -> Result<(), PortError> {
        down()
    }
}

/// An access token signed by `signer`, as the token service would issue it (10 minutes).
pub async fn signed_token(
    signer: &SoftwareSigner,
    iss: &str,
    sub: &str,
    branch: Option<&str>,
    agent_location_id: Option<&str>,
    permissions: &[&str],
) -> String {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let claims = crate::auth::jwt::AccessClaims {
        iss: iss.into(),
        sub: sub.into(),
        azp: "test-client".into(),
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: format!("jti-{sub}-{now}"),
        typ: "Bearer".into(),
        scope: "openid".into(),
        sid: None,
        preferred_username: sub.into(),
        email: Some(format!("{sub}@bank.local")),
        branch: branch.map(str::to_owned),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
        agent_location_id: agent_location_id.map(str::to_owned),
    };
    crate::auth::jwt::sign(signer, &signer.jwk.kid, &claims).await.expect("software signing works")
}
