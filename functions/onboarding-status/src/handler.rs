use contracts::cdp;
use domain::auth::Verifier;
use domain::banking::store::BankStore;
use domain::cdp::alerts::onboarding_status;
use domain::ports::PublicKeySource;
use lambda_http::{Body, Request, RequestExt, Response};

pub async fn handle<S: BankStore, K: PublicKeySource>(
    bank: &S,
    verifier: &Verifier<K>,
    req: Request,
) -> Result<Response<Body>, web::Error> {
    let path = web::path(&req);
    let reply = match web::authenticate(verifier, &req).await {
        Err(unauthorized) => unauthorized,
        Ok(partner) => {
            // `{ecrn}` from the route, else the last path segment.
            let ecrn = req
                .path_parameters_ref()
                .and_then(|p| p.first("ecrn").map(str::to_owned))
                .unwrap_or_else(|| path.rsplit('/').next().unwrap_or_default().to_owned());
            let now = time::OffsetDateTime::now_utc();
            let r = onboarding_status(bank, &partner, &ecrn, now.date()).await;
            tracing::info!(event = "onboarding_status", found = r.is_ok(), partner = %partner.sub);
            cdp::status_reply(r, &path, now)
        }
    };
    Ok(web::to_response(reply))
}
