//! Deterministic hashing for the seeded world and the fault draws.

/// SplitMix64: a tiny, well-mixed hash used for per-call deterministic draws.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string, to key draws by operation name.
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The deterministic draw in `[0, 1)` for the `n`th call of `operation` under `seed`.
pub(crate) fn draw(seed: u64, operation: &str, n: u64) -> f64 {
    let h = mix(seed ^ mix(fnv(operation)) ^ mix(n.wrapping_mul(0x2545_F491_4F6C_DD1D)));
    (h >> 11) as f64 / (1u64 << 53) as f64
}
