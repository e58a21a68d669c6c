use contracts::cdp;
use domain::auth::Verifier;
use domain::banking::store::BankStore;
use domain::cdp::ports::{DocumentStore, ReferenceData, Screening};
use domain::cdp::{OnboardError, OnboardingService};
use domain::ports::{Clock, IdGenerator, PublicKeySource};
use lambda_http::{Body, Request, Response};

pub async fn handle<S, D, R, A, C, I, K>(
    service: &OnboardingService<S, D, R, A, C, I>,
    verifier: &Verifier<K>,
    req: Request,
) -> Result<Response<Body>, web::Error>
where
    S: BankStore,
    D: DocumentStore,
    R: ReferenceData,
    A: Screening,
    C: Clock,
    I: IdGenerator,
    K: PublicKeySource,
{
    // 32 hex characters, in the answer and in every log line of this request.
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let reply = match web::authenticate(verifier, &req).await {
        Err(unauthorized) => unauthorized,
        Ok(partner) => match serde_json::from_slice::<serde_json::Value>(req.body().as_ref()) {
            Err(_) => {
                let details = [("body".to_string(), "Invalid JSON".to_string())].into_iter().collect();
                cdp::onboarding_invalid(&details, &request_id)
            }
            Ok(payload) => {
                let r = service.onboard(&partner, &payload, &request_id).await;
                match &r {
                    Ok(o) => tracing::info!(event = "onboarded", request_id, ecrn = %o.ecrn, updated = o.updated,
                                            aml = o.aml_scan_status.as_str(), partner = %partner.sub),
                    Err(OnboardError::Backend(e)) => {
                        tracing::error!(event = "onboarding_failed", request_id, detail = %e)
                    }
                    Err(OnboardError::Invalid(d)) => {
                        let fields: Vec<&String> = d.keys().collect();
                        tracing::info!(event = "onboarding_refused", request_id, code = 40002, fields = ?fields)
                    }
                    Err(e) => tracing::info!(event = "onboarding_refused", request_id, reason = ?e),
                }
                match r {
                    Ok(o) => cdp::onboarding_success(&o, &request_id),
                    Err(e) => cdp::onboarding_error(&e, &request_id, &web::path(&req), time::OffsetDateTime::now_utc()),
                }
            }
        },
    };
    Ok(web::to_response(reply))
}

#[cfg(test)]
pub(crate) mod test_token {
    use domain::testing::SoftwareSigner;

    pub const ISS: &str = "http://t/auth/realms/cdp";

    /// A partner token signed by `signer` for agent 784101 with both CDP rights.
    pub async fn partner(signer: &SoftwareSigner) -> String {
        domain::testing::signed_token(signer, ISS, "sub-partner1", None, Some("784101"), &["cdp.lookup", "cdp.onboard"])
            .await
    }

    pub fn with_token(fixture: &str, token: &str) -> lambda_http::Request {
        let mut v: serde_json::Value = serde_json::from_str(fixture).unwrap();
        v["headers"]["authorization"] = format!("Bearer {token}").into();
        lambda_http::request::from_str(&v.to_string()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_token::*;
    use super::*;
    use domain::cdp::ports::ScreeningVerdict;
    use domain::testing::{
        DownBank, FixedClock, FixedScreening, MemoryDocuments, RepoCodeTables, SeqIds, SoftwareSigner,
    };

    #[tokio::test]
    async fn a_backend_failure_is_502_40001_with_a_request_id_and_leaves_no_document() {
        let signer = SoftwareSigner::generate();
        let docs = std::sync::Arc::new(MemoryDocuments::default());
        let service = OnboardingService {
            bank: DownBank,
            documents: docs.clone(),
            reference: RepoCodeTables::load(),
            screening: FixedScreening(ScreeningVerdict::Clear, false),
            clock: FixedClock::at(1_795_291_200),
            ids: SeqIds::default(),
        };
        let req = with_token(include_str!("../../../events/customer-onboarding.seed.json"), &partner(&signer).await);
        let resp = handle(&service, &Verifier::new(signer, ISS), req).await.unwrap();
        assert_eq!(resp.status(), 502);
        let body: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        assert_eq!(body["status"], "failed");
        assert_eq!(body["message"], "Backend Technical Problem");
        assert_eq!((body["status_code"].as_u64(), body["error_code"].as_u64()), (Some(502), Some(40001)));
        assert_eq!(body["request_id"].as_str().unwrap().len(), 32);
        assert!(docs.objects.lock().unwrap().is_empty());
    }
}
