//! Onset-strength envelope (librosa-style log-mel spectral flux with SuperFlux's frequency max
//! filter) and onset detection with sample-level attack refinement.

use super::config::AnalysisParams;
use super::dsp::{fast_ln, hann, lane_dot, lane_sum, windowed_copy};
use super::fft::PairFft;
use super::normalize::percentile;
use rayon::prelude::*;

/// Dynamic range kept by the log-mel spectrogram (librosa's `top_db`, which is 80). With 80 dB
/// the faint tail of one hit at the edge of the previous window lifts the reference far above
/// the floor and hides the next hit (a swung off-beat then outweighs the beat); 50 dB keeps
/// such tails at the floor.
const TOP_DB: f32 = 50.0;
/// Power floor before the log (librosa's `amin`), relative to a full-scale sine's peak bin.
const AMIN: f32 = 1e-10;
/// Mel bands centred below this feed the low-frequency envelope (kick and bass onsets) used for
/// beats and downbeats.
const LOW_BAND_HZ: f32 = 200.0;
/// Frames quieter than this (dB below the loudest frame) cannot hold an onset.
const GATE_DB: f32 = 50.0;
/// `10 / ln 10`: natural log to decibels of power.
const DB_PER_NEPER: f32 = 10.0 / std::f32::consts::LN_10;
/// Frames per parallel work item.
const CHUNK: usize = 64;

/// The onset-strength envelope of a whole signal at a fixed hop.
pub(crate) struct OnsetEnvelope {
    /// Envelope frames per second.
    pub rate: f64,
    /// Time (s) of index 0. librosa shifts by `n_fft / 2` because a log-magnitude flux fires
    /// when an event *enters* the window; half a hop less centres the quantization error, and
    /// [`onset_times`] then calibrates it on the track's own attacks.
    pub offset: f64,
    /// Onset strength: mean over mel bands of the rectified log-power increase.
    pub strength: Vec<f32>,
    /// The same over the bands below 200 Hz only (kick and bass onsets).
    pub low: Vec<f32>,
    /// Log-mel spectrogram (dB), `n_mels` values per frame, for harmonic-change measures.
    pub mel_db: Vec<f32>,
    /// Mel bands per frame in `mel_db`.
    pub n_mels: usize,
    /// Total power per frame (dB), for the silence gate.
    pub loud_db: Vec<f32>,
}

impl OnsetEnvelope {
    /// Number of envelope frames.
    pub fn len(&self) -> usize {
        self.strength.len()
    }

    /// Time (s) of envelope frame `j`.
    pub fn time(&self, j: usize) -> f64 {
        j as f64 / self.rate + self.offset
    }

    /// Mel frame `j` (dB).
    pub fn mel(&self, j: usize) -> &[f32] {
        &self.mel_db[j * self.n_mels..(j + 1) * self.n_mels]
    }
}

fn hz_to_mel(f: f32) -> f32 {
    2595.0 * (1.0 + f / 700.0).log10()
}

fn mel_to_hz(m: f32) -> f32 {
    700.0 * (10f32.powf(m / 2595.0) - 1.0)
}

/// Sparse triangular mel filters: per band its first bin and weights.
fn mel_filters(n_mels: usize, n_fft: usize, sr: u32) -> Vec<(usize, Vec<f32>)> {
    let nyq = sr as f32 / 2.0;
    let top = hz_to_mel(nyq);
    let edges: Vec<f32> = (0..n_mels + 2)
        .map(|i| mel_to_hz(top * i as f32 / (n_mels + 1) as f32))
        .collect();
    let bin_hz = sr as f32 / n_fft as f32;
    let bins = n_fft / 2 + 1;
    (0..n_mels)
        .map(|m| {
            let (lo, c, hi) = (edges[m], edges[m + 1], edges[m + 2]);
            // Never narrower than one bin on each side, or low bands would catch nothing.
            let (left, right) = ((c - lo).max(bin_hz), (hi - c).max(bin_hz));
            let first = (((c - left) / bin_hz).ceil().max(0.0) as usize).min(bins - 1);
            let last = (((c + right) / bin_hz).floor() as usize).min(bins - 1);
            let w: Vec<f32> = (first..=last.max(first))
                .map(|k| {
                    let f = k as f32 * bin_hz;
                    if f <= c {
                        (1.0 - (c - f) / left).max(0.0)
                    } else {
                        (1.0 - (f - c) / right).max(0.0)
                    }
                })
                .collect();
            (first, w)
        })
        .collect()
}

