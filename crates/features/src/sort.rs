//! One shared stable sort: std's `sort_by`, instantiated once. Every `sort_by`/`sort_by_key` on a
//! new element type or closure instantiates the whole std driftsort again (~3 KB of wasm each), so
//! the features sort a permutation of `usize` through one `dyn` comparator and apply it.
use std::cmp::Ordering;

/// The stable sorting permutation of `0..n` under `cmp` (std's stable sort, O(n log n)).
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    p.sort_by(|&a, &b| cmp(a, b));
    p
}

/// Stable sort of `v` by `cmp` (same result as `v.sort_by(cmp)`).
///
/// ```
/// let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
/// harvest_features::sort::sort_by(&mut v, |a, b| a.0.cmp(&b.0));
/// assert_eq!(v, [(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
/// ```
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let p = permutation(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    let mut old: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(p.into_iter().filter_map(|i| old[i].take()));
}

/// Stable sort of `v` by a key (same result as `v.sort_by_key(key)`).
///
/// ```
/// let mut v = vec![3, -1, 2, -3];
/// harvest_features::sort::sort_by_key(&mut v, |x: &i32| x.abs());
/// assert_eq!(v, [-1, 2, 3, -3]);
/// ```
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
