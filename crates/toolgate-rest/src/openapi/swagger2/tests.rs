use serde_json::{Map, Value, json};

use super::*;

const PETSTORE: &str = include_str!("../../../../../openapi-specs/petstore-swagger2.json");

fn convert(doc: &Value) -> Converted {
    to_openapi3(doc).expect("converts")
}

/// A minimal document with `paths` and any extra top-level fields.
fn doc(paths: Value, extra: Value) -> Value {
    let mut doc = Map::new();
    doc.insert("swagger".to_owned(), json!("2.0"));
    doc.insert("info".to_owned(), json!({ "title": "t", "version": "1" }));
    if let Value::Object(extra) = extra {
        doc.extend(extra);
    }
    doc.insert("paths".to_owned(), paths);
    Value::Object(doc)
}

/// The converted document of one operation `GET /things` (or the given method).
fn operation(method: &str, op: Value, extra: Value) -> (Value, Vec<String>) {
    let item = Value::Object(Map::from_iter([(method.to_owned(), op)]));
    let converted = convert(&doc(json!({ "/things": item }), extra));
    let op = converted.document["paths"]["/things"][method].clone();
    (op, converted.warnings)
}

fn param(op: &Value, name: &str) -> Value {
    op["parameters"]
        .as_array()
        .and_then(|list| list.iter().find(|p| p["name"] == name))
        .cloned()
        .unwrap_or(Value::Null)
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|map| map.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn has_warning(warnings: &[String], prefix: &str, text: &str) -> bool {
    warnings
        .iter()
        .any(|w| w.starts_with(prefix) && w.contains(text))
}

// --- document level ---

#[test]
fn top_level_order_and_fields_ok() {
    let converted = convert(&json!({
        "swagger": "2.0",
        "info": { "title": "t", "version": "1" },
        "x-top": { "$ref": "#/definitions/NotTouched" },
        "host": "api.example.com",
        "tags": [{ "name": "a" }],
        "consumes": ["application/json"],
        "paths": {},
        "definitions": { "A": { "type": "string" } },
        "security": [{ "key": [] }],
        "externalDocs": { "url": "https://example.com/docs" },
        "bogus": 1
    }));
    let document = &converted.document;
    assert_eq!(
        keys(document),
        [
            "openapi",
            "info",
            "x-top",
            "servers",
            "tags",
            "paths",
            "components",
            "security",
            "externalDocs"
        ]
    );
    assert_eq!(document["openapi"], "3.0.3");
    assert_eq!(document["x-top"]["$ref"], "#/definitions/NotTouched");
    assert_eq!(document["security"], json!([{ "key": [] }]));
    assert_eq!(
        document["components"]["schemas"]["A"],
        json!({ "type": "string" })
    );
    assert!(has_warning(&converted.warnings, "/bogus", "dropped"));
}

#[test]
fn swagger_version_as_number_ok() {
    let converted = convert(&json!({ "swagger": 2.0, "info": {}, "paths": {} }));
    assert_eq!(converted.document["openapi"], "3.0.3");
    assert_eq!(converted.document["servers"], json!([{ "url": "/" }]));
    assert_eq!(
        keys(&converted.document),
        ["openapi", "info", "servers", "paths"]
    );
    assert!(converted.warnings.is_empty());
}

#[test]
fn not_swagger2_errors() {
    let cases = [
        (json!([]), "root must be an object"),
        (
            json!({ "openapi": "3.0.3", "paths": {} }),
            "/swagger: missing",
        ),
        (
            json!({ "swagger": "1.2", "paths": {} }),
            "/swagger: expected \"2.0\"",
        ),
        (json!({ "swagger": "2.0" }), "/paths: missing"),
        (
            json!({ "swagger": "2.0", "paths": [] }),
            "/paths: must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": { "/a": 1 } }),
            "/paths/~1a: path item must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": { "/pets": { "get": "x" } } }),
            "/paths/~1pets/get: operation must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": {} } } } }),
            "/paths/~1a/get/parameters: parameters must be an array",
        ),
        (
            json!({ "swagger": "2.0", "paths": { "/a": { "parameters": [true] } } }),
            "/paths/~1a/parameters/0: parameter must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "responses": [] } } } }),
            "/paths/~1a/get/responses: responses must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "responses": { "200": 1 } } } } }),
            "/paths/~1a/get/responses/200: response must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": {}, "definitions": [] }),
            "/definitions: definitions must be an object",
        ),
        (
            json!({ "swagger": "2.0", "paths": {}, "parameters": { "p": 1 } }),
            "/parameters/p: parameter must be an object",
        ),
    ];
    for (input, expected) in cases {
        let error = to_openapi3(&input).expect_err("rejected");
        assert!(
            error.starts_with(expected) || error.contains(expected),
            "{input}: {error}"
        );
    }
}

// --- servers ---

