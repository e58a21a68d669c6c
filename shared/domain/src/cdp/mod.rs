//! The partner Customer Data Platform (seed 003): Individual Onboarding and Customer Lookup v2,
//! on the same customer records the maker-checker commands use.

pub mod alerts;
pub mod ecrn;
pub mod lookup;
pub mod matching;
pub mod onboarding;
pub mod ports;
pub mod validate;

pub use lookup::{LookupError, LookupView};
pub use onboarding::{OnboardError, Onboarded, OnboardingService};
