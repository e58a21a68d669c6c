//! Idempotent writes: an `Idempotency-Key` makes a retry return the first answer without a
//! second effect; the same key with a different payload is refused. (As AWS Lambda Powertools
//! does it: a conditional put takes the key; COMPLETED returns the stored answer; a failure
//! releases the key so the retry can run.)

use std::future::Future;

use crate::ports::PortError;

/// An answer as stored: HTTP status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    pub status: u16,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours: run the command.
    Acquired,
    /// Done before with the same payload: answer this.
    Completed(StoredReply),
    /// Another attempt with this key is running right now.
    InProgress,
    /// The key was used with a different payload.
    Mismatch,
}

#[derive(Debug, Clone, Copy)]
pub struct IdempotencyPolicy {
    /// How long a completed answer is kept.
    pub keep_secs: i64,
    /// After this, an in-progress claim is considered abandoned (longer than the function timeout).
    pub in_progress_secs: i64,
}

impl Default for IdempotencyPolicy {
    fn default() -> Self {
        Self { keep_secs: 24 * 3600, in_progress_secs: 60 }
    }
}

pub trait IdempotencyStore: Send + Sync {
    /// Atomically claims `key` for `payload_hash`, or reports what holds it.
    fn claim(
        &self,
        key: &str,
        payload_hash: &str,
        now: i64,
        policy: &IdempotencyPolicy,
    ) -> impl Future<Output = Result<Claim, PortError>> + Send;
    fn complete(
        &self,
        key: &str,
        reply: &StoredReply,
        now: i64,
        policy: &IdempotencyPolicy,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    fn release(&self, key: &str) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// A valid `Idempotency-Key`: 1..=128 visible ASCII characters.
pub fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 128 && k.bytes().all(|b| b.is_ascii_graphic())
}

/// The stored key: scoped to the caller, hashed (the header value is the caller's, not ours).
pub fn scoped_key(caller_sub: &str, key: &str) -> String {
    crate::identity::sha256_hex(&format!("{caller_sub}\u{1f}{key}"))
}

pub fn payload_hash(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

/// What to do with a request carrying an idempotency key.
pub enum Outcome<T> {
    Fresh(T),
    Replay(StoredReply),
    InProgress,
    Mismatch,
}

/// Runs `work` once per (caller, key, payload). Answers with status >= 500 are not kept, so a retry
/// runs again; every other answer is stored and replayed.
pub async fn run_once<S, F, Fut>(
    store: &S,
    key: &str,
    payload_hash: &str,
    now: i64,
    work: F,
) -> Result<Outcome<StoredReply>, PortError>
where
    S: IdempotencyStore,
    F: FnOnce() -> Fut,
    Fut: Future<Output = StoredReply>,
{
    let policy = IdempotencyPolicy::default();
    match store.claim(key, payload_hash, now, &policy).await? {
        Claim::Completed(r) => Ok(Outcome::Replay(r)),
        Claim::InProgress => Ok(Outcome::InProgress),
        Claim::Mismatch => Ok(Outcome::Mismatch),
        Claim::Acquired => {
            let reply = work().await;
            if reply.status >= 500 {
                store.release(key).await?;
            } else {
                store.complete(key, &reply, now, &policy).await?;
            }
            Ok(Outcome::Fresh(reply))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemoryIdempotency;

    fn reply(status: u16, body: &str) -> StoredReply {
        StoredReply { status, body: body.into() }
    }

    #[tokio::test]
    async fn second_call_replays_without_running() {
        let store = MemoryIdempotency::default();
        let first = run_once(&store, "k", "h1", 100, || async { reply(200, "first") }).await.unwrap();
        assert!(matches!(first, Outcome::Fresh(r) if r.body == "first"));
        let second = run_once(&store, "k", "h1", 101, || async { panic!("must not run twice") }).await.unwrap();
        assert!(matches!(second, Outcome::Replay(r) if r.body == "first"));
        let other = run_once(&store, "k", "h2", 102, || async { panic!("must not run") }).await.unwrap();
        assert!(matches!(other, Outcome::Mismatch));
    }

    #[tokio::test]
    async fn server_errors_are_not_kept() {
        let store = MemoryIdempotency::default();
        let _ = run_once(&store, "k", "h", 100, || async { reply(500, "boom") }).await.unwrap();
        let again = run_once(&store, "k", "h", 101, || async { reply(200, "ok") }).await.unwrap();
        assert!(matches!(again, Outcome::Fresh(r) if r.status == 200));
    }

    #[test]
    fn keys() {
        assert!(valid_key("6f1c-42"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"x".repeat(129)));
        assert_ne!(scoped_key("a", "k"), scoped_key("b", "k"));
    }
}
