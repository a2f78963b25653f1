//! The committed test keys (`tests/keys/`), their JWKs, and a JWS signer that also forges the
//! tokens a resource server must refuse.

use std::sync::OnceLock;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    Algorithm, EncodingKey,
    jwk::{Jwk, PublicKeyUse},
};
use serde_json::{Map, Value};

/// The `kid` of the EC P-256 key, served in the JWKS at all times.
pub(crate) const EC_KID: &str = "ec-1";
/// The `kid` of the RSA key that no JWKS ever serves.
pub(crate) const ROGUE_KID: &str = "rogue";

/// One key pair: what signs, and what the JWKS serves.
pub(super) struct KeyPair {
    pub(super) kid: &'static str,
    pub(super) algorithm: Algorithm,
    pub(super) signing: EncodingKey,
    /// The public key as a JWK with `kid`, `use` and `alg`.
    pub(super) jwk: Jwk,
    /// The public key as a PEM (`-----BEGIN PUBLIC KEY-----`), when committed.
    pub(super) public_pem: &'static str,
}

/// Every committed key.
pub(super) struct Keys {
    /// The rotation ring: `rsa-1`, `rsa-2`, `rsa-3`.
    pub(super) rsa: [KeyPair; 3],
    pub(super) ec: KeyPair,
    pub(super) rogue: KeyPair,
}

impl Keys {
    /// Parsed once per test binary.
    pub(super) fn get() -> &'static Self {
        static KEYS: OnceLock<Keys> = OnceLock::new();
        KEYS.get_or_init(|| Self {
            rsa: [
                rsa(
                    "rsa-1",
                    include_str!("../../keys/rsa-1.pem"),
                    include_str!("../../keys/rsa-1.pub.pem"),
                ),
                rsa(
                    "rsa-2",
                    include_str!("../../keys/rsa-2.pem"),
                    include_str!("../../keys/rsa-2.pub.pem"),
                ),
                rsa(
                    "rsa-3",
                    include_str!("../../keys/rsa-3.pem"),
                    include_str!("../../keys/rsa-3.pub.pem"),
                ),
            ],
            ec: key_pair(
                EC_KID,
                Algorithm::ES256,
                EncodingKey::from_ec_pem(include_bytes!("../../keys/ec-1.pem"))
                    .expect("tests/keys/ec-1.pem is a PKCS#8 P-256 key"),
                include_str!("../../keys/ec-1.pub.pem"),
            ),
            rogue: rsa(ROGUE_KID, include_str!("../../keys/rsa-rogue.pem"), ""),
        })
    }
}

fn rsa(kid: &'static str, private_pem: &str, public_pem: &'static str) -> KeyPair {
    let signing = EncodingKey::from_rsa_pem(private_pem.as_bytes())
        .unwrap_or_else(|error| panic!("tests/keys: {kid} is not an RSA key: {error}"));
    key_pair(kid, Algorithm::RS256, signing, public_pem)
}

fn key_pair(
    kid: &'static str,
    algorithm: Algorithm,
    signing: EncodingKey,
    public_pem: &'static str,
) -> KeyPair {
    // `n`/`e` and `x`/`y` come from the private key, never pasted by hand.
    let mut jwk = Jwk::from_encoding_key(&signing, algorithm)
        .unwrap_or_else(|error| panic!("tests/keys: JWK of {kid}: {error}"));
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    KeyPair {
        kid,
        algorithm,
        signing,
        jwk,
        public_pem,
    }
}

/// How a [`JwtBuilder`](super::JwtBuilder) signs.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Signer {
    /// RS256 with the current RSA key (the default).
    Current,
    /// ES256 with the EC key (`ec-1`), which the JWKS serves.
    Ec,
    /// RS256 with the rogue key (`rogue`), which no JWKS serves.
    Rogue,
    /// `{"alg":"none"}` and an empty signature.
    None,
    /// HS256 keyed with the current RSA public key's PEM: the key-confusion attack.
    HmacWithPublicKey,
}

/// The bytes of a signed token after signing.
#[derive(Clone, Debug, Default)]
pub(super) struct Damage {
    /// Merged into the payload after signing (`null` removes a claim).
    pub(super) tamper: Option<Map<String, Value>>,
    /// Flip a bit of the signature.
    pub(super) bad_signature: bool,
}

/// Signs `claims` with `signer`; `header` is merged over the signer's header (`null` removes a
/// parameter), so the header may lie about the algorithm or the key.
pub(super) fn sign(
    current: &KeyPair,
    signer: &Signer,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    damage: &Damage,
) -> String {
    let keys = Keys::get();
    let (alg, kid) = match signer {
        Signer::Current => ("RS256", Some(current.kid)),
        Signer::Ec => ("ES256", Some(keys.ec.kid)),
        Signer::Rogue => ("RS256", Some(keys.rogue.kid)),
        Signer::None => ("none", None),
        Signer::HmacWithPublicKey => ("HS256", Some(current.kid)),
    };
    let mut full = Map::new();
    full.insert("alg".into(), alg.into());
    if *signer != Signer::None {
        full.insert("typ".into(), "at+jwt".into());
    }
    if let Some(kid) = kid {
        full.insert("kid".into(), kid.into());
    }
    merge(&mut full, header);

    let message = format!("{}.{}", encode_part(&full), encode_part(claims));
    let hmac_key;
    let key = match signer {
        Signer::Current => Some((&current.signing, current.algorithm)),
        Signer::Ec => Some((&keys.ec.signing, keys.ec.algorithm)),
        Signer::Rogue => Some((&keys.rogue.signing, keys.rogue.algorithm)),
        Signer::None => None,
        Signer::HmacWithPublicKey => {
            hmac_key = EncodingKey::from_secret(current.public_pem.as_bytes());
            Some((&hmac_key, Algorithm::HS256))
        }
    };
    let mut signature = match key {
        Some((key, algorithm)) => {
            jsonwebtoken::crypto::sign(message.as_bytes(), key, algorithm).expect("sign a JWT")
        }
        None => String::new(),
    };

    if damage.bad_signature {
        let mut bytes = URL_SAFE_NO_PAD
            .decode(&signature)
            .expect("own signature is base64url");
        match bytes.last_mut() {
            Some(last) => *last ^= 0x01,
            None => bytes.push(0),
        }
        signature = URL_SAFE_NO_PAD.encode(bytes);
    }
    let message = match &damage.tamper {
        Some(patch) => {
            let mut claims = claims.clone();
            merge(&mut claims, patch);
            format!("{}.{}", encode_part(&full), encode_part(&claims))
        }
        None => message,
    };
    format!("{message}.{signature}")
}

/// `base64url(JSON)` without padding.
pub(super) fn encode_part(part: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(part).expect("JSON object serialises"))
}

/// Sets every key of `patch` on `target`; a `null` removes the key.
pub(super) fn merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (name, value) in patch {
        if value.is_null() {
            target.remove(name);
        } else {
            target.insert(name.clone(), value.clone());
        }
    }
}

/// A random base64url string of 32 bytes (opaque tokens, `jti`).
pub(super) fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}
