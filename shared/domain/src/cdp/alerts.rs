//! The AML Alert Closure callback and the Onboarding Status view (seed 003, version history
//! 1.0.2 and 1.0.3).

use time::Date;
use time::format_description::well_known::Rfc3339;

use super::lookup::{LookupError, id_status};
use crate::auth::{Permission, Principal};
use crate::banking::approval::{ApprovalStatus, AuditRecord, EntityKind};
use crate::banking::store::{AlertClosure, AlertDecision, AmlAlert, BankStore};
use crate::banking::{AmlStatus, CustomerStatus};
use crate::ports::{Clock, IdGenerator, PortError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosureError {
    /// Not the compliance system.
    Forbidden,
    /// No such ECRN, or no such alert for it.
    NotFound,
    /// The alert is closed with the other decision.
    Conflict,
    Backend(String),
}

impl From<PortError> for ClosureError {
    fn from(e: PortError) -> Self {
        Self::Backend(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosureOutcome {
    pub ecrn: String,
    pub alert_id: String,
    pub decision: AlertDecision,
    pub customer_status: CustomerStatus,
    pub aml_scan_status: AmlStatus,
}

/// Closes an alert. `Accepted` (a false positive): the customer becomes `ACTIVE`, or stays
/// `KYC_PENDING` while a PEP approval or another alert is open. `Rejected`: `BLOCKED`.
/// The same closure again returns the same answer; the other decision on a closed alert is refused.
// The ports, the actor and the callback's fields, each named at the one call site (the function's handler).
#[allow(clippy::too_many_arguments)]
pub async fn close_alert<S: BankStore, C: Clock, I: IdGenerator>(
    bank: &S,
    clock: &C,
    ids: &I,
    actor: &Principal,
    ecrn: &str,
    alert_id: &str,
    decision: AlertDecision,
    remarks: Option<String>,
) -> Result<ClosureOutcome, ClosureError> {
    if !actor.has(Permission::AmlAlertClose) {
        return Err(ClosureError::Forbidden);
    }
    let key = bank.find_by_ecrn(ecrn).await?.ok_or(ClosureError::NotFound)?;
    for _ in 0..3 {
        let alert = bank.get_alert(alert_id).await?.filter(|a| a.customer_key == key).ok_or(ClosureError::NotFound)?;
        let customer = bank.get_customer(&key).await?.ok_or(ClosureError::NotFound)?;
        let cdp = customer.cdp.clone().ok_or(ClosureError::NotFound)?;
        if let Some(done) = alert.decision {
            return if done == decision {
                Ok(ClosureOutcome {
                    ecrn: ecrn.to_owned(),
                    alert_id: alert_id.to_owned(),
                    decision,
                    customer_status: customer.status,
                    aml_scan_status: cdp.aml_scan_status,
                })
            } else {
                Err(ClosureError::Conflict)
            };
        }
        let others_open = bank.alerts_of(&key).await?.iter().any(|a| a.alert_id != alert_id && a.is_open());
        let mut next = customer.clone();
        let mut profile = cdp;
        match decision {
            AlertDecision::Accepted => {
                let pep_pending =
                    profile.pep && !next.approval.as_ref().is_some_and(|t| t.status == ApprovalStatus::Approved);
                profile.aml_scan_status = if others_open { AmlStatus::UnderInvestigation } else { AmlStatus::Accepted };
                next.status =
                    if others_open || pep_pending { CustomerStatus::KycPending } else { CustomerStatus::Active };
            }
            AlertDecision::Rejected => {
                profile.aml_scan_status = AmlStatus::Rejected;
                next.status = CustomerStatus::Blocked;
            }
        }
        next.cdp = Some(profile.clone());
        next.version += 1;
        let now = clock.now().replace_nanosecond(0).expect("0 ns").format(&Rfc3339).expect("RFC 3339");
        let closed = AmlAlert {
            closed_at: Some(now.clone()),
            decision: Some(decision),
            remarks: remarks.clone(),
            closed_by: Some(actor.sub.clone()),
            ..alert
        };
        let audit = AuditRecord {
            transition_id: ids.new_id(),
            entity: EntityKind::Customer,
            entity_key: key.as_str().to_owned(),
            action: format!("aml_alert_{}", decision.as_str().to_lowercase()),
            from: Some(customer.status.as_str().to_owned()),
            to: next.status.as_str().to_owned(),
            actor_sub: actor.sub.clone(),
            actor_username: actor.username.clone(),
            at: now,
            comment: Some(format!("alert {alert_id}")),
            cross_branch: false,
        };
        let write = AlertClosure { customer: next.clone(), expected_version: customer.version, alert: closed, audit };
        match bank.close_alert(&write).await {
            Ok(()) => {
                return Ok(ClosureOutcome {
                    ecrn: ecrn.to_owned(),
                    alert_id: alert_id.to_owned(),
                    decision,
                    customer_status: next.status,
                    aml_scan_status: profile.aml_scan_status,
                });
            }
            // Lost a race (a concurrent closure or update): re-read and answer from the new state.
            Err(PortError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ClosureError::Backend("alert closure contention".into()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    pub ecrn: String,
    pub customer_status: CustomerStatus,
    pub aml_scan_status: AmlStatus,
    pub id_status: &'static str,
    pub approval_status: Option<ApprovalStatus>,
    pub alerts: Vec<AmlAlert>,
    pub timeline: Vec<AuditRecord>,
}

/// Onboarding status by ECRN, for the partners subscribed to the customer (others: 45003/45001
/// as for lookups).
pub async fn onboarding_status<S: BankStore>(
    bank: &S,
    partner: &Principal,
    ecrn: &str,
    today: Date,
) -> Result<StatusView, LookupError> {
    if !(partner.has(Permission::CdpLookup) || partner.has(Permission::CdpOnboard)) {
        return Err(LookupError::Forbidden);
    }
    let agent = partner.agent_location_id.as_deref().ok_or(LookupError::Forbidden)?;
    if !super::ecrn::is_valid(ecrn) {
        return Err(LookupError::InvalidFormat);
    }
    let key = bank.find_by_ecrn(ecrn).await?.ok_or(LookupError::NotFound)?;
    let customer = bank.get_customer(&key).await?.ok_or(LookupError::NotFound)?;
    let cdp = customer.cdp.as_ref().ok_or(LookupError::NotFound)?;
    if !cdp.subscriptions.iter().any(|s| s == agent) {
        return Err(LookupError::NotSubscribed);
    }
    let primary = cdp.id_documents.first().ok_or_else(|| LookupError::Backend("no ID document".into()))?;
    Ok(StatusView {
        ecrn: cdp.ecrn.clone(),
        customer_status: customer.status,
        aml_scan_status: cdp.aml_scan_status,
        id_status: id_status(primary.active, primary.date_of_expiry, today),
        approval_status: customer.approval.as_ref().map(|a| a.status),
        alerts: bank.alerts_of(&key).await?,
        timeline: bank.history(EntityKind::Customer, &key).await?,
    })
}
