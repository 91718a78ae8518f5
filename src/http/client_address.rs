//! Who a request comes from, as the rate limits count it.
//!
//! The address is the connection's peer. Behind a reverse proxy (nginx in front of Sangam) every
//! client would share the proxy's address, so one busy village could use up everyone's budget;
//! then the operator names the proxies with `--trusted-proxy CIDR`, and for a request from one
//! of them the client is the last address in `X-Forwarded-For` that is not itself a trusted
//! proxy. From any other peer the header is ignored: a client could write anything there.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::Request;
use ipnet::IpNet;
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

/// The rate limits' key: the client's address (see the module's comment).
#[derive(Debug, Clone, Default)]
pub struct ClientAddress {
    trusted_proxies: Arc<Vec<IpNet>>,
}

impl ClientAddress {
    pub fn new(trusted_proxies: &[IpNet]) -> Self {
        ClientAddress {
            trusted_proxies: Arc::new(trusted_proxies.to_vec()),
        }
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.trusted_proxies
            .iter()
            .any(|proxy| proxy.contains(&address))
    }

    /// The client behind `peer`, given the request's `X-Forwarded-For` values in order.
    pub fn client_of(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.is_trusted(peer) {
            return peer;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .rev();
        let mut client = peer;
        for hop in hops {
            // A hop that is not an address ends the trail: take the last one we could trust.
            let Ok(address) = hop.parse::<IpAddr>() else {
                break;
            };
            client = address;
            if !self.is_trusted(address) {
                break;
            }
        }
        client.to_canonical()
    }
}

impl KeyExtractor for ClientAddress {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip())
            .ok_or(GovernorError::UnableToExtractKey)?;
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Ok(self.client_of(peer, &forwarded))
    }
}

#[cfg(test)]
mod tests {
    use super::ClientAddress;

    fn ip(text: &str) -> std::net::IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = ClientAddress::new(&[]);
        assert_eq!(none.client_of(ip("10.0.0.5"), &["1.2.3.4"]), ip("10.0.0.5"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client() {
        let nginx = ClientAddress::new(&[
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ]);
        assert_eq!(
            nginx.client_of(ip("127.0.0.1"), &["49.36.1.2"]),
            ip("49.36.1.2")
        );
        // A client's own header value comes first; the proxies append after it.
        assert_eq!(
            nginx.client_of(ip("127.0.0.1"), &["6.6.6.6, 49.36.1.2, 10.1.1.1"]),
            ip("49.36.1.2")
        );
        assert_eq!(
            nginx.client_of(ip("127.0.0.1"), &["6.6.6.6", "49.36.1.2"]),
            ip("49.36.1.2")
        );
        // No header, or junk: the proxy itself is the client.
        assert_eq!(nginx.client_of(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        assert_eq!(
            nginx.client_of(ip("127.0.0.1"), &["unknown"]),
            ip("127.0.0.1")
        );
        // From a peer that is not a proxy, the header is the client's own words: ignored.
        assert_eq!(
            nginx.client_of(ip("49.36.9.9"), &["1.1.1.1"]),
            ip("49.36.9.9")
        );
        // An IPv4 peer seen as IPv6-mapped is the same address.
        assert_eq!(
            nginx.client_of(ip("::ffff:127.0.0.1"), &["49.36.1.2"]),
            ip("49.36.1.2")
        );
    }
}
