//! Access tokens: JWT (ES256) issuing and the one verifier every protected function uses.

pub mod jwk;
pub mod jwt;
pub mod permissions;
pub mod verifier;

pub use permissions::Permission;
pub use verifier::{AuthError, Principal, Verifier};
