//! Evaluation of event detections (beats, onsets) against a reference, for tests and benches.

/// F-measure of estimated event times against reference times (seconds): each reference event
/// may be matched by at most one estimate within `±tol` seconds (as mir_eval's beat F-measure,
/// matched greedily in time order, which is optimal when events are more than `2·tol` apart).
///
/// Both empty gives 1 (nothing to find, nothing found); exactly one empty gives 0. Non-finite
/// times never match.
pub fn f_measure(estimated: &[f64], reference: &[f64], tol: f64) -> f64 {
    let clean = |v: &[f64]| {
        let mut v: Vec<f64> = v.iter().copied().filter(|t| t.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (est, refs) = (clean(estimated), clean(reference));
    if est.is_empty() && refs.is_empty() {
        return 1.0;
    }
    if est.is_empty() || refs.is_empty() {
        return 0.0;
    }
    let tol = if tol.is_finite() { tol.abs() } else { 0.0 };
    let mut matched = 0usize;
    let mut e = 0usize;
    for &r in &refs {
        // Estimates too early for this reference are too early for all later ones too.
        while e < est.len() && est[e] < r - tol {
            e += 1;
        }
        if e < est.len() && est[e] <= r + tol {
            matched += 1;
            e += 1;
        }
    }
    let precision = matched as f64 / est.len() as f64;
    let recall = matched as f64 / refs.len() as f64;
    if matched == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_partial_and_empty() {
        let r = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(f_measure(&r, &r, 0.07), 1.0);
        // Half the beats found, nothing spurious: P = 1, R = 0.5.
        assert!((f_measure(&[1.0, 3.05], &r, 0.07) - 2.0 / 3.0).abs() < 1e-12);
        // Off by more than the tolerance.
        assert_eq!(f_measure(&[1.1, 2.1], &r, 0.07), 0.0);
        // One estimate cannot match two references.
        assert!((f_measure(&[1.5], &[1.45, 1.55], 0.1) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(f_measure(&[], &[], 0.07), 1.0);
        assert_eq!(f_measure(&[1.0], &[], 0.07), 0.0);
        assert_eq!(f_measure(&[f64::NAN], &[1.0], 0.07), 0.0);
    }
}
