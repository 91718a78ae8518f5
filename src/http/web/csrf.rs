//! The form's defence against cross-site request forgery: a random token in a cookie that only
//! this site can read (`HttpOnly`, `SameSite=Strict`), repeated in a hidden field `csrf_token`;
//! a post is accepted only when the two agree. Another site can make a browser post to
//! `/register` but cannot read the cookie to fill in the field. No server-side state.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use rand::RngCore;

const COOKIE_NAME: &str = "sangam_csrf";

/// 32 random bytes, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The token of this browser's cookie, if it sent a well-formed one.
pub fn from_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|token| well_formed(token))
}

/// Whether the form's field carries the cookie's token (compared in constant time).
pub fn matches(cookie: &str, field: &str) -> bool {
    let field = field.trim();
    well_formed(field)
        && cookie.len() == field.len()
        && cookie
            .bytes()
            .zip(field.bytes())
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// The `Set-Cookie` value that gives the browser `token` for the registration pages. Not
/// `Secure`: Sangam may be served over plain HTTP on a local network; behind HTTPS the cookie
/// is still sent only to this site.
pub fn set_cookie(token: &str) -> String {
    set_cookie_at(token, "/register")
}

/// The same cookie for the forms under `path` (the sign-in form's, before there is a session).
pub fn set_cookie_at(token: &str, path: &str) -> String {
    format!("{COOKIE_NAME}={token}; Path={path}; HttpOnly; SameSite=Strict")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_token_matches_only_itself() {
        let token = new_token();
        assert!(matches(&token, &token));
        assert!(!matches(&token, &new_token()));
        assert!(!matches(&token, ""));
        assert!(!matches(&token, &token[..63]));
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let token = new_token();
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("lang=hi; sangam_csrf={token}; x=1")).unwrap(),
        );
        assert_eq!(from_cookie(&headers), Some(token));
        headers.insert(COOKIE, HeaderValue::from_static("sangam_csrf=short"));
        assert_eq!(from_cookie(&headers), None);
    }
}
