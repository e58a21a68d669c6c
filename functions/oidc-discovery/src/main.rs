mod handler;

use adapters::kms::KmsKeys;
use adapters::{Env, sdk_config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let keys = KmsKeys::from_env(&config)?;
    let issuer = Env::issuer()?;
    web::run(web::service_fn(|req| handler::handle(&keys, &issuer, req))).await
}
