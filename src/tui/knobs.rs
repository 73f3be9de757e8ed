//! The parameter panel's rows: every tunable value of a preset, how to read it, step it and
//! toggle its owner. All edits go to the [`Preset`], the single source of truth that is saved.

use std::collections::BTreeMap;

use toml::Spanned;

use crate::compose::{BlendMode, FeedbackTransform};
use crate::features::Feature;
use crate::palette::Palettes;
use crate::params::ParamSpec;
use crate::scene::Param;
use crate::scene::preset::{GRID_SIZES, HUE_SOURCES, Preset};

/// One tunable value of a preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Knob {
    /// Layer header: on/off.
    Layer(usize),
    /// Effect parameter `.1` (spec order) of layer `.0`.
    Effect(usize, usize),
    /// Layer opacity.
    Opacity(usize),
    /// Layer blend mode.
    Blend(usize),
    /// Layer character palette.
    Palette(usize),
    /// Layer grid density.
    Grid(usize),
    /// Layer brightness.
    Brightness(usize),
    /// Layer character gamma.
    CharGamma(usize),
    /// Layer threshold.
    Threshold(usize),
    /// Hue source (hsv colour mode).
    HueSource(usize),
    /// Hue offset (hsv).
    HueBase(usize),
    /// Hue spread (hsv).
    HueScale(usize),
    /// Saturation (hsv).
    Saturation(usize),
    /// Colour palette (palette colour mode).
    ColorPalette(usize),
    /// Tonemap gamma.
    Gamma,
    /// Tonemap on/off.
    Tonemap,
    /// Feedback header: on/off.
    Feedback,
    /// Feedback decay.
    FbDecay,
    /// Feedback opacity.
    FbOpacity,
    /// Feedback movement amount.
    FbAmount,
    /// Feedback hue shift.
    FbHueShift,
    /// Feedback blend.
    FbBlend,
    /// Feedback movement.
    FbTransform,
    /// Shader header: on/off.
    Shader(usize),
    /// Shader parameter `.1` (spec order) of shader `.0`.
    ShaderParam(usize, usize),
}

/// How a knob's value behaves.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A [`Param`] (may be modulated) within a range.
    Param {
        /// Smallest value.
        min: f32,
        /// Largest value.
        max: f32,
    },
    /// A plain number within a range.
    Number {
        /// Smallest value.
        min: f32,
        /// Largest value.
        max: f32,
    },
    /// One of a list of names.
    Choice(Vec<String>),
    /// On/off.
    Toggle,
}

/// A row of the panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What it edits.
    pub knob: Knob,
    /// Left column text.
    pub label: String,
    /// Right column text.
    pub value: String,
    /// A section header (layer, feedback, shader).
    pub header: bool,
    /// Follows an audio feature.
    pub modulated: bool,
    /// Its section is on.
    pub active: bool,
}

/// Round the way saved presets are rounded (6 decimals), so the value the preview renders is
/// exactly the one a saved file reloads to.
pub fn snap(v: f32) -> f32 {
    if !v.is_finite() {
        return 0.0;
    }
    format!("{v:.6}").parse::<f32>().unwrap_or(v)
}

fn spanned(s: &str) -> Spanned<String> {
    Spanned::new(0..0, s.to_string())
}

/// A step's parameter by its spec, a named value turned into its number.
fn map_get(m: &BTreeMap<Spanned<String>, Param>, spec: &ParamSpec) -> Option<Param> {
    m.get(spec.name).map(|v| v.resolved(spec))
}

fn map_mut<'a>(m: &'a mut BTreeMap<Spanned<String>, Param>, spec: &ParamSpec) -> &'a mut Param {
    m.entry(spanned(spec.name))
        .or_insert(Param::constant(spec.default))
}

fn effect_spec(p: &Preset, k: usize) -> Option<&'static crate::effects::EffectSpec> {
    crate::effects::find(p.layers.get(k)?.effect.get_ref())
}

fn shader_spec(p: &Preset, s: usize) -> Option<&'static crate::shaders::ShaderSpec> {
    crate::shaders::find(p.shaders.get(s)?.name.get_ref())
}

fn names<T: AsRef<str>>(it: impl IntoIterator<Item = T>) -> Vec<String> {
    it.into_iter().map(|s| s.as_ref().to_string()).collect()
}

