//! Customers, deposit accounts and the one maker-checker approval engine both go through.

pub mod approval;
pub mod customer;
pub mod deposit;
pub mod relay;
pub mod service;
pub mod store;
pub mod values;

pub use approval::{ApprovalError, ApprovalStatus, ApprovalTask, AuditRecord, Decision, EntityKind, Notification};
pub use customer::{AmlStatus, CdpIdDocument, CdpProfile, Customer, CustomerStatus, NewCustomer, StoredDocument};
pub use deposit::{Deposit, DepositStatus, NewDeposit};
pub use service::BankService;
