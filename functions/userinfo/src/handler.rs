use contracts::Reply;
use domain::auth::Verifier;
use domain::ports::PublicKeySource;
use lambda_http::{Body, Request, Response};

pub async fn handle<K: PublicKeySource>(verifier: &Verifier<K>, req: Request) -> Result<Response<Body>, web::Error> {
    let reply = match web::authenticate(verifier, &req).await {
        Ok(p) => Reply::json(
            200,
            serde_json::json!({
                "sub": p.sub,
                "preferred_username": p.username,
                "email": p.email,
                "branch": p.branch,
                "agent_location_id": p.agent_location_id,
                "permissions": p.permissions,
                "azp": p.client_id,
            }),
        ),
        Err(unauthorized) => unauthorized,
    };
    Ok(web::to_response(reply))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::testing::SoftwareSigner;

    #[tokio::test]
    async fn a_bad_token_gets_the_seed_401_with_the_path() {
        let v = Verifier::new(SoftwareSigner::generate(), "http://x/auth/realms/cdp");
        let req = lambda_http::request::from_str(include_str!("../../../events/userinfo.bad-token.json")).unwrap();
        let resp = handle(&v, req).await.unwrap();
        assert_eq!(resp.status(), 401);
        let body: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        assert_eq!(body["status"], 401);
        assert_eq!(body["error"], "Unauthorized");
        assert_eq!(body["message"], "");
        assert_eq!(body["path"], "/auth/realms/cdp/protocol/openid-connect/userinfo");
        assert!(body["timestamp"].as_str().unwrap().ends_with("+00:00"));
    }
}
