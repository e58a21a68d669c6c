//! Customer Lookup v2 (seed 003): by ID type and number, for the partners subscribed to the customer.

use time::Date;

use crate::auth::{Permission, Principal};
use crate::banking::store::BankStore;
use crate::banking::values::{IdNumber, IdType};
use crate::banking::{AmlStatus, CustomerStatus};
use crate::ports::PortError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// 40001
    InvalidFormat,
    /// 45001
    NotFound,
    /// 45003: not subscribed (also: the customer belongs to other partners).
    NotSubscribed,
    /// 45013
    UnderInvestigation,
    /// 45051
    Blocked,
    /// No lookup permission or no agent location in the token.
    Forbidden,
    /// 45006
    Backend(String),
}

impl From<PortError> for LookupError {
    fn from(e: PortError) -> Self {
        Self::Backend(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupView {
    pub ecrn: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub agent_location_id: String,
    pub primary_mobile_number: String,
    pub email_id: String,
    pub customer_status: CustomerStatus,
    pub aml_scan_status: AmlStatus,
    /// `Active`, `Expired` (past its expiry date) or `Inactive`.
    pub id_status: &'static str,
    pub id_date_of_expiry: Date,
}

/// `id_status` of an ID document on `today`.
pub fn id_status(active: bool, expiry: Date, today: Date) -> &'static str {
    if !active {
        "Inactive"
    } else if expiry < today {
        "Expired"
    } else {
        "Active"
    }
}

pub async fn lookup<S: BankStore>(
    bank: &S,
    partner: &Principal,
    id_type: &str,
    id_number: &str,
    today: Date,
) -> Result<LookupView, LookupError> {
    if !partner.has(Permission::CdpLookup) {
        return Err(LookupError::Forbidden);
    }
    let agent = partner.agent_location_id.as_deref().ok_or(LookupError::Forbidden)?;
    if id_type.is_empty() || id_type.len() > 3 || !id_type.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LookupError::InvalidFormat);
    }
    let id_type = IdType::parse(id_type).ok_or(LookupError::InvalidFormat)?;
    let id_number = IdNumber::parse(id_number).ok_or(LookupError::InvalidFormat)?;
    let key = bank.find_by_id_document(&id_type, &id_number).await?.ok_or(LookupError::NotFound)?;
    let customer = bank.get_customer(&key).await?.ok_or(LookupError::NotFound)?;
    // Subscription first: a partner learns nothing about customers it does not serve.
    let cdp = customer.cdp.as_ref().ok_or(LookupError::NotSubscribed)?;
    if !cdp.subscriptions.iter().any(|s| s == agent) {
        return Err(LookupError::NotSubscribed);
    }
    if matches!(customer.status, CustomerStatus::Blocked | CustomerStatus::Rejected) {
        return Err(LookupError::Blocked);
    }
    if cdp.aml_scan_status == AmlStatus::UnderInvestigation {
        return Err(LookupError::UnderInvestigation);
    }
    let doc = cdp
        .id_documents
        .iter()
        .find(|d| d.id_type == id_type && d.id_number == id_number)
        .or(cdp.id_documents.first())
        .ok_or_else(|| LookupError::Backend("customer without ID documents".into()))?;
    Ok(LookupView {
        ecrn: cdp.ecrn.clone(),
        first_name: customer.first_name.as_str().to_owned(),
        middle_name: cdp.middle_name.clone().unwrap_or_default(),
        last_name: customer.last_name.as_str().to_owned(),
        agent_location_id: cdp.agent_location_id.clone(),
        primary_mobile_number: customer.mobile_number.as_str().to_owned(),
        email_id: customer.email.as_str().to_owned(),
        customer_status: customer.status,
        aml_scan_status: cdp.aml_scan_status,
        id_status: id_status(doc.active, doc.date_of_expiry, today),
        id_date_of_expiry: doc.date_of_expiry,
    })
}
