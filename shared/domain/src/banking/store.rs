//! The bank's storage port. Every state change is one atomic `commit`: the record guarded by its
//! current status and version, its audit record, and its outbox notification.

use std::future::Future;

use super::approval::{AuditRecord, EntityKind, Notification};
use super::customer::Customer;
use super::deposit::Deposit;
use super::values::{EncodedKey, IdNumber, IdType};
use crate::ports::PortError;

#[derive(Debug, Clone, PartialEq, Eq)]
// Records are read, matched and dropped; boxing the larger variant would add an allocation to every read
// to save ~250 bytes of stack.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Customer(Customer),
    Deposit(Deposit),
}

/// A guarded transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The record as it will be (version already incremented).
    pub record: Record,
    /// Guard: the stored record still has this version and status.
    pub expected_version: u64,
    pub expected_status: &'static str,
    pub audit: AuditRecord,
    pub notification: Option<Notification>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxQuery {
    /// Items created or submitted by this subject are never shown to them.
    pub exclude_sub: String,
    /// `None`: every branch (cross-branch approvers only).
    pub branch: Option<String>,
    pub kind: Option<EntityKind>,
    pub page_token: Option<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub entity: EntityKind,
    pub key: String,
    pub branch: String,
    pub status: String,
    pub requested_by: String,
    pub requested_by_username: String,
    pub requested_at: String,
    pub request_comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub next_page_token: Option<String>,
}

pub trait BankStore: Send + Sync {
    fn get_customer(&self, key: &EncodedKey) -> impl Future<Output = Result<Option<Customer>, PortError>> + Send;
    fn get_deposit(&self, key: &EncodedKey) -> impl Future<Output = Result<Option<Deposit>, PortError>> + Send;
    /// Creates a record with its creation audit. `Conflict` if the key exists or (customers) the
    /// same ID document is already registered.
    fn insert(&self, record: &Record, audit: &AuditRecord) -> impl Future<Output = Result<(), PortError>> + Send;
    /// Applies a guarded transition atomically; `Conflict` (and nothing written) if the guard fails.
    fn commit(&self, change: &Change) -> impl Future<Output = Result<(), PortError>> + Send;
    /// A strictly increasing number per sequence name (account numbers).
    fn next_sequence(&self, name: &str) -> impl Future<Output = Result<u64, PortError>> + Send;
    /// Audit records of a record, oldest first.
    fn history(
        &self,
        entity: EntityKind,
        key: &EncodedKey,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, PortError>> + Send;
    /// Open approvals, oldest first.
    fn pending(&self, query: &InboxQuery) -> impl Future<Output = Result<InboxPage, PortError>> + Send;
    /// The customer registered for an ID document, if any.
    fn find_by_id_document(
        &self,
        id_type: &IdType,
        id_number: &IdNumber,
    ) -> impl Future<Output = Result<Option<EncodedKey>, PortError>> + Send;
    /// Creates (`expected_version: None`) or replaces (guarded by version) an onboarded customer,
    /// registering all its ID documents and its ECRN to it, with its audit record, its AML alert
    /// and the alert's notification, atomically. `Conflict` if the guard fails or an ID document
    /// belongs to another customer.
    fn save_onboarding(&self, write: &OnboardingWrite) -> impl Future<Output = Result<(), PortError>> + Send;
    fn find_by_ecrn(&self, ecrn: &str) -> impl Future<Output = Result<Option<EncodedKey>, PortError>> + Send;
    fn get_alert(&self, alert_id: &str) -> impl Future<Output = Result<Option<AmlAlert>, PortError>> + Send;
    /// The customer's alerts, oldest first.
    fn alerts_of(&self, customer: &EncodedKey) -> impl Future<Output = Result<Vec<AmlAlert>, PortError>> + Send;
    /// Closes an open alert and applies its consequence to the customer, atomically: the customer
    /// guarded by version, the alert by `status = OPEN`, with the audit record.
    fn close_alert(&self, write: &AlertClosure) -> impl Future<Output = Result<(), PortError>> + Send;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingWrite {
    pub customer: Customer,
    pub expected_version: Option<u64>,
    pub id_documents: Vec<(IdType, IdNumber)>,
    pub audit: AuditRecord,
    pub alert: Option<AmlAlert>,
    pub notifications: Vec<Notification>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertClosure {
    pub customer: Customer,
    pub expected_version: u64,
    pub alert: AmlAlert,
    pub audit: AuditRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertDecision {
    /// A false positive: the customer may proceed.
    Accepted,
    /// A true match: the customer is blocked.
    Rejected,
}

impl AlertDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "Accepted",
            Self::Rejected => "Rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Accepted" => Some(Self::Accepted),
            "Rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// An AML alert opened by a potential watch-list match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmlAlert {
    pub alert_id: String,
    pub customer_key: EncodedKey,
    pub ecrn: String,
    /// Watch-list entry ids (no names).
    pub matched_ids: Vec<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub decision: Option<AlertDecision>,
    pub remarks: Option<String>,
    pub closed_by: Option<String>,
}

impl AmlAlert {
    pub fn is_open(&self) -> bool {
        self.decision.is_none()
    }
}

impl<T: BankStore> BankStore for std::sync::Arc<T> {
    fn get_customer(&self, key: &EncodedKey) -> impl Future<Output = Result<Option<Customer>, PortError>> + Send {
        (**self).get_customer(key)
    }
    fn get_deposit(&self, key: &EncodedKey) -> impl Future<Output = Result<Option<Deposit>, PortError>> + Send {
        (**self).get_deposit(key)
    }
    fn insert(&self, record: &Record, audit: &AuditRecord) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).insert(record, audit)
    }
    fn commit(&self, change: &Change) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).commit(change)
    }
    fn next_sequence(&self, name: &str) -> impl Future<Output = Result<u64, PortError>> + Send {
        (**self).next_sequence(name)
    }
    fn history(
        &self,
        entity: EntityKind,
        key: &EncodedKey,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, PortError>> + Send {
        (**self).history(entity, key)
    }
    fn pending(&self, query: &InboxQuery) -> impl Future<Output = Result<InboxPage, PortError>> + Send {
        (**self).pending(query)
    }
    fn find_by_id_document(
        &self,
        id_type: &IdType,
        id_number: &IdNumber,
    ) -> impl Future<Output = Result<Option<EncodedKey>, PortError>> + Send {
        (**self).find_by_id_document(id_type, id_number)
    }
    fn save_onboarding(&self, write: &OnboardingWrite) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).save_onboarding(write)
    }
    fn find_by_ecrn(&self, ecrn: &str) -> impl Future<Output = Result<Option<EncodedKey>, PortError>> + Send {
        (**self).find_by_ecrn(ecrn)
    }
    fn get_alert(&self, alert_id: &str) -> impl Future<Output = Result<Option<AmlAlert>, PortError>> + Send {
        (**self).get_alert(alert_id)
    }
    fn alerts_of(&self, customer: &EncodedKey) -> impl Future<Output = Result<Vec<AmlAlert>, PortError>> + Send {
        (**self).alerts_of(customer)
    }
    fn close_alert(&self, write: &AlertClosure) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).close_alert(write)
    }
}
