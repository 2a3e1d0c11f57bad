//! [`Tpdf`]: triangular dither for integer output. Adding the difference of
//! two uniform random values (±1 LSB, triangular) before rounding turns
//! quantisation distortion into a constant, signal-independent noise floor.

/// A small, fast, seeded generator (xorshift64*) and the dither it makes.
#[derive(Debug, Clone)]
pub struct Tpdf {
    state: u64,
}

impl Tpdf {
    /// A generator from `seed` (any value; 0 is replaced).
    pub fn new(seed: u64) -> Self {
        Tpdf { state: if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed } }
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f32 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let x = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 40) as f32 / (1u64 << 24) as f32
    }

    /// `sample` (full scale ±1) as an integer of full scale `max`, dithered
    /// and clipped.
    pub fn quantize(&mut self, sample: f32, max: f32) -> i32 {
        let noise = self.uniform() - self.uniform();
        let v = (sample * max + noise).round();
        v.clamp(-max - 1.0, max) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dither_is_triangular_within_one_lsb_and_unbiased() {
        let mut d = Tpdf::new(7);
        let n = 100_000;
        let mut sum = 0i64;
        for _ in 0..n {
            let q = d.quantize(0.0, 32_767.0);
            assert!((-1..=1).contains(&q));
            sum += i64::from(q);
        }
        assert!((sum as f64 / f64::from(n)).abs() < 0.01);
        assert_eq!(d.quantize(2.0, 32_767.0), 32_767, "clipped");
        assert_eq!(d.quantize(-2.0, 32_767.0), -32_768);
    }
}
