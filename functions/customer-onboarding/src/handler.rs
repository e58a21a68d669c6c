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
mod tests {
    use super::*;

    const ISS: &str = "http://t/auth/realms/cdp";

    async fn partner(signer: &SoftwareSigner) -> String {
        domain::testing::signed_token(signer, ISS, "sub-partner1", None, Some("784101"), &["cdp.lookup", "cdp.onboard"])
            .await
    }
    use domain::cdp::ports::ScreeningVerdict;
    use domain::testing::{
        FixedClock, FixedScreening, MemoryBank, MemoryDocuments, RepoCodeTables, SeqIds, SoftwareSigner,
    };

    #[tokio::test]
    async fn a_backend_failure_is_502_40001_with_a_request_id_and_leaves_no_document() {
        let signer = SoftwareSigner::generate();
        // The document store fails on the 4th of the sample's 7 uploads: 3 objects were stored.
        let docs = std::sync::Arc::new(MemoryDocuments::default());
        *docs.fail_put_number.lock().unwrap() = Some(3);
        let service = OnboardingService {
            bank: std::sync::Arc::new(MemoryBank::default()),
            documents: docs.clone(),
            reference: RepoCodeTables::load(),
            screening: FixedScreening(ScreeningVerdict::Clear, false),
            clock: FixedClock::at(1_795_291_200),
            ids: SeqIds::default(),
        };
        let req = web::request_with_bearer(
            include_str!("../../../events/customer-onboarding.seed.json"),
            &partner(&signer).await,
        );
        let resp = handle(&service, &Verifier::new(signer, ISS), req).await.unwrap();
        assert_eq!(resp.status(), 502);
        let body: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        assert_eq!(body["status"], "failed");
        assert_eq!(body["message"], "Backend Technical Problem");
        assert_eq!((body["status_code"].as_u64(), body["error_code"].as_u64()), (Some(502), Some(40001)));
        assert_eq!(body["request_id"].as_str().unwrap().len(), 32);
        assert!(docs.objects.lock().unwrap().is_empty(), "the stored ones are removed again");
    }
}
