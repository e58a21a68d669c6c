use super::*;
use crate::auth::{Permission, Verifier};
use crate::identity::{AgentLocationId, Branch};
use crate::ports::Clock;
use crate::testing::{FixedClock, MemoryIdentity, SeqIds, SoftwareSigner};
use std::sync::Arc;

const ISS: &str = "http://localhost/auth/realms/cdp";

struct Fx {
    svc: TokenService<Arc<MemoryIdentity>, Arc<SoftwareSigner>, Arc<FixedClock>, SeqIds>,
    mem: Arc<MemoryIdentity>,
    signer: Arc<SoftwareSigner>,
    clock: Arc<FixedClock>,
}

fn fixture() -> Fx {
    let mem = Arc::new(MemoryIdentity::default());
    let signer = Arc::new(SoftwareSigner::generate());
    let clock = Arc::new(FixedClock::at(time::OffsetDateTime::now_utc().unix_timestamp()));
    mem.users.lock().unwrap().insert(
        "partner1".into(),
        User {
            sub: "sub-partner1".into(),
            username: Username::parse("partner1").unwrap(),
            email: "partner1@bank.local".into(),
            password_hash: password::hash("Partner1!pass"),
            branch: None,
            agent_location_id: AgentLocationId::parse("784101"),
            permissions: vec![Permission::CdpLookup, Permission::CdpOnboard],
            enabled: true,
        },
    );
    mem.users.lock().unwrap().insert(
        "gone".into(),
        User {
            sub: "sub-gone".into(),
            username: Username::parse("gone").unwrap(),
            email: "gone@bank.local".into(),
            password_hash: password::hash("Gone1!pass!"),
            branch: Branch::parse("BR001"),
            agent_location_id: None,
            permissions: vec![],
            enabled: false,
        },
    );
    for (id, grants, perms) in [
        ("cdp-partner", vec![GrantType::Password, GrantType::RefreshToken], vec![]),
        ("compliance-system", vec![GrantType::ClientCredentials], vec![Permission::AmlAlertClose]),
    ] {
        mem.clients.lock().unwrap().insert(
            id.into(),
            Client {
                client_id: ClientId::parse(id).unwrap(),
                secret_sha256: sha256_hex(&format!("{id}-secret")),
                grants,
                scopes: vec!["api://cdp/customer".into(), "openid".into()],
                permissions: perms,
                enabled: true,
            },
        );
    }
    let svc = TokenService {
        store: mem.clone(),
        keys: signer.clone(),
        clock: clock.clone(),
        ids: SeqIds::default(),
        settings: TokenSettings::new(ISS),
    };
    Fx { svc, mem, signer, clock }
}

fn client(id: &str) -> ClientAuth {
    ClientAuth { client_id: id.into(), client_secret: Some(format!("{id}-secret")) }
}

fn password(user: &str, pw: &str) -> GrantRequest {
    GrantRequest::Password { client: client("cdp-partner"), username: user.into(), password: pw.into(), scope: None }
}

fn refresh(token: &str) -> GrantRequest {
    GrantRequest::RefreshToken { client: client("cdp-partner"), refresh_token: token.into(), scope: None }
}

fn is_bad_user(r: Result<IssuedTokens, TokenError>) -> bool {
    matches!(r, Err(TokenError::InvalidGrant(InvalidGrant::UserCredentials)))
}

#[tokio::test]
async fn password_grant_issues_a_verifiable_token_with_the_users_claims() {
    let fx = fixture();
    let t = fx.svc.grant(password("Partner1", "Partner1!pass")).await.unwrap();
    assert_eq!(t.expires_in, 7199);
    assert_eq!(t.refresh_expires_in, 7199);
    assert_eq!(t.scope, "api://cdp/customer openid");
    let refresh = t.refresh_token.clone().unwrap();
    assert_eq!(refresh.len(), 43);
    // Stored only as a hash.
    {
        let stored = fx.mem.refresh.lock().unwrap();
        assert!(stored.contains_key(&sha256_hex(&refresh)));
        assert!(!stored.keys().any(|k| k == &refresh));
    }

    let verifier = Verifier::new(fx.signer.clone(), ISS);
    let p = verifier.verify(&t.access_token).await.unwrap();
    assert_eq!(p.sub, "sub-partner1");
    assert_eq!(p.username, "partner1");
    assert_eq!(p.client_id, "cdp-partner");
    assert_eq!(p.agent_location_id.as_deref(), Some("784101"));
    assert_eq!(p.permissions, vec![Permission::CdpLookup, Permission::CdpOnboard]);
}

