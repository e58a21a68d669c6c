//! The outbox relay: publishes the notifications that transitions wrote to the outbox, at most
//! once each. A notification is claimed (leased) before publishing, marked sent after, and
//! released for a later retry when publishing fails, so an SNS outage delays notifications but
//! loses none; SNS FIFO deduplication (id = transition id) covers a crash between publish and mark.

use std::future::Future;

use super::approval::Notification;
use crate::ports::PortError;

pub trait Outbox: Send + Sync {
    /// Unsent notifications, oldest first.
    fn pending(&self, limit: usize) -> impl Future<Output = Result<Vec<Notification>, PortError>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Notification>, PortError>> + Send;
    /// Leases `id` until `now + lease_secs`; `false` if it is sent or leased by someone else.
    fn claim(&self, id: &str, now: i64, lease_secs: i64) -> impl Future<Output = Result<bool, PortError>> + Send;
    fn mark_sent(&self, id: &str, now: i64) -> impl Future<Output = Result<(), PortError>> + Send;
    fn release(&self, id: &str) -> impl Future<Output = Result<(), PortError>> + Send;
}

pub trait Publisher: Send + Sync {
    /// Publishes with the notification id as deduplication id.
    fn publish(&self, n: &Notification) -> impl Future<Output = Result<(), PortError>> + Send;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RelayReport {
    pub sent: Vec<String>,
    pub skipped: Vec<String>,
    pub failed: Vec<String>,
}

pub const LEASE_SECS: i64 = 60;

/// Relays one notification. `Ok(true)` sent now, `Ok(false)` nothing to do (sent or leased).
pub async fn relay_one<O: Outbox, P: Publisher>(
    outbox: &O,
    publisher: &P,
    id: &str,
    now: i64,
) -> Result<bool, PortError> {
    let Some(n) = outbox.get(id).await? else { return Ok(false) };
    if !outbox.claim(id, now, LEASE_SECS).await? {
        return Ok(false);
    }
    match publisher.publish(&n).await {
        Ok(()) => {
            outbox.mark_sent(id, now).await?;
            Ok(true)
        }
        Err(e) => {
            outbox.release(id).await?;
            Err(e)
        }
    }
}

/// Relays the given ids (stream records) or, with `None`, everything pending (sweep).
pub async fn relay<O: Outbox, P: Publisher>(
    outbox: &O,
    publisher: &P,
    ids: Option<Vec<String>>,
    now: i64,
) -> RelayReport {
    let ids = match ids {
        Some(ids) => ids,
        None => match outbox.pending(100).await {
            Ok(ns) => ns.into_iter().map(|n| n.id).collect(),
            Err(e) => {
                tracing::error!(event = "outbox_read_failed", detail = %e);
                return RelayReport::default();
            }
        },
    };
    let mut report = RelayReport::default();
    for id in ids {
        match relay_one(outbox, publisher, &id, now).await {
            Ok(true) => report.sent.push(id),
            Ok(false) => report.skipped.push(id),
            Err(e) => {
                tracing::warn!(event = "notification_deferred", notification = %id, detail = %e);
                report.failed.push(id);
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banking::approval::{Audience, EntityKind};
    use crate::testing::{MemoryOutbox, RecordingPublisher};

    fn note(id: &str) -> Notification {
        Notification {
            id: id.into(),
            event: "approval_requested".into(),
            entity: EntityKind::Deposit,
            entity_key: "k".into(),
            status: "Pending_Approval".into(),
            audience: Audience::Approvers { branch: "BR001".into() },
            occurred_at: "2026-11-21T10:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn publishes_once_and_retries_after_an_outage() {
        let outbox = MemoryOutbox::default();
        outbox.add(note("t1"));
        let sns = RecordingPublisher::default();
        sns.set_down(true);
        let r = relay(&outbox, &sns, None, 100).await;
        assert_eq!(r.failed, vec!["t1".to_string()]);
        assert!(sns.published().is_empty());
        sns.set_down(false);
        let r = relay(&outbox, &sns, None, 101).await;
        assert_eq!(r.sent, vec!["t1".to_string()]);
        // Stream redelivery and later sweeps: nothing more.
        let r = relay(&outbox, &sns, Some(vec!["t1".into()]), 102).await;
        assert_eq!(r.skipped, vec!["t1".to_string()]);
        assert!(relay(&outbox, &sns, None, 103).await.sent.is_empty());
        assert_eq!(sns.published().len(), 1);
    }

    #[tokio::test]
    async fn a_leased_notification_is_not_published_twice() {
        let outbox = MemoryOutbox::default();
        outbox.add(note("t2"));
        assert!(outbox.claim("t2", 100, LEASE_SECS).await.unwrap());
        let sns = RecordingPublisher::default();
        assert!(relay(&outbox, &sns, None, 110).await.sent.is_empty());
        // After the lease ran out (a crashed relay), it is taken over.
        assert_eq!(relay(&outbox, &sns, None, 100 + LEASE_SECS + 1).await.sent, vec!["t2".to_string()]);
    }
}
