//! The approval engine: the maker-checker rules of seeds 001/002, applied to customers (seed 000)
//! and deposit accounts alike. Pure functions over [`Approvable`]; the service persists the result.

use serde::{Deserialize, Serialize};

use crate::auth::{Permission, Principal};

use super::values::EncodedKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Customer,
    Deposit,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Deposit => "deposit",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "customer" => Some(Self::Customer),
            "deposit" => Some(Self::Deposit),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Approved => "Approved",
            Self::Rejected => "Rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Pending" => Some(Self::Pending),
            "Approved" => Some(Self::Approved),
            "Rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// The open or last approval of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalTask {
    pub status: ApprovalStatus,
    pub requested_by: String,
    pub requested_by_username: String,
    /// RFC 3339, seconds precision.
    pub requested_at: String,
    pub request_comment: Option<String>,
    pub decided_by: Option<String>,
    pub decided_by_email: Option<String>,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    pub cross_branch: bool,
}

/// One line of a record's history, written in the same transaction as the transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub transition_id: String,
    pub entity: EntityKind,
    pub entity_key: String,
    pub action: String,
    pub from: Option<String>,
    pub to: String,
    pub actor_sub: String,
    pub actor_username: String,
    pub at: String,
    pub comment: Option<String>,
    pub cross_branch: bool,
}

/// Who a notification is for. Messages carry ids and statuses only, never PII.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "audience", rename_all = "snake_case")]
pub enum Audience {
    /// The approvers of a branch (and cross-branch approvers).
    Approvers { branch: String },
    /// The maker who requested the approval.
    Maker { sub: String },
    /// The compliance team (AML alerts).
    Compliance,
}

/// An outbox entry: published to SNS by the relay, at most once per transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// = the transition id; SNS message deduplication id.
    pub id: String,
    pub event: String,
    pub entity: EntityKind,
    pub entity_key: String,
    pub status: String,
    #[serde(flatten)]
    pub audience: Audience,
    pub occurred_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("a reason is required")]
    ReasonRequired,
    #[error("insufficient permissions")]
    InsufficientPermissions,
    #[error("not found")]
    NotFound,
    #[error("not pending approval")]
    NotPending,
    #[error("not in a status that may be submitted")]
    NotSubmittable,
    #[error("maker cannot decide own request")]
    SelfApproval,
    #[error("customer is not active")]
    CustomerNotActive,
    #[error("already exists")]
    Duplicate,
    #[error("backend: {0}")]
    Unavailable(String),
}

impl From<crate::ports::PortError> for ApprovalError {
    fn from(e: crate::ports::PortError) -> Self {
        match e {
            crate::ports::PortError::Invalid(what) => {
                Self::Validation(vec![FieldError { field: what, message: format!("{what} is invalid") }])
            }
            other => Self::Unavailable(other.to_string()),
        }
    }
}

/// What the engine needs to know of a record.
pub trait Approvable {
    const KIND: EntityKind;
    fn key(&self) -> &EncodedKey;
    fn branch(&self) -> &str;
    fn created_by(&self) -> &str;
    fn approval(&self) -> Option<&ApprovalTask>;
    /// The status shown in audit records (`KYC_PENDING`, `Pending_Approval`, ...).
    fn status_label(&self) -> String;
    fn is_submittable(&self) -> bool;
    fn is_pending(&self) -> bool {
        self.approval().is_some_and(|a| a.status == ApprovalStatus::Pending)
    }
    fn on_requested(&mut self, task: ApprovalTask);
    /// Replaces the approval task (used to record the decision on it).
    fn set_approval(&mut self, task: ApprovalTask);
    fn on_decided(&mut self, decision: Decision);
    fn version(&self) -> u64;
    fn bump_version(&mut self);
}

pub fn require(actor: &Principal, p: Permission) -> Result<(), ApprovalError> {
    if actor.has(p) { Ok(()) } else { Err(ApprovalError::InsufficientPermissions) }
}

/// May `actor` submit `entity` for approval?
pub fn check_request(actor: &Principal, entity: &impl Approvable) -> Result<(), ApprovalError> {
    require(actor, Permission::ApprovalRequest)?;
    if actor.branch.as_deref() != Some(entity.branch()) {
        return Err(ApprovalError::InsufficientPermissions);
    }
    if !entity.is_submittable() {
        return Err(ApprovalError::NotSubmittable);
    }
    Ok(())
}

/// May `actor` decide `entity`? Returns whether the decision crosses branches.
pub fn check_decision(
    actor: &Principal,
    entity: &impl Approvable,
    decision: Decision,
    comment: Option<&str>,
) -> Result<bool, ApprovalError> {
    if decision == Decision::Reject && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(ApprovalError::ReasonRequired);
    }
    require(actor, Permission::ApprovalDecide)?;
    if !entity.is_pending() {
        return Err(ApprovalError::NotPending);
    }
    // The maker is whoever created the record or requested its approval. No bypass.
    let requested_by = entity.approval().map(|a| a.requested_by.as_str());
    if actor.sub == entity.created_by() || Some(actor.sub.as_str()) == requested_by {
        return Err(ApprovalError::SelfApproval);
    }
    if actor.branch.as_deref() == Some(entity.branch()) {
        Ok(false)
    } else if actor.has(Permission::ApprovalCrossBranch) {
        Ok(true)
    } else {
        Err(ApprovalError::InsufficientPermissions)
    }
}

/// May `actor` read `entity`? Staff of its branch, or with the cross-branch right. Others get
/// "not found" (existence is not revealed across branches).
pub fn check_read(actor: &Principal, branch: &str) -> Result<(), ApprovalError> {
    let staff = [
        Permission::RecordRead,
        Permission::ApprovalDecide,
        Permission::ApprovalRequest,
        Permission::CustomerCreate,
        Permission::DepositCreate,
    ];
    if !staff.iter().any(|p| actor.has(*p)) {
        return Err(ApprovalError::InsufficientPermissions);
    }
    if actor.branch.as_deref() == Some(branch) || actor.has(Permission::ApprovalCrossBranch) {
        Ok(())
    } else {
        Err(ApprovalError::NotFound)
    }
}
