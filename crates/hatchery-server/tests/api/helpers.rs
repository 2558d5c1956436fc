//! The test application: a fresh database per test (a temp-file SQLite
//! database in the `api` binary, a PostgreSQL database of its own in
//! `api_postgres`: the same tests, see `crate::BACKEND`), a clock the test
//! moves, the real router driven in process, and a method per thing a user
//! does.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use hatchery_postgres::testing::{TestDatabase, fresh_database};
use hatchery_server::admin::{NewUser, create_account};
use hatchery_server::settings::Argon2Settings;
use hatchery_server::{AppState, Backend, ManualClock, Settings, router};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use sqlx::Connection;
use tempfile::TempDir;
use tower::ServiceExt;

/// Passwords every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// The password an administrator gives a new account; its owner replaces it
/// with [`PASSWORD`] at the first sign-in.
pub const INITIAL_PASSWORD: &str = "given by the administrator";

/// Monday 3 March 2025, 09:00 in Beijing.
pub const START: &str = "2025-03-03T01:00:00Z";

/// Argon2 costs low enough for tests that create many accounts.
pub fn cheap_argon2() -> Argon2Settings {
    Argon2Settings {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    }
}

/// Settings for tests: cheap hashing, no ledger refresh delay.
pub fn test_settings() -> Settings {
    let mut settings = Settings::default();
    settings.auth.argon2 = cheap_argon2();
    settings.auth.cookie_secure = false;
    settings.ledger.refresh_seconds = 0;
    // Tests travel years ahead; their API tokens should last the journey.
    settings.auth.token_days = 3650;
    settings
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The error code of an error response.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Fails unless the status is `expected`, showing the body.
    #[track_caller]
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        self
    }

    /// Fails unless this is an error of `status` and `code` in the one shape.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let this = self.expect(status);
        let body = this.json();
        assert_eq!(body["error"]["code"], code, "body: {body}");
        assert!(body["error"]["message"].is_string(), "body: {body}");
        this
    }
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(String),
    /// Session cookie and the CSRF token to send (or not) with it.
    Session {
        cookie: String,
        csrf: Option<String>,
    },
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub token: String,
}

impl User {
    pub fn auth(&self) -> Auth {
        Auth::Bearer(self.token.clone())
    }
}

/// Which database a test binary runs its tests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "each test binary names one")]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// A test's own database, removed when the test ends.
pub enum TestDb {
    Sqlite { url: String, _dir: TempDir },
    Postgres(TestDatabase),
}

impl TestDb {
    /// A fresh, empty database of the binary's backend; `None` when that is
    /// PostgreSQL and no server can be reached (and none is required).
    pub async fn fresh() -> Option<Self> {
        match crate::BACKEND {
            BackendKind::Sqlite => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}", dir.path().join("hatchery.db").display());
                Some(Self::Sqlite { url, _dir: dir })
            }
            BackendKind::Postgres => fresh_database().await.map(Self::Postgres),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } => url,
            Self::Postgres(database) => database.url(),
        }
    }

    /// Opens (and migrates) the database as `hatchery serve` does.
    pub async fn open(&self) -> Arc<dyn Backend> {
        hatchery_server::open_backend(&hatchery_server::DatabaseUrl::new(self.url()))
            .await
            .expect("the database opens")
    }

    /// A connection of its own, behind the application's back.
    pub async fn connect(&self) -> Result<sqlx::AnyConnection, sqlx::Error> {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(self.url()).await
    }

    /// Runs SQL straight on the database, behind the application's back.
    pub async fn execute(&self, statements: &[&str]) {
        let mut conn = self.connect().await.expect("a connection");
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        conn.close().await.expect("closed");
    }

    /// Runs one statement straight on the database, returning its error.
    pub async fn try_execute(&self, statement: &str) -> Result<(), sqlx::Error> {
        let mut conn = self.connect().await?;
        sqlx::query(statement).execute(&mut conn).await?;
        conn.close().await
    }

    /// One whole number a query returns.
    pub async fn fetch_i64(&self, query: &str) -> i64 {
        let mut conn = self.connect().await.expect("a connection");
        let (value,): (i64,) = sqlx::query_as(query)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        value
    }

    /// The statements that make the audit log refuse every new entry, as a
    /// full disk or a failing database would.
    pub fn refuse_audit_inserts(&self) -> &'static [&'static str] {
        match self {
            Self::Sqlite { .. } => &[
                "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON wf_audit \
                 BEGIN SELECT RAISE(ABORT, 'the log refuses entries'); END",
            ],
            Self::Postgres(_) => &[
                "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'the log refuses entries'; END $$",
                "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON wf_audit \
                 FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()",
            ],
        }
    }

    /// The statements that remove the audit log's insert-only guard.
    pub fn drop_audit_guards(&self) -> &'static [&'static str] {
        match self {
            Self::Sqlite { .. } => &[
                "DROP TRIGGER wf_audit_no_update",
                "DROP TRIGGER wf_audit_no_delete",
            ],
            Self::Postgres(_) => &["DROP TRIGGER wf_audit_no_update ON wf_audit"],
        }
    }
}

