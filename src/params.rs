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
    /// Names for the whole numbers `0, 1, 2, …` of a parameter that picks one of several
    /// variants (a shape, a rule): a preset may write `shape = "star"` instead of `shape = 4`.
    /// Empty for ordinary numeric parameters.
    pub choices: &'static [&'static str],
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
            choices: &[],
        }
    }

    /// The same parameter with named values: `names[i]` stands for the number `i`
    /// (`ParamSpec::new("shape", 0.0, 6.0, 4.0, "…").named(&["circle", …])`).
    pub const fn named(self, names: &'static [&'static str]) -> Self {
        ParamSpec {
            choices: names,
            ..self
        }
    }

    /// The number a choice name stands for, if it is one of [`ParamSpec::choices`].
    pub fn choice_value(&self, name: &str) -> Option<f32> {
        self.choices
            .iter()
            .position(|c| *c == name)
            .map(|i| i as f32)
    }

    /// The name of value `v` (rounded to the nearest whole number), if the parameter has names.
    pub fn choice_name(&self, v: f32) -> Option<&'static str> {
        if !v.is_finite() || v < -0.5 {
            return None;
        }
        self.choices.get(v.round() as usize).copied()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_values_map_to_their_index() {
        let s = ParamSpec::new("shape", 0.0, 2.0, 1.0, "d").named(&["a", "b", "c"]);
        assert_eq!(s.choice_value("c"), Some(2.0));
        assert_eq!(s.choice_value("d"), None);
        assert_eq!(s.choice_name(0.6), Some("b"));
        assert_eq!(s.choice_name(7.0), None);
        assert!(ParamSpec::new("x", 0.0, 1.0, 0.0, "").choices.is_empty());
    }
}
