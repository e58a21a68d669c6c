//! The maker-checker use cases. Handlers call these; they hold every banking rule.

use std::future::Future;

use time::format_description::well_known::Rfc3339;

use super::approval::*;
use super::customer::{Customer, CustomerInput, CustomerStatus, NewCustomer};
use super::deposit::{Deposit, DepositInput, DepositStatus, NewDeposit};
use super::store::{BankStore, Change, InboxPage, InboxQuery, Record};
use super::values::{EncodedKey, account_number};
use crate::auth::{Permission, Principal};
use crate::ports::{Clock, IdGenerator, PortError};

pub struct BankService<S, C, I> {
    pub store: S,
    pub clock: C,
    pub ids: I,
}

/// A record type the service can load and persist.
pub trait Persisted: Approvable + Clone + Send + Sync + Sized {
    fn load<S: BankStore>(store: &S, key: &EncodedKey) -> impl Future<Output = Result<Option<Self>, PortError>> + Send;
    fn record(&self) -> Record;
    /// The stored `status` attribute the guard checks.
    fn raw_status(&self) -> &'static str;
}

impl Persisted for Customer {
    async fn load<S: BankStore>(store: &S, key: &EncodedKey) -> Result<Option<Self>, PortError> {
        store.get_customer(key).await
    }
    fn record(&self) -> Record {
        Record::Customer(self.clone())
    }
    fn raw_status(&self) -> &'static str {
        self.status.as_str()
    }
}

impl Persisted for Deposit {
    async fn load<S: BankStore>(store: &S, key: &EncodedKey) -> Result<Option<Self>, PortError> {
        store.get_deposit(key).await
    }
    fn record(&self) -> Record {
        Record::Deposit(self.clone())
    }
    fn raw_status(&self) -> &'static str {
        self.status.as_str()
    }
}

/// What a transition records besides the new state.
struct Step {
    action: &'static str,
    from: String,
    comment: Option<String>,
    cross_branch: bool,
    audience: Audience,
}

/// How often a transition is retried after losing its guard to a concurrent writer. Each retry
/// re-reads and re-checks, so a decided record answers "not pending" rather than retrying.
const ATTEMPTS: usize = 3;

pub fn parse_key(raw: Option<&str>, field: &'static str) -> Result<EncodedKey, ApprovalError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(ApprovalError::Validation(vec![FieldError { field, message: format!("{field} is required") }])),
        Some(k) => EncodedKey::parse(k).ok_or_else(|| {
            ApprovalError::Validation(vec![FieldError { field, message: format!("{field} is malformed") }])
        }),
    }
}

fn clean(comment: Option<String>) -> Option<String> {
    comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty())
}

impl<S: BankStore, C: Clock, I: IdGenerator> BankService<S, C, I> {
    fn now(&self) -> String {
        self.clock.now().replace_nanosecond(0).expect("0 ns is valid").format(&Rfc3339).expect("RFC 3339")
    }

    fn audit(&self, actor: &Principal, entity: EntityKind, key: &EncodedKey, action: &str) -> AuditRecord {
        AuditRecord {
            transition_id: self.ids.new_id(),
            entity,
            entity_key: key.as_str().to_owned(),
            action: action.to_owned(),
            from: None,
            to: String::new(),
            actor_sub: actor.sub.clone(),
            actor_username: actor.username.clone(),
            at: self.now(),
            comment: None,
            cross_branch: false,
        }
    }

    fn maker_branch(actor: &Principal, p: Permission) -> Result<String, ApprovalError> {
        require(actor, p)?;
        actor.branch.clone().ok_or(ApprovalError::InsufficientPermissions)
    }

