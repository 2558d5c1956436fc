//! The OpenAPI document is a contract: snapshot it whole.

use crate::helpers::TestApp;

#[test]
fn the_openapi_document_is_stable() {
    let document = hatchery_server::openapi();
    insta::assert_json_snapshot!("openapi", document);
}

#[tokio::test]
async fn the_served_document_is_the_generated_one_and_covers_every_route() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let served = app
        .get("/api/openapi.json", &crate::helpers::Auth::None)
        .await
        .expect(200)
        .json();
    let generated = serde_json::to_value(hatchery_server::openapi()).unwrap();
    assert_eq!(served, generated);
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = served["paths"].as_object().unwrap();
    for path in [
        "/api/session",
        "/api/accounts/{id}",
        "/api/enterprises/{id}/tier",
        "/api/declarations/{id}/actions",
        "/api/declarations/{id}/evidence",
        "/api/notices/{id}/objections",
        "/api/pool/reevaluations",
        "/api/pool/proposals/{id}/decision",
        "/api/audit/verify",
        "/api/targets",
        "/api/targets/{id}/progress",
        "/health/ready",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    // Every operation documents its error responses with the one shape.
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            if path.starts_with("/api/") {
                assert!(
                    responses.keys().any(|code| code.starts_with('4')),
                    "{method} {path} documents no 4xx"
                );
            }
            assert!(
                operation["description"].is_string() || operation["summary"].is_string(),
                "{method} {path} is described"
            );
        }
    }
}

/// The values of a closed set as the document lists them: a string `enum`,
/// or (when its values are described one by one) a `oneOf` of them.
fn values(document: &serde_json::Value, schema: &str) -> Vec<String> {
    let schema = &document["components"]["schemas"][schema];
    let strings = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    match schema["oneOf"].as_array() {
        Some(variants) => variants.iter().flat_map(|v| strings(&v["enum"])).collect(),
        None => strings(&schema["enum"]),
    }
}

#[test]
fn closed_sets_are_listed_with_their_values() {
    use hatchery_core::workflow::{ActionKind, DeclarationState, Role};
    let document = serde_json::to_value(hatchery_server::openapi()).unwrap();
    let keys = |all: &[&str]| all.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        values(&document, "Role"),
        keys(&Role::ALL.map(Role::as_str))
    );
    assert_eq!(
        values(&document, "DeclarationState"),
        keys(&DeclarationState::ALL.map(DeclarationState::as_str))
    );
    assert_eq!(
        values(&document, "ActionKind"),
        keys(&ActionKind::ALL.map(ActionKind::as_str))
    );
    assert_eq!(
        values(&document, "MemberStatus"),
        keys(&["active", "exited", "superseded"])
    );
    assert_eq!(
        values(&document, "ProposalStatus"),
        keys(&["pending", "accepted", "dismissed"])
    );
    assert_eq!(
        values(&document, "ZoneKind"),
        keys(&["high_tech", "economic_development"])
    );
    // The views and the query parameters name them instead of a bare string.
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["AccountView"]["properties"]["role"]["$ref"],
        "#/components/schemas/Role"
    );
    assert_eq!(
        schemas["DeclarationView"]["properties"]["state"]["$ref"],
        "#/components/schemas/DeclarationState"
    );
    let parameters = document["paths"]["/api/declarations"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let state = parameters.iter().find(|p| p["name"] == "state").unwrap();
    assert!(
        state["schema"].to_string().contains("DeclarationState"),
        "{state}"
    );
}
