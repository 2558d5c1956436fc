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