    pub async fn create_customer(&self, actor: &Principal, input: &CustomerInput) -> Result<Customer, ApprovalError> {
        let branch = Self::maker_branch(actor, Permission::CustomerCreate)?;
        let new = NewCustomer::parse(input, self.clock.now().date()).map_err(ApprovalError::Validation)?;
        let key = EncodedKey::from_random(&self.ids.secret_bytes(12));
        let now = self.now();
        let customer = Customer {
            key: key.clone(),
            first_name: new.first_name,
            last_name: new.last_name,
            date_of_birth: new.date_of_birth,
            nationality: new.nationality,
            id_type: new.id_type,
            id_number: new.id_number,
            mobile_number: new.mobile_number,
            email: new.email,
            branch,
            status: CustomerStatus::KycPending,
            approval: None,
            created_by: actor.sub.clone(),
            created_at: now,
            version: 1,
            cdp: None,
        };
        let mut audit = self.audit(actor, EntityKind::Customer, &key, "created");
        audit.to = customer.status_label();
        match self.store.insert(&Record::Customer(customer.clone()), &audit).await {
            Ok(()) => Ok(customer),
            Err(PortError::Conflict) => Err(ApprovalError::Duplicate),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn create_deposit(&self, actor: &Principal, input: &DepositInput) -> Result<Deposit, ApprovalError> {
        let branch = Self::maker_branch(actor, Permission::DepositCreate)?;
        let new = NewDeposit::parse(input).map_err(ApprovalError::Validation)?;
        let customer = self.store.get_customer(&new.customer_key).await?.ok_or(ApprovalError::NotFound)?;
        if customer.branch != branch {
            return Err(ApprovalError::NotFound);
        }
        if customer.status != CustomerStatus::Active {
            return Err(ApprovalError::CustomerNotActive);
        }
        let key = EncodedKey::from_random(&self.ids.secret_bytes(12));
        let deposit = Deposit {
            key: key.clone(),
            account_number: account_number(self.store.next_sequence("account_number").await?),
            customer_key: customer.key,
            currency: new.currency,
            product_name: new.product_name,
            branch,
            status: DepositStatus::PartialApplication,
            approval: None,
            created_by: actor.sub.clone(),
            created_at: self.now(),
            version: 1,
        };
        let mut audit = self.audit(actor, EntityKind::Deposit, &key, "created");
        audit.to = deposit.status_label();
        self.store.insert(&Record::Deposit(deposit.clone()), &audit).await?;
        Ok(deposit)
    }

    /// Submits a record for approval (maker).
    pub async fn request_approval<E: Persisted>(
        &self,
        actor: &Principal,
        key: &EncodedKey,
        comment: Option<String>,
    ) -> Result<E, ApprovalError> {
        let comment = clean(comment);
        for _ in 0..ATTEMPTS {
            let mut e = E::load(&self.store, key).await?.ok_or(ApprovalError::NotFound)?;
            check_request(actor, &e)?;
            let (expected_version, expected_status, from) = (e.version(), e.raw_status(), e.status_label());
            let now = self.now();
            e.on_requested(ApprovalTask {
                status: ApprovalStatus::Pending,
                requested_by: actor.sub.clone(),
                requested_by_username: actor.username.clone(),
                requested_at: now.clone(),
                request_comment: comment.clone(),
                decided_by: None,
                decided_by_email: None,
                decided_at: None,
                decision_comment: None,
                cross_branch: false,
            });
            let audience = Audience::Approvers { branch: e.branch().to_owned() };
            let step =
                Step { action: "approval_requested", from, comment: comment.clone(), cross_branch: false, audience };
            if self.commit(actor, &mut e, expected_version, expected_status, step, now).await? {
                return Ok(e);
            }
        }
        Err(ApprovalError::Unavailable("transition contention".into()))
    }

    /// Approves or rejects a pending record (checker). Exactly one concurrent decision wins.
    pub async fn decide<E: Persisted>(
        &self,
        actor: &Principal,
        key: &EncodedKey,
        decision: Decision,
        comment: Option<String>,
    ) -> Result<E, ApprovalError> {
        let comment = clean(comment);
        for _ in 0..ATTEMPTS {
            let mut e = E::load(&self.store, key).await?.ok_or(ApprovalError::NotFound)?;
            // Branch and cross-branch right are checked by the engine (INSUFFICIENT_PERMISSIONS).
            let cross_branch = check_decision(actor, &e, decision, comment.as_deref())?;
            let (expected_version, expected_status, from) = (e.version(), e.raw_status(), e.status_label());
            let now = self.now();
            let mut task = e.approval().cloned().ok_or(ApprovalError::NotPending)?;
            task.status = match decision {
                Decision::Approve => ApprovalStatus::Approved,
                Decision::Reject => ApprovalStatus::Rejected,
            };
            task.decided_by = Some(actor.sub.clone());
            task.decided_by_email = actor.email.clone();
            task.decided_at = Some(now.clone());
            task.decision_comment = comment.clone();
            task.cross_branch = cross_branch;
            let maker = task.requested_by.clone();
            e.set_approval(task);
            e.on_decided(decision);
            let action = match decision {
                Decision::Approve => "approved",
                Decision::Reject => "rejected",
            };
            let step =
                Step { action, from, comment: comment.clone(), cross_branch, audience: Audience::Maker { sub: maker } };
            if self.commit(actor, &mut e, expected_version, expected_status, step, now).await? {
                return Ok(e);
            }
        }
        Err(ApprovalError::Unavailable("transition contention".into()))
    }

    /// Writes a transition of `e` (already changed by the caller) with its audit record and
    /// notification, guarded by the version and status it was read with. `Ok(false)`: the guard
    /// lost to a concurrent writer; the caller re-reads and re-checks.
    async fn commit<E: Persisted>(
        &self,
        actor: &Principal,
        e: &mut E,
        expected_version: u64,
        expected_status: &'static str,
        step: Step,
        now: String,
    ) -> Result<bool, ApprovalError> {
        e.bump_version();
        let mut audit = self.audit(actor, E::KIND, e.key(), step.action);
        audit.from = Some(step.from);
        audit.to = e.status_label();
        audit.comment = step.comment;
        audit.cross_branch = step.cross_branch;
        let notification = Notification {
            id: audit.transition_id.clone(),
            event: if step.action.starts_with("approval_") {
                step.action.to_owned()
            } else {
                format!("approval_{}", step.action)
            },
            entity: E::KIND,
            entity_key: e.key().as_str().to_owned(),
            status: e.status_label(),
            audience: step.audience,
            occurred_at: now,
        };
        let change =
            Change { record: e.record(), expected_version, expected_status, audit, notification: Some(notification) };
        match self.store.commit(&change).await {
            Ok(()) => Ok(true),
            Err(PortError::Conflict) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// A record with its history (oldest first).
    pub async fn view<E: Persisted>(
        &self,
        actor: &Principal,
        key: &EncodedKey,
    ) -> Result<(E, Vec<AuditRecord>), ApprovalError> {
        let e = E::load(&self.store, key).await?.ok_or(ApprovalError::NotFound)?;
        check_read(actor, e.branch())?;
        let history = self.store.history(E::KIND, key).await?;
        Ok((e, history))
    }

    /// The checker's inbox: what the caller may decide, never their own submissions, oldest first.
    pub async fn inbox(
        &self,
        actor: &Principal,
        kind: Option<EntityKind>,
        branch: Option<String>,
        page_token: Option<String>,
    ) -> Result<InboxPage, ApprovalError> {
        require(actor, Permission::ApprovalDecide)?;
        let branch = if actor.has(Permission::ApprovalCrossBranch) {
            branch
        } else {
            match (branch, actor.branch.clone()) {
                (Some(b), Some(own)) if b != own => return Err(ApprovalError::InsufficientPermissions),
                (_, Some(own)) => Some(own),
                (_, None) => return Err(ApprovalError::InsufficientPermissions),
            }
        };
        Ok(self
            .store
            .pending(&InboxQuery { exclude_sub: actor.sub.clone(), branch, kind, page_token, limit: 25 })
            .await?)
    }
}

#[cfg(test)]
mod tests;
