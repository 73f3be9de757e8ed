//! `asciivid catalogue`: docs/CATALOGUE.md and a small still for every shader, blend mode,
//! effect, transform, mask, mood, colour strategy, feedback transform and built-in preset,
//! generated from the same registries that `asciivid list` and preset validation use, so the
//! document cannot drift from the code (a test compares the file with [`markdown`]).

mod quantize;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};

pub use quantize::{decode_rgb, png_bytes};

use crate::features::Features;
use crate::frame::Frame;
use crate::glyph::FontChain;
use crate::params::ParamSpec;
use crate::scene::Preset;

/// Still size: small, 16:9.
pub const WIDTH: usize = 256;
/// Still height.
pub const HEIGHT: usize = 144;
/// Frame rate of the synthetic track the stills are taken from.
const FPS: f64 = 12.0;
/// The frame shown (2.5 s in, after a few beats, so simulations and particles have grown).
pub const FRAME: u64 = 30;
/// Folder of the stills, relative to the document.
pub const IMG_DIR: &str = "img/catalogue";

/// The hand-written part of the document: what the reference lists and what exists.
const INTRO: &str = include_str!("intro.md");

/// One still of the catalogue.
#[derive(Clone, Debug)]
pub struct Still {
    /// Section slug (`shader`, `blend`, ...), the file name's prefix.
    pub kind: &'static str,
    /// Item name.
    pub name: String,
    /// The preset TOML that draws it.
    pub preset: String,
}

impl Still {
    /// File name under [`IMG_DIR`].
    pub fn file(&self) -> String {
        format!("{}-{}.png", self.kind, self.name)
    }
}

/// A colourful two-layer base that the shader, mood and feedback stills start from.
const BASE: &str = r##"
[[layers]]
effect = "plasma"
grid = "sm"
[[layers]]
effect = "sdf_shapes"
grid = "md"
blend = "screen"
params = { shape = 4, size = 0.6, spin = 0 }
[layers.color]
mode = "mono"
colors = ["#ffd23f"]
"##;

/// The blend stills: a blue-magenta field under orange rings blended with the mode.
fn blend_preset(mode: &str) -> String {
    format!(
        r##"
[[layers]]
effect = "plasma"
grid = "sm"
[layers.color]
mode = "gradient"
colors = ["#1a2a80", "#c040c0"]
[[layers]]
effect = "rings"
grid = "md"
blend = "{mode}"
[layers.color]
mode = "mono"
colors = ["#ff8020"]
"##
    )
}

/// The SDF shapes of `sdf_shapes` (`shape` = index) and its combinators (`combine` = index + 1).
pub const SDF_SHAPES: [&str; 7] = ["circle", "box", "ring", "triangle", "star", "heart", "line"];
/// The SDF combinators, in `combine` order from 1.
pub const SDF_COMBINE: [&str; 5] = [
    "union",
    "intersect",
    "subtract",
    "smooth_union",
    "smooth_subtract",
];

/// A tiled box pattern coloured left to right, so moved coordinates show.
const TRANSFORM_BASE: &str = r##"
[[layers]]
effect = "sdf_shapes"
grid = "sm"
params = { shape = 1, size = 0.3, repeat = 3, spin = 0 }
[layers.color]
hue = "gradient_h"
"##;

/// Layer settings an effect's still adds to show its intended look: effects that choose their
/// own glyphs (`pick`) or hues read best with a matching palette and `hue = "effect"`.
pub const EFFECT_LOOKS: [(&str, &str); 3] = [
    (
        "block_corrupt",
        "palette = \"dense\"\n[layers.color]\nhue = \"effect\"\n",
    ),
    ("freq_waves", "[layers.color]\nhue = \"effect\"\n"),
    (
        "hex_stream",
        "palette = \"hex\"\n[layers.color]\nhue = \"effect\"\n",
    ),
];

