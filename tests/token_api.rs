//! The token API end to end: HTTP through `cargo lambda watch`, real DynamoDB Local and moto KMS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use domain::auth::Permission;
use domain::auth::jwt::{AccessClaims, sign};
use domain::identity::store::UserStore;
use domain::ports::Signer;
use e2e_tests::*;
use serde_json::Value;

const USERINFO: &str = "/auth/realms/cdp/protocol/openid-connect/userinfo";

async fn jwks() -> Value {
    http().get(api("/auth/realms/cdp/protocol/openid-connect/certs")).send().await.unwrap().json().await.unwrap()
}

/// Verifies a token against the published JWKS with jsonwebtoken directly (not our verifier).
async fn verify_with_jwks(token: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    let keys = jwks().await;
    let jwk = keys["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header.kid.clone().unwrap()).unwrap();
    let key =
        jsonwebtoken::DecodingKey::from_ec_components(jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap()).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.set_issuer(&[issuer()]);
    v.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &v).unwrap().claims
}

async fn userinfo(token: &str) -> (u16, Value) {
    let resp = http().get(api(USERINFO)).bearer_auth(token).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn seed_password_grant_returns_the_seed_body_and_a_verifiable_token() {
    // The seed's access-token payload, grant_type twice included.
    let (status, body) = token_form(&[
        ("grant_type", "password"),
        ("scope", PARTNER_SCOPE),
        ("client_id", "cdp-partner"),
        ("client_secret", "cdp-partner-secret"),
        ("grant_type", "password"),
        ("username", "partner1"),
        ("password", "Partner1!pass"),
    ])
    .await;
    assert_eq!(status, 200, "{body}");
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "not-before-policy",
            "refresh_expires_in",
            "refresh_token",
            "scope",
            "session_state",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 7199);
    assert_eq!(body["refresh_expires_in"], 7199);
    assert_eq!(body["not-before-policy"], 0);
    assert_eq!(body["scope"], PARTNER_SCOPE);

    let claims = verify_with_jwks(body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], issuer());
    assert_eq!(claims["azp"], "cdp-partner");
    assert_eq!(claims["preferred_username"], "partner1");
    assert_eq!(claims["email"], "partner1@bank.local");
    assert_eq!(claims["agent_location_id"], "784101");
    assert_eq!(claims["permissions"], serde_json::json!(["cdp.lookup", "cdp.onboard"]));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 7199);
    assert_eq!(claims["sid"], body["session_state"]);

    // Our own verifier, through a protected endpoint.
    let (status, me) = userinfo(body["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me["sub"], claims["sub"]);
}

#[tokio::test]
async fn bank_staff_tokens_carry_branch_and_permissions() {
    let (status, body) = login("bpm-console", "bpm-console-secret", "hq.supervisor", "Super1!pass").await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_with_jwks(body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["branch"], "HQ");
    assert_eq!(claims["permissions"], serde_json::json!(["approval.decide", "approval.cross_branch", "record.read"]));
    assert!(claims.get("agent_location_id").is_none());
}

#[tokio::test]
async fn seed_refresh_payload_rotates_and_reuse_revokes_the_family() {
    let (_, first) = login("cdp-partner", "cdp-partner-secret", "partner2", "Partner2!pass").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    // The seed's refresh payload (it sends grant_type=password and then grant_type=refresh_token).
    let refresh = |t: String| async move {
        token_form(&[
            ("grant_type", "password"),
            ("client_id", "cdp-partner"),
            ("client_secret", "cdp-partner-secret"),
            ("grant_type", "refresh_token"),
            ("refresh_token", &t),
        ])
        .await
    };
    let (status, second) = refresh(r1.clone()).await;
    assert_eq!(status, 200, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(second["session_state"], first["session_state"]);

    let (status, err) = refresh(r1).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
    // The whole family is gone, including the newest token.
    let (status, err) = refresh(r2).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")), "{err}");
}

#[tokio::test]
async fn client_credentials_for_the_compliance_system() {
    let (status, body) = token_form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "compliance-system"),
        ("client_secret", "compliance-secret"),
    ])
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    let claims = verify_with_jwks(body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], "service-account-compliance-system");
    assert_eq!(claims["permissions"], serde_json::json!(["aml.alert.close"]));
}

