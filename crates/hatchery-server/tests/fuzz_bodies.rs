//! The API's JSON request bodies fuzzed on the stable toolchain: each body
//! type the routes take, fed through the server's own `Json` extractor
//! (the one every handler uses) with valid bodies damaged the ways a
//! careless or hostile client sends them, JSON of every shape keyed by the
//! body's own field names, and arbitrary bytes. A body is taken or refused
//! in the API's one error shape with a 4xx status, a code and a message that
//! says where in the body the problem is (line and column); never a panic.
//!
//! `HATCHERY_FUZZ_CASES=100000 cargo test -p hatchery-server
//! --test fuzz_bodies` is the long run (`docs/SECURITY.md`).

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use axum::body::{Body, to_bytes};
use axum::extract::FromRequest;
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse;
use hatchery_core::Dataset;
use hatchery_fuzz::{config, mutate, mutations, odd_json};
use hatchery_server::extract::Json;
use hatchery_server::routes::{
    accounts, declarations, jurisdictions, notices, pool, quotas, rulesets, session,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How a body came out of the extractor.
type Outcome = Result<(), (StatusCode, Value)>;
type Extract = fn(Vec<u8>) -> Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// One body type: a valid body, its fields, and its extractor.
struct BodyType {
    name: &'static str,
    valid: &'static str,
    keys: &'static [&'static str],
    extract: Extract,
}

impl std::fmt::Debug for BodyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn extract<T: DeserializeOwned + Send + 'static>(
    bytes: Vec<u8>,
) -> Pin<Box<dyn Future<Output = Outcome> + Send>> {
    Box::pin(async move {
        let request = Request::post("/")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(bytes))
            .expect("a request");
        match Json::<T>::from_request(request, &()).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let response = error.into_response();
                let status = response.status();
                let body = to_bytes(response.into_body(), usize::MAX)
                    .await
                    .expect("the error body");
                Err((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
            }
        }
    })
}

macro_rules! body_type {
    ($type:ty, $valid:expr, [$($key:literal),* $(,)?]) => {
        BodyType {
            name: stringify!($type),
            valid: $valid,
            keys: &[$($key),*],
            extract: extract::<$type>,
        }
    };
}

const DATASET: &str = r#"{"enterprises":[{"id":"alpha","name":"Alpha","name_en":null,"uscc":"914403001922038216","founded":"2020-02-29","country":"CN","region":"440305","city":null,"zone":null,"industries":["ai"],"tags":[]}],"events":[{"enterprise":"alpha","date":"2024-01-31","kind":"valuation","round":null,"amount":null,"valuation":"700000000.50","currency":"CNY","investors":null,"exchange":null,"region":null,"source":null}],"fx":[{"date":"2023-12-29","currency":"CNY","per_usd":"7.0827"}],"financials":[{"enterprise":"alpha","year":2023,"currency":"CNY","revenue":"1000","rd_expense":null,"employees":12}]}"#;