/// One test's application.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub admin: User,
    pub db: TestDb,
}

impl TestApp {
    /// A new application on an empty database, with a first ministry
    /// administrator created the way the command line does it.
    /// `None` when the binary's backend cannot be reached (see [`TestDb`]).
    pub async fn spawn() -> Option<Self> {
        Self::spawn_with(test_settings()).await
    }

    pub async fn spawn_with(settings: Settings) -> Option<Self> {
        // Server errors are logged, never sent: show them in failing tests.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("hatchery_server=warn")
            .with_test_writer()
            .try_init();
        let test_db = TestDb::fresh().await?;
        let db = test_db.open().await;
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        hatchery_server::service::seed_shipped_zones(
            db.as_ref(),
            &hatchery_server::startup::system(clock.as_ref(), "seed"),
        )
        .await
        .expect("zones seed");
        create_account(
            db.as_ref(),
            clock.as_ref(),
            cheap_argon2(),
            NewUser {
                username: "admin".into(),
                display_name: "部管理员".into(),
                role: "ministry_admin".into(),
                jurisdiction: "CN".into(),
                enterprise: None,
                password: PASSWORD.into(),
            },
        )
        .await
        .expect("the first administrator");
        let state = AppState::new(settings, db, clock.clone())
            .await
            .expect("the state");
        let mut app = Self {
            router: router(state.clone()),
            state,
            clock,
            admin: User {
                id: 0,
                token: String::new(),
            },
            db: test_db,
        };
        app.admin = app.sign_in_with_token("admin").await;
        Some(app)
    }

    /// Sends a request through the router.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            Auth::Session { cookie, csrf } => {
                request = request.header(header::COOKIE, format!("hatchery_session={cookie}"));
                if let Some(csrf) = csrf {
                    request = request.header("x-csrf-token", csrf);
                }
            }
        }
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&value).unwrap())
            }
            None => Body::empty(),
        };
        self.raw(request.body(body).unwrap()).await
    }

    /// Sends a request built by the test.
    pub async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            bytes,
        }
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.send(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> Reply {
        self.send(Method::POST, path, auth, Some(body)).await
    }

    pub async fn patch(&self, path: &str, auth: &Auth, body: Value) -> Reply {
        self.send(Method::PATCH, path, auth, Some(body)).await
    }

    /// Signs in with a password: the session cookie and CSRF token.
    pub async fn sign_in(&self, username: &str) -> (String, String) {
        let reply = self
            .post(
                "/api/session",
                &Auth::None,
                json!({ "username": username, "password": PASSWORD }),
            )
            .await
            .expect(200);
        let cookie = session_cookie(&reply);
        let csrf = reply.json()["csrf_token"].as_str().unwrap().to_owned();
        (cookie, csrf)
    }

    /// Signs in and makes an API token, as a program would.
    pub async fn sign_in_with_token(&self, username: &str) -> User {
        let (cookie, csrf) = self.sign_in(username).await;
        let session = Auth::Session {
            cookie,
            csrf: Some(csrf),
        };
        let me = self.get("/api/session", &session).await.expect(200).json();
        let token = self
            .post("/api/tokens", &session, json!({ "name": "tests" }))
            .await
            .expect(201)
            .json()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        User {
            id: me["account"]["id"].as_i64().unwrap(),
            token,
        }
    }

    /// The administrator creates an account; its owner replaces the initial
    /// password, signs in and gets a token.
    pub async fn user(&self, username: &str, role: &str, jurisdiction: &str) -> User {
        self.post(
            "/api/accounts",
            &self.admin.auth(),
            json!({
                "username": username,
                "display_name": username,
                "role": role,
                "jurisdiction": jurisdiction,
                "password": INITIAL_PASSWORD,
            }),
        )
        .await
        .expect(201);
        self.first_sign_in(username).await;
        self.sign_in_with_token(username).await
    }

    /// An enterprise account for `enterprise`.
    pub async fn enterprise_user(&self, username: &str, enterprise: &str) -> User {
        self.post(
            "/api/accounts",
            &self.admin.auth(),
            json!({
                "username": username,
                "display_name": username,
                "role": "enterprise",
                "enterprise": enterprise,
                "password": INITIAL_PASSWORD,
            }),
        )
        .await
        .expect(201);
        self.first_sign_in(username).await;
        self.sign_in_with_token(username).await
    }

    /// The first sign-in of an account an administrator made: the initial
    /// password is changed to [`PASSWORD`].
    pub async fn first_sign_in(&self, username: &str) {
        let reply = self
            .post(
                "/api/session",
                &Auth::None,
                json!({ "username": username, "password": INITIAL_PASSWORD }),
            )
            .await
            .expect(200);
        assert_eq!(reply.json()["account"]["must_change_password"], true);
        let csrf = reply.json()["csrf_token"].as_str().unwrap().to_owned();
        let cookie = session_cookie(&reply);
        self.post(
            "/api/session/password",
            &Auth::Session {
                cookie,
                csrf: Some(csrf),
            },
            json!({ "current_password": INITIAL_PASSWORD, "new_password": PASSWORD }),
        )
        .await
        .expect(204);
    }

    /// Imports a dataset as the administrator.
    pub async fn import(&self, dataset: Value) -> Value {
        self.post("/api/imports", &self.admin.auth(), dataset)
            .await
            .expect(200)
            .json()
    }

    /// Moves the clock to `instant`.
    pub fn set_time(&self, instant: &str) {
        self.clock.set(instant.parse::<Timestamp>().unwrap());
    }

    /// Moves the clock on by `hours`.
    pub fn advance_hours(&self, hours: i64) {
        self.clock.advance(SignedDuration::from_hours(hours));
    }

    /// A declaration's current version.
    pub async fn version(&self, declaration: i64, auth: &Auth) -> i64 {
        self.get(&format!("/api/declarations/{declaration}"), auth)
            .await
            .expect(200)
            .json()["declaration"]["version"]
            .as_i64()
            .unwrap()
    }

    /// Takes a step on a declaration at its current version.
    pub async fn act(&self, declaration: i64, user: &User, action: Value) -> Reply {
        let version = self.version(declaration, &user.auth()).await;
        let mut body = action;
        body["version"] = json!(version);
        self.post(
            &format!("/api/declarations/{declaration}/actions"),
            &user.auth(),
            body,
        )
        .await
    }

    /// The id of the first high-tech zone of `city`.
    pub async fn zone_of(&self, city: &str) -> (String, String) {
        let zones = self
            .get(
                &format!("/api/zones?city={city}&kind=high_tech"),
                &self.admin.auth(),
            )
            .await
            .expect(200)
            .json();
        let zone = &zones[0];
        (
            zone["id"].as_str().unwrap().to_owned(),
            zone["name"].as_str().unwrap().to_owned(),
        )
    }
}

