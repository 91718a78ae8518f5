//! Security headers on every response, pages and API alike: a content security policy that
//! allows no script at all (so no injected script runs, inline or not) and only the pages' own
//! inline styles (by hash), no framing (clickjacking), no MIME sniffing, and no referrer sent to
//! other sites (a search URL may carry what someone looked for).

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use super::{brief, web};

/// The policy: nothing by default; the inline `<style>` blocks of the pages by their hashes;
/// forms post only here; no frames, no `<base>`, no plugins.
pub fn content_security_policy() -> String {
    let styles: Vec<String> = [web::LAYOUT_TEMPLATE, brief::TEMPLATE]
        .into_iter()
        .filter_map(style_hash)
        .map(|hash| format!("'sha256-{hash}'"))
        .collect();
    format!(
        "default-src 'none'; script-src 'none'; style-src {}; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        styles.join(" ")
    )
}

/// The base64 SHA-256 of the text inside the first `<style>…</style>` of `html`, as CSP wants it.
fn style_hash(html: &str) -> Option<String> {
    let start = html.find("<style>")? + "<style>".len();
    let end = start + html[start..].find("</style>")?;
    let digest = Sha256::digest(&html.as_bytes()[start..end]);
    Some(base64::engine::general_purpose::STANDARD.encode(digest))
}

/// `router` with the headers added to every response (a handler's own value wins).
pub fn headers(router: Router) -> Router {
    let policy = HeaderValue::from_str(&content_security_policy())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_script_and_names_each_pages_style() {
        let policy = content_security_policy();
        assert!(policy.contains("script-src 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        // The hash CSP uses is of the exact bytes between the tags.
        assert_eq!(
            style_hash("<style>a{}</style>").as_deref(),
            Some(
                base64::engine::general_purpose::STANDARD
                    .encode(Sha256::digest(b"a{}"))
                    .as_str()
            )
        );
    }
}
