//! Consumers, consumer groups and API keys. Keys are kept only as SHA-256 digests and
//! compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{ConfigError, ConsumerRef, SecretString};

/// A consumer: who calls, for ACLs and audit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Consumer {
    /// Unique id.
    pub id: String,
    /// Username.
    pub username: Option<String>,
    /// An id from another system.
    pub custom_id: Option<String>,
    /// Consumer groups.
    pub groups: Vec<String>,
}

impl Consumer {
    /// A consumer with `id` and `username`.
    #[must_use]
    pub fn new(id: impl Into<String>, username: Option<String>) -> Self {
        Self {
            id: id.into(),
            username,
            custom_id: None,
            groups: Vec::new(),
        }
    }

    /// Sets the custom id.
    #[must_use]
    pub fn with_custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }

    /// Adds groups.
    #[must_use]
    pub fn with_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups.extend(groups.into_iter().map(Into::into));
        self
    }

    /// The name the consumer is known by: username, else id.
    #[must_use]
    pub fn name(&self) -> &str {
        self.username.as_deref().unwrap_or(&self.id)
    }
}

/// An API key as configured: in clear, or as `sha256:<hex>`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum StoredKey {
    /// The key itself (hashed as soon as it is stored).
    Plain(SecretString),
    /// The SHA-256 digest of the key, as 64 hex digits.
    Sha256(String),
}

impl StoredKey {
    /// `sha256:<hex>` is a digest; anything else is the key itself.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text.strip_prefix("sha256:") {
            Some(hex) => Self::Sha256(hex.to_owned()),
            None => Self::Plain(SecretString::new(text)),
        }
    }

    fn digest(&self) -> Result<[u8; 32], ConfigError> {
        match self {
            Self::Plain(key) => Ok(Sha256::digest(key.expose().as_bytes()).into()),
            Self::Sha256(hex) => {
                let invalid = || ConfigError {
                    field: "keyauth_credentials",
                    reason: "a sha256: key must be 64 hexadecimal digits".to_owned(),
                };
                if hex.len() != 64 {
                    return Err(invalid());
                }
                let mut digest = [0_u8; 32];
                for (index, byte) in digest.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(
                        hex.get(index * 2..index * 2 + 2).ok_or_else(invalid)?,
                        16,
                    )
                    .map_err(|_| invalid())?;
                }
                Ok(digest)
            }
        }
    }
}

/// Every consumer and API key.
#[derive(Clone, Debug, Default)]
pub struct ConsumerStore {
    consumers: Vec<Consumer>,
    keys: Vec<([u8; 32], usize)>,
}

impl ConsumerStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a consumer.
    ///
    /// # Errors
    /// [`ConfigError`] when the id is taken.
    pub fn add(&mut self, consumer: Consumer) -> Result<&mut Self, ConfigError> {
        if self.consumers.iter().any(|c| c.id == consumer.id) {
            return Err(ConfigError {
                field: "consumers",
                reason: format!("the consumer id '{}' is used twice", consumer.id),
            });
        }
        self.consumers.push(consumer);
        Ok(self)
    }

    /// Gives consumer `id` an API key.
    ///
    /// # Errors
    /// [`ConfigError`] for an unknown consumer, a malformed digest, or a key already given.
    pub fn add_key(
        &mut self,
        consumer_id: &str,
        key: &StoredKey,
    ) -> Result<&mut Self, ConfigError> {
        let index = self
            .consumers
            .iter()
            .position(|c| c.id == consumer_id)
            .ok_or_else(|| ConfigError {
                field: "keyauth_credentials",
                reason: format!("no consumer with id '{consumer_id}'"),
            })?;
        let digest = key.digest()?;
        if self.keys.iter().any(|(d, _)| *d == digest) {
            return Err(ConfigError {
                field: "keyauth_credentials",
                reason: "the same API key is given twice".to_owned(),
            });
        }
        self.keys.push((digest, index));
        Ok(self)
    }

    /// Every consumer.
    #[must_use]
    pub fn consumers(&self) -> &[Consumer] {
        &self.consumers
    }

    /// The consumer whose `by` field equals `value`.
    #[must_use]
    pub fn find(&self, by: ConsumerRef, value: &str) -> Option<&Consumer> {
        self.consumers.iter().find(|c| match by {
            ConsumerRef::Username => c.username.as_deref() == Some(value),
            ConsumerRef::CustomId => c.custom_id.as_deref() == Some(value),
            ConsumerRef::Id => c.id == value,
        })
    }

    /// The consumer owning `presented`; every stored digest is compared, in constant time.
    #[must_use]
    pub fn by_key(&self, presented: &str) -> Option<&Consumer> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for (stored, index) in &self.keys {
            if bool::from(stored.ct_eq(&digest)) {
                found = Some(*index);
            }
        }
        found.and_then(|index| self.consumers.get(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> ConsumerStore {
        let mut store = ConsumerStore::new();
        store
            .add(Consumer::new("c1", Some("alice".into())).with_groups(["gold"]))
            .expect("consumer");
        store
            .add(Consumer::new("c2", Some("bob".into())).with_custom_id("ext-2"))
            .expect("consumer");
        store
            .add_key("c1", &StoredKey::parse("alice-key"))
            .expect("key");
        let digest: String = Sha256::digest(b"bob-key")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        store
            .add_key("c2", &StoredKey::parse(&format!("sha256:{digest}")))
            .expect("key");
        store
    }

    #[test]
    fn plain_and_hashed_keys_find_consumers_ok() {
        let store = store();
        assert_eq!(store.by_key("alice-key").map(|c| c.id.as_str()), Some("c1"));
        assert_eq!(store.by_key("bob-key").map(|c| c.id.as_str()), Some("c2"));
        assert!(store.by_key("nobody").is_none());
        assert!(store.by_key("").is_none());
    }

    #[test]
    fn find_by_username_and_custom_id_ok() {
        let store = store();
        assert_eq!(
            store
                .find(ConsumerRef::Username, "alice")
                .map(|c| c.id.as_str()),
            Some("c1")
        );
        assert_eq!(
            store
                .find(ConsumerRef::CustomId, "ext-2")
                .map(|c| c.id.as_str()),
            Some("c2")
        );
        assert!(store.find(ConsumerRef::Username, "ext-2").is_none());
    }

    #[test]
    fn duplicate_or_malformed_keys_fail() {
        let mut store = store();
        assert!(store.add_key("c2", &StoredKey::parse("alice-key")).is_err());
        assert!(store.add_key("c9", &StoredKey::parse("x")).is_err());
        assert!(store.add_key("c1", &StoredKey::parse("sha256:zz")).is_err());
        assert!(store.add(Consumer::new("c1", None)).is_err());
    }

    #[test]
    fn debug_hides_plain_keys_ok() {
        let key = StoredKey::parse("super-secret");
        assert!(!format!("{key:?}").contains("super-secret"));
    }
}
