use std::time::Duration;

use super::{KeyedGcra, Refusal};

const SECOND: u64 = 1_000_000_000;

#[test]
fn limit_requests_pass_then_the_next_waits_one_emission_interval() {
    let gcra = KeyedGcra::new(&[(3, Duration::from_secs(3))], 100);
    for _ in 0..3 {
        assert_eq!(gcra.check_at("alice", 10 * SECOND), Ok(()));
    }
    assert_eq!(
        gcra.check_at("alice", 10 * SECOND),
        Err(Refusal {
            window: 0,
            wait: Duration::from_secs(1)
        })
    );
    // One interval later one request more conforms, not two.
    assert_eq!(gcra.check_at("alice", 11 * SECOND), Ok(()));
    assert!(gcra.check_at("alice", 11 * SECOND).is_err());
}

#[test]
fn keys_are_counted_apart() {
    let gcra = KeyedGcra::new(&[(1, Duration::from_secs(60))], 100);
    assert_eq!(gcra.check_at("alice", 0), Ok(()));
    assert!(gcra.check_at("alice", 0).is_err());
    assert_eq!(gcra.check_at("bob", 0), Ok(()));
}

#[test]
fn a_full_period_later_the_whole_burst_is_back() {
    let gcra = KeyedGcra::new(&[(5, Duration::from_secs(10))], 100);
    for _ in 0..5 {
        assert_eq!(gcra.check_at("k", 0), Ok(()));
    }
    assert!(gcra.check_at("k", 0).is_err());
    for _ in 0..5 {
        assert_eq!(gcra.check_at("k", 10 * SECOND), Ok(()));
    }
    assert!(gcra.check_at("k", 10 * SECOND).is_err());
}

#[test]
fn a_refused_request_is_not_counted() {
    let gcra = KeyedGcra::new(&[(1, Duration::from_secs(2))], 100);
    assert_eq!(gcra.check_at("k", 0), Ok(()));
    for _ in 0..10 {
        assert!(gcra.check_at("k", SECOND).is_err());
    }
    assert_eq!(gcra.check_at("k", 2 * SECOND), Ok(()));
}

#[test]
fn every_window_must_pass_and_the_longest_wait_is_reported() {
    // 2 per second, 3 per minute.
    let gcra = KeyedGcra::new(
        &[(2, Duration::from_secs(1)), (3, Duration::from_secs(60))],
        100,
    );
    assert_eq!(gcra.check_at("k", 0), Ok(()));
    assert_eq!(gcra.check_at("k", 0), Ok(()));
    assert_eq!(gcra.check_at("k", 0).map_err(|r| r.window), Err(0));
    assert_eq!(gcra.check_at("k", SECOND), Ok(()));
    let refusal = gcra
        .check_at("k", 2 * SECOND)
        .expect_err("minute window spent");
    assert_eq!(refusal.window, 1);
    assert_eq!(refusal.wait, Duration::from_secs(18));
    // The second window's refusal did not spend the first window's allowance.
    assert_eq!(gcra.check_at("k", 20 * SECOND), Ok(()));
}

#[test]
fn memory_stays_bounded_when_keys_keep_coming() {
    let gcra = KeyedGcra::new(&[(10, Duration::from_secs(60))], 64);
    for i in 0..10_000 {
        assert_eq!(gcra.check_at(&format!("address:{i}"), 0), Ok(()));
    }
    assert!(gcra.len() <= 64 + 16, "{} keys kept", gcra.len());
}

#[test]
fn keys_whose_times_passed_are_forgotten_first() {
    let gcra = KeyedGcra::new(&[(1, Duration::from_secs(1))], 16);
    assert_eq!(gcra.check_at("busy", 0), Ok(()));
    for i in 0..1_000 {
        let _ = gcra.check_at(&format!("idle-{i}"), 0);
    }
    // Much later every idle key has passed; the shards make room from those.
    for i in 0..1_000 {
        assert_eq!(gcra.check_at(&format!("new-{i}"), 100 * SECOND), Ok(()));
    }
    assert!(gcra.len() <= 32);
}
