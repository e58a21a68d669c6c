//! Adapters: the domain's ports implemented on AWS services (and on the local emulators, which
//! speak the same APIs). Each adapter is tested against DynamoDB Local / moto by the test command.

pub mod config;
pub mod dynamo;
pub mod kms;
pub mod s3;
pub mod screening;
pub mod sns;
pub mod system;

pub use aws_config::SdkConfig;
pub use config::{Env, sdk_config};
