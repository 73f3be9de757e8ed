//! Character palettes, particle character sets, discrete colour palettes and tints.
//!
//! The built-in sets live in `palettes/*.toml` (hand-readable, commented) and are
//! embedded at compile time, so the binary needs no data files at run time. Users can
//! add their own character palette with [`load_char_palette_file`]. Every file goes
//! through the same validation, and every error names the file, the line, the problem
//! and the fix.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use toml::Spanned;

const CHARS_TOML: &str = include_str!("../palettes/chars.toml");
const PARTICLES_TOML: &str = include_str!("../palettes/particles.toml");
const COLORS_TOML: &str = include_str!("../palettes/colors.toml");
const TINTS_TOML: &str = include_str!("../palettes/tints.toml");

/// A list of characters used to draw cells.
///
/// For a brightness palette `chars[0] == ' '` ("nothing drawn") and the rest run dark
/// to bright; a value `v` in [0, 1] picks `chars[floor(v * n)]` clamped to `n - 1`.
/// Particle sets use the same type but hold only visible characters, in no order.
#[derive(Debug, Clone, PartialEq)]
pub struct CharPalette {
    /// Lowercase id (`[a-z0-9_]`), as typed on the command line.
    pub name: String,
    /// Visual family, for grouping in listings ("density", "blocks", "particle", ...).
    pub family: String,
    /// One-line description.
    pub doc: String,
    /// The characters; see the type docs for the ordering rules.
    pub chars: Vec<char>,
}

/// A short list of sRGB colours, indexed like a character palette (first = darkest cells).
#[derive(Debug, Clone, PartialEq)]
pub struct ColorPalette {
    /// Lowercase id (`[a-z0-9_]`).
    pub name: String,
    /// One-line description.
    pub doc: String,
    /// At least one `[r, g, b]` colour.
    pub colors: Vec<[u8; 3]>,
}

/// Per-channel multipliers for the colour-grade shader (`1.0` leaves a channel as is).
#[derive(Debug, Clone, PartialEq)]
pub struct Tint {
    /// Lowercase id (`[a-z0-9_]`).
    pub name: String,
    /// Finite, non-negative red, green and blue multipliers.
    pub rgb: [f32; 3],
}

/// Every built-in palette, particle set and tint, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Palettes {
    /// Brightness palettes from `palettes/chars.toml`.
    pub chars: Vec<CharPalette>,
    /// Discrete colour palettes from `palettes/colors.toml`.
    pub colors: Vec<ColorPalette>,
    /// Tints from `palettes/tints.toml`, `neutral` included.
    pub tints: Vec<Tint>,
    /// Particle character sets from `palettes/particles.toml`.
    pub particles: Vec<CharPalette>,
}