/// How `knob` behaves in `p` (`None` when the knob does not exist in it).
pub fn kind(p: &Preset, knob: Knob) -> Option<Kind> {
    let range = |min: f32, max: f32| Some(Kind::Param { min, max });
    let pals = Palettes::builtin();
    match knob {
        Knob::Layer(k) => p.layers.get(k).map(|_| Kind::Toggle),
        Knob::Effect(k, i) => effect_spec(p, k)?.params.get(i).map(|s| Kind::Param {
            min: s.min,
            max: s.max,
        }),
        Knob::Shader(s) => p.shaders.get(s).map(|_| Kind::Toggle),
        Knob::ShaderParam(s, i) => shader_spec(p, s)?.params.get(i).map(|s| Kind::Param {
            min: s.min,
            max: s.max,
        }),
        Knob::Feedback => p.feedback.as_ref().map(|_| Kind::Toggle),
        Knob::FbDecay | Knob::FbOpacity | Knob::FbAmount | Knob::FbHueShift => {
            p.feedback.as_ref()?;
            match knob {
                Knob::FbDecay => range(0.0, 0.99),
                Knob::FbOpacity => range(0.0, 1.0),
                Knob::FbAmount => range(-0.1, 0.1),
                _ => range(-0.5, 0.5),
            }
        }
        Knob::FbBlend => p
            .feedback
            .as_ref()
            .map(|_| Kind::Choice(names(BlendMode::ALL.iter().map(|b| b.name())))),
        Knob::FbTransform => p
            .feedback
            .as_ref()
            .map(|_| Kind::Choice(names(FeedbackTransform::NAMES))),
        Knob::Gamma => range(0.1, 4.0),
        Knob::Tonemap => Some(Kind::Toggle),
        Knob::Opacity(k) | Knob::Saturation(k) => p.layers.get(k).and(range(0.0, 1.0)),
        Knob::Brightness(k) => p.layers.get(k).and(range(0.0, 4.0)),
        Knob::CharGamma(k) => p.layers.get(k).and(range(0.1, 4.0)),
        Knob::HueBase(k) => p.layers.get(k).and(range(-1.0, 2.0)),
        Knob::HueScale(k) => p.layers.get(k).and(range(-4.0, 4.0)),
        Knob::Threshold(k) => p.layers.get(k).map(|_| Kind::Number {
            min: 0.0,
            max: 0.95,
        }),
        Knob::Blend(k) => p
            .layers
            .get(k)
            .map(|_| Kind::Choice(names(BlendMode::ALL.iter().map(|b| b.name())))),
        Knob::Palette(k) => p
            .layers
            .get(k)
            .map(|_| Kind::Choice(names(pals.chars.iter().map(|c| c.name.as_str())))),
        Knob::Grid(k) => p
            .layers
            .get(k)
            .map(|_| Kind::Choice(names(GRID_SIZES.iter().map(|g| g.0)))),
        Knob::HueSource(k) => p.layers.get(k).map(|_| Kind::Choice(names(HUE_SOURCES))),
        Knob::ColorPalette(k) => p
            .layers
            .get(k)
            .map(|_| Kind::Choice(names(pals.colors.iter().map(|c| c.name.as_str())))),
    }
}

/// The [`Param`] behind a knob, if it is one.
pub fn param(p: &Preset, knob: Knob) -> Option<Param> {
    let l = |k: usize| p.layers.get(k);
    match knob {
        Knob::Effect(k, i) => {
            let spec = effect_spec(p, k)?.params.get(i)?;
            Some(map_get(&l(k)?.params, spec).unwrap_or(Param::constant(spec.default)))
        }
        Knob::ShaderParam(s, i) => {
            let spec = shader_spec(p, s)?.params.get(i)?;
            let step = &p.shaders[s];
            let tint = step
                .tint
                .as_ref()
                .and_then(|t| Palettes::builtin().tint(t.get_ref()))
                .filter(|_| i < 3)
                .map(|t| Param::constant(t.rgb[i]));
            Some(
                map_get(&step.params, spec)
                    .or(tint)
                    .unwrap_or(Param::constant(spec.default)),
            )
        }
        Knob::Opacity(k) => Some(l(k)?.opacity.clone()),
        Knob::Brightness(k) => Some(l(k)?.brightness.clone()),
        Knob::CharGamma(k) => Some(l(k)?.char_gamma.clone()),
        Knob::HueBase(k) => Some(l(k)?.color.hue_base.clone()),
        Knob::HueScale(k) => Some(l(k)?.color.hue_scale.clone()),
        Knob::Saturation(k) => Some(l(k)?.color.saturation.clone()),
        Knob::Gamma => Some(p.gamma.clone()),
        Knob::FbDecay => Some(p.feedback.as_ref()?.decay.clone()),
        Knob::FbOpacity => Some(p.feedback.as_ref()?.opacity.clone()),
        Knob::FbAmount => Some(p.feedback.as_ref()?.amount.clone()),
        Knob::FbHueShift => Some(p.feedback.as_ref()?.hue_shift.clone()),
        _ => None,
    }
}

