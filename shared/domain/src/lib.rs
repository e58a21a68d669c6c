//! The bank's domain: identities and tokens, and (later) customers, deposits and approvals.
//!
//! Nothing here knows about AWS or HTTP. Storage, signing, time and randomness are reached through
//! the narrow port traits in [`ports`]; adapters implement them (see the `adapters` crate) and the
//! in-memory fakes in [`testing`] implement them for unit tests.

pub mod auth;
pub mod banking;
pub mod cdp;
pub mod idempotency;
pub mod identity;
pub mod ports;

#[cfg(feature = "testing")]
pub mod testing;
