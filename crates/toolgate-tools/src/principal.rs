//! The identity a request carries into a tool call.

use serde_json::Value;

use crate::JsonObject;

/// Who is calling: put in the HTTP request's extensions by the auth layer, handed to every
/// tool through its [`CallContext`](crate::CallContext).
///
/// A request that no auth layer examined (stdio, or an endpoint without auth) carries
/// [`Principal::anonymous`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Principal {
    /// The token's `sub`, when there is a token.
    pub subject: Option<String>,
    /// The consumer the request maps to (its username, else its id).
    pub consumer: Option<String>,
    /// The consumer's id.
    pub consumer_id: Option<String>,
    /// The consumer's custom id.
    pub consumer_custom_id: Option<String>,
    /// The consumer groups of that consumer.
    pub groups: Vec<String>,
    /// Scopes granted to the token.
    pub scopes: Vec<String>,
    /// Selected claims of the token (never the token itself).
    pub claims: JsonObject,
    /// Headers to add to upstream REST calls, from the token's claims (`claim_to_header`).
    pub upstream_headers: Vec<(String, String)>,
}

impl Principal {
    /// The caller nobody authenticated.
    #[must_use]
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// A principal for `subject`.
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the consumer.
    #[must_use]
    pub fn with_consumer(mut self, consumer: impl Into<String>) -> Self {
        self.consumer = Some(consumer.into());
        self
    }

    /// Adds consumer groups.
    #[must_use]
    pub fn with_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups.extend(groups.into_iter().map(Into::into));
        self
    }

    /// Adds granted scopes.
    #[must_use]
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Records one claim.
    #[must_use]
    pub fn with_claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// Adds a header for upstream calls.
    #[must_use]
    pub fn with_upstream_header(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.upstream_headers.push((name.into(), value.into()));
        self
    }

    /// Whether anybody authenticated this request.
    #[must_use]
    pub fn is_anonymous(&self) -> bool {
        self.subject.is_none() && self.consumer.is_none()
    }
}