/// The [`Param`] behind a knob, mutably (effect and shader parameters left at their default
/// are added to the preset's table).
pub fn param_mut(p: &mut Preset, knob: Knob) -> Option<&mut Param> {
    // Read the current value first: a tinted shader parameter becomes explicit at that value.
    let current = param(p, knob)?;
    match knob {
        Knob::Effect(k, i) => {
            let spec = effect_spec(p, k)?.params.get(i)?;
            Some(map_mut(&mut p.layers[k].params, spec))
        }
        Knob::ShaderParam(s, i) => {
            let spec = shader_spec(p, s)?.params.get(i)?;
            Some(
                p.shaders[s]
                    .params
                    .entry(spanned(spec.name))
                    .or_insert(current),
            )
        }
        Knob::Opacity(k) => Some(&mut p.layers[k].opacity),
        Knob::Brightness(k) => Some(&mut p.layers[k].brightness),
        Knob::CharGamma(k) => Some(&mut p.layers[k].char_gamma),
        Knob::HueBase(k) => Some(&mut p.layers[k].color.hue_base),
        Knob::HueScale(k) => Some(&mut p.layers[k].color.hue_scale),
        Knob::Saturation(k) => Some(&mut p.layers[k].color.saturation),
        Knob::Gamma => Some(&mut p.gamma),
        Knob::FbDecay => p.feedback.as_mut().map(|f| &mut f.decay),
        Knob::FbOpacity => p.feedback.as_mut().map(|f| &mut f.opacity),
        Knob::FbAmount => p.feedback.as_mut().map(|f| &mut f.amount),
        Knob::FbHueShift => p.feedback.as_mut().map(|f| &mut f.hue_shift),
        _ => None,
    }
}

fn choice_mut(p: &mut Preset, knob: Knob) -> Option<&mut Spanned<String>> {
    let hsv_only = |p: &Preset, k: usize| {
        p.layers
            .get(k)
            .is_some_and(|l| l.color.mode.get_ref() == "hsv")
    };
    match knob {
        Knob::Blend(k) => p.layers.get_mut(k).map(|l| &mut l.blend),
        Knob::Palette(k) => p.layers.get_mut(k).map(|l| &mut l.palette),
        Knob::Grid(k) => p.layers.get_mut(k).map(|l| &mut l.grid),
        Knob::HueSource(k) if hsv_only(p, k) => p.layers.get_mut(k).map(|l| &mut l.color.hue),
        Knob::ColorPalette(k) => p.layers.get_mut(k)?.color.palette.as_mut(),
        Knob::FbBlend => p.feedback.as_mut().map(|f| &mut f.blend),
        Knob::FbTransform => p.feedback.as_mut().map(|f| &mut f.transform),
        _ => None,
    }
}

fn toggle_mut(p: &mut Preset, knob: Knob) -> Option<&mut bool> {
    match knob {
        Knob::Layer(k) => p.layers.get_mut(k).map(|l| &mut l.enabled),
        Knob::Shader(s) => p.shaders.get_mut(s).map(|s| &mut s.enabled),
        Knob::Feedback => p.feedback.as_mut().map(|f| &mut f.enabled),
        Knob::Tonemap => Some(&mut p.tonemap),
        _ => None,
    }
}

/// The header a row belongs to (what `t` toggles from anywhere in a section).
pub fn section(knob: Knob) -> Knob {
    match knob {
        Knob::Effect(k, _)
        | Knob::Opacity(k)
        | Knob::Blend(k)
        | Knob::Palette(k)
        | Knob::Grid(k)
        | Knob::Brightness(k)
        | Knob::CharGamma(k)
        | Knob::Threshold(k)
        | Knob::HueSource(k)
        | Knob::HueBase(k)
        | Knob::HueScale(k)
        | Knob::Saturation(k)
        | Knob::ColorPalette(k) => Knob::Layer(k),
        Knob::ShaderParam(s, _) => Knob::Shader(s),
        Knob::FbDecay
        | Knob::FbOpacity
        | Knob::FbAmount
        | Knob::FbHueShift
        | Knob::FbBlend
        | Knob::FbTransform => Knob::Feedback,
        Knob::Gamma => Knob::Tonemap,
        k => k,
    }
}