#[test]
fn servers_https_first_ok() {
    let converted = convert(&doc(
        json!({}),
        json!({ "host": "petstore.swagger.io", "basePath": "/v2", "schemes": ["http", "https", "wss"] }),
    ));
    assert_eq!(
        converted.document["servers"],
        json!([
            { "url": "https://petstore.swagger.io/v2" },
            { "url": "http://petstore.swagger.io/v2" },
            { "url": "wss://petstore.swagger.io/v2" }
        ])
    );
}

#[test]
fn servers_without_schemes_are_scheme_relative_ok() {
    let converted = convert(&doc(json!({}), json!({ "host": "api.example.com:8443" })));
    assert_eq!(
        converted.document["servers"],
        json!([{ "url": "//api.example.com:8443" }])
    );
    let converted = convert(&doc(
        json!({}),
        json!({ "host": "h", "basePath": "/api/", "schemes": ["https"] }),
    ));
    assert_eq!(
        converted.document["servers"],
        json!([{ "url": "https://h/api" }])
    );
}

#[test]
fn servers_without_host_are_relative_ok() {
    let converted = convert(&doc(json!({}), json!({ "basePath": "/v1" })));
    assert_eq!(converted.document["servers"], json!([{ "url": "/v1" }]));
    assert!(converted.warnings.is_empty());
    let converted = convert(&doc(
        json!({}),
        json!({ "schemes": ["https"], "basePath": "v1" }),
    ));
    assert_eq!(converted.document["servers"], json!([{ "url": "/v1" }]));
    assert!(has_warning(
        &converted.warnings,
        "/basePath",
        "must start with"
    ));
    assert!(has_warning(&converted.warnings, "/schemes", "need a host"));
}

#[test]
fn servers_bad_values_warn() {
    let converted = convert(&doc(json!({}), json!({ "host": 5, "schemes": ["ftp", 3] })));
    assert_eq!(converted.document["servers"], json!([{ "url": "/" }]));
    assert!(has_warning(
        &converted.warnings,
        "/host",
        "non-empty string"
    ));
    assert!(has_warning(&converted.warnings, "/schemes", "`ftp`"));
    assert!(has_warning(
        &converted.warnings,
        "/schemes/1",
        "not a string"
    ));
}

#[test]
fn operation_schemes_become_servers_ok() {
    let (op, _) = operation(
        "get",
        json!({ "schemes": ["http"], "responses": {} }),
        json!({ "host": "h", "basePath": "/b", "schemes": ["https"] }),
    );
    assert_eq!(op["servers"], json!([{ "url": "http://h/b" }]));
    assert!(op.get("schemes").is_none());
}

// --- request bodies ---

#[test]
fn body_uses_operation_consumes_ok() {
    let (op, warnings) = operation(
        "post",
        json!({
            "consumes": ["application/json", "application/xml"],
            "produces": ["application/json"],
            "parameters": [{
                "in": "body", "name": "pet", "description": "The pet.", "required": true,
                "schema": { "$ref": "#/definitions/Pet" }, "x-body": 1
            }],
            "responses": { "200": { "description": "ok" } }
        }),
        json!({ "consumes": ["text/plain"] }),
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let schema = json!({ "$ref": "#/components/schemas/Pet" });
    assert_eq!(
        op["requestBody"],
        json!({
            "description": "The pet.",
            "content": { "application/json": { "schema": schema }, "application/xml": { "schema": schema } },
            "required": true,
            "x-body": 1
        })
    );
    assert_eq!(keys(&op), ["requestBody", "responses"]);
}

#[test]
fn body_uses_document_consumes_then_json_ok() {
    let body =
        json!({ "parameters": [{ "in": "body", "name": "b", "schema": { "type": "string" } }] });
    let (op, _) = operation("put", body.clone(), json!({ "consumes": ["text/plain"] }));
    assert_eq!(keys(&op["requestBody"]["content"]), ["text/plain"]);
    let (op, _) = operation("put", body.clone(), json!({}));
    assert_eq!(keys(&op["requestBody"]["content"]), ["application/json"]);
    assert!(op["requestBody"].get("required").is_none());
    // An empty operation-level list clears the document's.
    let mut cleared = body;
    cleared["consumes"] = json!([]);
    let (op, _) = operation("put", cleared, json!({ "consumes": ["text/plain"] }));
    assert_eq!(keys(&op["requestBody"]["content"]), ["application/json"]);
}

#[test]
fn body_without_schema_warns() {
    let (op, warnings) = operation(
        "post",
        json!({ "parameters": [{ "in": "body", "name": "b" }] }),
        json!({}),
    );
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"],
        json!({})
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/post/parameters/0",
        "without a schema"
    ));
}

