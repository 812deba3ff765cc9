//! Interface names, checked by the rules of the Linux kernel's `dev_valid_name()`. What each
//! guest config format can carry on top of that is the format's business (see
//! `guestconf::check_name`).

use super::shown;

/// Longest name the kernel accepts (IFNAMSIZ - 1).
pub const IFNAME_MAX: usize = 15;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IfNameError {
    #[error("interface name is empty")]
    Empty,
    #[error("'{}' is longer than {IFNAME_MAX} bytes", shown(.0))]
    TooLong(String),
    #[error("'{}' is not an interface name", shown(.0))]
    Dot(String),
    #[error("'{}' contains {what}, which an interface name cannot", shown(.name))]
    BadChar { name: String, what: &'static str },
}

/// Accepts what the kernel accepts as a network device name (`dev_valid_name()`: 1 to 15
/// bytes, not `.` or `..`, no `/`, `:` or byte the kernel's `isspace()` matches, which
/// includes 0xa0, a byte of UTF-8 characters like `à`), less:
/// - control characters and Unicode whitespace, which the kernel allows but no config file
///   format can carry safely, nor a terminal show;
/// - `%`: the kernel reads a new name with `%` as a `%d` template (`eth%d` becomes `eth0`)
///   and refuses any other `%`, so no interface can be given such a name (NetworkManager
///   and systemd refuse it too).
pub fn validate_ifname(name: &str) -> Result<(), IfNameError> {
    if name.is_empty() {
        return Err(IfNameError::Empty);
    }
    if name.len() > IFNAME_MAX {
        return Err(IfNameError::TooLong(name.to_string()));
    }
    if name == "." || name == ".." {
        return Err(IfNameError::Dot(name.to_string()));
    }
    for c in name.chars() {
        let what = match c {
            '/' => "'/'",
            ':' => "':'",
            '%' => "'%'",
            c if c.is_whitespace() => "whitespace",
            c if c.is_control() => "a control character",
            c if c.encode_utf8(&mut [0; 4]).bytes().any(|b| b == 0xa0) => {
                "a character encoded with the byte 0xa0, which the kernel takes for whitespace"
            }
            _ => continue,
        };
        return Err(IfNameError::BadChar { name: name.to_string(), what });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_names() {
        for ok in
            ["eth0", "ens3", "enp1s0", "eth0.100", "br-ex", "a234567890abcde", "wlp0s20f3", "é", "lé0", "a$b", "-x"]
        {
            assert_eq!(validate_ifname(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects() {
        assert_eq!(validate_ifname(""), Err(IfNameError::Empty));
        assert!(matches!(validate_ifname("a234567890abcdef"), Err(IfNameError::TooLong(_))));
        assert!(matches!(validate_ifname("."), Err(IfNameError::Dot(_))));
        assert!(matches!(validate_ifname(".."), Err(IfNameError::Dot(_))));
        for bad in [
            "eth/0",
            "eth 0",
            "eth\t0",
            "eth0:1",
            "eth\u{7}",
            "eth%d",
            "a%",
            "\u{a0}x",
            "x\u{3000}",
            "là",
            "Р1",
            "a\u{2020}",
        ] {
            assert!(matches!(validate_ifname(bad), Err(IfNameError::BadChar { .. })), "{bad:?}");
        }
    }
}
