//! Parameter descriptions shared by effects, shaders and the UI.

/// Describes one tunable numeric parameter: what `asciivid list` prints, what the preview panel
/// edits, and what preset validation checks against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Key used in preset files.
    pub name: &'static str,
    /// Lowest sensible value (values are clamped to `min..=max` after modulation).
    pub min: f32,
    /// Highest sensible value.
    pub max: f32,
    /// Value used when a preset does not set it.
    pub default: f32,
    /// One-line description.
    pub doc: &'static str,
}

impl ParamSpec {
    /// Shorthand constructor, usable in `const`/`static` tables.
    pub const fn new(
        name: &'static str,
        min: f32,
        max: f32,
        default: f32,
        doc: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            min,
            max,
            default,
            doc,
        }
    }

    /// Clamp `v` into this parameter's range.
    pub fn clamp(&self, v: f32) -> f32 {
        if v.is_nan() {
            self.default
        } else {
            v.clamp(self.min, self.max)
        }
    }
}

/// The defaults of a parameter table, in order.
pub fn defaults(specs: &[ParamSpec]) -> Vec<f32> {
    specs.iter().map(|s| s.default).collect()
}