#[test]
fn form_data_urlencoded_ok() {
    let (op, warnings) = operation(
        "post",
        json!({
            "consumes": ["application/x-www-form-urlencoded"],
            "parameters": [
                { "in": "path", "name": "id", "required": true, "type": "integer" },
                { "in": "formData", "name": "name", "description": "New name.", "required": true, "type": "string" },
                { "in": "formData", "name": "tags", "type": "array", "items": { "type": "string" } },
                { "in": "formData", "name": "ids", "type": "array", "items": { "type": "integer" }, "collectionFormat": "multi" }
            ]
        }),
        json!({}),
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(op["parameters"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        op["requestBody"],
        json!({
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "name": { "description": "New name.", "type": "string" },
                            "tags": { "type": "array", "items": { "type": "string" } },
                            "ids": { "type": "array", "items": { "type": "integer" } }
                        },
                        "required": ["name"]
                    },
                    "encoding": {
                        "tags": { "style": "form", "explode": false },
                        "ids": { "style": "form", "explode": true }
                    }
                }
            },
            "required": true
        })
    );
}

#[test]
fn form_data_file_is_multipart_ok() {
    let (op, warnings) = operation(
        "post",
        json!({
            "consumes": ["multipart/form-data"],
            "parameters": [
                { "in": "formData", "name": "note", "type": "string" },
                { "in": "formData", "name": "file", "type": "file", "required": true }
            ]
        }),
        json!({}),
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let content = &op["requestBody"]["content"];
    assert_eq!(keys(content), ["multipart/form-data"]);
    assert_eq!(
        content["multipart/form-data"]["schema"]["properties"]["file"],
        json!({ "type": "string", "format": "binary" })
    );
    assert_eq!(
        content["multipart/form-data"]["schema"]["required"],
        json!(["file"])
    );
    assert_eq!(op["requestBody"]["required"], true);
}

#[test]
fn form_data_file_without_multipart_consumes_warns() {
    let (op, warnings) = operation(
        "post",
        json!({
            "consumes": ["application/x-www-form-urlencoded"],
            "parameters": [{ "in": "formData", "name": "file", "type": "file" }]
        }),
        json!({}),
    );
    assert_eq!(keys(&op["requestBody"]["content"]), ["multipart/form-data"]);
    assert!(op["requestBody"].get("required").is_none());
    assert!(has_warning(
        &warnings,
        "/paths/~1things/post",
        "cannot be urlencoded"
    ));
}

#[test]
fn form_data_media_types_follow_consumes_ok() {
    let form = json!([{ "in": "formData", "name": "a", "type": "string" }]);
    let (op, _) = operation(
        "post",
        json!({ "parameters": form, "consumes": ["multipart/form-data", "application/x-www-form-urlencoded"] }),
        json!({}),
    );
    assert_eq!(
        keys(&op["requestBody"]["content"]),
        ["multipart/form-data", "application/x-www-form-urlencoded"]
    );
    let (op, _) = operation(
        "post",
        json!({ "parameters": form }),
        json!({ "consumes": ["multipart/form-data"] }),
    );
    assert_eq!(keys(&op["requestBody"]["content"]), ["multipart/form-data"]);
    let (op, _) = operation("post", json!({ "parameters": form }), json!({}));
    assert_eq!(
        keys(&op["requestBody"]["content"]),
        ["application/x-www-form-urlencoded"]
    );
    let (op, _) = operation(
        "post",
        json!({ "parameters": form, "consumes": ["application/x-www-form-urlencoded; charset=utf-8"] }),
        json!({}),
    );
    assert_eq!(
        keys(&op["requestBody"]["content"]),
        ["application/x-www-form-urlencoded"]
    );
}

#[test]
fn form_data_lossy_fields_warn() {
    let (_, warnings) = operation(
        "post",
        json!({
            "consumes": ["multipart/form-data"],
            "parameters": [
                { "in": "formData", "name": "a", "type": "string", "allowEmptyValue": true },
                { "in": "formData", "name": "b", "type": "array", "items": { "type": "string" }, "collectionFormat": "csv" }
            ]
        }),
        json!({}),
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/post/parameters/0",
        "allowEmptyValue"
    ));
    assert!(has_warning(
        &warnings,
        "/paths/~1things/post/parameters/1",
        "multipart"
    ));
}

#[test]
fn body_and_form_data_together_warn() {
    let (op, warnings) = operation(
        "post",
        json!({ "parameters": [
            { "in": "formData", "name": "a", "type": "string" },
            { "in": "body", "name": "b", "schema": { "type": "object" } },
            { "in": "body", "name": "c", "schema": { "type": "string" } }
        ] }),
        json!({}),
    );
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"],
        json!({ "type": "object" })
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/post",
        "formData dropped"
    ));
    assert!(has_warning(
        &warnings,
        "/paths/~1things/post",
        "more than one body"
    ));
}

// --- parameters ---

