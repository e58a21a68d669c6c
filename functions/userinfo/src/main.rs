mod handler;

use adapters::kms::KmsKeys;
use adapters::{Env, sdk_config};
use domain::auth::Verifier;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let keys = KmsKeys::new(adapters::kms::client(&config), Env::signing_key_id()?, Env::previous_signing_key_ids());
    let verifier = Verifier::new(keys, Env::issuer()?);
    web::run(web::service_fn(|req| handler::handle(&verifier, req))).await
}
