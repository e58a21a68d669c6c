//! The baseline of `make bench`: the smallest useful Lambda (echo), same runtime, same profile.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(|ev: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
        Ok::<_, lambda_runtime::Error>(
            serde_json::json!({ "statusCode": 200, "body": ev.payload.to_string().len().to_string() }),
        )
    }))
    .await
}
