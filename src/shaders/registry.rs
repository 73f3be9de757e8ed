//! The table of every shader, name lookup and "did you mean" suggestions.

use super::ShaderSpec;
use super::{
    bloom, channel, chromatic, color_lut, color_matrix, crt, edge_glow, glitch, grain, halftone,
    kaleidoscope, mirror, pixel_sort, pixelate, radial_blur, scanlines, soft_focus, static_noise,
    threshold, vignette, wave,
};

/// Every shader, sorted by name (checked by a test) so `find` can binary-search.
static ALL: &[ShaderSpec] = &[
    glitch::BLOCK_GLITCH,
    bloom::SPEC,
    color_lut::BRIGHTNESS,
    channel::CHANNEL_SHIFT,
    channel::CHANNEL_SWAP,
    chromatic::SPEC,
    color_lut::COLOR_GRADE,
    color_matrix::COLOR_RAMP,
    color_lut::COLOR_WOBBLE,
    color_lut::CONTRAST,
    crt::SPEC,
    glitch::DATA_BEND,
    edge_glow::SPEC,
    color_lut::GAMMA,
    glitch::GLITCH_BANDS,
    grain::SPEC,
    halftone::SPEC,
    color_matrix::HUE_ROTATE,
    color_lut::INVERT,
    kaleidoscope::SPEC,
    color_lut::LEVELS,
    mirror::MIRROR_DIAG,
    mirror::MIRROR_H,
    mirror::MIRROR_QUAD,
    mirror::MIRROR_V,
    pixel_sort::SPEC,
    pixelate::SPEC,
    color_lut::POSTERIZE,
    radial_blur::SPEC,
    channel::RGB_SPLIT_RADIAL,
    color_matrix::SATURATION,
    scanlines::SPEC,
    soft_focus::SPEC,
    color_lut::SOLARIZE,
    static_noise::SPEC,
    threshold::SPEC,
    vignette::SPEC,
    wave::SPEC,
];

/// Every shader, sorted by name.
pub fn all() -> &'static [ShaderSpec] {
    ALL
}

/// The shader called `name` (exact, case-sensitive).
pub fn find(name: &str) -> Option<&'static ShaderSpec> {
    ALL.binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &ALL[i])
}

/// Up to three registered names closest to `name`, best first, for "unknown shader" errors.
/// Case and `-`/`_` are ignored; a name containing the query (e.g. `mirror`) counts as close.
/// Empty when nothing is plausibly meant.
pub fn closest(name: &str) -> Vec<&'static str> {
    let query: String = name.trim().to_lowercase().replace('-', "_");
    if query.is_empty() {
        return Vec::new();
    }
    let limit = (query.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = ALL
        .iter()
        .map(|s| {
            let d = edit_distance(&query, s.name);
            let d = if query.len() >= 3 && s.name.contains(query.as_str()) {
                d.min(1)
            } else {
                d
            };
            (d, s.name)
        })
        .filter(|&(d, _)| d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_unique_and_snake_case() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} !< {}",
                pair[0].name,
                pair[1].name
            );
        }
        for s in ALL {
            assert!(
                s.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                s.name
            );
            assert!(!s.doc.is_empty());
        }
    }

    #[test]
    fn param_tables_are_consistent() {
        for s in ALL {
            for p in s.params {
                assert!(
                    p.min <= p.default && p.default <= p.max,
                    "{}.{}",
                    s.name,
                    p.name
                );
                assert!(!p.doc.is_empty(), "{}.{} needs a doc", s.name, p.name);
            }
            let mut names: Vec<_> = s.params.iter().map(|p| p.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), s.params.len(), "{}: duplicate param", s.name);
        }
    }

    #[test]
    fn find_returns_every_registered_shader_and_nothing_else() {
        for s in ALL {
            assert_eq!(find(s.name).map(|f| f.name), Some(s.name));
        }
        assert!(find("no_such_shader").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("bloom", "bloom"), 0);
    }

    #[test]
    fn closest_suggests_plausible_names_only() {
        assert_eq!(closest("blom").first(), Some(&"bloom"));
        assert_eq!(closest("BLOOM").first(), Some(&"bloom"));
        assert!(closest("zzzzzzzzzzzz").is_empty());
        assert!(closest("").is_empty());
        assert!(closest("mirror").len() <= 3);
    }
}
