//! The all-orders flat-file report parser (`amazon-feed-documents`): a generated
//! 1,000,000-line report streamed through `OrderReportReader`, printing rows per second and
//! the process's peak memory (target: at least 200,000 rows/s, under 50 MB), then criterion
//! statistics on a 100,000-line report.
//!
//! The report is generated while it is read (a `Read` that writes lines on demand), so the
//! input never sits in memory and the peak is the parser's. Peak memory is the process's
//! peak resident set size (`VmHWM`), reset before the run through `/proc/self/clear_refs`
//! (Linux); elsewhere it is not shown. The workspace forbids `unsafe`, so no counting
//! allocator: the resident peak is an upper bound of what the parser allocates.

use std::hint::black_box;
use std::io::{BufReader, Read};
use std::time::Instant;

use amazon_feed_documents::flat_file::{ALL_ORDERS_COLUMNS, Charset, OrderReportReader};
use criterion::{Criterion, Throughput, criterion_main};

/// Lines of the headline run.
const LINES: u64 = 1_000_000;

/// An all-orders report of `rows` rows, generated on demand.
struct GeneratedReport {
    rows: u64,
    next: u64,
    line: Vec<u8>,
    pos: usize,
}

impl GeneratedReport {
    fn new(rows: u64) -> Self {
        let mut line = ALL_ORDERS_COLUMNS.join("\t").into_bytes();
        line.extend_from_slice(b"\tfuture-column\n");
        Self {
            rows,
            next: 0,
            line,
            pos: 0,
        }
    }

    fn fill(&mut self) {
        use std::io::Write as _;
        let n = self.next;
        self.next += 1;
        self.line.clear();
        let status = ["Shipped", "Unshipped", "Pending", "Cancelled"][(n % 4) as usize];
        let channel = if n % 3 == 0 { "Amazon" } else { "Merchant" };
        let market = ["Amazon.de", "Amazon.fr", "Amazon.it", "Amazon.es"][(n % 4) as usize];
        let _ = writeln!(
            self.line,
            "{:03}-{:07}-{:07}\t\t2024-{:02}-{:02}T{:02}:{:02}:{:02}+00:00\t2024-{:02}-{:02}T{:02}:{:02}:{:02}+00:00\t{status}\t{channel}\t{market}\t\tStandard\tKaffeebecher „Büro“ Größe {} – {} ml\tSKU-{:06}\tB0{:08}\t{status}\t{}\tEUR\t{}.{:02}\t{}.{:02}\t4.90\t0.78\t\t\t{}\t\tKöln\tNRW\t5066{}\tDE\t{}\tfalse\t\t\tx",
            n % 1000,
            n % 10_000_000,
            (n * 7) % 10_000_000,
            n % 12 + 1,
            n % 28 + 1,
            n % 24,
            n % 60,
            (n * 7) % 60,
            n % 12 + 1,
            n % 28 + 1,
            (n + 3) % 24,
            (n * 3) % 60,
            n % 60,
            n % 5,
            250 + n % 250,
            n % 100_000,
            n % 100_000_000,
            1 + n % 3,
            10 + n % 90,
            n % 100,
            1 + n % 9,
            n % 100,
            if n % 5 == 0 { "-2.00" } else { "" },
            n % 10,
            if n % 7 == 0 { "PROMO-1,PROMO-2" } else { "" },
        );
    }
}

impl Read for GeneratedReport {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.line.len() {
            if self.next == self.rows {
                return Ok(0);
            }
            self.fill();
            self.pos = 0;
        }
        let n = buf.len().min(self.line.len() - self.pos);
        buf[..n].copy_from_slice(&self.line[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn parse(rows: u64) -> u64 {
    let source = BufReader::with_capacity(64 * 1024, GeneratedReport::new(rows));
    let reader = match OrderReportReader::new(source, Charset::Utf8) {
        Ok(r) => r,
        Err(e) => panic!("header refused: {e}"),
    };
    let mut count = 0u64;
    for row in reader {
        match row {
            Ok(row) => {
                black_box(&row);
                count += 1;
            }
            Err(e) => panic!("generated row refused: {e}"),
        }
    }
    count
}

/// `VmHWM` and `VmRSS` of this process in kB (Linux).
fn memory_kb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

fn headline() {
    // Generation alone, to tell the parser's share.
    let start = Instant::now();
    let mut generated = GeneratedReport::new(LINES);
    let bytes = std::io::copy(&mut generated, &mut std::io::sink()).unwrap_or(0);
    let generation = start.elapsed();

    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = memory_kb();
    let start = Instant::now();
    let rows = parse(LINES);
    let elapsed = start.elapsed();
    assert_eq!(rows, LINES);
    let secs = elapsed.as_secs_f64();
    let parse_only = (secs - generation.as_secs_f64()).max(f64::EPSILON);
    println!(
        "order_report: {rows} rows ({:.0} MB) in {secs:.2} s: {:.0} rows/s including generation \
         ({:.2} s of it), {:.0} rows/s parsing alone",
        bytes as f64 / 1e6,
        rows as f64 / secs,
        generation.as_secs_f64(),
        rows as f64 / parse_only,
    );
    match (reset, before, memory_kb()) {
        (true, Some((_, rss_before)), Some((peak, _))) => println!(
            "order_report: peak resident memory {:.1} MB during the run ({:.1} MB before it; \
             target < 50 MB)",
            peak as f64 / 1024.0,
            rss_before as f64 / 1024.0
        ),
        _ => println!("order_report: peak memory not measurable on this system"),
    }
}

fn criterion_runs(c: &mut Criterion) {
    headline();
    let mut group = c.benchmark_group("order_report");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("parse_100k_lines", |b| b.iter(|| parse(100_000)));
    group.finish();
}

mod suite {
    //! The criterion group (its generated function carries no docs).
    #![allow(missing_docs, unreachable_pub)]
    use super::criterion_runs;
    criterion::criterion_group!(benches, criterion_runs);
}

criterion_main!(suite::benches);