/// The extra layer lines of an effect's still ([`EFFECT_LOOKS`]), or "".
fn effect_look(name: &str) -> &'static str {
    EFFECT_LOOKS
        .iter()
        .find(|l| l.0 == name)
        .map_or("", |l| l.1)
}

/// The trail stills: every particle system with the reference's `draw_particle_trails`
/// settings (8 frames, fade 0.7).
const TRAIL_PARAMS: &str = "params = { trail = 8, trail_fade = 0.7 }";

/// Whether an effect is a particle system with trails.
fn has_trail(e: &crate::effects::EffectSpec) -> bool {
    e.params.iter().any(|p| p.name == "trail_fade")
}

/// Every still, in document order.
/// The words of the text layer's stills.
const TEXT: &str = "ASCII VIDEO";

/// A dimmed plasma under a text layer; a still appends the layer's `lyrics` table.
const TEXT_BASE: &str = "[[layers]]\neffect = \"plasma\"\ngrid = \"sm\"\nopacity = 0.4\n[[layers]]\neffect = \"lyrics\"\ngrid = \"xxl\"\nblend = \"normal\"\ncolor = { mode = \"mono\", colors = [\"#fff2d0\"] }\n";

/// Every still of the catalogue, each a small preset.
pub fn stills() -> Vec<Still> {
    let mut v = Vec::new();
    let mut add = |kind, name: &str, preset: String| {
        v.push(Still {
            kind,
            name: name.to_string(),
            preset,
        })
    };
    add("base", "picture", BASE.to_string());
    for s in crate::shaders::all() {
        add(
            "shader",
            s.name,
            format!("{BASE}\n[[shaders]]\nname = \"{}\"\n", s.name),
        );
    }
    for b in crate::compose::BlendMode::ALL {
        add("blend", b.name(), blend_preset(b.name()));
    }
    for b in crate::compose::BlendMode::ALL {
        add(
            "blend-linear",
            b.name(),
            blend_preset(b.name()).replace("blend = ", "linear = true\nblend = "),
        );
    }
    for e in crate::effects::all() {
        add(
            "effect",
            e.name,
            format!(
                "[[layers]]\neffect = \"{}\"\ngrid = \"sm\"\n{}",
                e.name,
                effect_look(e.name)
            ),
        );
    }
    for e in crate::effects::all().iter().filter(|e| has_trail(e)) {
        add(
            "trail",
            e.name,
            format!(
                "[[layers]]\neffect = \"{}\"\ngrid = \"sm\"\n{TRAIL_PARAMS}\n",
                e.name
            ),
        );
    }
    for (i, s) in SDF_SHAPES.iter().enumerate() {
        add(
            "sdf",
            s,
            format!(
                "[[layers]]\neffect = \"sdf_shapes\"\ngrid = \"sm\"\nparams = {{ shape = {i}, spin = 0 }}\n"
            ),
        );
    }
    for (i, c) in SDF_COMBINE.iter().enumerate() {
        add(
            "sdf",
            c,
            format!(
                "[[layers]]\neffect = \"sdf_shapes\"\ngrid = \"sm\"\nparams = {{ shape = 0, shape_b = 1, combine = {}, offset = 0.45, spin = 0, glow = 0.3 }}\n",
                i + 1
            ),
        );
    }
    for t in crate::scene::uv::specs() {
        add(
            "transform",
            t.name,
            format!(
                "{TRANSFORM_BASE}[[layers.transform]]\nname = \"{}\"\n",
                t.name
            ),
        );
    }
    for m in crate::scene::mask::specs() {
        // a field mask needs its effect: the edges of large Voronoi cells
        let field = if m.name == "field" {
            "effect = \"voronoi\"\neffect_params = { cells = 8, mode = \"edges\", speed = 0 }\nparams = { threshold = 0.3 }\n"
        } else {
            ""
        };
        add(
            "mask",
            m.name,
            format!(
                "[[layers]]\neffect = \"plasma\"\ngrid = \"sm\"\n[[layers.mask]]\nname = \"{}\"\n{field}",
                m.name
            ),
        );
    }
    for m in crate::scene::mood::specs() {
        add("mood", m.name, format!("mood = \"{}\"\n{BASE}", m.name));
    }
    for (m, _) in crate::listing::text_mode_items() {
        add(
            "text",
            m,
            format!(
                "{TEXT_BASE}lyrics = {{ text = \"{TEXT}\", mode = \"{m}\", backdrop = 0.8 }}\n"
            ),
        );
    }
    add(
        "text",
        "stencil",
        format!("{TEXT_BASE}lyrics = {{ text = \"{TEXT}\", stencil = true }}\n")
            .replace("grid = \"xxl\"", "grid = \"sm\""),
    );
    let (modes, hues) = crate::listing::color_items();
    for (m, _) in modes {
        let extra = match m {
            "palette" => "palette = \"neon\"\n",
            "harmony" => "colors = [\"#ff0066\"]\nharmony = \"triadic\"\n",
            "hsv" => "",
            _ => "colors = [\"#ff0066\", \"#00ccff\", \"#ffee00\"]\n",
        };
        add(
            "color",
            m,
            format!(
                "[[layers]]\neffect = \"plasma\"\ngrid = \"sm\"\n[layers.color]\nmode = \"{m}\"\n{extra}"
            ),
        );
    }
    for (h, _) in hues {
        add(
            "hue",
            h,
            format!(
                "[[layers]]\neffect = \"plasma\"\ngrid = \"sm\"\n[layers.color]\nhue = \"{h}\"\nhue_base = 0.1\n"
            ),
        );
    }
    for (f, _) in crate::listing::FEEDBACK_DOCS {
        add(
            "feedback",
            f,
            format!(
                "[[layers]]\neffect = \"sdf_shapes\"\ngrid = \"sm\"\nparams = {{ size = 0.35, spin = 2 }}\n[feedback]\ntransform = \"{f}\"\ndecay = 0.9\nopacity = 0.7\namount = 0.03\nhue_shift = 0.02\n"
            ),
        );
    }
    for b in crate::scene::preset::builtin_presets() {
        if let Ok(p) = Preset::parse(b.source, b.name)
            && !p.layers.iter().any(|l| l.is_video())
        {
            add("preset", b.name, b.source.to_string());
        }
    }
    v
}

