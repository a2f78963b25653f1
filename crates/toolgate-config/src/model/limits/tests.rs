use std::time::Duration;

use super::{DurationConfig, RateLimitsConfig, parse_duration};

#[test]
fn duration_units_ok() {
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
    assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
    assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
}

#[test]
fn duration_without_unit_fails() {
    let error = parse_duration("30").expect_err("no unit");
    assert!(error.contains("`30s`"), "{error}");
}

#[test]
fn duration_unknown_unit_fails() {
    assert!(parse_duration("2d").is_err());
    assert!(parse_duration("1.5s").is_err());
    assert!(parse_duration("s").is_err());
}

#[test]
fn duration_as_number_is_milliseconds_ok() {
    let parsed: DurationConfig = serde_norway::from_str("1500").expect("number");
    assert_eq!(parsed.get(), Duration::from_millis(1500));
    let parsed: DurationConfig = serde_norway::from_str("10s").expect("text");
    assert_eq!(parsed.get(), Duration::from_secs(10));
}

#[test]
fn rate_limits_read_kong_window_fields_ok() {
    let parsed: RateLimitsConfig = serde_norway::from_str(
        "per_consumer: {minute: 100, hour: 1000}\nper_tool:\n  get_weather: {second: 2, limit_by: endpoint}\n",
    )
    .expect("valid");
    let consumer = parsed.per_consumer.expect("per_consumer");
    assert_eq!(
        consumer.windows(),
        vec![
            ("minute", 100, Duration::from_secs(60)),
            ("hour", 1000, Duration::from_secs(3600))
        ]
    );
    assert_eq!(
        parsed.per_tool["get_weather"].limit_by,
        super::LimitByConfig::Endpoint
    );
}
