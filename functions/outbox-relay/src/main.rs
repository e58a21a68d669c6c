mod handler;

use adapters::dynamo::outbox::DynamoOutbox;
use adapters::sns::SnsPublisher;
use adapters::{Env, sdk_config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let outbox = DynamoOutbox::new(adapters::dynamo::client(&config), Env::bank_table()?);
    let sns =
        SnsPublisher::new(adapters::sns::client(&config), Env::approvals_topic_arn()?, Env::compliance_topic_arn());
    // Local stack: no Lambda Runtime API and a poll interval -> sweep in a loop (stands in for the
    // table's stream trigger, which DynamoDB Local cannot invoke).
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none()
        && let Some(ms) = std::env::var("RELAY_POLL_INTERVAL_MS").ok().and_then(|v| v.parse().ok())
    {
        return handler::poll(&outbox, &sns, std::time::Duration::from_millis(ms)).await;
    }
    lambda_runtime::run(lambda_runtime::service_fn(|ev| handler::handle(&outbox, &sns, ev))).await
}
