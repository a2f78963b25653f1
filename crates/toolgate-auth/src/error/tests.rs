use super::AuthError;

#[test]
fn refusal_reasons_table_ok() {
    let token = |detail: &str| AuthError::InvalidToken(detail.to_owned());
    for (error, reason) in [
        (AuthError::MissingToken, "missing_token"),
        (
            AuthError::InvalidRequest("empty Bearer token".into()),
            "invalid_request",
        ),
        (token("expired"), "expired"),
        (token("expired (introspection exp)"), "expired"),
        (token("not valid yet (nbf)"), "not_yet_valid"),
        (token("issued in the future (iat)"), "not_yet_valid"),
        (token("audience does not name this resource"), "audience"),
        (
            token("issuer is not a configured authorization server"),
            "issuer",
        ),
        (token("bad signature"), "signature"),
        (
            token("no key with kid 'x' in http://idp/jwks"),
            "unknown_key",
        ),
        (token("algorithm HS256 is not accepted"), "algorithm"),
        (token("inactive (cached)"), "inactive"),
        (token("unknown API key"), "unknown_api_key"),
        (token("missing claim 'aud'"), "invalid_token"),
        (
            AuthError::InsufficientScope {
                required: vec!["mcp".into()],
            },
            "scope",
        ),
        (AuthError::Forbidden("no consumer".into()), "forbidden"),
        (
            AuthError::Unavailable("jwks: refused".into()),
            "idp_unavailable",
        ),
    ] {
        assert_eq!(error.reason(), reason, "{error}");
    }
}