#[tokio::test]
async fn every_error_in_keycloak_form_with_keycloak_status() {
    let long = "x".repeat(61);
    // (form fields, expected HTTP status, expected Keycloak error)
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "cdp-partner"),
                ("client_secret", "wrong"),
                ("username", "partner1"),
                ("password", "Partner1!pass"),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "no-such-client"),
                ("client_secret", "x"),
                ("username", "partner1"),
                ("password", "Partner1!pass"),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "cdp-partner"),
                ("client_secret", "cdp-partner-secret"),
            ],
            400,
            "unauthorized_client",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "compliance-system"),
                ("client_secret", "compliance-secret"),
                ("username", "partner1"),
                ("password", "Partner1!pass"),
            ],
            400,
            "unauthorized_client",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", "cdp-partner"),
                ("client_secret", "cdp-partner-secret"),
            ],
            400,
            "unsupported_grant_type",
        ),
        (vec![("client_id", "cdp-partner"), ("client_secret", "cdp-partner-secret")], 400, "invalid_request"),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "cdp-partner"),
                ("client_secret", "cdp-partner-secret"),
                ("username", &long),
                ("password", "x"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "cdp-partner"),
                ("client_secret", "cdp-partner-secret"),
                ("username", "partner1"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "cdp-partner"),
                ("client_secret", "cdp-partner-secret"),
                ("username", "partner1"),
                ("password", "Partner1!pass"),
                ("scope", "bpm"),
            ],
            400,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("client_id", "cdp-partner"),
                ("client_secret", "cdp-partner-secret"),
                ("refresh_token", "forged"),
            ],
            400,
            "invalid_grant",
        ),
    ];
    for (form, status, error) in cases {
        let (got, body) = token_form(&form).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{form:?} -> {body}");
        assert!(body["error_description"].is_string());
    }
    // Not a form at all.
    let resp = http().post(api(TOKEN_PATH)).json(&serde_json::json!({"grant_type": "password"})).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test]