/// The layer a knob belongs to, if any.
pub fn layer_of(knob: Knob) -> Option<usize> {
    match section(knob) {
        Knob::Layer(k) => Some(k),
        _ => None,
    }
}

/// Flip a section on or off. Returns true when something changed.
pub fn toggle(p: &mut Preset, knob: Knob) -> bool {
    match toggle_mut(p, section(knob)) {
        Some(b) => {
            *b = !*b;
            true
        }
        None => false,
    }
}

/// Move a knob `dir` steps (±1): 1/100 of its range, or 1/10 when `coarse`; choices cycle,
/// toggles flip. Returns true when the preset changed.
pub fn step(p: &mut Preset, knob: Knob, dir: i32, coarse: bool) -> bool {
    let Some(kind) = kind(p, knob) else {
        return false;
    };
    let frac = if coarse { 0.1 } else { 0.01 };
    match kind {
        Kind::Toggle => toggle_mut(p, knob).map(|b| *b = !*b).is_some(),
        Kind::Param { min, max } => {
            // The current value with any named choice resolved: the edit stores a number.
            let Some(cur) = param(p, knob) else {
                return false;
            };
            let Some(par) = param_mut(p, knob) else {
                return false;
            };
            let step = (max - min) * frac;
            let v = snap((cur.base + dir as f32 * step).clamp(min, max));
            let changed = v != cur.base;
            *par = Param { base: v, ..cur };
            changed
        }
        Kind::Number { min, max } => {
            let Knob::Threshold(k) = knob else {
                return false;
            };
            let t = &mut p.layers[k].threshold;
            let v = snap((*t + dir as f32 * (max - min) * frac).clamp(min, max));
            let changed = v != *t;
            *t = v;
            changed
        }
        Kind::Choice(list) => {
            let Some(cur) = choice_mut(p, knob) else {
                return false;
            };
            if list.is_empty() {
                return false;
            }
            let i = list.iter().position(|n| n == cur.get_ref());
            let n = list.len() as i32;
            let next = match i {
                Some(i) => (i as i32 + dir).rem_euclid(n) as usize,
                None => 0,
            };
            *cur = spanned(&list[next]);
            true
        }
    }
}

fn fmt_param(par: &Param) -> String {
    match par.feature {
        None => format!("{:.3}", par.base),
        Some(f) => format!("{:.3}~{}", par.base, f.name()),
    }
}

fn push(rows: &mut Vec<Row>, p: &Preset, knob: Knob, label: String, active: bool) {
    let value = match kind(p, knob) {
        Some(Kind::Param { .. }) => param(p, knob).map(|v| fmt_param(&v)).unwrap_or_default(),
        Some(Kind::Number { .. }) => match knob {
            Knob::Threshold(k) => format!("{:.3}", p.layers[k].threshold),
            _ => String::new(),
        },
        Some(Kind::Toggle) => {
            let mut q = p.clone();
            let on = toggle_mut(&mut q, knob).is_some_and(|b| *b);
            if on { "on" } else { "off" }.to_string()
        }
        Some(Kind::Choice(_)) => {
            let mut q = p.clone();
            choice_mut(&mut q, knob)
                .map(|s| s.get_ref().clone())
                .unwrap_or_else(|| "-".into())
        }
        None => return,
    };
    let header = matches!(knob, Knob::Layer(_) | Knob::Shader(_) | Knob::Feedback);
    let modulated = param(p, knob).is_some_and(|v| v.feature.is_some());
    rows.push(Row {
        knob,
        label,
        value,
        header,
        modulated,
        active,
    });
}

