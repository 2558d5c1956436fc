//! The web interface's tests: HTTP-level checks of its security properties,
//! and the whole interface walked in a real headless Chromium.

mod browser;
mod catalogue;
mod declarations;
mod http;
mod operations;
mod policies;
mod profile;
mod requests;
mod stewards;
mod support;
mod targets;
mod walks;
