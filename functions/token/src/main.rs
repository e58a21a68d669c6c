mod handler;

use adapters::dynamo::identity::DynamoIdentity;
use adapters::kms::KmsKeys;
use adapters::system::{OsIds, SystemClock};
use adapters::{Env, sdk_config};
use domain::identity::{TokenService, TokenSettings};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let service = TokenService {
        store: DynamoIdentity::new(adapters::dynamo::client(&config), Env::identity_table()?),
        keys: KmsKeys::from_env(&config)?,
        clock: SystemClock,
        ids: OsIds,
        settings: TokenSettings::new(Env::issuer()?),
    };
    web::run(web::service_fn(|req| handler::handle(&service, req))).await
}