async fn unknown_user_wrong_password_and_locked_account_look_the_same() {
    let store = identity().await;
    let user = make_user(&store, "Locked1!pass", vec![Permission::RecordRead]).await;
    let (_, unknown) = login("bpm-console", "bpm-console-secret", &unique("ghost"), "Locked1!pass").await;
    let (status, wrong) = login("bpm-console", "bpm-console-secret", &user, "nope").await;
    assert_eq!(status, 401);
    assert_eq!(unknown, wrong);
    assert_eq!(wrong, serde_json::json!({"error": "invalid_grant", "error_description": "Invalid user credentials"}));
    for _ in 0..4 {
        assert_eq!(login("bpm-console", "bpm-console-secret", &user, "nope").await, (401, wrong.clone()));
    }
    // Five failures: the right password is refused with the same answer for 15 minutes.
    assert_eq!(login("bpm-console", "bpm-console-secret", &user, "Locked1!pass").await, (401, wrong.clone()));
    // The counter lives in DynamoDB, not in the function's memory.
    let lock =
        domain::identity::store::LockoutStore::get_lockout(&store, &domain::identity::Username::parse(&user).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(lock.failures, 5);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(lock.locked_until.unwrap() > now + 14 * 60);
}

#[tokio::test]
async fn disabled_users_cannot_log_in() {
    let store = identity().await;
    let user = make_user(&store, "Disabled1!pass", vec![]).await;
    assert_eq!(login("bpm-console", "bpm-console-secret", &user, "Disabled1!pass").await.0, 200);
    let mut u = store.get_user(&domain::identity::Username::parse(&user).unwrap()).await.unwrap().unwrap();
    u.enabled = false;
    store.put_user(&u).await.unwrap();
    assert_eq!(login("bpm-console", "bpm-console-secret", &user, "Disabled1!pass").await.0, 401);
}

fn claims_now(iss: String) -> AccessClaims {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    AccessClaims {
        iss,
        sub: "forger".into(),
        azp: "bpm-console".into(),
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: unique("j"),
        typ: "Bearer".into(),
        scope: "bpm".into(),
        sid: None,
        preferred_username: "forger".into(),
        email: None,
        branch: Some("HQ".into()),
        permissions: vec!["approval.cross_branch".into()],
        agent_location_id: None,
    }
}

#[tokio::test]
async fn forged_tokens_are_all_answered_401_in_the_seed_shape() {
    let (_, good) = login("bpm-console", "bpm-console-secret", "viewer1", "Viewer1!pass").await;
    let good = good["access_token"].as_str().unwrap().to_owned();
    let parts: Vec<&str> = good.split('.').collect();
    let keys = kms_keys().await;
    let kid = keys.key_id().await.unwrap();

    let alg_none = format!("{}.{}.", B64.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some(kid.clone());
    let public_jwks = jwks().await.to_string();
    let hs256 = jsonwebtoken::encode(
        &h,
        &claims_now(issuer()),
        &jsonwebtoken::EncodingKey::from_secret(public_jwks.as_bytes()),
    )
    .unwrap();
    let mut payload: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    payload["permissions"] = serde_json::json!(["approval.cross_branch"]);
    let tampered = format!("{}.{}.{}", parts[0], B64.encode(payload.to_string()), parts[2]);
    // Signed by the real KMS key, but expired / for another issuer.
    let mut old = claims_now(issuer());
    old.exp -= 7200;
    old.iat -= 7200;
    old.nbf -= 7200;
    let expired = sign(&keys, &kid, &old).await.unwrap();
    let wrong_issuer = sign(&keys, &kid, &claims_now("http://evil.example/auth/realms/cdp".into())).await.unwrap();
    // A different key, announced under an unknown kid and under our kid.
    let stranger = domain::testing::SoftwareSigner::generate();
    let unknown_kid = sign(&stranger, &stranger.key_id().await.unwrap(), &claims_now(issuer())).await.unwrap();
    let our_kid_other_key = sign(&stranger, &kid, &claims_now(issuer())).await.unwrap();

    for (token, what) in [
        (alg_none, "alg none"),
        (hs256, "HS256 signed with the public key"),
        (tampered, "tampered payload"),
        (expired, "expired"),
        (wrong_issuer, "wrong issuer"),
        (unknown_kid, "unknown kid"),
        (our_kid_other_key, "our kid, other key"),
        ("not.a.jwt".into(), "garbage"),
    ] {
        let (status, body) = userinfo(&token).await;
        assert_eq!(status, 401, "{what} accepted: {body}");
        assert_eq!(body["error"], "Unauthorized", "{what}");
        assert_eq!(body["status"], 401);
        assert_eq!(body["message"], "");
        assert_eq!(body["path"], USERINFO);
        assert!(body["timestamp"].is_string());
    }
    let resp = http().get(api(USERINFO)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401, "no token at all");
    assert_eq!(userinfo(&good).await.0, 200);
}

#[tokio::test]
async fn discovery_and_jwks() {
    let conf: Value = http()
        .get(api("/auth/realms/cdp/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(conf["issuer"], issuer());
    assert_eq!(conf["jwks_uri"], format!("{}/protocol/openid-connect/certs", issuer()));
    let keys = jwks().await;
    let k = &keys["keys"][0];
    assert_eq!((k["kty"].as_str(), k["crv"].as_str(), k["alg"].as_str()), (Some("EC"), Some("P-256"), Some("ES256")));
    assert!(k.get("d").is_none(), "never a private part");
}
