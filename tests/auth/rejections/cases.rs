//! The cases of the rejection table: how the token is presented, time claims, issuer,
//! audience, signature and key, header tricks, garbage, scopes, relaxed audience,
//! introspection.

use std::fmt::Display;

use serde_json::{Value, json};

use super::{Case, Credentials, Env, Expect, Gate};
use crate::{auth::now, harness::EC_KID};

fn bearer(token: impl Display) -> Credentials {
    Credentials::Authorization(vec![format!("Bearer {token}")])
}

fn case(
    name: &'static str,
    gate: Gate,
    expect: Expect,
    credentials: fn(&Env<'_>) -> Credentials,
) -> Case {
    Case {
        name,
        gate,
        expect,
        credentials,
    }
}

/// Where `x5u` points in the header-trick case; the attacker must never see a request.
pub(super) const ATTACKER_X5U_PATH: &str = "/certs.pem";

#[expect(
    clippy::too_many_lines,
    reason = "one line per case reads best as one table"
)]
pub(super) fn cases() -> Vec<Case> {
    use Expect::{Accepted, InsufficientScope, InvalidRequest, InvalidToken, NoToken, Unavailable};
    use Gate::{
        Discovered, Introspection, IntrospectionRefused, IntrospectionRelaxed, JwksUri, Relaxed,
        Scoped,
    };
    vec![
        // How the token is presented.
        case("authorization_missing_fails", Discovered, NoToken, |_| {
            Credentials::None
        }),
        case(
            "authorization_basic_scheme_fails",
            Discovered,
            NoToken,
            |_| Credentials::Authorization(vec!["Basic YWxpY2U6c2VjcmV0".into()]),
        ),
        case(
            "bearer_empty_token_fails",
            Discovered,
            InvalidRequest,
            |_| Credentials::Authorization(vec!["Bearer ".into()]),
        ),
        case("bearer_lowercase_scheme_ok", Discovered, Accepted, |e| {
            Credentials::Authorization(vec![format!("bearer {}", e.token(json!({})))])
        }),
        case(
            "authorization_twice_fails",
            Discovered,
            InvalidRequest,
            |e| {
                let line = format!("Bearer {}", e.token(json!({})));
                Credentials::Authorization(vec![line.clone(), line])
            },
        ),
        case("token_with_space_fails", Discovered, InvalidRequest, |e| {
            bearer(e.token(json!({})).replacen('.', ". ", 1))
        }),
        case(
            "token_with_invalid_char_fails",
            Discovered,
            InvalidRequest,
            |e| bearer(format!("{}!", e.token(json!({})))),
        ),
        case("token_quoted_fails", Discovered, InvalidRequest, |e| {
            bearer(format!("\"{}\"", e.token(json!({}))))
        }),
        case("token_oversized_fails", Discovered, InvalidRequest, |_| {
            bearer("a".repeat(16 * 1024 + 1))
        }),
        case(
            "query_access_token_fails",
            Discovered,
            InvalidRequest,
            |e| Credentials::Query(e.token(json!({})), None),
        ),
        case(
            "query_access_token_beside_header_fails",
            Discovered,
            InvalidRequest,
            |e| {
                let token = e.token(json!({}));
                Credentials::Query(token.clone(), Some(format!("Bearer {token}")))
            },
        ),
        // Time claims (leeway 30 s).
        case(
            "exp_in_past_beyond_leeway_fails",
            Discovered,
            InvalidToken,
            |e| bearer(e.token(json!({"exp": now() - 120}))),
        ),
        case("exp_in_past_within_leeway_ok", Discovered, Accepted, |e| {
            bearer(e.token(json!({"exp": now() - 10})))
        }),
        case("exp_missing_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"exp": null})))
        }),
        case(
            "nbf_in_future_beyond_leeway_fails",
            Discovered,
            InvalidToken,
            |e| bearer(e.token(json!({"nbf": now() + 120}))),
        ),
        case(
            "nbf_in_future_within_leeway_ok",
            Discovered,
            Accepted,
            |e| bearer(e.token(json!({"nbf": now() + 10}))),
        ),
        case(
            "iat_in_future_beyond_leeway_fails",
            Discovered,
            InvalidToken,
            |e| bearer(e.token(json!({"iat": now() + 120}))),
        ),
        // Issuer.
        case("iss_wrong_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"iss": "https://evil.example"})))
        }),
        case("iss_missing_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"iss": null})))
        }),
        case("iss_with_trailing_slash_ok", Discovered, Accepted, |e| {
            bearer(e.token(json!({"iss": format!("{}/", e.idp.issuer())})))
        }),
        case(
            "iss_wrong_with_jwks_uri_fails",
            JwksUri,
            InvalidToken,
            |e| bearer(e.token(json!({"iss": "https://evil.example"}))),
        ),
        case(
            "iss_missing_with_jwks_uri_fails",
            JwksUri,
            InvalidToken,
            |e| bearer(e.token(json!({"iss": null}))),
        ),
        case(
            "iss_with_trailing_slash_with_jwks_uri_ok",
            JwksUri,
            Accepted,
            |e| bearer(e.token(json!({"iss": format!("{}/", e.idp.issuer())}))),
        ),
        case("token_with_jwks_uri_ok", JwksUri, Accepted, |e| {
            bearer(e.token(json!({})))
        }),
        // Audience (RFC 8707).
        case("aud_wrong_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"aud": "https://other.example/mcp"})))
        }),
        case("aud_missing_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"aud": null})))
        }),
        case("aud_array_with_resource_ok", Discovered, Accepted, |e| {
            bearer(e.token(json!({"aud": ["https://other.example/mcp", e.resource]})))
        }),
        case("aud_with_trailing_slash_ok", Discovered, Accepted, |e| {
            bearer(e.token(json!({"aud": format!("{}/", e.resource)})))
        }),
        case("aud_generic_account_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"aud": "account"})))
        }),
        case(
            "aud_other_path_same_host_fails",
            Discovered,
            InvalidToken,
            |e| bearer(e.token(json!({"aud": e.sibling("/other/mcp")}))),
        ),
        case("aud_origin_only_fails", Discovered, InvalidToken, |e| {
            bearer(e.token(json!({"aud": e.sibling("/")})))
        }),
        // Signature, algorithm and key.
        case("alg_none_fails", Discovered, InvalidToken, |e| {
            bearer(e.idp.forge(e.claims(json!({}))).alg_none().build())
        }),
        case(
            "alg_hs256_keyed_with_public_key_fails",
            Discovered,
            InvalidToken,
            |e| {
                bearer(
                    e.idp
                        .forge(e.claims(json!({})))
                        .hmac_with_public_key()
                        .build(),
                )
            },
        ),
        case("kid_unknown_fails", Discovered, InvalidToken, |e| {
            bearer(e.idp.forge(e.claims(json!({}))).unknown_key().build())
        }),
        case(
            "kid_missing_with_several_keys_fails",
            Discovered,
            InvalidToken,
            |e| {
                bearer(
                    e.idp
                        .forge(e.claims(json!({})))
                        .header("kid", Value::Null)
                        .build(),
                )
            },
        ),
        case(
            "kid_of_ec_key_on_rs256_token_fails",
            Discovered,
            InvalidToken,
            |e| {
                bearer(
                    e.idp
                        .forge(e.claims(json!({})))
                        .header("kid", json!(EC_KID))
                        .build(),
                )
            },
        ),
        case(
            "alg_rs256_header_on_es256_signature_fails",
            Discovered,
            InvalidToken,
            |e| {
                bearer(
                    e.idp
                        .forge(e.claims(json!({})))
                        .es256()
                        .header("alg", json!("RS256"))
                        .build(),
                )
            },
        ),
        case("payload_tampered_fails", Discovered, InvalidToken, |e| {
            bearer(
                e.idp
                    .forge(e.claims(json!({})))
                    .tamper(json!({"sub": "admin"}))
                    .build(),
            )
        }),
        case("signature_bad_fails", Discovered, InvalidToken, |e| {
            bearer(e.idp.forge(e.claims(json!({}))).bad_signature().build())
        }),
        case("alg_es256_ok", Discovered, Accepted, |e| {
            bearer(e.idp.forge(e.claims(json!({}))).es256().build())
        }),
        case("typ_plain_jwt_ok", Discovered, Accepted, |e| {
            bearer(
                e.idp
                    .forge(e.claims(json!({})))
                    .header("typ", json!("JWT"))
                    .build(),
            )
        }),
        case(
            "crit_unknown_extension_fails",
            Discovered,
            InvalidToken,
            |e| {
                let forged = e.idp.forge(e.claims(json!({})));
                bearer(
                    forged
                        .header("crit", json!(["x-ext"]))
                        .header("x-ext", json!(true))
                        .build(),
                )
            },
        ),
        // Header parameters naming other keys are never followed.
        case(
            "jku_to_attacker_jwks_fails",
            Discovered,
            InvalidToken,
            |e| {
                let claims = e.claims(json!({"iss": e.idp.issuer()}));
                bearer(
                    e.attacker
                        .forge(claims)
                        .header("jku", json!(e.attacker.jwks_uri()))
                        .build(),
                )
            },
        ),
        case(
            "jwk_embedded_attacker_key_fails",
            Discovered,
            InvalidToken,
            |e| {
                let claims = e.claims(json!({"iss": e.idp.issuer()}));
                bearer(
                    e.attacker
                        .forge(claims)
                        .header("jwk", e.attacker_jwk.clone())
                        .build(),
                )
            },
        ),
        case(
            "x5u_to_elsewhere_is_ignored_ok",
            Discovered,
            Accepted,
            |e| {
                let x5u = format!("{}{}", e.attacker.issuer(), ATTACKER_X5U_PATH);
                bearer(
                    e.idp
                        .forge(e.claims(json!({})))
                        .header("x5u", json!(x5u))
                        .build(),
                )
            },
        ),
        // Not tokens at all.
        case("garbage_jwt_shaped_fails", Discovered, InvalidToken, |_| {
            bearer("eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.garbage.garbage")
        }),
        case(
            "garbage_three_parts_fails",
            Discovered,
            InvalidToken,
            |_| bearer("aaa.bbb.ccc"),
        ),
        case(
            "opaque_without_introspection_fails",
            Discovered,
            InvalidToken,
            |e| bearer(e.opaque(json!({}))),
        ),
        // Scopes.
        case(
            "scope_without_token_names_scopes_fails",
            Scoped,
            NoToken,
            |_| Credentials::None,
        ),
        case("scope_all_required_ok", Scoped, Accepted, |e| {
            bearer(e.token(json!({"scope": "mcp:tools weather:read"})))
        }),
        case("scope_superset_ok", Scoped, Accepted, |e| {
            bearer(e.token(json!({"scope": "openid weather:read admin mcp:tools"})))
        }),
        case("scp_array_ok", Scoped, Accepted, |e| {
            bearer(e.token(json!({"scp": ["mcp:tools", "weather:read"]})))
        }),
        case("scope_partial_fails", Scoped, InsufficientScope, |e| {
            bearer(e.token(json!({"scope": "mcp:tools"})))
        }),
        case("scope_missing_fails", Scoped, InsufficientScope, |e| {
            bearer(e.token(json!({})))
        }),
        case("scope_other_case_fails", Scoped, InsufficientScope, |e| {
            bearer(e.token(json!({"scope": "MCP:TOOLS weather:read"})))
        }),
        case("scope_on_expired_token_fails", Scoped, InvalidToken, |e| {
            bearer(e.token(json!({"scope": "mcp:tools weather:read", "exp": now() - 120})))
        }),
        // Relaxed audience validation relaxes the audience only.
        case("relaxed_aud_wrong_ok", Relaxed, Accepted, |e| {
            bearer(e.token(json!({"aud": "account"})))
        }),
        case("relaxed_aud_missing_ok", Relaxed, Accepted, |e| {
            bearer(e.token(json!({"aud": null})))
        }),
        case("relaxed_iss_wrong_fails", Relaxed, InvalidToken, |e| {
            bearer(e.token(json!({"aud": "account", "iss": "https://evil.example"})))
        }),
        case("relaxed_exp_in_past_fails", Relaxed, InvalidToken, |e| {
            bearer(e.token(json!({"aud": "account", "exp": now() - 120})))
        }),
        // Opaque tokens and introspection.
        case("introspection_active_ok", Introspection, Accepted, |e| {
            bearer(e.opaque(json!({})))
        }),
        case(
            "introspection_revoked_fails",
            Introspection,
            InvalidToken,
            |e| {
                let token = e.opaque(json!({}));
                e.idp.revoke(&token);
                bearer(token)
            },
        ),
        case(
            "introspection_unknown_fails",
            Introspection,
            InvalidToken,
            |_| bearer("opaque-never-issued-by-anyone"),
        ),
        case(
            "introspection_expired_fails",
            Introspection,
            InvalidToken,
            |e| bearer(e.opaque(json!({"exp": now() - 120}))),
        ),
        case(
            "introspection_not_yet_valid_fails",
            Introspection,
            InvalidToken,
            |e| bearer(e.opaque(json!({"nbf": now() + 120}))),
        ),
        case(
            "introspection_aud_wrong_fails",
            Introspection,
            InvalidToken,
            |e| bearer(e.opaque(json!({"aud": "https://other.example/mcp"}))),
        ),
        case(
            "introspection_aud_missing_fails",
            Introspection,
            InvalidToken,
            |e| bearer(e.opaque(json!({"aud": null}))),
        ),
        case(
            "introspection_iss_wrong_fails",
            Introspection,
            InvalidToken,
            |e| bearer(e.opaque(json!({"iss": "https://evil.example"}))),
        ),
        case(
            "introspection_beside_jwks_jwt_ok",
            Introspection,
            Accepted,
            |e| bearer(e.token(json!({}))),
        ),
        case(
            "introspection_alg_none_fails",
            Introspection,
            InvalidToken,
            |e| bearer(e.idp.forge(e.claims(json!({}))).alg_none().build()),
        ),
        case(
            "introspection_relaxed_aud_wrong_ok",
            IntrospectionRelaxed,
            Accepted,
            |e| bearer(e.opaque(json!({"aud": "account"}))),
        ),
        case(
            "introspection_client_refused_fails",
            IntrospectionRefused,
            Unavailable,
            |e| bearer(e.opaque(json!({}))),
        ),
        case(
            "introspection_client_refused_jwt_unaffected_ok",
            IntrospectionRefused,
            Accepted,
            |e| bearer(e.token(json!({}))),
        ),
    ]
}
