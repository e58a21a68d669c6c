//! The identity adapters against DynamoDB Local and moto's KMS (the real local services).

use domain::auth::Verifier;
use domain::auth::jwt::{AccessClaims, sign};
use domain::identity::store::{LockoutStore, RefreshTokenStore, UserStore};
use domain::identity::{ClientId, LockoutRecord, RefreshFamily, RefreshRecord, RefreshStatus, Username};
use domain::ports::{PortError, PublicKeySource, Signer};
use e2e_tests::*;

fn record(family: &str, hash: &str) -> RefreshRecord {
    RefreshRecord {
        token_hash: hash.into(),
        family_id: family.into(),
        username: Username::parse("someone").unwrap(),
        client_id: ClientId::parse("cdp-partner").unwrap(),
        scope: "openid".into(),
        issued_at: 1,
        expires_at: 4_000_000_000,
        status: RefreshStatus::Active,
    }
}

#[tokio::test]
async fn users_round_trip() {
    let store = identity().await;
    let name = make_user(&store, "Round1!trip", vec![domain::auth::Permission::RecordRead]).await;
    let u = store.get_user(&Username::parse(&name).unwrap()).await.unwrap().unwrap();
    assert_eq!(u.email, format!("{name}@bank.local"));
    assert_eq!(u.permissions, vec![domain::auth::Permission::RecordRead]);
    assert!(domain::identity::password::verify("Round1!trip", &u.password_hash));
    assert!(store.get_user(&Username::parse(&unique("none")).unwrap()).await.unwrap().is_none());
}

#[tokio::test]
async fn lockout_writes_are_guarded_by_version() {
    let store = identity().await;
    let u = Username::parse(&unique("lock")).unwrap();
    let policy = domain::identity::LockoutPolicy::default();
    let first = LockoutRecord::after_failure(None, 100, &policy);
    store.put_lockout(&u, &first, None).await.unwrap();
    // A second "first write" loses.
    assert!(matches!(store.put_lockout(&u, &first, None).await, Err(PortError::Conflict)));
    let second = LockoutRecord::after_failure(Some(&first), 101, &policy);
    store.put_lockout(&u, &second, Some(first.version)).await.unwrap();
    assert!(matches!(store.put_lockout(&u, &second, Some(first.version)).await, Err(PortError::Conflict)));
    assert_eq!(store.get_lockout(&u).await.unwrap(), Some(second));
    store.clear_lockout(&u).await.unwrap();
    assert_eq!(store.get_lockout(&u).await.unwrap(), None);
}

#[tokio::test]
async fn refresh_rotation_has_exactly_one_winner_and_revocation_blocks_it() {
    let store = identity().await;
    let fam = unique("fam");
    let h0 = unique("h0");
    store
        .start_family(
            &RefreshFamily { family_id: fam.clone(), revoked: false, expires_at: 4_000_000_000 },
            &record(&fam, &h0),
        )
        .await
        .unwrap();
    let a = record(&fam, &unique("ha"));
    let b = record(&fam, &unique("hb"));
    let (ra, rb) = tokio::join!(store.rotate(&h0, &a), store.rotate(&h0, &b));
    assert!(ra.is_ok() ^ rb.is_ok(), "exactly one rotation wins: {ra:?} {rb:?}");
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(matches!(loser, Err(PortError::Conflict)));
    assert_eq!(store.get_refresh(&h0).await.unwrap().unwrap().status, RefreshStatus::Rotated);

    let winner = if store.get_refresh(&a.token_hash).await.unwrap().is_some() { a } else { b };
    store.revoke_family(&fam).await.unwrap();
    assert!(store.get_family(&fam).await.unwrap().unwrap().revoked);
    let c = record(&fam, &unique("hc"));
    assert!(matches!(store.rotate(&winner.token_hash, &c).await, Err(PortError::Conflict)));
    assert!(store.get_refresh(&c.token_hash).await.unwrap().is_none(), "nothing half-written");
}

#[tokio::test]
async fn kms_signs_es256_tokens_that_the_verifier_accepts() {
    let keys = kms_keys().await;
    let jwks = keys.public_keys().await.unwrap();
    assert_eq!(jwks.len(), 1);
    assert_eq!(keys.key_id().await.unwrap(), jwks[0].kid);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = AccessClaims {
        iss: "http://adapter-test/auth/realms/cdp".into(),
        sub: "s".into(),
        azp: "c".into(),
        exp: now + 60,
        iat: now,
        nbf: now,
        jti: "j".into(),
        typ: "Bearer".into(),
        scope: "openid".into(),
        sid: None,
        preferred_username: "u".into(),
        email: None,
        branch: None,
        permissions: vec![],
        agent_location_id: None,
    };
    let token = sign(&keys, &jwks[0].kid, &claims).await.unwrap();
    let v = Verifier::new(kms_keys().await, "http://adapter-test/auth/realms/cdp");
    assert_eq!(v.verify(&token).await.unwrap().sub, "s");
}
