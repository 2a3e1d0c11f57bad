//! L-systems: an axiom rewritten `iterations` times by the rules (every
//! symbol with a rule becomes its body, at once), then read as notes:
//!
//! - an uppercase letter plays one step at the current scale degree;
//! - `.` is a rest of one step;
//! - `+` / `-` move the degree up / down one step of the scale;
//! - `[` saves the degree, `]` goes back to the last saved one;
//! - anything else (lowercase letters, digits) takes no time: it only
//!   steers the rewriting.
//!
//! Bounded: at most [`MAX_ITERATIONS`] rewrites, rule bodies and the axiom
//! of at most [`MAX_BODY`] symbols, and the string is cut at
//! [`MAX_SYMBOLS`] during the rewriting, so memory stays small whatever
//! the parameters.

use serde::{Deserialize, Serialize};

use super::{Generator, MAX_STEPS, StepEvents, StepNote};

pub const MAX_ITERATIONS: u8 = 8;
pub const MAX_BODY: usize = 64;
pub const MAX_RULES: usize = 16;
pub const MAX_SYMBOLS: usize = 4096;
/// Degrees stay within this many scale steps of degree 0.
const MAX_DEGREE: i32 = 28;

/// An L-system's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LSystem {
    pub axiom: String,
    /// `(symbol, body)`: each `symbol` is replaced by `body`.
    pub rules: Vec<(char, String)>,
    pub iterations: u8,
}

impl Default for LSystem {
    /// A small self-similar figure: `A → A+B`, `B → A-.A`, three rewrites.
    fn default() -> Self {
        LSystem { axiom: "A".to_owned(), rules: vec![('A', "A+B".to_owned()), ('B', "A-.A".to_owned())], iterations: 3 }
    }
}

impl LSystem {
    pub(super) fn check(&self) -> Result<(), String> {
        if self.iterations > MAX_ITERATIONS {
            return Err(format!("iterations must be 0..={MAX_ITERATIONS}"));
        }
        if self.axiom.chars().count() > MAX_BODY || self.rules.iter().any(|(_, b)| b.chars().count() > MAX_BODY) {
            return Err(format!("the axiom and each rule hold at most {MAX_BODY} symbols"));
        }
        if self.rules.len() > MAX_RULES
            || self.axiom.chars().chain(self.rules.iter().flat_map(|(_, b)| b.chars())).any(char::is_whitespace)
        {
            return Err(format!("at most {MAX_RULES} rules, without spaces"));
        }
        Ok(())
    }

    /// The string after the rewrites (at most [`MAX_SYMBOLS`] symbols).
    pub fn expand(&self) -> Vec<char> {
        let mut s: Vec<char> = self.axiom.chars().take(MAX_SYMBOLS).collect();
        for _ in 0..self.iterations.min(MAX_ITERATIONS) {
            let mut next = Vec::with_capacity(s.len().min(MAX_SYMBOLS));
            for c in &s {
                match self.rules.iter().find(|(k, _)| k == c) {
                    Some((_, body)) => next.extend(body.chars().take(MAX_SYMBOLS - next.len())),
                    None => next.push(*c),
                }
                if next.len() >= MAX_SYMBOLS {
                    break;
                }
            }
            s = next;
        }
        s
    }

    pub(super) fn events(&self, g: &Generator) -> StepEvents {
        let mut degree = 0i32;
        let mut saved = Vec::new();
        let mut notes = Vec::new();
        let mut step = 0u32;
        for c in self.expand() {
            if step >= MAX_STEPS {
                break;
            }
            match c {
                'A'..='Z' => {
                    notes.push(StepNote { step, steps: 1, pitch: g.key.degree_pitch(g.base, degree) });
                    step += 1;
                }
                '.' => step += 1,
                '+' => degree = (degree + 1).min(MAX_DEGREE),
                '-' => degree = (degree - 1).max(-MAX_DEGREE),
                '[' if saved.len() < MAX_SYMBOLS => saved.push(degree),
                ']' => degree = saved.pop().unwrap_or(degree),
                _ => {}
            }
        }
        StepEvents { steps: step.max(1), notes }
    }

    pub(super) fn summary(&self) -> String {
        let rules: Vec<String> = self.rules.iter().map(|(k, b)| format!("{k}={b}")).collect();
        format!("lsystem {} {} n={}", self.axiom, rules.join(" "), self.iterations)
    }
}
