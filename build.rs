//! Embeds the built-in presets of `effects/` (one TOML file per look).

use std::io::Write;

fn main() {
    println!("cargo:rerun-if-changed=effects");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("effects");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    entries.sort();
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_presets.rs");
    let mut f = std::fs::File::create(out).unwrap();
    writeln!(f, "&[").unwrap();
    for p in entries {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_stem().unwrap().to_string_lossy();
        writeln!(
            f,
            "    BuiltinPreset {{ name: {:?}, source: include_str!({:?}) }},",
            name,
            p.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "]").unwrap();
}
