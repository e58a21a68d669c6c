use super::*;
use crate::banking::customer::CustomerInput;
use crate::banking::deposit::DepositInput;
use crate::testing::{FixedClock, MemoryBank, SeqIds};
use std::sync::Arc;

type Svc = BankService<Arc<MemoryBank>, FixedClock, SeqIds>;

fn svc() -> (Arc<Svc>, Arc<MemoryBank>) {
    let bank = Arc::new(MemoryBank::default());
    let s = BankService { store: bank.clone(), clock: FixedClock::at(1_790_000_000), ids: SeqIds::default() };
    (Arc::new(s), bank)
}

fn who(sub: &str, branch: &str, perms: &[Permission]) -> Principal {
    Principal {
        sub: sub.into(),
        username: sub.into(),
        email: Some(format!("{sub}@bank.local")),
        client_id: "bpm-console".into(),
        branch: Some(branch.into()),
        agent_location_id: None,
        permissions: perms.to_vec(),
    }
}

fn maker() -> Principal {
    who(
        "maker1",
        "BR001",
        &[Permission::CustomerCreate, Permission::DepositCreate, Permission::ApprovalRequest, Permission::RecordRead],
    )
}
fn checker() -> Principal {
    who("checker1", "BR001", &[Permission::ApprovalDecide, Permission::RecordRead])
}
fn checker_other_branch() -> Principal {
    who("checker2", "BR002", &[Permission::ApprovalDecide, Permission::RecordRead])
}
fn supervisor() -> Principal {
    who("hq", "HQ", &[Permission::ApprovalDecide, Permission::ApprovalCrossBranch, Permission::RecordRead])
}

fn input(id_number: &str) -> CustomerInput {
    CustomerInput {
        first_name: Some("Zafar".into()),
        last_name: Some("Bashir".into()),
        date_of_birth: Some("1990-01-31".into()),
        nationality: Some("PK".into()),
        id_type: Some("4".into()),
        id_number: Some(id_number.into()),
        mobile_number: Some("+971554747002".into()),
        email: Some("zafar@example.com".into()),
    }
}

fn next_id_number() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!("7841000000{:05}", N.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
}

async fn pending_customer(s: &Svc) -> EncodedKey {
    let c = s.create_customer(&maker(), &input(&next_id_number())).await.unwrap();
    s.request_approval::<Customer>(&maker(), &c.key, Some("KYC verified".into())).await.unwrap();
    c.key
}

async fn active_customer(s: &Svc) -> EncodedKey {
    let k = pending_customer(s).await;
    s.decide::<Customer>(&checker(), &k, Decision::Approve, None).await.unwrap();
    k
}

async fn pending_deposit(s: &Svc) -> EncodedKey {
    let c = active_customer(s).await;
    let d = s
        .create_deposit(
            &maker(),
            &DepositInput {
                contact_encoded_key: Some(c.as_str().into()),
                currency_code: Some("AED".into()),
                product_name: Some("Savings".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(d.status, DepositStatus::PartialApplication);
    s.request_approval::<Deposit>(&maker(), &d.key, None).await.unwrap();
    d.key
}

#[tokio::test]
async fn customer_lifecycle_with_audit_and_notifications() {
    let (s, bank) = svc();
    let c = s.create_customer(&maker(), &input("784199554586091")).await.unwrap();
    assert_eq!(c.status, CustomerStatus::KycPending);
    assert_eq!(c.branch, "BR001");
    let p = s.request_approval::<Customer>(&maker(), &c.key, Some("ready".into())).await.unwrap();
    assert_eq!(p.approval.as_ref().unwrap().status, ApprovalStatus::Pending);
    // Already pending: CBS_409 territory.
    assert_eq!(
        s.request_approval::<Customer>(&maker(), &c.key, None).await.unwrap_err(),
        ApprovalError::NotSubmittable
    );
    let a = s.decide::<Customer>(&checker(), &c.key, Decision::Approve, Some("ok".into())).await.unwrap();
    assert_eq!(a.status, CustomerStatus::Active);
    assert_eq!(a.approval.as_ref().unwrap().decided_by_email.as_deref(), Some("checker1@bank.local"));

    let (_, history) = s.view::<Customer>(&checker(), &c.key).await.unwrap();
    let actions: Vec<_> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["created", "approval_requested", "approved"]);
    assert_eq!(history[2].from.as_deref(), Some("KYC_PENDING/Pending"));
    assert_eq!(history[2].to, "ACTIVE");
    let outbox = bank.outbox.lock().unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0].audience, Audience::Approvers { branch: "BR001".into() });
    assert_eq!(outbox[1].audience, Audience::Maker { sub: "maker1".into() });
    assert_eq!(outbox[1].id, history[2].transition_id);
}

