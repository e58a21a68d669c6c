use contracts::cdp;
use domain::auth::Verifier;
use domain::banking::store::BankStore;
use domain::cdp::LookupError;
use domain::ports::PublicKeySource;
use lambda_http::{Body, Request, Response};

pub async fn handle<S: BankStore, K: PublicKeySource>(
    bank: &S,
    verifier: &Verifier<K>,
    req: Request,
) -> Result<Response<Body>, web::Error> {
    let reply = match web::authenticate(verifier, &req).await {
        Err(unauthorized) => unauthorized,
        Ok(partner) => {
            let now = time::OffsetDateTime::now_utc();
            match cdp::lookup_request(req.body().as_ref()) {
                None => cdp::lookup_invalid(),
                Some((id_type, id_number)) => {
                    let r = domain::cdp::lookup::lookup(bank, &partner, &id_type, &id_number, now.date()).await;
                    match &r {
                        Err(LookupError::Backend(e)) => tracing::error!(event = "lookup_failed", detail = %e),
                        Err(e) => tracing::info!(event = "lookup", outcome = ?e, partner = %partner.sub),
                        Ok(_) => tracing::info!(event = "lookup", outcome = "found", partner = %partner.sub),
                    }
                    cdp::lookup_reply(r, &web::path(&req), now)
                }
            }
        }
    };
    Ok(web::to_response(reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "http://t/auth/realms/cdp";

    async fn partner(signer: &SoftwareSigner) -> String {
        domain::testing::signed_token(signer, ISS, "sub-partner1", None, Some("784101"), &["cdp.lookup", "cdp.onboard"])
            .await
    }
    use domain::testing::{DownBank, MemoryBank, SoftwareSigner};

    async fn call<S: BankStore>(bank: &S) -> serde_json::Value {
        let signer = SoftwareSigner::generate();
        let req = web::request_with_bearer(
            include_str!("../../../events/customer-lookup.seed.json"),
            &partner(&signer).await,
        );
        let resp = handle(bank, &Verifier::new(signer, ISS), req).await.unwrap();
        assert_eq!(resp.status(), 200, "HTTP 200 with the code in the body, as the seed shows");
        serde_json::from_slice(resp.body().as_ref()).unwrap()
    }

    #[tokio::test]
    async fn the_seed_request_on_an_empty_store_is_45001_and_a_backend_failure_45006() {
        let body = call(&MemoryBank::default()).await;
        assert_eq!((body["statusCode"].as_u64(), body["errorCode"].as_u64()), (Some(404), Some(45001)));
        let body = call(&DownBank).await;
        assert_eq!(
            body,
            serde_json::json!({"status": "failure", "statusCode": 500, "errorCode": 45006, "message": "Error while searching customer!"})
        );
    }
}
