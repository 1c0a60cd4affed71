//! Randomness for the emulator's tokens and control key: the CSPRNG of the crypto provider (ring) rustls
//! already links. Nothing here may fall back to a predictable source.

/// `n` cryptographically random bytes, as hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    if rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut buf)
        .is_err()
    {
        // Never hand out predictable tokens; a failing RNG is a broken machine.
        panic!("system random number generator failed");
    }
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_hex_is_long_and_fresh() {
        let (a, b) = (super::random_hex(16), super::random_hex(16));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
