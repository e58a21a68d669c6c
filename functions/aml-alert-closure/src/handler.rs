use contracts::cdp;
use domain::auth::Verifier;
use domain::banking::store::BankStore;
use domain::cdp::alerts::{ClosureError, close_alert};
use domain::ports::{Clock, IdGenerator, PublicKeySource};
use lambda_http::{Body, Request, Response};

pub async fn handle<S: BankStore, C: Clock, I: IdGenerator, K: PublicKeySource>(
    bank: &S,
    clock: &C,
    ids: &I,
    verifier: &Verifier<K>,
    req: Request,
) -> Result<Response<Body>, web::Error> {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let now = time::OffsetDateTime::now_utc();
    let reply = match web::authenticate(verifier, &req).await {
        Err(unauthorized) => unauthorized,
        Ok(actor) => match cdp::closure_request(req.body().as_ref()) {
            Err(details) => cdp::onboarding_invalid(&details, &request_id),
            Ok((ecrn, alert_id, decision, remarks)) => {
                let r = close_alert(bank, clock, ids, &actor, &ecrn, &alert_id, decision, remarks).await;
                match &r {
                    Ok(o) => {
                        tracing::info!(event = "aml_alert_closed", request_id, ecrn = %o.ecrn, alert = %o.alert_id,
                                            decision = o.decision.as_str(), status = o.customer_status.as_str())
                    }
                    Err(ClosureError::Backend(e)) => {
                        tracing::error!(event = "aml_alert_closure_failed", request_id, detail = %e)
                    }
                    Err(e) => {
                        tracing::info!(event = "aml_alert_closure_refused", request_id, reason = ?e, actor = %actor.sub)
                    }
                }
                cdp::closure_reply(r, &request_id, &web::path(&req), now)
            }
        },
    };
    Ok(web::to_response(reply))
}
