//! Narrow storage ports of the realm.

use std::future::Future;

use super::{Client, ClientId, LockoutRecord, RefreshFamily, RefreshRecord, User, Username};
use crate::ports::PortError;

pub trait UserStore: Send + Sync {
    fn get_user(&self, username: &Username) -> impl Future<Output = Result<Option<User>, PortError>> + Send;
    fn put_user(&self, user: &User) -> impl Future<Output = Result<(), PortError>> + Send;
}

pub trait ClientStore: Send + Sync {
    fn get_client(&self, id: &ClientId) -> impl Future<Output = Result<Option<Client>, PortError>> + Send;
    fn put_client(&self, client: &Client) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// Failed-login counters, keyed by the username as typed (existing or not, so that lockout
/// behaves the same for unknown users and cannot be used to enumerate them).
pub trait LockoutStore: Send + Sync {
    fn get_lockout(&self, username: &Username)
    -> impl Future<Output = Result<Option<LockoutRecord>, PortError>> + Send;
    /// Writes `record` only if the stored version is `expected_version` (`None`: no record yet);
    /// otherwise `PortError::Conflict`.
    fn put_lockout(
        &self,
        username: &Username,
        record: &LockoutRecord,
        expected_version: Option<u64>,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    fn clear_lockout(&self, username: &Username) -> impl Future<Output = Result<(), PortError>> + Send;
}

pub trait RefreshTokenStore: Send + Sync {
    /// Creates the family and its first token together.
    fn start_family(
        &self,
        family: &RefreshFamily,
        first: &RefreshRecord,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    fn get_refresh(&self, token_hash: &str) -> impl Future<Output = Result<Option<RefreshRecord>, PortError>> + Send;
    fn get_family(&self, family_id: &str) -> impl Future<Output = Result<Option<RefreshFamily>, PortError>> + Send;
    /// Atomically: `old` Active -> Rotated, `next` inserted, family not revoked.
    /// Any guard failing -> `PortError::Conflict` and nothing written.
    fn rotate(&self, old_hash: &str, next: &RefreshRecord) -> impl Future<Output = Result<(), PortError>> + Send;
    fn revoke_family(&self, family_id: &str) -> impl Future<Output = Result<(), PortError>> + Send;
}

use std::sync::Arc;

impl<T: UserStore> UserStore for Arc<T> {
    fn get_user(&self, u: &Username) -> impl Future<Output = Result<Option<User>, PortError>> + Send {
        (**self).get_user(u)
    }
    fn put_user(&self, user: &User) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).put_user(user)
    }
}
impl<T: ClientStore> ClientStore for Arc<T> {
    fn get_client(&self, id: &ClientId) -> impl Future<Output = Result<Option<Client>, PortError>> + Send {
        (**self).get_client(id)
    }
    fn put_client(&self, c: &Client) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).put_client(c)
    }
}
impl<T: LockoutStore> LockoutStore for Arc<T> {
    fn get_lockout(&self, u: &Username) -> impl Future<Output = Result<Option<LockoutRecord>, PortError>> + Send {
        (**self).get_lockout(u)
    }
    fn put_lockout(
        &self,
        u: &Username,
        r: &LockoutRecord,
        v: Option<u64>,
    ) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).put_lockout(u, r, v)
    }
    fn clear_lockout(&self, u: &Username) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).clear_lockout(u)
    }
}
impl<T: RefreshTokenStore> RefreshTokenStore for Arc<T> {
    fn start_family(&self, f: &RefreshFamily, r: &RefreshRecord) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).start_family(f, r)
    }
    fn get_refresh(&self, h: &str) -> impl Future<Output = Result<Option<RefreshRecord>, PortError>> + Send {
        (**self).get_refresh(h)
    }
    fn get_family(&self, id: &str) -> impl Future<Output = Result<Option<RefreshFamily>, PortError>> + Send {
        (**self).get_family(id)
    }
    fn rotate(&self, h: &str, next: &RefreshRecord) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).rotate(h, next)
    }
    fn revoke_family(&self, id: &str) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).revoke_family(id)
    }
}
