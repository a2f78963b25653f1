//! The `requestedSchema`s of the fixture's elicitation tools, exactly as the conformance
//! suite checks them (field names, types, defaults, enum shapes).

use serde_json::{Value, json};

/// `test_elicitation`: a username and an email address, both required.
pub(crate) fn user_info() -> Value {
    json!({
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"}
        },
        "required": ["username", "email"]
    })
}

/// `test_elicitation_sep1034_defaults` (SEP-1034): one field per primitive type, each with a
/// default value.
pub(crate) fn defaults() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "User name", "default": "John Doe"},
            "age": {"type": "integer", "description": "User age", "default": 30},
            "score": {"type": "number", "description": "User score", "default": 95.5},
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": {"type": "boolean", "description": "Verification status", "default": true}
        },
        "required": []
    })
}

/// `test_elicitation_sep1330_enums` (SEP-1330): untitled and titled single-select, the
/// legacy `enumNames` form, untitled and titled multi-select.
pub(crate) fn enums() -> Value {
    json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "Third Option"}
                ]
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "string", "enum": ["option1", "option2", "option3"]}
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": {
                    "anyOf": [
                        {"const": "value1", "title": "First Choice"},
                        {"const": "value2", "title": "Second Choice"},
                        {"const": "value3", "title": "Third Choice"}
                    ]
                }
            }
        },
        "required": []
    })
}

#[cfg(test)]
mod tests {
    //! The schemas must survive rmcp's typed `ElicitationSchema` unchanged: a field or
    //! keyword it dropped would fail the suite's checks.

    use rmcp::model::ElicitationSchema;

    use super::*;

    fn round_trip(schema: &Value) -> Value {
        let typed: ElicitationSchema =
            serde_json::from_value(schema.clone()).expect("rmcp accepts the schema");
        serde_json::to_value(typed).expect("serializes")
    }

    #[test]
    fn user_info_round_trips() {
        assert_eq!(round_trip(&user_info()), user_info());
    }

    #[test]
    fn defaults_round_trip() {
        assert_eq!(round_trip(&defaults()), defaults());
    }

    #[test]
    fn enums_round_trip() {
        assert_eq!(round_trip(&enums()), enums());
    }
}
