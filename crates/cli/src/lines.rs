//! A line-parallel pipeline for JSON Lines: read blocks, split at newlines, process the lines of a
//! block on all cores, write the outputs in input order.

use std::io::{self, Read, Write};

use sha2::{Digest as _, Sha256};

/// Size of one read block.
const BLOCK: usize = 4 << 20;

/// What a pass over the input saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineStats {
    /// Lines in the input (blank ones included).
    pub lines: usize,
    /// Lines the worker handled (it returned `Some`).
    pub records: usize,
    /// Lines the worker reported as failed (it returned `Some(false)`).
    pub failed: usize,
    /// Bytes read.
    pub bytes: u64,
    /// SHA-256 of the input, hex (empty unless hashing was asked for).
    pub sha256: String,
}

/// The longest line a line-parallel command reads (1 MiB): a longer one is read past, counted
/// and reported by its number and length, never held in memory whole.
pub const MAX_LINE: usize = harvest_features::reviewer::verify::MAX_LINE_BYTES;

/// Runs `work(line_number, line_bytes, out_buffer, accumulator)` on every line of `reader` using
/// `threads` threads and writes each line's output to `writer` in input order. Each thread keeps
/// its own accumulator; they are returned for the caller to merge. With `hash`, the input's
/// SHA-256 is computed on the way.
///
/// `work` returns `None` to skip a line (blank), `Some(true)` for success, `Some(false)` for a
/// failure that was reported in its output. A line longer than `max_line` bytes is not held in
/// memory: its bytes are read past (and hashed) and `too_long(line_number, its_length, out,
/// accumulator)` reports it in its place, so memory stays within `max_line` and two read blocks
/// whatever the input.
///
/// # Errors
/// I/O errors of the reader or the writer.
#[allow(clippy::too_many_arguments)]
pub fn for_each_line_parallel<R, W, A, F, L>(
    mut reader: R,
    writer: &mut W,
    threads: usize,
    hash: bool,
    max_line: usize,
    work: F,
    too_long: L,
) -> io::Result<(LineStats, Vec<A>)>
where
    R: Read,
    W: Write + ?Sized,
    A: Default + Send,
    F: Fn(usize, &[u8], &mut Vec<u8>, &mut A) -> Option<bool> + Sync,
    L: Fn(usize, u64, &mut Vec<u8>, &mut A) -> Option<bool> + Sync,
{
    let threads = threads.max(1);
    let mut accs: Vec<A> = (0..threads).map(|_| A::default()).collect();
    let mut stats = LineStats::default();
    // One output buffer per thread, reused from block to block (no fresh pages per block).
    let mut outs: Vec<Vec<u8>> = (0..threads).map(|_| Vec::new()).collect();
    let mut hasher = Sha256::new();
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK * 2);
    let mut read = |buf: &mut Vec<u8>, stats: &mut LineStats| -> io::Result<usize> {
        let start = buf.len();
        // Up to a block onto the leftover (read_to_end reads into the spare capacity: no
        // zeroing of 4 MB a block first).
        let n = (&mut reader).take(BLOCK as u64).read_to_end(buf)?;
        if hash {
            hasher.update(&buf[start..]);
        }
        stats.bytes += n as u64;
        Ok(n)
    };
    // A whole line longer than max_line inside a block is reported like one read past.
    let work = |n: usize, line: &[u8], out: &mut Vec<u8>, acc: &mut A| {
        if line.len() > max_line {
            too_long(n, line.len() as u64, out, acc)
        } else {
            work(n, line, out, acc)
        }
    };
    let mut eof = false;
    while !eof {
        eof = read(&mut buf, &mut stats)? == 0;
        // Every whole line; at the end of the input the last one too (unless it is too long).
        let tail = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
        let end = if eof && buf.len() - tail <= max_line {
            buf.len()
        } else {
            tail
        };
        let block = &buf[..end];
        process_block(block, &mut outs, &mut stats, &mut accs, writer, &work)?;
        buf.drain(..end);
        if buf.len() <= max_line {
            continue;
        }
        // A line longer than max_line: read past its end, counting.
        let mut len = buf.len() as u64;
        buf.clear();
        while !eof {
            eof = read(&mut buf, &mut stats)? == 0;
            match memchr::memchr(b'\n', &buf) {
                Some(i) => {
                    len += i as u64;
                    buf.drain(..=i);
                    break;
                }
                None => {
                    len += buf.len() as u64;
                    buf.clear();
                }
            }
        }
        stats.lines += 1;
        let out = &mut outs[0];
        out.clear();
        if let Some(ok) = too_long(stats.lines, len, out, &mut accs[0]) {
            stats.records += 1;
            stats.failed += usize::from(!ok);
        }
        writer.write_all(out)?;
    }
    if hash {
        stats.sha256 = format!("{:x}", hasher.finalize());
    }
    Ok((stats, accs))
}

