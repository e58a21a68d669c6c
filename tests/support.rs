//! Shared helpers of the black-box tests. The stack is started by the test command
//! (`make test` -> infra/local/test.sh); a missing variable fails the test, it never skips it.

use adapters::dynamo::identity::DynamoIdentity;
use adapters::kms::KmsKeys;
use domain::auth::Permission;
use domain::identity::store::UserStore;
use domain::identity::{Branch, User, Username, password};

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run the tests with `make test`"))
}

pub fn api(path: &str) -> String {
    format!("{}{path}", env("API_BASE_URL"))
}

pub fn issuer() -> String {
    format!("{}/auth/realms/cdp", env("ISSUER_BASE_URL"))
}

pub const TOKEN_PATH: &str = "/auth/realms/cdp/protocol/openid-connect/token";
pub const PARTNER_SCOPE: &str = "api://3a3f52a1-1b64-4c27-81f0-50a6ca01324d/customer";

pub async fn identity() -> DynamoIdentity {
    let config = adapters::sdk_config().await;
    DynamoIdentity::new(adapters::dynamo::client(&config), env("IDENTITY_TABLE"))
}

pub async fn kms_keys() -> KmsKeys {
    let config = adapters::sdk_config().await;
    KmsKeys::new(adapters::kms::client(&config), env("SIGNING_KEY_ID"), vec![])
}

/// A unique name per test (per-test isolation in shared tables).
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

/// Creates a bank user with a known password; returns its username.
pub async fn make_user(store: &DynamoIdentity, password_text: &str, permissions: Vec<Permission>) -> String {
    let name = unique("u");
    store
        .put_user(&User {
            sub: uuid::Uuid::new_v4().to_string(),
            username: Username::parse(&name).unwrap(),
            email: format!("{name}@bank.local"),
            password_hash: password::hash(password_text),
            branch: Branch::parse("BR001"),
            agent_location_id: None,
            permissions,
            enabled: true,
        })
        .await
        .unwrap();
    name
}

pub async fn bank_store() -> adapters::dynamo::bank::DynamoBank {
    let config = adapters::sdk_config().await;
    adapters::dynamo::bank::DynamoBank::new(adapters::dynamo::client(&config), env("BANK_TABLE"))
}

/// A unique, valid Emirates-ID-like number per call (per-test isolation of the ID uniqueness rule).
pub fn unique_id_number() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 10_000_000_000;
    format!("78419{n:010}")
}

/// An access token of a demo-realm bank user.
pub async fn staff_token(user: &str, password: &str) -> String {
    let (status, body) = login("bpm-console", "bpm-console-secret", user, password).await;
    assert_eq!(status, 200, "login {user}: {body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// POST /api/bpm/cmd; returns (status, body).
pub async fn bpm(
    token: Option<&str>,
    body: &serde_json::Value,
    idempotency_key: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = http().post(api("/api/bpm/cmd")).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(k) = idempotency_key {
        req = req.header("Idempotency-Key", k);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(std::time::Duration::from_secs(180)).build().unwrap()
}

/// POSTs a form to the token endpoint; returns (status, JSON body).
pub async fn token_form(pairs: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let resp = http().post(api(TOKEN_PATH)).form(pairs).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

pub async fn login(client: &str, secret: &str, user: &str, pw: &str) -> (u16, serde_json::Value) {
    token_form(&[
        ("grant_type", "password"),
        ("client_id", client),
        ("client_secret", secret),
        ("username", user),
        ("password", pw),
    ])
    .await
}

/// A partner's access token (demo realm).
pub async fn partner_token(user: &str, password: &str) -> String {
    let (status, body) = login("cdp-partner", "cdp-partner-secret", user, password).await;
    assert_eq!(status, 200, "login {user}: {body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// POSTs JSON with a bearer token; returns (status, body).
pub async fn post_json(path: &str, token: Option<&str>, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let mut req = http().post(api(path)).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

// ---- seed 003 onboarding payloads -----------------------------------------------------------

use base64::Engine;
use serde_json::Value;

pub const ONBOARD: &str = "/caas-lcm/api/v1/CAAS/onBoarding/customer";
pub const LOOKUP: &str = "/api/v2/customer/validate";

pub const FRONT: &[u8] = include_bytes!("fixtures/id-front.jpg");
pub const BACK: &[u8] = include_bytes!("fixtures/id-back.jpg");
pub const DOC: &[u8] = include_bytes!("fixtures/doc.jpg");
pub const PHOTO: &[u8] = include_bytes!("fixtures/photo.jpg");
pub const PNG: &[u8] = include_bytes!("fixtures/scan.png");

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The seed's sample payload with real JPEGs: fronts, backs, additional documents and photo differ.
pub fn seed_payload() -> Value {
    let mut p: Value = serde_json::from_str(include_str!("fixtures/onboarding-seed.json")).unwrap();
    for d in p["additional_docs"].as_array_mut().unwrap() {
        d["base64_data"] = b64(DOC).into();
    }
    for d in p["id_details"].as_array_mut().unwrap() {
        d["id_front"]["base64_data"] = b64(FRONT).into();
        d["id_back"]["base64_data"] = b64(BACK).into();
    }
    p["customer_classification"]["profile_photo"]["base64_data"] = b64(PHOTO).into();
    p
}

/// The seed payload for a new person (unique ID numbers), optionally renamed.
pub fn fresh_payload(first: &str, last: &str) -> (Value, String) {
    let mut p = seed_payload();
    let eid = unique_id_number();
    p["first_name"] = first.into();
    p["middle_name"] = Value::Null;
    p["last_name"] = last.into();
    p["preferred_name"] = Value::Null;
    p["id_details"][0]["id_number"] = eid.clone().into();
    p["id_details"][0]["name_as_per_id"] = format!("{first} {last}").into();
    p["id_details"][0]["date_of_expiry"] = "2030-12-10".into();
    p["id_details"][1]["id_number"] = format!("P{}", &eid[8..]).into();
    p["id_details"][1]["name_as_per_id"] = format!("{first} {last}").into();
    (p, eid)
}