/// Every row of the panel for `p`, top to bottom.
pub fn rows(p: &Preset) -> Vec<Row> {
    let mut rows = Vec::new();
    push(&mut rows, p, Knob::Tonemap, "tonemap".into(), true);
    push(&mut rows, p, Knob::Gamma, "  gamma".into(), p.tonemap);
    for (k, l) in p.layers.iter().enumerate() {
        let on = l.enabled;
        push(
            &mut rows,
            p,
            Knob::Layer(k),
            format!("layer {} {}", k + 1, l.effect.get_ref()),
            on,
        );
        if let Some(spec) = effect_spec(p, k) {
            for (i, s) in spec.params.iter().enumerate() {
                push(
                    &mut rows,
                    p,
                    Knob::Effect(k, i),
                    format!("  {}", s.name),
                    on,
                );
            }
        }
        for (knob, name) in [
            (Knob::Opacity(k), "opacity"),
            (Knob::Blend(k), "blend"),
            (Knob::Palette(k), "palette"),
            (Knob::Grid(k), "grid"),
            (Knob::Brightness(k), "brightness"),
            (Knob::CharGamma(k), "char_gamma"),
            (Knob::Threshold(k), "threshold"),
        ] {
            push(&mut rows, p, knob, format!("  {name}"), on);
        }
        match l.color.mode.get_ref().as_str() {
            "hsv" => {
                for (knob, name) in [
                    (Knob::HueSource(k), "hue"),
                    (Knob::HueBase(k), "hue_base"),
                    (Knob::HueScale(k), "hue_scale"),
                    (Knob::Saturation(k), "saturation"),
                ] {
                    push(&mut rows, p, knob, format!("  {name}"), on);
                }
            }
            "palette" => push(&mut rows, p, Knob::ColorPalette(k), "  colors".into(), on),
            _ => {}
        }
    }
    if let Some(fb) = &p.feedback {
        let on = fb.enabled;
        push(&mut rows, p, Knob::Feedback, "feedback".into(), on);
        for (knob, name) in [
            (Knob::FbDecay, "decay"),
            (Knob::FbOpacity, "opacity"),
            (Knob::FbBlend, "blend"),
            (Knob::FbTransform, "transform"),
            (Knob::FbAmount, "amount"),
            (Knob::FbHueShift, "hue_shift"),
        ] {
            push(&mut rows, p, knob, format!("  {name}"), on);
        }
    }
    for (s, step) in p.shaders.iter().enumerate() {
        let on = step.enabled;
        push(
            &mut rows,
            p,
            Knob::Shader(s),
            format!("shader {}", step.name.get_ref()),
            on,
        );
        if let Some(spec) = shader_spec(p, s) {
            for (i, ps) in spec.params.iter().enumerate() {
                push(
                    &mut rows,
                    p,
                    Knob::ShaderParam(s, i),
                    format!("  {}", ps.name),
                    on,
                );
            }
        }
    }
    rows
}

/// The modulation fields of a [`Param`], as the modulation editor shows them.
pub const MOD_FIELDS: [&str; 4] = ["feature", "amount", "attack", "release"];

/// Step field `field` (index into [`MOD_FIELDS`]) of a parameter's modulation.
pub fn step_modulation(par: &mut Param, field: usize, dir: i32, coarse: bool) {
    let k = if coarse { 10.0 } else { 1.0 };
    match field {
        0 => {
            // None, then every feature in column order.
            let all = Feature::ALL;
            let idx = par.feature.map_or(0, |f| f as usize + 1) as i32;
            let next = (idx + dir).rem_euclid(all.len() as i32 + 1) as usize;
            par.feature = if next == 0 { None } else { Some(all[next - 1]) };
            if par.feature.is_some() && par.amount == 0.0 {
                par.amount = 0.5;
            }
        }
        1 => par.amount = snap((par.amount + dir as f32 * 0.05 * k).clamp(-4.0, 4.0)),
        2 => par.attack = snap((par.attack + dir as f32 * 0.01 * k).clamp(0.0, 4.0)),
        _ => par.release = snap((par.release + dir as f32 * 0.05 * k).clamp(0.0, 8.0)),
    }
}