static BODY_TYPES: LazyLock<Vec<BodyType>> = LazyLock::new(|| {
    vec![
        body_type!(
            accounts::CreateAccount,
            r#"{"username":"li.wei","display_name":"李伟","role":"province_reviewer","jurisdiction":"440000","enterprise":null,"password":"correct horse battery"}"#,
            [
                "username",
                "display_name",
                "role",
                "jurisdiction",
                "enterprise",
                "password"
            ]
        ),
        body_type!(
            accounts::UpdateAccount,
            r#"{"version":3,"display_name":"Li Wei","disabled":false,"password":null}"#,
            ["version", "display_name", "disabled", "password"]
        ),
        body_type!(
            jurisdictions::CreateZone,
            r#"{"id":"zgc","name":"中关村","kind":"high_tech","city":"110100","district":"110108","aliases":["Zhongguancun"]}"#,
            ["id", "name", "kind", "city", "district", "aliases"]
        ),
        body_type!(
            jurisdictions::UpdateZone,
            r#"{"version":1,"name":"中关村科技园区","kind":null,"city":null,"district":"","aliases":[]}"#,
            ["version", "name", "kind", "city", "district", "aliases"]
        ),
        body_type!(
            notices::LodgeObjection,
            r#"{"version":7,"reason":"估值数据有误"}"#,
            ["version", "reason"]
        ),
        body_type!(pool::Reevaluate, r#"{"as_of":"2025-12-31"}"#, ["as_of"]),
        body_type!(
            pool::DecideProposal,
            r#"{"version":2,"accept":true,"reason":null}"#,
            ["version", "accept", "reason"]
        ),
        body_type!(
            declarations::CreateDeclaration,
            r#"{"enterprise":"alpha","cycle":2025,"tier":"potential","rule_set":"gei","rule_set_version":null,"summary":"","contact_name":"王芳","contact_phone":"+86 755 1234 5678"}"#,
            [
                "enterprise",
                "cycle",
                "tier",
                "rule_set",
                "rule_set_version",
                "summary",
                "contact_name",
                "contact_phone"
            ]
        ),
        body_type!(
            declarations::EditDeclaration,
            r#"{"version":1,"summary":"新的说明","contact_name":null,"contact_phone":null}"#,
            ["version", "summary", "contact_name", "contact_phone"]
        ),
        body_type!(
            declarations::ActionRequest,
            r#"{"version":4,"action":"resolve_objection","reason":"已核实","objection":1,"upheld":false}"#,
            ["version", "action", "reason", "objection", "upheld"]
        ),
        body_type!(
            rulesets::AddRuleSet,
            r#"{"source":"key = \"x\"\nversion = \"1\"\ntitle = \"x\"\ntitle_en = \"x\"\n[[tiers]]\nkey = \"a\"\nname = \"a\"\nname_en = \"a\"\nwhen = [{ exists = true }]\n"}"#,
            ["source"]
        ),
        body_type!(
            session::LoginRequest,
            r#"{"username":"admin","password":"correct horse battery staple"}"#,
            ["username", "password"]
        ),
        body_type!(
            session::PasswordChange,
            r#"{"current_password":"correct horse battery staple","new_password":"another long passphrase"}"#,
            ["current_password", "new_password"]
        ),
        body_type!(
            session::TokenRequest,
            r#"{"name":"nightly export","days":30}"#,
            ["name", "days"]
        ),
        body_type!(quotas::SetQuota, r#"{"limit":40}"#, ["limit"]),
        body_type!(
            Dataset,
            DATASET,
            [
                "enterprises",
                "events",
                "fx",
                "financials",
                "id",
                "name",
                "founded",
                "country",
                "region",
                "uscc",
                "industries",
                "tags",
                "enterprise",
                "date",
                "kind",
                "valuation",
                "amount",
                "currency",
                "exchange",
                "per_usd",
                "year",
                "revenue",
                "employees",
            ]
        ),
    ]
});

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

fn body_type() -> impl Strategy<Value = &'static BodyType> {
    any::<Index>().prop_map(|i| &BODY_TYPES[i.index(BODY_TYPES.len())])
}

/// Feeds `bytes` to the type's extractor and checks the outcome.
fn check(body: &BodyType, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let Err((status, error)) = RUNTIME.block_on((body.extract)(bytes)) else {
        return Ok(());
    };
    prop_assert!(
        [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
        "{}: refused with {status}: {error}",
        body.name
    );
    let code = error["error"]["code"].as_str().unwrap_or_default();
    let message = error["error"]["message"].as_str().unwrap_or_default();
    prop_assert!(!code.is_empty(), "{}: no error code in {error}", body.name);
    prop_assert!(
        message.contains(" line ") && message.contains(" column "),
        "{}: the message does not say where: {message}",
        body.name
    );
    Ok(())
}

#[test]
fn every_valid_body_is_taken() {
    for body in BODY_TYPES.iter() {
        let taken = RUNTIME.block_on((body.extract)(body.valid.as_bytes().to_vec()));
        assert_eq!(taken, Ok(()), "{}", body.name);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn damaged_bodies(body in body_type(), mutations in mutations(4)) {
        check(body, mutate(body.valid.as_bytes(), &mutations, b','))?;
    }

    #[test]
    fn bodies_of_every_shape(
        (body, value) in body_type().prop_flat_map(|body| (Just(body), odd_json(body.keys))),
    ) {
        check(body, serde_json::to_vec(&value).expect("JSON"))?;
    }

    #[test]
    fn valid_bodies_with_one_field_changed(
        (body, key, value) in body_type().prop_flat_map(|body| (
            Just(body),
            proptest::sample::select(body.keys),
            odd_json(body.keys),
        )),
    ) {
        let mut valid: Value = serde_json::from_str(body.valid).expect("a valid body");
        if let Some(object) = valid.as_object_mut() {
            object.insert(key.to_owned(), value);
        }
        check(body, serde_json::to_vec(&valid).expect("JSON"))?;
    }

    #[test]
    fn arbitrary_bytes(body in body_type(), bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(body, bytes)?;
    }
}
