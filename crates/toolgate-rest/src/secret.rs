//! Values that must not leak: redacted in `Debug`, never logged.

use std::fmt;

/// A string whose `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is sent.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A fixed query or header value a tool sends on every call.
///
/// Fixed values often hold API keys, so every one is treated as a secret. A value the
/// operator has not provided yet is [`FixedValue::Missing`]: the server still starts, and
/// calls of the tools that need it answer an `isError` result carrying the hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixedValue {
    /// Sent as is.
    Value(SecretString),
    /// Not configured; `hint` tells the user how to provide it.
    Missing {
        /// For example "set WEATHERAPI_API_KEY to your WeatherAPI key".
        hint: String,
    },
}

impl FixedValue {
    /// A provided value.
    #[must_use]
    pub fn value(value: impl Into<String>) -> Self {
        Self::Value(SecretString::new(value))
    }
}