/// The text of a modulation field.
pub fn modulation_value(par: &Param, field: usize) -> String {
    match field {
        0 => par
            .feature
            .map_or("none".to_string(), |f| f.name().to_string()),
        1 => format!("{:.3}", par.amount),
        2 => format!("{:.3} s", par.attack),
        _ => format!("{:.3} s", par.release),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::preset::resolve;

    fn default() -> Preset {
        resolve("default").unwrap()
    }

    #[test]
    fn every_layer_effect_param_and_shader_is_listed() {
        let p = default();
        let r = rows(&p);
        for (k, l) in p.layers.iter().enumerate() {
            let spec = crate::effects::find(l.effect.get_ref()).unwrap();
            assert!(r.iter().any(|row| row.knob == Knob::Layer(k) && row.header));
            for i in 0..spec.params.len() {
                assert!(
                    r.iter().any(|row| row.knob == Knob::Effect(k, i)),
                    "layer {k} param {i}"
                );
            }
            assert!(r.iter().any(|row| row.knob == Knob::Opacity(k)));
            assert!(r.iter().any(|row| row.knob == Knob::Palette(k)));
        }
        for (s, st) in p.shaders.iter().enumerate() {
            let spec = crate::shaders::find(st.name.get_ref()).unwrap();
            for i in 0..spec.params.len() {
                assert!(r.iter().any(|row| row.knob == Knob::ShaderParam(s, i)));
            }
        }
        // the modulated `bri` of layer 1 shows its feature
        let bri = crate::effects::find("plasma")
            .unwrap()
            .params
            .iter()
            .position(|s| s.name == "bri")
            .unwrap();
        let row = r
            .iter()
            .find(|row| row.knob == Knob::Effect(0, bri))
            .unwrap();
        assert!(row.modulated && row.value.contains("rms"), "{row:?}");
    }

    #[test]
    fn stepping_moves_by_a_hundredth_or_a_tenth_of_the_range_and_clamps() {
        let mut p = default();
        let before = param(&p, Knob::Opacity(0)).unwrap().base;
        assert!(step(&mut p, Knob::Opacity(0), 1, false));
        assert_eq!(
            param(&p, Knob::Opacity(0)).unwrap().base,
            snap(before + 0.01)
        );
        assert!(step(&mut p, Knob::Opacity(0), -1, true));
        assert_eq!(
            param(&p, Knob::Opacity(0)).unwrap().base,
            snap(snap(before + 0.01) - 0.1)
        );
        for _ in 0..30 {
            step(&mut p, Knob::Opacity(0), 1, true);
        }
        assert_eq!(param(&p, Knob::Opacity(0)).unwrap().base, 1.0);
        assert!(
            !step(&mut p, Knob::Opacity(0), 1, true),
            "clamped: no change"
        );
    }

    #[test]
    fn an_effect_param_left_at_default_becomes_explicit() {
        let mut p = default();
        let spec = crate::effects::find("rings").unwrap();
        let i = spec
            .params
            .iter()
            .position(|s| !p.layers[1].params.keys().any(|k| k.get_ref() == s.name))
            .unwrap();
        assert_eq!(
            param(&p, Knob::Effect(1, i)).unwrap().base,
            spec.params[i].default
        );
        step(&mut p, Knob::Effect(1, i), 1, true);
        let name = spec.params[i].name;
        assert!(p.layers[1].params.keys().any(|k| k.get_ref() == name));
        // and the preset still validates after a round trip
        let back = Preset::parse(&p.to_toml(), "t").unwrap();
        assert_eq!(
            param(&back, Knob::Effect(1, i)),
            param(&p, Knob::Effect(1, i))
        );
    }

    #[test]
    fn choices_cycle_and_toggles_flip() {
        let mut p = default();
        let blend0 = p.layers[0].blend.get_ref().clone();
        step(&mut p, Knob::Blend(0), 1, false);
        assert_ne!(p.layers[0].blend.get_ref(), &blend0);
        step(&mut p, Knob::Blend(0), -1, false);
        assert_eq!(p.layers[0].blend.get_ref(), &blend0);
        assert!(p.shaders[0].enabled);
        assert!(toggle(&mut p, Knob::ShaderParam(0, 0)));
        assert!(!p.shaders[0].enabled);
        assert!(toggle(&mut p, Knob::Opacity(1)));
        assert!(!p.layers[1].enabled);
        // a knob that does not exist changes nothing
        assert!(!step(&mut p, Knob::FbDecay, 1, false));
        assert!(!step(&mut p, Knob::Opacity(9), 1, false));
    }

    #[test]
    fn modulation_editing_round_trips() {
        let mut par = Param::constant(0.5);
        step_modulation(&mut par, 0, 1, false);
        assert_eq!(par.feature, Some(Feature::ALL[0]));
        assert_eq!(par.amount, 0.5);
        step_modulation(&mut par, 0, -1, false);
        assert_eq!(par.feature, None);
        step_modulation(&mut par, 0, -1, false);
        assert_eq!(par.feature, Some(*Feature::ALL.last().unwrap()));
        step_modulation(&mut par, 3, 1, true);
        assert_eq!(par.release, 0.5);
        step_modulation(&mut par, 2, -1, false);
        assert_eq!(par.attack, 0.0);
        assert_eq!(modulation_value(&par, 3), "0.500 s");
    }

    #[test]
    fn snapped_values_survive_a_toml_round_trip() {
        for v in [0.1f32, 0.33, 1.0 / 3.0, 2.5123457, 64.1, -0.015] {
            let s = snap(v);
            let text = format!("{:.6}", s);
            assert_eq!(text.parse::<f32>().unwrap(), s, "{v}");
        }
    }
}
