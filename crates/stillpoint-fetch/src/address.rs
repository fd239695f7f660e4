//! Which addresses a feed may reach: the classifier and the URL check that every hop passes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// What an address is, as far as the guard cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Reachable on the public internet.
    Public,
    /// 127.0.0.0/8, ::1: allowed only with `allow_loopback`.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7, 64:ff9b:1::/48: allowed only
    /// with `allow_private`.
    Private,
    /// Never reachable, whatever the configuration; the text says why.
    Never(&'static str),
}

/// Classifies an address. IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are
/// judged by that address, and are never allowed unless it is public: no real feed is served
/// from `::ffff:127.0.0.1`, while an attacker would use it to slip past a check of 127/8.
pub(crate) fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Class {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => Class::Never("an unspecified (\"this network\") address"),
        (127, _, _) => Class::Loopback,
        (10, _, _) => Class::Private,
        (172, 16..=31, _) => Class::Private,
        (192, 168, _) => Class::Private,
        (100, 64..=127, _) => Class::Private,
        (169, 254, _) => Class::Never("a link-local address"),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Class::Never("a documentation address"),
        (192, 0, 0) | (192, 88, 99) | (198, 18..=19, _) => Class::Never("a reserved address"),
        (224..=239, _, _) => Class::Never("a multicast address"),
        _ if ip.is_broadcast() => Class::Never("the broadcast address"),
        (240..=255, _, _) => Class::Never("a reserved address"),
        _ => Class::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    if ip.is_unspecified() {
        return Class::Never("the unspecified address");
    }
    if ip.is_loopback() {
        return Class::Loopback;
    }
    let segments = ip.segments();
    if let Some(v4) = embedded_v4(ip) {
        return match classify_v4(v4) {
            Class::Public => Class::Public,
            _ => Class::Never("an IPv6 form of a refused IPv4 address"),
        };
    }
    let first = segments[0];
    match first {
        // NAT64 local-use prefix (64:ff9b:1::/48) reaches the operator's own network.
        0x0064 if segments[1] == 0xff9b && segments[2] == 1 => Class::Private,
        // ::/96 (IPv4-compatible, deprecated) and the rest of ::/8 outside the cases above.
        0x0000..=0x00ff => Class::Never("a reserved address"),
        0x0100 if segments[1..4] == [0, 0, 0] => Class::Never("a discard-only address"),
        0x2001 if segments[1] == 0x0db8 => Class::Never("a documentation address"),
        // IETF protocol assignments (Teredo, ORCHID, benchmarking ...).
        0x2001 if segments[1] < 0x0200 => Class::Never("a reserved address"),
        0x3fff if segments[1] < 0x1000 => Class::Never("a documentation address"),
        0x2000..=0x3fff => Class::Public,
        0xfc00..=0xfdff => Class::Private,
        0xfe80..=0xfebf => Class::Never("a link-local address"),
        0xff00..=0xffff => Class::Never("a multicast address"),
        _ => Class::Never("a reserved address"),
    }
}

/// The IPv4 address an IPv6 address stands for, if it is one of the forms that route to it:
/// IPv4-mapped (::ffff:0:0/96), NAT64 well-known prefix (64:ff9b::/96) or 6to4 (2002::/16).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(v4(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// The address part of a [`crate::FetchPolicy`], cheap to copy into the resolver and the
/// redirect policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Guard {
    pub allow_loopback: bool,
    pub allow_private: bool,
}

impl Guard {
    /// `Err(reason)` when `ip` may not be reached.
    pub fn check_ip(self, ip: IpAddr) -> Result<(), String> {
        match classify(ip) {
            Class::Public => Ok(()),
            Class::Loopback if self.allow_loopback => Ok(()),
            Class::Private if self.allow_private => Ok(()),
            Class::Loopback => Err(format!(
                "{ip} is a loopback address (publishing.allow_loopback is off)"
            )),
            Class::Private => Err(format!(
                "{ip} is a private address (publishing.allow_private_addresses is off)"
            )),
            Class::Never(what) => Err(format!("{ip} is {what}, never allowed")),
        }
    }

