//! The outbound network guard (`deny_private_networks`): connections to loopback, private,
//! link-local and other non-public addresses are refused.
//!
//! The check happens where the connection is made, not before it: a guarded
//! [`reqwest::Client`] resolves host names through [`PublicOnlyResolver`], which refuses a
//! name when **any** of its addresses is not public, so a name cannot pass the check and
//! then connect somewhere else (DNS rebinding). reqwest does not resolve IP literals, so
//! [`check_url`] refuses those before a request is sent. IPv4-mapped, IPv4-compatible and
//! NAT64 IPv6 addresses are judged by the IPv4 address they carry.
//!
//! A guarded client ignores the `HTTP(S)_PROXY` variables: a proxy would resolve the names
//! out of the guard's sight.
//!
//! ```
//! use toolgate_net::{check_url, is_public};
//!
//! assert!(!is_public("127.0.0.1".parse().unwrap()));
//! assert!(!is_public("::ffff:10.0.0.1".parse().unwrap()));
//! assert!(is_public("93.184.215.14".parse().unwrap()));
//! assert!(check_url(&"http://169.254.169.254/latest".parse().unwrap()).is_err());
//! // Names are checked when they are resolved, by the guarded client.
//! assert!(check_url(&"https://api.example.com/".parse().unwrap()).is_ok());
//! let builder = toolgate_net::guard(reqwest::Client::builder());
//! # let _ = builder;
//! ```

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Why a connection was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// The host is, or resolves to, an address that is not public.
    #[error(
        "'{host}' is {address}, a {kind} address, and private networks are denied (deny_private_networks)"
    )]
    PrivateAddress {
        /// The host as written.
        host: String,
        /// The refused address.
        address: IpAddr,
        /// `loopback`, `private`, `link-local`…
        kind: &'static str,
    },
    /// The host name did not resolve.
    #[error("'{host}' does not resolve")]
    Resolve {
        /// The host name.
        host: String,
        /// What the resolver said.
        #[source]
        source: std::io::Error,
    },
}

/// Whether `address` is a public unicast address a guarded client may connect to.
#[must_use]
pub fn is_public(address: IpAddr) -> bool {
    classify(address).is_none()
}

/// What kind of non-public address `address` is; `None` for a public one.
#[must_use]
pub fn classify(address: IpAddr) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(match (a, b) {
        _ if ip.is_loopback() => "loopback",
        (0, _) => "unspecified (this-network)",
        (10, _) | (172, 16..=31) | (192, 168) => "private",
        (169, 254) => "link-local",
        (100, 64..=127) => "shared (carrier-grade NAT)",
        (192, 0) if ip.octets()[2] == 0 => "IETF protocol assignment",
        (198, 18 | 19) => "benchmarking",
        (224..=239, _) => "multicast",
        (240..=255, _) => "reserved or broadcast",
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        return Some("loopback");
    }
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    let segments = ip.segments();
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d):
    // judged by the IPv4 address inside.
    let embedded = match segments {
        [0, 0, 0, 0, 0, 0xffff, ..] | [0, 0, 0, 0, 0, 0, ..] | [0x64, 0xff9b, 0, 0, 0, 0, ..] => {
            let [.., hi, lo] = segments;
            Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)))
        }
        _ => None,
    };
    if let Some(v4) = embedded {
        return classify_v4(v4);
    }
    Some(match segments[0] {
        0xfc00..=0xfdff => "unique local (private)",
        0xfe80..=0xfebf => "link-local",
        0xfec0..=0xfeff => "site-local",
        0xff00..=0xffff => "multicast",
        _ => return None,
    })
}

/// Refuses `url` when its host is an IP literal that is not public. Host names pass: the
/// guarded client checks what they resolve to when it connects.
///
/// # Errors
/// [`NetworkError::PrivateAddress`].
pub fn check_url(url: &Url) -> Result<(), NetworkError> {
    let address = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(Host::Domain(_)) | None => return Ok(()),
    };
    refuse_private(url.host_str().unwrap_or_default(), address)
}

/// Resolves `url`'s host (IP literals as they are) and refuses it when any address is not
/// public: an early, readable error before a guarded client connects.
///
/// # Errors
/// [`NetworkError`].
pub async fn check_url_resolved(url: &Url) -> Result<(), NetworkError> {
    check_url(url)?;
    let Some(Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    resolve_public(host, url.port_or_known_default().unwrap_or(0))
        .await
        .map(drop)
}

fn refuse_private(host: &str, address: IpAddr) -> Result<(), NetworkError> {
    match classify(address) {
        None => Ok(()),
        Some(kind) => Err(NetworkError::PrivateAddress {
            host: host.to_owned(),
            address,
            kind,
        }),
    }
}

async fn resolve_public(host: &str, port: u16) -> Result<Vec<SocketAddr>, NetworkError> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|source| NetworkError::Resolve {
            host: host.to_owned(),
            source,
        })?
        .collect();
    for address in &addresses {
        refuse_private(host, address.ip())?;
    }
    Ok(addresses)
}

/// A reqwest resolver that refuses a name unless every address it resolves to is public.
#[derive(Clone, Copy, Debug, Default)]
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = resolve_public(&host, 0).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// `builder` with the guard: names resolved by [`PublicOnlyResolver`], no proxy. Callers
/// still [`check_url`] IP literals before sending, and follow no redirect to one.
pub fn guard(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder
        .dns_resolver(Arc::new(PublicOnlyResolver))
        .no_proxy()
}

#[cfg(test)]
mod tests;
