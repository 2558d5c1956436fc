//! Database URLs in messages and logs.

/// The URL with its password (in the authority or a `password=` parameter)
/// replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => base.to_owned(),
            },
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    let Some(query) = query else {
        return base;
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://hatch:s3cret@db.example/hatchery"),
            "postgres://hatch:***@db.example/hatchery"
        );
        assert_eq!(
            redact_url("postgres://db/h?user=hatch&password=s3cret&sslmode=require"),
            "postgres://db/h?user=hatch&password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://hatch@db/h"), "postgres://hatch@db/h");
        assert_eq!(
            redact_url("postgres://a:p@ss@db/h"),
            "postgres://a:***@db/h"
        );
    }
}
