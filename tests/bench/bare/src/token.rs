//! The password grant's two costs, measured through the project's own code: argon2id verification
//! (`domain::identity::password`, the production parameters) and the KMS signature of an access token
//! (`domain::auth::jwt::sign` over `adapters::kms::KmsKeys`, as the token function signs).

use std::time::Instant;

use adapters::Env;
use adapters::kms::KmsKeys;
use domain::auth::jwt::{AccessClaims, sign};
use domain::identity::password;
use domain::ports::Signer;

use crate::{Res, ms, series};

/// OWASP Password Storage Cheat Sheet: argon2id with m = 19 MiB (19456 KiB), t = 2, p = 1 at least.
const OWASP_MIN: (u32, u32, u32) = (19_456, 2, 1);

/// `(algorithm, m KiB, t, p)` from a PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`.
fn phc_params(phc: &str) -> Option<(String, u32, u32, u32)> {
    let mut parts = phc.split('$').skip(1);
    let alg = parts.next()?.to_owned();
    let params = parts.find(|p| p.starts_with("m="))?;
    let get = |k: &str| params.split(',').find_map(|kv| kv.strip_prefix(k)?.strip_prefix('=')?.parse().ok());
    Some((alg, get("m")?, get("t")?, get("p")?))
}

/// Meets OWASP's minimum: argon2id, and memory, passes and lanes each at least the minimum's.
fn meets_owasp(alg: &str, m: u32, t: u32, p: u32) -> bool {
    alg == "argon2id" && m >= OWASP_MIN.0 && t >= OWASP_MIN.1 && p >= OWASP_MIN.2
}

pub async fn run(n: usize, warmup: usize) -> Res<serde_json::Value> {
    // A throw-away password (never printed), hashed the way `cdp-admin` stores passwords.
    let secret = format!("Bench-{}!", uuid::Uuid::new_v4().simple());
    let phc = password::hash(&secret);
    let (alg, m, t, p) = phc_params(&phc).ok_or("unexpected PHC string")?;
    let mut verify = Vec::with_capacity(n);
    for i in 0..n + warmup {
        let start = Instant::now();
        if !password::verify(&secret, &phc) {
            return Err("argon2id verification failed".into());
        }
        if i >= warmup {
            verify.push(ms(start));
        }
    }

    let config = adapters::sdk_config().await;
    let keys = KmsKeys::new(adapters::kms::client(&config), Env::signing_key_id()?, vec![]);
    let kid = keys.key_id().await?; // once per instance in the function (GetPublicKey)
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = AccessClaims {
        iss: Env::issuer()?,
        sub: uuid::Uuid::new_v4().to_string(),
        azp: "cdp-partner".into(),
        exp: now + 7199,
        iat: now,
        nbf: now,
        jti: uuid::Uuid::new_v4().to_string(),
        typ: "Bearer".into(),
        scope: "api://3a3f52a1-1b64-4c27-81f0-50a6ca01324d/customer".into(),
        sid: Some(uuid::Uuid::new_v4().to_string()),
        preferred_username: "partner1".into(),
        email: Some("partner1@bank.local".into()),
        branch: None,
        permissions: vec!["cdp.lookup".into(), "cdp.onboard".into()],
        agent_location_id: Some("784101".into()),
    };
    let mut signing = Vec::with_capacity(n);
    for i in 0..n + warmup {
        let start = Instant::now();
        sign(&keys, &kid, &claims).await?;
        if i >= warmup {
            signing.push(ms(start));
        }
    }
    Ok(serde_json::json!({
        "argon2": {
            "algorithm": alg, "m_kib": m, "t": t, "p": p,
            "owasp_minimum": {"m_kib": OWASP_MIN.0, "t": OWASP_MIN.1, "p": OWASP_MIN.2},
            "meets_owasp_minimum": meets_owasp(&alg, m, t, p),
            "verify": series(&verify),
        },
        "kms_sign": series(&signing),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_production_parameters_and_checks_them_against_owasp() {
        let (alg, m, t, p) = phc_params(&password::hash("Bench-password-1!")).unwrap();
        assert_eq!((alg.as_str(), m, t, p), ("argon2id", 19_456, 2, 1));
        assert!(meets_owasp(&alg, m, t, p));
        assert!(!meets_owasp("argon2id", 12_288, 2, 1));
        assert!(!meets_owasp("argon2i", 19_456, 2, 1));
    }
}
