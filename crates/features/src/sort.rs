//! One shared stable sort (wasm size): every `sort_by`/`sort_by_key` on a new element type or
//! closure instantiates the whole std driftsort again (~3 KB of wasm each); this sorts a
//! permutation of `usize` through a `dyn` comparator with a small bottom-up merge sort, so no
//! std sort is linked at all.
use std::cmp::Ordering;

/// The stable sorting permutation of `0..n` under `cmp`: bottom-up merge sort (runs of 1, 2,
/// 4, … merged left-first on ties), O(n log n) comparisons.
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n).collect();
    let mut b = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            for slot in &mut b[lo..hi] {
                let take_left = j >= hi || (i < mid && cmp(a[j], a[i]) != Ordering::Less);
                if take_left {
                    *slot = a[i];
                    i += 1;
                } else {
                    *slot = a[j];
                    j += 1;
                }
            }
            lo = hi;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

/// Stable sort of `v` by `cmp` (same result as `v.sort_by(cmp)`).
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let p = permutation(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    let mut old: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(p.into_iter().filter_map(|i| old[i].take()));
}

/// Stable sort of `v` by a key (same result as `v.sort_by_key(key)`).
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_std_stable_sort() {
        // Pairs with many equal keys: stability shows in the second element.
        let base: Vec<(u8, usize)> = (0..500).map(|i| (((i * 7919) % 13) as u8, i)).collect();
        let mut ours = base.clone();
        sort_by_key(&mut ours, |p| p.0);
        let mut std_sorted = base.clone();
        std_sorted.sort_by_key(|p| p.0);
        assert_eq!(ours, std_sorted);
        let mut rev = base.clone();
        sort_by(&mut rev, |a, b| b.0.cmp(&a.0));
        let mut std_rev = base;
        std_rev.sort_by_key(|p| std::cmp::Reverse(p.0));
        assert_eq!(rev, std_rev);
        for n in 0..70 {
            let v: Vec<(u8, usize)> = (0..n).map(|i| (((i * 31 + 7) % 5) as u8, i)).collect();
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut theirs = v;
            theirs.sort_by_key(|a| a.0);
            assert_eq!(ours, theirs, "n = {n}");
        }
        let mut empty: Vec<u8> = Vec::new();
        sort_by_key(&mut empty, |x| *x);
        assert!(empty.is_empty());
    }
}