    /// Checks what can be checked without resolving: the scheme, credentials, and the address
    /// when the host is an IP literal (the HTTP client connects to those without asking the
    /// resolver, so this is the only place they are checked).
    pub fn check_url(self, url: &Url) -> Result<(), String> {
        match url.scheme() {
            "http" | "https" => {}
            other => {
                return Err(format!(
                    "the scheme {other}: is not allowed, only http and https"
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("credentials in the URL are not accepted".into());
        }
        match url.host() {
            None => Err("the URL has no host".into()),
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(Host::Domain(_)) => Ok(()),
        }
    }
}

/// `url` as it may be shown: without user name and password.
pub(crate) fn redacted(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut url = url.clone();
    // Only URLs that cannot have credentials (no host) refuse these, and those have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> Class {
        classify(text.parse().unwrap())
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.3.1",
            "223.255.255.255",
            "2606:4700::1111",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(class(ip), Class::Public, "{ip}");
        }
    }

    #[test]
    fn loopback_and_private_depend_on_the_configuration() {
        for ip in ["127.0.0.1", "127.255.0.9", "::1"] {
            assert_eq!(class(ip), Class::Loopback, "{ip}");
        }
        for ip in [
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "fd00::1",
            "fc00::1",
            "64:ff9b:1::1",
        ] {
            assert_eq!(class(ip), Class::Private, "{ip}");
        }
    }

    #[test]
    fn link_local_reserved_and_embedded_refused_forms_are_never_allowed() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "169.254.169.254",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "192.0.0.8",
            "::",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "2001::1",
            "100::1",
            "::10.0.0.1",
            "fec0::1",
            "4000::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "64:ff9b::a9fe:a9fe",
            "2002:a00:1::1",
            "2002:7f00:1::",
        ] {
            assert!(
                matches!(class(ip), Class::Never(_)),
                "{ip}: {:?}",
                class(ip)
            );
        }
    }

    #[test]
    fn guard_messages_name_the_address_and_the_setting() {
        let strict = Guard {
            allow_loopback: false,
            allow_private: false,
        };
        let open = Guard {
            allow_loopback: true,
            allow_private: true,
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            strict.check_ip(ip("10.0.0.1")).unwrap_err(),
            "10.0.0.1 is a private address (publishing.allow_private_addresses is off)"
        );
        assert_eq!(
            strict.check_ip(ip("127.0.0.1")).unwrap_err(),
            "127.0.0.1 is a loopback address (publishing.allow_loopback is off)"
        );
        assert!(open.check_ip(ip("10.0.0.1")).is_ok());
        assert!(open.check_ip(ip("::1")).is_ok());
        assert_eq!(
            open.check_ip(ip("169.254.169.254")).unwrap_err(),
            "169.254.169.254 is a link-local address, never allowed"
        );
        assert!(open.check_ip(ip("::ffff:127.0.0.1")).is_err());
    }

    #[test]
    fn urls_are_checked_before_any_connection() {
        let strict = Guard {
            allow_loopback: false,
            allow_private: false,
        };
        let check = |s: &str| strict.check_url(&Url::parse(s).unwrap());
        assert!(check("https://feeds.example.org/members.csv").is_ok());
        assert!(check("http://8.8.8.8/").is_ok());
        assert!(
            check("ftp://feeds.example.org/")
                .unwrap_err()
                .contains("ftp:")
        );
        assert!(check("file:///etc/passwd").unwrap_err().contains("file:"));
        assert!(
            check("https://u:p@feeds.example.org/")
                .unwrap_err()
                .contains("credentials")
        );
        assert!(check("https://u@feeds.example.org/").is_err());
        // The URL parser turns these spellings into IP literals, which the guard then sees.
        for sneaky in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://[::ffff:7f00:1]/",
            "http://0/",
        ] {
            assert!(check(sneaky).is_err(), "{sneaky}");
        }
    }

    #[test]
    fn redaction_drops_credentials_only() {
        let url = Url::parse("https://user:secret@feeds.example.org/x?y=1").unwrap();
        assert_eq!(redacted(&url), "https://feeds.example.org/x?y=1");
        let url = Url::parse("https://feeds.example.org/x").unwrap();
        assert_eq!(redacted(&url), "https://feeds.example.org/x");
    }
}