#[tokio::test]
async fn unknown_user_wrong_password_and_disabled_user_are_one_answer() {
    let fx = fixture();
    assert!(is_bad_user(fx.svc.grant(password("nobody", "Partner1!pass")).await));
    assert!(is_bad_user(fx.svc.grant(password("partner1", "wrong")).await));
    assert!(is_bad_user(fx.svc.grant(password("gone", "Gone1!pass!")).await));
    assert!(is_bad_user(fx.svc.grant(password("bad\u{7}name", "x")).await));
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let fx = fixture();
    for _ in 0..5 {
        assert!(is_bad_user(fx.svc.grant(password("partner1", "wrong")).await));
    }
    // Locked: even the right password gets the same generic answer.
    assert!(is_bad_user(fx.svc.grant(password("partner1", "Partner1!pass")).await));
    fx.clock.advance(14 * 60);
    assert!(is_bad_user(fx.svc.grant(password("partner1", "Partner1!pass")).await));
    fx.clock.advance(61);
    assert!(fx.svc.grant(password("partner1", "Partner1!pass")).await.is_ok());
    // A success clears the counter.
    assert!(fx.mem.lockouts.lock().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_usernames_lock_too_so_lockout_does_not_reveal_existence() {
    let fx = fixture();
    for _ in 0..5 {
        assert!(is_bad_user(fx.svc.grant(password("ghost", "x")).await));
    }
    let rec = fx.mem.lockouts.lock().unwrap().get("ghost").cloned().unwrap();
    assert!(rec.is_locked(fx.clock.now().unix_timestamp()));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let fx = fixture();
    let first = fx.svc.grant(password("partner1", "Partner1!pass")).await.unwrap();
    let r1 = first.refresh_token.unwrap();
    let second = fx.svc.grant(refresh(&r1)).await.unwrap();
    let r2 = second.refresh_token.unwrap();
    assert_ne!(r1, r2);
    assert_eq!(second.session_state, first.session_state);

    // r1 again: reuse -> invalid_grant and the family (r2 included) is revoked.
    assert!(matches!(fx.svc.grant(refresh(&r1)).await, Err(TokenError::InvalidGrant(InvalidGrant::RefreshToken))));
    assert!(matches!(fx.svc.grant(refresh(&r2)).await, Err(TokenError::InvalidGrant(InvalidGrant::RefreshToken))));
    // A new login starts a new family that works.
    let fresh = fx.svc.grant(password("partner1", "Partner1!pass")).await.unwrap();
    assert!(fx.svc.grant(refresh(&fresh.refresh_token.unwrap())).await.is_ok());
}

#[tokio::test]
async fn refresh_tokens_expire_and_belong_to_their_client() {
    let fx = fixture();
    let t = fx.svc.grant(password("partner1", "Partner1!pass")).await.unwrap();
    let r = t.refresh_token.unwrap();
    let other =
        GrantRequest::RefreshToken { client: client("compliance-system"), refresh_token: r.clone(), scope: None };
    // compliance-system may not use refresh_token at all.
    assert!(matches!(fx.svc.grant(other).await, Err(TokenError::UnauthorizedClient)));
    fx.clock.advance(7200);
    assert!(matches!(fx.svc.grant(refresh(&r)).await, Err(TokenError::InvalidGrant(InvalidGrant::RefreshToken))));
    assert!(matches!(
        fx.svc.grant(refresh("made-up")).await,
        Err(TokenError::InvalidGrant(InvalidGrant::RefreshToken))
    ));
}

#[tokio::test]
async fn client_authentication_and_grant_permissions() {
    let fx = fixture();
    let bad_secret = GrantRequest::Password {
        client: ClientAuth { client_id: "cdp-partner".into(), client_secret: Some("nope".into()) },
        username: "partner1".into(),
        password: "Partner1!pass".into(),
        scope: None,
    };
    assert!(matches!(fx.svc.grant(bad_secret).await, Err(TokenError::InvalidClient)));
    let no_secret = GrantRequest::ClientCredentials {
        client: ClientAuth { client_id: "compliance-system".into(), client_secret: None },
        scope: None,
    };
    assert!(matches!(fx.svc.grant(no_secret).await, Err(TokenError::InvalidClient)));
    let cc_on_partner = GrantRequest::ClientCredentials { client: client("cdp-partner"), scope: None };
    assert!(matches!(fx.svc.grant(cc_on_partner).await, Err(TokenError::UnauthorizedClient)));
    let bad_scope = GrantRequest::Password {
        client: client("cdp-partner"),
        username: "partner1".into(),
        password: "Partner1!pass".into(),
        scope: Some("openid admin".into()),
    };
    assert!(matches!(fx.svc.grant(bad_scope).await, Err(TokenError::InvalidScope)));
}

#[tokio::test]
async fn client_credentials_gets_a_service_account_token_without_refresh() {
    let fx = fixture();
    let req = GrantRequest::ClientCredentials { client: client("compliance-system"), scope: Some("openid".into()) };
    let t = fx.svc.grant(req).await.unwrap();
    assert!(t.refresh_token.is_none());
    assert_eq!(t.scope, "openid");
    let p = Verifier::new(fx.signer.clone(), ISS).verify(&t.access_token).await.unwrap();
    assert_eq!(p.sub, "service-account-compliance-system");
    assert_eq!(p.permissions, vec![Permission::AmlAlertClose]);
}
