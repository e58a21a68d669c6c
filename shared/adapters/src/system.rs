//! Clock and randomness from the operating system.

use domain::ports::{Clock, IdGenerator};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OsIds;

impl IdGenerator for OsIds {
    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
    fn secret_bytes(&self, n: usize) -> Vec<u8> {
        let mut buf = vec![0u8; n];
        getrandom::getrandom(&mut buf).expect("the OS random source is available");
        buf
    }
}