/// The session secret a sign-in's `Set-Cookie` carries.
pub fn session_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .and_then(|v| v.strip_prefix("hatchery_session="))
        .expect("a session cookie")
        .to_owned()
}

/// An enterprise row of the interchange format, as JSON.
pub fn enterprise(id: &str, name: &str, founded: &str, region: &str, zone: Option<&str>) -> Value {
    json!({
        "id": id, "name": name, "name_en": null, "uscc": null, "founded": founded,
        "country": "CN", "region": region, "city": null, "zone": zone,
        "industries": ["ai"], "tags": [],
    })
}

/// An event row of the interchange format, as JSON.
pub fn event(enterprise: &str, date: &str, kind: &str, fields: Value) -> Value {
    let mut row = json!({
        "enterprise": enterprise, "date": date, "kind": kind, "round": null,
        "amount": null, "valuation": null, "currency": null, "investors": null,
        "exchange": null, "region": null, "source": null,
    });
    for (key, value) in fields.as_object().unwrap() {
        row[key] = value.clone();
    }
    row
}

/// A dataset of enterprises and events.
pub fn dataset(enterprises: Vec<Value>, events: Vec<Value>) -> Value {
    json!({ "enterprises": enterprises, "events": events, "fx": [], "financials": [] })
}

/// A tiny but real PDF header.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// Imports one Shenzhen enterprise `id` with a potential-unicorn valuation.
pub async fn shenzhen_enterprise(app: &TestApp, id: &str) {
    app.import(dataset(
        vec![enterprise(
            id,
            &format!("{id} 有限公司"),
            "2021-06-01",
            "440305",
            None,
        )],
        vec![event(
            id,
            "2022-01-10",
            "funding",
            json!({"amount": "20000000", "valuation": "300000000", "currency": "USD"}),
        )],
    ))
    .await;
}

/// Drafts and submits a complete declaration; returns its id.
pub async fn submitted(app: &TestApp, declarant: &User, enterprise: &str, cycle: i16) -> i64 {
    let id = app
        .post(
            "/api/declarations",
            &declarant.auth(),
            json!({
                "enterprise": enterprise, "cycle": cycle, "tier": "potential",
                "summary": "申报材料", "contact_name": "联系人",
            }),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    app.act(id, declarant, json!({ "action": "submit" }))
        .await
        .expect(200);
    id
}
