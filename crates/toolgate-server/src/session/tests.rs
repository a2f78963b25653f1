use std::{sync::atomic::Ordering, time::Duration};

use super::{SessionLimits, SessionStore, sweep_interval};

#[test]
fn limits_default_to_five_minutes_and_ten_thousand() {
    let limits = SessionLimits::default();
    assert_eq!(limits.idle_timeout(), Duration::from_secs(300));
    assert_eq!(limits.max_sessions(), 10_000);
}

#[test]
fn a_cap_of_zero_is_one() {
    assert_eq!(SessionLimits::new().with_max_sessions(0).max_sessions(), 1);
}

#[test]
fn sweeps_run_four_times_per_timeout_within_bounds() {
    assert_eq!(sweep_interval(300_000), Duration::from_secs(30));
    assert_eq!(sweep_interval(40_000), Duration::from_secs(10));
    assert_eq!(sweep_interval(100), Duration::from_millis(50));
}

#[test]
fn new_limits_apply_to_a_kept_store() {
    let store = SessionStore::default();
    let limits = SessionLimits::new()
        .with_idle_timeout(Duration::from_secs(7))
        .with_max_sessions(3);
    store.set_limits(limits);
    assert_eq!(store.limits(), limits);
    assert!(store.is_empty());
    assert!(store.0.room_for(3));
    assert!(!store.0.room_for(4));
    assert_eq!(store.0.retry_after(), Duration::from_secs(7));
}

/// POSTs without a session id in flight count against the cap until answered: with a cap of
/// 3 and no session open, a fourth one in flight finds no room (it would be refused if it is
/// an `initialize`), and room comes back when one is answered.
#[test]
fn sessionless_posts_in_flight_reserve_room_under_the_cap() {
    let store = SessionStore::new(SessionLimits::new().with_max_sessions(3));
    let first = store.0.sessionless_request();
    let second = store.0.sessionless_request();
    let third = store.0.sessionless_request();
    assert_eq!(third.in_flight, 3);
    assert!(store.0.room_for(third.in_flight));
    let fourth = store.0.sessionless_request();
    assert_eq!(fourth.in_flight, 4);
    assert!(!store.0.room_for(fourth.in_flight));
    drop(fourth);
    drop(first);
    let again = store.0.sessionless_request();
    assert_eq!(again.in_flight, 3);
    assert!(store.0.room_for(again.in_flight));
    drop((second, third, again));
    assert_eq!(store.0.sessionless.load(Ordering::Acquire), 0);
}