#[test]
fn parameter_fields_move_into_schema_ok() {
    let (op, warnings) = operation(
        "get",
        json!({ "parameters": [{
            "name": "limit", "in": "query", "description": "How many.", "required": false,
            "allowEmptyValue": true, "type": "integer", "format": "int32", "minimum": 1,
            "maximum": 100, "exclusiveMaximum": true, "default": 20, "multipleOf": 1,
            "x-extra": "kept", "example": 5
        }] }),
        json!({}),
    );
    assert_eq!(
        param(&op, "limit"),
        json!({
            "name": "limit", "in": "query", "description": "How many.", "required": false,
            "allowEmptyValue": true, "x-extra": "kept",
            "schema": {
                "type": "integer", "format": "int32", "default": 20, "minimum": 1,
                "maximum": 100, "exclusiveMaximum": true, "multipleOf": 1
            }
        })
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/0/example",
        "dropped"
    ));
}

#[test]
fn collection_formats_map_to_styles_ok() {
    let array = |name: &str, location: &str, format: Option<&str>| {
        let mut p =
            json!({ "name": name, "in": location, "type": "array", "items": { "type": "string" } });
        if let (Some(format), Some(map)) = (format, p.as_object_mut()) {
            map.insert("collectionFormat".to_owned(), json!(format));
        }
        p
    };
    let (op, warnings) = operation(
        "get",
        json!({ "parameters": [
            array("q_default", "query", None),
            array("q_csv", "query", Some("csv")),
            array("q_multi", "query", Some("multi")),
            array("q_ssv", "query", Some("ssv")),
            array("q_pipes", "query", Some("pipes")),
            array("q_tsv", "query", Some("tsv")),
            array("p_csv", "path", Some("csv")),
            array("h_default", "header", None),
            array("h_multi", "header", Some("multi")),
            { "name": "plain", "in": "query", "type": "string", "collectionFormat": "multi" }
        ] }),
        json!({}),
    );
    let style = |name: &str| {
        let p = param(&op, name);
        (p["style"].clone(), p["explode"].clone())
    };
    assert_eq!(style("q_default"), (json!("form"), json!(false)));
    assert_eq!(style("q_csv"), (json!("form"), json!(false)));
    assert_eq!(style("q_multi"), (json!("form"), json!(true)));
    assert_eq!(style("q_ssv"), (json!("spaceDelimited"), json!(false)));
    assert_eq!(style("q_pipes"), (json!("pipeDelimited"), json!(false)));
    assert_eq!(style("q_tsv"), (json!("form"), json!(false)));
    assert_eq!(style("p_csv"), (json!("simple"), Value::Null));
    assert_eq!(style("h_default"), (json!("simple"), Value::Null));
    assert_eq!(style("h_multi"), (json!("simple"), Value::Null));
    assert_eq!(style("plain"), (Value::Null, Value::Null));
    assert_eq!(
        param(&op, "q_multi")["schema"],
        json!({ "type": "array", "items": { "type": "string" } })
    );
    assert!(param(&op, "q_multi").get("collectionFormat").is_none());
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/5",
        "`tsv`"
    ));
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/8",
        "in header"
    ));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn nested_collection_format_warns() {
    let (op, warnings) = operation(
        "get",
        json!({ "parameters": [{
            "name": "grid", "in": "query", "type": "array",
            "items": { "type": "array", "collectionFormat": "pipes", "items": { "type": "integer" } }
        }] }),
        json!({}),
    );
    assert_eq!(
        param(&op, "grid")["schema"],
        json!({ "type": "array", "items": { "type": "array", "items": { "type": "integer" } } })
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/0/items/collectionFormat",
        "nested"
    ));
}

#[test]
fn parameter_refs_resolve_or_stay_refs_ok() {
    let converted = convert(&doc(
        json!({ "/things/{id}": {
            "parameters": [{ "$ref": "#/parameters/Id" }],
            "post": {
                "consumes": ["application/xml"],
                "parameters": [{ "$ref": "#/parameters/Body" }, { "$ref": "#/parameters/Alias" }, { "$ref": "#/parameters/Gone" }, { "$ref": "common.yaml#/parameters/Shared" }]
            }
        } }),
        json!({ "parameters": {
            "Id": { "name": "id", "in": "path", "required": true, "type": "string" },
            "Body": { "name": "thing", "in": "body", "required": true, "schema": { "$ref": "#/definitions/Thing" } },
            "Alias": { "$ref": "#/parameters/Limit" },
            "Limit": { "name": "limit", "in": "query", "type": "integer" },
            "Form": { "name": "f", "in": "formData", "type": "string" }
        } }),
    ));
    let document = &converted.document;
    let components = &document["components"]["parameters"];
    assert_eq!(keys(components), ["Id", "Alias", "Limit"]);
    assert_eq!(
        components["Alias"],
        json!({ "$ref": "#/components/parameters/Limit" })
    );
    assert_eq!(components["Id"]["schema"], json!({ "type": "string" }));
    let item = &document["paths"]["/things/{id}"];
    assert_eq!(
        item["parameters"],
        json!([{ "$ref": "#/components/parameters/Id" }])
    );
    let op = &item["post"];
    assert_eq!(
        op["parameters"],
        json!([
            { "$ref": "#/components/parameters/Alias" },
            { "$ref": "#/components/parameters/Gone" },
            { "$ref": "common.yaml#/components/parameters/Shared" }
        ])
    );
    assert_eq!(
        op["requestBody"],
        json!({
            "content": { "application/xml": { "schema": { "$ref": "#/components/schemas/Thing" } } },
            "required": true
        })
    );
    assert!(has_warning(
        &converted.warnings,
        "/paths/~1things~1{id}/post/parameters/2",
        "#/parameters/Gone"
    ));
    assert_eq!(converted.warnings.len(), 1, "{:?}", converted.warnings);
}

