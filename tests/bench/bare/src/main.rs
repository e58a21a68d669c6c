//! `bench-bare`: the baselines `make bench` (tests/bench/bench.py) divides the functions' figures by.
//!
//! - `dynamo-approve`: the DynamoDB calls of `ApproveDepositCommand` without an Idempotency-Key (one
//!   consistent `GetItem` of the deposit, one `TransactWriteItems` of record + audit + outbox), made back to
//!   back with the bare SDK on deposits seeded pending approval.
//! - `onboarding-puts`: what an onboarding with four 1 MiB images must wait for: the four `PutObject`s
//!   (concurrent, as the function makes them) and the customer's `TransactWriteItems`, with the bare SDK
//!   and items copied from a customer the function onboarded (same sizes, same item count).
//! - `token-split`: the password grant's two costs, through the project's own code: argon2id verify
//!   (`domain::identity::password`) and the KMS signature of an access token (`adapters::kms::KmsKeys`).
//! - `seed-deposits`: deposits pending approval for the function's run (maker creates and requests,
//!   through the domain service and the DynamoDB adapter; none of it is timed).
//!
//! Configuration is the functions' environment (`BANK_TABLE`, `IDENTITY_TABLE`, `DOCUMENTS_BUCKET`,
//! `SIGNING_KEY_ID`, `AWS_ENDPOINT_URL_*`, ...). Each command prints one JSON object on stdout; nothing
//! printed or logged carries personal data (keys and timings only).

mod approve;
mod onboarding;
mod seed;
mod token;

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Parser)]
#[command(name = "bench-bare", about = "Bare-SDK baselines for make bench (JSON on stdout)")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Seeds `n` deposits pending approval (maker: --maker) and prints their keys.
    SeedDeposits {
        #[arg(long, default_value_t = 50)]
        n: usize,
        #[arg(long, default_value = "maker1")]
        maker: String,
        #[arg(long, default_value = "checker1")]
        checker: String,
    },
    /// GetItem + TransactWriteItems(3) of an approval, back to back, on `n` seeded deposits. With
    /// `--stdin`: on the deposit keys read from stdin instead, one JSON line `{"ms": …}` per key, so that
    /// a caller can interleave them with the function's approvals.
    DynamoApprove {
        #[arg(long, default_value_t = 50)]
        n: usize,
        #[arg(long)]
        stdin: bool,
        /// Untimed approvals first (connection set-up, emulator warm-up).
        #[arg(long, default_value_t = 2)]
        warmup: usize,
        #[arg(long, default_value = "maker1")]
        maker: String,
        #[arg(long, default_value = "checker1")]
        checker: String,
    },
    /// Four concurrent PutObjects of `--image` + the onboarding TransactWriteItems, `n` times.
    OnboardingPuts {
        #[arg(long, default_value_t = 10)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        warmup: usize,
        /// The document uploaded four times (e.g. a 1 MiB JPEG).
        #[arg(long)]
        image: PathBuf,
        /// ECRN of a customer onboarded by the function: its items are the template.
        #[arg(long)]
        template_ecrn: String,
        #[arg(long, default_value_t = 4)]
        documents: usize,
    },
    /// argon2id verify (production parameters) and KMS Sign of an access token, `n` times each.
    TokenSplit {
        #[arg(long, default_value_t = 20)]
        n: usize,
        #[arg(long, default_value_t = 2)]
        warmup: usize,
    },
}

/// The SDK as any program would configure it: defaults, endpoints from `AWS_ENDPOINT_URL_*`.
pub async fn bare_sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}

pub fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

pub fn median(samples: &[f64]) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `{"median_ms", "min_ms", "max_ms", "samples_ms"}` of a series.
pub fn series(samples: &[f64]) -> serde_json::Value {
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    serde_json::json!({
        "median_ms": round(median(samples)),
        "min_ms": round(samples.iter().copied().fold(f64::INFINITY, f64::min)),
        "max_ms": round(samples.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        "samples_ms": samples.iter().map(|x| round(*x)).collect::<Vec<_>>(),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    let out = match cli.command {
        Cmd::SeedDeposits { n, maker, checker } => seed::run(n, &maker, &checker).await,
        Cmd::DynamoApprove { stdin: true, checker, .. } => approve::serve(&checker).await,
        Cmd::DynamoApprove { n, warmup, maker, checker, .. } => approve::run(n, warmup, &maker, &checker).await,
        Cmd::OnboardingPuts { n, warmup, image, template_ecrn, documents } => {
            onboarding::run(n, warmup, &image, &template_ecrn, documents).await
        }
        Cmd::TokenSplit { n, warmup } => token::run(n, warmup).await,
    };
    match out {
        Ok(serde_json::Value::Null) => {}
        Ok(v) => println!("{v}"),
        Err(e) => {
            eprintln!("bench-bare: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_series() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }
}