/// Log-mel spectrogram (dB, frame-major) and total power (dB) per frame of `x`, frames centred
/// at multiples of the hop.
fn log_mel(x: &[f32], p: &AnalysisParams) -> (Vec<f32>, Vec<f32>) {
    let (n, hop, n_mels) = (p.n_fft, p.onset_hop, p.n_mels);
    let frames = if x.is_empty() { 0 } else { x.len() / hop + 1 };
    let window = hann(n);
    // Power relative to a full-scale sine's peak bin, so thresholds do not depend on n_fft.
    let wsum: f32 = window.iter().sum();
    let pnorm = 4.0 / (wsum * wsum);
    let filters = mel_filters(n_mels, n, p.sample_rate);
    let plan = PairFft::plan(n);
    let mut mel_db = vec![0.0f32; frames * n_mels];
    let mut loud_db = vec![0.0f32; frames];
    let load = |j: usize, dst: &mut [f32]| {
        windowed_copy(x, (j * hop) as i64 - (n / 2) as i64, &window, dst);
    };
    let finish = |power: &[f32], mel: &mut [f32], loud: &mut f32| {
        *loud = 10.0 * (lane_sum(power) * pnorm).max(AMIN).log10();
        for (m, (first, w)) in mel.iter_mut().zip(&filters) {
            // 10·log10 via the fast natural log: 80 logs per frame add up.
            *m = DB_PER_NEPER * fast_ln((lane_dot(w, &power[*first..]) * pnorm).max(AMIN));
        }
    };
    mel_db
        .par_chunks_mut(CHUNK * n_mels)
        .zip(loud_db.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, (mel_chunk, loud_chunk))| {
            let mut fft = PairFft::new(&plan);
            let mut power = [vec![0.0f32; fft.bins()], vec![0.0f32; fft.bins()]];
            // Frames go through the FFT two at a time (see `fft`).
            for (i, (mel2, loud2)) in mel_chunk
                .chunks_mut(2 * n_mels)
                .zip(loud_chunk.chunks_mut(2))
                .enumerate()
            {
                let j = c * CHUNK + 2 * i;
                load(j, &mut fft.a);
                if loud2.len() == 2 {
                    load(j + 1, &mut fft.b);
                } else {
                    fft.b.fill(0.0);
                }
                let [p0, p1] = &mut power;
                fft.power(p0, p1);
                for ((mel, loud), pw) in mel2.chunks_mut(n_mels).zip(loud2).zip(&power) {
                    finish(pw, mel, loud);
                }
            }
        });
    // Never below the log floor itself, so silence stays flat (no flux out of "floor - top_db").
    let floor = (mel_db.iter().copied().fold(f32::NEG_INFINITY, f32::max) - TOP_DB)
        .max(10.0 * AMIN.log10());
    for v in &mut mel_db {
        *v = v.max(floor);
    }
    (mel_db, loud_db)
}

/// Rectified log-power increase per frame: the mean over all bands against the SuperFlux
/// max-filtered previous frame, and the mean over the first `low_bands` bands.
fn flux_envelopes(mel_db: &[f32], n_mels: usize, low_bands: usize) -> (Vec<f32>, Vec<f32>) {
    let frames = mel_db.len() / n_mels;
    let mut strength = vec![0.0f32; frames];
    let mut low = vec![0.0f32; frames];
    // Frame 0 has no predecessor: the jump from the digital silence before the file would be
    // the largest "onset" of any track that starts with sound (noise, a held chord), and would
    // swamp the tempo and beat statistics.
    for j in 1..frames {
        let cur = &mel_db[j * n_mels..(j + 1) * n_mels];
        let prev = &mel_db[(j - 1) * n_mels..j * n_mels];
        let mut sum = 0.0f32;
        let mut low_sum = 0.0f32;
        for m in 0..n_mels {
            // SuperFlux: compare with the max of the neighbouring bands in the previous frame so
            // vibrato and glides do not count as onsets.
            let lo = m.saturating_sub(1);
            let hi = (m + 1).min(n_mels - 1);
            let reference = prev[lo..=hi]
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            sum += (cur[m] - reference).max(0.0);
            if m < low_bands {
                low_sum += (cur[m] - prev[m]).max(0.0);
            }
        }
        strength[j] = sum / n_mels as f32;
        low[j] = low_sum / low_bands as f32;
    }
    (strength, low)
}