/// Why a palette file was rejected. Messages read
/// `palette file <file> line <n>: <problem>; <fix>`.
#[derive(thiserror::Error, Debug)]
pub enum PaletteError {
    /// The file could not be read from disk (missing, unreadable, not UTF-8).
    #[error(
        "palette file {file}: cannot read it ({source}); check the path and that it is UTF-8 text"
    )]
    Read {
        /// The path as given.
        file: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, or a key is unknown, missing or has the wrong type.
    #[error("palette file {file}{}: {message}", at_line(*.line))]
    Syntax {
        /// The path as given.
        file: String,
        /// 1-based line of the offending text, when TOML reports one.
        line: Option<usize>,
        /// The TOML parser's description.
        message: String,
    },
    /// Well-formed TOML whose values break a palette rule.
    #[error("palette file {file}{}: {problem}", at_line(*.line))]
    Invalid {
        /// The path as given.
        file: String,
        /// 1-based line of the offending value.
        line: Option<usize>,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}

impl Palettes {
    /// The built-in palettes, parsed once on first use.
    ///
    /// # Panics
    /// Only if the embedded files are broken, which the unit tests rule out for every
    /// build that passed them.
    pub fn builtin() -> &'static Palettes {
        static BUILTIN: OnceLock<Palettes> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Palettes::parse_builtin()
                .unwrap_or_else(|e| panic!("built-in palette data is broken: {e}"))
        })
    }

    fn parse_builtin() -> Result<Palettes, PaletteError> {
        Ok(Palettes {
            chars: parse_ramp_file(CHARS_TOML, "palettes/chars.toml")?,
            colors: parse_color_file(COLORS_TOML, "palettes/colors.toml")?,
            tints: parse_tint_file(TINTS_TOML, "palettes/tints.toml")?,
            particles: parse_particle_file(PARTICLES_TOML, "palettes/particles.toml")?,
        })
    }

    /// The brightness palette called `name` (case-insensitive, `-` matches `_`).
    pub fn char_palette(&self, name: &str) -> Option<&CharPalette> {
        self.chars.iter().find(|p| same_name(&p.name, name))
    }

    /// The particle character set called `name` (case-insensitive, `-` matches `_`).
    pub fn particle_set(&self, name: &str) -> Option<&CharPalette> {
        self.particles.iter().find(|p| same_name(&p.name, name))
    }

    /// The colour palette called `name` (case-insensitive, `-` matches `_`).
    pub fn color_palette(&self, name: &str) -> Option<&ColorPalette> {
        self.colors.iter().find(|p| same_name(&p.name, name))
    }

    /// The tint called `name` (case-insensitive, `-` matches `_`).
    pub fn tint(&self, name: &str) -> Option<&Tint> {
        self.tints.iter().find(|t| same_name(&t.name, name))
    }
}

/// Loads a user's brightness palette: a TOML file with `name` and `chars`, and
/// optionally `doc`, `family` (default "custom") and `allow_repeats`.
pub fn load_char_palette_file(path: &Path) -> Result<CharPalette, PaletteError> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|source| PaletteError::Read {
        file: file.clone(),
        source,
    })?;
    parse_user_palette(&src, &file)
}

/// Up to three of `candidates` closest to `name` (typo distance, ignoring case and
/// `-`/`_`), best first, for "did you mean" hints. Names too far off are left out.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let query: Vec<char> = name.chars().map(fold_char).collect();
    // Short names allow one typo; longer ones up to a third of their length, and at
    // least two so a swap plus a dropped letter ("brail") still finds its target.
    let limit = match query.len() {
        0 => return Vec::new(),
        1..=2 => 1,
        n => (n / 3).max(2),
    };
    let mut scored: Vec<(usize, usize, &'a str)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(order, cand)| {
            let cand_chars: Vec<char> = cand.chars().map(fold_char).collect();
            let d = typo_distance(&query, &cand_chars);
            (d <= limit).then_some((d, order, cand))
        })
        .collect();
    scored.sort_unstable();
    let mut out: Vec<&'a str> = Vec::with_capacity(3);
    for (_, _, cand) in scored {
        if out.len() == 3 {
            break;
        }
        if !out.contains(&cand) {
            out.push(cand);
        }
    }
    out
}

