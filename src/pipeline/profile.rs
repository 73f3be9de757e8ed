//! Quality profiles (`--quality`) and the overrides that refine them.

/// A named quality profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Quality {
    /// 960×540 @ 12 fps, crf 28: fast looks at a render.
    Draft,
    /// 1280×720 @ 15 fps, crf 25.
    Preview,
    /// 1920×1080 @ 24 fps, crf 20: the finished video.
    #[default]
    Production,
    /// 3840×2160 @ 30 fps, crf 15.
    Max,
    /// Production, unless the estimated time is over an hour; then 1280×720 @ 24.
    Auto,
}

/// Resolved output settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Frames per second.
    pub fps: f64,
    /// Constant rate factor.
    pub crf: u32,
    /// x264 preset.
    pub encoder_preset: &'static str,
    /// How many particles particle systems may keep (`draft` low, `preview` standard, else
    /// high).
    pub particles: crate::effects::ParticleTier,
}

impl Quality {
    /// The profile's own numbers (landscape).
    pub fn profile(self) -> Profile {
        let (width, height, fps, crf, encoder_preset) = match self {
            Quality::Draft => (960, 540, 12.0, 28, "ultrafast"),
            Quality::Preview => (1280, 720, 15.0, 25, "veryfast"),
            Quality::Production | Quality::Auto => (1920, 1080, 24.0, 20, "veryfast"),
            Quality::Max => (3840, 2160, 30.0, 15, "veryfast"),
        };
        use crate::effects::ParticleTier;
        Profile {
            width,
            height,
            fps,
            crf,
            encoder_preset,
            particles: match self {
                Quality::Draft => ParticleTier::Low,
                Quality::Preview => ParticleTier::Standard,
                _ => ParticleTier::High,
            },
        }
    }

    /// The fallback `auto` uses when production would take over an hour.
    pub fn auto_fallback() -> Profile {
        Profile {
            width: 1280,
            height: 720,
            fps: 24.0,
            crf: 20,
            encoder_preset: "veryfast",
            particles: crate::effects::ParticleTier::Standard,
        }
    }
}

/// Frame orientation (`--aspect`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Aspect {
    /// 16:9.
    #[default]
    Landscape,
    /// 9:16.
    Portrait,
    /// 1:1.
    Square,
}

impl Profile {
    /// Apply an orientation to the profile's landscape size.
    pub fn with_aspect(mut self, aspect: Aspect) -> Profile {
        let (w, h) = (self.width, self.height);
        (self.width, self.height) = match aspect {
            Aspect::Landscape => (w, h),
            Aspect::Portrait => (h, w),
            Aspect::Square => (h, h),
        };
        self
    }
}

/// Parse `WxH` (both even and at least 16, as H.264 4:2:0 needs).
pub fn parse_resolution(s: &str) -> Result<(usize, usize), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("resolution `{s}` must look like 1920x1080"))?;
    let w: usize = w
        .trim()
        .parse()
        .map_err(|_| format!("resolution `{s}`: width is not a number"))?;
    let h: usize = h
        .trim()
        .parse()
        .map_err(|_| format!("resolution `{s}`: height is not a number"))?;
    if !(16..=8192).contains(&w) || !(16..=8192).contains(&h) {
        return Err(format!(
            "resolution `{s}`: width and height must be between 16 and 8192"
        ));
    }
    if w % 2 == 1 || h % 2 == 1 {
        return Err(format!(
            "resolution `{s}`: width and height must be even (H.264 4:2:0 needs it)"
        ));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_match_the_reference_numbers() {
        let p = Quality::Production.profile();
        assert_eq!((p.width, p.height, p.fps, p.crf), (1920, 1080, 24.0, 20));
        let d = Quality::Draft.profile();
        assert_eq!((d.width, d.height, d.fps, d.crf), (960, 540, 12.0, 28));
        let m = Quality::Max.profile();
        assert_eq!((m.width, m.height, m.fps, m.crf), (3840, 2160, 30.0, 15));
        let pv = Quality::Preview.profile().with_aspect(Aspect::Portrait);
        assert_eq!((pv.width, pv.height), (720, 1280));
    }

    #[test]
    fn resolution_parsing() {
        assert_eq!(parse_resolution("640x360"), Ok((640, 360)));
        assert!(parse_resolution("641x360").unwrap_err().contains("even"));
        assert!(parse_resolution("abc").is_err());
        assert!(parse_resolution("8x8").is_err());
    }
}
