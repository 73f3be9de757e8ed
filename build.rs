//! Embeds the built-in presets of `effects/` (one TOML file per look) and the built-in timelines
//! of `effects/timelines/`.

use std::io::Write;
use std::path::Path;

/// Write `out_name` in OUT_DIR: an array of `ty { name, source }` for every TOML file in `dir`.
fn embed(dir: &Path, out_name: &str, ty: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    entries.sort();
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join(out_name);
    let mut f = std::fs::File::create(out).unwrap();
    writeln!(f, "&[").unwrap();
    for p in entries {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_stem().unwrap().to_string_lossy();
        writeln!(
            f,
            "    {ty} {{ name: {:?}, source: include_str!({:?}) }},",
            name,
            p.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "]").unwrap();
}

fn main() {
    let effects = Path::new(env!("CARGO_MANIFEST_DIR")).join("effects");
    embed(&effects, "builtin_presets.rs", "BuiltinPreset");
    embed(
        &effects.join("timelines"),
        "builtin_timelines.rs",
        "BuiltinTimeline",
    );
}
