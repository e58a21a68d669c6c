//! Brute-force protection: after `max_failures` failed logins within `window`, the username is
//! locked for `lock_for`. Counted per username in the store, so it survives cold starts and is
//! shared by all Lambda instances.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window_secs: i64,
    pub lock_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { max_failures: 5, window_secs: 15 * 60, lock_secs: 15 * 60 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutRecord {
    pub failures: u32,
    pub window_started: i64,
    pub locked_until: Option<i64>,
    /// Optimistic-concurrency version (incremented on every write).
    pub version: u64,
}

impl LockoutRecord {
    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// The record after one more failure at `now`.
    pub fn after_failure(current: Option<&LockoutRecord>, now: i64, policy: &LockoutPolicy) -> LockoutRecord {
        let version = current.map_or(1, |c| c.version + 1);
        match current {
            // Still locked: keep the lock as it is (a locked account's failures do not extend it).
            Some(c) if c.is_locked(now) => LockoutRecord { version, ..c.clone() },
            Some(c) if now - c.window_started < policy.window_secs => {
                let failures = c.failures + 1;
                let locked_until = (failures >= policy.max_failures).then_some(now + policy.lock_secs);
                LockoutRecord { failures, window_started: c.window_started, locked_until, version }
            }
            // No record, or its window (or lock) is over: a new window starts.
            _ => {
                let locked_until = (policy.max_failures <= 1).then_some(now + policy.lock_secs);
                LockoutRecord { failures: 1, window_started: now, locked_until, version }
            }
        }
    }

    /// When the store may forget this record (DynamoDB TTL).
    pub fn expires_at(&self, policy: &LockoutPolicy) -> i64 {
        (self.window_started + policy.window_secs).max(self.locked_until.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_in_window_lock_for_fifteen_minutes() {
        let p = LockoutPolicy::default();
        let mut r: Option<LockoutRecord> = None;
        for i in 0..4 {
            let next = LockoutRecord::after_failure(r.as_ref(), 1000 + i * 60, &p);
            assert!(!next.is_locked(1000 + i * 60));
            r = Some(next);
        }
        let fifth = LockoutRecord::after_failure(r.as_ref(), 1300, &p);
        assert_eq!(fifth.failures, 5);
        assert!(fifth.is_locked(1300));
        assert!(fifth.is_locked(1300 + 899));
        assert!(!fifth.is_locked(1300 + 900));
        assert_eq!(fifth.version, 5);
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let p = LockoutPolicy::default();
        let mut r = LockoutRecord::after_failure(None, 0, &p);
        for i in 1..4 {
            r = LockoutRecord::after_failure(Some(&r), i, &p);
        }
        assert_eq!(r.failures, 4);
        let later = LockoutRecord::after_failure(Some(&r), 15 * 60 + 1, &p);
        assert_eq!(later.failures, 1);
        assert!(!later.is_locked(15 * 60 + 1));
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let p = LockoutPolicy::default();
        let mut r = None;
        for i in 0..5 {
            r = Some(LockoutRecord::after_failure(r.as_ref(), i, &p));
        }
        let locked = r.unwrap();
        let again = LockoutRecord::after_failure(Some(&locked), 100, &p);
        assert_eq!(again.locked_until, locked.locked_until);
    }
}
