use contracts::keycloak::{error_reply, parse_token_form, success_reply};
use domain::identity::store::{ClientStore, LockoutStore, RefreshTokenStore, UserStore};
use domain::identity::{TokenError, TokenService};
use domain::ports::{Clock, IdGenerator, Signer};
use lambda_http::{Body, Request, Response};

pub async fn handle<S, K, C, I>(service: &TokenService<S, K, C, I>, req: Request) -> Result<Response<Body>, web::Error>
where
    S: UserStore + ClientStore + LockoutStore + RefreshTokenStore,
    K: Signer,
    C: Clock,
    I: IdGenerator,
{
    let form =
        parse_token_form(web::header(&req, "content-type"), req.body().as_ref(), web::header(&req, "authorization"));
    let reply = match form {
        Ok(grant) => {
            let grant_type = grant_name(&grant);
            match service.grant(grant).await {
                Ok(tokens) => {
                    tracing::info!(event = "token_issued", grant = grant_type);
                    success_reply(tokens)
                }
                Err(e) => {
                    log_refusal(grant_type, &e);
                    error_reply(&e)
                }
            }
        }
        Err(e) => {
            log_refusal("unparsed", &e);
            error_reply(&e)
        }
    };
    Ok(web::to_response(reply))
}

fn grant_name(g: &domain::identity::GrantRequest) -> &'static str {
    use domain::identity::GrantRequest::*;
    match g {
        Password { .. } => "password",
        RefreshToken { .. } => "refresh_token",
        ClientCredentials { .. } => "client_credentials",
    }
}

fn log_refusal(grant: &str, e: &TokenError) {
    match e {
        TokenError::Unavailable(detail) => tracing::error!(event = "token_failed", grant, detail = %detail),
        other => tracing::info!(event = "token_refused", grant, reason = %other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::identity::{Client, ClientId, GrantType, TokenSettings, sha256_hex};
    use domain::testing::{FixedClock, MemoryIdentity, SeqIds, SoftwareSigner};
    use std::sync::Arc;

    fn service() -> TokenService<Arc<MemoryIdentity>, SoftwareSigner, FixedClock, SeqIds> {
        let mem = Arc::new(MemoryIdentity::default());
        mem.clients.lock().unwrap().insert(
            "compliance-system".into(),
            Client {
                client_id: ClientId::parse("compliance-system").unwrap(),
                secret_sha256: sha256_hex("compliance-secret"),
                grants: vec![GrantType::ClientCredentials],
                scopes: vec!["aml".into()],
                permissions: vec![],
                enabled: true,
            },
        );
        TokenService {
            store: mem,
            keys: SoftwareSigner::generate(),
            clock: FixedClock::at(time_now()),
            ids: SeqIds::default(),
            settings: TokenSettings::new("http://t/auth/realms/cdp"),
        }
    }

    fn time_now() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    }

    fn event(body: &str) -> Request {
        let fixture = include_str!("../../../events/token.password.json");
        let mut v: serde_json::Value = serde_json::from_str(fixture).unwrap();
        v["body"] = serde_json::Value::String(body.into());
        lambda_http::request::from_str(&v.to_string()).unwrap()
    }

    #[tokio::test]
    async fn the_sample_event_is_a_well_formed_token_request() {
        let fixture = include_str!("../../../events/token.password.json");
        let req = lambda_http::request::from_str(fixture).unwrap();
        // The sample uses the demo realm, absent from this in-memory store: a Keycloak 401.
        let resp = handle(&service(), req).await.unwrap();
        assert_eq!(resp.status(), 401);
    }

    #[tokio::test]
    async fn client_credentials_over_the_api_gateway_event() {
        let resp = handle(
            &service(),
            event("grant_type=client_credentials&client_id=compliance-system&client_secret=compliance-secret"),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let body: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["expires_in"], 7199);
        assert_eq!(body["scope"], "aml");
    }

    #[tokio::test]
    async fn bad_input_is_a_keycloak_error_never_a_500() {
        for (body, status, error) in [
            ("grant_type=implicit&client_id=x&client_secret=y", 400, "unsupported_grant_type"),
            ("client_id=x", 400, "invalid_request"),
            ("%%%", 400, "invalid_request"),
            ("grant_type=client_credentials&client_id=compliance-system&client_secret=nope", 401, "invalid_client"),
        ] {
            let resp = handle(&service(), event(body)).await.unwrap();
            assert_eq!(resp.status(), status, "{body}");
            let v: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
            assert_eq!(v["error"], error, "{body}");
        }
    }
}
