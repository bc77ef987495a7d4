//! `IP_TTL`, which every socket has: kept and read back, as the simulated
//! network has no hops for it to count down.

use std::io;

/// The `IP_TTL` of a new socket, as Linux's `net.ipv4.ip_default_ttl`.
pub(crate) const DEFAULT_TTL: u8 = 64;

/// `ttl` as a socket keeps it: Linux's setsockopt takes 1 to 255 (and -1
/// for the default, which a `u32` cannot carry), `EINVAL` otherwise.
pub(crate) fn checked_ttl(ttl: u32) -> io::Result<u8> {
    match u8::try_from(ttl) {
        Ok(t) if t > 0 => Ok(t),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid TTL {ttl}: IP_TTL must be 1 to 255"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_255_only() {
        assert_eq!(checked_ttl(1).unwrap(), 1);
        assert_eq!(checked_ttl(255).unwrap(), 255);
        for bad in [0, 256, u32::MAX] {
            let err = checked_ttl(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("must be 1 to 255"), "{err}");
        }
    }
}