/// Compute the onset envelope of `x` (already at `p.sample_rate`).
pub(crate) fn envelope(x: &[f32], p: &AnalysisParams) -> OnsetEnvelope {
    let (mel_db, loud_db) = log_mel(x, p);
    let n_mels = p.n_mels;
    let top = hz_to_mel(p.sample_rate as f32 / 2.0);
    let low_bands = (0..n_mels)
        .take_while(|&m| mel_to_hz(top * (m + 1) as f32 / (n_mels + 1) as f32) < LOW_BAND_HZ)
        .count()
        .max(1);
    let (strength, low) = flux_envelopes(&mel_db, n_mels, low_bands);
    OnsetEnvelope {
        rate: p.sample_rate as f64 / p.onset_hop as f64,
        offset: (p.n_fft - p.onset_hop) as f64 / 2.0 / p.sample_rate as f64,
        strength,
        low,
        mel_db,
        n_mels,
        loud_db,
    }
}

/// Onset frames by adaptive-threshold peak picking (librosa's `onset_detect` defaults, made
/// symmetric since the whole track is known): a local maximum within ±30 ms that exceeds the
/// ±100 ms mean by `delta` (relative to the envelope's robust scale), at least `wait_s` after
/// the previous onset, and not in a frame 50 dB below the loudest.
pub(crate) fn pick_peaks(env: &OnsetEnvelope, delta: f32, wait_s: f32) -> Vec<usize> {
    let o = &env.strength;
    let max = o.iter().copied().fold(0.0f32, f32::max);
    let scale = percentile(o, 99.0).max(0.25 * max);
    if scale <= 1e-9 {
        return Vec::new();
    }
    let frames = |s: f64| (s * env.rate).round() as usize;
    let half_max = frames(0.03).max(1);
    let half_avg = frames(0.1).max(1);
    let wait = frames(wait_s as f64);
    let loudest = env
        .loud_db
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    let gate = (loudest - GATE_DB).max(10.0 * AMIN.log10() + 10.0);
    let threshold = delta * scale;
    let mut picks: Vec<usize> = Vec::new();
    for j in 0..o.len() {
        if o[j] <= 0.0 || env.loud_db[j] < gate {
            continue;
        }
        let lo = j.saturating_sub(half_max);
        let hi = (j + half_max).min(o.len() - 1);
        if o[lo..=hi].iter().any(|&v| v > o[j]) {
            continue;
        }
        let (alo, ahi) = (j.saturating_sub(half_avg), (j + half_avg).min(o.len() - 1));
        let mean = o[alo..=ahi].iter().sum::<f32>() / (ahi - alo + 1) as f32;
        if o[j] < mean + threshold {
            continue;
        }
        if let Some(&last) = picks.last()
            && j - last < wait.max(1)
        {
            continue;
        }
        picks.push(j);
    }
    picks
}

/// Short-block energies of the signal, for locating attacks to ~1 ms.
pub(crate) struct BlockEnergy {
    block: usize,
    sr: f64,
    e: Vec<f32>,
}

impl BlockEnergy {
    /// Energies of consecutive blocks of about 1.5 ms.
    pub fn new(x: &[f32], sr: u32) -> Self {
        let block = ((32.0 * sr as f64 / 22050.0).round() as usize).max(1);
        let e = x
            .chunks(block)
            .map(|c| c.iter().map(|v| v * v).sum())
            .collect();
        BlockEnergy {
            block,
            sr: sr as f64,
            e,
        }
    }

    /// The attack time near `t` (searched in `[t - before, t + after]`): the block where the
    /// energy ratio between a short front-weighted window after it and the window before it is
    /// largest. Returns `t` itself when there is no clear (3 dB) attack in the range.
    pub fn attack_near(&self, t: f64, before: f64, after: f64) -> f64 {
        const SIDE: usize = 4;
        let n = self.e.len();
        if n < 2 * SIDE + 1 {
            return t;
        }
        let to_block = |s: f64| (s * self.sr / self.block as f64).floor().max(0.0) as usize;
        let lo = to_block(t - before).max(SIDE);
        let hi = to_block(t + after).min(n - SIDE);
        if lo >= hi {
            return t;
        }
        // Front weights make the block that *contains* the attack win over the ones before it.
        let after_w = [1.0f32, 0.5, 0.25, 0.125];
        let before_scale = after_w.iter().sum::<f32>() / SIDE as f32;
        let after_e = |m: usize| -> f32 { (0..SIDE).map(|i| self.e[m + i] * after_w[i]).sum() };
        let peak = (lo..hi).map(after_e).fold(0.0f32, f32::max);
        let eps = 1e-3 * peak + 1e-12;
        let mut best = (0.0f32, lo);
        for m in lo..hi {
            let before_e: f32 = (1..=SIDE).map(|i| self.e[m - i]).sum::<f32>() * before_scale;
            let r = (after_e(m) + eps) / (before_e + eps);
            if r > best.0 {
                best = (r, m);
            }
        }
        if best.0 < 2.0 {
            return t;
        }
        (best.1 as f64 + 0.5) * self.block as f64 / self.sr
    }
}