#[test]
fn parameter_ref_cycle_warns() {
    let converted = convert(&doc(
        json!({ "/a": { "get": { "parameters": [{ "$ref": "#/parameters/A" }] } } }),
        json!({ "parameters": { "A": { "$ref": "#/parameters/B" }, "B": { "$ref": "#/parameters/A" } } }),
    ));
    assert_eq!(
        converted.document["paths"]["/a"]["get"]["parameters"],
        json!([{ "$ref": "#/components/parameters/A" }])
    );
    assert!(has_warning(
        &converted.warnings,
        "/paths/~1a/get/parameters/0",
        "too long"
    ));
}

#[test]
fn path_level_parameters_merge_ok() {
    let converted = convert(&doc(
        json!({ "/things": {
            "x-item": true,
            "parameters": [
                { "name": "trace", "in": "header", "type": "string" },
                { "name": "shared", "in": "body", "schema": { "type": "string" } }
            ],
            "put": { "parameters": [{ "name": "own", "in": "body", "schema": { "type": "integer" } }] },
            "post": {}
        }, "/forms": {
            "parameters": [
                { "name": "a", "in": "formData", "type": "string" },
                { "name": "b", "in": "formData", "type": "string" }
            ],
            "patch": { "parameters": [
                { "name": "b", "in": "formData", "type": "integer" },
                { "name": "trace", "in": "header", "type": "string", "required": true }
            ] }
        } }),
        json!({ "parameters": {} }),
    ));
    let item = &converted.document["paths"]["/things"];
    assert_eq!(keys(item), ["x-item", "parameters", "put", "post"]);
    assert_eq!(
        item["parameters"],
        json!([{ "name": "trace", "in": "header", "schema": { "type": "string" } }])
    );
    assert_eq!(
        item["put"]["requestBody"]["content"]["application/json"]["schema"],
        json!({ "type": "integer" })
    );
    assert_eq!(
        item["post"]["requestBody"]["content"]["application/json"]["schema"],
        json!({ "type": "string" })
    );
    let forms = &converted.document["paths"]["/forms"];
    assert!(forms.get("parameters").is_none());
    let patch = &forms["patch"];
    assert_eq!(
        patch["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"],
        json!({ "a": { "type": "string" }, "b": { "type": "integer" } })
    );
    assert_eq!(param(patch, "trace")["required"], true);
    assert!(converted.warnings.is_empty(), "{:?}", converted.warnings);
    // The body of `components.parameters` was empty: no components at all.
    assert!(converted.document.get("components").is_none());
}

#[test]
fn parameter_problems_warn() {
    let (op, warnings) = operation(
        "get",
        json!({ "parameters": [
            { "name": "a", "in": "somewhere", "type": "string" },
            { "in": "query", "type": "string" },
            { "$ref": 7 },
            { "name": "c", "in": "cookie", "type": "string" }
        ] }),
        json!({}),
    );
    assert_eq!(
        op["parameters"],
        json!([{ "name": "c", "in": "cookie", "schema": { "type": "string" } }])
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/0",
        "in: somewhere"
    ));
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/1",
        "no string `name`"
    ));
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/parameters/2",
        "must be a string"
    ));
}

// --- responses ---