fn process_block<W, A, F>(
    block: &[u8],
    outs: &mut [Vec<u8>],
    stats: &mut LineStats,
    accs: &mut [A],
    writer: &mut W,
    work: &F,
) -> io::Result<()>
where
    W: Write + ?Sized,
    A: Send,
    F: Fn(usize, &[u8], &mut Vec<u8>, &mut A) -> Option<bool> + Sync,
{
    if block.is_empty() {
        return Ok(());
    }
    let threads = outs.len().min(accs.len()).max(1);
    let body = block.strip_suffix(b"\n").unwrap_or(block);
    let mut lines: Vec<&[u8]> = Vec::with_capacity(body.len() / 256 + 1);
    let mut from = 0;
    for nl in memchr::memchr_iter(b'\n', body) {
        lines.push(&body[from..nl]);
        from = nl + 1;
    }
    lines.push(&body[from..]);
    let first = stats.lines + 1;
    stats.lines += lines.len();
    // Contiguous groups of about equal bytes, one per thread.
    let per = block.len().div_ceil(threads);
    let mut groups: Vec<(usize, &[&[u8]])> = Vec::with_capacity(threads);
    let (mut i, mut g_start, mut g_bytes) = (0, 0, 0);
    while i < lines.len() {
        g_bytes += lines[i].len() + 1;
        i += 1;
        if g_bytes >= per && groups.len() + 1 < threads {
            groups.push((first + g_start, &lines[g_start..i]));
            g_start = i;
            g_bytes = 0;
        }
    }
    if g_start < lines.len() {
        groups.push((first + g_start, &lines[g_start..]));
    }
    let run = |(line0, group): (usize, &[&[u8]]), out: &mut Vec<u8>, acc: &mut A| {
        out.clear();
        out.reserve(group.iter().map(|l| l.len()).sum::<usize>() * 3);
        let (mut records, mut failed) = (0, 0);
        for (k, line) in group.iter().enumerate() {
            if let Some(ok) = work(line0 + k, line, out, acc) {
                records += 1;
                failed += usize::from(!ok);
            }
        }
        (records, failed)
    };
    let used = groups.len();
    let counts: Vec<(usize, usize)> = std::thread::scope(|s| {
        let mut slots = groups.into_iter().zip(outs.iter_mut().zip(accs.iter_mut()));
        let head = slots.next();
        let handles: Vec<_> = slots
            .map(|(g, (out, acc))| s.spawn(move || run(g, out, acc)))
            .collect();
        let mut res = Vec::with_capacity(handles.len() + 1);
        if let Some((g, (out, acc))) = head {
            res.push(run(g, out, acc));
        }
        for h in handles {
            res.push(h.join().unwrap_or_default());
        }
        res
    });
    for ((records, failed), out) in counts.into_iter().zip(&outs[..used]) {
        stats.records += records;
        stats.failed += failed;
        writer.write_all(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line, numbered from 1, in input order: what `str::lines`-like splitting at `\n`
    /// gives (a final newline ends the last line; an empty line between newlines is a line),
    /// whatever the thread count, including a line longer than a read block.
    #[test]
    fn lines_arrive_numbered_and_in_order() {
        let long = "x".repeat(BLOCK + 12_345);
        let inputs = [
            String::new(),
            "\n".to_string(),
            "a".to_string(),
            "a\n".to_string(),
            "a\n\nb\n\n".to_string(),
            "a\r\nb".to_string(),
            (0..50_000).map(|i| format!("line {i}\n")).collect(),
            format!("a\n{long}\nb\n"),
        ];
        for input in &inputs {
            let body = input.strip_suffix('\n').unwrap_or(input);
            let want: String = if input.is_empty() {
                String::new()
            } else {
                body.split('\n')
                    .enumerate()
                    .map(|(i, l)| format!("{}:{}\n", i + 1, l.len()))
                    .collect()
            };
            for threads in [1, 2, 3] {
                let mut out = Vec::new();
                let (stats, _) = for_each_line_parallel(
                    input.as_bytes(),
                    &mut out,
                    threads,
                    false,
                    BLOCK * 2,
                    |n, line, buf, _: &mut ()| {
                        buf.extend_from_slice(format!("{n}:{}\n", line.len()).as_bytes());
                        Some(true)
                    },
                    |_, _, _, _| unreachable!("no line is longer than two blocks"),
                )
                .unwrap();
                assert_eq!(String::from_utf8(out).unwrap(), want, "threads {threads}");
                assert_eq!(stats.lines, want.lines().count());
                assert_eq!(stats.bytes, input.len() as u64);
            }
        }
    }

    /// Lines longer than `max_line` are read past and reported by number and length, in order
    /// between their neighbours, whether they end in the block, blocks later or at the end of
    /// the input, and the input's hash and byte count still cover every byte.
    #[test]
    fn long_lines_are_counted_not_held() {
        let long = |n: usize| "y".repeat(n);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                format!("a\n{}\nb\n", long(11)).into_bytes(),
                "1:1 2:long:11 3:1",
            ),
            (long(11).into_bytes(), "1:long:11"),
            (format!("a\n{}", long(11)).into_bytes(), "1:1 2:long:11"),
            (
                format!("{}\n{}\r\n", long(10), long(12)).into_bytes(),
                "1:10 2:long:13",
            ),
            (
                format!("a\n{}\nb", long(3 * BLOCK + 5)).into_bytes(),
                "1:1 2:long:12582917 3:1",
            ),
        ];
        /// Each line as `n:len`, each long one as `n:long:len`.
        fn run(
            input: impl Read,
            threads: usize,
            hash: bool,
            max_line: usize,
        ) -> (String, LineStats) {
            let mut out = Vec::new();
            let (stats, _) = for_each_line_parallel(
                input,
                &mut out,
                threads,
                hash,
                max_line,
                |n, line, buf, _: &mut ()| {
                    buf.extend_from_slice(format!("{n}:{} ", line.len()).as_bytes());
                    Some(true)
                },
                |n, len, buf, _| {
                    buf.extend_from_slice(format!("{n}:long:{len} ").as_bytes());
                    Some(false)
                },
            )
            .unwrap();
            (String::from_utf8(out).unwrap(), stats)
        }
        for (input, want) in cases {
            for threads in [1, 2] {
                let (out, stats) = run(&input[..], threads, true, 10);
                assert_eq!(out.trim_end(), want);
                assert_eq!(stats.bytes, input.len() as u64);
                assert_eq!(stats.failed, want.matches("long").count());
                let hash = Sha256::digest(&input);
                assert_eq!(stats.sha256, format!("{hash:x}"));
            }
        }
        // 100 MB in one line: read through in blocks.
        let reader = io::repeat(b'z').take(100_000_000).chain(&b"\n{}\n"[..]);
        let (out, stats) = run(reader, 2, false, MAX_LINE);
        assert_eq!(out, "1:long:100000000 2:2 ");
        assert_eq!(stats.lines, 2);
    }
}
