//! The types of the limits: rate limits, durations.

use std::{borrow::Cow, fmt, time::Duration};

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, de};

/// An endpoint's rate limits. A request over one gets `429 Too Many Requests` with
/// `Retry-After` and never reaches a tool (see docs/limits.md).
///
/// ```yaml
/// rate_limits:
///   per_consumer: {minute: 100}
///   per_tool:
///     get_weather: {second: 2, minute: 30}
///     search_everything: {minute: 60, limit_by: endpoint}
/// ```
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitsConfig {
    /// Every JSON-RPC message one caller POSTs, whatever the method. The caller is the
    /// consumer, else the token's subject, else the client's address.
    #[serde(default)]
    pub per_consumer: Option<RateLimitConfig>,
    /// `tools/call` of one tool, by its served name: per caller, or for every caller together
    /// with `limit_by: endpoint`.
    #[serde(default)]
    pub per_tool: IndexMap<String, ToolRateLimitConfig>,
}

/// Requests allowed per window (Kong's `rate-limiting` fields); every window given must
/// have room. A burst may use a window's whole allowance at once.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests per second.
    #[serde(default)]
    pub second: Option<u64>,
    /// Requests per minute.
    #[serde(default)]
    pub minute: Option<u64>,
    /// Requests per hour.
    #[serde(default)]
    pub hour: Option<u64>,
    /// Requests per day.
    #[serde(default)]
    pub day: Option<u64>,
}

/// Calls of one tool allowed per window (Kong's `rate-limiting` fields).
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolRateLimitConfig {
    /// Calls per second.
    #[serde(default)]
    pub second: Option<u64>,
    /// Calls per minute.
    #[serde(default)]
    pub minute: Option<u64>,
    /// Calls per hour.
    #[serde(default)]
    pub hour: Option<u64>,
    /// Calls per day.
    #[serde(default)]
    pub day: Option<u64>,
    /// Whom the limit counts: `consumer` (default; each caller has it whole) or `endpoint`
    /// (every caller together, to protect the upstream).
    #[serde(default)]
    pub limit_by: LimitByConfig,
}

impl RateLimitConfig {
    /// The windows given, as (name, limit, period).
    #[must_use]
    pub fn windows(&self) -> Vec<(&'static str, u64, Duration)> {
        windows(self.second, self.minute, self.hour, self.day)
    }
}

impl ToolRateLimitConfig {
    /// The windows given, as (name, limit, period).
    #[must_use]
    pub fn windows(&self) -> Vec<(&'static str, u64, Duration)> {
        windows(self.second, self.minute, self.hour, self.day)
    }
}

fn windows(
    second: Option<u64>,
    minute: Option<u64>,
    hour: Option<u64>,
    day: Option<u64>,
) -> Vec<(&'static str, u64, Duration)> {
    [
        ("second", second, 1),
        ("minute", minute, 60),
        ("hour", hour, 3600),
        ("day", day, 86_400),
    ]
    .into_iter()
    .filter_map(|(name, limit, secs)| limit.map(|l| (name, l, Duration::from_secs(secs))))
    .collect()
}

/// Whom a tool's rate limit counts.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LimitByConfig {
    /// Each caller (default).
    #[default]
    Consumer,
    /// Every caller of the endpoint together.
    Endpoint,
}

/// A length of time: `500ms`, `30s`, `5m`, `1h`, or a number of milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationConfig(pub Duration);

impl DurationConfig {
    /// The duration.
    #[must_use]
    pub fn get(self) -> Duration {
        self.0
    }
}

impl fmt::Display for DurationConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0.as_millis())
    }
}

/// Reads `500ms`, `30s`, `5m`, `1h` (a whole number and a unit).
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as `500ms`, `30s`, `5m` or `1h`"))?;
    let millis = match unit.trim() {
        "ms" => Some(value),
        "s" => value.checked_mul(1000),
        "m" => value.checked_mul(60_000),
        "h" => value.checked_mul(3_600_000),
        "" => {
            return Err(format!(
                "`{text}` needs a unit: `{value}ms`, `{value}s`, `{value}m` or `{value}h`"
            ));
        }
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`: use ms, s, m or h"
            ));
        }
    };
    millis
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}` is too long"))
}

impl<'de> Deserialize<'de> for DurationConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = DurationConfig;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `30s`, `500ms`, `5m` or `1h`, or milliseconds")
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<DurationConfig, E> {
                Ok(DurationConfig(Duration::from_millis(value)))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<DurationConfig, E> {
                u64::try_from(value)
                    .map(|v| DurationConfig(Duration::from_millis(v)))
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<DurationConfig, E> {
                parse_duration(value).map(DurationConfig).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for DurationConfig {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A length of time: `500ms`, `30s`, `5m`, `1h`, or a number of milliseconds.",
            "oneOf": [
                {
                    "type": "string",
                    "pattern": "^[0-9]+(ms|s|m|h)$",
                    "description": "A whole number and a unit: `ms`, `s`, `m` or `h`."
                },
                {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Milliseconds."
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests;