/// Onset times (s): picked envelope peaks moved to the attack found in the samples, so they are
/// accurate to a millisecond or two instead of a hop (23 ms).
///
/// Also calibrates the envelope's time axis: how late a log-flux peak comes after the attack
/// depends on the material (an event over a quiet background fires as it enters the window,
/// one over a dense mix only near its centre), so `env.offset` is moved by the median of the
/// refinements, within a hop either way. Beats and the `onset_strength` column then line up
/// with the attacks of this particular track.
pub(crate) fn onset_times(
    env: &mut OnsetEnvelope,
    energy: &BlockEnergy,
    p: &AnalysisParams,
) -> Vec<f64> {
    let hop_s = 1.0 / env.rate;
    let picks = pick_peaks(env, p.onset_delta, p.onset_wait_s);
    let mut times: Vec<f64> = picks
        .iter()
        .map(|&j| energy.attack_near(env.time(j), 2.5 * hop_s, hop_s).max(0.0))
        .collect();
    let mut shifts: Vec<f64> = picks
        .iter()
        .zip(&times)
        .map(|(&j, &t)| t - env.time(j))
        .filter(|d| *d != 0.0)
        .collect();
    if !shifts.is_empty() {
        shifts.sort_by(f64::total_cmp);
        env.offset += shifts[shifts.len() / 2].clamp(-hop_s, hop_s);
    }
    times.sort_by(f64::total_cmp);
    let wait = p.onset_wait_s as f64;
    let mut out: Vec<f64> = Vec::with_capacity(times.len());
    for t in times {
        if out.last().is_none_or(|&l| t - l >= wait) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clicks(times: &[f64], sr: u32, seconds: f64) -> Vec<f32> {
        let mut x = vec![0.0f32; (seconds * sr as f64) as usize];
        for &t in times {
            let s = (t * sr as f64).round() as usize;
            for i in 0..64 {
                if s + i < x.len() {
                    x[s + i] += (1.0 - i as f32 / 64.0) * if i % 2 == 0 { 1.0 } else { -1.0 };
                }
            }
        }
        x
    }

    #[test]
    fn onsets_are_found_to_the_millisecond() {
        let p = AnalysisParams::default();
        let truth = [0.3137, 0.7771, 1.2503, 1.9049];
        let x = clicks(&truth, p.sample_rate, 2.5);
        let mut env = envelope(&x, &p);
        let energy = BlockEnergy::new(&x, p.sample_rate);
        let before = env.offset;
        let found = onset_times(&mut env, &energy, &p);
        assert!((env.offset - before).abs() <= 1.0 / env.rate);
        assert_eq!(found.len(), truth.len(), "{found:?}");
        for (f, t) in found.iter().zip(&truth) {
            assert!((f - t).abs() < 0.002, "onset {f} vs {t}");
        }
    }

    #[test]
    fn envelope_peaks_near_event_and_silence_is_flat() {
        let p = AnalysisParams::default();
        let x = clicks(&[1.0], p.sample_rate, 2.0);
        let env = envelope(&x, &p);
        let peak = (0..env.len())
            .max_by(|&a, &b| env.strength[a].total_cmp(&env.strength[b]))
            .unwrap();
        assert!((env.time(peak) - 1.0).abs() <= 0.5 / env.rate + 1e-9);
        let silent = envelope(&vec![0.0; 22050], &p);
        assert!(silent.strength.iter().all(|&v| v == 0.0));
        assert!(pick_peaks(&silent, p.onset_delta, p.onset_wait_s).is_empty());
        assert_eq!(envelope(&[], &p).len(), 0);
    }
}
