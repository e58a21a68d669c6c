//! The bank store against DynamoDB Local: guarded transactions, one winner under real concurrency,
//! audit and outbox written with the transition, the inbox query.

use std::sync::Arc;

use adapters::system::{OsIds, SystemClock};
use domain::auth::{Permission, Principal};
use domain::banking::Customer;
use domain::banking::approval::{ApprovalError, Decision, EntityKind};
use domain::banking::customer::CustomerInput;
use domain::banking::deposit::{Deposit, DepositInput, DepositStatus};
use domain::banking::service::BankService;
use domain::banking::store::BankStore;
use domain::banking::values::luhn_valid;
use e2e_tests::*;

fn who(sub: &str, branch: &str, perms: &[Permission]) -> Principal {
    Principal {
        sub: sub.into(),
        username: sub.into(),
        email: Some(format!("{sub}@bank.local")),
        client_id: "test".into(),
        branch: Some(branch.into()),
        agent_location_id: None,
        permissions: perms.to_vec(),
    }
}

async fn service() -> Arc<BankService<adapters::dynamo::bank::DynamoBank, SystemClock, OsIds>> {
    Arc::new(BankService { store: bank_store().await, clock: SystemClock, ids: OsIds })
}

fn customer_input() -> CustomerInput {
    CustomerInput {
        first_name: Some("Amal".into()),
        last_name: Some("Test".into()),
        date_of_birth: Some("1985-05-05".into()),
        nationality: Some("AE".into()),
        id_type: Some("4".into()),
        id_number: Some(unique_id_number()),
        mobile_number: Some("+971501234567".into()),
        email: Some("amal@example.com".into()),
    }
}

#[tokio::test]
async fn twenty_concurrent_decisions_on_dynamodb_have_exactly_one_winner() {
    let branch = unique("BR").to_uppercase().replace('-', "");
    let maker = who(
        &unique("maker"),
        &branch,
        &[Permission::CustomerCreate, Permission::DepositCreate, Permission::ApprovalRequest],
    );
    let checker = who(&unique("checker"), &branch, &[Permission::ApprovalDecide]);
    let s = service().await;
    let c = s.create_customer(&maker, &customer_input()).await.unwrap();
    s.request_approval::<Customer>(&maker, &c.key, None).await.unwrap();
    s.decide::<Customer>(&checker, &c.key, Decision::Approve, None).await.unwrap();
    let d = s
        .create_deposit(
            &maker,
            &DepositInput {
                contact_encoded_key: Some(c.key.as_str().into()),
                currency_code: Some("USD".into()),
                product_name: Some("Term".into()),
            },
        )
        .await
        .unwrap();
    assert!(luhn_valid(&d.account_number));
    s.request_approval::<Deposit>(&maker, &d.key, Some("docs ok".into())).await.unwrap();

    let mut tasks = Vec::new();
    for i in 0..20 {
        let (s, key) = (s.clone(), d.key.clone());
        let checker = who(&format!("checker-{i}"), &branch, &[Permission::ApprovalDecide]);
        tasks.push(tokio::spawn(async move {
            let decision = if i % 2 == 0 { Decision::Approve } else { Decision::Reject };
            s.decide::<Deposit>(&checker, &key, decision, Some(format!("decision {i}"))).await
        }));
    }
    let mut winners = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => winners += 1,
            Err(e) => assert_eq!(e, ApprovalError::NotPending),
        }
    }
    assert_eq!(winners, 1);
    let history = s.store.history(EntityKind::Deposit, &d.key).await.unwrap();
    let actions: Vec<_> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
    assert_eq!(&actions[..2], ["created", "approval_requested"]);
    let final_state = s.store.get_deposit(&d.key).await.unwrap().unwrap();
    assert!(matches!(final_state.status, DepositStatus::Active | DepositStatus::Rejected));
    assert_eq!(final_state.version, 3);
}

#[tokio::test]
async fn a_lost_guard_writes_nothing() {
    let branch = unique("BR").to_uppercase().replace('-', "");
    let maker = who(&unique("maker"), &branch, &[Permission::CustomerCreate, Permission::ApprovalRequest]);
    let s = service().await;
    let c = s.create_customer(&maker, &customer_input()).await.unwrap();
    // Same ID document again: refused, and no second record or audit line.
    let mut again = customer_input();
    again.id_number = Some(c.id_number.as_str().into());
    assert_eq!(s.create_customer(&maker, &again).await.unwrap_err(), ApprovalError::Duplicate);
    // A stale version: the transaction is cancelled as a whole.
    let mut stale = c.clone();
    stale.version += 1;
    let change = domain::banking::store::Change {
        record: domain::banking::store::Record::Customer(stale),
        expected_version: 99,
        expected_status: "KYC_PENDING",
        audit: domain::banking::AuditRecord {
            transition_id: unique("t"),
            entity: EntityKind::Customer,
            entity_key: c.key.as_str().into(),
            action: "bogus".into(),
            from: None,
            to: "X".into(),
            actor_sub: "x".into(),
            actor_username: "x".into(),
            at: "2026-01-01T00:00:00Z".into(),
            comment: None,
            cross_branch: false,
        },
        notification: None,
    };
    assert!(matches!(s.store.commit(&change).await, Err(domain::ports::PortError::Conflict)));
    let history = s.store.history(EntityKind::Customer, &c.key).await.unwrap();
    assert_eq!(history.len(), 1, "only the creation");
    assert_eq!(s.store.get_customer(&c.key).await.unwrap().unwrap().version, 1);
}

#[tokio::test]
async fn the_inbox_pages_oldest_first_and_hides_own_submissions() {
    let branch = unique("BR").to_uppercase().replace('-', "");
    let maker = who(&unique("maker"), &branch, &[Permission::CustomerCreate, Permission::ApprovalRequest]);
    let checker = who(&unique("checker"), &branch, &[Permission::ApprovalDecide]);
    let s = service().await;
    let mut keys = Vec::new();
    for _ in 0..3 {
        let c = s.create_customer(&maker, &customer_input()).await.unwrap();
        s.request_approval::<Customer>(&maker, &c.key, None).await.unwrap();
        keys.push(c.key.as_str().to_owned());
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // distinct request seconds
    }
    let q = |token: Option<String>, sub: String| domain::banking::store::InboxQuery {
        exclude_sub: sub,
        branch: Some(branch.clone()),
        kind: None,
        page_token: token,
        limit: 2,
    };
    let p1 = s.store.pending(&q(None, checker.sub.clone())).await.unwrap();
    assert_eq!(p1.items.iter().map(|i| i.key.clone()).collect::<Vec<_>>(), keys[..2]);
    let p2 = s.store.pending(&q(p1.next_page_token.clone(), checker.sub.clone())).await.unwrap();
    assert_eq!(p2.items.iter().map(|i| i.key.clone()).collect::<Vec<_>>(), keys[2..]);
    assert!(s.store.pending(&q(None, maker.sub.clone())).await.unwrap().items.is_empty());
    let forged = s.store.pending(&q(Some("forged".into()), checker.sub.clone())).await;
    assert!(matches!(forged, Err(domain::ports::PortError::Invalid(_))));
}
