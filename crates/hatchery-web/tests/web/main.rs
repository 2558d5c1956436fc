//! The web interface's tests: HTTP-level checks of its security properties,
//! and the whole interface walked in a real headless Chromium.

mod browser;
mod declarations;
mod http;
mod operations;
mod requests;
mod support;
mod walks;