/// Lowercases ASCII and treats `-` as `_`, so `Blocks-Ext` names `blocks_ext`.
fn fold_char(c: char) -> char {
    if c == '-' {
        '_'
    } else {
        c.to_ascii_lowercase()
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.chars().map(fold_char).eq(b.chars().map(fold_char))
}

/// Optimal-string-alignment distance: edits plus adjacent swaps, because swapped
/// letters ("neno" for "neon") are the most common typo in names.
fn typo_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------------
// TOML shapes. `Spanned` keeps byte offsets so errors can point at a line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChars {
    name: Spanned<String>,
    family: Option<String>,
    doc: Option<String>,
    chars: Spanned<String>,
    #[serde(default)]
    allow_repeats: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRampFile {
    palette: Vec<RawChars>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParticleFile {
    set: Vec<RawChars>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColors {
    name: Spanned<String>,
    doc: Option<String>,
    colors: Spanned<Vec<Spanned<Vec<Spanned<i64>>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColorFile {
    palette: Vec<RawColors>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTint {
    name: Spanned<String>,
    rgb: Spanned<Vec<Spanned<f64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTintFile {
    tint: Vec<RawTint>,
}

/// File name and source text, to turn byte offsets into errors with line numbers.
struct Ctx<'s> {
    file: &'s str,
    src: &'s str,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.src.len());
        self.src.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn invalid(&self, span: std::ops::Range<usize>, problem: String) -> PaletteError {
        PaletteError::Invalid {
            file: self.file.to_string(),
            line: Some(self.line(span.start)),
            problem,
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, PaletteError> {
        toml::from_str(self.src).map_err(|e| PaletteError::Syntax {
            file: self.file.to_string(),
            line: e.span().map(|s| self.line(s.start)),
            message: e.message().trim_end().to_string(),
        })
    }
}

const USER_FILE_SHAPE: &str = "a palette file holds name = \"my_palette\" and chars = \" .:-=+*#%@\" (space first, dark to bright), optionally doc, family and allow_repeats = true";

/// Whether a palette holds a brightness ramp (leading space) or a particle set.
#[derive(Clone, Copy)]
enum Kind {
    Ramp,
    Particles,
}

fn parse_user_palette(src: &str, file: &str) -> Result<CharPalette, PaletteError> {
    let ctx = Ctx { file, src };
    let raw: RawChars = ctx.parse().map_err(|e| match e {
        // Users write these files by hand, so say what the file should look like.
        PaletteError::Syntax {
            file,
            line,
            message,
        } => PaletteError::Syntax {
            file,
            line,
            message: format!("{message}; {USER_FILE_SHAPE}"),
        },
        other => other,
    })?;
    build_chars(&ctx, raw, Kind::Ramp, "custom")
}

fn parse_ramp_file(src: &str, file: &str) -> Result<Vec<CharPalette>, PaletteError> {
    let ctx = Ctx { file, src };
    let raw: RawRampFile = ctx.parse()?;
    check_unique(&ctx, raw.palette.iter().map(|p| &p.name))?;
    raw.palette
        .into_iter()
        .map(|p| build_chars(&ctx, p, Kind::Ramp, "custom"))
        .collect()
}

fn parse_particle_file(src: &str, file: &str) -> Result<Vec<CharPalette>, PaletteError> {
    let ctx = Ctx { file, src };
    let raw: RawParticleFile = ctx.parse()?;
    check_unique(&ctx, raw.set.iter().map(|p| &p.name))?;
    raw.set
        .into_iter()
        .map(|p| build_chars(&ctx, p, Kind::Particles, "particle"))
        .collect()
}

fn parse_color_file(src: &str, file: &str) -> Result<Vec<ColorPalette>, PaletteError> {
    let ctx = Ctx { file, src };
    let raw: RawColorFile = ctx.parse()?;
    check_unique(&ctx, raw.palette.iter().map(|p| &p.name))?;
    raw.palette
        .into_iter()
        .map(|p| build_colors(&ctx, p))
        .collect()
}

fn parse_tint_file(src: &str, file: &str) -> Result<Vec<Tint>, PaletteError> {
    let ctx = Ctx { file, src };
    let raw: RawTintFile = ctx.parse()?;
    check_unique(&ctx, raw.tint.iter().map(|t| &t.name))?;
    raw.tint.into_iter().map(|t| build_tint(&ctx, t)).collect()
}

/// Names are typed on the command line and looked up case-insensitively, so they
/// are kept to lowercase ASCII words.
fn check_name(ctx: &Ctx, name: &Spanned<String>) -> Result<String, PaletteError> {
    let n = name.get_ref();
    let ok = !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        return Ok(n.clone());
    }
    let suggestion: String = n
        .chars()
        .map(fold_char)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let hint = if suggestion.is_empty() {
        "e.g. name = \"my_palette\"".to_string()
    } else {
        format!("e.g. name = \"{suggestion}\"")
    };
    Err(ctx.invalid(
        name.span(),
        format!("`name` {n:?} must be lowercase letters, digits or '_' ({hint})"),
    ))
}

fn check_unique<'r>(
    ctx: &Ctx,
    names: impl Iterator<Item = &'r Spanned<String>>,
) -> Result<(), PaletteError> {
    // Byte offset of each name's first use; offsets, unlike lines, are unique per entry.
    let mut first_at: HashMap<String, usize> = HashMap::new();
    for name in names {
        let key: String = name.get_ref().chars().map(fold_char).collect();
        let at = name.span().start;
        let first = *first_at.entry(key).or_insert(at);
        if first != at {
            return Err(ctx.invalid(
                name.span(),
                format!(
                    "the name {:?} is already used on line {}; give each entry its own name",
                    name.get_ref(),
                    ctx.line(first)
                ),
            ));
        }
    }
    Ok(())
}

/// Characters that draw nothing on their own. Variation selectors matter most: an
/// emoji pasted from elsewhere often carries U+FE0F, which would become a cell.
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0x0300..=0x036F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xE0000..=0xE01EF
    )
}

fn build_chars(
    ctx: &Ctx,
    raw: RawChars,
    kind: Kind,
    default_family: &str,
) -> Result<CharPalette, PaletteError> {
    let name = check_name(ctx, &raw.name)?;
    let span = raw.chars.span();
    let text = raw.chars.into_inner();
    let chars: Vec<char> = text.chars().collect();
    let bad = |problem: String| Err(ctx.invalid(span.clone(), problem));

    if chars.is_empty() {
        return bad(match kind {
            Kind::Ramp => "`chars` is empty; write a space then the characters from dark to bright, e.g. chars = \" .:-=+*#%@\"".into(),
            Kind::Particles => "`chars` is empty; write the characters a particle may take, e.g. chars = \"*+.\"".into(),
        });
    }
    let first_visible = match kind {
        Kind::Ramp => {
            if chars[0] != ' ' {
                return bad(format!(
                    "`chars` must start with a space (index 0 is 'nothing drawn'); write chars = {:?}",
                    format!(" {text}")
                ));
            }
            if chars.len() < 2 {
                return bad(
                    "`chars` holds only the space; add at least one visible character after it"
                        .into(),
                );
            }
            1
        }
        Kind::Particles => 0,
    };
    // First index of each character, for the repeat check (user files may be long).
    let mut first_at: HashMap<char, usize> = HashMap::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate().skip(first_visible) {
        let code = c as u32;
        if c.is_control() {
            return bad(format!(
                "`chars` holds the control character U+{code:04X} at index {i}; remove it (palettes hold visible characters only)"
            ));
        }
        if c.is_whitespace() {
            let only = match kind {
                Kind::Ramp => "only index 0 may be blank",
                Kind::Particles => "particle sets draw every character, so none may be blank",
            };
            return bad(format!(
                "`chars` holds a blank character U+{code:04X} at index {i} ({only}); remove it"
            ));
        }
        if is_invisible(c) {
            return bad(format!(
                "`chars` holds U+{code:04X} at index {i}, which is invisible or combines with its neighbour; remove it (each entry must be one visible character)"
            ));
        }
        let j = *first_at.entry(c).or_insert(i);
        if !raw.allow_repeats && j != i {
            return bad(format!(
                "`chars` holds {c:?} twice (index {j} and {i}); remove the repeat, or set allow_repeats = true if it is meant to widen that character's band"
            ));
        }
    }
    Ok(CharPalette {
        name,
        family: raw.family.unwrap_or_else(|| default_family.to_string()),
        doc: raw.doc.unwrap_or_default(),
        chars,
    })
}

fn build_colors(ctx: &Ctx, raw: RawColors) -> Result<ColorPalette, PaletteError> {
    let name = check_name(ctx, &raw.name)?;
    if raw.colors.get_ref().is_empty() {
        return Err(ctx.invalid(
            raw.colors.span(),
            "`colors` is empty; give at least one colour, e.g. colors = [[255, 0, 102]]".into(),
        ));
    }
    let mut colors = Vec::with_capacity(raw.colors.get_ref().len());
    for (i, color) in raw.colors.get_ref().iter().enumerate() {
        let values = color.get_ref();
        if values.len() != 3 {
            return Err(ctx.invalid(
                color.span(),
                format!(
                    "colour {} has {} values; write it as [red, green, blue]",
                    i + 1,
                    values.len()
                ),
            ));
        }
        let mut rgb = [0u8; 3];
        for (k, v) in values.iter().enumerate() {
            rgb[k] = u8::try_from(*v.get_ref()).map_err(|_| {
                ctx.invalid(
                    v.span(),
                    format!(
                        "colour {} has {} for {}; each value must be 0-255",
                        i + 1,
                        v.get_ref(),
                        ["red", "green", "blue"][k]
                    ),
                )
            })?;
        }
        colors.push(rgb);
    }
    Ok(ColorPalette {
        name,
        doc: raw.doc.unwrap_or_default(),
        colors,
    })
}

fn build_tint(ctx: &Ctx, raw: RawTint) -> Result<Tint, PaletteError> {
    let name = check_name(ctx, &raw.name)?;
    let values = raw.rgb.get_ref();
    if values.len() != 3 {
        return Err(ctx.invalid(
            raw.rgb.span(),
            format!(
                "`rgb` has {} values; write it as [red, green, blue], e.g. rgb = [1.0, 1.0, 1.0]",
                values.len()
            ),
        ));
    }
    let mut rgb = [0f32; 3];
    for (k, v) in values.iter().enumerate() {
        let x = *v.get_ref();
        if !x.is_finite() || x < 0.0 {
            return Err(ctx.invalid(
                v.span(),
                format!(
                    "`rgb` {} multiplier is {x}; use a finite value >= 0 (1.0 leaves the channel unchanged)",
                    ["red", "green", "blue"][k]
                ),
            ));
        }
        rgb[k] = x as f32;
    }
    Ok(Tint { name, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes from the reference inventory, space included.
    const NAMED: [(&str, usize); 29] = [
        ("default", 29),
        ("dense", 12),
        ("minimal", 8),
        ("binary", 2),
        ("gradient", 5),
        ("blocks", 9),
        ("blocks_ext", 15),
        ("shade", 12),
        ("math", 24),
        ("box", 23),
        ("circuit", 17),
        ("rune", 14),
        ("alchemic", 14),
        ("zodiac", 13),
        ("arrows", 15),
        ("music", 10),
        ("kata", 20),
        ("greek", 22),
        ("cyrillic", 25),
        ("arabic", 17),
        ("dots", 10),
        ("braille", 33),
        ("stars", 10),
        ("halffill", 10),
        ("hatch", 8),
        ("hermes", 18),
        ("ocean", 11),
        ("organic", 11),
        ("machine", 13),
    ];

    #[test]
    fn builtin_char_palettes_match_the_reference() {
        let p = Palettes::parse_builtin().expect("built-ins must parse");
        assert_eq!(
            p.chars.len(),
            NAMED.len() + 4,
            "29 named palettes + ascii + classic + bars + hex"
        );
        assert_eq!(p.char_palette("hex").unwrap().chars.len(), 17);
        assert_eq!(p.char_palette("classic").unwrap().chars.len(), 10);
        for (name, len) in NAMED {
            let pal = p
                .char_palette(name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(pal.chars.len(), len, "{name}");
            assert_eq!(pal.chars[0], ' ', "{name}");
            assert!(!pal.family.is_empty() && pal.family != "custom", "{name}");
            assert!(!pal.doc.is_empty() && !pal.doc.contains('\n'), "{name}");
        }
        // Spot checks of exact content, one per family.
        let s = |n: &str| p.char_palette(n).unwrap().chars.iter().collect::<String>();
        assert_eq!(s("default"), " .`'-:;!><=+*^~?/|(){}[]#&$@%");
        assert_eq!(s("shade"), " ░▒▓█▇▆▅▄▃▂▁");
        assert_eq!(s("rune"), " .ᚠᚢᚦᚱᚷᛁᛇᛒᛖᛚᛞᛟ");
        assert_eq!(s("kata"), " ·ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷ");
        assert_eq!(s("braille").chars().last(), Some('⠿'));
        assert_eq!(s("ocean"), " ~≈≈≈∼⌇≈≋≌≈");
    }

    #[test]
    fn ascii_palette_is_every_printable_ascii_once() {
        let p = Palettes::builtin();
        let ascii = p.char_palette("ascii").unwrap();
        let mut sorted = ascii.chars.clone();
        sorted.sort_unstable();
        let expected: Vec<char> = (0x20u8..0x7F).map(char::from).collect();
        assert_eq!(sorted, expected);
        assert_eq!(ascii.chars[0], ' ');
        // Ink ordering: a dot is lighter than a letter, and '@' is the densest.
        let pos = |c| ascii.chars.iter().position(|&x| x == c).unwrap();
        assert!(pos('.') < pos('o') && pos('o') < pos('M'));
        assert_eq!(*ascii.chars.last().unwrap(), '@');
    }

    #[test]
    fn builtin_particles_are_the_13_sets_without_blanks() {
        let p = Palettes::builtin();
        let names: Vec<&str> = p.particles.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "energy", "spark", "leaf", "snow", "rain", "bubble", "data", "hex", "binary",
                "rune", "zodiac", "dot", "dash"
            ]
        );
        for set in &p.particles {
            assert!(!set.chars.contains(&' '), "{}", set.name);
            assert_eq!(set.family, "particle");
        }
        let rain: String = p.particle_set("rain").unwrap().chars.iter().collect();
        assert_eq!(rain, "|│┃║/\\");
        assert_eq!(p.particle_set("hex").unwrap().chars.len(), 16);
    }

    #[test]
    fn builtin_colors_have_the_reference_values() {
        let p = Palettes::builtin();
        let first: [(&str, usize, [u8; 3]); 10] = [
            ("neon", 5, [255, 0, 102]),
            ("pastel", 5, [255, 179, 186]),
            ("mono_green", 5, [0, 40, 0]),
            ("mono_amber", 5, [40, 20, 0]),
            ("cyberpunk", 4, [255, 0, 60]),
            ("vaporwave", 4, [255, 113, 206]),
            ("earth", 5, [86, 58, 26]),
            ("ice", 5, [200, 230, 255]),
            ("blood", 5, [80, 0, 0]),
            ("forest", 5, [10, 30, 10]),
        ];
        assert_eq!(p.colors.len(), first.len());
        for (name, len, c0) in first {
            let pal = p.color_palette(name).unwrap();
            assert_eq!((pal.colors.len(), pal.colors[0]), (len, c0), "{name}");
            assert!(!pal.doc.is_empty());
        }
        assert_eq!(
            p.color_palette("mono_amber").unwrap().colors[4],
            [255, 191, 0]
        );
        assert_eq!(
            p.color_palette("vaporwave").unwrap().colors[1],
            [1, 205, 254]
        );
    }

    #[test]
    fn builtin_tints_are_the_11_plus_neutral() {
        let p = Palettes::builtin();
        assert_eq!(p.tints.len(), 12);
        assert_eq!(p.tint("neutral").unwrap().rgb, [1.0, 1.0, 1.0]);
        assert_eq!(p.tint("warm").unwrap().rgb, [1.15, 1.0, 0.85]);
        assert_eq!(p.tint("neon_pink").unwrap().rgb, [1.3, 0.7, 1.1]);
        assert_eq!(p.tint("sunset").unwrap().rgb, [1.3, 0.85, 0.7]);
        for name in [
            "cool", "matrix", "amber", "sepia", "ice", "blood", "forest", "void",
        ] {
            assert!(p.tint(name).is_some(), "{name}");
        }
    }

    #[test]
    fn lookups_ignore_case_and_dashes() {
        let p = Palettes::builtin();
        assert_eq!(p.char_palette("Blocks-Ext").unwrap().name, "blocks_ext");
        assert_eq!(p.color_palette("MONO-GREEN").unwrap().name, "mono_green");
        assert!(p.char_palette("blocksext").is_none());
        assert!(p.tint("").is_none());
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn user_file_loads_with_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "mine.toml", "name = \"mine\"\nchars = \" .oO\"\n");
        let pal = load_char_palette_file(&path).unwrap();
        assert_eq!(pal.name, "mine");
        assert_eq!(pal.chars, [' ', '.', 'o', 'O']);
        assert_eq!(pal.family, "custom");
        assert_eq!(pal.doc, "");
    }

    #[test]
    fn missing_leading_space_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "my.toml",
            "name = \"mine\"\ndoc = \"x\"\nchars = \".oO\"\n",
        );
        let msg = load_char_palette_file(&path).unwrap_err().to_string();
        assert!(msg.contains("my.toml line 3:"), "{msg}");
        assert!(msg.contains("must start with a space"), "{msg}");
        assert!(
            msg.contains("\" .oO\""),
            "fix shows the corrected string: {msg}"
        );
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "typo.toml",
            "name = \"a\"\nchars = \" x\"\ncolour = 3\n",
        );
        let err = load_char_palette_file(&path).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, PaletteError::Syntax { line: Some(3), .. }),
            "{msg}"
        );
        assert!(
            msg.contains("typo.toml line 3") && msg.contains("colour"),
            "{msg}"
        );
    }

    #[test]
    fn bad_toml_and_missing_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "bad.toml", "name = \"a\"\n\nchars = \" x\n");
        let msg = load_char_palette_file(&path).unwrap_err().to_string();
        assert!(msg.contains("bad.toml line 3"), "{msg}");
        let gone = dir.path().join("gone.toml");
        let err = load_char_palette_file(&gone).unwrap_err();
        assert!(matches!(err, PaletteError::Read { .. }));
        assert!(err.to_string().contains("gone.toml"));
    }

    #[test]
    fn char_rules_are_enforced() {
        let cases = [
            ("chars = \"\"", "is empty"),
            ("chars = \" \"", "only the space"),
            ("chars = \" ab\\tc\"", "control character U+0009 at index 3"),
            ("chars = \" ab c\"", "blank character U+0020 at index 3"),
            ("chars = \" ⚡\u{FE0F}\"", "U+FE0F at index 2"),
            ("chars = \" abca\"", "'a' twice (index 1 and 4)"),
        ];
        for (line, want) in cases {
            let src = format!("name = \"t\"\n{line}\n");
            let msg = parse_user_palette(&src, "t.toml").unwrap_err().to_string();
            assert!(msg.starts_with("palette file t.toml line 2: "), "{msg}");
            assert!(msg.contains(want), "{line}: {msg}");
        }
        let ok = parse_user_palette(
            "name = \"t\"\nchars = \" abca\"\nallow_repeats = true\n",
            "t",
        );
        assert_eq!(ok.unwrap().chars.len(), 5);
        let bad_name = parse_user_palette("name = \"My Pal\"\nchars = \" a\"\n", "t.toml");
        let msg = bad_name.unwrap_err().to_string();
        assert!(msg.contains("line 1") && msg.contains("\"mypal\""), "{msg}");
    }

    #[test]
    fn particle_sets_reject_blanks() {
        let src = "[[set]]\nname = \"p\"\ndoc = \"d\"\nchars = \"* +\"\n";
        let msg = parse_particle_file(src, "p.toml").unwrap_err().to_string();
        assert!(
            msg.contains("p.toml line 4") && msg.contains("U+0020 at index 1"),
            "{msg}"
        );
    }

    #[test]
    fn color_rules_are_enforced() {
        let head = "[[palette]]\nname = \"c\"\n";
        let cases = [
            ("colors = []", "line 3", "is empty"),
            (
                "colors = [\n  [1, 2, 3],\n  [1, 2],\n]",
                "line 5",
                "colour 2 has 2 values",
            ),
            (
                "colors = [[1, 2, 3], [0, 256, 0]]",
                "line 3",
                "256 for green",
            ),
            ("colors = [[-1, 0, 0]]", "line 3", "-1 for red"),
        ];
        for (body, line, want) in cases {
            let src = format!("{head}{body}\n");
            let msg = parse_color_file(&src, "c.toml").unwrap_err().to_string();
            assert!(msg.contains(&format!("c.toml {line}:")), "{msg}");
            assert!(msg.contains(want), "{msg}");
        }
    }

    #[test]
    fn tint_rules_are_enforced() {
        let cases = [
            ("rgb = [1.0, 1.0]", "2 values"),
            ("rgb = [1.0, -0.5, 1.0]", "green multiplier is -0.5"),
            ("rgb = [1.0, 1.0, nan]", "blue multiplier is NaN"),
            ("rgb = [inf, 1.0, 1.0]", "red multiplier is inf"),
        ];
        for (body, want) in cases {
            let src = format!("[[tint]]\nname = \"t\"\n{body}\n");
            let msg = parse_tint_file(&src, "t.toml").unwrap_err().to_string();
            assert!(
                msg.contains("t.toml line 3:") && msg.contains(want),
                "{msg}"
            );
        }
        let ints = parse_tint_file("[[tint]]\nname = \"t\"\nrgb = [1, 2, 0]\n", "t").unwrap();
        assert_eq!(ints[0].rgb, [1.0, 2.0, 0.0]);
    }

    #[test]
    fn duplicate_names_in_a_file_are_errors() {
        let src =
            "[[tint]]\nname = \"a\"\nrgb = [1, 1, 1]\n\n[[tint]]\nname = \"A\"\nrgb = [1, 1, 1]\n";
        let msg = parse_tint_file(src, "t.toml").unwrap_err().to_string();
        assert!(
            msg.contains("line 6") && msg.contains("already used on line 2"),
            "{msg}"
        );
    }

    #[test]
    fn closest_suggests_near_names_only() {
        let p = Palettes::builtin();
        let colors = || p.colors.iter().map(|c| c.name.as_str());
        assert_eq!(closest("neno", colors()).first(), Some(&"neon"));
        assert_eq!(closest("NEON", colors()), ["neon"]);
        assert_eq!(closest("mono-gren", colors()).first(), Some(&"mono_green"));
        assert!(closest("zzzzzzzz", colors()).is_empty());
        assert!(closest("", colors()).is_empty());
        let many = closest("ab", ["ab", "ac", "ad", "ae", "ab"]);
        assert_eq!(
            many,
            ["ab", "ac", "ad"],
            "deduplicated, best and first-listed first"
        );
        let chars = || p.chars.iter().map(|c| c.name.as_str());
        assert_eq!(closest("brail", chars()).first(), Some(&"braille"));
    }

    #[test]
    fn typo_distance_counts_swaps_as_one_edit() {
        let d = |a: &str, b: &str| {
            typo_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("neno", "neon"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", "abc"), 0);
    }
}