/// The features every still reacts to: a seeded synthetic song (120 BPM, 4 s at 12 fps).
pub fn features() -> Arc<Features> {
    Arc::new(crate::audio::synthetic_features(120.0, FPS, 4.0, 1))
}

/// Render one still on one thread (frames before [`FRAME`] are replayed, as a render would).
pub fn render(still: &Still, features: &Arc<Features>, fonts: &FontChain) -> Result<Frame> {
    let origin = format!("catalogue still {}", still.file());
    let preset = Preset::parse(&still.preset, &origin)?;
    crate::pipeline::render_still(&preset, features.clone(), WIDTH, HEIGHT, 1, fonts, FRAME, 1)
        .with_context(|| origin.clone())
}

fn params_cell(ps: &[ParamSpec]) -> String {
    if ps.is_empty() {
        return "—".into();
    }
    ps.iter()
        .map(|p| {
            let names = if p.choices.is_empty() {
                String::new()
            } else {
                let quoted: Vec<String> = p.choices.iter().map(|c| format!("`{c}`")).collect();
                format!(" (by name: {})", quoted.join(" "))
            };
            format!(
                "`{}` {}–{}, default {}: {}{names}",
                p.name,
                num(p.min),
                num(p.max),
                num(p.default),
                p.doc.replace('|', "\\|")
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn num(v: f32) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn img(kind: &str, name: &str) -> String {
    format!("![{name}]({IMG_DIR}/{kind}-{name}.png)")
}

fn table_header(out: &mut String, with_params: bool) {
    if with_params {
        out.push_str(
            "| still | name | what it does | parameters (range, default) |\n|---|---|---|---|\n",
        );
    } else {
        out.push_str("| still | name | what it does |\n|---|---|---|\n");
    }
}

/// The whole document, from the registries (no rendering).
pub fn markdown() -> String {
    let mut o = String::new();
    o.push_str(INTRO);
    o.push_str("\n## Shaders (`asciivid list shaders`)\n\nEvery shader at its defaults over the same base picture:\n\n");
    let _ = writeln!(o, "{}\n", img("base", "picture"));
    table_header(&mut o, true);
    for s in crate::shaders::all() {
        let heavy = if s.heavy { " *(heavy)*" } else { "" };
        let _ = writeln!(
            o,
            "| {} | `{}`{heavy} | {} | {} |",
            img("shader", s.name),
            s.name,
            s.doc,
            params_cell(s.params)
        );
    }
    o.push_str("\n## Blend modes (`asciivid list blends`)\n\nOrange rings blended onto a blue-magenta plasma; the second still is the same with `linear = true` on the layer (the mode's formula in linear light).\n\n| sRGB | linear light | name | formula |\n|---|---|---|---|\n");
    for b in crate::compose::BlendMode::ALL {
        let _ = writeln!(
            o,
            "| {} | {} | `{}` | {} |",
            img("blend", b.name()),
            img("blend-linear", b.name()),
            b.name(),
            b.doc().replace('|', "\\|")
        );
    }
    o.push_str("\n## Effects (`asciivid list effects`)\n\nEach effect alone on a `sm` grid at its defaults, frame 30 of a synthetic 120 BPM track. Stateful effects (simulations, particles) are marked.\n\n");
    table_header(&mut o, true);
    for e in crate::effects::all() {
        let st = if e.stateful { " *(stateful)*" } else { "" };
        let caps = e.cap.map_or(String::new(), |c| {
            format!(
                "<br>`{}` capped by `--quality`: draft {}, preview {}, production/max {}",
                c.param,
                num(c.caps[0]),
                num(c.caps[1]),
                num(c.caps[2])
            )
        });
        let look = effect_look(e.name);
        let look = if look.is_empty() {
            String::new()
        } else {
            format!(
                "<br>still drawn with `{}`",
                look.trim_end()
                    .replace("[layers.color]\n", "")
                    .replace('\n', "`, `")
            )
        };
        let _ = writeln!(
            o,
            "| {} | `{}`{st} | {}{look} | {}{caps} |",
            img("effect", e.name),
            e.name,
            e.doc,
            params_cell(e.params)
        );
    }
    let _ = write!(
        o,
        "\n### Particle trails (`trail`, `trail_fade`)\n\nEvery particle system has `trail` (past positions kept, in frames at 24 fps; 0 = off) and `trail_fade` (brightness factor per frame of age): a cell a particle lit `a` frames ago shows `brightness · trail_fade^a` until `a` passes `trail` or the brightness drops below 0.05, the reference's `draw_particle_trails(max_trail=8, fade=0.7)`. Trails are kept per cell, not per particle, so they cost one pass over the grid whatever the particle count. The stills below use `{TRAIL_PARAMS}`.\n\n| still | effect |\n|---|---|\n"
    );
    for e in crate::effects::all().iter().filter(|e| has_trail(e)) {
        let _ = writeln!(o, "| {} | `{}` |", img("trail", e.name), e.name);
    }
    o.push_str("\n### SDF shapes and combinators (`sdf_shapes`)\n\n`shape` picks one of seven signed-distance shapes; `combine` joins it with `shape_b`, placed `offset` apart. Smooth combinations blend over `smooth`.\n\n| still | `shape` | still | `combine` |\n|---|---|---|---|\n");
    for (i, s) in SDF_SHAPES.iter().enumerate() {
        let c = SDF_COMBINE.get(i);
        let (cimg, cname) = c.map_or((String::new(), String::new()), |c| {
            (img("sdf", c), format!("{} `{c}`", i + 1))
        });
        let _ = writeln!(o, "| {} | {i} `{s}` | {cimg} | {cname} |", img("sdf", s));
    }
    o.push_str("\n## Coordinate transforms (`asciivid list transforms`)\n\nA layer's `[[layers.transform]]` list moves the coordinates its field is sampled at, in order. Shown on a tiled box pattern coloured left to right.\n\n");
    table_header(&mut o, true);
    for t in crate::scene::uv::specs() {
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} |",
            img("transform", t.name),
            t.name,
            t.doc,
            params_cell(t.params)
        );
    }
    o.push_str("\n## Masks (`asciivid list masks`)\n\nA layer's `[[layers.mask]]` list limits where it shows; `op = \"union\" | \"intersect\" | \"subtract\"` combines a mask with those before it, `invert = true` takes the outside. Shown on a plasma layer at the defaults.\n\n");
    table_header(&mut o, true);
    for m in crate::scene::mask::specs() {
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} |",
            img("mask", m.name),
            m.name,
            m.doc,
            params_cell(m.params)
        );
    }
    o.push_str("\n## Text layer (`asciivid list text`)\n\n");
    let t = &crate::text::LYRICS_EFFECT;
    let _ = writeln!(
        o,
        "`{}` (`effect = \"lyrics\"`): {}. Its `lyrics = {{ file | text, mode, position, width, backdrop, stencil }}` table and the SRT/LRC formats are in docs/TEXT.md. Parameters: {}\n\nDisplay modes (`mode`), each with `text = \"{TEXT}\"` over a dimmed plasma (`ticker`, `beat_words`, `messages` and `error_stamps` make their own text from it, the legacy overlays); `stencil = true` instead reveals the layers beneath through the letters:\n",
        t.name,
        t.doc,
        params_cell(t.params)
    );
    table_header(&mut o, false);
    for (m, d) in crate::listing::text_mode_items() {
        let _ = writeln!(o, "| {} | `{m}` | {d} |", img("text", m));
    }
    let _ = writeln!(
        o,
        "| {} | `stencil = true` | the letters as a stencil: only the look beneath shows, inside them |",
        img("text", "stencil")
    );
    o.push_str("\nPositions (`position`): ");
    let pos: Vec<String> = crate::listing::POSITION_DOCS
        .iter()
        .map(|(p, d)| format!("`{p}` ({d})"))
        .collect();
    o.push_str(&pos.join(", "));
    o.push_str(".\n");
    o.push_str("\n## Moods (`asciivid list moods`)\n\n`mood = \"NAME\"` in a preset (or a timeline section) appends the mood's shaders after the preset's own and uses its feedback when the preset has none. Shown over the shader base picture.\n\n| still | name | what it does | shaders | feedback |\n|---|---|---|---|---|\n");
    for m in crate::scene::mood::specs() {
        let def = crate::scene::mood::find(m.name);
        let shaders = def
            .map(|d| {
                d.shaders
                    .iter()
                    .map(|s| format!("`{}`", s.name.get_ref()))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let fb = def
            .and_then(|d| d.feedback.as_ref())
            .map(|f| format!("`{}`", f.transform.get_ref()))
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {shaders} | {fb} |",
            img("mood", m.name),
            m.name,
            m.doc
        );
    }
    let (modes, hues) = crate::listing::color_items();
    o.push_str("\n## Colour strategies (`asciivid list colors`)\n\n`[layers.color] mode = ...`, shown on a plasma layer:\n\n");
    table_header(&mut o, false);
    for (m, d) in &modes {
        let _ = writeln!(o, "| {} | `{m}` | {d} |", img("color", m));
    }
    o.push_str("\nHue sources of `mode = \"hsv\"` (`hue = ...`):\n\n");
    table_header(&mut o, false);
    for (h, d) in &hues {
        let _ = writeln!(o, "| {} | `{h}` | {d} |", img("hue", h));
    }
    o.push_str("\nHarmonies of `mode = \"harmony\"` (built in OKLCH, keeping the seed's lightness and chroma):\n\n| name | what it does |\n|---|---|\n");
    for (h, d) in crate::listing::HARMONY_DOCS {
        let _ = writeln!(o, "| `{h}` | {d} |");
    }
    o.push_str("\n## Feedback transforms (`asciivid list feedback`)\n\n`[feedback] transform = ...`, on a spinning star (decay 0.9, opacity 0.7, amount 0.03, hue_shift 0.02):\n\n");
    table_header(&mut o, false);
    for (f, d) in crate::listing::FEEDBACK_DOCS {
        let _ = writeln!(o, "| {} | `{f}` | {d} |", img("feedback", f));
    }
    o.push_str("\n## Transitions and easing (`asciivid list transitions`, `asciivid list easings`)\n\nUsed by timelines (docs/TIMELINES.md): `transition = { kind = ..., beats = 2, ease = ... }`.\n\n| transition | what it does |\n|---|---|\n");
    for (t, d) in crate::listing::TRANSITION_DOCS {
        let _ = writeln!(o, "| `{t}` | {d} |");
    }
    o.push_str("\n| easing | curve |\n|---|---|\n");
    for (e, d) in crate::listing::EASING_DOCS {
        let _ = writeln!(o, "| `{e}` | {d} |");
    }
    o.push_str("\n## Built-in presets (`asciivid list presets`)\n\n| still | name | description |\n|---|---|---|\n");
    let with_still: Vec<String> = stills()
        .into_iter()
        .filter(|s| s.kind == "preset")
        .map(|s| s.name)
        .collect();
    for b in crate::scene::preset::builtin_presets() {
        let desc = Preset::parse(b.source, b.name)
            .map(|p| p.description)
            .unwrap_or_default();
        let pic = if with_still.iter().any(|n| n == b.name) {
            img("preset", b.name)
        } else {
            "(needs a video input)".into()
        };
        let _ = writeln!(o, "| {pic} | `{}` | {desc} |", b.name);
    }
    o.push_str("\nTimelines: ");
    let tl: Vec<String> = crate::scene::timeline::builtin_timelines()
        .iter()
        .map(|b| format!("`{}`", b.name))
        .collect();
    o.push_str(&tl.join(", "));
    o.push_str(".\n\n## Palettes (`asciivid list palettes`)\n\nCharacter palettes: ");
    let pals = crate::palette::Palettes::builtin();
    let names: Vec<String> = pals.chars.iter().map(|p| format!("`{}`", p.name)).collect();
    o.push_str(&names.join(", "));
    o.push_str(".\n\nColour palettes: ");
    let names: Vec<String> = pals
        .colors
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect();
    o.push_str(&names.join(", "));
    o.push_str(".\n\nTints (for `color_grade`): ");
    let names: Vec<String> = pals.tints.iter().map(|p| format!("`{}`", p.name)).collect();
    o.push_str(&names.join(", "));
    o.push_str(".\n\n## Features (`asciivid list features`)\n\nAny parameter can follow one: `{ base = 1, feature = \"bass\", amount = 2 }`.\n\n| feature | what it measures |\n|---|---|\n");
    for f in crate::features::Feature::ALL {
        let _ = writeln!(o, "| `{}` | {} |", f.name(), f.doc());
    }
    o
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Number of stills.
    pub stills: usize,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// Render every still into `out/img/catalogue/` and write `out/CATALOGUE.md` (each file under a
/// temporary name first, renamed when complete). Stills render on `workers` threads, each
/// still on one thread, so the images do not depend on the worker count.
pub fn generate(out: &Path, workers: usize) -> Result<Summary> {
    use rayon::prelude::*;
    let dir = out.join(IMG_DIR);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {} (check the --out path)", dir.display()))?;
    let fonts = FontChain::bundled();
    let features = features();
    let stills = stills();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()?;
    let sizes: Vec<u64> = pool.install(|| {
        stills
            .par_iter()
            .map(|s| -> Result<u64> {
                let frame = render(s, &features, &fonts)?;
                let bytes = png_bytes(&frame)?;
                write_atomic(&dir.join(s.file()), &bytes)?;
                Ok(bytes.len() as u64)
            })
            .collect::<Result<Vec<_>>>()
    })?;
    write_atomic(&out.join("CATALOGUE.md"), markdown().as_bytes())?;
    Ok(Summary {
        stills: sizes.len(),
        bytes: sizes.iter().sum(),
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = crate::media::sink::temp_path(path);
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} into place", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
    }

    #[test]
    fn every_still_preset_is_valid_and_names_are_unique() {
        let all = stills();
        let mut files: Vec<String> = all.iter().map(Still::file).collect();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), all.len());
        for s in &all {
            Preset::parse(&s.preset, &s.file()).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// Fails when a registry changed without `asciivid catalogue --out docs` being re-run.
    #[test]
    fn catalogue_md_is_in_sync_with_the_registries() {
        let path = doc_path().join("CATALOGUE.md");
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == markdown(),
            "{} is out of date: run `cargo run --release -- catalogue --out docs`",
            path.display()
        );
        for s in stills() {
            let img = doc_path().join(IMG_DIR).join(s.file());
            assert!(
                img.exists(),
                "{} missing: regenerate the catalogue",
                img.display()
            );
        }
        // and every name `asciivid list … --json` prints appears in it
        for &w in crate::listing::What::ALL {
            let mut names = Vec::new();
            collect_names(&crate::listing::to_json(w), &mut names);
            for n in names {
                assert!(
                    on_disk.contains(&format!("`{n}`")),
                    "`{n}` ({}) is not in CATALOGUE.md",
                    w.name()
                );
            }
        }
    }

    fn collect_names(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Array(a) => {
                for x in a {
                    if let Some(n) = x.get("name").and_then(|n| n.as_str()) {
                        out.push(n.to_string());
                    } else {
                        collect_names(x, out);
                    }
                }
            }
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if k != "params" {
                        collect_names(x, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Golden images: a few stills re-rendered, reduced to the PNG's palette the same way, and
    /// compared with the committed PNGs, with a tolerance for other CPUs' float rounding.
    #[test]
    fn golden_stills_match_the_committed_images() {
        let fonts = FontChain::bundled();
        let features = features();
        let wanted = [
            ("shader", "invert"),
            ("shader", "kaleidoscope"),
            ("blend", "difference"),
            ("effect", "plasma"),
            ("effect", "reaction_diffusion"),
            ("mask", "circle"),
            ("transform", "twist"),
        ];
        for (kind, name) in wanted {
            let s = stills()
                .into_iter()
                .find(|s| s.kind == kind && s.name == name)
                .unwrap();
            let got =
                decode_rgb(&png_bytes(&render(&s, &features, &fonts).unwrap()).unwrap()).unwrap();
            let bytes = std::fs::read(doc_path().join(IMG_DIR).join(s.file())).unwrap();
            let want = decode_rgb(&bytes).unwrap();
            assert_eq!((want.width, want.height), (got.width, got.height));
            let n = got.data.len() as f64;
            let mean = got
                .data
                .iter()
                .zip(&want.data)
                .map(|(a, b)| (*a as f64 - *b as f64).abs())
                .sum::<f64>()
                / n;
            let far = got
                .data
                .iter()
                .zip(&want.data)
                .filter(|(a, b)| (**a as i32 - **b as i32).abs() > 24)
                .count() as f64
                / n;
            assert!(
                mean < 1.0 && far < 0.01,
                "{}: mean diff {mean:.2}, {:.2}% far off",
                s.file(),
                far * 100.0
            );
        }
    }
}
