mod handler;

use adapters::sdk_config;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let verifier = adapters::kms::verifier(&config)?;
    web::run(web::service_fn(|req| handler::handle(&verifier, req))).await
}
