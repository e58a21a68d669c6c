use contracts::Reply;
use contracts::bpm;
use domain::banking::store::BankStore;
use domain::idempotency::IdempotencyStore;
use domain::ports::{Clock, IdGenerator, PublicKeySource};
use lambda_http::{Body, Request, Response};
pub use runner::Deps;

pub async fn handle<S, C, I, D, K>(deps: &Deps<S, C, I, D, K>, req: Request) -> Result<Response<Body>, web::Error>
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    Ok(web::to_response(reply(deps, &req).await))
}

async fn reply<S, C, I, D, K>(deps: &Deps<S, C, I, D, K>, req: &Request) -> Reply
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    let body = req.body().as_ref();
    let cmd = match bpm::parse(body) {
        Ok(c) => c,
        Err(m) => {
            tracing::info!(event = "bpm_refused", reason = "malformed");
            return m.reply();
        }
    };
    let (name, family) = (cmd.name(), cmd.family());
    let actor = match web::authenticate(&deps.verifier, req).await {
        Ok(p) => p,
        Err(_) => return bpm::unauthorized(family),
    };
    let key = web::header(req, "idempotency-key");
    let reply = runner::execute(deps, &actor, cmd, key.map(|k| (k, body))).await;
    if reply.status >= 500 {
        tracing::error!(event = "bpm_failed", command = name, status = reply.status);
    } else {
        tracing::info!(event = "bpm_command", command = name, status = reply.status, actor = %actor.sub);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::auth::Verifier;
    use domain::banking::BankService;
    use domain::testing::{DownBank, FixedClock, MemoryIdempotency, SeqIds, SoftwareSigner};

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    async fn call(fixture: &str) -> (u16, serde_json::Value, usize) {
        let signer = SoftwareSigner::generate();
        let token = domain::testing::signed_token(
            &signer,
            "http://t/auth/realms/cdp",
            "checker",
            Some("BR001"),
            None,
            &["approval.decide"],
        )
        .await;
        let req = web::request_with_bearer(fixture, &token);
        let deps = Deps {
            bank: BankService { store: DownBank, clock: FixedClock::at(now()), ids: SeqIds::default() },
            idempotency: MemoryIdempotency::default(),
            verifier: Verifier::new(signer, "http://t/auth/realms/cdp"),
        };
        let resp = handle(&deps, req).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        (resp.status().as_u16(), body, 0)
    }

    #[tokio::test]
    async fn a_backend_failure_is_the_documented_5xx_in_each_envelope() {
        let (status, body, _) = call(include_str!("../../../events/bpm-cmd.approve-deposit.json")).await;
        assert_eq!(status, 500);
        assert_eq!(body["statusCode"], 500);
        assert_eq!(body["errors"][0]["code"], "INTERNAL_ERROR");
        let (status, body, _) = call(include_str!("../../../events/bpm-cmd.request-customer-approval.json")).await;
        assert_eq!(status, 500);
        assert_eq!(body["statusCode"], "CBS_500");
        assert_eq!(body["message"], "Internal server error");
    }
}
