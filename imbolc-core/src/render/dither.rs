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

    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Triangular noise in (−1, 1): the difference of two uniform values,
    /// both taken from one 64-bit draw (two 24-bit halves).
    fn triangular(&mut self) -> f32 {
        let x = self.next();
        let (a, b) = ((x >> 40) as i32, ((x >> 16) & 0xFF_FFFF) as i32);
        (a - b) as f32 / (1u32 << 24) as f32
    }

    /// `sample` (full scale ±1) as an integer of full scale `max`, dithered
    /// and clipped.
    pub fn quantize(&mut self, sample: f32, max: f32) -> i32 {
        let v = (sample * max + self.triangular()).clamp(-max - 1.0, max);
        // Round half up without a libm call: shifted positive (in f64, exact
        // for 24-bit values), truncation is floor.
        const SHIFT: f64 = 16_777_216.0;
        ((f64::from(v) + 0.5 + SHIFT) as i64 - SHIFT as i64) as i32
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
        let mut zeros = 0;
        for _ in 0..n {
            let q = d.quantize(0.0, 32_767.0);
            assert!((-1..=1).contains(&q));
            sum += i64::from(q);
            zeros += i32::from(q == 0);
        }
        assert!((sum as f64 / f64::from(n)).abs() < 0.01);
        // Triangular noise on (−1, 1) rounds to 0 three times in four.
        assert!((f64::from(zeros) / f64::from(n) - 0.75).abs() < 0.01, "{zeros}");
        assert_eq!(d.quantize(2.0, 32_767.0), 32_767, "clipped");
        assert_eq!(d.quantize(-2.0, 32_767.0), -32_768);
    }
}