#[tokio::test]
async fn makers_never_decide_their_own_records_not_even_supervisors() {
    let (s, _) = svc();
    let k = pending_customer(&s).await;
    let mut maker_with_rights = maker();
    maker_with_rights.permissions.extend([Permission::ApprovalDecide, Permission::ApprovalCrossBranch]);
    assert_eq!(
        s.decide::<Customer>(&maker_with_rights, &k, Decision::Approve, None).await.unwrap_err(),
        ApprovalError::SelfApproval
    );
    // Whoever requested the approval is a maker too.
    let (s2, _) = svc();
    let c = s2.create_customer(&maker(), &input("784199554586092")).await.unwrap();
    let mut requester = who("other-maker", "BR001", &[Permission::ApprovalRequest, Permission::ApprovalDecide]);
    s2.request_approval::<Customer>(&requester, &c.key, None).await.unwrap();
    requester.permissions.push(Permission::RecordRead);
    assert_eq!(
        s2.decide::<Customer>(&requester, &c.key, Decision::Approve, None).await.unwrap_err(),
        ApprovalError::SelfApproval
    );
}

#[tokio::test]
async fn permissions_branches_and_cross_branch_marking() {
    let (s, bank) = svc();
    let k = pending_deposit(&s).await;
    let viewer = who("viewer1", "BR001", &[Permission::RecordRead]);
    assert_eq!(
        s.decide::<Deposit>(&viewer, &k, Decision::Approve, None).await.unwrap_err(),
        ApprovalError::InsufficientPermissions
    );
    // Other branch without the cross-branch right.
    assert_eq!(
        s.decide::<Deposit>(&checker_other_branch(), &k, Decision::Approve, None).await.unwrap_err(),
        ApprovalError::InsufficientPermissions
    );
    // Reading across branches does not reveal the record.
    assert_eq!(s.view::<Deposit>(&checker_other_branch(), &k).await.unwrap_err(), ApprovalError::NotFound);
    let d = s.decide::<Deposit>(&supervisor(), &k, Decision::Approve, None).await.unwrap();
    assert_eq!(d.status, DepositStatus::Active);
    assert!(d.approval.unwrap().cross_branch);
    assert!(bank.audit.lock().unwrap().last().unwrap().cross_branch);
    assert_eq!(
        s.decide::<Deposit>(&checker(), &k, Decision::Reject, Some("late".into())).await.unwrap_err(),
        ApprovalError::NotPending
    );
}

#[tokio::test]
async fn rejection_needs_a_reason() {
    let (s, _) = svc();
    let k = pending_deposit(&s).await;
    for reason in [None, Some("   ".to_string())] {
        assert_eq!(
            s.decide::<Deposit>(&checker(), &k, Decision::Reject, reason).await.unwrap_err(),
            ApprovalError::ReasonRequired
        );
    }
    let d = s.decide::<Deposit>(&checker(), &k, Decision::Reject, Some("KYC incomplete".into())).await.unwrap();
    assert_eq!(d.status, DepositStatus::Rejected);
    assert_eq!(d.approval.unwrap().decision_comment.as_deref(), Some("KYC incomplete"));
}