#[test]
fn responses_become_content_ok() {
    let (op, warnings) = operation(
        "get",
        json!({
            "produces": ["application/json", "application/xml"],
            "responses": {
                "200": {
                    "description": "The things.",
                    "schema": { "type": "array", "items": { "$ref": "#/definitions/Thing" } },
                    "headers": {
                        "X-Rate-Limit": { "type": "integer", "format": "int32", "description": "Calls per hour." },
                        "X-Ids": { "type": "array", "items": { "type": "integer" }, "collectionFormat": "pipes" }
                    },
                    "examples": { "application/json": [{ "id": 1 }], "text/csv": "id\n1" },
                    "x-resp": 1
                },
                "404": { "description": "Not found." },
                "default": { "$ref": "#/responses/Error" },
                "x-codes": "kept"
            }
        }),
        json!({ "produces": ["text/plain"], "responses": { "Error": { "description": "Error." } } }),
    );
    let schema = json!({ "type": "array", "items": { "$ref": "#/components/schemas/Thing" } });
    assert_eq!(
        op["responses"],
        json!({
            "200": {
                "description": "The things.",
                "content": {
                    "application/json": { "schema": schema, "example": [{ "id": 1 }] },
                    "application/xml": { "schema": schema }
                },
                "headers": {
                    "X-Rate-Limit": { "description": "Calls per hour.", "schema": { "type": "integer", "format": "int32" } },
                    "X-Ids": { "style": "simple", "schema": { "type": "array", "items": { "type": "integer" } } }
                },
                "x-resp": 1
            },
            "404": { "description": "Not found." },
            "default": { "$ref": "#/components/responses/Error" },
            "x-codes": "kept"
        })
    );
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/responses/200/examples/text~1csv",
        "example dropped"
    ));
    assert!(has_warning(
        &warnings,
        "/paths/~1things/get/responses/200/headers/X-Ids",
        "csv"
    ));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn responses_use_document_produces_then_json_ok() {
    let op =
        json!({ "responses": { "200": { "description": "ok", "schema": { "type": "string" } } } });
    let (converted, _) = operation("get", op.clone(), json!({ "produces": ["text/plain"] }));
    assert_eq!(
        keys(&converted["responses"]["200"]["content"]),
        ["text/plain"]
    );
    let (converted, _) = operation("get", op, json!({}));
    assert_eq!(
        keys(&converted["responses"]["200"]["content"]),
        ["application/json"]
    );
}

#[test]
fn response_without_description_gets_empty_one() {
    let (op, _) = operation("get", json!({ "responses": { "204": {} } }), json!({}));
    assert_eq!(op["responses"]["204"], json!({ "description": "" }));
}

#[test]
fn shared_responses_convert_ok() {
    let converted = convert(&doc(
        json!({ "/a": { "get": {
            "produces": ["application/xml"],
            "responses": { "400": { "$ref": "#/responses/Bad" } }
        } } }),
        json!({
            "produces": ["application/json"],
            "responses": { "Bad": { "description": "Bad.", "schema": { "$ref": "#/definitions/Error" } } }
        }),
    ));
    assert_eq!(
        converted.document["components"]["responses"]["Bad"],
        json!({
            "description": "Bad.",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
        })
    );
    assert!(has_warning(
        &converted.warnings,
        "/paths/~1a/get/responses/400",
        "document's produces"
    ));
}

// --- schemas and refs ---

#[test]
fn refs_rewritten_deep_in_schemas_ok() {
    let converted = convert(&doc(
        json!({}),
        json!({ "definitions": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "$ref": { "type": "string" },
                    "owner": { "$ref": "#/definitions/Person" },
                    "tags": { "type": "array", "items": { "$ref": "#/definitions/Tag" } },
                    "extra": { "additionalProperties": { "$ref": "#/definitions/Value" } },
                    "either": { "allOf": [{ "$ref": "other.yaml#/definitions/Base" }, { "not": { "$ref": "#/definitions/No" } }] },
                    "outside": { "$ref": "https://example.com/s.json#/definitions/X/properties/y" },
                    "plain": { "$ref": "common.yaml" },
                    "elsewhere": { "$ref": "#/paths/~1a" },
                    "unknown": { "somethingNew": { "deep": { "$ref": "#/definitions/Deep" } } }
                },
                "example": { "$ref": "#/definitions/NotARef" },
                "x-ext": { "$ref": "#/definitions/Untouched" }
            }
        } }),
    ));
    let pet = &converted.document["components"]["schemas"]["Pet"];
    let props = &pet["properties"];
    assert_eq!(props["$ref"], json!({ "type": "string" }));
    assert_eq!(props["owner"]["$ref"], "#/components/schemas/Person");
    assert_eq!(props["tags"]["items"]["$ref"], "#/components/schemas/Tag");
    assert_eq!(
        props["extra"]["additionalProperties"]["$ref"],
        "#/components/schemas/Value"
    );
    assert_eq!(
        props["either"]["allOf"][0]["$ref"],
        "other.yaml#/components/schemas/Base"
    );
    assert_eq!(
        props["either"]["allOf"][1]["not"]["$ref"],
        "#/components/schemas/No"
    );
    assert_eq!(
        props["outside"]["$ref"],
        "https://example.com/s.json#/components/schemas/X/properties/y"
    );
    assert_eq!(props["plain"]["$ref"], "common.yaml");
    assert_eq!(props["elsewhere"]["$ref"], "#/paths/~1a");
    assert_eq!(
        props["unknown"]["somethingNew"]["deep"]["$ref"],
        "#/components/schemas/Deep"
    );
    assert_eq!(pet["example"]["$ref"], "#/definitions/NotARef");
    assert_eq!(pet["x-ext"]["$ref"], "#/definitions/Untouched");
    assert_eq!(pet["required"], json!(["name"]));
}

