//! RGB frame buffers shared by the rasterizer, the shaders and the sinks.

/// An 8-bit RGB frame, rows top to bottom, pixels interleaved as `r, g, b`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 3` bytes.
    pub data: Vec<u8>,
}

impl Frame {
    /// A black frame of the given size.
    pub fn new(width: usize, height: usize) -> Self {
        Frame {
            width,
            height,
            data: vec![0; width * height * 3],
        }
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.width * 3
    }

    /// Resize in place (contents become black); no allocation when the size is unchanged.
    pub fn resize(&mut self, width: usize, height: usize) {
        self.width = width;
        self.height = height;
        self.data.clear();
        self.data.resize(width * height * 3, 0);
    }

    /// Set every byte to zero.
    pub fn clear(&mut self) {
        self.data.fill(0);
    }

    /// Mean of all channel values (0–255): the "is it too dark" check of `--test-frame`.
    pub fn mean_brightness(&self) -> f64 {
        if self.data.is_empty() {
            return 0.0;
        }
        let sum: u64 = self
            .data
            .chunks(1 << 16)
            .map(|c| c.iter().map(|&b| b as u64).sum::<u64>())
            .sum();
        sum as f64 / self.data.len() as f64
    }

    /// The pixel at (x, y).
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }
}

/// Per-frame timing and identity handed to every stage, so that every random draw can be keyed
/// on (seed, frame, …) and results never depend on thread count or shard boundaries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameCtx {
    /// Frame number from the start of the output (0-based).
    pub index: u64,
    /// Seconds since the start of the output: `index / fps`.
    pub time: f32,
    /// Output frame rate.
    pub fps: f32,
    /// The render seed.
    pub seed: u64,
}

impl FrameCtx {
    /// The context of frame `index` at `fps` with `seed`.
    pub fn new(index: u64, fps: f32, seed: u64) -> Self {
        FrameCtx {
            index,
            time: (index as f64 / fps as f64) as f32,
            fps,
            seed,
        }
    }
}