#[tokio::test]
async fn twenty_concurrent_decisions_have_one_winner() {
    let (s, bank) = svc();
    let k = pending_deposit(&s).await;
    let before = bank.outbox.lock().unwrap().len();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (s, k) = (s.clone(), k.clone());
        tasks.push(tokio::spawn(async move {
            let d = if i % 2 == 0 { Decision::Approve } else { Decision::Reject };
            s.decide::<Deposit>(&checker(), &k, d, Some("x".into())).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e, ApprovalError::NotPending),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(bank.outbox.lock().unwrap().len(), before + 1);
}

#[tokio::test]
async fn deposits_only_for_active_customers_and_validated_input() {
    let (s, _) = svc();
    let c = s.create_customer(&maker(), &input("784199554586093")).await.unwrap();
    let inp = |key: &str, ccy: &str| DepositInput {
        contact_encoded_key: Some(key.into()),
        currency_code: Some(ccy.into()),
        product_name: Some("Savings".into()),
    };
    assert_eq!(
        s.create_deposit(&maker(), &inp(c.key.as_str(), "AED")).await.unwrap_err(),
        ApprovalError::CustomerNotActive
    );
    assert!(matches!(s.create_deposit(&maker(), &inp(c.key.as_str(), "XYZ")).await, Err(ApprovalError::Validation(_))));
    assert_eq!(s.create_deposit(&maker(), &inp("nope", "AED")).await.unwrap_err(), ApprovalError::NotFound);
    assert_eq!(
        s.create_deposit(&checker(), &inp(c.key.as_str(), "AED")).await.unwrap_err(),
        ApprovalError::InsufficientPermissions
    );
}

#[tokio::test]
async fn customer_validation_reports_every_bad_field_and_duplicates() {
    let (s, _) = svc();
    let mut bad = input("784199554586094");
    bad.nationality = Some("INN".into());
    bad.email = Some("nope".into());
    bad.mobile_number = None;
    match s.create_customer(&maker(), &bad).await {
        Err(ApprovalError::Validation(errs)) => {
            let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
            assert_eq!(fields, ["nationality", "mobileNumber", "email"]);
        }
        other => panic!("{other:?}"),
    }
    s.create_customer(&maker(), &input("784199554586095")).await.unwrap();
    assert_eq!(s.create_customer(&maker(), &input("784199554586095")).await.unwrap_err(), ApprovalError::Duplicate);
}

#[tokio::test]
async fn the_inbox_shows_what_the_caller_may_decide_oldest_first() {
    let (s, _) = svc();
    let k1 = pending_customer(&s).await;
    s.clock.advance(10);
    let k2 = pending_deposit(&s).await; // approves another customer on the way
    let page = s.inbox(&checker(), None, None, None).await.unwrap();
    let keys: Vec<_> = page.items.iter().map(|i| i.key.clone()).collect();
    assert_eq!(keys, [k1.as_str().to_string(), k2.as_str().to_string()]);
    let only_deposits = s.inbox(&checker(), Some(EntityKind::Deposit), None, None).await.unwrap();
    assert_eq!(only_deposits.items.len(), 1);
    // Other branch: nothing; asking for another branch without the right: refused.
    assert!(s.inbox(&checker_other_branch(), None, None, None).await.unwrap().items.is_empty());
    assert_eq!(
        s.inbox(&checker_other_branch(), None, Some("BR001".into()), None).await.unwrap_err(),
        ApprovalError::InsufficientPermissions
    );
    assert_eq!(s.inbox(&supervisor(), None, Some("BR001".into()), None).await.unwrap().items.len(), 2);
    // The maker's own submissions never show (and makers lack the decide right anyway).
    let mut maker_checker = maker();
    maker_checker.permissions.push(Permission::ApprovalDecide);
    assert!(s.inbox(&maker_checker, None, None, None).await.unwrap().items.is_empty());
}
