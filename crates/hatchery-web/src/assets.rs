//! The stylesheet, the script and ECharts, compiled into the binary: the
//! pages work offline, on an intranet, with nothing fetched from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file: its name under `/static/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "site.css",
        media_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/site.css"),
    },
    Asset {
        name: "site.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/site.js"),
    },
    Asset {
        name: "charts.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/charts.js"),
    },
    // Apache ECharts, vendored once for the report (see its LICENSE there).
    Asset {
        name: "echarts.min.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../hatchery-report/assets/echarts.min.js"),
    },
];

/// `GET /static/{file}`: an embedded file, cached for a day.
pub async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(asset) => {
            let mut response = asset.bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.media_type),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
