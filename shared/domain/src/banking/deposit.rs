//! Deposit accounts (seeds 001/002: `accountEncodedKey` / `depositId`).

use super::approval::{Approvable, ApprovalTask, Decision, EntityKind, FieldError};
use super::values::{Currency, EncodedKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositStatus {
    PartialApplication,
    PendingApproval,
    Active,
    Rejected,
}

impl DepositStatus {
    /// The seeds' spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartialApplication => "Partial_Application",
            Self::PendingApproval => "Pending_Approval",
            Self::Active => "Active",
            Self::Rejected => "Rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::PartialApplication, Self::PendingApproval, Self::Active, Self::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    pub key: EncodedKey,
    pub account_number: String,
    pub customer_key: EncodedKey,
    pub currency: Currency,
    pub product_name: String,
    pub branch: String,
    pub status: DepositStatus,
    pub approval: Option<ApprovalTask>,
    pub created_by: String,
    pub created_at: String,
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepositInput {
    pub contact_encoded_key: Option<String>,
    pub currency_code: Option<String>,
    pub product_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeposit {
    pub customer_key: EncodedKey,
    pub currency: Currency,
    pub product_name: String,
}

impl NewDeposit {
    pub fn parse(input: &DepositInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let key = input.contact_encoded_key.as_deref().and_then(EncodedKey::parse);
        if key.is_none() {
            errors.push(FieldError { field: "contactEncodedKey", message: "contactEncodedKey is required".into() });
        }
        let currency = input.currency_code.as_deref().and_then(Currency::parse);
        if currency.is_none() {
            errors.push(FieldError { field: "currencyCode", message: "currencyCode must be an ISO 4217 code".into() });
        }
        let product =
            input.product_name.as_deref().map(str::trim).filter(|p| !p.is_empty() && p.chars().count() <= 100);
        if product.is_none() {
            errors.push(FieldError { field: "productName", message: "productName must be 1-100 characters".into() });
        }
        match (key, currency, product) {
            (Some(customer_key), Some(currency), Some(p)) => {
                Ok(Self { customer_key, currency, product_name: p.to_owned() })
            }
            _ => Err(errors),
        }
    }
}

impl Approvable for Deposit {
    const KIND: EntityKind = EntityKind::Deposit;
    fn key(&self) -> &EncodedKey {
        &self.key
    }
    fn branch(&self) -> &str {
        &self.branch
    }
    fn created_by(&self) -> &str {
        &self.created_by
    }
    fn approval(&self) -> Option<&ApprovalTask> {
        self.approval.as_ref()
    }
    fn status_label(&self) -> String {
        self.status.as_str().to_owned()
    }
    fn is_submittable(&self) -> bool {
        self.status == DepositStatus::PartialApplication
    }
    fn is_pending(&self) -> bool {
        self.status == DepositStatus::PendingApproval
    }
    fn on_requested(&mut self, task: ApprovalTask) {
        self.status = DepositStatus::PendingApproval;
        self.approval = Some(task);
    }
    fn set_approval(&mut self, task: ApprovalTask) {
        self.approval = Some(task);
    }
    fn on_decided(&mut self, decision: Decision) {
        self.status = match decision {
            Decision::Approve => DepositStatus::Active,
            Decision::Reject => DepositStatus::Rejected,
        };
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn bump_version(&mut self) {
        self.version += 1;
    }
}