#[test]
fn rewrite_ref_cases_ok() {
    assert_eq!(rewrite_ref("#/definitions/A"), "#/components/schemas/A");
    assert_eq!(rewrite_ref("#/parameters/A"), "#/components/parameters/A");
    assert_eq!(rewrite_ref("#/responses/A"), "#/components/responses/A");
    assert_eq!(
        rewrite_ref("x.yaml#/responses/A"),
        "x.yaml#/components/responses/A"
    );
    assert_eq!(rewrite_ref("#/definitions"), "#/definitions");
    assert_eq!(
        rewrite_ref("#/components/schemas/A"),
        "#/components/schemas/A"
    );
    assert_eq!(rewrite_ref("Pet.json"), "Pet.json");
    assert_eq!(rewrite_ref(""), "");
}

#[test]
fn path_item_ref_rewritten_ok() {
    let converted = convert(&doc(
        json!({ "/a": { "$ref": "paths.yaml#/definitions/A", "trace": {} } }),
        json!({}),
    ));
    assert_eq!(
        converted.document["paths"]["/a"],
        json!({ "$ref": "paths.yaml#/components/schemas/A" })
    );
    assert!(has_warning(
        &converted.warnings,
        "/paths/~1a/trace",
        "dropped"
    ));
}

#[test]
fn file_nullable_discriminator_ok() {
    let converted = convert(&doc(
        json!({ "/a": { "get": { "produces": ["application/octet-stream"], "responses": {
            "200": { "description": "The file.", "schema": { "type": "file", "format": "byte" } }
        } } } }),
        json!({ "definitions": {
            "Animal": {
                "type": "object",
                "discriminator": "kind",
                "properties": {
                    "kind": { "type": "string" },
                    "nick": { "type": "string", "x-nullable": true },
                    "odd": { "x-nullable": "yes" },
                    "photo": { "type": "file" }
                }
            },
            "Broken": { "discriminator": 3 }
        } }),
    ));
    let document = &converted.document;
    assert_eq!(
        document["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/octet-stream"]["schema"],
        json!({ "type": "string", "format": "binary" })
    );
    let animal = &document["components"]["schemas"]["Animal"];
    assert_eq!(animal["discriminator"], json!({ "propertyName": "kind" }));
    assert_eq!(
        animal["properties"]["nick"],
        json!({ "type": "string", "nullable": true })
    );
    assert_eq!(animal["properties"]["odd"], json!({ "x-nullable": "yes" }));
    assert_eq!(
        animal["properties"]["photo"],
        json!({ "type": "string", "format": "binary" })
    );
    assert_eq!(document["components"]["schemas"]["Broken"], json!({}));
    assert!(has_warning(
        &converted.warnings,
        "/definitions/Broken/discriminator",
        "dropped"
    ));
}

#[test]
fn deep_schema_is_bounded() {
    let mut schema = json!({ "$ref": "#/definitions/Leaf" });
    for _ in 0..300 {
        schema = json!({ "type": "array", "items": schema });
    }
    let converted = convert(&doc(
        json!({}),
        json!({ "definitions": { "Deep": schema } }),
    ));
    assert!(
        converted
            .warnings
            .iter()
            .any(|w| w.contains("nested too deeply"))
    );
}

// --- security ---

#[test]
fn security_definitions_map_ok() {
    let converted = convert(&doc(
        json!({ "/a": { "get": { "security": [{ "basic": [] }, { "oauth": ["read"] }] } } }),
        json!({
            "securityDefinitions": {
                "basic": { "type": "basic", "description": "Basic." },
                "key": { "type": "apiKey", "name": "api_key", "in": "header", "x-ext": 1 },
                "implicit": { "type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a/auth", "scopes": { "read": "Read." } },
                "password": { "type": "oauth2", "flow": "password", "tokenUrl": "https://a/token", "scopes": {} },
                "app": { "type": "oauth2", "flow": "application", "tokenUrl": "https://a/token" },
                "code": { "type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": { "w": "Write." } },
                "weird": { "type": "oauth2", "flow": "device" },
                "other": { "type": "mutualTLS" },
                "bad": 3
            },
            "security": [{ "key": [] }]
        }),
    ));
    let schemes = &converted.document["components"]["securitySchemes"];
    assert_eq!(
        keys(schemes),
        ["basic", "key", "implicit", "password", "app", "code"]
    );
    assert_eq!(
        schemes["basic"],
        json!({ "type": "http", "scheme": "basic", "description": "Basic." })
    );
    assert_eq!(
        schemes["key"],
        json!({ "type": "apiKey", "name": "api_key", "in": "header", "x-ext": 1 })
    );
    assert_eq!(
        schemes["implicit"],
        json!({ "type": "oauth2", "flows": { "implicit": { "authorizationUrl": "https://a/auth", "scopes": { "read": "Read." } } } })
    );
    assert_eq!(
        schemes["password"]["flows"],
        json!({ "password": { "tokenUrl": "https://a/token", "scopes": {} } })
    );
    assert_eq!(
        schemes["app"]["flows"],
        json!({ "clientCredentials": { "tokenUrl": "https://a/token", "scopes": {} } })
    );
    assert_eq!(
        schemes["code"]["flows"],
        json!({ "authorizationCode": { "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": { "w": "Write." } } })
    );
    assert_eq!(converted.document["security"], json!([{ "key": [] }]));
    assert_eq!(
        converted.document["paths"]["/a"]["get"]["security"],
        json!([{ "basic": [] }, { "oauth": ["read"] }])
    );
    let warnings = &converted.warnings;
    assert!(has_warning(
        warnings,
        "/securityDefinitions/weird",
        "`device`"
    ));
    assert!(has_warning(
        warnings,
        "/securityDefinitions/other",
        "`mutualTLS`"
    ));
    assert!(has_warning(
        warnings,
        "/securityDefinitions/bad",
        "must be an object"
    ));
}

