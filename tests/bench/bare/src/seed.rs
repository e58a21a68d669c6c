//! Deposits pending approval, made the way the bank makes them (domain service on the DynamoDB
//! adapter): the maker creates a customer and requests its approval, a checker approves it, then the
//! maker opens each deposit and requests its approval. Not timed.

use adapters::Env;
use adapters::dynamo::bank::DynamoBank;
use adapters::dynamo::identity::DynamoIdentity;
use adapters::system::{OsIds, SystemClock};
use domain::auth::Principal;
use domain::banking::customer::CustomerInput;
use domain::banking::deposit::DepositInput;
use domain::banking::{BankService, Customer, Decision, Deposit};
use domain::identity::Username;
use domain::identity::store::UserStore;

use crate::Res;

/// A demo-realm user as the verifier would see them (the bank's console client).
async fn principal(identity: &DynamoIdentity, username: &str) -> Res<Principal> {
    let name = Username::parse(username).ok_or("malformed username")?;
    let u =
        identity.get_user(&name).await?.ok_or_else(|| format!("user {username} not found (load the demo realm)"))?;
    Ok(Principal {
        sub: u.sub,
        username: u.username.as_str().to_owned(),
        email: Some(u.email),
        client_id: "bpm-console".into(),
        branch: u.branch.map(|b| b.as_str().to_owned()),
        agent_location_id: u.agent_location_id.map(|a| a.as_str().to_owned()),
        permissions: u.permissions,
    })
}

/// The demo-realm user `username` as a principal (for deciding).
pub async fn user_principal(username: &str) -> Res<Principal> {
    let config = adapters::sdk_config().await;
    let identity = DynamoIdentity::new(adapters::dynamo::client(&config), Env::identity_table()?);
    principal(&identity, username).await
}

pub struct Seeded {
    pub keys: Vec<String>,
    /// Who may decide them.
    pub checker: Principal,
}

/// `n` deposits of one new customer, each `Pending_Approval`, requested by `maker`.
pub async fn pending_deposits(n: usize, maker: &str, checker: &str) -> Res<Seeded> {
    let config = adapters::sdk_config().await;
    let dynamo = adapters::dynamo::client(&config);
    let identity = DynamoIdentity::new(dynamo.clone(), Env::identity_table()?);
    let (maker, checker) = (principal(&identity, maker).await?, principal(&identity, checker).await?);
    let bank = BankService { store: DynamoBank::new(dynamo, Env::bank_table()?), clock: SystemClock, ids: OsIds };
    let err = |e: domain::banking::ApprovalError| format!("seeding: {e}");

    // One customer per ID document: a fresh, obviously synthetic number each run.
    let id_number = format!("BENCH{}", &uuid::Uuid::new_v4().simple().to_string()[..20]);
    let input = CustomerInput {
        first_name: Some("Bench".into()),
        last_name: Some("Customer".into()),
        date_of_birth: Some("1990-01-31".into()),
        nationality: Some("AE".into()),
        id_type: Some("4".into()),
        id_number: Some(id_number),
        mobile_number: Some("+971554747002".into()),
        email: Some("bench@example.com".into()),
    };
    let customer = bank.create_customer(&maker, &input).await.map_err(err)?;
    bank.request_approval::<Customer>(&maker, &customer.key, Some("Bench".into())).await.map_err(err)?;
    bank.decide::<Customer>(&checker, &customer.key, Decision::Approve, Some("Bench".into())).await.map_err(err)?;

    let mut keys = Vec::with_capacity(n);
    for _ in 0..n {
        let input = DepositInput {
            contact_encoded_key: Some(customer.key.as_str().to_owned()),
            currency_code: Some("AED".into()),
            product_name: Some("Savings".into()),
        };
        let d = bank.create_deposit(&maker, &input).await.map_err(err)?;
        bank.request_approval::<Deposit>(&maker, &d.key, Some("Ready".into())).await.map_err(err)?;
        keys.push(d.key.as_str().to_owned());
    }
    Ok(Seeded { keys, checker })
}

pub async fn run(n: usize, maker: &str, checker: &str) -> Res<serde_json::Value> {
    let s = pending_deposits(n, maker, checker).await?;
    Ok(serde_json::json!({ "deposits": s.keys }))
}
