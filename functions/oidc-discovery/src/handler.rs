use contracts::Reply;
use contracts::keycloak::{Jwks, openid_configuration};
use domain::ports::PublicKeySource;
use lambda_http::{Body, Request, Response};

pub async fn handle<K: PublicKeySource>(keys: &K, issuer: &str, req: Request) -> Result<Response<Body>, web::Error> {
    let path = web::path(&req);
    let reply = if path.ends_with("/.well-known/openid-configuration") {
        Reply::json(200, openid_configuration(issuer)).with_header("Cache-Control", "public, max-age=3600")
    } else if path.ends_with("/protocol/openid-connect/certs") {
        match keys.public_keys().await {
            Ok(keys) => Reply::json(200, Jwks { keys }).with_header("Cache-Control", "public, max-age=300"),
            Err(e) => {
                tracing::error!(event = "jwks_failed", detail = %e);
                Reply::json(503, serde_json::json!({"error": "temporarily_unavailable"}))
            }
        }
    } else {
        Reply::json(404, serde_json::json!({"error": "not_found"}))
    };
    Ok(web::to_response(reply))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::testing::SoftwareSigner;

    fn event(fixture: &str) -> Request {
        lambda_http::request::from_str(fixture).unwrap()
    }

    #[tokio::test]
    async fn certs_publish_the_signing_key() {
        let s = SoftwareSigner::generate();
        let resp =
            handle(&s, "http://x/auth/realms/cdp", event(include_str!("../../../events/oidc-discovery.certs.json")))
                .await
                .unwrap();
        assert_eq!(resp.status(), 200);
        let v: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        assert_eq!(v["keys"][0]["kid"], s.jwk.kid);
        assert_eq!(v["keys"][0]["alg"], "ES256");
        assert_eq!(v["keys"][0]["use"], "sig");
    }

    #[tokio::test]
    async fn discovery_names_our_endpoints() {
        let s = SoftwareSigner::generate();
        let resp = handle(
            &s,
            "http://x/auth/realms/cdp",
            event(include_str!("../../../events/oidc-discovery.configuration.json")),
        )
        .await
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(resp.body().as_ref()).unwrap();
        assert_eq!(v["issuer"], "http://x/auth/realms/cdp");
        assert_eq!(v["jwks_uri"], "http://x/auth/realms/cdp/protocol/openid-connect/certs");
        assert_eq!(v["token_endpoint"], "http://x/auth/realms/cdp/protocol/openid-connect/token");
    }
}