// --- robustness ---

/// Replaces every node of `value`, one at a time, with each of a few odd values, and converts.
#[test]
fn mutated_documents_never_panic() {
    let base: Value = serde_json::from_str(PETSTORE).expect("petstore parses");
    let odd = [
        json!(null),
        json!(1),
        json!("x"),
        json!([]),
        json!({}),
        json!([{}]),
        json!({ "$ref": "#/parameters/x" }),
    ];
    let mut pointers = Vec::new();
    collect_pointers(&base, String::new(), &mut pointers);
    let mut runs = 0;
    for at in pointers.iter().step_by(3) {
        for replacement in &odd {
            let mut mutated = base.clone();
            if let Some(slot) = mutated.pointer_mut(at) {
                *slot = replacement.clone();
                let _ = to_openapi3(&mutated);
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "{runs}");
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                collect_pointers(child, pointer(&at, key), out);
            }
        }
        Value::Array(list) => {
            for (index, child) in list.iter().enumerate() {
                collect_pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

// --- the petstore fixture ---

#[test]
fn petstore_converts_ok() {
    let input: Value = serde_json::from_str(PETSTORE).expect("petstore parses");
    let converted = convert(&input);
    assert!(converted.warnings.is_empty(), "{:?}", converted.warnings);
    let document = &converted.document;
    assert_eq!(document["openapi"], "3.0.3");
    assert_eq!(
        document["servers"],
        json!([{ "url": "https://petstore.swagger.io/v2" }, { "url": "http://petstore.swagger.io/v2" }])
    );
    assert_eq!(keys(&document["paths"]), keys(&input["paths"]));

    let add = &document["paths"]["/pet"]["post"];
    assert_eq!(
        keys(&add["requestBody"]["content"]),
        ["application/json", "application/xml"]
    );
    assert_eq!(add["requestBody"]["required"], true);
    assert_eq!(
        add["requestBody"]["content"]["application/xml"]["schema"],
        json!({ "$ref": "#/components/schemas/Pet" })
    );
    assert_eq!(
        keys(&add["responses"]["200"]["content"]),
        ["application/json", "application/xml"]
    );
    assert!(add["responses"]["405"].get("content").is_none());
    assert!(
        add.get("consumes").is_none()
            && add.get("produces").is_none()
            && add.get("parameters").is_none()
    );

    let upload = &document["paths"]["/pet/{petId}/uploadImage"]["post"];
    let multipart = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(
        keys(&upload["requestBody"]["content"]),
        ["multipart/form-data"]
    );
    assert_eq!(multipart["properties"]["file"]["format"], "binary");
    assert_eq!(
        param(upload, "petId")["schema"],
        json!({ "type": "integer", "format": "int64" })
    );

    let update = &document["paths"]["/pet/{petId}"]["post"];
    assert_eq!(
        keys(&update["requestBody"]["content"]),
        ["application/x-www-form-urlencoded"]
    );

    let by_status = param(&document["paths"]["/pet/findByStatus"]["get"], "status");
    assert_eq!(
        (by_status["style"].clone(), by_status["explode"].clone()),
        (json!("form"), json!(true))
    );
    let by_tags = param(&document["paths"]["/pet/findByTags"]["get"], "tags");
    assert_eq!(
        (by_tags["style"].clone(), by_tags["explode"].clone()),
        (json!("form"), json!(false))
    );

    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(
        schemes["api_key"],
        json!({ "type": "apiKey", "name": "api_key", "in": "header" })
    );
    assert_eq!(
        schemes["petstore_auth"]["flows"]["implicit"]["authorizationUrl"],
        "https://petstore.swagger.io/oauth/authorize"
    );
    assert!(document["components"]["schemas"]["Pet"].is_object());
    let text = serde_json::to_string(document).expect("serializes");
    assert!(
        !text.contains("#/definitions/"),
        "a ref was left unconverted"
    );
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            for (code, response) in op["responses"].as_object().into_iter().flatten() {
                assert!(
                    response.get("description").is_some(),
                    "{path} {method} {code}"
                );
                assert!(response.get("schema").is_none(), "{path} {method} {code}");
            }
        }
    }
}
