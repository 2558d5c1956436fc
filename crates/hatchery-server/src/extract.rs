//! Extractors whose rejections speak the API's one error shape, and the
//! pagination every list shares.

use axum::extract::FromRequest;
use axum::response::{IntoResponse, Response};
use hatchery_store::workflow::Page;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// A JSON body (`Content-Type: application/json`; unknown fields refused
/// where the type says so), or a JSON response.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The window of a list asked for by `page` (from 1) and `per_page`
/// (default 50, at most `max`).
pub fn page_window(page: Option<u64>, per_page: Option<u64>, max: u64) -> Result<Page, ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(50.min(max));
    if page == 0 {
        return Err(ApiError::bad_request("invalid_query", "pages count from 1"));
    }
    if per_page == 0 || per_page > max {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("per_page is 1 to {max}"),
        ));
    }
    Ok(Page {
        offset: (page - 1).saturating_mul(per_page),
        limit: per_page,
    })
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Paged<T> {
    /// Wraps a window of `total` items.
    pub fn new(items: Vec<T>, total: u64, window: Page) -> Self {
        Self {
            items,
            total,
            page: window.offset / window.limit.max(1) + 1,
            per_page: window.limit,
        }
    }
}
